"""Command shape (komennon muoto): InvalidCommandError, checked before any rule of the case."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID, uuid4

import pytest

from perhetyo import (
    Actor,
    CloseCase,
    ClosureReason,
    FamilyCases,
    GoalStatus,
    InvalidCommandError,
    MeetingKind,
    OpenCase,
    RecordChildView,
    SetGoal,
    UpdateGoal,
)
from perhetyo.testing import a_child, a_worker

from .helpers import PERSONAL_TEXT, TODAY, refused

HETU = "131052-308T"  # form and check character of a real-looking henkilötunnus


def _assert_hides(error: InvalidCommandError, *secrets: str) -> None:
    for secret in secrets:
        assert secret not in str(error)
        assert secret not in repr(error.errors)
        assert secret not in repr(error.args)
    for item in error.errors:
        assert "input" not in item
        assert "ctx" not in item


def test_an_invalid_command_is_also_a_value_error(actor: Actor) -> None:
    with pytest.raises(ValueError, match="SetGoal is invalid") as info:
        SetGoal(case_id=uuid4(), description="", set_on=TODAY, actor=actor)

    assert isinstance(info.value, InvalidCommandError)
    assert info.value.command == "SetGoal"
    assert info.value.code == "invalid_command"


def test_the_error_names_the_field_and_the_error_type(actor: Actor) -> None:
    with pytest.raises(InvalidCommandError) as info:
        UpdateGoal(
            case_id=uuid4(),
            goal_id=uuid4(),
            status=GoalStatus.IN_PROGRESS,
            progress=101,
            updated_on=TODAY,
            actor=actor,
        )

    [error] = info.value.errors
    assert error["loc"] == ("progress",)
    assert error["type"] == "less_than_equal"
    assert "progress: less_than_equal" in str(info.value)


def test_a_command_model_refuses_extra_fields(actor: Actor) -> None:
    with pytest.raises(InvalidCommandError) as info:
        SetGoal(
            case_id=uuid4(),
            description="Ok",
            set_on=TODAY,
            actor=actor,
            priority="high",  # type: ignore[call-arg]
        )

    assert [error["type"] for error in info.value.errors] == ["extra_forbidden"]


def test_a_valid_command_model_is_frozen(actor: Actor) -> None:
    command = SetGoal(case_id=uuid4(), description=" Ok ", set_on=TODAY, actor=actor)

    assert command.description == "Ok"
    with pytest.raises(ValueError, match="frozen"):
        command.description = "Muu"  # type: ignore[misc]


def test_an_over_long_text_is_refused_without_echoing_it(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    with refused(cases, case_id, InvalidCommandError) as info:
        cases.record_meeting(
            case_id,
            kind=MeetingKind.NETWORK,
            held_on=TODAY,
            summary=PERSONAL_TEXT * 300,
            actor=actor,
        )

    assert isinstance(info.value, InvalidCommandError)
    _assert_hides(info.value, PERSONAL_TEXT)


def test_a_personal_identity_code_as_an_id_is_refused_without_echoing_it(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    with refused(cases, case_id, InvalidCommandError) as info:
        cases.record_child_view(case_id, child_id=HETU, view="Ok", recorded_on=TODAY, actor=actor)

    assert isinstance(info.value, InvalidCommandError)
    assert info.value.errors[0]["loc"] == ("child_id",)
    _assert_hides(info.value, HETU)


@pytest.mark.parametrize(
    ("field", "key"),
    [("child_views", HETU), ("not_heard_reasons", "Matti Meikäläinen")],
    ids=["hetu as a child_views key", "name as a not_heard_reasons key"],
)
def test_an_invalid_child_id_as_a_closing_key_is_not_echoed(
    cases: FamilyCases, actor: Actor, case_id: UUID, field: str, key: str
) -> None:
    with refused(cases, case_id, InvalidCommandError) as info:
        cases.close_case(
            case_id,
            closed_on=TODAY,
            reason=ClosureReason.OTHER,
            actor=actor,
            child_views={key: "Ok"} if field == "child_views" else None,
            not_heard_reasons={key: "Ok"} if field == "not_heard_reasons" else None,
        )

    assert isinstance(info.value, InvalidCommandError)
    _assert_hides(info.value, key)


def test_a_wrong_type_is_refused_without_echoing_the_value(actor: Actor) -> None:
    with pytest.raises(InvalidCommandError) as info:
        OpenCase(
            children=[{"id": "c1", "display_name": PERSONAL_TEXT, "birth_date": PERSONAL_TEXT}],
            legal_basis=PERSONAL_TEXT,
            named_worker=a_worker(),
            opened_on=PERSONAL_TEXT,
            actor=actor,
        )

    assert {error["loc"][0] for error in info.value.errors} == {
        "children",
        "legal_basis",
        "opened_on",
    }
    _assert_hides(info.value, PERSONAL_TEXT)


@pytest.mark.parametrize(
    "hetu",
    [
        "131052-308T",
        "131052-308t",
        "010101A123N",
        " 131052-308T ",
        "131052-308A",  # a wrong check character is still a code
        "c-131052-308T",
        "hetu:131052-308T",
        "131052-308T.1",
    ],
)
def test_ids_that_look_like_a_personal_identity_code_are_refused(actor: Actor, hetu: str) -> None:
    with pytest.raises(InvalidCommandError):
        SetGoal(case_id=uuid4(), description="Ok", set_on=TODAY, child_id=hetu, actor=actor)


@pytest.mark.parametrize(
    "opaque", ["child-1", "a1b2c3", "7f3e9c2a-0000-4b8e", "991352-308A", "311299", "c:42.x_y"]
)
def test_opaque_ids_are_accepted(actor: Actor, opaque: str) -> None:
    command = SetGoal(case_id=uuid4(), description="Ok", set_on=TODAY, child_id=opaque, actor=actor)

    assert command.child_id == opaque


@pytest.mark.parametrize("bad_id", ["", "  ", "lapsi 1", "-start", "ä1", "x" * 65])
def test_ids_outside_the_opaque_alphabet_or_length_are_refused(actor: Actor, bad_id: str) -> None:
    with pytest.raises(InvalidCommandError):
        SetGoal(case_id=uuid4(), description="Ok", set_on=TODAY, child_id=bad_id, actor=actor)


def test_an_actor_with_a_personal_identity_code_as_id_is_refused(
    cases: FamilyCases, case_id: UUID
) -> None:
    with refused(cases, case_id, InvalidCommandError) as info:
        cases.set_goal(
            case_id,
            description="Ok",
            set_on=TODAY,
            actor={"id": HETU, "name": "Aino K."},  # type: ignore[arg-type]
        )

    assert info.value.errors[0]["loc"] == ("actor", "id")  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(datetime(2020, 12, 31, 9, 0, tzinfo=UTC), id="aware datetime"),
        pytest.param(datetime(2020, 12, 31, 9, 0), id="naive datetime"),  # noqa: DTZ001 (the input under test)
        pytest.param("2020-12-31", id="iso string"),
        pytest.param(20201231, id="integer"),
        pytest.param(None, id="none"),
    ],
)
def test_a_business_date_must_be_a_date(actor: Actor, value: object) -> None:
    with pytest.raises(InvalidCommandError) as info:
        SetGoal(case_id=uuid4(), description="Ok", set_on=value, actor=actor)

    assert info.value.errors[0]["loc"] == ("set_on",)


def test_a_child_with_view_and_reason_is_a_shape_error_of_the_model(actor: Actor) -> None:
    with pytest.raises(InvalidCommandError):
        CloseCase(
            case_id=uuid4(),
            closed_on=TODAY,
            reason=ClosureReason.OTHER,
            child_views={"child-1": "Ok"},
            not_heard_reasons={"child-1": "Ei"},
            actor=actor,
        )


def test_a_child_view_needs_exactly_one_of_view_and_reason(actor: Actor) -> None:
    with pytest.raises(InvalidCommandError):
        RecordChildView(
            case_id=uuid4(),
            child_id="child-1",
            view="Ok",
            not_heard_reason="Ei",
            recorded_on=TODAY,
            actor=actor,
        )
    with pytest.raises(InvalidCommandError):
        RecordChildView(case_id=uuid4(), child_id="child-1", recorded_on=TODAY, actor=actor)


def test_a_case_id_that_is_not_a_uuid_is_a_shape_error(cases: FamilyCases, actor: Actor) -> None:
    with pytest.raises(InvalidCommandError):
        cases.set_goal("case-1", description="Ok", set_on=TODAY, actor=actor)  # type: ignore[arg-type]


def test_a_command_with_an_empty_request_id_is_a_shape_error(actor: Actor) -> None:
    with pytest.raises(InvalidCommandError):
        SetGoal(case_id=uuid4(), description="Ok", set_on=TODAY, actor=actor, request_id="  ")


def test_an_open_case_model_keeps_its_children_in_order(actor: Actor) -> None:
    command = OpenCase(
        children=[a_child("b"), a_child("a")],
        legal_basis="social_welfare_act",
        named_worker=a_worker(),
        opened_on=date(2020, 8, 12),
        actor=actor,
    )

    assert [child.id for child in command.children] == ["b", "a"]

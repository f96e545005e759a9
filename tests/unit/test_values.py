"""Value objects and enumerations (arvo-oliot): the fixed members, labels and id rules."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from uuid import UUID

import pytest

from perhetyo import (
    Actor,
    CaseStatus,
    ClosureReason,
    GoalStatus,
    InvalidCommandError,
    LegalBasis,
    MeetingKind,
    NamedWorker,
    PersonRef,
    Profession,
    ServiceKind,
    ServiceStatus,
    ServiceTask,
    Successor,
    SuccessorKind,
)
from perhetyo.values import (
    FINAL_GOAL_STATUSES,
    finnish_label,
    looks_like_personal_identity_code,
    swedish_label,
)

from .helpers import PERSONAL_TEXT

_FIXED_MEMBERS: dict[type[StrEnum], set[str]] = {
    LegalBasis: {"SOCIAL_WELFARE_ACT", "CHILD_WELFARE_ACT"},
    Profession: {
        "SOCIAL_WORKER",
        "SPECIAL_SOCIAL_COUNSELLOR",
        "SOCIAL_COUNSELLOR",
        "FAMILY_WORKER",
    },
    MeetingKind: {"OPENING", "NETWORK", "REVIEW", "HOME_VISIT", "CHILD_MEETING", "CLOSING"},
    ServiceKind: {
        "FAMILY_WORK",
        "FAMILY_REHABILITATION",
        "SUPPORT_PERSON",
        "SUPPORT_FAMILY",
        "HOME_HELP",
        "OTHER",
    },
    GoalStatus: {"NOT_STARTED", "IN_PROGRESS", "ACHIEVED", "NOT_ACHIEVED", "DROPPED"},
    ServiceStatus: {"ORDERED", "ACTIVE", "ENDED", "CANCELLED"},
    CaseStatus: {"OPEN", "CLOSED"},
    ClosureReason: {
        "NO_LONGER_NEEDED",
        "AGREED_WITH_FAMILY",
        "MOVED_AWAY",
        "TRANSFERRED",
        "CAME_OF_AGE",
        "OTHER",
    },
}


@pytest.mark.parametrize("enum", list(_FIXED_MEMBERS), ids=lambda enum: enum.__name__)
def test_the_enumerations_have_the_members_the_design_fixes(enum: type[StrEnum]) -> None:
    assert _FIXED_MEMBERS[enum] <= set(enum.__members__)


@pytest.mark.parametrize(
    "enum",
    [*_FIXED_MEMBERS, ServiceTask, SuccessorKind],
    ids=lambda enum: enum.__name__,
)
def test_every_member_has_a_finnish_label_and_a_lowercase_stable_value(
    enum: type[StrEnum],
) -> None:
    for member in enum:
        assert finnish_label(member)
        assert swedish_label(member)
        assert member.value == member.name.lower()


def test_named_professions_have_their_finnish_names() -> None:
    assert finnish_label(Profession.SOCIAL_WORKER) == "sosiaalityöntekijä"
    assert finnish_label(Profession.SPECIAL_SOCIAL_COUNSELLOR) == "erityissosiaaliohjaaja"
    assert finnish_label(LegalBasis.CHILD_WELFARE_ACT) == "lastensuojelulaki"
    assert swedish_label(LegalBasis.CHILD_WELFARE_ACT) == "barnskyddslagen"
    assert swedish_label(ServiceKind.FAMILY_REHABILITATION) == "familjerehabilitering"


def test_achieved_not_achieved_and_dropped_are_the_final_goal_statuses() -> None:
    assert {GoalStatus.ACHIEVED, GoalStatus.NOT_ACHIEVED, GoalStatus.DROPPED} == (
        FINAL_GOAL_STATUSES
    )
    assert [status.is_final for status in GoalStatus] == [False, False, True, True, True]


def test_the_service_task_follows_the_legal_basis() -> None:
    assert ServiceTask.default_for(LegalBasis.SOCIAL_WELFARE_ACT) is ServiceTask.FAMILY_SERVICES
    assert ServiceTask.default_for(LegalBasis.CHILD_WELFARE_ACT) is ServiceTask.CHILD_WELFARE


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("131052-308T", True),
        ("131052-308t", True),
        ("131052A308T", True),  # same digits, the 2000s century sign
        ("010101A123N", True),
        (" 131052-308T ", True),
        ("131052-308A", False),  # wrong check character
        ("321052-308T", False),  # no 32nd day
        ("131352-308T", False),  # no 13th month
        ("131052_308T", False),  # not a century sign
        ("131052-308", False),
        ("child-1", False),
        ("", False),
    ],
)
def test_personal_identity_codes_are_recognised_by_form_and_check_character(
    value: str, expected: bool
) -> None:
    assert looks_like_personal_identity_code(value) is expected


def test_value_objects_are_frozen_and_refuse_extra_fields() -> None:
    child = PersonRef(id="child-1", display_name="Lapsi A", birth_date=date(2012, 5, 1))

    with pytest.raises(ValueError, match="frozen"):
        child.id = "child-2"  # type: ignore[misc]
    with pytest.raises(ValueError, match="extra"):
        PersonRef(id="c", display_name="L", hetu="x")  # type: ignore[call-arg]


def test_value_objects_strip_their_text() -> None:
    actor = Actor(id=" sw-17 ", name=" Aino K. ", organisation=" Alue ")

    assert (actor.id, actor.name, actor.organisation) == ("sw-17", "Aino K.", "Alue")
    assert actor.profession is None


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: PersonRef(id="131052-308T", display_name="L"), id="person hetu"),
        pytest.param(lambda: Actor(id="131052-308T", name="A"), id="actor hetu"),
        pytest.param(lambda: NamedWorker(id="sw", name="A", profession="nurse"), id="profession"),
        pytest.param(lambda: PersonRef(id="c", display_name=""), id="empty name"),
        pytest.param(lambda: Successor(kind="prison"), id="successor kind"),
    ],
)
def test_invalid_values_are_refused_as_value_errors(make: object) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 (pydantic's error, any message)
        make()  # type: ignore[operator]


def test_an_invalid_value_object_does_not_echo_personal_data() -> None:
    with pytest.raises(ValueError) as info:  # noqa: PT011 (the message is what is checked)
        PersonRef(id="131052-308T", display_name=PERSONAL_TEXT * 10)

    assert "131052-308T" not in str(info.value)
    assert PERSONAL_TEXT not in str(info.value)


def test_an_actor_may_name_their_title_and_service_unit_oid() -> None:
    actor = Actor(
        id="sw-17", name="Aino K.", title="sosiaalityöntekijä", unit_oid="1.2.246.10.1234567.10.1"
    )

    assert (actor.title, actor.unit_oid) == ("sosiaalityöntekijä", "1.2.246.10.1234567.10.1")
    assert Actor(id="sw-17", name="Aino K.").unit_oid is None


@pytest.mark.parametrize("oid", ["", "1.2.x", "1..2", "3.1", "1.02.3", "1.2.246 x"])
def test_a_service_unit_oid_must_be_dotted_digits(oid: str) -> None:
    with pytest.raises(InvalidCommandError):
        Actor(id="sw-17", name="Aino K.", unit_oid=oid)


def test_a_command_without_the_new_actor_fields_keeps_its_fingerprint_when_they_are_none() -> None:
    from perhetyo.commands import SetGoal  # noqa: PLC0415 (only this test needs a command)

    before = SetGoal(
        case_id=UUID(int=1),
        description="Ok",
        set_on=date(2020, 9, 1),
        actor=Actor(id="a", name="A"),
    )
    after = SetGoal(
        case_id=UUID(int=1),
        description="Ok",
        set_on=date(2020, 9, 1),
        actor=Actor(id="a", name="A", title=None, unit_oid=None),
    )

    assert before.digest() == after.digest()
    assert before.digests() == after.digests()


def test_a_trusted_value_counts_every_field_as_set_defaults_included() -> None:
    """``trusted`` fills a left-out field's default and counts it as set, as it did with a
    fields-set of its own per value (one per class is shared now); a copy keeps that."""
    successor = Successor.trusted(kind=SuccessorKind.ADULT_SERVICES)
    every = set(Successor.model_fields)
    assert successor.case_id is None
    assert successor.model_fields_set == every
    assert set(successor.model_dump(exclude_unset=True)) == every
    case_id = UUID(int=7)
    copied = successor.model_copy(update={"case_id": case_id})
    assert (copied.case_id, successor.case_id) == (case_id, None)
    assert copied.model_fields_set == successor.model_fields_set == every

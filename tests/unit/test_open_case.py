"""Opening a case (aloita asiakkuus): given nothing -> when open_case -> then CaseOpened."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from perhetyo import (
    Actor,
    CaseNotFoundError,
    CaseOpened,
    DateOutOfRangeError,
    FamilyCases,
    InvalidCommandError,
    LegalBasis,
    Profession,
    ServiceTask,
    WorkerNotQualifiedError,
)
from perhetyo.testing import FakeClock, a_child, a_guardian, a_worker
from perhetyo.time import HELSINKI

from .helpers import OPENED_ON, TODAY, TOMORROW, history


def _open(cases: FamilyCases, actor: Actor, **overrides: object) -> UUID:
    arguments: dict[str, object] = {
        "children": [a_child()],
        "guardians": [a_guardian()],
        "legal_basis": LegalBasis.SOCIAL_WELFARE_ACT,
        "named_worker": a_worker(),
        "opened_on": OPENED_ON,
        "actor": actor,
    }
    arguments.update(overrides)
    return cases.open_case(**arguments)  # type: ignore[arg-type]


def _assert_not_opened(cases: FamilyCases, actor: Actor, request_id: str) -> None:
    with pytest.raises(CaseNotFoundError):
        cases.history(cases.case_id_for_request(request_id), actor=actor)


def test_opening_a_case_records_case_opened_with_every_field(
    cases: FamilyCases, clock: FakeClock, actor: Actor
) -> None:
    previous = uuid4()
    case_id = _open(cases, actor, previous_case_id=previous)

    assert isinstance(case_id, UUID)
    [event] = history(cases, case_id)
    assert isinstance(event, CaseOpened)
    assert event.originator_id == case_id
    assert event.originator_version == 1
    assert event.children == (a_child(),)
    assert event.guardians == (a_guardian(),)
    assert event.legal_basis is LegalBasis.SOCIAL_WELFARE_ACT
    assert event.named_worker == a_worker()
    assert event.opened_on == OPENED_ON
    assert event.previous_case_id == previous
    assert event.actor == actor
    assert event.timestamp == clock()
    assert event.timestamp.utcoffset() == timedelta(0)
    assert event.occurred_on == OPENED_ON
    assert event.request_id is None


def test_the_record_time_is_stored_in_utc_whatever_the_clock_zone(actor: Actor) -> None:
    helsinki_noon = datetime(2020, 12, 31, 12, 0, tzinfo=UTC).astimezone(HELSINKI)
    with FamilyCases(url="memory://", clock=FakeClock(helsinki_noon)) as cases:
        [event] = history(cases, _open(cases, actor))

    assert event.timestamp == datetime(2020, 12, 31, 12, 0, tzinfo=UTC)
    assert event.timestamp.utcoffset() == timedelta(0)


def test_each_opening_gets_a_new_case_id(cases: FamilyCases, actor: Actor) -> None:
    assert _open(cases, actor) != _open(cases, actor)


@pytest.mark.parametrize(
    ("legal_basis", "service_task"),
    [
        (LegalBasis.SOCIAL_WELFARE_ACT, ServiceTask.FAMILY_SERVICES),
        (LegalBasis.CHILD_WELFARE_ACT, ServiceTask.CHILD_WELFARE),
    ],
)
def test_the_service_task_defaults_from_the_legal_basis(
    cases: FamilyCases, actor: Actor, legal_basis: LegalBasis, service_task: ServiceTask
) -> None:
    case_id = _open(cases, actor, legal_basis=legal_basis)

    event = history(cases, case_id)[0]
    assert isinstance(event, CaseOpened)
    assert event.service_task is service_task


def test_a_given_service_task_is_kept(cases: FamilyCases, actor: Actor) -> None:
    case_id = _open(cases, actor, service_task=ServiceTask.CHILD_WELFARE)

    event = history(cases, case_id)[0]
    assert isinstance(event, CaseOpened)
    assert event.service_task is ServiceTask.CHILD_WELFARE


def test_a_case_may_open_today(cases: FamilyCases, actor: Actor) -> None:
    case_id = _open(cases, actor, opened_on=TODAY)

    assert history(cases, case_id)[0].occurred_on == TODAY


def test_opening_in_the_future_is_refused(cases: FamilyCases, actor: Actor) -> None:
    with pytest.raises(DateOutOfRangeError):
        _open(cases, actor, opened_on=TOMORROW, request_id="open-1")

    _assert_not_opened(cases, actor, "open-1")


def test_opening_tomorrow_utc_is_today_in_helsinki_after_midnight(actor: Actor) -> None:
    late = FakeClock(datetime(2020, 12, 31, 22, 30, tzinfo=UTC))
    with FamilyCases(url="memory://", clock=late) as cases:
        case_id = _open(cases, actor, opened_on=TOMORROW)

        assert history(cases, case_id)[0].occurred_on == TOMORROW


@pytest.mark.parametrize("profession", [Profession.SOCIAL_COUNSELLOR, Profession.FAMILY_WORKER])
@pytest.mark.parametrize("legal_basis", list(LegalBasis))
def test_a_counsellor_or_family_worker_is_never_the_named_worker(
    cases: FamilyCases, actor: Actor, profession: Profession, legal_basis: LegalBasis
) -> None:
    with pytest.raises(WorkerNotQualifiedError):
        _open(
            cases,
            actor,
            legal_basis=legal_basis,
            named_worker=a_worker(profession=profession),
            request_id="open-1",
        )

    _assert_not_opened(cases, actor, "open-1")


def test_a_special_social_counsellor_may_be_named_under_the_social_welfare_act(
    cases: FamilyCases, actor: Actor
) -> None:
    worker = a_worker(profession=Profession.SPECIAL_SOCIAL_COUNSELLOR)

    case_id = _open(cases, actor, named_worker=worker)

    event = history(cases, case_id)[0]
    assert isinstance(event, CaseOpened)
    assert event.named_worker == worker


def test_a_child_welfare_act_case_needs_a_social_worker_as_named_worker(
    cases: FamilyCases, actor: Actor
) -> None:
    with pytest.raises(WorkerNotQualifiedError):
        _open(
            cases,
            actor,
            legal_basis=LegalBasis.CHILD_WELFARE_ACT,
            named_worker=a_worker(profession=Profession.SPECIAL_SOCIAL_COUNSELLOR),
            request_id="open-1",
        )

    _assert_not_opened(cases, actor, "open-1")


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"children": []}, id="no children"),
        pytest.param({"children": [a_child(), a_child()]}, id="duplicate children"),
        pytest.param({"guardians": [a_guardian(), a_guardian()]}, id="duplicate guardians"),
        pytest.param({"opened_on": "2020-08-12"}, id="date as string"),
        pytest.param({"opened_on": datetime(2020, 8, 12, tzinfo=UTC)}, id="datetime"),
        pytest.param({"legal_basis": "family_law"}, id="unknown legal basis"),
        pytest.param({"service_task": "housing"}, id="unknown service task"),
        pytest.param({"previous_case_id": "case-7"}, id="previous case id not a uuid"),
        pytest.param(
            {"children": [{"id": "131052-308T", "display_name": "Lapsi A"}]},
            id="child id is a henkilötunnus",
        ),
        pytest.param(
            {"guardians": [{"id": "010101A123N", "display_name": "Huoltaja A"}]},
            id="guardian id is a henkilötunnus",
        ),
        pytest.param({"children": [{"id": "c1", "display_name": "   "}]}, id="blank display name"),
        pytest.param(
            {"children": [{"id": "c1", "display_name": "L", "nickname": "x"}]},
            id="extra field in a person",
        ),
        pytest.param(
            {"named_worker": {"id": "sw-1", "name": "A", "profession": "nurse"}},
            id="unknown profession",
        ),
    ],
)
def test_a_badly_shaped_opening_is_refused_before_any_rule(
    cases: FamilyCases, actor: Actor, overrides: dict[str, object]
) -> None:
    with pytest.raises(InvalidCommandError) as info:
        _open(cases, actor, request_id="open-1", **overrides)

    assert isinstance(info.value, ValueError)
    assert info.value.command == "OpenCase"
    _assert_not_opened(cases, actor, "open-1")


def test_a_future_opening_with_a_bad_shape_is_a_shape_error(
    cases: FamilyCases, actor: Actor
) -> None:
    with pytest.raises(InvalidCommandError):
        _open(cases, actor, opened_on=TOMORROW, children=[], request_id="open-1")

    _assert_not_opened(cases, actor, "open-1")


def test_a_command_on_an_unknown_case_is_refused(cases: FamilyCases, actor: Actor) -> None:
    unknown = uuid4()

    with pytest.raises(CaseNotFoundError) as info:
        cases.set_goal(unknown, description="Tavoite", set_on=date(2020, 9, 1), actor=actor)

    assert info.value.case_id == unknown
    with pytest.raises(CaseNotFoundError):
        cases.history(unknown, actor=actor)

"""Named worker (omatyöntekijä): given an open case -> when assign_named_worker -> then."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

import pytest

from perhetyo import (
    Actor,
    DateOutOfRangeError,
    FamilyCases,
    InvalidCommandError,
    LegalBasis,
    NamedWorker,
    NamedWorkerAssigned,
    OutOfOrderError,
    Profession,
    WorkerNotQualifiedError,
)
from perhetyo.testing import FakeClock, a_worker, open_sample_case

from .helpers import OPENED_ON, TOMORROW, history, last_event, refused


def _assign(
    cases: FamilyCases,
    case_id: UUID,
    actor: Actor,
    *,
    worker: NamedWorker | None = None,
    assigned_on: date = date(2020, 9, 1),
) -> None:
    cases.assign_named_worker(
        case_id,
        worker=worker or a_worker("sw-18"),
        assigned_on=assigned_on,
        reason="Työntekijän vaihdos",
        actor=actor,
    )


def test_assigning_a_named_worker_records_named_worker_assigned(
    cases: FamilyCases, clock: FakeClock, actor: Actor, case_id: UUID
) -> None:
    clock.advance(timedelta(hours=1))

    cases.assign_named_worker(
        case_id,
        worker=a_worker("sw-18"),
        assigned_on=date(2020, 9, 1),
        reason="  Työntekijän vaihdos  ",
        actor=actor,
    )

    events = history(cases, case_id)
    assert len(events) == 2
    event = events[-1]
    assert isinstance(event, NamedWorkerAssigned)
    assert event.originator_id == case_id
    assert event.originator_version == 2
    assert event.worker == a_worker("sw-18")
    assert event.assigned_on == date(2020, 9, 1)
    assert event.reason == "Työntekijän vaihdos"
    assert event.actor == actor
    assert event.timestamp == clock()


def test_the_current_plan_shows_the_newly_assigned_worker(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    _assign(cases, case_id, actor)

    assert cases.current_plan(case_id, actor=actor).named_worker == a_worker("sw-18")


@pytest.mark.parametrize("profession", [Profession.SOCIAL_COUNSELLOR, Profession.FAMILY_WORKER])
def test_a_social_counsellor_or_family_worker_cannot_be_assigned(
    cases: FamilyCases, actor: Actor, case_id: UUID, profession: Profession
) -> None:
    with refused(cases, case_id, WorkerNotQualifiedError):
        _assign(cases, case_id, actor, worker=a_worker("fw-1", profession))


def test_a_special_social_counsellor_may_be_assigned_in_a_social_welfare_act_case(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    worker = a_worker("ssc-1", Profession.SPECIAL_SOCIAL_COUNSELLOR)

    _assign(cases, case_id, actor, worker=worker)

    event = last_event(cases, case_id)
    assert isinstance(event, NamedWorkerAssigned)
    assert event.worker == worker


def test_a_child_welfare_act_case_takes_only_a_social_worker(
    cases: FamilyCases, actor: Actor
) -> None:
    case_id = open_sample_case(cases, legal_basis=LegalBasis.CHILD_WELFARE_ACT)

    with refused(cases, case_id, WorkerNotQualifiedError):
        _assign(
            cases, case_id, actor, worker=a_worker("ssc-1", Profession.SPECIAL_SOCIAL_COUNSELLOR)
        )

    _assign(cases, case_id, actor, worker=a_worker("sw-18", Profession.SOCIAL_WORKER))
    assert len(history(cases, case_id)) == 2


def test_assigning_before_the_case_opened_is_refused(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    with refused(cases, case_id, DateOutOfRangeError):
        _assign(cases, case_id, actor, assigned_on=OPENED_ON - timedelta(days=1))


def test_assigning_in_the_future_is_refused(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    with refused(cases, case_id, DateOutOfRangeError):
        _assign(cases, case_id, actor, assigned_on=TOMORROW)


def test_assigning_before_the_previous_assignment_is_refused(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    _assign(cases, case_id, actor, assigned_on=date(2020, 10, 1))

    with refused(cases, case_id, OutOfOrderError):
        _assign(cases, case_id, actor, assigned_on=date(2020, 9, 30))


def test_assigning_on_the_same_day_as_the_previous_assignment_is_allowed(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    _assign(cases, case_id, actor, assigned_on=date(2020, 10, 1))
    _assign(cases, case_id, actor, worker=a_worker("sw-19"), assigned_on=date(2020, 10, 1))

    assert cases.current_plan(case_id, actor=actor).named_worker == a_worker("sw-19")


@pytest.mark.parametrize(
    "worker",
    [
        pytest.param({"id": "131052-308T", "name": "A", "profession": "social_worker"}, id="hetu"),
        pytest.param({"id": "sw-1", "name": "A", "profession": "nurse"}, id="profession"),
        pytest.param({"id": "sw-1", "name": "A"}, id="no profession"),
        pytest.param("sw-18", id="a string"),
    ],
)
def test_a_badly_shaped_worker_is_a_shape_error(
    cases: FamilyCases, actor: Actor, case_id: UUID, worker: object
) -> None:
    with refused(cases, case_id, InvalidCommandError):
        cases.assign_named_worker(
            case_id,
            worker=worker,  # type: ignore[arg-type]
            assigned_on=date(2020, 9, 1),
            reason="Vaihdos",
            actor=actor,
        )


@pytest.mark.parametrize("reason", ["", "   ", "x" * 2001])
def test_an_empty_or_over_long_reason_is_a_shape_error(
    cases: FamilyCases, actor: Actor, case_id: UUID, reason: str
) -> None:
    with refused(cases, case_id, InvalidCommandError):
        cases.assign_named_worker(
            case_id,
            worker=a_worker("sw-18"),
            assigned_on=date(2020, 9, 1),
            reason=reason,
            actor=actor,
        )

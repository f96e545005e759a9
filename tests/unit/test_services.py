"""Services (palvelut): ordered -> started -> ended, or ordered -> cancelled."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from perhetyo import (
    Actor,
    DateOutOfRangeError,
    FamilyCases,
    GoalNotFoundError,
    InvalidCommandError,
    OutOfOrderError,
    ServiceEnded,
    ServiceKind,
    ServiceLifecycleError,
    ServiceNotFoundError,
    ServiceOrdered,
    ServiceStarted,
    ServiceStatus,
)
from perhetyo.testing import FakeClock, open_sample_case

from .helpers import OPENED_ON, TOMORROW, history, last_event, order_a_service, refused, set_a_goal

ORDERED_ON = date(2020, 9, 1)


def _start(
    cases: FamilyCases, case_id: UUID, service_id: UUID, actor: Actor, on: date = date(2020, 9, 7)
) -> None:
    cases.start_service(case_id, service_id, started_on=on, actor=actor)


def _end(
    cases: FamilyCases, case_id: UUID, service_id: UUID, actor: Actor, on: date = date(2020, 12, 1)
) -> None:
    cases.end_service(case_id, service_id, ended_on=on, reason="Tavoite saavutettu", actor=actor)


def _service_status(cases: FamilyCases, case_id: UUID, actor: Actor) -> ServiceStatus:
    [service] = cases.current_plan(case_id, actor=actor).services
    return service.status


# --- order_service ----------------------------------------------------------------------


def test_ordering_a_service_records_service_ordered_and_returns_its_id(
    cases: FamilyCases, clock: FakeClock, actor: Actor, case_id: UUID
) -> None:
    goal_id = set_a_goal(cases, case_id, actor=actor)
    clock.advance()

    service_id = cases.order_service(
        case_id,
        kind=ServiceKind.FAMILY_REHABILITATION,
        provider=" Neljä Astetta Oy ",
        ordered_on=ORDERED_ON,
        goal_ids=[goal_id],
        actor=actor,
    )

    assert isinstance(service_id, UUID)
    events = history(cases, case_id)
    assert len(events) == 3
    event = events[-1]
    assert isinstance(event, ServiceOrdered)
    assert event.originator_version == 3
    assert event.service_id == service_id
    assert event.kind is ServiceKind.FAMILY_REHABILITATION
    assert event.provider == "Neljä Astetta Oy"
    assert event.ordered_on == ORDERED_ON
    assert event.goal_ids == (goal_id,)
    assert event.actor == actor
    assert event.timestamp == clock()
    assert _service_status(cases, case_id, actor) is ServiceStatus.ORDERED


def test_a_service_for_an_unknown_goal_is_refused(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    with refused(cases, case_id, GoalNotFoundError):
        cases.order_service(
            case_id,
            kind=ServiceKind.FAMILY_WORK,
            provider="Oy",
            ordered_on=ORDERED_ON,
            goal_ids=[uuid4()],
            actor=actor,
        )


def test_a_service_for_a_goal_of_another_case_is_refused(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    own = set_a_goal(cases, case_id, actor=actor)
    foreign = set_a_goal(cases, open_sample_case(cases), actor=actor)

    with refused(cases, case_id, GoalNotFoundError):
        cases.order_service(
            case_id,
            kind=ServiceKind.FAMILY_WORK,
            provider="Oy",
            ordered_on=ORDERED_ON,
            goal_ids=[own, foreign],
            actor=actor,
        )


@pytest.mark.parametrize("ordered_on", [OPENED_ON - timedelta(days=1), TOMORROW])
def test_a_service_ordered_outside_the_case_dates_is_refused(
    cases: FamilyCases, actor: Actor, case_id: UUID, ordered_on: date
) -> None:
    with refused(cases, case_id, DateOutOfRangeError):
        order_a_service(cases, case_id, ordered_on=ordered_on, actor=actor)


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"kind": "sauna"}, id="unknown kind"),
        pytest.param({"provider": " "}, id="blank provider"),
        pytest.param({"provider": "x" * 201}, id="provider over 200"),
        pytest.param({"goal_ids": ["goal-1"]}, id="goal id not a uuid"),
        pytest.param({"ordered_on": "2020-09-01"}, id="date as string"),
    ],
)
def test_a_badly_shaped_order_is_a_shape_error(
    cases: FamilyCases, actor: Actor, case_id: UUID, overrides: dict[str, object]
) -> None:
    arguments: dict[str, object] = {
        "kind": ServiceKind.FAMILY_WORK,
        "provider": "Perhetyö Oy",
        "ordered_on": ORDERED_ON,
        "actor": actor,
    }
    arguments.update(overrides)

    with refused(cases, case_id, InvalidCommandError):
        cases.order_service(case_id, **arguments)  # type: ignore[arg-type]


def test_the_same_goal_twice_in_one_order_is_a_shape_error(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    goal_id = set_a_goal(cases, case_id, actor=actor)

    with refused(cases, case_id, InvalidCommandError):
        cases.order_service(
            case_id,
            kind=ServiceKind.FAMILY_WORK,
            provider="Oy",
            ordered_on=ORDERED_ON,
            goal_ids=[goal_id, goal_id],
            actor=actor,
        )


# --- start_service ----------------------------------------------------------------------


def test_starting_a_service_records_service_started(
    cases: FamilyCases, clock: FakeClock, actor: Actor, case_id: UUID
) -> None:
    service_id = order_a_service(cases, case_id, actor=actor)
    clock.advance()

    cases.start_service(case_id, service_id, started_on=ORDERED_ON, actor=actor)

    event = last_event(cases, case_id)
    assert isinstance(event, ServiceStarted)
    assert event.originator_version == 3
    assert event.service_id == service_id
    assert event.started_on == ORDERED_ON
    assert event.actor == actor
    assert event.timestamp == clock()
    assert _service_status(cases, case_id, actor) is ServiceStatus.ACTIVE


def test_starting_an_unknown_service_is_refused(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    with refused(cases, case_id, ServiceNotFoundError):
        _start(cases, case_id, uuid4(), actor)


def test_starting_a_service_of_another_case_is_refused(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    foreign = order_a_service(cases, open_sample_case(cases), actor=actor)

    with refused(cases, case_id, ServiceNotFoundError):
        _start(cases, case_id, foreign, actor)


def test_starting_a_service_before_it_was_ordered_is_refused(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    service_id = order_a_service(cases, case_id, actor=actor)

    with refused(cases, case_id, OutOfOrderError):
        _start(cases, case_id, service_id, actor, on=ORDERED_ON - timedelta(days=1))


def test_starting_a_service_in_the_future_is_refused(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    service_id = order_a_service(cases, case_id, actor=actor)

    with refused(cases, case_id, DateOutOfRangeError):
        _start(cases, case_id, service_id, actor, on=TOMORROW)


def test_starting_a_service_twice_is_refused(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    service_id = order_a_service(cases, case_id, actor=actor)
    _start(cases, case_id, service_id, actor)

    with refused(cases, case_id, ServiceLifecycleError):
        _start(cases, case_id, service_id, actor)


@pytest.mark.parametrize("started_first", [True, False], ids=["ended", "cancelled"])
def test_starting_a_finished_service_is_refused(
    cases: FamilyCases, actor: Actor, case_id: UUID, started_first: bool
) -> None:
    service_id = order_a_service(cases, case_id, actor=actor)
    if started_first:
        _start(cases, case_id, service_id, actor)
    _end(cases, case_id, service_id, actor)

    with refused(cases, case_id, ServiceLifecycleError):
        _start(cases, case_id, service_id, actor, on=date(2020, 12, 2))


# --- end_service ------------------------------------------------------------------------


def test_ending_a_started_service_records_service_ended(
    cases: FamilyCases, clock: FakeClock, actor: Actor, case_id: UUID
) -> None:
    service_id = order_a_service(cases, case_id, actor=actor)
    _start(cases, case_id, service_id, actor)
    clock.advance()

    cases.end_service(
        case_id,
        service_id,
        ended_on=date(2020, 12, 1),
        reason=" Tavoite saavutettu ",
        actor=actor,
    )

    event = last_event(cases, case_id)
    assert isinstance(event, ServiceEnded)
    assert event.originator_version == 4
    assert event.service_id == service_id
    assert event.ended_on == date(2020, 12, 1)
    assert event.reason == "Tavoite saavutettu"
    assert event.cancelled is False
    assert event.actor == actor
    assert event.timestamp == clock()
    [service] = cases.current_plan(case_id, actor=actor).services
    assert service.status is ServiceStatus.ENDED
    assert service.started_on == date(2020, 9, 7)
    assert service.ended_on == date(2020, 12, 1)


def test_ending_a_service_that_never_started_cancels_it(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    service_id = order_a_service(cases, case_id, actor=actor)

    _end(cases, case_id, service_id, actor, on=ORDERED_ON)

    event = last_event(cases, case_id)
    assert isinstance(event, ServiceEnded)
    assert event.cancelled is True
    [service] = cases.current_plan(case_id, actor=actor).services
    assert service.status is ServiceStatus.CANCELLED
    assert service.started_on is None
    assert service.ended_on == ORDERED_ON


def test_ending_an_unknown_service_is_refused(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    with refused(cases, case_id, ServiceNotFoundError):
        _end(cases, case_id, uuid4(), actor)


@pytest.mark.parametrize("started_first", [True, False], ids=["ended", "cancelled"])
def test_ending_a_service_twice_is_refused(
    cases: FamilyCases, actor: Actor, case_id: UUID, started_first: bool
) -> None:
    service_id = order_a_service(cases, case_id, actor=actor)
    if started_first:
        _start(cases, case_id, service_id, actor)
    _end(cases, case_id, service_id, actor)

    with refused(cases, case_id, ServiceLifecycleError):
        _end(cases, case_id, service_id, actor, on=date(2020, 12, 2))


def test_ending_a_service_before_it_started_is_refused(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    service_id = order_a_service(cases, case_id, actor=actor)
    _start(cases, case_id, service_id, actor, on=date(2020, 10, 1))

    with refused(cases, case_id, OutOfOrderError):
        _end(cases, case_id, service_id, actor, on=date(2020, 9, 30))

    _end(cases, case_id, service_id, actor, on=date(2020, 10, 1))
    assert _service_status(cases, case_id, actor) is ServiceStatus.ENDED


def test_cancelling_a_service_before_it_was_ordered_is_refused(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    service_id = order_a_service(cases, case_id, actor=actor)

    with refused(cases, case_id, OutOfOrderError):
        _end(cases, case_id, service_id, actor, on=ORDERED_ON - timedelta(days=1))


def test_ending_a_service_in_the_future_is_refused(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    service_id = order_a_service(cases, case_id, actor=actor)
    _start(cases, case_id, service_id, actor)

    with refused(cases, case_id, DateOutOfRangeError):
        _end(cases, case_id, service_id, actor, on=TOMORROW)


@pytest.mark.parametrize("reason", ["", "  ", "x" * 2001])
def test_an_empty_or_over_long_ending_reason_is_a_shape_error(
    cases: FamilyCases, actor: Actor, case_id: UUID, reason: str
) -> None:
    service_id = order_a_service(cases, case_id, actor=actor)

    with refused(cases, case_id, InvalidCommandError):
        cases.end_service(
            case_id, service_id, ended_on=date(2020, 12, 1), reason=reason, actor=actor
        )


def test_a_datetime_as_start_date_is_a_shape_error(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    service_id = order_a_service(cases, case_id, actor=actor)

    with refused(cases, case_id, InvalidCommandError):
        cases.start_service(
            case_id, service_id, started_on=datetime(2020, 9, 7, tzinfo=UTC), actor=actor
        )

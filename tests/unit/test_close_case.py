"""Closing a case (asiakkuus päättyi), and a closed case refusing every further command."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from uuid import UUID, uuid4

import pytest

from perhetyo import (
    Actor,
    CaseClosed,
    CaseClosedError,
    CaseStatus,
    ClosureIncompleteError,
    ClosureReason,
    DateOutOfRangeError,
    FamilyCases,
    GoalStatus,
    InvalidCommandError,
    MeetingKind,
    OutOfOrderError,
    ServiceKind,
    Successor,
    SuccessorKind,
    UnknownChildError,
)
from perhetyo.testing import FakeClock, a_child, a_worker, open_sample_case

from .helpers import (
    OPENED_ON,
    TODAY,
    TOMORROW,
    close,
    history,
    last_event,
    order_a_service,
    refused,
    set_a_goal,
)


def test_closing_a_case_records_case_closed(
    cases: FamilyCases, clock: FakeClock, actor: Actor, case_id: UUID
) -> None:
    successor_case = uuid4()
    clock.advance()

    cases.close_case(
        case_id,
        closed_on=date(2020, 12, 15),
        reason=ClosureReason.TRANSFERRED,
        child_views={"child-1": " Ihan hyvä "},
        successor=Successor(kind=SuccessorKind.CHILD_WELFARE, case_id=successor_case),
        actor=actor,
    )

    events = history(cases, case_id)
    assert len(events) == 2
    event = events[-1]
    assert isinstance(event, CaseClosed)
    assert event.originator_version == 2
    assert event.closed_on == date(2020, 12, 15)
    assert event.reason is ClosureReason.TRANSFERRED
    assert event.child_views == {"child-1": "Ihan hyvä"}
    assert event.not_heard_reasons == {}
    assert event.successor == Successor(kind=SuccessorKind.CHILD_WELFARE, case_id=successor_case)
    assert event.actor == actor
    assert event.timestamp == clock()
    plan = cases.current_plan(case_id, actor=actor)
    assert plan.status is CaseStatus.CLOSED
    assert plan.closed_on == date(2020, 12, 15)
    assert plan.closure_reason is ClosureReason.TRANSFERRED


def test_a_child_not_heard_at_closing_needs_only_a_reason(cases: FamilyCases, actor: Actor) -> None:
    case_id = open_sample_case(cases, children=(a_child("child-1"), a_child("child-2")))

    cases.close_case(
        case_id,
        closed_on=TODAY,
        reason=ClosureReason.MOVED_AWAY,
        child_views={"child-1": "Ok"},
        not_heard_reasons={"child-2": "Vauva"},
        actor=actor,
    )

    event = last_event(cases, case_id)
    assert isinstance(event, CaseClosed)
    assert event.child_views == {"child-1": "Ok"}
    assert event.not_heard_reasons == {"child-2": "Vauva"}
    assert event.successor is None


def test_closing_without_a_childs_view_or_reason_is_refused(
    cases: FamilyCases, actor: Actor
) -> None:
    case_id = open_sample_case(cases, children=(a_child("child-1"), a_child("child-2")))

    with refused(cases, case_id, ClosureIncompleteError) as info:
        cases.close_case(
            case_id,
            closed_on=TODAY,
            reason=ClosureReason.OTHER,
            child_views={"child-1": "Ok"},
            actor=actor,
        )

    assert "child-2" in str(info.value)


def test_a_view_recorded_before_the_closing_does_not_count_for_it(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    cases.record_child_view(
        case_id, child_id="child-1", view="Haluan lopettaa", recorded_on=TODAY, actor=actor
    )

    with refused(cases, case_id, ClosureIncompleteError):
        cases.close_case(case_id, closed_on=TODAY, reason=ClosureReason.OTHER, actor=actor)


def test_closing_with_a_view_of_a_child_not_in_the_case_is_refused(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    with refused(cases, case_id, UnknownChildError):
        cases.close_case(
            case_id,
            closed_on=TODAY,
            reason=ClosureReason.OTHER,
            child_views={"child-1": "Ok"},
            not_heard_reasons={"child-9": "Ei tavoitettu"},
            actor=actor,
        )


def test_a_child_with_both_a_view_and_a_reason_at_closing_is_a_shape_error(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    with refused(cases, case_id, InvalidCommandError):
        cases.close_case(
            case_id,
            closed_on=TODAY,
            reason=ClosureReason.OTHER,
            child_views={"child-1": "Ok"},
            not_heard_reasons={"child-1": "Nukkui"},
            actor=actor,
        )


@pytest.mark.parametrize("started", [False, True], ids=["ordered", "active"])
def test_closing_with_a_service_still_ordered_or_active_is_refused(
    cases: FamilyCases, actor: Actor, case_id: UUID, started: bool
) -> None:
    service_id = order_a_service(cases, case_id, actor=actor)
    if started:
        cases.start_service(case_id, service_id, started_on=date(2020, 9, 2), actor=actor)

    with refused(cases, case_id, ClosureIncompleteError) as info:
        close(cases, case_id, actor=actor)

    assert str(service_id) in str(info.value)


@pytest.mark.parametrize("started", [False, True], ids=["cancelled", "ended"])
def test_closing_after_every_service_ended_or_was_cancelled_is_allowed(
    cases: FamilyCases, actor: Actor, case_id: UUID, started: bool
) -> None:
    service_id = order_a_service(cases, case_id, actor=actor)
    if started:
        cases.start_service(case_id, service_id, started_on=date(2020, 9, 2), actor=actor)
    cases.end_service(case_id, service_id, ended_on=date(2020, 10, 1), reason="Ok", actor=actor)

    close(cases, case_id, actor=actor)

    assert isinstance(last_event(cases, case_id), CaseClosed)


def test_closing_before_the_latest_business_date_in_the_case_is_refused(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    cases.record_meeting(
        case_id,
        kind=MeetingKind.CLOSING,
        held_on=date(2020, 12, 10),
        summary="Loppu",
        actor=actor,
    )

    with refused(cases, case_id, OutOfOrderError):
        close(cases, case_id, closed_on=date(2020, 12, 9), actor=actor)

    close(cases, case_id, closed_on=date(2020, 12, 10), actor=actor)
    assert isinstance(last_event(cases, case_id), CaseClosed)


def test_closing_before_an_earlier_recorded_event_with_a_later_date_is_refused(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    """The latest business date counts, not the date of the event recorded last."""
    goal_id = set_a_goal(cases, case_id, set_on=date(2020, 9, 1), actor=actor)
    cases.update_goal(
        case_id, goal_id, status=GoalStatus.DROPPED, updated_on=date(2020, 12, 1), actor=actor
    )
    cases.record_meeting(
        case_id, kind=MeetingKind.REVIEW, held_on=date(2020, 10, 1), summary="Ok", actor=actor
    )

    with refused(cases, case_id, OutOfOrderError):
        close(cases, case_id, closed_on=date(2020, 11, 1), actor=actor)


@pytest.mark.parametrize(
    ("closed_on", "error"),
    [(OPENED_ON - timedelta(days=1), DateOutOfRangeError), (TOMORROW, DateOutOfRangeError)],
)
def test_closing_outside_the_case_dates_is_refused(
    cases: FamilyCases, actor: Actor, case_id: UUID, closed_on: date, error: type[Exception]
) -> None:
    with refused(cases, case_id, error):
        close(cases, case_id, closed_on=closed_on, actor=actor)


def test_a_case_may_close_on_its_opening_day(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    close(cases, case_id, closed_on=OPENED_ON, actor=actor)

    assert last_event(cases, case_id).occurred_on == OPENED_ON


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"reason": "bored"}, id="unknown reason"),
        pytest.param({"child_views": {"child-1": "  "}}, id="blank view"),
        pytest.param({"child_views": {"child-1": "x" * 8001}}, id="view over 8000"),
        pytest.param(
            {"child_views": {}, "not_heard_reasons": {"child-1": "x" * 2001}},
            id="reason over 2000",
        ),
        pytest.param({"successor": {"kind": "prison"}}, id="unknown successor kind"),
        pytest.param({"successor": {"kind": "other", "case_id": "x"}}, id="successor id"),
        pytest.param({"closed_on": "2020-12-31"}, id="date as string"),
    ],
)
def test_a_badly_shaped_closing_is_a_shape_error(
    cases: FamilyCases, actor: Actor, case_id: UUID, overrides: dict[str, object]
) -> None:
    arguments: dict[str, object] = {
        "closed_on": TODAY,
        "reason": ClosureReason.OTHER,
        "child_views": {"child-1": "Ok"},
        "actor": actor,
    }
    arguments.update(overrides)

    with refused(cases, case_id, InvalidCommandError):
        cases.close_case(case_id, **arguments)  # type: ignore[arg-type]


# --- a closed case ----------------------------------------------------------------------

_Command = Callable[[FamilyCases, UUID, Actor], object]

# Each command is otherwise wrong too (a future date, an unknown id): being closed wins.
_ON_A_CLOSED_CASE: dict[str, _Command] = {
    "assign_named_worker": lambda cases, case_id, actor: cases.assign_named_worker(
        case_id, worker=a_worker(), assigned_on=TOMORROW, reason="Vaihto", actor=actor
    ),
    "record_meeting": lambda cases, case_id, actor: cases.record_meeting(
        case_id, kind=MeetingKind.NETWORK, held_on=TOMORROW, summary="Ok", actor=actor
    ),
    "record_child_view": lambda cases, case_id, actor: cases.record_child_view(
        case_id, child_id="child-9", view="Ok", recorded_on=TOMORROW, actor=actor
    ),
    "agree_plan": lambda cases, case_id, actor: cases.agree_plan(
        case_id, agreed_on=OPENED_ON - timedelta(days=1), agreements=["Ok"], actor=actor
    ),
    "set_goal": lambda cases, case_id, actor: cases.set_goal(
        case_id, description="Ok", set_on=TOMORROW, actor=actor
    ),
    "update_goal": lambda cases, case_id, actor: cases.update_goal(
        case_id, uuid4(), status=GoalStatus.ACHIEVED, updated_on=TOMORROW, actor=actor
    ),
    "order_service": lambda cases, case_id, actor: cases.order_service(
        case_id,
        kind=ServiceKind.OTHER,
        provider="Oy",
        ordered_on=TOMORROW,
        goal_ids=[uuid4()],
        actor=actor,
    ),
    "start_service": lambda cases, case_id, actor: cases.start_service(
        case_id, uuid4(), started_on=TOMORROW, actor=actor
    ),
    "end_service": lambda cases, case_id, actor: cases.end_service(
        case_id, uuid4(), ended_on=TOMORROW, reason="Ok", actor=actor
    ),
    "close_case": lambda cases, case_id, actor: cases.close_case(
        case_id, closed_on=OPENED_ON, reason=ClosureReason.OTHER, actor=actor
    ),
}


@pytest.mark.parametrize("command", list(_ON_A_CLOSED_CASE))
def test_a_closed_case_refuses_every_command_before_any_other_rule(
    cases: FamilyCases, actor: Actor, case_id: UUID, command: str
) -> None:
    close(cases, case_id, actor=actor)

    with refused(cases, case_id, CaseClosedError):
        _ON_A_CLOSED_CASE[command](cases, case_id, actor)


def test_closing_a_closed_case_is_refused(cases: FamilyCases, actor: Actor, case_id: UUID) -> None:
    close(cases, case_id, actor=actor)

    with refused(cases, case_id, CaseClosedError):
        close(cases, case_id, actor=actor)


def test_a_bad_shape_on_a_closed_case_is_a_shape_error_not_a_closed_case(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    close(cases, case_id, actor=actor)

    with refused(cases, case_id, InvalidCommandError):
        cases.set_goal(case_id, description="   ", set_on=TODAY, actor=actor)

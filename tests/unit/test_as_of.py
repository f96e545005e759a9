"""Reads at another time: ``as_of`` a business date, ``recorded_before`` an instant."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import pytest

from perhetyo import (
    Actor,
    CaseNotFoundError,
    CaseStatus,
    FamilyCases,
    GoalStatus,
    InvalidCommandError,
    MeetingKind,
    ServiceStatus,
)
from perhetyo.testing import FakeClock
from perhetyo.time import HELSINKI

from .helpers import OPENED_ON, close, history, order_a_service, set_a_goal

READS = ["current_plan", "goal_progress", "audit_trail"]


def _meet(cases: FamilyCases, case_id: UUID, actor: Actor, held_on: date) -> UUID:
    return cases.record_meeting(
        case_id, kind=MeetingKind.NETWORK, held_on=held_on, summary="Ok", actor=actor
    )


# --- as_of ------------------------------------------------------------------------------


def test_as_of_folds_only_what_had_happened_by_that_date(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    goal_id = set_a_goal(cases, case_id, set_on=date(2020, 9, 1), actor=actor)
    cases.update_goal(
        case_id,
        goal_id,
        status=GoalStatus.IN_PROGRESS,
        progress=50,
        updated_on=date(2020, 10, 1),
        actor=actor,
    )
    service_id = order_a_service(cases, case_id, ordered_on=date(2020, 9, 1), actor=actor)
    cases.start_service(case_id, service_id, started_on=date(2020, 10, 1), actor=actor)
    cases.end_service(case_id, service_id, ended_on=date(2020, 11, 1), reason="Ok", actor=actor)
    close(cases, case_id, closed_on=date(2020, 12, 1), actor=actor)

    plan = cases.current_plan(case_id, actor=actor, as_of=date(2020, 9, 30))

    assert plan.status is CaseStatus.OPEN
    assert plan.closed_on is None
    assert plan.version == 4  # the last event folded: the order, recorded after the update
    [goal] = plan.goals
    assert (goal.status, goal.progress) == (GoalStatus.NOT_STARTED, 0)
    [service] = plan.services
    assert service.status is ServiceStatus.ORDERED
    later = cases.current_plan(case_id, actor=actor, as_of=date(2020, 10, 1))
    assert later.services[0].status is ServiceStatus.ACTIVE
    assert later.goals[0].progress == 50
    assert cases.current_plan(case_id, actor=actor, as_of=date(2020, 12, 1)).status is (
        CaseStatus.CLOSED
    )


def test_as_of_keeps_the_recorded_order_and_never_reorders_by_date(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    late = _meet(cases, case_id, actor, date(2020, 10, 1))
    early = _meet(cases, case_id, actor, date(2020, 9, 1))  # recorded after, happened before

    between = cases.current_plan(case_id, actor=actor, as_of=date(2020, 9, 15))
    both = cases.current_plan(case_id, actor=actor, as_of=date(2020, 10, 1))

    assert [meeting.meeting_id for meeting in between.meetings] == [early]
    assert [meeting.meeting_id for meeting in both.meetings] == [late, early]
    assert both.last_meeting is not None
    assert both.last_meeting.meeting_id == late  # the latest held, whatever the record order
    trail = cases.audit_trail(case_id, actor=actor, as_of=date(2020, 9, 15))
    assert [entry.version for entry in trail] == [1, 3]


def test_as_of_the_opening_day_finds_the_case(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    _meet(cases, case_id, actor, OPENED_ON + timedelta(days=1))

    plan = cases.current_plan(case_id, actor=actor, as_of=OPENED_ON)

    assert plan.version == 1
    assert plan.meetings == ()


@pytest.mark.parametrize("read", READS)
def test_as_of_before_the_opening_day_finds_no_case(
    cases: FamilyCases, actor: Actor, case_id: UUID, read: str
) -> None:
    with pytest.raises(CaseNotFoundError):
        getattr(cases, read)(case_id, actor=actor, as_of=OPENED_ON - timedelta(days=1))


def test_goal_progress_as_of_a_date_leaves_out_later_updates(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    goal_id = set_a_goal(cases, case_id, set_on=date(2020, 9, 1), actor=actor)
    for month, progress in ((10, 30), (11, 60)):
        cases.update_goal(
            case_id,
            goal_id,
            status=GoalStatus.IN_PROGRESS,
            progress=progress,
            updated_on=date(2020, month, 1),
            actor=actor,
        )

    [goal] = cases.goal_progress(case_id, actor=actor, as_of=date(2020, 10, 31))

    assert goal.progress == 30
    assert [update.progress for update in goal.updates] == [30]
    assert cases.goal_progress(case_id, actor=actor, as_of=date(2020, 8, 31)) == []


@pytest.mark.parametrize(
    "as_of", ["2020-09-01", datetime(2020, 9, 1, tzinfo=UTC)], ids=["string", "datetime"]
)
def test_as_of_must_be_a_date(
    cases: FamilyCases, actor: Actor, case_id: UUID, as_of: object
) -> None:
    with pytest.raises(InvalidCommandError):
        cases.current_plan(case_id, actor=actor, as_of=as_of)  # type: ignore[arg-type]


# --- recorded_before --------------------------------------------------------------------


def test_recorded_before_folds_the_prefix_recorded_before_that_instant(
    cases: FamilyCases, clock: FakeClock, actor: Actor, case_id: UUID
) -> None:
    opened_at = clock()
    goal_at = clock.advance(timedelta(minutes=5))
    goal_id = set_a_goal(cases, case_id, actor=actor)
    update_at = clock.advance(timedelta(minutes=5))
    cases.update_goal(
        case_id,
        goal_id,
        status=GoalStatus.ACHIEVED,
        progress=100,
        updated_on=date(2020, 9, 1),
        actor=actor,
    )

    assert [event.timestamp for event in history(cases, case_id)] == [
        opened_at,
        goal_at,
        update_at,
    ]
    assert cases.current_plan(case_id, actor=actor, recorded_before=goal_at).goals == ()
    just_after = goal_at + timedelta(microseconds=1)
    [goal] = cases.current_plan(case_id, actor=actor, recorded_before=just_after).goals
    assert goal.status is GoalStatus.NOT_STARTED
    [goal] = cases.current_plan(case_id, actor=actor, recorded_before=clock.advance()).goals
    assert goal.status is GoalStatus.ACHIEVED
    trail = cases.audit_trail(case_id, actor=actor, recorded_before=update_at)
    assert [entry.version for entry in trail] == [1, 2]
    [progress] = cases.goal_progress(case_id, actor=actor, recorded_before=update_at)
    assert progress.updates == ()


def test_recorded_before_accepts_any_timezone(
    cases: FamilyCases, clock: FakeClock, actor: Actor, case_id: UUID
) -> None:
    clock.advance(timedelta(hours=1))
    set_a_goal(cases, case_id, actor=actor)
    instant = (clock() - timedelta(minutes=1)).astimezone(HELSINKI)

    plan = cases.current_plan(case_id, actor=actor, recorded_before=instant)

    assert plan.version == 1


@pytest.mark.parametrize("read", READS)
def test_recorded_before_the_first_event_finds_no_case(
    cases: FamilyCases, clock: FakeClock, actor: Actor, case_id: UUID, read: str
) -> None:
    with pytest.raises(CaseNotFoundError):
        getattr(cases, read)(case_id, actor=actor, recorded_before=clock())


def test_recorded_before_must_be_timezone_aware(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    naive = datetime(2021, 1, 1, 0, 0)  # noqa: DTZ001 (the refused input under test)

    with pytest.raises(InvalidCommandError):
        cases.current_plan(case_id, actor=actor, recorded_before=naive)


def test_recorded_before_and_as_of_combine(
    cases: FamilyCases, clock: FakeClock, actor: Actor, case_id: UUID
) -> None:
    clock.advance()
    _meet(cases, case_id, actor, date(2020, 9, 1))
    cut = clock.advance()
    _meet(cases, case_id, actor, date(2020, 8, 20))

    plan = cases.current_plan(case_id, actor=actor, recorded_before=cut, as_of=date(2020, 8, 31))

    assert plan.meetings == ()
    assert plan.version == 1


def test_recorded_before_stops_at_the_first_later_record_even_if_the_clock_went_back(
    cases: FamilyCases, clock: FakeClock, actor: Actor, case_id: UUID
) -> None:
    start = clock()
    clock.advance(timedelta(minutes=10))
    _meet(cases, case_id, actor, date(2020, 9, 1))
    clock.set(start + timedelta(minutes=5))  # the host's clock was corrected backwards
    _meet(cases, case_id, actor, date(2020, 9, 2))

    plan = cases.current_plan(case_id, actor=actor, recorded_before=start + timedelta(minutes=6))

    assert plan.version == 1
    assert plan.meetings == ()

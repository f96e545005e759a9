"""Goals (tavoitteet): given a case -> when set_goal or update_goal -> then events or errors."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID, uuid4

import pytest

from perhetyo import (
    Actor,
    DateOutOfRangeError,
    FamilyCases,
    GoalAlreadyFinalError,
    GoalNotFoundError,
    GoalSet,
    GoalStatus,
    GoalUpdated,
    InvalidCommandError,
    OutOfOrderError,
    UnknownChildError,
)
from perhetyo.testing import FakeClock, open_sample_case

from .helpers import OPENED_ON, TODAY, TOMORROW, history, last_event, refused, set_a_goal


def _update(
    cases: FamilyCases,
    case_id: UUID,
    goal_id: UUID,
    actor: Actor,
    *,
    status: GoalStatus = GoalStatus.IN_PROGRESS,
    updated_on: date = date(2020, 10, 1),
    progress: int | None = 40,
) -> None:
    cases.update_goal(
        case_id, goal_id, status=status, progress=progress, updated_on=updated_on, actor=actor
    )


# --- set_goal ---------------------------------------------------------------------------


def test_setting_a_goal_records_goal_set_and_returns_its_id(
    cases: FamilyCases, clock: FakeClock, actor: Actor, case_id: UUID
) -> None:
    clock.advance()

    goal_id = cases.set_goal(
        case_id,
        description="  Lapsi käy koulua säännöllisesti ",
        set_on=date(2020, 9, 1),
        target_date=date(2021, 6, 1),
        child_id="child-1",
        actor=actor,
    )

    assert isinstance(goal_id, UUID)
    events = history(cases, case_id)
    assert len(events) == 2
    event = events[-1]
    assert isinstance(event, GoalSet)
    assert event.originator_version == 2
    assert event.goal_id == goal_id
    assert event.description == "Lapsi käy koulua säännöllisesti"
    assert event.child_id == "child-1"
    assert event.set_on == date(2020, 9, 1)
    assert event.target_date == date(2021, 6, 1)
    assert event.actor == actor
    assert event.timestamp == clock()


def test_a_family_goal_has_no_child_and_no_target_date_by_default(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    set_a_goal(cases, case_id, actor=actor)

    event = last_event(cases, case_id)
    assert isinstance(event, GoalSet)
    assert event.child_id is None
    assert event.target_date is None


def test_each_goal_gets_its_own_id(cases: FamilyCases, actor: Actor, case_id: UUID) -> None:
    assert set_a_goal(cases, case_id, actor=actor) != set_a_goal(cases, case_id, actor=actor)


@pytest.mark.parametrize("set_on", [OPENED_ON - timedelta(days=1), TOMORROW])
def test_a_goal_set_outside_the_case_dates_is_refused(
    cases: FamilyCases, actor: Actor, case_id: UUID, set_on: date
) -> None:
    with refused(cases, case_id, DateOutOfRangeError):
        set_a_goal(cases, case_id, set_on=set_on, actor=actor)


def test_a_target_date_before_the_goal_was_set_is_refused(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    with refused(cases, case_id, DateOutOfRangeError):
        cases.set_goal(
            case_id,
            description="Tavoite",
            set_on=date(2020, 9, 1),
            target_date=date(2020, 8, 31),
            actor=actor,
        )


@pytest.mark.parametrize("target_date", [date(2020, 9, 1), TOMORROW, date(2030, 1, 1)])
def test_a_target_date_on_or_after_the_setting_day_may_be_in_the_future(
    cases: FamilyCases, actor: Actor, case_id: UUID, target_date: date
) -> None:
    cases.set_goal(
        case_id,
        description="Tavoite",
        set_on=date(2020, 9, 1),
        target_date=target_date,
        actor=actor,
    )

    event = last_event(cases, case_id)
    assert isinstance(event, GoalSet)
    assert event.target_date == target_date


def test_a_goal_for_a_child_not_in_the_case_is_refused(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    with refused(cases, case_id, UnknownChildError):
        cases.set_goal(
            case_id, description="Tavoite", set_on=TODAY, child_id="child-9", actor=actor
        )


# --- update_goal ------------------------------------------------------------------------


def test_updating_a_goal_records_goal_updated(
    cases: FamilyCases, clock: FakeClock, actor: Actor, case_id: UUID
) -> None:
    goal_id = set_a_goal(cases, case_id, actor=actor)
    clock.advance()

    cases.update_goal(
        case_id,
        goal_id,
        status=GoalStatus.IN_PROGRESS,
        progress=40,
        note=" Hyvä alku ",
        updated_on=date(2020, 10, 1),
        actor=actor,
    )

    events = history(cases, case_id)
    assert len(events) == 3
    event = events[-1]
    assert isinstance(event, GoalUpdated)
    assert event.originator_version == 3
    assert event.goal_id == goal_id
    assert event.status is GoalStatus.IN_PROGRESS
    assert event.progress == 40
    assert event.note == "Hyvä alku"
    assert event.updated_on == date(2020, 10, 1)
    assert event.actor == actor
    assert event.timestamp == clock()


def test_an_update_without_progress_keeps_the_previous_progress(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    goal_id = set_a_goal(cases, case_id, actor=actor)
    _update(cases, case_id, goal_id, actor, progress=None)
    first = last_event(cases, case_id)
    _update(cases, case_id, goal_id, actor, progress=70)
    _update(cases, case_id, goal_id, actor, progress=None)

    assert isinstance(first, GoalUpdated)
    assert first.progress == 0
    last = last_event(cases, case_id)
    assert isinstance(last, GoalUpdated)
    assert last.progress == 70
    assert last.note is None


@pytest.mark.parametrize("progress", [0, 100])
def test_progress_at_the_limits_is_accepted(
    cases: FamilyCases, actor: Actor, case_id: UUID, progress: int
) -> None:
    goal_id = set_a_goal(cases, case_id, actor=actor)

    _update(cases, case_id, goal_id, actor, progress=progress)

    event = last_event(cases, case_id)
    assert isinstance(event, GoalUpdated)
    assert event.progress == progress


def test_updating_an_unknown_goal_is_refused(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    with refused(cases, case_id, GoalNotFoundError):
        _update(cases, case_id, uuid4(), actor)


def test_updating_a_goal_of_another_case_is_refused(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    other_goal = set_a_goal(cases, open_sample_case(cases), actor=actor)

    with refused(cases, case_id, GoalNotFoundError):
        _update(cases, case_id, other_goal, actor)


def test_an_update_dated_before_the_goal_was_set_is_refused(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    goal_id = set_a_goal(cases, case_id, set_on=date(2020, 9, 1), actor=actor)

    with refused(cases, case_id, OutOfOrderError):
        _update(cases, case_id, goal_id, actor, updated_on=date(2020, 8, 31))


def test_an_update_dated_before_the_previous_update_is_refused(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    goal_id = set_a_goal(cases, case_id, actor=actor)
    _update(cases, case_id, goal_id, actor, updated_on=date(2020, 10, 15))

    with refused(cases, case_id, OutOfOrderError):
        _update(cases, case_id, goal_id, actor, updated_on=date(2020, 10, 14))

    _update(cases, case_id, goal_id, actor, updated_on=date(2020, 10, 15))
    assert len(history(cases, case_id)) == 4


@pytest.mark.parametrize("updated_on", [OPENED_ON - timedelta(days=1), TOMORROW])
def test_an_update_dated_outside_the_case_is_refused(
    cases: FamilyCases, actor: Actor, case_id: UUID, updated_on: date
) -> None:
    goal_id = set_a_goal(cases, case_id, actor=actor)

    with refused(cases, case_id, DateOutOfRangeError):
        _update(cases, case_id, goal_id, actor, updated_on=updated_on)


@pytest.mark.parametrize(
    "final", [GoalStatus.ACHIEVED, GoalStatus.NOT_ACHIEVED, GoalStatus.DROPPED]
)
def test_a_goal_in_a_final_status_takes_no_further_updates(
    cases: FamilyCases, actor: Actor, case_id: UUID, final: GoalStatus
) -> None:
    goal_id = set_a_goal(cases, case_id, actor=actor)
    _update(cases, case_id, goal_id, actor, status=final)

    with refused(cases, case_id, GoalAlreadyFinalError):
        _update(cases, case_id, goal_id, actor, status=GoalStatus.IN_PROGRESS)


@pytest.mark.parametrize("status", [GoalStatus.NOT_STARTED, GoalStatus.IN_PROGRESS])
def test_a_goal_in_an_open_status_takes_further_updates(
    cases: FamilyCases, actor: Actor, case_id: UUID, status: GoalStatus
) -> None:
    goal_id = set_a_goal(cases, case_id, actor=actor)
    _update(cases, case_id, goal_id, actor, status=status)

    _update(cases, case_id, goal_id, actor, status=GoalStatus.ACHIEVED, progress=100)

    event = last_event(cases, case_id)
    assert isinstance(event, GoalUpdated)
    assert event.status is GoalStatus.ACHIEVED


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"progress": -1}, id="progress below 0"),
        pytest.param({"progress": 101}, id="progress above 100"),
        pytest.param({"progress": True}, id="progress a bool"),
        pytest.param({"progress": 40.0}, id="progress a float"),
        pytest.param({"progress": "40"}, id="progress a string"),
        pytest.param({"status": "finished"}, id="unknown status"),
        pytest.param({"note": "  "}, id="blank note"),
        pytest.param({"note": "x" * 2001}, id="note over 2000"),
        pytest.param({"goal_id": "goal-1"}, id="goal id not a uuid"),
    ],
)
def test_a_badly_shaped_update_is_a_shape_error(
    cases: FamilyCases, actor: Actor, case_id: UUID, overrides: dict[str, object]
) -> None:
    goal_id = set_a_goal(cases, case_id, actor=actor)
    arguments: dict[str, object] = {
        "goal_id": goal_id,
        "status": GoalStatus.IN_PROGRESS,
        "progress": 40,
        "updated_on": date(2020, 10, 1),
        "actor": actor,
    }
    arguments.update(overrides)

    with refused(cases, case_id, InvalidCommandError):
        cases.update_goal(case_id, **arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"description": ""}, id="empty description"),
        pytest.param({"description": "x" * 2001}, id="description over 2000"),
        pytest.param({"target_date": "2021-06-01"}, id="target date as string"),
        pytest.param({"child_id": "131052-308T"}, id="child id is a hetu"),
    ],
)
def test_a_badly_shaped_goal_is_a_shape_error(
    cases: FamilyCases, actor: Actor, case_id: UUID, overrides: dict[str, object]
) -> None:
    arguments: dict[str, object] = {"description": "Tavoite", "set_on": TODAY, "actor": actor}
    arguments.update(overrides)

    with refused(cases, case_id, InvalidCommandError):
        cases.set_goal(case_id, **arguments)  # type: ignore[arg-type]

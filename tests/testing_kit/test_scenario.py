"""``scenario()``: given commands, when the test acts, then events or an error."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from perhetyo import (
    CaseClosedError,
    ClosureIncompleteError,
    ClosureReason,
    FamilyCases,
    GoalNotFoundError,
    GoalStatus,
    LegalBasis,
    ServiceKind,
)
from perhetyo import commands as c
from perhetyo.events import GoalSet, GoalUpdated, ServiceOrdered
from perhetyo.testing import THE_CASE, a_child, a_worker, an_actor, created, scenario

ME = an_actor()
OPENING = c.OpenCase(
    children=[a_child()],
    legal_basis=LegalBasis.SOCIAL_WELFARE_ACT,
    named_worker=a_worker(),
    opened_on=date(2020, 8, 12),
    actor=ME,
)
GOAL = c.SetGoal(case_id=THE_CASE, description="Arki sujuu", set_on=date(2020, 9, 1), actor=ME)


def set_goal(cases: FamilyCases, case_id: UUID) -> None:
    cases.set_goal(case_id, description="Koulu sujuu", set_on=date(2020, 9, 2), actor=ME)


def test_then_events_passes_when_when_records_the_expected_events() -> None:
    events = (
        scenario()
        .given(OPENING)
        .when(set_goal)
        .then_events([(GoalSet, {"description": "Koulu sujuu", "set_on": date(2020, 9, 2)})])
    )
    assert [type(event) for event in events] == [GoalSet]


def test_givens_refer_to_what_earlier_givens_created_by_placeholder() -> None:
    order = c.OrderService(
        case_id=THE_CASE,
        kind=ServiceKind.FAMILY_WORK,
        provider="Perhetyö Oy",
        ordered_on=date(2020, 9, 3),
        goal_ids=[created(1)],
        actor=ME,
    )

    def update(cases: FamilyCases, case_id: UUID, ids: list[UUID]) -> None:
        goal_id, _service_id = ids
        cases.update_goal(
            case_id, goal_id, status=GoalStatus.IN_PROGRESS, progress=40,
            updated_on=date(2020, 9, 4), actor=ME,
        )

    events = (
        scenario()
        .given(OPENING, GOAL, order)
        .when_with_ids(update)
        .then_events([(GoalUpdated, {"progress": 40, "status": GoalStatus.IN_PROGRESS})])
    )
    assert isinstance(events[0], GoalUpdated)


def test_a_field_that_differs_fails_naming_the_event_and_the_field() -> None:
    run = scenario().given(OPENING).when(set_goal)
    with pytest.raises(AssertionError, match=r"event 1 \(GoalSet\): description is"):
        run.then_events([(GoalSet, {"description": "Toinen tavoite"})])


def test_other_events_fail_naming_what_was_expected_and_what_was_recorded() -> None:
    run = scenario().given(OPENING).when(set_goal)
    with pytest.raises(AssertionError, match=r"\[ServiceOrdered\].*recorded 1: \[GoalSet\]"):
        run.then_events([ServiceOrdered])
    with pytest.raises(AssertionError, match="expected 2 event"):
        run.then_events([GoalSet, GoalSet])


def test_an_error_in_when_fails_then_events_naming_the_error() -> None:
    def update_unknown(cases: FamilyCases, case_id: UUID) -> None:
        cases.update_goal(
            case_id, created(1), status=GoalStatus.DROPPED, updated_on=date(2020, 9, 4), actor=ME
        )

    run = scenario().given(OPENING).when(update_unknown)
    with pytest.raises(AssertionError, match="`when` raised GoalNotFoundError") as info:
        run.then_events([GoalUpdated])
    assert isinstance(info.value.__cause__, GoalNotFoundError)
    assert isinstance(run.then_raises(GoalNotFoundError), GoalNotFoundError)


def close(cases: FamilyCases, case_id: UUID) -> None:
    cases.close_case(
        case_id, closed_on=date(2020, 12, 1), reason=ClosureReason.NO_LONGER_NEEDED, actor=ME
    )


def test_then_raises_passes_on_the_error_and_fails_on_another_or_none() -> None:
    unheard = scenario().given(OPENING).when(close)
    error = unheard.then_raises(ClosureIncompleteError)
    assert error.code
    with pytest.raises(AssertionError, match="raised ClosureIncompleteError, expected Case"):
        unheard.then_raises(CaseClosedError)
    with pytest.raises(AssertionError, match="raised nothing, expected GoalNotFoundError"):
        scenario().given(OPENING).when(set_goal).then_raises(GoalNotFoundError)


def test_then_raises_fails_when_the_error_came_after_something_was_recorded() -> None:
    def record_then_fail(cases: FamilyCases, case_id: UUID) -> None:
        set_goal(cases, case_id)
        raise CaseClosedError(case_id)

    run = scenario().given(OPENING).when(record_then_fail)
    with pytest.raises(AssertionError, match=r"but recorded 1 event\(s\): \[GoalSet\]"):
        run.then_raises(CaseClosedError)


def test_a_refused_given_says_which_given_it_was() -> None:
    late = GOAL.model_copy(update={"set_on": date(2020, 1, 1)})  # before the opening
    with pytest.raises(AssertionError, match=r"given #2 \(SetGoal\) was refused"):
        scenario().given(OPENING, late).when(set_goal).then_events([GoalSet])


def test_a_scenario_is_built_in_order_from_an_opening() -> None:
    with pytest.raises(TypeError, match="first given opens the case"):
        scenario().given(GOAL)
    with pytest.raises(TypeError, match="only the first given"):
        scenario().given(OPENING, OPENING)
    with pytest.raises(TypeError, match="a given is a command model"):
        scenario().given(OPENING, "set a goal")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="needs `when`"):
        scenario().given(OPENING).then_events([])
    with pytest.raises(TypeError, match="no field 'progres'"):
        scenario().given(OPENING).when(set_goal).then_events([(GoalSet, {"progres": 1})])


def test_a_scenario_is_immutable_and_runs_on_a_fresh_store_each_time() -> None:
    base = scenario().given(OPENING)
    with_goal = base.given(GOAL)
    assert base.givens == (OPENING,)
    assert with_goal.givens == (OPENING, GOAL)
    run = base.when(set_goal)
    assert len(run.then_events([GoalSet])) == len(run.then_events([GoalSet])) == 1

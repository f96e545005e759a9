"""A store written by release 0.1 (julkaisun 0.1 tallenne): it loads, replays and rebuilds.

``tests/fixtures/release-0.1.db`` was recorded by release 0.1 (commit a66ac0c): a case
opened with a request id (its id derived by 0.1's public uuid5), a goal set and updated,
a plan, a meeting and a service ordered, each with a request id, and the stored views
caught up. Today's release must read it as it was and answer every retry as a repeat.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path
from uuid import UUID

import pytest

from perhetyo import (
    CaseOpened,
    DeadlineKind,
    FamilyCases,
    GoalStatus,
    LegalBasis,
    MeetingKind,
    RequestConflictError,
    ServiceKind,
)
from perhetyo.events import opening_matter_id
from perhetyo.testing import FakeClock, a_child, a_guardian, a_worker, an_actor

FIXTURE = Path(__file__).parent.parent / "fixtures" / "release-0.1.db"
CASE_ID = UUID("5d0643e1-890f-51e0-963e-891eebb8a8c4")
GOAL_ID = UUID("dcb36c8d-b252-4dab-88dc-0d2276a5d395")
EVENTS = 6


@pytest.fixture
def old_store(tmp_path: Path) -> str:
    """A copy of the release 0.1 store (the fixture itself is never written)."""
    copy = tmp_path / "cases.db"
    shutil.copyfile(FIXTURE, copy)
    return f"sqlite:///{copy}"


def test_a_release_0_1_store_reads_as_it_was_recorded(old_store: str) -> None:
    with FamilyCases(old_store, clock=FakeClock()) as cases:
        plan = cases.current_plan(CASE_ID, actor=an_actor())
        trail = cases.audit_trail(CASE_ID, actor=an_actor())

    assert plan.version == EVENTS
    assert [goal.goal_id for goal in plan.goals] == [GOAL_ID]
    assert (plan.goals[0].status, plan.goals[0].progress) == (GoalStatus.IN_PROGRESS, 40)
    assert plan.plan_version == 1
    assert plan.services[0].goal_ids == (GOAL_ID,)
    assert [entry.event_type for entry in trail] == [
        "CaseOpened",
        "GoalSet",
        "GoalUpdated",
        "PlanAgreed",
        "MeetingHeld",
        "ServiceOrdered",
    ]


Retry = Callable[[FamilyCases], object]

_RETRIES: dict[str, tuple[Retry, object]] = {
    "open_case": (
        lambda cases: cases.open_case(
            children=[a_child()],
            guardians=[a_guardian()],
            legal_basis=LegalBasis.SOCIAL_WELFARE_ACT,
            named_worker=a_worker(),
            opened_on=date(2020, 8, 12),
            actor=an_actor(),
            request_id="fixture-open",
        ),
        CASE_ID,
    ),
    "set_goal": (
        lambda cases: cases.set_goal(
            CASE_ID,
            description="Arki sujuu",
            set_on=date(2020, 9, 1),
            actor=an_actor(),
            request_id="fixture-goal",
        ),
        GOAL_ID,
    ),
    "update_goal": (
        lambda cases: cases.update_goal(
            CASE_ID,
            GOAL_ID,
            status=GoalStatus.IN_PROGRESS,
            progress=40,
            updated_on=date(2020, 10, 1),
            actor=an_actor(),
            request_id="fixture-update",
        ),
        None,
    ),
    "agree_plan": (
        lambda cases: cases.agree_plan(
            CASE_ID,
            agreed_on=date(2020, 9, 2),
            agreements=["Kotikäynnit"],
            actor=an_actor(),
            request_id="fixture-plan",
        ),
        1,
    ),
}


@pytest.mark.parametrize("name", list(_RETRIES))
def test_a_command_retried_across_the_upgrade_is_answered_as_a_repeat(
    old_store: str, name: str
) -> None:
    retry, expected = _RETRIES[name]
    with FamilyCases(old_store, clock=FakeClock()) as cases:
        assert retry(cases) == expected
        assert len(cases.history(CASE_ID, actor=an_actor())) == EVENTS


def test_a_retry_with_other_arguments_across_the_upgrade_is_still_a_conflict(
    old_store: str,
) -> None:
    with FamilyCases(old_store, clock=FakeClock()) as cases, pytest.raises(RequestConflictError):
        cases.record_meeting(
            CASE_ID,
            kind=MeetingKind.NETWORK,  # 0.1 recorded a home visit under this request id
            held_on=date(2020, 9, 3),
            summary="Kotikäynti",
            actor=an_actor(),
            request_id="fixture-meeting",
        )


def test_a_release_0_1_store_takes_new_commands_and_rebuilds_its_views(old_store: str) -> None:
    with FamilyCases(old_store, clock=FakeClock()) as cases:
        # 0.1 had caught its views up, but they lack today's tables and columns: the first
        # update rebuilds them, folding every event again.
        assert cases.update_projections() == EVENTS
        assert cases.update_projections() == 0
        cases.order_service(
            CASE_ID,
            kind=ServiceKind.SUPPORT_PERSON,
            provider="Tukihenkilö",
            ordered_on=date(2020, 12, 1),
            actor=an_actor(),
        )
        assert cases.update_projections() == 1
        live = cases.current_plan(CASE_ID, actor=an_actor())
        assert cases.stored_views.current_plan(CASE_ID) == live
        assert cases.rebuild_projections() == EVENTS + 1
        assert cases.stored_views.current_plan(CASE_ID) == live


def test_a_release_0_1_opening_reads_as_pending_on_its_opening_date_and_takes_assessments(
    old_store: str,
) -> None:
    with FamilyCases(old_store, clock=FakeClock()) as cases:
        [opened] = cases.history(CASE_ID, actor=an_actor())[:1]
        assert isinstance(opened, CaseOpened)
        assert opened.pending_on == opened.opened_on
        assert (opened.initiated_by, opened.special_support, opened.urgent) == (None, False, False)
        assert cases.update_projections() == EVENTS  # the old views were rebuilt
        plan = cases.current_plan(CASE_ID, actor=an_actor())
        assert plan.pending_on == plan.opened_on
        assert [matter.matter_id for matter in plan.matters] == [opening_matter_id(CASE_ID)]
        assert cases.stored_views.current_plan(CASE_ID) == plan
        cases.start_assessment(
            CASE_ID, started_on=date(2020, 9, 4), special_support=True, actor=an_actor()
        )
        live = cases.deadlines(CASE_ID, actor=an_actor(), on=date(2020, 12, 31))
        assert [(d.kind, d.met_on) for d in live] == [
            (DeadlineKind.ASSESSMENT_START, date(2020, 9, 4)),
            (DeadlineKind.ASSESSMENT_COMPLETION, None),
        ]
        assert cases.overdue(actor=an_actor(), on=date(2020, 12, 31)) == [live[1]]

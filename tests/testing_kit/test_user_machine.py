"""A user's own state machine: a subclass of ``CaseStateMachine`` with rules of its own.

The host service here is a small caseload counter (a service a county might write): how
many open cases each named worker holds. The machine adds rules that call it and an
invariant that holds it to the store; the kit's rules open and run the cases beside them.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import ClassVar
from uuid import UUID

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import invariant, precondition, rule

from perhetyo import CaseStatus, FamilyCases, GoalNotFoundError, GoalStatus, RuleViolationError
from perhetyo import commands as c
from perhetyo.testing import CaseStateMachine, FakeClock, an_actor

ME = an_actor()
POOL = ("child-1", "child-2", "child-3")


class Caseload:
    """The host's service: open cases per named worker, over the cases it was told of."""

    def __init__(self, cases: FamilyCases) -> None:
        self.cases = cases
        self.known: list[UUID] = []

    def follow(self, case_id: UUID) -> None:
        if case_id not in self.known:
            self.known.append(case_id)

    def per_worker(self) -> Counter[str]:
        plans = [
            self.cases.current_plan(case_id, actor=ME, purpose="caseload") for case_id in self.known
        ]
        return Counter(plan.named_worker.id for plan in plans if plan.status is CaseStatus.OPEN)


class CaseloadMachine(CaseStateMachine):
    person_ids = POOL
    rules_run: ClassVar[Counter[str]] = Counter()

    def __init__(self) -> None:
        super().__init__()
        self.caseload = Caseload(self.cases)

    @rule(case_id=CaseStateMachine.case_ids)
    def the_service_follows_a_case(self, case_id: UUID) -> None:
        self.caseload.follow(case_id)
        self.rules_run["follow"] += 1

    @precondition(lambda self: bool(self.caseload.known))
    @rule(data=st.data())
    def a_goal_update_for_no_goal_is_refused_and_records_nothing(self, data: st.DataObject) -> None:
        case_id = data.draw(st.sampled_from(self.caseload.known))
        update = c.UpdateGoal(
            case_id=case_id,
            goal_id=data.draw(st.uuids()),
            status=GoalStatus.IN_PROGRESS,
            updated_on=self.today(),
            actor=ME,
        )
        with pytest.raises((GoalNotFoundError, RuleViolationError)):
            self.execute(update)  # the kit holds that the refusal recorded nothing
        self.rules_run["refused"] += 1

    @invariant()
    def the_caseload_counts_the_open_cases_it_follows(self) -> None:
        counts = self.caseload.per_worker()
        assert sum(counts.values()) <= len(self.caseload.known)
        for case_id in self.caseload.known:
            plan = self.cases.current_plan(case_id, actor=ME)
            assert {child.id for child in plan.children} <= set(POOL)
            if plan.status is CaseStatus.OPEN:
                assert counts[plan.named_worker.id] >= 1


# A short life per run: the kit's own rules draw whole commands (tests/property holds the
# library to its rules at length).
CaseloadMachine.TestCase.settings = settings(stateful_step_count=10)


def test_the_users_rules_ran_beside_the_kits() -> None:
    """``TestCaseload = CaseloadMachine.TestCase`` is how a user collects it; run here to
    see the added rules run."""
    CaseloadMachine.rules_run.clear()
    CaseloadMachine.TestCase().runTest()
    assert CaseloadMachine.rules_run["follow"] > 0
    assert CaseloadMachine.rules_run["refused"] > 0


class FileMachine(CaseStateMachine):
    """The store hook: a SQLite file of the user's own instead of memory://."""

    directory: ClassVar[Path]
    draws_commands = False

    def make_cases(self, clock: FakeClock) -> FamilyCases:
        return FamilyCases(f"sqlite:///{self.directory / 'kit.db'}", clock=clock)


def test_a_refusal_that_recorded_something_fails_the_kits_check(tmp_path: Path) -> None:
    FileMachine.directory = tmp_path
    machine = FileMachine()
    try:
        opening = c.OpenCase(
            children=[{"id": "child-1", "display_name": "Lapsi"}],
            legal_basis="social_welfare_act",
            named_worker={"id": "sw-1", "name": "Aino", "profession": "social_worker"},
            opened_on=machine.today(),
            actor=ME,
        )
        case_id = machine.execute(opening)
        assert machine.cases.url.startswith("sqlite:///")
        goal = c.SetGoal(case_id=case_id, description="Arki", set_on=machine.today(), actor=ME)
        def buggy_service() -> None:  # records, then says it refused
            with machine.recording(case_id):
                machine.cases.execute(goal)
                raise GoalNotFoundError(case_id, case_id)

        with pytest.raises(AssertionError, match=r"refused command \(GoalNotFound\w+\) recorded 1"):
            buggy_service()
        assert machine.changed_cases("mine") == {case_id}
        machine.replaying_a_case_gives_what_the_store_serves()
        machine.stored_projections_equal_the_live_folds()
    finally:
        machine.teardown()

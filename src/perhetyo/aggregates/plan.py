"""Asiakassuunnitelma ja tavoitteet (the client plan and its goals)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from perhetyo.aggregates.state import CaseState, Goal, applies, decides
from perhetyo.commands import AgreePlan, SetGoal, UpdateGoal
from perhetyo.errors import GoalAlreadyFinalError, OutOfOrderError
from perhetyo.events import GoalSet, GoalUpdated, PlanAgreed
from perhetyo.values import GoalStatus

__all__ = ["PlanRules"]


class PlanRules(CaseState):
    """Asiakassuunnitelma ja tavoitteet (the client plan and its goals)."""

    __slots__ = ()

    # --- the client plan and its goals ------------------------------------------------------

    @decides(AgreePlan)
    def agree_plan(self, command: AgreePlan, now: datetime) -> int:
        """Agree the next version of the client plan; returns its version number."""
        self._check_open()
        self._check_happened("agreed_on", command.agreed_on, now)
        if command.agreed_on < self.plan_agreed_on:
            raise OutOfOrderError("agreed_on is before the previous plan version")
        self._check_planned("review_due_on", command.review_due_on, command.agreed_on)
        for service in command.planned_services:
            self._check_planned("estimated_start", service.estimated_start, command.agreed_on)
        event = self._record(
            PlanAgreed,
            command,
            now,
            plan_version=self.plan_version + 1,
            agreed_on=command.agreed_on,
            agreements=command.agreements,
            dissent=command.dissent,
            review_due_on=command.review_due_on,
            situation=command.situation,
            client_assessment=command.client_assessment,
            professional_assessment=command.professional_assessment,
            strengths=command.strengths,
            planned_services=command.planned_services,
            rights_explained=command.rights_explained,
            follow_up=command.follow_up,
            estimated_duration=command.estimated_duration,
            place=command.place,
            participants=command.participants,
            delivered_to=command.delivered_to,
        )
        return event.plan_version

    @applies(PlanAgreed)
    def _plan_agreed(self, event: PlanAgreed) -> None:
        self.plan_version = event.plan_version
        self.plan_agreed_on = event.agreed_on

    @decides(SetGoal)
    def set_goal(self, command: SetGoal, now: datetime) -> UUID:
        """Set a goal (aseta tavoite); returns the new goal id."""
        self._check_open()
        self._check_happened("set_on", command.set_on, now)
        self._check_planned("target_date", command.target_date, command.set_on)
        if command.child_id is not None:
            self._check_child(command.child_id)
        event = self._record(
            GoalSet,
            command,
            now,
            goal_id=self.new_id(),
            description=command.description,
            child_id=command.child_id,
            set_on=command.set_on,
            target_date=command.target_date,
        )
        return event.goal_id

    @applies(GoalSet)
    def _goal_set(self, event: GoalSet) -> None:
        self.goals[event.goal_id] = Goal(GoalStatus.NOT_STARTED, 0, event.set_on, event.set_on)

    @decides(UpdateGoal)
    def update_goal(self, command: UpdateGoal, now: datetime) -> None:
        """Update a goal (päivitä tavoite); a goal in a final status takes no update."""
        self._check_open()
        goal = self._goal(command.goal_id)
        self._check_happened("updated_on", command.updated_on, now)
        if goal.status.is_final:
            raise GoalAlreadyFinalError(f"goal {command.goal_id} is {goal.status.value}")
        if command.updated_on < goal.last_on:
            raise OutOfOrderError(
                f"updated_on of goal {command.goal_id} is before its previous update or setting"
            )
        self._record(
            GoalUpdated,
            command,
            now,
            goal_id=command.goal_id,
            status=command.status,
            progress=goal.progress if command.progress is None else command.progress,
            note=command.note,
            updated_on=command.updated_on,
        )

    @applies(GoalUpdated)
    def _goal_updated(self, event: GoalUpdated) -> None:
        # Assigned in place (one dict lookup, nothing built): this runs for most events of
        # a long case's load, and each load folds Goals of its own (see Goal).
        goal = self.goals[event.goal_id]
        goal.status = event.status
        goal.progress = event.progress
        goal.last_on = event.updated_on

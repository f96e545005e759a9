"""Lukeminen (reading one case): the plan, goal progress, audit trail and history."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from perhetyo.access import AccessAction
from perhetyo.application.core import CasesCore
from perhetyo.events import CaseEvent
from perhetyo.projections import (
    AuditEntry,
    CurrentPlan,
    GoalProgress,
    audit_trail,
    fold,
    goal_progress,
)
from perhetyo.values import (
    Actor,
)

__all__ = ["CaseReads"]


class CaseReads(CasesCore):
    """Lukeminen (reading one case): the plan, goal progress, audit trail and history."""

    def current_plan(
        self,
        case_id: UUID,
        *,
        actor: Actor,
        purpose: str | None = None,
        as_of: date | None = None,
        recorded_before: datetime | None = None,
    ) -> CurrentPlan:
        """The client plan now, as of a business date, or as recorded before an instant."""
        return self._read_plan(case_id, actor, purpose, as_of, recorded_before)

    def goal_progress(
        self,
        case_id: UUID,
        *,
        actor: Actor,
        purpose: str | None = None,
        as_of: date | None = None,
        recorded_before: datetime | None = None,
    ) -> list[GoalProgress]:
        """Each goal's timeline of updates, in the order the goals were set."""
        events = self._read(
            case_id, actor, purpose, as_of, recorded_before, action=AccessAction.GOAL_PROGRESS
        )
        progress: tuple[GoalProgress, ...] = fold(goal_progress, events)
        return list(progress)

    def audit_trail(
        self,
        case_id: UUID,
        *,
        actor: Actor,
        purpose: str | None = None,
        as_of: date | None = None,
        recorded_before: datetime | None = None,
    ) -> list[AuditEntry]:
        """Every event of the case as a readable row, in recorded order."""
        events = self._read(
            case_id, actor, purpose, as_of, recorded_before, action=AccessAction.AUDIT_TRAIL
        )
        trail: tuple[AuditEntry, ...] = fold(audit_trail, events)
        return list(trail)

    def history(
        self, case_id: UUID, *, actor: Actor, purpose: str | None = None
    ) -> list[CaseEvent]:
        """The case's raw events, in recorded order."""
        return self._read(case_id, actor, purpose, None, None, action=AccessAction.HISTORY)

"""Projections (näkymät): pure folds of a case's events into read models.

Each projection module has ``initial()`` and ``apply(state, event) -> state``. The same
folds run live (one case, on request) and stored (the runner, into SQL tables).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar

from perhetyo.events import CaseEvent
from perhetyo.projections import audit_trail, current_plan, goal_progress
from perhetyo.projections.audit_trail import AuditEntry
from perhetyo.projections.current_plan import CurrentPlan, GoalView, MeetingView, ServiceView
from perhetyo.projections.goal_progress import GoalProgress, GoalUpdateView

__all__ = [
    "AuditEntry",
    "CurrentPlan",
    "GoalProgress",
    "GoalUpdateView",
    "GoalView",
    "MeetingView",
    "Projection",
    "ServiceView",
    "audit_trail",
    "current_plan",
    "fold",
    "goal_progress",
]

S = TypeVar("S")


class Projection(Protocol[S]):
    """A fold (näkymä): where it starts and how one event moves it."""

    def initial(self) -> S: ...

    def apply(self, state: S, event: CaseEvent) -> S: ...


def fold(projection: Projection[S], events: Iterable[CaseEvent]) -> S:
    """Fold ``events`` in order, from the projection's initial state."""
    state = projection.initial()
    for event in events:
        state = projection.apply(state, event)
    return state

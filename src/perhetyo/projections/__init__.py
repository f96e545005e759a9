"""Projections (näkymät): pure folds of a case's events into read models.

Each projection module has ``initial()`` and ``apply(state, event) -> state``. The same
folds run live (one case, on request) and stored (the runner, into SQL tables).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Protocol, TypeVar

from perhetyo.events import CaseEvent
from perhetyo.projections import audit_trail, current_plan, goal_progress
from perhetyo.projections.audit_trail import AuditEntry
from perhetyo.projections.case_report import CaseReport
from perhetyo.projections.caseload import Caseload, caseload_from_events
from perhetyo.projections.current_plan import (
    CancelledMeetingView,
    ChildMembership,
    CurrentPlan,
    DecisionView,
    DisclosureBanView,
    GoalView,
    MeetingView,
    PlanContent,
    ServiceView,
)
from perhetyo.projections.deadlines import Deadline, DeadlinePolicy
from perhetyo.projections.goal_progress import GoalProgress, GoalUpdateView
from perhetyo.projections.matter_views import AssessmentView, MatterView, PlanVersionView
from perhetyo.projections.statistics import (
    AssessmentDeadlines,
    ServiceFigures,
    YearStatistics,
    statistics_from_events,
)

__all__ = [
    "AssessmentDeadlines",
    "AssessmentView",
    "AuditEntry",
    "CancelledMeetingView",
    "CaseReport",
    "Caseload",
    "ChildMembership",
    "CurrentPlan",
    "Deadline",
    "DeadlinePolicy",
    "DecisionView",
    "DisclosureBanView",
    "GoalProgress",
    "GoalUpdateView",
    "GoalView",
    "MatterView",
    "MeetingView",
    "PlanContent",
    "PlanVersionView",
    "Projection",
    "ServiceFigures",
    "ServiceView",
    "YearStatistics",
    "audit_trail",
    "caseload_from_events",
    "current_plan",
    "events_to_fold",
    "fold",
    "goal_progress",
    "statistics_from_events",
]

S = TypeVar("S")


class Projection(Protocol[S]):
    """A fold (näkymä): where it starts and how one event moves it."""

    def initial(self) -> S: ...

    def apply(self, state: S, event: CaseEvent) -> S: ...


def events_to_fold(
    events: Sequence[CaseEvent], *, as_of: date | None, recorded_before: datetime | None
) -> list[CaseEvent]:
    """The events a read folds: the prefix recorded before ``recorded_before``, then of
    those the events whose business date is on or before ``as_of`` (in recorded order)."""
    folded = list(events)
    if recorded_before is not None:
        for index, event in enumerate(folded):
            if event.timestamp >= recorded_before:
                folded = folded[:index]
                break
    if as_of is not None:
        folded = [event for event in folded if event.occurred_on <= as_of]
    return folded


def fold(projection: Projection[S], events: Iterable[CaseEvent]) -> S:
    """Fold ``events`` in order, from the projection's initial state (in one pass, with
    the projection's ``fold_all``, when it has one)."""
    fold_all = getattr(projection, "fold_all", None)
    if fold_all is not None:
        folded: S = fold_all(events)
        return folded
    state = projection.initial()
    for event in events:
        state = projection.apply(state, event)
    return state

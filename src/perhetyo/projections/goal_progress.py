"""Goal progress (tavoitteiden eteneminen): each goal's timeline of updates.

A pure fold over one case's events; the state is a tuple of :class:`GoalProgress` in the
order the goals were set, each with its updates in the order recorded. ``fold_all``
folds a whole case in one pass (lists, frozen at the end): the same goals as ``apply``
event by event, without copying every goal and its timeline at every update.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from perhetyo.events import CaseErased, CaseEvent, GoalSet, GoalUpdated
from perhetyo.values import GoalStatus, ValueModel

__all__ = ["GoalProgress", "GoalUpdateView", "apply", "fold_all", "initial", "update_view"]


class GoalUpdateView(ValueModel):
    """Goal update (tavoitteen päivitys): one point on the goal's timeline."""

    updated_on: date
    status: GoalStatus
    progress: int
    note: str | None
    actor_id: str
    recorded_at: datetime


class GoalProgress(ValueModel):
    """Goal progress (tavoitteen eteneminen): the goal and every update to it."""

    case_id: UUID
    goal_id: UUID
    description: str
    child_id: str | None
    set_on: date
    target_date: date | None
    status: GoalStatus
    progress: int
    updates: tuple[GoalUpdateView, ...] = ()


def initial() -> tuple[GoalProgress, ...]:
    """No goals before any is set."""
    return ()


def update_view(event: GoalUpdated) -> GoalUpdateView:
    """The timeline point a ``GoalUpdated`` event adds."""
    return GoalUpdateView.trusted(
        updated_on=event.updated_on,
        status=event.status,
        progress=event.progress,
        note=event.note,
        actor_id=event.actor.id,
        recorded_at=event.timestamp,
    )


def _erased_goals(event: CaseErased) -> tuple[GoalProgress, ...]:
    """What an erased case's summary keeps of its goals: no descriptions, no updates."""
    return tuple(
        GoalProgress.trusted(
            case_id=event.originator_id,
            goal_id=goal.goal_id,
            description="",
            child_id=goal.child_id,
            set_on=goal.set_on,
            target_date=goal.target_date,
            status=goal.status,
            progress=goal.progress,
            updates=(),
        )
        for goal in event.summary.goals
    )


def _goal_set(event: GoalSet) -> GoalProgress:
    return GoalProgress.trusted(
        case_id=event.originator_id,
        goal_id=event.goal_id,
        description=event.description,
        child_id=event.child_id,
        set_on=event.set_on,
        target_date=event.target_date,
        status=GoalStatus.NOT_STARTED,
        progress=0,
        updates=(),
    )


@dataclass(slots=True)
class _Open:
    """A goal while a whole case is folded: its model, and its updates so far."""

    goal: GoalProgress
    status: GoalStatus
    progress: int
    updates: list[GoalUpdateView] = field(default_factory=list)

    def frozen(self) -> GoalProgress:
        if not self.updates:
            return self.goal
        return self.goal.evolve(
            status=self.status,
            progress=self.progress,
            updates=(*self.goal.updates, *self.updates),
        )


def fold_all(events: Iterable[CaseEvent]) -> tuple[GoalProgress, ...]:
    """The goals of ``events`` from the first: what ``apply`` gives, in linear time."""
    goals: list[_Open] = []
    by_id: dict[UUID, list[_Open]] = {}
    for event in events:
        if isinstance(event, GoalUpdated):
            point = update_view(event)
            for goal in by_id.get(event.goal_id, ()):
                goal.status, goal.progress = event.status, event.progress
                goal.updates.append(point)
        elif isinstance(event, GoalSet):
            goal = _Open(_goal_set(event), GoalStatus.NOT_STARTED, 0)
            goals.append(goal)
            by_id.setdefault(event.goal_id, []).append(goal)
        elif isinstance(event, CaseErased):
            goals = [_Open(kept, kept.status, kept.progress) for kept in _erased_goals(event)]
            by_id = {}
            for goal in goals:
                by_id.setdefault(goal.goal.goal_id, []).append(goal)
    return tuple(goal.frozen() for goal in goals)


def apply(state: tuple[GoalProgress, ...], event: CaseEvent) -> tuple[GoalProgress, ...]:
    """The goals after ``event`` (a new tuple; ``state`` is not changed)."""
    if isinstance(event, CaseErased):  # what the summary keeps: no descriptions, no updates
        return _erased_goals(event)
    if isinstance(event, GoalSet):
        return (*state, _goal_set(event))
    if isinstance(event, GoalUpdated):
        point = update_view(event)
        return tuple(
            goal.evolve(
                status=event.status, progress=event.progress, updates=(*goal.updates, point)
            )
            if goal.goal_id == event.goal_id
            else goal
            for goal in state
        )
    return state

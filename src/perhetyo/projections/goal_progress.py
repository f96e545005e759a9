"""Goal progress (tavoitteiden eteneminen): each goal's timeline of updates.

A pure fold over one case's events; the state is a tuple of :class:`GoalProgress` in the
order the goals were set, each with its updates in the order recorded.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from perhetyo.events import CaseErased, CaseEvent, GoalSet, GoalUpdated
from perhetyo.values import GoalStatus, ValueModel

__all__ = ["GoalProgress", "GoalUpdateView", "apply", "initial", "update_view"]


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


def apply(state: tuple[GoalProgress, ...], event: CaseEvent) -> tuple[GoalProgress, ...]:
    """The goals after ``event`` (a new tuple; ``state`` is not changed)."""
    if isinstance(event, CaseErased):  # what the summary keeps: no descriptions, no updates
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
    if isinstance(event, GoalSet):
        goal = GoalProgress.trusted(
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
        return (*state, goal)
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

"""Suunnitelman kertaluku (the current plan folded in one pass): linear in the events.

:func:`fold_from` gives what :func:`perhetyo.projections.current_plan.apply` gives event by
event, without its per-event copies of the plan's growing tuples: the commonest events of
a long case (a goal set or updated, a meeting held) change only the goals or the meetings,
so those are kept as lists (a goal found by its id through an index) and frozen into the
plan when another kind of event comes, which is applied by ``current_plan.apply`` itself,
and at the end. A plan's other fields are unchanged by those events, except its version.
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from perhetyo.events import CaseEvent, GoalSet, GoalUpdated, MeetingHeld
from perhetyo.projections import current_plan
from perhetyo.projections.current_plan import CurrentPlan, GoalView, MeetingView

__all__ = ["fold_from"]


class _Open:
    """A plan whose goals and meetings may be lists for now (their tuples not rebuilt).

    ``index`` finds a goal's positions by its id; it is kept while the plan's goals tuple
    stays the same object (events of other kinds leave it as it was).
    """

    __slots__ = ("goals", "index", "indexed", "meetings", "plan", "version")

    def __init__(
        self,
        plan: CurrentPlan,
        index: dict[UUID, list[int]] | None = None,
        indexed: tuple[GoalView, ...] | None = None,
    ) -> None:
        self.plan = plan
        self.version = plan.version
        self.goals: list[GoalView] | None = None
        self.meetings: list[MeetingView] | None = None
        if index is None or indexed is not plan.goals:
            index = {}
            for position, goal in enumerate(plan.goals):
                index.setdefault(goal.goal_id, []).append(position)
        self.index = index
        self.indexed = plan.goals

    def frozen(self) -> CurrentPlan:
        """The plan as a model (its lists made tuples again)."""
        changes: dict[str, object] = {}
        if self.goals is not None:
            changes["goals"] = tuple(self.goals)
        if self.meetings is not None:
            changes["meetings"] = tuple(self.meetings)
        if self.version != self.plan.version:
            changes["version"] = self.version
        if not changes:
            return self.plan
        self.plan = self.plan.evolve(**changes)
        self.goals = self.meetings = None
        self.indexed = self.plan.goals
        return self.plan

    def _goals(self) -> list[GoalView]:
        if self.goals is None:
            self.goals = list(self.plan.goals)
        return self.goals

    def goal_set(self, event: GoalSet) -> None:
        goals = self._goals()
        self.index.setdefault(event.goal_id, []).append(len(goals))
        goals.append(current_plan.new_goal(event))

    def goal_updated(self, event: GoalUpdated) -> None:
        positions = self.index.get(event.goal_id)
        if positions:
            goals = self._goals()
            for position in positions:
                goals[position] = goals[position].evolve(
                    status=event.status, progress=event.progress, last_updated_on=event.updated_on
                )

    def meeting(self, event: MeetingHeld) -> None:
        if self.meetings is None:
            self.meetings = list(self.plan.meetings)
        self.meetings.append(
            MeetingView.trusted(
                meeting_id=event.meeting_id,
                kind=event.kind,
                held_on=event.held_on,
                channel=event.channel,
            )
        )


def fold_from(plan: CurrentPlan | None, events: Iterable[CaseEvent]) -> CurrentPlan | None:
    """The plan after ``events``, from ``plan`` (None before the opening)."""
    open_plan = None if plan is None else _Open(plan)
    for event in events:
        if open_plan is not None:
            kind = type(event)
            if kind is GoalUpdated:
                open_plan.goal_updated(event)  # type: ignore[arg-type]
            elif kind is MeetingHeld:
                open_plan.meeting(event)  # type: ignore[arg-type]
            elif kind is GoalSet:
                open_plan.goal_set(event)  # type: ignore[arg-type]
            else:
                plan = current_plan.apply(open_plan.frozen(), event)
                open_plan = (
                    None if plan is None else _Open(plan, open_plan.index, open_plan.indexed)
                )
                continue
            open_plan.version = event.originator_version
            continue
        plan = current_plan.apply(None, event)
        open_plan = None if plan is None else _Open(plan)
    return None if open_plan is None else open_plan.frozen()

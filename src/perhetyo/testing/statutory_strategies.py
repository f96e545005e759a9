"""Hypothesis strategies for the statutory steps (lakisääteiset vaiheet) of a case's life.

Service decisions and the orders that cite them, children joining and leaving, a child's
own named worker, cancelled meetings, and the content of the client plan, meetings and
children's views. :mod:`perhetyo.testing.case_strategies` draws them among its commands;
each function here draws one command the rules accept on the case of ``turn`` (the case as
the aggregate keeps it), reading every date floor from that case.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Protocol
from uuid import UUID

from perhetyo import commands as c
from perhetyo.aggregates.case import FamilyCase
from perhetyo.commands.decisions import MAX_HOURS_PER_MONTH
from perhetyo.record_values import ContactChannel, DecisionOutcome, PlannedService
from perhetyo.testing.value_strategies import named_workers, texts
from perhetyo.values import (
    SHORT_TEXT_MAX_LENGTH,
    ClosureReason,
    MeetingKind,
    PersonRef,
    ServiceKind,
)

if TYPE_CHECKING:
    from hypothesis import strategies as st
    from hypothesis.strategies import DrawFn, SearchStrategy
else:
    from perhetyo.testing.value_strategies import st

__all__ = [
    "Turn",
    "add_child",
    "assign_child_worker",
    "cancel_meeting",
    "child_view_fields",
    "decide_service",
    "meeting_fields",
    "order_citing_a_decision",
    "orderable_decisions",
    "plan_content_fields",
    "remove_child",
]


class Turn(Protocol):
    """What drawing one command needs (``case_strategies._Turn`` provides it)."""

    @property
    def case(self) -> FamilyCase: ...

    @property
    def today(self) -> date: ...

    @property
    def on(self) -> SearchStrategy[date]: ...

    @property
    def common(self) -> dict[str, Any]: ...

    def newcomers(self) -> SearchStrategy[PersonRef]:
        """A child who may join the case (from the steered pool, if any)."""
        ...


def _short_texts() -> SearchStrategy[str]:
    return texts(SHORT_TEXT_MAX_LENGTH)


def _people(draw: DrawFn) -> list[str]:
    return draw(st.lists(_short_texts(), max_size=2))


# --- decisions and the orders that cite them ---------------------------------------------


def decide_service(draw: DrawFn, turn: Turn) -> c.DecideService:
    """A decision on any service, granted, in part or denied, valid for a while or open."""
    decided_on = draw(turn.on)
    valid_from = draw(st.none() | st.dates(decided_on - timedelta(30), decided_on + timedelta(60)))
    start = valid_from or decided_on
    valid_until = draw(st.none() | st.dates(start, start + timedelta(365)))
    return c.DecideService(
        **turn.common,
        kind=draw(st.sampled_from(ServiceKind)),
        outcome=draw(st.sampled_from(DecisionOutcome)),
        decided_on=decided_on,
        legal_sections=draw(st.lists(_short_texts(), min_size=1, max_size=2)),
        reasoning=draw(texts()),
        decision_maker=draw(named_workers(qualified=None)),
        valid_from=valid_from,
        valid_until=valid_until,
        hours_per_month=draw(st.none() | st.integers(1, MAX_HOURS_PER_MONTH)),
    )


def orderable_decisions(case: FamilyCase, today: date) -> dict[UUID, tuple[date, date]]:
    """The decisions an order may cite by ``today``: each with the first and last day."""
    windows = {}
    for decision_id, decision in case.decisions.items():
        first = max(decision.decided_on, decision.valid_from or date.min, case.opened_on)
        last = min(decision.valid_until or date.max, today)
        if decision.outcome.grants and first <= last:
            windows[decision_id] = (first, last)
    return windows


def order_citing_a_decision(draw: DrawFn, turn: Turn) -> c.OrderService:
    """An order of a service that a granting decision covers on the order date."""
    windows = orderable_decisions(turn.case, turn.today)
    decision_id = draw(st.sampled_from(sorted(windows)))
    first, last = windows[decision_id]
    ordered_on = draw(st.dates(first, last))
    goals = [g for g, goal in turn.case.goals.items() if goal.set_on <= ordered_on]
    return c.OrderService(
        **turn.common,
        kind=turn.case.decisions[decision_id].kind,
        provider=draw(_short_texts()),
        ordered_on=ordered_on,
        goal_ids=draw(st.lists(st.sampled_from(goals), max_size=2, unique=True)) if goals else (),
        decision_id=decision_id,
    )


# --- each child's own relationship -----------------------------------------------------------


def add_child(draw: DrawFn, turn: Turn) -> c.AddChild:
    """A child not in the case joins (one who left may come back, after leaving)."""
    case = turn.case
    child = draw(turn.newcomers())
    floor = max(case.child_since.get(child.id, case.opened_on), case.opened_on)
    return c.AddChild(**turn.common, child=child, joined_on=draw(st.dates(floor, turn.today)))


def remove_child(draw: DrawFn, turn: Turn) -> c.RemoveChild:
    """One of two or more children leaves, heard or not (never the last child)."""
    case = turn.case
    child_id = draw(st.sampled_from(sorted(case.children)))
    heard = draw(st.booleans())
    return c.RemoveChild(
        **turn.common,
        child_id=child_id,
        left_on=draw(st.dates(case.child_since[child_id], turn.today)),
        reason=draw(st.sampled_from(ClosureReason)),
        view=draw(texts()) if heard else None,
        not_heard_reason=None if heard else draw(texts()),
    )


def assign_child_worker(draw: DrawFn, turn: Turn) -> c.AssignNamedWorker:
    """A child's own named worker, qualified for the case."""
    case = turn.case
    child_id = draw(st.sampled_from(sorted(case.children)))
    return c.AssignNamedWorker(
        **turn.common,
        worker=draw(named_workers(legal_basis=case.legal_basis)),
        assigned_on=draw(st.dates(case.child_since[child_id], turn.today)),
        reason=draw(texts()),
        child_id=child_id,
    )


# --- meetings cancelled, and what meetings, views and plans record ----------------------------


def cancel_meeting(draw: DrawFn, turn: Turn) -> c.CancelMeeting:
    """A meeting planned from the opening to a month ahead, cancelled by today."""
    opened_on, today = turn.case.opened_on, turn.today
    planned_on = draw(st.dates(opened_on, today + timedelta(30)))
    last = min(planned_on, today)
    given = planned_on > today or draw(st.booleans())
    return c.CancelMeeting(
        **turn.common,
        kind=draw(st.sampled_from(MeetingKind)),
        planned_on=planned_on,
        reason=draw(texts()),
        cancelled_on=draw(st.dates(opened_on, last)) if given else None,
    )


def meeting_fields(draw: DrawFn) -> dict[str, Any]:
    """How, where and what was agreed at a meeting (each may be left out)."""
    return {
        "channel": draw(st.none() | st.sampled_from(ContactChannel)),
        "place": draw(st.none() | _short_texts()),
        "agreed": draw(st.none() | texts()),
    }


def child_view_fields(draw: DrawFn) -> dict[str, Any]:
    """How a child's view was found out and who was present (each may be left out)."""
    return {"how_found_out": draw(st.none() | texts()), "present": _people(draw)}


def plan_content_fields(draw: DrawFn, agreed_on: date) -> dict[str, Any]:
    """The content of a client plan (Kanta's LPS), most often left out."""
    if not draw(st.booleans()):
        return {}
    planned = st.builds(
        PlannedService,
        kind=st.sampled_from(ServiceKind),
        description=st.none() | texts(),
        estimated_start=st.none() | st.dates(agreed_on, agreed_on + timedelta(180)),
        estimated_duration=st.none() | _short_texts(),
    )
    return {
        "situation": draw(st.none() | texts()),
        "client_assessment": draw(st.none() | texts()),
        "professional_assessment": draw(st.none() | texts()),
        "strengths": draw(st.none() | texts()),
        "planned_services": draw(st.lists(planned, max_size=2)),
        "rights_explained": draw(st.booleans()),
        "follow_up": draw(st.none() | texts()),
        "estimated_duration": draw(st.none() | _short_texts()),
        "place": draw(st.none() | _short_texts()),
        "participants": _people(draw),
        "delivered_to": _people(draw),
    }

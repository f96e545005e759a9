"""Hypothesis strategies for the matter and its assessment (asian ja arvioinnin komennot).

Drawn like every command of :mod:`perhetyo.testing.case_strategies` (whose ``_draw_command``
offers them): from the case as the aggregate keeps it, so they follow its rules without
restating them. Each ``_draw`` function takes hypothesis's ``draw`` and a turn (the case,
today and the common fields) and returns one command the rules accept.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol
from uuid import UUID

from perhetyo import commands as c
from perhetyo.aggregates.case import FamilyCase
from perhetyo.aggregates.state import Matter
from perhetyo.events import opening_matter_id
from perhetyo.testing.value_strategies import texts
from perhetyo.values import Initiation, LegalBasis

if TYPE_CHECKING:
    from hypothesis import strategies as st
    from hypothesis.strategies import DrawFn, SearchStrategy
else:
    from perhetyo.testing.value_strategies import st

__all__ = [
    "draw_completion",
    "draw_decline",
    "draw_pending",
    "draw_start",
    "latest_pending_on",
    "matter_ids_in_real",
    "started_matters",
    "unstarted_matters",
]


class _TurnLike(Protocol):
    @property
    def case(self) -> FamilyCase: ...

    @property
    def on(self) -> SearchStrategy[date]: ...

    @property
    def common(self) -> dict[str, Any]: ...

    @property
    def keeps_legal_basis(self) -> bool: ...

    def from_(self, day: date) -> SearchStrategy[date]: ...


def latest_pending_on(case: FamilyCase) -> date:
    """The date the case's latest matter became pending (a new one may not be earlier)."""
    return max(matter.pending_on for matter in case.matters.values())


def unstarted_matters(case: FamilyCase) -> list[UUID]:
    """The matters whose assessment was neither started nor declined."""
    return [
        matter_id
        for matter_id, matter in case.matters.items()
        if matter.started_on is None and not matter.declined
    ]


def started_matters(case: FamilyCase) -> list[UUID]:
    """The matters whose assessment started and is not completed."""
    return [
        matter_id
        for matter_id, matter in case.matters.items()
        if matter.started_on is not None and not matter.completed
    ]


def _which(draw: DrawFn, case: FamilyCase, matter_id: UUID) -> UUID | None:
    """``matter_id``, or sometimes None when it is the latest matter (which None means)."""
    if matter_id == next(reversed(case.matters)) and draw(st.booleans()):
        return None
    return matter_id


def _floor(case: FamilyCase, matter: Matter) -> date:
    return max(matter.pending_on, case.opened_on)


def draw_pending(draw: DrawFn, turn: _TurnLike) -> c.RecordPending:
    """A later matter pending, on or after the latest one."""
    return c.RecordPending(
        **turn.common,
        pending_on=draw(turn.on),
        initiated_by=draw(st.sampled_from(Initiation)),
        special_support=draw(st.booleans()),
        urgent=draw(st.booleans()),
    )


def draw_start(draw: DrawFn, turn: _TurnLike) -> c.StartAssessment:
    """The start of an unstarted matter's assessment, on or after it became pending."""
    case = turn.case
    matter_id = draw(st.sampled_from(unstarted_matters(case)))
    return c.StartAssessment(
        **turn.common,
        started_on=draw(turn.from_(_floor(case, case.matters[matter_id]))),
        matter_id=_which(draw, case, matter_id),
        special_support=draw(st.none() | st.booleans()),
        child_welfare_need_assessed=draw(st.booleans()),
    )


def draw_decline(draw: DrawFn, turn: _TurnLike) -> c.DeclineAssessment:
    """No assessment for an unstarted matter, on or after it became pending."""
    case = turn.case
    matter_id = draw(st.sampled_from(unstarted_matters(case)))
    return c.DeclineAssessment(
        **turn.common,
        decided_on=draw(turn.from_(_floor(case, case.matters[matter_id]))),
        reason=draw(texts()),
        matter_id=_which(draw, case, matter_id),
    )


def draw_completion(draw: DrawFn, turn: _TurnLike) -> c.CompleteAssessment:
    """The completion of a started assessment, some children heard; child welfare may
    begin only in a social welfare act case whose named worker, and every child's own
    worker, is a social worker."""
    case = turn.case
    matter_id = draw(st.sampled_from(started_matters(case)))
    started_on = case.matters[matter_id].started_on or case.opened_on  # started: never None
    may_begin = (
        not turn.keeps_legal_basis
        and case.legal_basis is LegalBasis.SOCIAL_WELFARE_ACT
        and case.unqualified_for_child_welfare() == (False, [])
    )
    heard = {child: draw(st.none() | st.booleans()) for child in sorted(case.children)}
    return c.CompleteAssessment(
        **turn.common,
        completed_on=draw(turn.from_(started_on)),
        conclusions=draw(texts()),
        relationship_continues=draw(st.booleans()),
        special_support=draw(st.booleans()),
        child_welfare_begins=may_begin and draw(st.booleans()),
        needs_named_worker=draw(st.booleans()),
        plan_needed=draw(st.booleans()),
        matter_id=_which(draw, case, matter_id),
        child_views={child: draw(texts()) for child, yes in heard.items() if yes},
        not_heard_reasons={child: draw(texts()) for child, yes in heard.items() if yes is False},
    )


def matter_ids_in_real(matter_id: UUID, real: Mapping[UUID, UUID]) -> UUID:
    """``matter_id`` with placeholders swapped: a later matter's, or an opening's (derived
    from its case's placeholder id, so from the real case id once that exists)."""
    if matter_id in real:
        return real[matter_id]
    for placeholder, real_id in real.items():
        if matter_id == opening_matter_id(placeholder):
            return opening_matter_id(real_id)
    return matter_id

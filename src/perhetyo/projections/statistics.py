"""Year statistics (vuositilasto): THL-style figures of a year, folded from the events.

No personal data leaves: the figures are counts, shares and a median, never an id, a
name or a text. Each figure's definition and legal source is in docs/statistics.md; in
short, for a calendar year:

- ``children``: distinct children with a client relationship (a child's membership of a
  case) open on any day of the year; ``child_welfare_children`` those of them whose case
  was under the Child Welfare Act on such a day (LsL 417/2007);
- ``new_relationships`` and ``ended_relationships``: children's relationships (memberships)
  that began or ended in the year, the ended ones by reason (SHL 34 §: one per child);
  ``cases_opened`` and ``cases_closed``: the families' cases;
- ``services``: per service kind, decisions (and of them, grants), orders, starts, ends
  and cancellations dated in the year;
- ``assessments``: per half-year, the matters with the assessment's day counts (the
  :class:`~perhetyo.projections.DeadlinePolicy`'s, never restated here) that became
  pending in it, and how many assessments started within the working-day count and were
  completed within the month count (SHL 36 §, LsL 26 §; THL collects them twice a year);
- ``median_relationship_days``: the median length, in days, of the relationships that
  ended in the year.

:func:`statistics_from_events` is the pure fold (events in, figures out); the stored
tables give the same figures with SQL (:mod:`perhetyo.projections.sql.figures`), and a
property test holds the two equal. Both end in :func:`assemble`, which fills in the
zeros, the shares and the median, so that the two differ only in how they count.
"""

from __future__ import annotations

import statistics as stats
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Annotated, Final
from uuid import UUID

from pydantic import Field

from perhetyo.events import CaseEvent
from perhetyo.projections.current_plan import CurrentPlan
from perhetyo.projections.current_plan import apply as apply_to_plan
from perhetyo.projections.deadlines import DEFAULT_POLICY, DeadlinePolicy, deadline_facts
from perhetyo.values import (
    ClosureReason,
    DeadlineKind,
    LegalBasis,
    ServiceKind,
    ServiceStatus,
    ValueModel,
)

__all__ = [
    "ASSESSMENT_KINDS",
    "FIRST_YEAR",
    "LAST_YEAR",
    "AssessmentDeadlines",
    "DeadlineTally",
    "ServiceFigures",
    "ServiceTally",
    "StatisticsYear",
    "YearStatistics",
    "assemble",
    "child_welfare_from",
    "half_of",
    "plans_from_events",
    "statistics_from_events",
    "statistics_from_plans",
]

FIRST_YEAR: Final = 1900
LAST_YEAR: Final = 2999

StatisticsYear = Annotated[int, Field(ge=FIRST_YEAR, le=LAST_YEAR, strict=True)]
"""A statistics year (tilastovuosi): a plain int from 1900 to 2999."""

ASSESSMENT_KINDS: Final = (DeadlineKind.ASSESSMENT_START, DeadlineKind.ASSESSMENT_COMPLETION)

_Count = Annotated[int, Field(ge=0)]


class ServiceFigures(ValueModel):
    """Services of one kind in a year (palvelut lajeittain): decided, ordered, started, ended.

    ``decided`` counts the service decisions dated in the year (any outcome), ``granted``
    those of them that grant the service in whole or in part; ``ordered``, ``started``,
    ``ended`` and ``cancelled`` (ended before it started) count services by the date of
    that step.
    """

    kind: ServiceKind
    decided: _Count
    granted: _Count
    ordered: _Count
    started: _Count
    ended: _Count
    cancelled: _Count


class AssessmentDeadlines(ValueModel):
    """Assessment deadlines of a half-year (palvelutarpeen arvioinnin määräajat puolivuosittain).

    ``half`` is 1 (January-June) or 2 (July-December): a matter counts in the half-year in
    which it became pending. ``matters``: the matters with the assessment's day counts.
    ``start_applicable``: of those, the start deadlines not void (a case closed before it
    was due voids it); ``started_in_time`` met by the due date, ``started_late`` met after
    it (the rest are not met yet). The completion's figures likewise (a declined
    assessment voids it). The shares are in-time over applicable, rounded to four
    decimals, None when nothing applied.
    """

    half: Annotated[int, Field(ge=1, le=2)]
    matters: _Count
    start_applicable: _Count
    started_in_time: _Count
    started_late: _Count
    start_share: float | None
    completion_applicable: _Count
    completed_in_time: _Count
    completed_late: _Count
    completion_share: float | None


class YearStatistics(ValueModel):
    """Year statistics (vuositilasto): a year's figures, with no personal data in them.

    See the module's docstring, and docs/statistics.md for each figure's definition and
    legal source. ``ended_by_reason`` has every reason, zeros included; ``services`` every
    service kind, in the enumeration's order; ``assessments`` both half-years.
    """

    year: StatisticsYear
    children: _Count
    child_welfare_children: _Count
    new_relationships: _Count
    ended_relationships: _Count
    ended_by_reason: dict[ClosureReason, int]
    cases_opened: _Count
    cases_closed: _Count
    services: tuple[ServiceFigures, ...]
    assessments: tuple[AssessmentDeadlines, ...]
    median_relationship_days: float | None


ServiceTally = Mapping[ServiceKind, Mapping[str, int]]
"""Per kind, the counts of :class:`ServiceFigures` by field name (missing ones are 0)."""

DeadlineTally = Mapping[tuple[int, DeadlineKind], Mapping[str, int]]
"""Per (half, kind), the counts ``total``, ``applicable``, ``in_time`` and ``late``."""


def half_of(day: date) -> int:
    """The half-year of ``day``: 1 for January-June, 2 for July-December."""
    return 1 if day.month <= 6 else 2


def _share(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(part / whole, 4)


def _half(half: int, tally: DeadlineTally) -> AssessmentDeadlines:
    start = tally.get((half, DeadlineKind.ASSESSMENT_START), {})
    done = tally.get((half, DeadlineKind.ASSESSMENT_COMPLETION), {})
    return AssessmentDeadlines(
        half=half,
        matters=start.get("total", 0),
        start_applicable=start.get("applicable", 0),
        started_in_time=start.get("in_time", 0),
        started_late=start.get("late", 0),
        start_share=_share(start.get("in_time", 0), start.get("applicable", 0)),
        completion_applicable=done.get("applicable", 0),
        completed_in_time=done.get("in_time", 0),
        completed_late=done.get("late", 0),
        completion_share=_share(done.get("in_time", 0), done.get("applicable", 0)),
    )


def assemble(
    year: int,
    *,
    children: int,
    child_welfare_children: int,
    new_relationships: int,
    ended_by_reason: Mapping[ClosureReason, int],
    cases_opened: int,
    cases_closed: int,
    services: ServiceTally,
    deadlines: DeadlineTally,
    lengths: Sequence[int],
) -> YearStatistics:
    """The year's figures from its counts: zeros filled in, shares and the median computed."""
    by_reason = {reason: ended_by_reason.get(reason, 0) for reason in ClosureReason}
    return YearStatistics(
        year=year,
        children=children,
        child_welfare_children=child_welfare_children,
        new_relationships=new_relationships,
        ended_relationships=sum(by_reason.values()),
        ended_by_reason=by_reason,
        cases_opened=cases_opened,
        cases_closed=cases_closed,
        services=tuple(
            ServiceFigures(
                kind=kind,
                **{
                    name: services.get(kind, {}).get(name, 0)
                    for name in ("decided", "granted", "ordered", "started", "ended", "cancelled")
                },
            )
            for kind in ServiceKind
        ),
        assessments=(_half(1, deadlines), _half(2, deadlines)),
        median_relationship_days=float(stats.median(lengths)) if lengths else None,
    )


# --- the fold ----------------------------------------------------------------------------


def child_welfare_from(plan: CurrentPlan) -> date | None:
    """The first day the case was under the Child Welfare Act (None: never).

    Opened under it: the opening date; moved to it by an assessment: that date.
    """
    if plan.legal_basis is not LegalBasis.CHILD_WELFARE_ACT:
        return None
    return plan.child_welfare_from or plan.opened_on


def plans_from_events(events: Iterable[CaseEvent]) -> list[CurrentPlan]:
    """Each case's current plan, folded from all cases' events (each case's in order)."""
    plans: dict[UUID, CurrentPlan | None] = {}
    for event in events:
        plans[event.originator_id] = apply_to_plan(plans.get(event.originator_id), event)
    return [plan for plan in plans.values() if plan is not None]


def _in(day: date | None, first: date, last: date) -> bool:
    return day is not None and first <= day <= last


def _count_services(
    plan: CurrentPlan, first: date, last: date, tally: dict[ServiceKind, Counter[str]]
) -> None:
    for decision in plan.decisions:
        if _in(decision.decided_on, first, last):
            tally[decision.kind]["decided"] += 1
            tally[decision.kind]["granted"] += decision.outcome.grants
    for service in plan.services:
        counts = tally[service.kind]
        counts["ordered"] += _in(service.ordered_on, first, last)
        counts["started"] += _in(service.started_on, first, last)
        if _in(service.ended_on, first, last):
            counts["cancelled" if service.status is ServiceStatus.CANCELLED else "ended"] += 1


def _count_deadlines(
    plan: CurrentPlan,
    year: int,
    policy: DeadlinePolicy,
    tally: dict[tuple[int, DeadlineKind], Counter[str]],
) -> None:
    pending = {matter.matter_id: matter.pending_on for matter in plan.matters}
    for fact in deadline_facts(plan, policy):
        if fact.kind not in ASSESSMENT_KINDS or fact.matter_id is None:
            continue
        pending_on = pending[fact.matter_id]
        if pending_on.year != year:
            continue
        counts = tally[half_of(pending_on), fact.kind]
        counts["total"] += 1
        counts["applicable"] += fact.voided_on is None
        if fact.met_on is not None:
            counts["in_time" if fact.met_on <= fact.due_on else "late"] += 1


def statistics_from_plans(
    plans: Iterable[CurrentPlan], *, year: int, policy: DeadlinePolicy = DEFAULT_POLICY
) -> YearStatistics:
    """The year's figures from every case's current plan (see the module's docstring)."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    children: set[str] = set()
    child_welfare_children: set[str] = set()
    new = opened = closed = 0
    ended: Counter[ClosureReason] = Counter()
    lengths: list[int] = []
    services: dict[ServiceKind, Counter[str]] = {kind: Counter() for kind in ServiceKind}
    deadlines: dict[tuple[int, DeadlineKind], Counter[str]] = {
        (half, kind): Counter() for half in (1, 2) for kind in ASSESSMENT_KINDS
    }
    for plan in plans:
        opened += _in(plan.opened_on, first, last)
        closed += _in(plan.closed_on, first, last)
        welfare_from = child_welfare_from(plan)
        for membership in plan.memberships:
            left_on, reason = membership.left_on, membership.left_reason
            new += _in(membership.joined_on, first, last)
            if left_on is not None and reason is not None and first <= left_on <= last:
                ended[reason] += 1
                lengths.append((left_on - membership.joined_on).days)
            if membership.joined_on > last or (left_on is not None and left_on < first):
                continue
            children.add(membership.child.id)
            if welfare_from is not None and welfare_from <= last and (
                left_on is None or left_on >= welfare_from
            ):
                child_welfare_children.add(membership.child.id)
        _count_services(plan, first, last, services)
        _count_deadlines(plan, year, policy, deadlines)
    return assemble(
        year,
        children=len(children),
        child_welfare_children=len(child_welfare_children),
        new_relationships=new,
        ended_by_reason=ended,
        cases_opened=opened,
        cases_closed=closed,
        services=services,
        deadlines=deadlines,
        lengths=sorted(lengths),
    )


def statistics_from_events(
    events: Iterable[CaseEvent], *, year: int, policy: DeadlinePolicy = DEFAULT_POLICY
) -> YearStatistics:
    """The year's figures folded from every case's events (the stored tables' counterpart).

    ``events`` are all the cases' events, each case's in recorded order (interleaved as
    in the notification log, or case after case).
    """
    return statistics_from_plans(plans_from_events(events), year=year, policy=policy)

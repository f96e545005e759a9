"""Caseload (asiakasmäärä): how many children each named worker has on a day, folded.

Each child in a client relationship on the day counts under their own named worker, or
under the family's named worker when the child has none. A child is in a relationship on
``on`` from the day they joined (or the case opened) until the day they left, that day
excluded: a child who left on ``on`` no longer counts. The child counts as a
child-welfare client when the case was under the Child Welfare Act on ``on``.
``over_limit`` says whether a worker's child-welfare children exceed the limit (LsL
417/2007 13 b §: at most 30 per responsible social worker from 2024; configurable).

The workers are the ones last recorded (the tables keep no worker history): for a past
day, a child whose worker was changed since counts under the new worker. See
docs/statistics.md.

:func:`caseload_from_events` is the pure fold; the stored tables give the same list with
SQL (:mod:`perhetyo.projections.sql.figures`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Annotated, Final

from pydantic import Field

from perhetyo.events import CaseEvent
from perhetyo.projections.current_plan import CurrentPlan
from perhetyo.projections.statistics import child_welfare_from, plans_from_events
from perhetyo.values import ValueModel

__all__ = [
    "DEFAULT_CASELOAD_LIMIT",
    "Caseload",
    "CaseloadLimit",
    "caseload_from_events",
    "caseload_from_plans",
    "caseloads",
]

DEFAULT_CASELOAD_LIMIT: Final = 30
"""At most 30 child-welfare client children per responsible social worker (LsL 13 b §)."""

CaseloadLimit = Annotated[int, Field(ge=0, le=10_000, strict=True)]
"""A caseload limit (asiakasmäärän yläraja): children per worker, 0 to 10,000."""

_Count = Annotated[int, Field(ge=0)]


class Caseload(ValueModel):
    """Caseload (asiakasmäärä) of one named worker on a day: children, cases, over the limit.

    ``children``: distinct children counted under the worker; ``child_welfare_children``
    those of them in a case under the Child Welfare Act on the day; ``cases``: distinct
    cases with a child counted under the worker; ``over_limit``: child-welfare children
    above the limit given (30 by default, LsL 13 b §).
    """

    worker_id: str
    children: _Count
    child_welfare_children: _Count
    cases: _Count
    over_limit: bool


def caseloads(
    rows: Iterable[tuple[str, int, int, int]], *, limit: int
) -> list[Caseload]:
    """Caseloads from ``(worker_id, children, child_welfare_children, cases)``, by worker id."""
    return [
        Caseload(
            worker_id=worker_id,
            children=children,
            child_welfare_children=welfare,
            cases=cases,
            over_limit=welfare > limit,
        )
        for worker_id, children, welfare, cases in sorted(rows)
    ]


def caseload_from_plans(
    plans: Iterable[CurrentPlan], *, on: date, limit: int = DEFAULT_CASELOAD_LIMIT
) -> list[Caseload]:
    """Each worker's caseload on ``on``, from every case's current plan."""
    children: dict[str, set[str]] = {}
    welfare: dict[str, set[str]] = {}
    cases: dict[str, set[str]] = {}
    for plan in plans:
        welfare_from = child_welfare_from(plan)
        under_child_welfare = welfare_from is not None and welfare_from <= on
        for membership in plan.memberships:
            if membership.joined_on > on or (
                membership.left_on is not None and membership.left_on <= on
            ):
                continue
            worker = (membership.worker or plan.named_worker).id
            child = membership.child.id
            children.setdefault(worker, set()).add(child)
            cases.setdefault(worker, set()).add(str(plan.case_id))
            welfare.setdefault(worker, set())
            if under_child_welfare:
                welfare[worker].add(child)
    return caseloads(
        (
            (worker, len(children[worker]), len(welfare[worker]), len(cases[worker]))
            for worker in children
        ),
        limit=limit,
    )


def caseload_from_events(
    events: Iterable[CaseEvent], *, on: date, limit: int = DEFAULT_CASELOAD_LIMIT
) -> list[Caseload]:
    """Each worker's caseload on ``on``, folded from every case's events."""
    return caseload_from_plans(plans_from_events(events), on=on, limit=limit)

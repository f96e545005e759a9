"""Figures from the stored tables (tilastoluvut tauluista): year statistics and caseloads.

The same figures as the folds of :mod:`perhetyo.projections.statistics` and
:mod:`perhetyo.projections.caseload`, counted with SQL (``COUNT``, ``SUM`` and ``GROUP
BY``, portable between SQLite and PostgreSQL) over the tables the runner keeps:
``perhetyo_cases``, ``perhetyo_child_memberships``, ``perhetyo_services``,
``perhetyo_decisions``, ``perhetyo_matters`` and ``perhetyo_deadlines``. Only
non-personal columns are read (ids, enums, dates and flags), and only counts leave: the
assembly (zeros, shares, the median) is the folds' own :func:`assemble`.

The deadlines table holds each deadline's due, met and void dates as the store's
:class:`~perhetyo.projections.DeadlinePolicy` set them; nothing here reckons a deadline.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Final

from sqlalchemy import ColumnElement, and_, case, distinct, func, or_, select

from perhetyo.persistence import storage_errors
from perhetyo.projections.caseload import Caseload, caseloads
from perhetyo.projections.sql.views import StoredViews
from perhetyo.projections.statistics import (
    ASSESSMENT_KINDS,
    YearStatistics,
    assemble,
)
from perhetyo.record_values import DecisionOutcome
from perhetyo.values import (
    ClosureReason,
    DeadlineKind,
    LegalBasis,
    ServiceKind,
    ServiceStatus,
)

__all__ = ["stored_caseload", "stored_statistics"]

_WHAT: Final = "the stored views"
_CHILD_WELFARE: Final = LegalBasis.CHILD_WELFARE_ACT.value


def _between(column: Any, first: date, last: date) -> ColumnElement[bool]:
    return and_(column >= first, column <= last)


def _flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """1 where ``condition`` holds, else 0 (to ``SUM``)."""
    return case((condition, 1), else_=0)


def _sum(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(_flag(condition)), 0)


def stored_statistics(views: StoredViews, year: int) -> YearStatistics:
    """The year's figures from the stored tables (read as they stand: catch them up first)."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    t = views.tables
    m, cs, sv, d = t.memberships, t.cases, t.services, t.decisions
    welfare_from = func.coalesce(cs.c.child_welfare_from, cs.c.opened_on)
    open_in_year = and_(m.c.joined_on <= last, or_(m.c.left_on.is_(None), m.c.left_on >= first))
    ended_in_year = and_(_between(m.c.left_on, first, last), m.c.left_reason.is_not(None))
    children = select(func.count(distinct(m.c.child_id))).where(open_in_year)
    welfare_children = (
        select(func.count(distinct(m.c.child_id)))
        .select_from(m.join(cs, m.c.case_id == cs.c.case_id))
        .where(
            open_in_year,
            cs.c.legal_basis == _CHILD_WELFARE,
            welfare_from <= last,
            or_(m.c.left_on.is_(None), m.c.left_on >= welfare_from),
        )
    )
    new = select(func.count()).select_from(m).where(_between(m.c.joined_on, first, last))
    ended = select(m.c.left_reason, func.count()).where(ended_in_year).group_by(m.c.left_reason)
    lengths = select(m.c.joined_on, m.c.left_on).where(ended_in_year)
    opened = select(func.count()).select_from(cs).where(_between(cs.c.opened_on, first, last))
    closed = select(func.count()).select_from(cs).where(_between(cs.c.closed_on, first, last))
    decided = (
        select(d.c.kind, func.count(), _sum(d.c.outcome != DecisionOutcome.DENIED.value))
        .where(_between(d.c.decided_on, first, last))
        .group_by(d.c.kind)
    )
    ended_service = _between(sv.c.ended_on, first, last)
    cancelled = sv.c.status == ServiceStatus.CANCELLED.value
    services = select(
        sv.c.kind,
        _sum(_between(sv.c.ordered_on, first, last)),
        _sum(_between(sv.c.started_on, first, last)),
        _sum(and_(ended_service, ~cancelled)),
        _sum(and_(ended_service, cancelled)),
    ).group_by(sv.c.kind)
    with storage_errors(_WHAT), views.reading() as conn:
        counts = {
            "children": conn.execute(children).scalar_one(),
            "child_welfare_children": conn.execute(welfare_children).scalar_one(),
            "new_relationships": conn.execute(new).scalar_one(),
            "cases_opened": conn.execute(opened).scalar_one(),
            "cases_closed": conn.execute(closed).scalar_one(),
        }
        by_reason = {ClosureReason(r): int(n) for r, n in conn.execute(ended).all()}
        days = sorted((left - joined).days for joined, left in conn.execute(lengths).all())
        tally: dict[ServiceKind, dict[str, int]] = {}
        for kind, n, granted in conn.execute(decided).all():
            tally.setdefault(ServiceKind(kind), {}).update(decided=int(n), granted=int(granted))
        for kind, ordered, started, ended_n, cancelled_n in conn.execute(services).all():
            tally.setdefault(ServiceKind(kind), {}).update(
                ordered=int(ordered),
                started=int(started),
                ended=int(ended_n),
                cancelled=int(cancelled_n),
            )
        deadlines = _deadline_tally(views, conn, first, last)
    return assemble(
        year,
        **{name: int(value) for name, value in counts.items()},
        ended_by_reason=by_reason,
        services=tally,
        deadlines=deadlines,
        lengths=days,
    )


def _deadline_tally(
    views: StoredViews, conn: Any, first: date, last: date
) -> dict[tuple[int, DeadlineKind], dict[str, int]]:
    """Per half-year of pending and kind: deadlines, applicable, met in time, met late."""
    dl, mt = views.tables.deadlines, views.tables.matters
    met = dl.c.met_on.is_not(None)
    halves = ((1, first, date(first.year, 6, 30)), (2, date(first.year, 7, 1), last))
    tally: dict[tuple[int, DeadlineKind], dict[str, int]] = {}
    for half, start, end in halves:  # one query per half: no parameters in GROUP BY
        query = (
            select(
                dl.c.kind,
                func.count(),
                _sum(dl.c.voided_on.is_(None)),
                _sum(and_(met, dl.c.met_on <= dl.c.due_on)),
                _sum(and_(met, dl.c.met_on > dl.c.due_on)),
            )
            .select_from(
                dl.join(mt, and_(dl.c.case_id == mt.c.case_id, dl.c.matter_id == mt.c.matter_id))
            )
            .where(
                dl.c.kind.in_([kind.value for kind in ASSESSMENT_KINDS]),
                _between(mt.c.pending_on, start, end),
            )
            .group_by(dl.c.kind)
        )
        for kind, total, applicable, in_time, late in conn.execute(query).all():
            tally[half, DeadlineKind(kind)] = {
                "total": int(total),
                "applicable": int(applicable),
                "in_time": int(in_time),
                "late": int(late),
            }
    return tally


def stored_caseload(views: StoredViews, on: date, limit: int) -> list[Caseload]:
    """Each worker's caseload on ``on`` from the stored tables (catch them up first)."""
    t = views.tables
    m, cs = t.memberships, t.cases
    worker = func.coalesce(m.c.worker_id, cs.c.named_worker_id)
    under_child_welfare = and_(
        cs.c.legal_basis == _CHILD_WELFARE,
        func.coalesce(cs.c.child_welfare_from, cs.c.opened_on) <= on,
    )
    query = (
        select(
            worker,
            func.count(distinct(m.c.child_id)),
            func.count(distinct(case((under_child_welfare, m.c.child_id), else_=None))),
            func.count(distinct(m.c.case_id)),
        )
        .select_from(m.join(cs, m.c.case_id == cs.c.case_id))
        .where(m.c.joined_on <= on, or_(m.c.left_on.is_(None), m.c.left_on > on))
        .group_by(worker)
    )
    with storage_errors(_WHAT), views.reading() as conn:
        rows = conn.execute(query).all()
    return caseloads(
        ((str(w), int(n), int(welfare), int(cases)) for w, n, welfare, cases in rows),
        limit=limit,
    )

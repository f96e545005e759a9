"""Case lookup (asiakkuuksien haku): which cases a child, a worker or a status has.

A lookup is one SQLAlchemy Core query over the stored tables, the same on SQLite and
PostgreSQL: the case rows of ``perhetyo_cases`` (status, dates, the family's named
worker) and the children now in each case from ``perhetyo_child_memberships`` (with each
child's own named worker). Only non-personal columns are read (ids, statuses, dates), so a
lookup works the same on an encrypted store, whose tables keep no names.

:class:`CaseSummary` is what a lookup returns; :meth:`CaseSummary.of` says what it is in
terms of the fold (:class:`~perhetyo.projections.CurrentPlan`), and a property test holds
the query equal to that fold over every case. Erased cases are never found: their
children are gone from the record (see docs/host-services.md).
"""

from __future__ import annotations

from datetime import date
from typing import Self
from uuid import UUID

from pydantic import model_validator
from sqlalchemy import Column, ColumnElement, Connection, Select, or_, select

from perhetyo.projections.current_plan import CurrentPlan
from perhetyo.projections.sql.schema import ViewTables
from perhetyo.values import BusinessDate, CaseStatus, Id, ValueModel

__all__ = ["CaseFilter", "CaseSummary", "find_case_summaries"]


class CaseSummary(ValueModel):
    """Case summary (asiakkuuden tiivistelmä): a found case's ids, status and dates.

    ``child_ids`` are the children in the case now, in the order they joined;
    ``worker_ids`` the family's named worker first, then the children's own named workers
    (in the same order, each once). Ids and dates only: nothing personal.
    """

    case_id: UUID
    status: CaseStatus
    opened_on: date
    closed_on: date | None = None
    child_ids: tuple[str, ...] = ()
    worker_ids: tuple[str, ...] = ()

    @classmethod
    def of(cls, plan: CurrentPlan) -> Self:
        """The summary of a case as its fold (``CurrentPlan``) leaves it."""
        current = [m for m in plan.memberships if m.left_on is None]
        workers = [plan.named_worker.id]
        workers += [m.worker.id for m in current if m.worker is not None]
        return cls(
            case_id=plan.case_id,
            status=plan.status,
            opened_on=plan.opened_on,
            closed_on=plan.closed_on,
            child_ids=tuple(m.child.id for m in current),
            worker_ids=tuple(dict.fromkeys(workers)),
        )


class CaseFilter(ValueModel):
    """Case filter (hakuehdot): what a lookup asks for; every given condition must hold.

    ``opened_between`` is a pair of dates, both included.
    """

    child_id: Id | None = None
    worker_id: Id | None = None
    status: CaseStatus | None = None
    opened_between: tuple[BusinessDate, BusinessDate] | None = None

    @model_validator(mode="after")
    def _ordered_range(self) -> Self:
        if self.opened_between is not None and self.opened_between[0] > self.opened_between[1]:
            raise ValueError("opened_between must be (earliest, latest), in that order")
        return self

    def matches(self, summary: CaseSummary) -> bool:
        """Whether a case's summary meets every condition (the fold's side of a lookup)."""
        if self.child_id is not None and self.child_id not in summary.child_ids:
            return False
        if self.worker_id is not None and self.worker_id not in summary.worker_ids:
            return False
        if self.status is not None and summary.status is not self.status:
            return False
        if self.opened_between is not None:
            earliest, latest = self.opened_between
            return earliest <= summary.opened_on <= latest
        return True


def _matching_cases(tables: ViewTables, wanted: CaseFilter) -> Select[tuple[str]]:
    """The ids of the cases that meet ``wanted`` (never an erased one), as a query.

    A child or a worker is looked up through ``IN (subquery)`` on the memberships' own
    indexes (child_id, worker_id), so a lookup does not scan every case.
    """
    cases, members = tables.cases, tables.memberships

    def current_members(column: Column[str], value: str) -> Select[tuple[str]]:
        return select(members.c.case_id).where(column == value, members.c.left_on.is_(None))

    conditions: list[ColumnElement[bool]] = [cases.c.erased_on.is_(None)]
    if wanted.status is not None:
        conditions.append(cases.c.status == wanted.status.value)
    if wanted.opened_between is not None:
        conditions.append(cases.c.opened_on.between(*wanted.opened_between))
    if wanted.child_id is not None:
        conditions.append(
            cases.c.case_id.in_(current_members(members.c.child_id, wanted.child_id))
        )
    if wanted.worker_id is not None:
        conditions.append(
            or_(
                cases.c.named_worker_id == wanted.worker_id,
                cases.c.case_id.in_(current_members(members.c.worker_id, wanted.worker_id)),
            )
        )
    return select(cases.c.case_id).where(*conditions)


def find_case_summaries(
    conn: Connection, tables: ViewTables, wanted: CaseFilter
) -> list[CaseSummary]:
    """The summaries of the cases that meet ``wanted``, by opening date then case id.

    Two queries whatever the number of cases: the case rows, then the children now in
    them (a subquery names the cases, so no list of ids is sent).
    """
    cases, members = tables.cases, tables.memberships
    found = _matching_cases(tables, wanted)
    rows = conn.execute(
        select(
            cases.c.case_id,
            cases.c.status,
            cases.c.opened_on,
            cases.c.closed_on,
            cases.c.named_worker_id,
        )
        .where(cases.c.case_id.in_(found))
        .order_by(cases.c.opened_on, cases.c.case_id)
    ).all()
    children: dict[str, list[str]] = {}
    workers: dict[str, list[str]] = {}
    for member in conn.execute(
        select(members.c.case_id, members.c.child_id, members.c.worker_id)
        .where(members.c.left_on.is_(None), members.c.case_id.in_(found))
        .order_by(members.c.case_id, members.c.position)
    ):
        children.setdefault(member.case_id, []).append(member.child_id)
        if member.worker_id is not None:
            workers.setdefault(member.case_id, []).append(member.worker_id)
    return [
        CaseSummary.trusted(
            case_id=UUID(row.case_id),
            status=CaseStatus(row.status),
            opened_on=row.opened_on,
            closed_on=row.closed_on,
            child_ids=tuple(children.get(row.case_id, ())),
            worker_ids=tuple(dict.fromkeys([row.named_worker_id, *workers.get(row.case_id, ())])),
        )
        for row in rows
    ]

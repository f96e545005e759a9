"""Tilastot ja asiakasmäärät (statistics and caseloads): figures over every case, stored.

Both read the stored tables after catching them up (read-your-writes: every command that
has returned is counted), and both give counts only.

Neither is logged in the access log, by decision (docs/statistics.md): the log records
uses of a client's data per case (asiakastietolaki 703/2023 § 11), and these reads show
no case, no client and no worker's client list: a year's figures are totals over the
county, a caseload is a worker id and four numbers. A read that shows cases (for
example :meth:`~perhetyo.application.deadlines.DeadlineReads.overdue`) logs one entry
per case it shows; these show none. ``actor`` and ``purpose`` are still required and
checked like any read's, so a host can hold its callers to them.
"""

from __future__ import annotations

from datetime import date

from perhetyo.access import Purpose
from perhetyo.application.stored import StoredProjectionCalls
from perhetyo.errors import InvalidCommandError
from perhetyo.projections.caseload import DEFAULT_CASELOAD_LIMIT, Caseload, CaseloadLimit
from perhetyo.projections.sql.figures import stored_caseload, stored_statistics
from perhetyo.projections.statistics import StatisticsYear, YearStatistics
from perhetyo.time import today_in
from perhetyo.values import Actor, BusinessDate, ValueModel

__all__ = ["FigureReads", "ReadCaseload", "ReadStatistics"]


class ReadStatistics(ValueModel):
    """Read a year's statistics (lue vuositilasto): who reads, which year, why."""

    actor: Actor
    year: StatisticsYear
    purpose: Purpose | None = None


class ReadCaseload(ValueModel):
    """Read the caseloads (lue asiakasmäärät): who reads, on which day, against which limit."""

    actor: Actor
    on: BusinessDate
    limit: CaseloadLimit = DEFAULT_CASELOAD_LIMIT
    purpose: Purpose | None = None


class FigureReads(StoredProjectionCalls):
    """Tilastot ja asiakasmäärät (statistics and caseloads) from the stored tables."""

    def statistics(
        self, *, year: int, actor: Actor, purpose: str | None = None
    ) -> YearStatistics:
        """The year's THL-style figures (docs/statistics.md); zeros for a year with no cases.

        A bad ``year`` (not an int from 1900 to 2999, or a year not yet begun: its
        figures would count relationships open today as open then) raises
        InvalidCommandError; the current year gives its figures so far.
        """
        read = ReadStatistics(actor=actor, year=year, purpose=purpose)
        if read.year > today_in(self.now()).year:
            raise InvalidCommandError(
                "ReadStatistics",
                [{"type": "future_year", "loc": ("year",), "msg": "the year has not begun"}],
            )
        self.update_projections()
        return stored_statistics(self.stored_views, read.year)

    def caseload(
        self,
        *,
        on: date,
        actor: Actor,
        purpose: str | None = None,
        limit: int = DEFAULT_CASELOAD_LIMIT,
    ) -> list[Caseload]:
        """Each named worker's caseload on ``on``, by worker id (docs/statistics.md).

        ``over_limit`` is set where a worker's child-welfare children exceed ``limit``
        (30 by default: LsL 417/2007 13 b §).
        """
        read = ReadCaseload(actor=actor, on=on, limit=limit, purpose=purpose)
        self.update_projections()
        return stored_caseload(self.stored_views, read.on, read.limit)

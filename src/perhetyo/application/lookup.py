"""Case lookup (asiakkuuksien haku): find cases by child, worker, status and opening date.

``find_cases`` answers from the stored tables (:mod:`perhetyo.projections.sql.lookup`),
caught up first, so every command that has returned is seen (read-your-writes). A lookup
is a read of every case it shows: one access-log entry per case found, committed before
the summaries are returned (asiakastietolaki 703/2023 § 11), as ``AccessAction.FIND``.
"""

from __future__ import annotations

from datetime import date

from perhetyo import telemetry
from perhetyo.access import AccessAction, Purpose
from perhetyo.application.stored import StoredProjectionCalls
from perhetyo.persistence import storage_errors
from perhetyo.projections.sql.lookup import CaseFilter, CaseSummary, find_case_summaries
from perhetyo.values import Actor, CaseStatus

__all__ = ["FindCases", "LookupCalls"]


class FindCases(CaseFilter):
    """Find cases (hae asiakkuudet): who looks, why, and the conditions (all must hold)."""

    actor: Actor
    purpose: Purpose | None = None

    def conditions(self) -> CaseFilter:
        """The conditions alone, without the reader."""
        return CaseFilter(
            child_id=self.child_id,
            worker_id=self.worker_id,
            status=self.status,
            opened_between=self.opened_between,
        )


class LookupCalls(StoredProjectionCalls):
    """Asiakkuuksien haku (case lookup): find cases without writing SQL of one's own."""

    def find_cases(
        self,
        *,
        actor: Actor,
        purpose: str | None = None,
        child_id: str | None = None,
        worker_id: str | None = None,
        status: CaseStatus | None = None,
        opened_between: tuple[date, date] | None = None,
    ) -> list[CaseSummary]:
        """The cases that meet every condition given, by opening date, then case id.

        ``child_id``: a child in the case now; ``worker_id``: the family's named worker or
        a child's own; ``status``: a :class:`~perhetyo.CaseStatus`; ``opened_between``:
        ``(earliest, latest)``, both included. With no condition, every case. Erased cases
        are never found. The stored projections are caught up first, so a command that has
        returned is seen; one access-log entry is written for each case found.
        """
        with telemetry.read_span("find") as span:
            read = FindCases(
                actor=actor,
                purpose=purpose,
                child_id=child_id,
                worker_id=worker_id,
                status=status,
                opened_between=opened_between,
            )
            self.update_projections()
            views = self.stored_views
            with storage_errors("the stored views"), views.reading() as conn:
                found = find_case_summaries(conn, views.tables, read.conditions())
            # A read over many cases: one entry for each case it shows (docs/access-log.md).
            self._log_access(
                [summary.case_id for summary in found], read.actor, AccessAction.FIND, read.purpose
            )
            span.found(len(found))
            return found

"""Arkistointi (records keeping): which closed cases' retention has ended.

``retention_due`` reads the stored tables (legal basis, status and closing date: no
personal column) after catching the stored projections up, so a case closed a moment ago
is seen (read-your-writes). The policy is :class:`perhetyo.retention.RetentionPolicy`,
given as ``FamilyCases(..., retention_policy=...)``.
"""

from __future__ import annotations

from datetime import date

from perhetyo.application.stored import StoredProjectionCalls
from perhetyo.retention import RetentionDue, RetentionPolicy, RetentionQuery
from perhetyo.values import Actor, LegalBasis

__all__ = ["RecordsKeepingCalls"]


class RecordsKeepingCalls(StoredProjectionCalls):
    """Arkistointi (records keeping): ``retention_due`` under the store's retention policy."""

    @property
    def retention_policy(self) -> RetentionPolicy:
        """The retention policy (the defaults unless ``retention_policy`` was given)."""
        return self._retention_policy

    def retention_due(self, *, actor: Actor, on: date) -> list[RetentionDue]:
        """Closed cases whose retention has ended by ``on`` (due on or before it).

        In closing-date order; ids, legal bases and dates only. A legal basis whose
        retention is ``None`` (child welfare by default) is never listed.
        """
        query = RetentionQuery(actor=actor, on=on)
        policy = self.retention_policy
        kept = [years for years in policy.years_after_closing.values() if years is not None]
        if not kept:
            return []
        self.update_projections()
        closed_by = _years_before(query.on, min(kept))
        due: list[RetentionDue] = []
        for case_id, basis_value, closed_on in self.stored_views.closed_cases(closed_by):
            legal_basis = LegalBasis(basis_value)
            due_on = policy.due_on(legal_basis, closed_on)
            if due_on is not None and due_on <= query.on:
                due.append(RetentionDue(case_id, legal_basis, closed_on, due_on))
        return due


def _years_before(day: date, years: int) -> date:
    """A closing date no case due on ``day`` can be later than (29 February: 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return date(day.year - years, 2, 28)

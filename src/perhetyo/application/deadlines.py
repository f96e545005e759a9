"""Määräajat (statutory deadlines): one case's, live; every case's overdue ones, stored.

Both follow the store's :class:`~perhetyo.projections.DeadlinePolicy` (``FamilyCases(...,
deadline_policy=...)``). The status of a deadline depends on the day asked about: the
stored table keeps due, met and void dates, and the status is computed when read.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from perhetyo import commands as c
from perhetyo.access import AccessAction
from perhetyo.application.stored import StoredProjectionCalls
from perhetyo.projections import Deadline
from perhetyo.projections.deadlines import deadlines_for_events
from perhetyo.values import Actor

__all__ = ["DeadlineReads"]


class DeadlineReads(StoredProjectionCalls):
    """Määräajat (statutory deadlines): one case's, live; every case's overdue ones."""

    def deadlines(
        self, case_id: UUID, *, actor: Actor, on: date, purpose: str | None = None
    ) -> list[Deadline]:
        """The case's deadlines and where each stands on ``on`` (folded from its events)."""
        read = c.ReadDeadlines(actor=actor, on=on, purpose=purpose)
        events = self._read(
            case_id, read.actor, read.purpose, None, None, action=AccessAction.DEADLINES
        )
        return deadlines_for_events(events, on=read.on, policy=self._deadline_policy)

    def overdue(self, *, actor: Actor, on: date, purpose: str | None = None) -> list[Deadline]:
        """Every case's deadlines overdue on ``on``, from the stored tables.

        The stored projections are caught up first, so every command that has returned
        is seen. Ordered by due date, then case.
        """
        read = c.ReadDeadlines(actor=actor, on=on, purpose=purpose)
        self.update_projections()
        found = self.stored_views.overdue(read.on)
        # A read over many cases: one entry for each case it shows (docs/access-log.md).
        self._log_access(
            list(dict.fromkeys(d.case_id for d in found)),
            read.actor,
            AccessAction.OVERDUE,
            read.purpose,
        )
        return found

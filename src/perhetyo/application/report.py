"""Asiakasraportti (the case report): one read of a case, folded for printing.

``case_report`` reads the case once, through :meth:`CasesCore._read` (one access-log entry,
``AccessAction.REPORT``, committed before anything is returned), and folds the events into
a :class:`~perhetyo.projections.CaseReport`: the plan, each goal's timeline, the services,
the deadlines on the report's day and the audit trail. Drawing it as a page is the
reporting room's work (:func:`perhetyo.reporting.render_case_report`); the application
does not import it.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from perhetyo import commands as c
from perhetyo.access import AccessAction
from perhetyo.application.core import CasesCore
from perhetyo.errors import CaseNotFoundError
from perhetyo.projections import CaseReport
from perhetyo.projections.case_report import case_report
from perhetyo.time import today_in
from perhetyo.values import Actor

__all__ = ["ReportReads"]


class ReportReads(CasesCore):
    """Asiakasraportti (the case report): one read of a case, folded for printing."""

    def case_report(
        self,
        case_id: UUID,
        *,
        actor: Actor,
        on: date | None = None,
        purpose: str | None = None,
    ) -> CaseReport:
        """The case report (asiakasraportti) on ``on``: one read of the case, logged once.

        Without ``on``, the report is of everything recorded, with the deadlines' status
        today (in Helsinki). With ``on``, it shows what had happened by that day (the
        events dated on or before it, as ``as_of`` does) and the deadlines' status then;
        before the case opened the case is not found (:class:`CaseNotFoundError`). An
        erased case raises :class:`~perhetyo.errors.CaseErasedError`.
        """
        day = today_in(self.now()) if on is None else on
        read = c.ReadDeadlines(actor=actor, on=day, purpose=purpose)  # the day's shape
        events = self._read(case_id, read.actor, purpose, on, None, action=AccessAction.REPORT)
        report = case_report(events, on=read.on, policy=self._deadline_policy)
        if report is None:  # _read returns only a stream that begins with its opening
            raise CaseNotFoundError(case_id)
        return report

"""Omatyöntekijä (the named worker): who may be assigned, and when."""

from __future__ import annotations

from datetime import datetime

from perhetyo.aggregates.state import CaseState, applies, check_worker, decides
from perhetyo.commands import AssignNamedWorker
from perhetyo.errors import OutOfOrderError
from perhetyo.events import NamedWorkerAssigned

__all__ = ["WorkerRules"]


class WorkerRules(CaseState):
    """Omatyöntekijä (the named worker): who may be assigned, and when."""

    __slots__ = ()

    # --- the named worker ---------------------------------------------------------------

    @decides(AssignNamedWorker)
    def assign_named_worker(self, command: AssignNamedWorker, now: datetime) -> None:
        """Assign a named worker (nimeä omatyöntekijä)."""
        self._check_open()
        self._check_happened("assigned_on", command.assigned_on, now)
        check_worker(command.worker, self.legal_basis)
        if command.assigned_on < self.worker_assigned_on:
            raise OutOfOrderError("assigned_on is before the previous assignment")
        self._record(
            NamedWorkerAssigned,
            command,
            now,
            worker=command.worker,
            assigned_on=command.assigned_on,
            reason=command.reason,
        )

    @applies(NamedWorkerAssigned)
    def _worker_assigned(self, event: NamedWorkerAssigned) -> None:
        self.worker_assigned_on = event.assigned_on
        self.worker_profession = event.worker.profession

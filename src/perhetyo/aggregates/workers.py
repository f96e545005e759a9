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
        """Assign a named worker (nimeä omatyöntekijä): the case's, or one child's own.

        A child's own worker must be as qualified as the case's; the child must be in the
        case, and the date not before the child's previous step.
        """
        self._check_open()
        self._check_happened("assigned_on", command.assigned_on, now)
        child_id = command.child_id
        if child_id is not None:
            self._check_child(child_id)
        check_worker(command.worker, self.legal_basis)
        if child_id is None and command.assigned_on < self.worker_assigned_on:
            raise OutOfOrderError("assigned_on is before the previous assignment")
        if child_id is not None and command.assigned_on < self.child_since[child_id]:
            raise OutOfOrderError(
                f"assigned_on is before child {child_id}'s joining or previous assignment"
            )
        self._record(
            NamedWorkerAssigned,
            command,
            now,
            worker=command.worker,
            assigned_on=command.assigned_on,
            reason=command.reason,
            child_id=child_id,
        )

    @applies(NamedWorkerAssigned)
    def _worker_assigned(self, event: NamedWorkerAssigned) -> None:
        if event.child_id is None:
            self.worker_assigned_on = event.assigned_on
            self.worker_profession = event.worker.profession
            return
        self.child_workers[event.child_id] = event.worker
        self.child_since[event.child_id] = event.assigned_on

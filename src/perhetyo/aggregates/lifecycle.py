"""Asiakkuuden alku ja loppu (opening and closing a case): the rules of both ends."""

from __future__ import annotations

from datetime import datetime
from typing import Self
from uuid import UUID

from perhetyo.aggregates.state import CaseState, Matter, applies, check_worker, decides
from perhetyo.commands import CloseCase, OpenCase
from perhetyo.errors import ClosureIncompleteError, DateOutOfRangeError, OutOfOrderError
from perhetyo.events import CaseClosed, CaseOpened, opening_matter_id
from perhetyo.time import today_in
from perhetyo.values import CaseStatus, ServiceStatus, ServiceTask

__all__ = ["CaseLifecycle"]


class CaseLifecycle(CaseState):
    """Asiakkuuden alku ja loppu (opening and closing a case): the rules of both ends."""

    __slots__ = ()

    # --- opening ------------------------------------------------------------------------

    @classmethod
    def open(cls, command: OpenCase, *, case_id: UUID, now: datetime) -> Self:
        """Open a case (aloita asiakkuus): the named worker's profession, the opening date."""
        check_worker(command.named_worker, command.legal_basis)
        if command.opened_on > today_in(now):
            raise DateOutOfRangeError("opened_on is in the future")
        pending_on = command.opened_on if command.pending_on is None else command.pending_on
        if pending_on > command.opened_on:
            raise DateOutOfRangeError("pending_on is after opened_on")
        case = cls(id=case_id)
        case._record(
            CaseOpened,
            command,
            now,
            children=command.children,
            guardians=command.guardians,
            legal_basis=command.legal_basis,
            service_task=command.service_task or ServiceTask.default_for(command.legal_basis),
            opened_on=command.opened_on,
            named_worker=command.named_worker,
            previous_case_id=command.previous_case_id,
            pending_on=pending_on,
            initiated_by=command.initiated_by,
            special_support=command.special_support,
            urgent=command.urgent,
        )
        return case

    @applies(CaseOpened)
    def _opened(self, event: CaseOpened) -> None:
        self.legal_basis = event.legal_basis
        self.opened_on = event.opened_on
        self.worker_assigned_on = event.opened_on
        self.children = frozenset(child.id for child in event.children)
        self.child_since = dict.fromkeys(self.children, event.opened_on)
        self.worker_profession = event.named_worker.profession
        self.matters[opening_matter_id(event.originator_id)] = Matter(event.pending_on)

    # --- closing ------------------------------------------------------------------------

    @decides(CloseCase)
    def close_case(self, command: CloseCase, now: datetime) -> None:
        """Close the case (päätä asiakkuus): services ended, every child heard on the ending."""
        self._check_open()
        self._check_happened("closed_on", command.closed_on, now)
        if command.closed_on < self.latest_on:
            raise OutOfOrderError("closed_on is before an event already recorded in the case")
        running = sorted(
            str(service_id)
            for service_id in self.services_in(ServiceStatus.ORDERED, ServiceStatus.ACTIVE)
        )
        if running:
            raise ClosureIncompleteError(f"services still ordered or active: {', '.join(running)}")
        given = set(command.child_views) | set(command.not_heard_reasons)
        for child_id in sorted(given):
            self._check_child(child_id)
        missing = sorted(self.children - given)
        if missing:
            raise ClosureIncompleteError(
                f"no view or not-heard reason for children: {', '.join(missing)}"
            )
        self._record(
            CaseClosed,
            command,
            now,
            closed_on=command.closed_on,
            reason=command.reason,
            child_views=command.child_views,
            not_heard_reasons=command.not_heard_reasons,
            successor=command.successor,
        )

    @applies(CaseClosed)
    def _closed(self, event: CaseClosed) -> None:
        self.status = CaseStatus.CLOSED

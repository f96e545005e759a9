"""Asiakkuuden komennot (opening, staffing and closing a case): the facade's calls."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

from perhetyo import commands as c
from perhetyo.aggregates.case import FamilyCase
from perhetyo.application.core import CasesCore
from perhetyo.values import (
    Actor,
    ClosureReason,
    Initiation,
    LegalBasis,
    NamedWorker,
    PersonRef,
    ServiceTask,
    Successor,
)

__all__ = ["CaseCalls"]


class CaseCalls(CasesCore):
    """Asiakkuuden komennot (opening, staffing and closing a case): the facade's calls."""

    def open_case(
        self,
        *,
        children: Sequence[PersonRef],
        legal_basis: LegalBasis,
        named_worker: NamedWorker,
        opened_on: date,
        actor: Actor,
        guardians: Sequence[PersonRef] = (),
        service_task: ServiceTask | None = None,
        previous_case_id: UUID | None = None,
        request_id: str | None = None,
        pending_on: date | None = None,
        initiated_by: Initiation | None = None,
        special_support: bool = False,
        urgent: bool = False,
    ) -> UUID:
        """Open a client relationship (asiakkuus alkoi); returns the new case id.

        The opening is the case's first matter: ``pending_on`` (vireilletulopäivä, default
        ``opened_on``, never after it), how it became pending, whether a child needs
        special support and whether it is urgent.
        """
        command = c.OpenCase(
            children=children,
            guardians=guardians,
            legal_basis=legal_basis,
            named_worker=named_worker,
            opened_on=opened_on,
            service_task=service_task,
            previous_case_id=previous_case_id,
            pending_on=pending_on,
            initiated_by=initiated_by,
            special_support=special_support,
            urgent=urgent,
            actor=actor,
            request_id=request_id,
        )
        return self._open(command)

    def assign_named_worker(
        self,
        case_id: UUID,
        *,
        worker: NamedWorker,
        assigned_on: date,
        reason: str,
        actor: Actor,
        child_id: str | None = None,
        request_id: str | None = None,
    ) -> None:
        """Assign a named worker (omatyöntekijä nimetty); with ``child_id``, that child's
        own named worker."""
        command = c.AssignNamedWorker(
            case_id=case_id,
            worker=worker,
            assigned_on=assigned_on,
            reason=reason,
            child_id=child_id,
            actor=actor,
            request_id=request_id,
        )
        self._decide(command, FamilyCase.assign_named_worker)

    def close_case(
        self,
        case_id: UUID,
        *,
        closed_on: date,
        reason: ClosureReason,
        actor: Actor,
        child_views: dict[str, str] | None = None,
        not_heard_reasons: dict[str, str] | None = None,
        successor: Successor | None = None,
        request_id: str | None = None,
    ) -> None:
        """Close the relationship (asiakkuus päättyi), with every child's view of it."""
        command = c.CloseCase(
            case_id=case_id,
            closed_on=closed_on,
            reason=reason,
            child_views=child_views or {},
            not_heard_reasons=not_heard_reasons or {},
            successor=successor,
            actor=actor,
            request_id=request_id,
        )
        self._decide(command, FamilyCase.close_case)

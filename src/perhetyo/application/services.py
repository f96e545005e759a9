"""Palvelut (services): the facade's calls."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

from perhetyo import commands as c
from perhetyo.aggregates.case import FamilyCase
from perhetyo.application.core import CasesCore
from perhetyo.values import (
    Actor,
    ServiceKind,
)

__all__ = ["ServiceCalls"]


class ServiceCalls(CasesCore):
    """Palvelut (services): the facade's calls."""

    def order_service(
        self,
        case_id: UUID,
        *,
        kind: ServiceKind,
        provider: str,
        ordered_on: date,
        actor: Actor,
        goal_ids: Sequence[UUID] = (),
        decision_id: UUID | None = None,
        request_id: str | None = None,
    ) -> UUID:
        """Order a service (palvelu tilattu); returns the service id.

        ``decision_id``: the service decision granting it, which must be this case's,
        granted (in whole or in part), of the same kind and valid on ``ordered_on``.
        """
        command = c.OrderService(
            case_id=case_id,
            kind=kind,
            provider=provider,
            ordered_on=ordered_on,
            goal_ids=goal_ids,
            decision_id=decision_id,
            actor=actor,
            request_id=request_id,
        )
        return self._decide(command, FamilyCase.order_service)

    def start_service(
        self,
        case_id: UUID,
        service_id: UUID,
        *,
        started_on: date,
        actor: Actor,
        request_id: str | None = None,
    ) -> None:
        """Record that a service started (palvelu alkoi)."""
        command = c.StartService(
            case_id=case_id,
            service_id=service_id,
            started_on=started_on,
            actor=actor,
            request_id=request_id,
        )
        self._decide(command, FamilyCase.start_service)

    def end_service(
        self,
        case_id: UUID,
        service_id: UUID,
        *,
        ended_on: date,
        reason: str,
        actor: Actor,
        request_id: str | None = None,
    ) -> None:
        """End a service (palvelu päättyi); one that never started is cancelled."""
        command = c.EndService(
            case_id=case_id,
            service_id=service_id,
            ended_on=ended_on,
            reason=reason,
            actor=actor,
            request_id=request_id,
        )
        self._decide(command, FamilyCase.end_service)

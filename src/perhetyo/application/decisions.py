"""Palvelupäätökset (service decisions): the facade's calls."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

from perhetyo import commands as c
from perhetyo.aggregates.case import FamilyCase
from perhetyo.application.core import CasesCore
from perhetyo.record_values import DecisionOutcome
from perhetyo.values import Actor, NamedWorker, ServiceKind

__all__ = ["DecisionCalls"]


class DecisionCalls(CasesCore):
    """Palvelupäätökset (service decisions): the facade's calls."""

    def decide_service(
        self,
        case_id: UUID,
        *,
        kind: ServiceKind,
        outcome: DecisionOutcome,
        decided_on: date,
        legal_sections: Sequence[str],
        reasoning: str,
        decision_maker: NamedWorker,
        actor: Actor,
        valid_from: date | None = None,
        valid_until: date | None = None,
        hours_per_month: int | None = None,
        request_id: str | None = None,
    ) -> UUID:
        """Decide on a service (palvelusta päätetty); returns the decision id.

        An order of the service may then cite it (``order_service(..., decision_id=...)``).
        """
        command = c.DecideService(
            case_id=case_id,
            kind=kind,
            outcome=outcome,
            decided_on=decided_on,
            legal_sections=legal_sections,
            reasoning=reasoning,
            decision_maker=decision_maker,
            valid_from=valid_from,
            valid_until=valid_until,
            hours_per_month=hours_per_month,
            actor=actor,
            request_id=request_id,
        )
        return self._decide(command, FamilyCase.decide_service)

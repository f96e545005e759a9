"""Palvelupäätökset (service decisions): a service granted or denied, and what an order may cite."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from perhetyo.aggregates.state import CaseState, Decision, applies, decides
from perhetyo.commands import DecideService
from perhetyo.errors import DecisionNotApplicableError, OutOfOrderError
from perhetyo.events import ServiceDecided
from perhetyo.values import ServiceKind

__all__ = ["DecisionRules"]


class DecisionRules(CaseState):
    """Palvelupäätökset (service decisions): a service granted or denied by a decision."""

    __slots__ = ()

    @decides(DecideService)
    def decide_service(self, command: DecideService, now: datetime) -> UUID:
        """Decide on a service (tee palvelupäätös); returns the decision id.

        Its validity period is checked by the command's shape (``valid_until`` not before
        ``valid_from``); the decision date is a date that happened in the case.
        """
        self._check_open()
        self._check_happened("decided_on", command.decided_on, now)
        event = self._record(
            ServiceDecided,
            command,
            now,
            decision_id=self.new_id(),
            kind=command.kind,
            outcome=command.outcome,
            decided_on=command.decided_on,
            legal_sections=command.legal_sections,
            reasoning=command.reasoning,
            decision_maker=command.decision_maker,
            valid_from=command.valid_from,
            valid_until=command.valid_until,
            hours_per_month=command.hours_per_month,
        )
        return event.decision_id

    @applies(ServiceDecided)
    def _service_decided(self, event: ServiceDecided) -> None:
        self.decisions[event.decision_id] = Decision(
            kind=event.kind,
            outcome=event.outcome,
            decided_on=event.decided_on,
            valid_from=event.valid_from,
            valid_until=event.valid_until,
        )

    def _check_decision_covers(self, decision_id: UUID, kind: ServiceKind, on: date) -> None:
        """An order citing ``decision_id``: this case's, granting ``kind``, valid ``on``."""
        decision = self._decision(decision_id)
        if not decision.outcome.grants:
            raise DecisionNotApplicableError(f"decision {decision_id} denied the service")
        if decision.kind is not kind:
            raise DecisionNotApplicableError(
                f"decision {decision_id} is about {decision.kind.value}, not {kind.value}"
            )
        if on < decision.decided_on:
            raise OutOfOrderError(f"decision {decision_id} was made after ordered_on")
        if decision.valid_from is not None and on < decision.valid_from:
            raise DecisionNotApplicableError(f"decision {decision_id} is not yet valid then")
        if decision.valid_until is not None and on > decision.valid_until:
            raise DecisionNotApplicableError(f"decision {decision_id} had expired by then")

"""Decision events (palvelupäätökset): a service granted or denied by a decision.

A service decision (lapsiperheiden palvelupäätös, Kanta's PP structure) says which service
was applied for, the outcome, the sections of law it rests on, its reasoning, who decided
and how long it is valid. A service order may cite it (``ServiceOrdered.decision_id``).
"""

from __future__ import annotations

from uuid import UUID

from perhetyo.events.base import CaseEvent, Summary
from perhetyo.record_values import DecisionOutcome
from perhetyo.values import BusinessDate, NamedWorker, ServiceKind
from perhetyo.values import finnish_label as fi

__all__ = ["ServiceDecided"]


class ServiceDecided(CaseEvent):
    """Service decided (palvelusta päätetty): a decision granting or denying a service."""

    TOPIC = "perhetyo.ServiceDecided.v1"
    LABEL_FI = "Palvelusta päätetty"
    LABEL_EN = "Service decided"
    LABEL_SV = "Beslut om tjänst fattat"
    DATE_FIELD = "decided_on"

    decision_id: UUID
    kind: ServiceKind
    outcome: DecisionOutcome
    decided_on: BusinessDate
    legal_sections: tuple[str, ...]
    reasoning: str
    decision_maker: NamedWorker
    valid_from: BusinessDate | None = None
    valid_until: BusinessDate | None = None
    hours_per_month: int | None = None

    def describe(self) -> Summary:
        """The kind, the outcome and the decision's id (never its reasoning)."""
        return Summary(
            f"{fi(self.kind)}: {fi(self.outcome)} päätös (päätös {self.decision_id}), "
            f"lainkohtia {len(self.legal_sections)}",
            f"{self.kind.value}: {self.outcome.value} (decision {self.decision_id}), "
            f"{len(self.legal_sections)} legal sections",
        )

    def result(self) -> UUID:
        """``decide_service`` returns the decision id."""
        return self.decision_id

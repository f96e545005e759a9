"""Values of the statutory records (asiakirjojen arvot): decisions, contacts, planned services.

What THL's national document structures (``../shared/kanta``) record beside the case's own
values (:mod:`perhetyo.values`): the outcome of a service decision (palvelupäätöksen
ratkaisu, PP), how a meeting or contact took place (asiointitapa, TAP/NEU/PER) and a
service the client plan plans (suunniteltu palvelu, LPS). Their Finnish and Swedish labels
join the shared tables of :mod:`perhetyo.values`, so ``finnish_label`` and
``swedish_label`` know them.

The national code sets (ratkaisun laji 1.2.246.537.6.1248, asiointitapa
1.2.246.537.6.1250) are not copied: their code values come from the national code server,
and a host maps these members to them.
"""

from __future__ import annotations

from enum import StrEnum

from perhetyo.values import (
    FINNISH_LABELS,
    SWEDISH_LABELS,
    BusinessDate,
    ServiceKind,
    ShortText,
    Text,
    ValueModel,
)

__all__ = ["ContactChannel", "DecisionOutcome", "PlannedService"]


class DecisionOutcome(StrEnum):
    """Outcome of a service decision (ratkaisu): granted, partly granted or denied."""

    GRANTED = "granted"
    PARTLY_GRANTED = "partly_granted"
    DENIED = "denied"

    @property
    def grants(self) -> bool:
        """Whether the decision grants the service (in whole or in part)."""
        return self is not DecisionOutcome.DENIED


class ContactChannel(StrEnum):
    """How a meeting or contact took place (asiointitapa)."""

    IN_PERSON = "in_person"
    PHONE = "phone"
    VIDEO = "video"
    MESSAGE = "message"
    OTHER = "other"


class PlannedService(ValueModel):
    """A service the client plan plans (suunniteltu palvelu): its kind, a description, and
    when it is estimated to start and how long it lasts (free text, as in Kanta: "3 kk")."""

    kind: ServiceKind
    description: Text | None = None
    estimated_start: BusinessDate | None = None
    estimated_duration: ShortText | None = None


FINNISH_LABELS[DecisionOutcome] = {
    DecisionOutcome.GRANTED: "myönteinen",
    DecisionOutcome.PARTLY_GRANTED: "osittain myönteinen",
    DecisionOutcome.DENIED: "kielteinen",
}
FINNISH_LABELS[ContactChannel] = {
    ContactChannel.IN_PERSON: "tapaaminen kasvokkain",
    ContactChannel.PHONE: "puhelin",
    ContactChannel.VIDEO: "etäyhteys",
    ContactChannel.MESSAGE: "viesti",
    ContactChannel.OTHER: "muu",
}
SWEDISH_LABELS[DecisionOutcome] = {
    DecisionOutcome.GRANTED: "positivt",
    DecisionOutcome.PARTLY_GRANTED: "delvis positivt",
    DecisionOutcome.DENIED: "negativt",
}
SWEDISH_LABELS[ContactChannel] = {
    ContactChannel.IN_PERSON: "personligt möte",
    ContactChannel.PHONE: "telefon",
    ContactChannel.VIDEO: "distansförbindelse",
    ContactChannel.MESSAGE: "meddelande",
    ContactChannel.OTHER: "annat",
}

"""Service events (palvelut): services ordered from producers, started and ended."""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from perhetyo.events.base import CaseEvent, Summary
from perhetyo.values import BusinessDate, ServiceKind
from perhetyo.values import finnish_label as fi

__all__ = ["ServiceEnded", "ServiceOrdered", "ServiceStarted"]


class ServiceOrdered(CaseEvent):
    """Service ordered (palvelu tilattu) from a producer, for some of the case's goals.

    Version 2 added ``decision_id``: the service decision the order rests on, if any.
    """

    TOPIC = "perhetyo.ServiceOrdered.v1"
    LABEL_FI = "Palvelu tilattu"
    LABEL_EN = "Service ordered"
    LABEL_SV = "Tjänst beställd"
    DATE_FIELD = "ordered_on"
    class_version: ClassVar[int] = 2

    service_id: UUID
    kind: ServiceKind
    provider: str
    ordered_on: BusinessDate
    goal_ids: tuple[UUID, ...] = ()
    decision_id: UUID | None = None

    @staticmethod
    def upcast_v1_v2(state: dict[str, object]) -> None:
        """Version 1 had no decision: an order then cited none."""
        state.setdefault("decision_id", None)

    def describe(self) -> Summary:
        """The kind and id of the service (never the provider: it may be a private person)."""
        return Summary(
            f"{fi(self.kind)} tilattu (palvelu {self.service_id}), tavoitteita "
            f"{len(self.goal_ids)}{_cites_fi(self.decision_id)}",
            f"{self.kind.value} ordered (service {self.service_id}), {len(self.goal_ids)} goals"
            f"{_cites_en(self.decision_id)}",
        )

    def result(self) -> UUID:
        """``order_service`` returns the service id."""
        return self.service_id



def _cites_fi(decision_id: UUID | None) -> str:
    return "" if decision_id is None else f", päätös {decision_id}"


def _cites_en(decision_id: UUID | None) -> str:
    return "" if decision_id is None else f", decision {decision_id}"


class ServiceStarted(CaseEvent):
    """Service started (palvelu alkoi)."""

    TOPIC = "perhetyo.ServiceStarted.v1"
    LABEL_FI = "Palvelu alkoi"
    LABEL_EN = "Service started"
    LABEL_SV = "Tjänsten inleddes"
    DATE_FIELD = "started_on"

    service_id: UUID
    started_on: BusinessDate

    def describe(self) -> Summary:
        """The service id."""
        return Summary(f"palvelu {self.service_id} alkoi", f"service {self.service_id} started")



class ServiceEnded(CaseEvent):
    """Service ended (palvelu päättyi); ``cancelled`` when it never started."""

    TOPIC = "perhetyo.ServiceEnded.v1"
    LABEL_FI = "Palvelu päättyi"
    LABEL_EN = "Service ended"
    LABEL_SV = "Tjänsten avslutades"
    DATE_FIELD = "ended_on"

    service_id: UUID
    ended_on: BusinessDate
    reason: str
    cancelled: bool = False

    def describe(self) -> Summary:
        """The service id, and whether it was cancelled before it started."""
        if self.cancelled:
            return Summary(
                f"palvelu {self.service_id} peruttu ennen alkamista",
                f"service {self.service_id} cancelled before it started",
            )
        return Summary(f"palvelu {self.service_id} päättyi", f"service {self.service_id} ended")


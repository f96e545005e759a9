"""Service events (palvelut): services ordered from producers, started and ended."""

from __future__ import annotations

from uuid import UUID

from perhetyo.events.base import CaseEvent
from perhetyo.values import BusinessDate, ServiceKind

__all__ = ["ServiceEnded", "ServiceOrdered", "ServiceStarted"]


class ServiceOrdered(CaseEvent):
    """Service ordered (palvelu tilattu) from a producer, for some of the case's goals."""

    TOPIC = "perhetyo.ServiceOrdered.v1"
    LABEL_FI = "Palvelu tilattu"
    LABEL_EN = "Service ordered"
    DATE_FIELD = "ordered_on"

    service_id: UUID
    kind: ServiceKind
    provider: str
    ordered_on: BusinessDate
    goal_ids: tuple[UUID, ...] = ()


class ServiceStarted(CaseEvent):
    """Service started (palvelu alkoi)."""

    TOPIC = "perhetyo.ServiceStarted.v1"
    LABEL_FI = "Palvelu alkoi"
    LABEL_EN = "Service started"
    DATE_FIELD = "started_on"

    service_id: UUID
    started_on: BusinessDate


class ServiceEnded(CaseEvent):
    """Service ended (palvelu päättyi); ``cancelled`` when it never started."""

    TOPIC = "perhetyo.ServiceEnded.v1"
    LABEL_FI = "Palvelu päättyi"
    LABEL_EN = "Service ended"
    DATE_FIELD = "ended_on"

    service_id: UUID
    ended_on: BusinessDate
    reason: str
    cancelled: bool = False

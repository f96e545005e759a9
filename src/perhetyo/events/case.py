"""Case events (asiakkuuden tapahtumat): the relationship opens, gets a worker, closes."""

from __future__ import annotations

from uuid import UUID

from perhetyo.events.base import CaseEvent
from perhetyo.values import (
    BusinessDate,
    ClosureReason,
    LegalBasis,
    NamedWorker,
    PersonRef,
    ServiceTask,
    Successor,
)

__all__ = ["CaseClosed", "CaseOpened", "NamedWorkerAssigned"]


class CaseOpened(CaseEvent):
    """Client relationship began (asiakkuus alkoi)."""

    TOPIC = "perhetyo.CaseOpened.v1"
    LABEL_FI = "Asiakkuus alkoi"
    LABEL_EN = "Case opened"
    DATE_FIELD = "opened_on"

    children: tuple[PersonRef, ...]
    guardians: tuple[PersonRef, ...]
    legal_basis: LegalBasis
    service_task: ServiceTask
    opened_on: BusinessDate
    named_worker: NamedWorker
    previous_case_id: UUID | None = None


class NamedWorkerAssigned(CaseEvent):
    """Named worker assigned (omatyöntekijä nimetty)."""

    TOPIC = "perhetyo.NamedWorkerAssigned.v1"
    LABEL_FI = "Omatyöntekijä nimetty"
    LABEL_EN = "Named worker assigned"
    DATE_FIELD = "assigned_on"

    worker: NamedWorker
    assigned_on: BusinessDate
    reason: str


class CaseClosed(CaseEvent):
    """Client relationship ended (asiakkuus päättyi), with each child's view of the ending."""

    TOPIC = "perhetyo.CaseClosed.v1"
    LABEL_FI = "Asiakkuus päättyi"
    LABEL_EN = "Case closed"
    DATE_FIELD = "closed_on"

    closed_on: BusinessDate
    reason: ClosureReason
    child_views: dict[str, str]
    not_heard_reasons: dict[str, str]
    successor: Successor | None = None

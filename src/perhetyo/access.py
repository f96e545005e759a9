"""Käyttöloki (the access and disclosure log's values): who read or was given a case's data.

Asiakastietolaki 703/2023 § 11 gives a client the right to know who used or was given
their data, and why. An :class:`AccessEntry` is one such use: the case, the actor's opaque
id, when, what kind of read (:class:`AccessAction`) and the stated purpose. Entries are
stored apart from the case's events (:mod:`perhetyo.persistence.access_log`), so reading
never changes a case's version, and they survive the case's erasure.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import AfterValidator

from perhetyo.values import (
    FINNISH_LABELS,
    SWEDISH_LABELS,
    ShortText,
    ValueModel,
    contains_personal_identity_code,
)

__all__ = ["AccessAction", "AccessEntry", "Purpose"]


def _refuse_identity_code(value: str) -> str:
    if contains_personal_identity_code(value):
        raise ValueError("a purpose must not hold a personal identity code")
    return value


Purpose = Annotated[ShortText, AfterValidator(_refuse_identity_code)]
"""Why a case is read (käyttötarkoitus): 1-200 characters, never a personal identity code.

It is stored in the access log as given: name the task ("palvelutarpeen arviointi"), not
the client."""


class AccessAction(StrEnum):
    """Kind of access (käytön laji): which read, an export, or a disclosure."""

    CURRENT_PLAN = "current_plan"
    GOAL_PROGRESS = "goal_progress"
    AUDIT_TRAIL = "audit_trail"
    HISTORY = "history"
    EXPORT = "export"
    ACCESS_LOG = "access_log"
    DISCLOSURE = "disclosure"
    HOST_READ = "host_read"
    DEADLINES = "deadlines"
    OVERDUE = "overdue"
    REPORT = "report"
    KANTA = "kanta"


FINNISH_LABELS[AccessAction] = {
    AccessAction.CURRENT_PLAN: "asiakassuunnitelman luku",
    AccessAction.GOAL_PROGRESS: "tavoitteiden edistymisen luku",
    AccessAction.AUDIT_TRAIL: "muutoshistorian luku",
    AccessAction.HISTORY: "tapahtumien luku",
    AccessAction.EXPORT: "vienti",
    AccessAction.ACCESS_LOG: "käyttölokin luku",
    AccessAction.DISCLOSURE: "tietojen luovutus",
    AccessAction.HOST_READ: "isäntäjärjestelmän luku",
    AccessAction.DEADLINES: "määräaikojen luku",
    AccessAction.OVERDUE: "myöhässä olevien määräaikojen luku",
    AccessAction.REPORT: "asiakasraportin luku",
    AccessAction.KANTA: "Kanta-asiakirjojen muodostaminen",
}
SWEDISH_LABELS[AccessAction] = {
    AccessAction.CURRENT_PLAN: "läsning av klientplanen",
    AccessAction.GOAL_PROGRESS: "läsning av målens framsteg",
    AccessAction.AUDIT_TRAIL: "läsning av ändringshistoriken",
    AccessAction.HISTORY: "läsning av händelserna",
    AccessAction.EXPORT: "export",
    AccessAction.ACCESS_LOG: "läsning av användningsloggen",
    AccessAction.DISCLOSURE: "utlämnande av uppgifter",
    AccessAction.HOST_READ: "värdsystemets läsning",
    AccessAction.DEADLINES: "läsning av tidsfristerna",
    AccessAction.OVERDUE: "läsning av försenade tidsfrister",
    AccessAction.REPORT: "läsning av klientrapporten",
    AccessAction.KANTA: "framställning av Kanta-dokument",
}


class AccessEntry(ValueModel):
    """Access-log entry (käyttölokin merkintä): one read or disclosure of one case.

    ``actor_id`` is the actor's opaque id (no name is stored); ``purpose`` the reader's
    stated purpose (None for a disclosure: its grounds and purpose are in the case's
    ``DataDisclosed`` event, named by ``disclosure_id``).
    """

    case_id: UUID
    actor_id: str
    accessed_at: datetime
    action: AccessAction
    purpose: str | None = None
    disclosure_id: UUID | None = None

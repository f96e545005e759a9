"""Commands on the record itself (asiakirjamerkintöjen komennot): disclose, ban, correct."""

from __future__ import annotations

from typing import Annotated, Self
from uuid import UUID

from pydantic import AwareDatetime, Field, model_validator

from perhetyo.access import AccessAction, Purpose
from perhetyo.commands.base import MAX_LIST_ITEMS, CaseCommand
from perhetyo.values import Actor, BusinessDate, Id, LongText, Recipient, Text, ValueModel

__all__ = [
    "CorrectEntry",
    "ReadAccessLog",
    "RecordAccess",
    "RecordDisclosure",
    "RecordDisclosureBan",
]


class RecordDisclosure(CaseCommand[UUID]):
    """Record a disclosure of client data (kirjaa tietojen luovutus): to whom, on what
    legal grounds, for what purpose, and what was disclosed."""

    disclosed_on: BusinessDate
    recipient: Recipient
    grounds: Text
    purpose: Text
    content: LongText


class RecordDisclosureBan(CaseCommand[None]):
    """Record a minor's disclosure ban (kirjaa alaikäisen luovutuskielto)."""

    child_id: Id
    banned_person_ids: Annotated[tuple[Id, ...], Field(min_length=1, max_length=MAX_LIST_ITEMS)]
    decided_on: BusinessDate
    reason: Text

    @model_validator(mode="after")
    def _people_are_unique(self) -> Self:
        if len(set(self.banned_person_ids)) != len(self.banned_person_ids):
            raise ValueError("banned_person_ids must be unique")
        return self


class CorrectEntry(CaseCommand[None]):
    """Correct an earlier entry (korjaa merkintä): the version it corrects, what and why."""

    version: Annotated[int, Field(ge=1, strict=True)]
    correction: LongText
    reason: Text


class ReadAccessLog(ValueModel):
    """Read a case's access log (lue käyttöloki): who asks, and the window of time."""

    case_id: UUID
    actor: Actor
    since: AwareDatetime | None = None
    until: AwareDatetime | None = None


class RecordAccess(ValueModel):
    """Log a host's own read of cases (kirjaa käyttö): a document, a lookup, a report."""

    case_ids: Annotated[tuple[UUID, ...], Field(min_length=1)]
    actor: Actor
    action: AccessAction
    purpose: Purpose | None = None

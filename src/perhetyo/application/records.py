"""Asiakirjamerkinnät ja käyttöloki (disclosures, bans, corrections, the access log): calls.

The access and disclosure log (asiakastietolaki 703/2023 § 11) shows a case's reads and
its disclosures side by side: a disclosure's entry (``AccessAction.DISCLOSURE``, with its
``disclosure_id``) is written when the disclosure is recorded, after its event is saved.
Should that write fail, the call raises and a retry with the same ``request_id`` writes
the entry (the disclosure itself is answered as a repeat; an entry is written once per
disclosure id). See docs/access-log.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from uuid import UUID

from perhetyo import commands as c
from perhetyo.access import AccessAction, AccessEntry
from perhetyo.aggregates.case import FamilyCase
from perhetyo.application.core import CasesCore
from perhetyo.errors import CaseNotFoundError
from perhetyo.persistence import storage_errors
from perhetyo.values import Actor, Recipient

__all__ = ["RecordCalls"]


class RecordCalls(CasesCore):
    """Asiakirjamerkinnät ja käyttöloki (disclosures, bans, corrections, the access log)."""

    def record_disclosure(
        self,
        case_id: UUID,
        *,
        disclosed_on: date,
        recipient: Recipient,
        grounds: str,
        purpose: str,
        content: str,
        actor: Actor,
        request_id: str | None = None,
    ) -> UUID:
        """Record a disclosure of client data (tietojen luovutus); returns its id.

        ``grounds``: the provision or consent it rests on; ``purpose``: what the recipient
        may use the data for; ``content``: what was disclosed. A closed case takes one; a
        minor's ban covering the recipient refuses it (DisclosureBannedError).
        """
        command = c.RecordDisclosure(
            case_id=case_id,
            disclosed_on=disclosed_on,
            recipient=recipient,
            grounds=grounds,
            purpose=purpose,
            content=content,
            actor=actor,
            request_id=request_id,
        )
        disclosure_id = self._decide(command, FamilyCase.record_disclosure)
        self._log_access(
            [command.case_id],
            command.actor,
            AccessAction.DISCLOSURE,
            None,
            disclosure_id=disclosure_id,
        )
        return disclosure_id

    def record_disclosure_ban(
        self,
        case_id: UUID,
        *,
        child_id: str,
        banned_person_ids: Sequence[str],
        decided_on: date,
        reason: str,
        actor: Actor,
        request_id: str | None = None,
    ) -> None:
        """Record a minor's disclosure ban (alaikäisen luovutuskielto) on named people."""
        command = c.RecordDisclosureBan(
            case_id=case_id,
            child_id=child_id,
            banned_person_ids=banned_person_ids,
            decided_on=decided_on,
            reason=reason,
            actor=actor,
            request_id=request_id,
        )
        self._decide(command, FamilyCase.record_disclosure_ban)

    def correct_entry(
        self,
        case_id: UUID,
        *,
        version: int,
        correction: str,
        reason: str,
        actor: Actor,
        request_id: str | None = None,
    ) -> None:
        """Correct an earlier entry (korjaa merkintä): ``version`` is the event corrected.

        Nothing is rewritten: an ``EntryCorrected`` is recorded, and its audit entry names
        ``corrects_version``. A closed case takes one.
        """
        command = c.CorrectEntry(
            case_id=case_id,
            version=version,
            correction=correction,
            reason=reason,
            actor=actor,
            request_id=request_id,
        )
        self._decide(command, FamilyCase.correct_entry)

    def access_log(
        self,
        case_id: UUID,
        *,
        actor: Actor,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[AccessEntry]:
        """The case's access and disclosure log (käyttö- ja luovutusloki), oldest first.

        Entries with ``since <= accessed_at < until``. Reading the log is itself logged
        (``AccessAction.ACCESS_LOG``, included in what is returned when in the window). It
        reads no event payload, so it answers for an erased case too.
        """
        read = c.ReadAccessLog(case_id=case_id, actor=actor, since=since, until=until)
        self._check_not_closed()
        with storage_errors():
            found = self._store.recorder.select_events(read.case_id, limit=1)
        if not found:
            raise CaseNotFoundError(read.case_id)
        self._log_access([read.case_id], read.actor, AccessAction.ACCESS_LOG, None)
        return self._access.entries(read.case_id, read.since, read.until)

    def record_access(
        self,
        case_ids: Sequence[UUID],
        *,
        actor: Actor,
        action: AccessAction = AccessAction.HOST_READ,
        purpose: str | None = None,
    ) -> None:
        """Log a read this library did not make (a document, a lookup, a report built from
        the stored views): one entry per case, committed before it returns. Log before you
        show the data. The ids are taken as given: pass only cases that exist."""
        command = c.RecordAccess(case_ids=case_ids, actor=actor, action=action, purpose=purpose)
        self._log_access(list(command.case_ids), command.actor, command.action, command.purpose)

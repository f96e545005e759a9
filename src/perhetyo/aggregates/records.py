"""Asiakirjamerkinnät (disclosures, a minor's bans, corrections): the rules of the record.

A disclosure and a correction are accepted on a closed case too (the record outlives the
work); a ban is not. A disclosure is refused when a minor's ban covers its recipient: the
recipient is matched by ``Recipient.person_id`` (the host registry's id), and a case with
a ban in force refuses a recipient without one, since the ban cannot be checked.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from perhetyo.aggregates.state import CaseState, applies, decides
from perhetyo.commands import CorrectEntry, RecordDisclosure, RecordDisclosureBan
from perhetyo.errors import DisclosureBannedError, EntryNotFoundError
from perhetyo.events import DataDisclosed, DisclosureBanRecorded, EntryCorrected
from perhetyo.time import today_in

__all__ = ["RecordRules"]


class RecordRules(CaseState):
    """Asiakirjamerkinnät (disclosures, a minor's bans, corrections): the rules of the record."""

    __slots__ = ()

    # --- disclosures ------------------------------------------------------------------------

    @decides(RecordDisclosure)
    def record_disclosure(self, command: RecordDisclosure, now: datetime) -> UUID:
        """Record a disclosure (kirjaa luovutus); returns its id. A closed case takes one."""
        self._check_happened("disclosed_on", command.disclosed_on, now)
        in_force = {
            person for person, since in self.bans.items() if since <= command.disclosed_on
        }
        person_id = command.recipient.person_id
        if in_force and person_id is None:
            raise DisclosureBannedError(
                f"case {self.id} has a disclosure ban in force: the recipient's person_id "
                "is needed to check it"
            )
        if person_id is not None and person_id in in_force:
            raise DisclosureBannedError(f"a disclosure ban covers recipient {person_id}")
        event = self._record(
            DataDisclosed,
            command,
            now,
            disclosure_id=self.new_id(),
            disclosed_on=command.disclosed_on,
            recipient=command.recipient,
            grounds=command.grounds,
            purpose=command.purpose,
            content=command.content,
        )
        return event.disclosure_id

    @applies(DataDisclosed)
    def _data_disclosed(self, event: DataDisclosed) -> None:
        """A disclosure changes no decision state."""

    # --- a minor's disclosure ban -----------------------------------------------------------

    @decides(RecordDisclosureBan)
    def record_disclosure_ban(self, command: RecordDisclosureBan, now: datetime) -> None:
        """Record a child's disclosure ban (kirjaa luovutuskielto): one of the case's children."""
        self._check_open()
        self._check_happened("decided_on", command.decided_on, now)
        self._check_child(command.child_id)
        self._record(
            DisclosureBanRecorded,
            command,
            now,
            child_id=command.child_id,
            banned_person_ids=command.banned_person_ids,
            decided_on=command.decided_on,
            reason=command.reason,
        )

    @applies(DisclosureBanRecorded)
    def _ban_recorded(self, event: DisclosureBanRecorded) -> None:
        for person in event.banned_person_ids:
            since = self.bans.get(person)
            self.bans[person] = event.decided_on if since is None else min(since, event.decided_on)

    # --- corrections ------------------------------------------------------------------------

    @decides(CorrectEntry)
    def correct_entry(self, command: CorrectEntry, now: datetime) -> None:
        """Correct an earlier entry (korjaa merkintä); a closed case takes one."""
        if not 1 <= command.version <= self.version:
            raise EntryNotFoundError(
                f"case {self.id} has no entry {command.version} to correct "
                f"(its entries are 1-{self.version})"
            )
        self._record(
            EntryCorrected,
            command,
            now,
            version=command.version,
            corrected_on=today_in(now),
            correction=command.correction,
            reason=command.reason,
        )

    @applies(EntryCorrected)
    def _entry_corrected(self, event: EntryCorrected) -> None:
        """A correction changes no decision state (nothing is rewritten)."""

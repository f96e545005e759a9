"""Record-keeping events (asiakirjamerkinnät): disclosures, a minor's bans, corrections.

Events about the record itself rather than the family's work: a disclosure of client data
(Kanta's "Merkintä asiakastietojen luovuttamisesta", LUO), a minor's disclosure ban (laki
254/2015; Kanta's Kieltoasiakirja, KIE) and a correction of an earlier entry, which points
at the corrected event's version and rewrites nothing. A closed case still takes a
disclosure and a correction; their dates do not count toward the case's latest date.
"""

from __future__ import annotations

from uuid import UUID

from perhetyo.events.base import CaseEvent, Summary
from perhetyo.values import BusinessDate, Recipient

__all__ = ["DataDisclosed", "DisclosureBanRecorded", "EntryCorrected"]


class DataDisclosed(CaseEvent):
    """Client data disclosed (asiakastietoja luovutettu), with its legal grounds and purpose.

    ``grounds`` is the provision or consent the disclosure rests on (Perustelu),
    ``purpose`` what the recipient may use the data for (Käyttötarkoitus), ``content`` what
    was disclosed (Luovutetut tiedot). All three are free text: never in a summary.
    """

    TOPIC = "perhetyo.DataDisclosed.v1"
    LABEL_FI = "Asiakastietoja luovutettu"
    LABEL_EN = "Client data disclosed"
    LABEL_SV = "Klientuppgifter utlämnade"
    DATE_FIELD = "disclosed_on"
    DATES_THE_CASE = False

    disclosure_id: UUID
    disclosed_on: BusinessDate
    recipient: Recipient
    grounds: str
    purpose: str
    content: str

    def describe(self) -> Summary:
        """The disclosure's id and the recipient's registry id, if given (never a name)."""
        person = self.recipient.person_id or "–"
        return Summary(
            f"luovutus {self.disclosure_id}; vastaanottajan tunniste {person}",
            f"disclosure {self.disclosure_id}; recipient id {person}",
        )

    def result(self) -> UUID:
        """``record_disclosure`` returns the disclosure id."""
        return self.disclosure_id


class DisclosureBanRecorded(CaseEvent):
    """A minor's disclosure ban recorded (alaikäisen luovutuskielto kirjattu).

    The child forbids disclosing their data to the people named by ``banned_person_ids``
    (ids from the host's registry, typically a guardian's). ``reason`` is free text.
    """

    TOPIC = "perhetyo.DisclosureBanRecorded.v1"
    LABEL_FI = "Luovutuskielto kirjattu"
    LABEL_EN = "Disclosure ban recorded"
    LABEL_SV = "Utlämnandeförbud antecknat"
    DATE_FIELD = "decided_on"

    child_id: str
    banned_person_ids: tuple[str, ...]
    decided_on: BusinessDate
    reason: str

    def describe(self) -> Summary:
        """Whose ban, and the banned people's ids."""
        banned = ", ".join(self.banned_person_ids)
        return Summary(
            f"lapsen {self.child_id} kielto: {banned}",
            f"ban of child {self.child_id}: {banned}",
        )


class EntryCorrected(CaseEvent):
    """An earlier entry corrected (merkintää korjattu): it points at the corrected version.

    Nothing is rewritten: the corrected event stays as it was, and this one says what was
    wrong (``correction``) and why (``reason``), both free text. ``corrected_on`` is the
    day the correction was made (the library's today, never an argument).
    """

    TOPIC = "perhetyo.EntryCorrected.v1"
    LABEL_FI = "Merkintää korjattu"
    LABEL_EN = "Entry corrected"
    LABEL_SV = "Anteckning rättad"
    DATE_FIELD = "corrected_on"
    DATES_THE_CASE = False

    version: int
    corrected_on: BusinessDate
    correction: str
    reason: str

    def describe(self) -> Summary:
        """Which version it corrects (never the correction's text)."""
        return Summary(f"korjaa merkintää {self.version}", f"corrects entry {self.version}")

"""Encounter events (kohtaamiset): meetings held and children's views recorded."""

from __future__ import annotations

from uuid import UUID

from perhetyo.events.base import CaseEvent, Summary
from perhetyo.values import BusinessDate, MeetingKind
from perhetyo.values import finnish_label as fi

__all__ = ["ChildViewRecorded", "MeetingHeld"]


class MeetingHeld(CaseEvent):
    """Meeting held (tapaaminen pidetty)."""

    TOPIC = "perhetyo.MeetingHeld.v1"
    LABEL_FI = "Tapaaminen pidetty"
    LABEL_EN = "Meeting held"
    LABEL_SV = "Möte hållet"
    DATE_FIELD = "held_on"

    meeting_id: UUID
    kind: MeetingKind
    held_on: BusinessDate
    participants: tuple[str, ...]
    summary: str

    def describe(self) -> Summary:
        """The kind of meeting and how many took part."""
        return Summary(
            f"{fi(self.kind)}, osallistujia {len(self.participants)}",
            f"{self.kind.value}, {len(self.participants)} participants",
        )

    def result(self) -> UUID:
        """``record_meeting`` returns the meeting id."""
        return self.meeting_id



class ChildViewRecorded(CaseEvent):
    """Child's view recorded (lapsen näkemys kirjattu), or why the child was not heard."""

    TOPIC = "perhetyo.ChildViewRecorded.v1"
    LABEL_FI = "Lapsen näkemys kirjattu"
    LABEL_EN = "Child's view recorded"
    LABEL_SV = "Barnets åsikt antecknad"
    DATE_FIELD = "recorded_on"

    child_id: str
    view: str | None = None
    not_heard_reason: str | None = None
    recorded_on: BusinessDate

    def describe(self) -> Summary:
        """Whose view, or that the child was not heard (never the view itself)."""
        if self.view is not None:
            return Summary(f"lapsen {self.child_id} näkemys", f"view of child {self.child_id}")
        return Summary(
            f"lasta {self.child_id} ei kuultu, syy kirjattu",
            f"child {self.child_id} not heard, reason given",
        )


"""Encounter events (kohtaamiset): meetings held or cancelled, children's views recorded."""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from perhetyo.events.base import CaseEvent, Summary
from perhetyo.record_values import ContactChannel
from perhetyo.values import BusinessDate, MeetingKind
from perhetyo.values import finnish_label as fi

__all__ = ["ChildViewRecorded", "MeetingCancelled", "MeetingHeld"]


class MeetingHeld(CaseEvent):
    """Meeting held (tapaaminen pidetty).

    Version 2 added how it took place (``channel``), where (``place``) and what was agreed
    (``agreed``), as Kanta's meeting and negotiation records (TAP, NEU) carry them.
    """

    TOPIC = "perhetyo.MeetingHeld.v1"
    LABEL_FI = "Tapaaminen pidetty"
    LABEL_EN = "Meeting held"
    LABEL_SV = "Möte hållet"
    DATE_FIELD = "held_on"
    class_version: ClassVar[int] = 2

    meeting_id: UUID
    kind: MeetingKind
    held_on: BusinessDate
    participants: tuple[str, ...]
    summary: str
    channel: ContactChannel | None = None
    place: str | None = None
    agreed: str | None = None

    @staticmethod
    def upcast_v1_v2(state: dict[str, object]) -> None:
        """Version 1 recorded no channel, place or agreement."""
        state.setdefault("channel", None)
        state.setdefault("place", None)
        state.setdefault("agreed", None)

    def describe(self) -> Summary:
        """The kind of meeting, how many took part, and how (never where or what)."""
        how_fi = "" if self.channel is None else f" ({fi(self.channel)})"
        how_en = "" if self.channel is None else f" ({self.channel.value})"
        return Summary(
            f"{fi(self.kind)}{how_fi}, osallistujia {len(self.participants)}",
            f"{self.kind.value}{how_en}, {len(self.participants)} participants",
        )

    def result(self) -> UUID:
        """``record_meeting`` returns the meeting id."""
        return self.meeting_id



class ChildViewRecorded(CaseEvent):
    """Child's view recorded (lapsen näkemys kirjattu), or why the child was not heard.

    Version 2 added how the view was found out (``how_found_out``) and who was present
    (``present``), as Kanta's record of finding out an opinion (5005) carries them.
    """

    TOPIC = "perhetyo.ChildViewRecorded.v1"
    LABEL_FI = "Lapsen näkemys kirjattu"
    LABEL_EN = "Child's view recorded"
    LABEL_SV = "Barnets åsikt antecknad"
    DATE_FIELD = "recorded_on"
    class_version: ClassVar[int] = 2

    child_id: str
    view: str | None = None
    not_heard_reason: str | None = None
    recorded_on: BusinessDate
    how_found_out: str | None = None
    present: tuple[str, ...] = ()

    @staticmethod
    def upcast_v1_v2(state: dict[str, object]) -> None:
        """Version 1 recorded neither how the view was found out nor who was present."""
        state.setdefault("how_found_out", None)
        state.setdefault("present", [])

    def describe(self) -> Summary:
        """Whose view, or that the child was not heard (never the view itself)."""
        if self.view is not None:
            return Summary(f"lapsen {self.child_id} näkemys", f"view of child {self.child_id}")
        return Summary(
            f"lasta {self.child_id} ei kuultu, syy kirjattu",
            f"child {self.child_id} not heard, reason given",
        )


class MeetingCancelled(CaseEvent):
    """Meeting cancelled (tapaaminen peruuntui): a planned meeting or contact did not happen."""

    TOPIC = "perhetyo.MeetingCancelled.v1"
    LABEL_FI = "Tapaaminen peruuntui"
    LABEL_EN = "Meeting cancelled"
    LABEL_SV = "Mötet inställt"
    DATE_FIELD = "cancelled_on"

    meeting_id: UUID
    kind: MeetingKind
    planned_on: BusinessDate
    cancelled_on: BusinessDate
    reason: str

    def describe(self) -> Summary:
        """The kind of meeting and its planned date (never the reason)."""
        return Summary(
            f"{fi(self.kind)} {self.planned_on.isoformat()} peruuntui",
            f"{self.kind.value} of {self.planned_on.isoformat()} cancelled",
        )

    def result(self) -> UUID:
        """``cancel_meeting`` returns the cancelled meeting's id."""
        return self.meeting_id

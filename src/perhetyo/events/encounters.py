"""Encounter events (kohtaamiset): meetings held and children's views recorded."""

from __future__ import annotations

from uuid import UUID

from perhetyo.events.base import CaseEvent
from perhetyo.values import BusinessDate, MeetingKind

__all__ = ["ChildViewRecorded", "MeetingHeld"]


class MeetingHeld(CaseEvent):
    """Meeting held (tapaaminen pidetty)."""

    TOPIC = "perhetyo.MeetingHeld.v1"
    LABEL_FI = "Tapaaminen pidetty"
    LABEL_EN = "Meeting held"
    DATE_FIELD = "held_on"

    meeting_id: UUID
    kind: MeetingKind
    held_on: BusinessDate
    participants: tuple[str, ...]
    summary: str


class ChildViewRecorded(CaseEvent):
    """Child's view recorded (lapsen näkemys kirjattu), or why the child was not heard."""

    TOPIC = "perhetyo.ChildViewRecorded.v1"
    LABEL_FI = "Lapsen näkemys kirjattu"
    LABEL_EN = "Child's view recorded"
    DATE_FIELD = "recorded_on"

    child_id: str
    view: str | None = None
    not_heard_reason: str | None = None
    recorded_on: BusinessDate

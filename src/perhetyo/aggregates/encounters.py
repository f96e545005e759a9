"""Tapaamiset ja lapsen näkemys (meetings and children's views)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from perhetyo.aggregates.state import CaseState, applies, decides
from perhetyo.commands import RecordChildView, RecordMeeting
from perhetyo.events import ChildViewRecorded, MeetingHeld

__all__ = ["EncounterRules"]


class EncounterRules(CaseState):
    """Tapaamiset ja lapsen näkemys (meetings and children's views)."""

    __slots__ = ()

    # --- meetings and children's views ------------------------------------------------------

    @decides(RecordMeeting)
    def record_meeting(self, command: RecordMeeting, now: datetime) -> UUID:
        """Record a meeting (kirjaa tapaaminen); returns the new meeting id."""
        self._check_open()
        self._check_happened("held_on", command.held_on, now)
        event = self._record(
            MeetingHeld,
            command,
            now,
            meeting_id=self.new_id(),
            kind=command.kind,
            held_on=command.held_on,
            participants=command.participants,
            summary=command.summary,
        )
        return event.meeting_id

    @applies(MeetingHeld)
    def _meeting_held(self, event: MeetingHeld) -> None:
        """A meeting changes no decision state."""

    @decides(RecordChildView)
    def record_child_view(self, command: RecordChildView, now: datetime) -> None:
        """Record a child's view (kirjaa lapsen näkemys) or why the child was not heard."""
        self._check_open()
        self._check_happened("recorded_on", command.recorded_on, now)
        self._check_child(command.child_id)
        self._record(
            ChildViewRecorded,
            command,
            now,
            child_id=command.child_id,
            view=command.view,
            not_heard_reason=command.not_heard_reason,
            recorded_on=command.recorded_on,
        )

    @applies(ChildViewRecorded)
    def _child_view_recorded(self, event: ChildViewRecorded) -> None:
        """A child's view changes no decision state."""

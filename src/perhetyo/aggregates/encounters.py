"""Tapaamiset ja lapsen näkemys (meetings and children's views)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from perhetyo.aggregates.state import CaseState, applies, decides
from perhetyo.commands import CancelMeeting, RecordChildView, RecordMeeting
from perhetyo.errors import DateOutOfRangeError, OutOfOrderError
from perhetyo.events import ChildViewRecorded, MeetingCancelled, MeetingHeld
from perhetyo.time import today_in

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
            channel=command.channel,
            place=command.place,
            agreed=command.agreed,
        )
        return event.meeting_id

    @applies(MeetingHeld)
    def _meeting_held(self, event: MeetingHeld) -> None:
        """A meeting changes no decision state."""

    @decides(CancelMeeting)
    def cancel_meeting(self, command: CancelMeeting, now: datetime) -> UUID:
        """Record a cancelled meeting (kirjaa peruuntuminen); returns the meeting's id.

        The planned date may be in the future, but not before the case opened; the
        cancellation happened (not in the future) and not after the planned date.
        """
        self._check_open()
        if command.planned_on < self.opened_on:
            raise DateOutOfRangeError("planned_on is before the case opened")
        if command.cancelled_on is None and command.planned_on > today_in(now):
            raise DateOutOfRangeError("planned_on is in the future: give cancelled_on")
        cancelled_on = command.cancellation_date
        self._check_happened("cancelled_on", cancelled_on, now)
        if cancelled_on > command.planned_on:
            raise OutOfOrderError("cancelled_on is after planned_on")
        event = self._record(
            MeetingCancelled,
            command,
            now,
            meeting_id=self.new_id(),
            kind=command.kind,
            planned_on=command.planned_on,
            cancelled_on=cancelled_on,
            reason=command.reason,
        )
        return event.meeting_id

    @applies(MeetingCancelled)
    def _meeting_cancelled(self, event: MeetingCancelled) -> None:
        """A cancelled meeting changes no decision state."""

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
            how_found_out=command.how_found_out,
            present=command.present,
        )

    @applies(ChildViewRecorded)
    def _child_view_recorded(self, event: ChildViewRecorded) -> None:
        """A child's view changes no decision state."""

"""Tapaamiset ja näkemykset (meetings and children's views): the facade's calls."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

from perhetyo import commands as c
from perhetyo.aggregates.case import FamilyCase
from perhetyo.application.core import CasesCore
from perhetyo.record_values import ContactChannel
from perhetyo.values import (
    Actor,
    MeetingKind,
)

__all__ = ["EncounterCalls"]


class EncounterCalls(CasesCore):
    """Tapaamiset ja näkemykset (meetings and children's views): the facade's calls."""

    def record_meeting(
        self,
        case_id: UUID,
        *,
        kind: MeetingKind,
        held_on: date,
        summary: str,
        actor: Actor,
        participants: Sequence[str] = (),
        channel: ContactChannel | None = None,
        place: str | None = None,
        agreed: str | None = None,
        request_id: str | None = None,
    ) -> UUID:
        """Record a meeting (tapaaminen pidetty); returns the meeting id."""
        command = c.RecordMeeting(
            case_id=case_id,
            kind=kind,
            held_on=held_on,
            participants=participants,
            summary=summary,
            channel=channel,
            place=place,
            agreed=agreed,
            actor=actor,
            request_id=request_id,
        )
        return self._decide(command, FamilyCase.record_meeting)

    def cancel_meeting(
        self,
        case_id: UUID,
        *,
        kind: MeetingKind,
        planned_on: date,
        reason: str,
        actor: Actor,
        cancelled_on: date | None = None,
        request_id: str | None = None,
    ) -> UUID:
        """Record that a planned meeting was cancelled (tapaaminen peruuntui); returns its
        id. ``cancelled_on`` defaults to ``planned_on``; a future meeting needs it given."""
        command = c.CancelMeeting(
            case_id=case_id,
            kind=kind,
            planned_on=planned_on,
            reason=reason,
            cancelled_on=cancelled_on,
            actor=actor,
            request_id=request_id,
        )
        return self._decide(command, FamilyCase.cancel_meeting)

    def record_child_view(
        self,
        case_id: UUID,
        *,
        child_id: str,
        recorded_on: date,
        actor: Actor,
        view: str | None = None,
        not_heard_reason: str | None = None,
        how_found_out: str | None = None,
        present: Sequence[str] = (),
        request_id: str | None = None,
    ) -> None:
        """Record a child's view (lapsen näkemys kirjattu), or why the child was not heard."""
        command = c.RecordChildView(
            case_id=case_id,
            child_id=child_id,
            view=view,
            not_heard_reason=not_heard_reason,
            recorded_on=recorded_on,
            how_found_out=how_found_out,
            present=present,
            actor=actor,
            request_id=request_id,
        )
        self._decide(command, FamilyCase.record_child_view)

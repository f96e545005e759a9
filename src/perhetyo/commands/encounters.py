"""Commands that record meetings and children's views (tapaamisten komennot)."""

from __future__ import annotations

from typing import Annotated, Self
from uuid import UUID

from pydantic import Field, model_validator

from perhetyo.commands.base import MAX_LIST_ITEMS, CaseCommand
from perhetyo.record_values import ContactChannel
from perhetyo.values import BusinessDate, Id, LongText, MeetingKind, ShortText, Text

__all__ = ["CancelMeeting", "RecordChildView", "RecordMeeting"]

People = Annotated[tuple[ShortText, ...], Field(max_length=MAX_LIST_ITEMS)]


class RecordMeeting(CaseCommand[UUID]):
    """Record a meeting (kirjaa tapaaminen): how, where, who, what was said and agreed."""

    FIELDS_SINCE_0_1 = frozenset({"channel", "place", "agreed"})

    kind: MeetingKind
    held_on: BusinessDate
    participants: People = ()
    summary: LongText
    channel: ContactChannel | None = None
    place: ShortText | None = None
    agreed: LongText | None = None


class CancelMeeting(CaseCommand[UUID]):
    """Record that a planned meeting was cancelled (kirjaa tapaamisen peruuntuminen).

    ``cancelled_on`` defaults to ``planned_on`` (a meeting that did not take place); a
    meeting planned for a later day needs it given.
    """

    kind: MeetingKind
    planned_on: BusinessDate
    reason: Text
    cancelled_on: BusinessDate | None = None

    @property
    def cancellation_date(self) -> BusinessDate:
        """When it was cancelled: ``cancelled_on``, or the planned date."""
        return self.planned_on if self.cancelled_on is None else self.cancelled_on


class RecordChildView(CaseCommand[None]):
    """Record a child's view (kirjaa lapsen näkemys), or why the child was not heard."""

    FIELDS_SINCE_0_1 = frozenset({"how_found_out", "present"})

    child_id: Id
    view: LongText | None = None
    not_heard_reason: Text | None = None
    recorded_on: BusinessDate
    how_found_out: Text | None = None
    present: People = ()

    @model_validator(mode="after")
    def _view_or_reason(self) -> Self:
        if (self.view is None) == (self.not_heard_reason is None):
            raise ValueError("give exactly one of view and not_heard_reason")
        return self

"""Commands that record meetings and children's views (tapaamisten komennot)."""

from __future__ import annotations

from typing import Annotated, Self
from uuid import UUID

from pydantic import Field, model_validator

from perhetyo.commands.base import MAX_LIST_ITEMS, CaseCommand
from perhetyo.values import BusinessDate, Id, LongText, MeetingKind, ShortText, Text

__all__ = ["RecordChildView", "RecordMeeting"]


class RecordMeeting(CaseCommand[UUID]):
    """Record a meeting (kirjaa tapaaminen)."""

    kind: MeetingKind
    held_on: BusinessDate
    participants: Annotated[tuple[ShortText, ...], Field(max_length=MAX_LIST_ITEMS)] = ()
    summary: LongText


class RecordChildView(CaseCommand[None]):
    """Record a child's view (kirjaa lapsen näkemys), or why the child was not heard."""

    child_id: Id
    view: LongText | None = None
    not_heard_reason: Text | None = None
    recorded_on: BusinessDate

    @model_validator(mode="after")
    def _view_or_reason(self) -> Self:
        if (self.view is None) == (self.not_heard_reason is None):
            raise ValueError("give exactly one of view and not_heard_reason")
        return self

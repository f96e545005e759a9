"""Commands on each child's own relationship (lasten asiakkuuksien komennot)."""

from __future__ import annotations

from typing import Self

from pydantic import model_validator

from perhetyo.commands.base import CaseCommand
from perhetyo.values import BusinessDate, ClosureReason, Id, LongText, PersonRef, Text

__all__ = ["AddChild", "RemoveChild"]


class AddChild(CaseCommand[None]):
    """Add a child to the case (lapsen asiakkuus alkaa): a sibling joins, say."""

    child: PersonRef
    joined_on: BusinessDate


class RemoveChild(CaseCommand[None]):
    """End one child's relationship (lapsen asiakkuus päättyy), hearing the child on it.

    Exactly one of ``view`` and ``not_heard_reason``, as when the case closes.
    """

    child_id: Id
    left_on: BusinessDate
    reason: ClosureReason
    view: LongText | None = None
    not_heard_reason: Text | None = None

    @model_validator(mode="after")
    def _view_or_reason(self) -> Self:
        if (self.view is None) == (self.not_heard_reason is None):
            raise ValueError("give exactly one of view and not_heard_reason")
        return self

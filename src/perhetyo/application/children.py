"""Lasten asiakkuudet (each child's own relationship): the facade's calls."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from perhetyo import commands as c
from perhetyo.aggregates.case import FamilyCase
from perhetyo.application.core import CasesCore
from perhetyo.values import Actor, ClosureReason, PersonRef

__all__ = ["ChildCalls"]


class ChildCalls(CasesCore):
    """Lasten asiakkuudet (each child's own relationship): the facade's calls."""

    def add_child(
        self,
        case_id: UUID,
        *,
        child: PersonRef,
        joined_on: date,
        actor: Actor,
        request_id: str | None = None,
    ) -> None:
        """Add a child to the case (lapsen asiakkuus alkoi)."""
        command = c.AddChild(
            case_id=case_id, child=child, joined_on=joined_on, actor=actor, request_id=request_id
        )
        self._decide(command, FamilyCase.add_child)

    def remove_child(
        self,
        case_id: UUID,
        *,
        child_id: str,
        left_on: date,
        reason: ClosureReason,
        actor: Actor,
        view: str | None = None,
        not_heard_reason: str | None = None,
        request_id: str | None = None,
    ) -> None:
        """End one child's relationship (lapsen asiakkuus päättyi), with the child's view
        or why the child was not heard; the last child cannot leave (close the case)."""
        command = c.RemoveChild(
            case_id=case_id,
            child_id=child_id,
            left_on=left_on,
            reason=reason,
            view=view,
            not_heard_reason=not_heard_reason,
            actor=actor,
            request_id=request_id,
        )
        self._decide(command, FamilyCase.remove_child)

"""Lasten asiakkuudet (each child's own relationship): a child joins the case, or leaves it."""

from __future__ import annotations

from datetime import datetime

from perhetyo.aggregates.state import CaseState, applies, decides
from perhetyo.commands import AddChild, RemoveChild
from perhetyo.errors import ChildAlreadyInCaseError, LastChildError, OutOfOrderError
from perhetyo.events import ChildJoined, ChildLeft

__all__ = ["ChildRules"]


class ChildRules(CaseState):
    """Lasten asiakkuudet (each child's own relationship): joining and leaving the case.

    A child in the case cannot join again; a child who left may join again later (a new
    period). The last child cannot leave: the case closes instead, hearing the child then.
    """

    __slots__ = ()

    @decides(AddChild)
    def add_child(self, command: AddChild, now: datetime) -> None:
        """Add a child to the case (lapsen asiakkuus alkaa)."""
        self._check_open()
        child_id = command.child.id
        self._check_happened("joined_on", command.joined_on, now)
        if child_id in self.children:
            raise ChildAlreadyInCaseError(f"child {child_id} is already in case {self.id}")
        if command.joined_on < self.child_since.get(child_id, self.opened_on):
            raise OutOfOrderError(f"joined_on of child {child_id} is before the child left")
        self._record(ChildJoined, command, now, child=command.child, joined_on=command.joined_on)

    @applies(ChildJoined)
    def _child_joined(self, event: ChildJoined) -> None:
        self.children = self.children | {event.child.id}
        self.child_since[event.child.id] = event.joined_on

    @decides(RemoveChild)
    def remove_child(self, command: RemoveChild, now: datetime) -> None:
        """End one child's relationship (lapsen asiakkuus päättyy), with the child's view."""
        self._check_open()
        self._check_happened("left_on", command.left_on, now)
        self._check_child(command.child_id)
        if len(self.children) == 1:
            raise LastChildError(f"child {command.child_id} is the last child: close the case")
        if command.left_on < self.child_since[command.child_id]:
            raise OutOfOrderError(
                f"left_on of child {command.child_id} is before the child joined or was "
                "assigned a worker"
            )
        self._record(
            ChildLeft,
            command,
            now,
            child_id=command.child_id,
            left_on=command.left_on,
            reason=command.reason,
            view=command.view,
            not_heard_reason=command.not_heard_reason,
        )

    @applies(ChildLeft)
    def _child_left(self, event: ChildLeft) -> None:
        self.children = self.children - {event.child_id}
        self.child_since[event.child_id] = event.left_on
        self.child_workers.pop(event.child_id, None)

"""The walk through a case (asiakkuuden läpikäynti): each event with the case around it.

Documents are derived by folding the case's events in recorded order with the current-plan
fold; each builder sees its event with the plan just before and just after it, the events
so far, and the plan as each of its versions left it. A builder returns :class:`Draft`\\ s:
a structure, a business date, source versions and the body under the structure's root.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from perhetyo.events import CaseEvent
from perhetyo.kanta.parts import Parts
from perhetyo.kanta.structures import Structure
from perhetyo.projections import CurrentPlan

__all__ = ["Builder", "Draft", "Walk"]


@dataclass(frozen=True)
class Draft:
    """A document before validation (asiakirjaluonnos): what a builder makes."""

    structure: Structure
    occurred_on: date
    source_versions: tuple[int, ...]
    content: dict[str, Any]

    @property
    def body(self) -> dict[str, Any]:
        """The body: the content under the structure's root key."""
        return {self.structure.root: self.content}


@dataclass
class Walk:
    """Where the walk is (läpikäynnin kohta): the plan around the event, and the past."""

    before: CurrentPlan | None
    after: CurrentPlan
    events: list[CaseEvent]
    """Every event so far, the current one last."""
    plans: dict[int, CurrentPlan] = field(default_factory=dict)
    """The plan as each plan version left it (just after its PlanAgreed)."""

    @property
    def case_id(self) -> UUID:
        """The case walked."""
        return self.after.case_id

    def versions_where(self, test: Callable[[CaseEvent], bool]) -> tuple[int, ...]:
        """The versions of the events so far that pass ``test``, ascending."""
        return tuple(event.originator_version for event in self.events if test(event))


Builder = Callable[[Any, Walk, Parts], list[Draft]]
"""A builder: (event of its class, the walk, the host's parts) -> drafts."""

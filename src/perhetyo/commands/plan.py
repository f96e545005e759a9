"""Commands on the client plan and its goals (suunnitelman komennot)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from pydantic import Field

from perhetyo.commands.base import MAX_LIST_ITEMS, CaseCommand, Progress
from perhetyo.values import BusinessDate, GoalStatus, Id, Text

__all__ = ["AgreePlan", "SetGoal", "UpdateGoal"]


class AgreePlan(CaseCommand[int]):
    """Agree a new version of the client plan (laadi asiakassuunnitelma)."""

    agreed_on: BusinessDate
    agreements: Annotated[tuple[Text, ...], Field(min_length=1, max_length=MAX_LIST_ITEMS)]
    dissent: Annotated[tuple[Text, ...], Field(max_length=MAX_LIST_ITEMS)] = ()
    review_due_on: BusinessDate | None = None


class SetGoal(CaseCommand[UUID]):
    """Set a goal (aseta tavoite), for the family or for one child."""

    description: Text
    set_on: BusinessDate
    target_date: BusinessDate | None = None
    child_id: Id | None = None


class UpdateGoal(CaseCommand[None]):
    """Update a goal (päivitä tavoite): its status, progress (0-100) and a note."""

    goal_id: UUID
    status: GoalStatus
    progress: Progress | None = None
    note: Text | None = None
    updated_on: BusinessDate

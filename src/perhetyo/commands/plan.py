"""Commands on the client plan and its goals (suunnitelman komennot)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from pydantic import Field

from perhetyo.commands.base import MAX_LIST_ITEMS, CaseCommand, Progress
from perhetyo.record_values import PlannedService
from perhetyo.values import BusinessDate, GoalStatus, Id, LongText, ShortText, Text

__all__ = ["AgreePlan", "SetGoal", "UpdateGoal"]


class AgreePlan(CaseCommand[int]):
    """Agree a new version of the client plan (laadi asiakassuunnitelma).

    Beside the agreements, the content of Kanta's client plan (LPS), all optional: the
    situation, the client's and the professional's assessments of the support needed,
    strengths, planned services, whether the client's rights were explained, agreed
    follow-up, the estimated duration of the relationship (free text), where the plan
    was made, who took part, and to whom it is delivered.
    """

    FIELDS_SINCE_0_1 = frozenset({
        "situation",
        "client_assessment",
        "professional_assessment",
        "strengths",
        "planned_services",
        "rights_explained",
        "follow_up",
        "estimated_duration",
        "place",
        "participants",
        "delivered_to",
    })

    agreed_on: BusinessDate
    agreements: Annotated[tuple[Text, ...], Field(min_length=1, max_length=MAX_LIST_ITEMS)]
    dissent: Annotated[tuple[Text, ...], Field(max_length=MAX_LIST_ITEMS)] = ()
    review_due_on: BusinessDate | None = None
    situation: LongText | None = None
    client_assessment: LongText | None = None
    professional_assessment: LongText | None = None
    strengths: LongText | None = None
    planned_services: Annotated[
        tuple[PlannedService, ...], Field(max_length=MAX_LIST_ITEMS)
    ] = ()
    rights_explained: Annotated[bool, Field(strict=True)] = False
    follow_up: LongText | None = None
    estimated_duration: ShortText | None = None
    place: ShortText | None = None
    participants: Annotated[tuple[ShortText, ...], Field(max_length=MAX_LIST_ITEMS)] = ()
    delivered_to: Annotated[tuple[ShortText, ...], Field(max_length=MAX_LIST_ITEMS)] = ()


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

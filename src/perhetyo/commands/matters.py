"""Commands on the matter and its needs assessment (asian ja arvioinnin komennot)."""

from __future__ import annotations

from typing import Annotated, Self
from uuid import UUID

from pydantic import Field, model_validator

from perhetyo.commands.base import MAX_CHILDREN, CaseCommand
from perhetyo.values import (
    Actor,
    BusinessDate,
    Id,
    Initiation,
    LongText,
    ShortText,
    Text,
    ValueModel,
)

__all__ = [
    "CompleteAssessment",
    "DeclineAssessment",
    "ReadDeadlines",
    "RecordPending",
    "StartAssessment",
]


class RecordPending(CaseCommand[UUID]):
    """Record that a new matter became pending (kirjaa asian vireilletulo)."""

    pending_on: BusinessDate
    initiated_by: Initiation
    special_support: bool = False
    urgent: bool = False


class StartAssessment(CaseCommand[None]):
    """Start the service-needs assessment (aloita palvelutarpeen arviointi) of a matter.

    ``matter_id`` None means the case's latest matter.
    """

    started_on: BusinessDate
    matter_id: UUID | None = None
    special_support: bool | None = None
    child_welfare_need_assessed: bool = False


class CompleteAssessment(CaseCommand[None]):
    """Complete the service-needs assessment (palvelutarpeen arviointi valmis) of a matter."""

    completed_on: BusinessDate
    conclusions: LongText
    relationship_continues: bool
    special_support: bool
    child_welfare_begins: bool
    needs_named_worker: bool
    plan_needed: bool
    matter_id: UUID | None = None
    child_views: Annotated[dict[Id, LongText], Field(max_length=MAX_CHILDREN)] = Field(
        default_factory=dict
    )
    not_heard_reasons: Annotated[dict[Id, Text], Field(max_length=MAX_CHILDREN)] = Field(
        default_factory=dict
    )

    @model_validator(mode="after")
    def _view_or_reason_per_child(self) -> Self:
        if set(self.child_views) & set(self.not_heard_reasons):
            raise ValueError("a child has either a view or a not-heard reason, not both")
        return self


class DeclineAssessment(CaseCommand[None]):
    """Decide that no assessment is needed (palvelutarvetta ei arvioida), LsL 26 §."""

    decided_on: BusinessDate
    reason: Text
    matter_id: UUID | None = None


class ReadDeadlines(ValueModel):
    """Read deadlines (lue määräajat): who reads, on which day their status is asked."""

    actor: Actor
    on: BusinessDate
    purpose: ShortText | None = None

"""Commands that open, staff and close a case (asiakkuuden komennot)."""

from __future__ import annotations

from typing import Annotated, Self
from uuid import UUID

from pydantic import Field, model_validator

from perhetyo.commands.base import MAX_CHILDREN, MAX_GUARDIANS, CaseCommand, Command, unique_ids
from perhetyo.values import (
    BusinessDate,
    ClosureReason,
    Id,
    Initiation,
    LegalBasis,
    LongText,
    NamedWorker,
    PersonRef,
    ServiceTask,
    Successor,
    Text,
)

__all__ = ["AssignNamedWorker", "CloseCase", "OpenCase"]


class OpenCase(Command[UUID]):
    """Open a client relationship (aloita asiakkuus)."""

    children: Annotated[tuple[PersonRef, ...], Field(min_length=1, max_length=MAX_CHILDREN)]
    guardians: Annotated[tuple[PersonRef, ...], Field(max_length=MAX_GUARDIANS)] = ()
    legal_basis: LegalBasis
    named_worker: NamedWorker
    opened_on: BusinessDate
    service_task: ServiceTask | None = None
    previous_case_id: UUID | None = None
    pending_on: BusinessDate | None = None
    """When the matter became pending (vireilletulopäivä); None: on ``opened_on``."""
    initiated_by: Initiation | None = None
    special_support: bool = False
    urgent: bool = False

    FIELDS_SINCE_0_1 = frozenset({"pending_on", "initiated_by", "special_support", "urgent"})

    @model_validator(mode="after")
    def _people_are_unique(self) -> Self:
        unique_ids(self.children, "children")
        unique_ids(self.guardians, "guardians")
        return self


class AssignNamedWorker(CaseCommand[None]):
    """Assign a new named worker (nimeä omatyöntekijä): the case's, or with ``child_id``
    that child's own."""

    FIELDS_SINCE_0_1 = frozenset({"child_id"})

    worker: NamedWorker
    assigned_on: BusinessDate
    reason: Text
    child_id: Id | None = None


class CloseCase(CaseCommand[None]):
    """Close the client relationship (päätä asiakkuus), hearing every child on the ending."""

    closed_on: BusinessDate
    reason: ClosureReason
    child_views: Annotated[dict[Id, LongText], Field(max_length=MAX_CHILDREN)] = Field(
        default_factory=dict
    )
    not_heard_reasons: Annotated[dict[Id, Text], Field(max_length=MAX_CHILDREN)] = Field(
        default_factory=dict
    )
    successor: Successor | None = None

    @model_validator(mode="after")
    def _view_or_reason_per_child(self) -> Self:
        if set(self.child_views) & set(self.not_heard_reasons):
            raise ValueError("a child has either a view or a not-heard reason, not both")
        return self

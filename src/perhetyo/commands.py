"""Commands (komennot): one frozen pydantic model per use case, validated at the boundary.

Constructing a command checks its shape only (types, lengths, enum values, strict dates,
no extra fields); a failure raises :class:`~perhetyo.errors.InvalidCommandError`, whose
``errors`` list is pydantic's without the input values. The rules of the case are checked
later, by the aggregate. Every command carries the acting ``actor`` and an optional
``request_id`` that makes a retry safe.
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Any, ClassVar, Self
from uuid import UUID

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from perhetyo.errors import InvalidCommandError
from perhetyo.values import (
    Actor,
    BusinessDate,
    ClosureReason,
    GoalStatus,
    Id,
    LegalBasis,
    LongText,
    MeetingKind,
    NamedWorker,
    PersonRef,
    ServiceKind,
    ServiceTask,
    ShortText,
    Successor,
    Text,
)

__all__ = [
    "AgreePlan",
    "AssignNamedWorker",
    "CaseCommand",
    "CloseCase",
    "Command",
    "EndService",
    "OpenCase",
    "OrderService",
    "ReadCase",
    "RecordChildView",
    "RecordMeeting",
    "SetGoal",
    "StartService",
    "UpdateGoal",
    "validation_errors",
]

MAX_CHILDREN = 20
MAX_GUARDIANS = 10
MAX_LIST_ITEMS = 100

RequestId = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
]
Progress = Annotated[int, Field(ge=0, le=100, strict=True)]


def validation_errors(exc: ValidationError) -> list[dict[str, Any]]:
    """Pydantic's error list without the input values, urls or context objects.

    A dict key that failed validation appears in pydantic's location (``('child_views',
    <the key>, '[key]')``); it is input too, so it is replaced by ``'<key>'``.
    """
    errors = []
    for error in exc.errors(include_input=False, include_url=False, include_context=False):
        loc = list(error["loc"])
        for index in range(len(loc) - 1):
            if loc[index + 1] == "[key]":
                loc[index] = "<key>"
        errors.append({**error, "loc": tuple(loc)})
    return errors


class _Validated(BaseModel):
    """Base of commands and queries: a pydantic failure becomes InvalidCommandError."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise InvalidCommandError(type(self).__name__, validation_errors(exc)) from None


class Command(_Validated):
    """Command (komento): what an actor asks the case to do."""

    KIND: ClassVar[str] = "command"

    actor: Actor
    request_id: RequestId | None = None

    def digest(self) -> str:
        """A fingerprint of the arguments (all but ``request_id``), to recognise a repeat."""
        payload = self.model_dump_json(exclude={"request_id"}).encode()
        return hashlib.sha256(type(self).__name__.encode() + b"\0" + payload).hexdigest()


class CaseCommand(Command):
    """A command on an existing case (komento asiakkuudelle)."""

    case_id: UUID


def _unique_ids(people: tuple[PersonRef, ...], field: str) -> None:
    ids = [person.id for person in people]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{field} must have unique ids")


class OpenCase(Command):
    """Open a client relationship (aloita asiakkuus)."""

    children: Annotated[tuple[PersonRef, ...], Field(min_length=1, max_length=MAX_CHILDREN)]
    guardians: Annotated[tuple[PersonRef, ...], Field(max_length=MAX_GUARDIANS)] = ()
    legal_basis: LegalBasis
    named_worker: NamedWorker
    opened_on: BusinessDate
    service_task: ServiceTask | None = None
    previous_case_id: UUID | None = None

    @model_validator(mode="after")
    def _people_are_unique(self) -> Self:
        _unique_ids(self.children, "children")
        _unique_ids(self.guardians, "guardians")
        return self


class AssignNamedWorker(CaseCommand):
    """Assign a new named worker (nimeä omatyöntekijä)."""

    worker: NamedWorker
    assigned_on: BusinessDate
    reason: Text


class RecordMeeting(CaseCommand):
    """Record a meeting (kirjaa tapaaminen)."""

    kind: MeetingKind
    held_on: BusinessDate
    participants: Annotated[tuple[ShortText, ...], Field(max_length=MAX_LIST_ITEMS)] = ()
    summary: LongText


class RecordChildView(CaseCommand):
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


class AgreePlan(CaseCommand):
    """Agree a new version of the client plan (laadi asiakassuunnitelma)."""

    agreed_on: BusinessDate
    agreements: Annotated[tuple[Text, ...], Field(min_length=1, max_length=MAX_LIST_ITEMS)]
    dissent: Annotated[tuple[Text, ...], Field(max_length=MAX_LIST_ITEMS)] = ()
    review_due_on: BusinessDate | None = None


class SetGoal(CaseCommand):
    """Set a goal (aseta tavoite), for the family or for one child."""

    description: Text
    set_on: BusinessDate
    target_date: BusinessDate | None = None
    child_id: Id | None = None


class UpdateGoal(CaseCommand):
    """Update a goal (päivitä tavoite): its status, progress (0-100) and a note."""

    goal_id: UUID
    status: GoalStatus
    progress: Progress | None = None
    note: Text | None = None
    updated_on: BusinessDate


class OrderService(CaseCommand):
    """Order a service (tilaa palvelu) from a producer."""

    kind: ServiceKind
    provider: ShortText
    ordered_on: BusinessDate
    goal_ids: Annotated[tuple[UUID, ...], Field(max_length=MAX_LIST_ITEMS)] = ()

    @model_validator(mode="after")
    def _goals_are_unique(self) -> Self:
        if len(set(self.goal_ids)) != len(self.goal_ids):
            raise ValueError("goal_ids must be unique")
        return self


class StartService(CaseCommand):
    """Record that an ordered service started (palvelu alkoi)."""

    service_id: UUID
    started_on: BusinessDate


class EndService(CaseCommand):
    """End a service (päätä palvelu); one that never started is cancelled."""

    service_id: UUID
    ended_on: BusinessDate
    reason: Text


class CloseCase(CaseCommand):
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


class ReadCase(_Validated):
    """Read one case (lue asiakkuus): who reads it, why, and as of when."""

    case_id: UUID
    actor: Actor
    purpose: ShortText | None = None
    as_of: BusinessDate | None = None
    recorded_before: AwareDatetime | None = None


"""Commands (komennot): one frozen pydantic model per use case, validated at the boundary.

Constructing a command checks its shape only (types, lengths, enum values, strict dates,
no extra fields); a failure raises :class:`~perhetyo.errors.InvalidCommandError`, whose
``errors`` list is pydantic's without the input values. The rules of the case are checked
later, by the aggregate. Every command carries the acting ``actor`` and an optional
``request_id`` that makes a retry safe.
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Any, Final, Generic, Self, TypeVar
from uuid import UUID

from pydantic import (
    AwareDatetime,
    Field,
    model_validator,
)

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
    RequestId,
    ServiceKind,
    ServiceTask,
    ShortText,
    Successor,
    Text,
    ValueModel,
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
    "ReadRequest",
    "RecordChildView",
    "RecordMeeting",
    "SetGoal",
    "StartService",
    "UpdateGoal",
]

MAX_CHILDREN = 20
MAX_GUARDIANS = 10
MAX_LIST_ITEMS = 100

Progress = Annotated[int, Field(ge=0, le=100, strict=True)]


_ACTOR_FIELDS_SINCE_0_1: Final = ("title", "unit_oid")
"""Fields ``Actor`` gained after release 0.1 (left out of 0.1's request fingerprints)."""

R = TypeVar("R")
"""What a command returns when it is accepted (a new id, a plan version, or None)."""


class Command(ValueModel, Generic[R]):
    """Command (komento): what an actor asks the case to do; ``R`` is what it returns.

    The type parameter lets :meth:`perhetyo.FamilyCases.execute` return the same type as
    the matching method (``execute(SetGoal(...))`` is a ``UUID``).
    """

    actor: Actor
    request_id: RequestId | None = None

    def digest(self) -> str:
        """A fingerprint of the arguments (all but ``request_id``), to recognise a repeat.

        Fields left at their defaults are left out, so a field added in a later release (at
        its default) does not change the fingerprint of a command retried across the
        upgrade.
        """
        return self._fingerprint(exclude_defaults=True, exclude={"request_id": True})

    def digests(self) -> frozenset[str]:
        """Every fingerprint an earlier attempt of this command may have been stored with.

        Today's :meth:`digest`, and release 0.1's: every field of 0.1 given, defaults
        included, and none of the fields added since.
        """
        since_0_1: dict[str, Any] = {"request_id": True, "actor": set(_ACTOR_FIELDS_SINCE_0_1)}
        return frozenset({self.digest(), self._fingerprint(exclude=since_0_1)})

    def _fingerprint(self, *, exclude: dict[str, Any], exclude_defaults: bool = False) -> str:
        payload = self.model_dump_json(exclude=exclude, exclude_defaults=exclude_defaults)
        return hashlib.sha256(type(self).__name__.encode() + b"\0" + payload.encode()).hexdigest()


class CaseCommand(Command[R]):
    """A command on an existing case (komento asiakkuudelle)."""

    case_id: UUID


def _unique_ids(people: tuple[PersonRef, ...], field: str) -> None:
    ids = [person.id for person in people]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{field} must have unique ids")


class OpenCase(Command[UUID]):
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


class AssignNamedWorker(CaseCommand[None]):
    """Assign a new named worker (nimeä omatyöntekijä)."""

    worker: NamedWorker
    assigned_on: BusinessDate
    reason: Text


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


class OrderService(CaseCommand[UUID]):
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


class StartService(CaseCommand[None]):
    """Record that an ordered service started (palvelu alkoi)."""

    service_id: UUID
    started_on: BusinessDate


class EndService(CaseCommand[None]):
    """End a service (päätä palvelu); one that never started is cancelled."""

    service_id: UUID
    ended_on: BusinessDate
    reason: Text


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


class ReadRequest(ValueModel):
    """A request id to look up (pyyntötunniste): checked like a command's."""

    request_id: RequestId


class ReadCase(ValueModel):
    """Read one case (lue asiakkuus): who reads it, why, and as of when."""

    case_id: UUID
    actor: Actor
    purpose: ShortText | None = None
    as_of: BusinessDate | None = None
    recorded_before: AwareDatetime | None = None


"""Komento (a command): the base every command shares, its fingerprint, and the read requests.

The package's own docstring (:mod:`perhetyo.commands`) says how commands are checked.
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Any, ClassVar, Final, Generic, TypeVar
from uuid import UUID

from pydantic import AwareDatetime, Field

from perhetyo.values import (
    Actor,
    BusinessDate,
    PersonRef,
    RequestId,
    ShortText,
    ValueModel,
)

__all__ = [
    "MAX_CHILDREN",
    "MAX_GUARDIANS",
    "MAX_LIST_ITEMS",
    "CaseCommand",
    "Command",
    "Progress",
    "ReadCase",
    "ReadRequest",
    "unique_ids",
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

    FIELDS_SINCE_0_1: ClassVar[frozenset[str]] = frozenset()
    """Fields this command gained after release 0.1 (left out of 0.1's fingerprint while
    at their defaults: a retry that sets one is not the 0.1 request)."""

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
        fields = type(self).model_fields
        for name in self.FIELDS_SINCE_0_1:
            if getattr(self, name) == fields[name].get_default(call_default_factory=True):
                since_0_1[name] = True
        return frozenset({self.digest(), self._fingerprint(exclude=since_0_1)})

    def _fingerprint(self, *, exclude: dict[str, Any], exclude_defaults: bool = False) -> str:
        payload = self.model_dump_json(exclude=exclude, exclude_defaults=exclude_defaults)
        return hashlib.sha256(type(self).__name__.encode() + b"\0" + payload.encode()).hexdigest()


class CaseCommand(Command[R]):
    """A command on an existing case (komento asiakkuudelle)."""

    case_id: UUID


def unique_ids(people: tuple[PersonRef, ...], field: str) -> None:
    ids = [person.id for person in people]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{field} must have unique ids")


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

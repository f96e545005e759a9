"""Tilan tilannekuva (a snapshot of a case's decision state): the state to JSON and back.

:func:`dump` turns a :class:`~perhetyo.aggregates.state.CaseState` into a JSON-ready dict
and :func:`load` builds the state back from one, whole or not at all: a missing key, a
value of the wrong shape or a schema it does not know raises (``ValueError``,
``KeyError``, ``TypeError``), and the caller folds from the first event instead.

:data:`STATE_SCHEMA` is the state's schema version: raise it whenever a field of
:class:`CaseState` is added, removed or changes meaning, so that older snapshots are
ignored rather than half-read. Snapshots are written only by perhetyo itself (sealed and
checked by :mod:`perhetyo.persistence.snapshots`), so values are not re-judged by the
command rules here, only rebuilt with their types.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from enum import Enum
from typing import Any, Final, TypeVar
from uuid import UUID, SafeUUID

from perhetyo.aggregates.state import CaseState, Decision, Goal, Matter, Service, _Request
from perhetyo.record_values import DecisionOutcome
from perhetyo.values import (
    CaseStatus,
    GoalStatus,
    LegalBasis,
    NamedWorker,
    Profession,
    ServiceKind,
    ServiceStatus,
)

__all__ = ["STATE_SCHEMA", "dump", "load"]

STATE_SCHEMA: Final = 1
"""The version of :class:`CaseState`'s snapshot shape (see the module docstring)."""

S = TypeVar("S", bound=CaseState)
T = TypeVar("T")


E = TypeVar("E", bound=Enum)


def _members(enum: type[E]) -> Callable[[Any], E]:
    """A fast ``enum(value)`` (a dict look-up; ``KeyError`` for an unknown value)."""
    return {member.value: member for member in enum}.__getitem__


_UNKNOWN_SAFETY: Final = SafeUUID.unknown  # (an enum member read once: its look-up is slow)
_GOAL_STATUS = _members(GoalStatus)
_SERVICE_STATUS = _members(ServiceStatus)


def _to_id(value: str) -> UUID:
    """A UUID from its 32 hex digits, without ``UUID()``'s re-parsing of our own output."""
    if len(value) != 32:
        raise ValueError("not a UUID's hex digits")
    new = object.__new__(UUID)
    object.__setattr__(new, "int", int(value, 16))
    object.__setattr__(new, "is_safe", _UNKNOWN_SAFETY)
    return new


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _to_day(value: Any) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _result(value: object) -> list[Any]:
    """A command's result, tagged with its type (None, an int or a UUID)."""
    if value is None:
        return ["none", None]
    if isinstance(value, UUID):
        return ["uuid", str(value)]
    if type(value) is int:
        return ["int", value]
    raise TypeError(f"a request result of type {type(value).__name__} has no snapshot form")


def _to_result(tagged: list[Any]) -> object:
    kind, value = tagged
    if kind == "none":
        return None
    if kind == "uuid":
        return UUID(value)
    if kind == "int" and type(value) is int:
        return value
    raise ValueError("an unknown request result in a snapshot")


def dump(state: CaseState) -> dict[str, Any]:
    """The state as a JSON-ready dict (its unsaved events must have been collected)."""
    if state.pending:
        raise ValueError("a state with unsaved events is not snapshotted")
    return {
        "id": str(state.id),
        "version": state.version,
        "status": state.status.value,
        "legal_basis": state.legal_basis.value,
        "opened_on": _day(state.opened_on),
        "latest_on": _day(state.latest_on),
        "recorded_at": None if state.recorded_at is None else state.recorded_at.isoformat(),
        "worker_assigned_on": _day(state.worker_assigned_on),
        "worker_profession": state.worker_profession.value,
        "children": sorted(state.children),
        "child_since": {child: _day(day) for child, day in state.child_since.items()},
        "child_workers": {
            child: worker.model_dump(mode="json") for child, worker in state.child_workers.items()
        },
        "plan_version": state.plan_version,
        "plan_agreed_on": _day(state.plan_agreed_on),
        "goals": [
            [gid.hex, g.status.value, g.progress, _day(g.set_on), _day(g.last_on)]
            for gid, g in state.goals.items()
        ],
        "services": [
            [sid.hex, s.status.value, _day(s.ordered_on), _day(s.started_on)]
            for sid, s in state.services.items()
        ],
        "bans": {person: _day(day) for person, day in state.bans.items()},
        "decisions": [
            [
                did.hex,
                d.kind.value,
                d.outcome.value,
                _day(d.decided_on),
                _day(d.valid_from),
                _day(d.valid_until),
            ]
            for did, d in state.decisions.items()
        ],
        "matters": [
            [mid.hex, _day(m.pending_on), _day(m.started_on), m.completed, m.declined]
            for mid, m in state.matters.items()
        ],
        "requests": {
            request_id: [r.digest, _result(r.result)] for request_id, r in state.requests.items()
        },
    }


def _required(value: T | None) -> T:
    if value is None:
        raise ValueError("a required value is missing from a snapshot")
    return value


def _keyed(rows: list[list[Any]], build: Callable[[list[Any]], T]) -> dict[UUID, T]:
    return {_to_id(row[0]): build(row) for row in rows}


def _bool(value: Any) -> bool:
    if type(value) is not bool:
        raise TypeError("expected a boolean in a snapshot")
    return value


def _int(value: Any) -> int:
    if type(value) is not int:
        raise TypeError("expected an integer in a snapshot")
    return value


def _goals(rows: list[list[Any]]) -> dict[UUID, Goal]:
    """The goals (the longest part of a long case's state: one loop, names bound)."""
    to_id, status_of, day, goal = _to_id, _GOAL_STATUS, date.fromisoformat, Goal
    goals = {}
    for goal_id, status, progress, set_on, last_on in rows:
        if type(progress) is not int:
            raise TypeError("expected an integer in a snapshot")
        goals[to_id(goal_id)] = goal(status_of(status), progress, day(set_on), day(last_on))
    return goals


def load(cls: type[S], data: dict[str, Any]) -> S:
    """The state ``dump`` made, rebuilt whole (or an exception: nothing half-read)."""
    recorded_at = data["recorded_at"]
    return cls(
        id=UUID(data["id"]),
        version=_int(data["version"]),
        status=CaseStatus(data["status"]),
        legal_basis=LegalBasis(data["legal_basis"]),
        opened_on=_required(_to_day(data["opened_on"])),
        latest_on=_required(_to_day(data["latest_on"])),
        recorded_at=None if recorded_at is None else datetime.fromisoformat(recorded_at),
        worker_assigned_on=_required(_to_day(data["worker_assigned_on"])),
        worker_profession=Profession(data["worker_profession"]),
        children=frozenset(str(child) for child in data["children"]),
        child_since={str(k): _required(_to_day(v)) for k, v in data["child_since"].items()},
        child_workers={
            str(k): NamedWorker.model_validate(v, context={"stored": True})
            for k, v in data["child_workers"].items()
        },
        plan_version=_int(data["plan_version"]),
        plan_agreed_on=_required(_to_day(data["plan_agreed_on"])),
        goals=_goals(data["goals"]),
        services=_keyed(
            data["services"],
            lambda r: Service(_SERVICE_STATUS(r[1]), date.fromisoformat(r[2]), _to_day(r[3])),
        ),
        bans={str(k): _required(_to_day(v)) for k, v in data["bans"].items()},
        decisions=_keyed(
            data["decisions"],
            lambda r: Decision(
                ServiceKind(r[1]),
                DecisionOutcome(r[2]),
                date.fromisoformat(r[3]),
                _to_day(r[4]),
                _to_day(r[5]),
            ),
        ),
        matters=_keyed(
            data["matters"],
            lambda r: Matter(date.fromisoformat(r[1]), _to_day(r[2]), _bool(r[3]), _bool(r[4])),
        ),
        requests={
            str(k): _Request(None if v[0] is None else str(v[0]), _to_result(v[1]))
            for k, v in data["requests"].items()
        },
    )

"""Asiakkuuden tila (a case's decision state): what every area of rules shares.

``CaseState`` holds only what the rules need, replays events (:meth:`CaseState.project`)
and records new ones (:meth:`CaseState._record`). The rules live in one module per area,
each a subclass with a decide method (``@decides(SetGoal)``) beside the apply handler of
the event it records (``@applies(GoalSet)``):

- a decide method takes a validated command and the current time, checks the rules with
  ``if ...: raise`` before any event exists, and records exactly one event;
- an apply handler only assigns: it never raises, reads the clock or makes ids, so
  replaying old events always works.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, ClassVar, Self, TypeVar
from uuid import UUID, uuid4

from perhetyo.commands import CaseCommand, Command
from perhetyo.errors import (
    CaseClosedError,
    DateOutOfRangeError,
    DecisionNotFoundError,
    GoalNotFoundError,
    RequestConflictError,
    ServiceNotFoundError,
    UnknownChildError,
    WorkerNotQualifiedError,
)
from perhetyo.events import CaseEvent
from perhetyo.record_values import DecisionOutcome
from perhetyo.time import today_in
from perhetyo.values import (
    CaseStatus,
    GoalStatus,
    LegalBasis,
    NamedWorker,
    Profession,
    ServiceKind,
    ServiceStatus,
    named_worker_professions,
)

__all__ = [
    "CaseState",
    "Decision",
    "Goal",
    "Matter",
    "Service",
    "applies",
    "check_worker",
    "decides",
]

E = TypeVar("E", bound=CaseEvent)
F = TypeVar("F", bound=Callable[..., Any])

_APPLIES = "__perhetyo_applies__"
_DECIDES = "__perhetyo_decides__"


def applies(event_class: type[CaseEvent]) -> Callable[[F], F]:
    """Mark a method as the apply handler of ``event_class`` (assignments only)."""

    def mark(method: F) -> F:
        setattr(method, _APPLIES, event_class)
        return method

    return mark


def decides(command_class: type[Command[Any]]) -> Callable[[F], F]:
    """Mark a method as the decide method of ``command_class``."""

    def mark(method: F) -> F:
        setattr(method, _DECIDES, command_class)
        return method

    return mark


@dataclass(slots=True)
class Goal:
    """A goal as the rules see it (tavoite): status, progress, when set and last touched.

    Not ``frozen``: the goal-update handler, which runs for nearly every event a long case
    replays, assigns the new status, progress and date to the state's own ``Goal`` in
    place (one dict lookup, nothing built). Each load folds Goals of its own and nothing
    outside the state keeps one, so no one else sees the change; decide methods read a
    goal before recording, never after.
    """

    status: GoalStatus
    progress: int
    set_on: date
    last_on: date


@dataclass(frozen=True, slots=True)
class Service:
    """A service as the rules see it (palvelu): status and the dates its steps follow."""

    status: ServiceStatus
    ordered_on: date
    started_on: date | None = None

    @property
    def next_step_from(self) -> date:
        """The earliest date its next step (start or end) may have."""
        return self.started_on or self.ordered_on


@dataclass(frozen=True, slots=True)
class Decision:
    """A service decision as the rules see it (palvelupäätös): what it grants, and when."""

    kind: ServiceKind
    outcome: DecisionOutcome
    decided_on: date
    valid_from: date | None
    valid_until: date | None


@dataclass(frozen=True, slots=True)
class Matter:
    """A matter as the rules see it (asia): when pending, and where its assessment stands."""

    pending_on: date
    started_on: date | None = None
    completed: bool = False
    declined: bool = False


@dataclass(slots=True)
class _Request:
    digest: str | None
    result: object


def check_worker(worker: NamedWorker, legal_basis: LegalBasis) -> None:
    if worker.profession in named_worker_professions(legal_basis):
        return
    if legal_basis is LegalBasis.CHILD_WELFARE_ACT:
        raise WorkerNotQualifiedError(
            "in a child welfare act case the named worker must be a social worker"
        )
    raise WorkerNotQualifiedError(
        f"a named worker must be a social worker or a special social counsellor, "
        f"not {worker.profession.value}"
    )


@dataclass(slots=True)
class CaseState:
    """Asiakkuuden tila (the decision state of one case): fields, replay and rule helpers.

    Each area of rules is a subclass of this in its own module (opening and closing,
    workers, encounters, the plan, services); :class:`~perhetyo.aggregates.case.FamilyCase`
    joins them. A subclass collects the ``@applies`` and ``@decides`` marks of its whole
    class hierarchy when it is defined.

    ``new_id`` makes the ids of new meetings, goals, services and matters (``uuid4`` by default;
    the testing kit passes a counter so that drawn histories are reproducible).
    """

    id: UUID
    version: int = 0
    status: CaseStatus = CaseStatus.OPEN
    legal_basis: LegalBasis = LegalBasis.SOCIAL_WELFARE_ACT
    opened_on: date = date.min
    latest_on: date = date.min
    recorded_at: datetime | None = None
    worker_assigned_on: date = date.min
    worker_profession: Profession = Profession.SOCIAL_WORKER
    children: frozenset[str] = frozenset()
    """The children in the case now (a child who left is not)."""
    child_since: dict[str, date] = field(default_factory=dict)
    """Each child's latest own step (joined, own worker assigned, left): the floor of the next."""
    child_workers: dict[str, NamedWorker] = field(default_factory=dict)
    """Each child's own named worker, for the children in the case that have one."""
    plan_version: int = 0
    plan_agreed_on: date = date.min
    goals: dict[UUID, Goal] = field(default_factory=dict)
    services: dict[UUID, Service] = field(default_factory=dict)
    bans: dict[str, date] = field(default_factory=dict)
    """Each person a minor's ban covers, and the earliest date a ban on them was decided."""
    decisions: dict[UUID, Decision] = field(default_factory=dict)
    matters: dict[UUID, Matter] = field(default_factory=dict)
    """The case's matters in the order they became pending; the opening's first."""
    requests: dict[str, _Request] = field(default_factory=dict)
    pending: list[CaseEvent] = field(default_factory=list)
    new_id: Callable[[], UUID] = uuid4

    _appliers: ClassVar[dict[type[Any], Callable[..., Any]]] = {}
    _deciders: ClassVar[dict[type[Any], Callable[..., Any]]] = {}

    def __init_subclass__(cls) -> None:
        # No super() here: dataclass(slots=True) recreates this class, and the zero-argument
        # super() would point at the discarded one. object's hook does nothing anyway.
        cls._appliers = _marked(cls, _APPLIES)
        cls._deciders = _marked(cls, _DECIDES)

    # --- rebuilding ---------------------------------------------------------------------

    @classmethod
    def project(cls, state: Self | None, events: Iterable[CaseEvent]) -> Self | None:
        """Fold stored events into a case (the projector for ``Repository.get``)."""
        appliers = cls._appliers
        for event in events:  # runs once per event of every load: kept flat
            if state is None:
                state = cls(id=event.originator_id)
            appliers[type(event)](state, event)
            state.version = event.originator_version
            if event.DATES_THE_CASE:
                day: date = getattr(event, event.DATE_FIELD)
                if day > state.latest_on:  # noqa: PLR1730 (max() is a call per event)
                    state.latest_on = day
            state.recorded_at = event.timestamp
            if event.request_id is not None:
                state.requests[event.request_id] = _Request(event.request_digest, event.result())
        return state

    def apply(self, event: CaseEvent) -> None:
        """Evolve the state by one event: its handler, then what every event moves
        (:meth:`project`'s loop, the one place that says what)."""
        self.project(self, (event,))

    def collect_events(self) -> list[CaseEvent]:
        """Hand over the new events, once."""
        events, self.pending = self.pending, []
        return events

    @property
    def is_open(self) -> bool:
        """Whether the case takes commands (it has not closed)."""
        return self.status is CaseStatus.OPEN

    def open_goals(self) -> list[UUID]:
        """The goals that still take updates, in the order they were set."""
        return [goal_id for goal_id, goal in self.goals.items() if not goal.status.is_final]

    def services_in(self, *statuses: ServiceStatus) -> list[UUID]:
        """The services in any of ``statuses``, in the order they were ordered."""
        return [sid for sid, service in self.services.items() if service.status in statuses]

    @classmethod
    def applier(cls, event_class: type[CaseEvent]) -> Callable[..., Any] | None:
        """The apply handler of an event class (None for a class that has none)."""
        return cls._appliers.get(event_class)

    @classmethod
    def decider(cls, command_class: type[CaseCommand[Any]]) -> Callable[..., Any] | None:
        """The decide method of a command class (None for a class that has none)."""
        return cls._deciders.get(command_class)

    def repeated(self, command: Command[Any]) -> tuple[bool, object]:
        """Whether ``command`` repeats an earlier request, and that request's result.

        Raises :class:`RequestConflictError` when the request id was used with other
        arguments. A repeat is answered before any rule, even on a closed case.
        """
        if command.request_id is None or command.request_id not in self.requests:
            return False, None
        earlier = self.requests[command.request_id]
        if earlier.digest not in command.digests():
            raise RequestConflictError(
                f"request_id was already used on case {self.id} with other arguments"
            )
        return True, earlier.result

    # --- rule helpers -------------------------------------------------------------------

    def _check_open(self) -> None:
        if self.status is CaseStatus.CLOSED:
            raise CaseClosedError(f"case {self.id} is closed")

    def _check_happened(self, name: str, value: date, now: datetime) -> None:
        if value < self.opened_on:
            raise DateOutOfRangeError(f"{name} is before the case opened")
        if value > today_in(now):
            raise DateOutOfRangeError(f"{name} is in the future")

    @staticmethod
    def _check_planned(name: str, value: date | None, set_on: date) -> None:
        if value is not None and value < set_on:
            raise DateOutOfRangeError(f"{name} is before the date it was set")

    def _check_child(self, child_id: str) -> None:
        if child_id not in self.children:
            raise UnknownChildError(f"child {child_id} is not a child of case {self.id}")

    def _goal(self, goal_id: UUID) -> Goal:
        try:
            return self.goals[goal_id]
        except KeyError:
            raise GoalNotFoundError(f"goal {goal_id} is not a goal of case {self.id}") from None

    def _service(self, service_id: UUID) -> Service:
        try:
            return self.services[service_id]
        except KeyError:
            raise ServiceNotFoundError(
                f"service {service_id} is not a service of case {self.id}"
            ) from None

    def _decision(self, decision_id: UUID) -> Decision:
        try:
            return self.decisions[decision_id]
        except KeyError:
            raise DecisionNotFoundError(
                f"decision {decision_id} is not a decision of case {self.id}"
            ) from None

    def _record(
        self, event_class: type[E], command: Command[Any], now: datetime, **fields: Any
    ) -> E:
        """Record one event. Its record time never goes before the previous event's, even
        when the servers' clocks disagree, so ``recorded_before`` always folds a prefix."""
        recorded_at = now if self.recorded_at is None else max(now, self.recorded_at)
        event = event_class(
            originator_id=self.id,
            originator_version=self.version + 1,
            timestamp=recorded_at,
            actor=command.actor,
            request_id=command.request_id,
            request_digest=command.digest() if command.request_id is not None else None,
            **fields,
        )
        self.apply(event)
        self.pending.append(event)
        return event


def _marked(cls: type[Any], attribute: str) -> dict[type[Any], Callable[..., Any]]:
    """The methods of ``cls`` and its bases marked by ``@applies`` or ``@decides``."""
    found: dict[type[Any], Callable[..., Any]] = {}
    for klass in reversed(cls.__mro__):
        for value in vars(klass).values():
            key = getattr(value, attribute, None)
            if key is not None:
                found[key] = value
    return found

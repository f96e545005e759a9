"""Family case (perhesosiaalityön asiakkuus): the aggregate that decides every command.

``FamilyCase`` is a plain class, rebuilt from its events by :meth:`FamilyCase.project`
(eventsourcing's ``Repository.get(projector_func=...)``). Each command has a decide
method, and right beside it the apply handler of the event it records (cargoshipping's
triplet: command method -> event class -> apply handler, on one screen):

- a decide method (``@decides(SetGoal)``) takes a validated command and the current time,
  checks the rules with ``if ...: raise`` before any event exists, and records exactly one
  event;
- an apply handler (``@applies(GoalSet)``) only assigns: it never raises, reads the clock
  or makes ids, so replaying old events always works.

It keeps only what the rules need; the read models are projections (``perhetyo.projections``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, TypeVar
from uuid import UUID, uuid4

from perhetyo.commands import (
    AgreePlan,
    AssignNamedWorker,
    CaseCommand,
    CloseCase,
    Command,
    EndService,
    OpenCase,
    OrderService,
    RecordChildView,
    RecordMeeting,
    SetGoal,
    StartService,
    UpdateGoal,
)
from perhetyo.errors import (
    CaseClosedError,
    ClosureIncompleteError,
    DateOutOfRangeError,
    GoalAlreadyFinalError,
    GoalNotFoundError,
    OutOfOrderError,
    RequestConflictError,
    ServiceLifecycleError,
    ServiceNotFoundError,
    UnknownChildError,
    WorkerNotQualifiedError,
)
from perhetyo.events import (
    CaseClosed,
    CaseEvent,
    CaseOpened,
    ChildViewRecorded,
    GoalSet,
    GoalUpdated,
    MeetingHeld,
    NamedWorkerAssigned,
    PlanAgreed,
    ServiceEnded,
    ServiceOrdered,
    ServiceStarted,
)
from perhetyo.time import today_in
from perhetyo.values import (
    CaseStatus,
    GoalStatus,
    LegalBasis,
    NamedWorker,
    ServiceStatus,
    ServiceTask,
    named_worker_professions,
)

__all__ = ["FamilyCase", "Goal", "Service", "applies", "decides"]

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


@dataclass(frozen=True, slots=True)
class Goal:
    """A goal as the rules see it (tavoite): status, progress, when set and last touched."""

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


@dataclass(slots=True)
class _Request:
    digest: str | None
    result: object


def _check_worker(worker: NamedWorker, legal_basis: LegalBasis) -> None:
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
class FamilyCase:
    """Family case (perhesosiaalityön asiakkuus): the decision state of one case.

    ``new_id`` makes the ids of new meetings, goals and services (``uuid4`` by default;
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
    children: frozenset[str] = frozenset()
    plan_version: int = 0
    plan_agreed_on: date = date.min
    goals: dict[UUID, Goal] = field(default_factory=dict)
    services: dict[UUID, Service] = field(default_factory=dict)
    requests: dict[str, _Request] = field(default_factory=dict)
    pending: list[CaseEvent] = field(default_factory=list)
    new_id: Callable[[], UUID] = uuid4

    # --- rebuilding ---------------------------------------------------------------------

    @classmethod
    def project(cls, state: FamilyCase | None, events: Iterable[CaseEvent]) -> FamilyCase | None:
        """Fold stored events into a case (the projector for ``Repository.get``)."""
        for event in events:
            if state is None:
                state = cls(id=event.originator_id)
            state.apply(event)
        return state

    def apply(self, event: CaseEvent) -> None:
        """Evolve the state by one event: its handler, then what every event moves."""
        _APPLIERS[type(event)](self, event)
        self.version = event.originator_version
        self.latest_on = max(self.latest_on, event.occurred_on)
        self.recorded_at = event.timestamp
        if event.request_id is not None:
            self.requests[event.request_id] = _Request(event.request_digest, event.result())

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

    @staticmethod
    def decider(command_class: type[CaseCommand[Any]]) -> Callable[..., Any] | None:
        """The decide method of a command class (None for a class that has none)."""
        return _DECIDERS.get(command_class)

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

    # --- opening ------------------------------------------------------------------------

    @classmethod
    def open(cls, command: OpenCase, *, case_id: UUID, now: datetime) -> FamilyCase:
        """Open a case (aloita asiakkuus): the named worker's profession, the opening date."""
        _check_worker(command.named_worker, command.legal_basis)
        if command.opened_on > today_in(now):
            raise DateOutOfRangeError("opened_on is in the future")
        case = cls(id=case_id)
        case._record(
            CaseOpened,
            command,
            now,
            children=command.children,
            guardians=command.guardians,
            legal_basis=command.legal_basis,
            service_task=command.service_task or ServiceTask.default_for(command.legal_basis),
            opened_on=command.opened_on,
            named_worker=command.named_worker,
            previous_case_id=command.previous_case_id,
        )
        return case

    @applies(CaseOpened)
    def _opened(self, event: CaseOpened) -> None:
        self.legal_basis = event.legal_basis
        self.opened_on = event.opened_on
        self.worker_assigned_on = event.opened_on
        self.children = frozenset(child.id for child in event.children)

    # --- the named worker ---------------------------------------------------------------

    @decides(AssignNamedWorker)
    def assign_named_worker(self, command: AssignNamedWorker, now: datetime) -> None:
        """Assign a named worker (nimeä omatyöntekijä)."""
        self._check_open()
        self._check_happened("assigned_on", command.assigned_on, now)
        _check_worker(command.worker, self.legal_basis)
        if command.assigned_on < self.worker_assigned_on:
            raise OutOfOrderError("assigned_on is before the previous assignment")
        self._record(
            NamedWorkerAssigned,
            command,
            now,
            worker=command.worker,
            assigned_on=command.assigned_on,
            reason=command.reason,
        )

    @applies(NamedWorkerAssigned)
    def _worker_assigned(self, event: NamedWorkerAssigned) -> None:
        self.worker_assigned_on = event.assigned_on

    # --- meetings and children's views ------------------------------------------------------

    @decides(RecordMeeting)
    def record_meeting(self, command: RecordMeeting, now: datetime) -> UUID:
        """Record a meeting (kirjaa tapaaminen); returns the new meeting id."""
        self._check_open()
        self._check_happened("held_on", command.held_on, now)
        event = self._record(
            MeetingHeld,
            command,
            now,
            meeting_id=self.new_id(),
            kind=command.kind,
            held_on=command.held_on,
            participants=command.participants,
            summary=command.summary,
        )
        return event.meeting_id

    @applies(MeetingHeld)
    def _meeting_held(self, event: MeetingHeld) -> None:
        """A meeting changes no decision state."""

    @decides(RecordChildView)
    def record_child_view(self, command: RecordChildView, now: datetime) -> None:
        """Record a child's view (kirjaa lapsen näkemys) or why the child was not heard."""
        self._check_open()
        self._check_happened("recorded_on", command.recorded_on, now)
        self._check_child(command.child_id)
        self._record(
            ChildViewRecorded,
            command,
            now,
            child_id=command.child_id,
            view=command.view,
            not_heard_reason=command.not_heard_reason,
            recorded_on=command.recorded_on,
        )

    @applies(ChildViewRecorded)
    def _child_view_recorded(self, event: ChildViewRecorded) -> None:
        """A child's view changes no decision state."""

    # --- the client plan and its goals ------------------------------------------------------

    @decides(AgreePlan)
    def agree_plan(self, command: AgreePlan, now: datetime) -> int:
        """Agree the next version of the client plan; returns its version number."""
        self._check_open()
        self._check_happened("agreed_on", command.agreed_on, now)
        if command.agreed_on < self.plan_agreed_on:
            raise OutOfOrderError("agreed_on is before the previous plan version")
        self._check_planned("review_due_on", command.review_due_on, command.agreed_on)
        event = self._record(
            PlanAgreed,
            command,
            now,
            plan_version=self.plan_version + 1,
            agreed_on=command.agreed_on,
            agreements=command.agreements,
            dissent=command.dissent,
            review_due_on=command.review_due_on,
        )
        return event.plan_version

    @applies(PlanAgreed)
    def _plan_agreed(self, event: PlanAgreed) -> None:
        self.plan_version = event.plan_version
        self.plan_agreed_on = event.agreed_on

    @decides(SetGoal)
    def set_goal(self, command: SetGoal, now: datetime) -> UUID:
        """Set a goal (aseta tavoite); returns the new goal id."""
        self._check_open()
        self._check_happened("set_on", command.set_on, now)
        self._check_planned("target_date", command.target_date, command.set_on)
        if command.child_id is not None:
            self._check_child(command.child_id)
        event = self._record(
            GoalSet,
            command,
            now,
            goal_id=self.new_id(),
            description=command.description,
            child_id=command.child_id,
            set_on=command.set_on,
            target_date=command.target_date,
        )
        return event.goal_id

    @applies(GoalSet)
    def _goal_set(self, event: GoalSet) -> None:
        self.goals[event.goal_id] = Goal(GoalStatus.NOT_STARTED, 0, event.set_on, event.set_on)

    @decides(UpdateGoal)
    def update_goal(self, command: UpdateGoal, now: datetime) -> None:
        """Update a goal (päivitä tavoite); a goal in a final status takes no update."""
        self._check_open()
        goal = self._goal(command.goal_id)
        self._check_happened("updated_on", command.updated_on, now)
        if goal.status.is_final:
            raise GoalAlreadyFinalError(f"goal {command.goal_id} is {goal.status.value}")
        if command.updated_on < goal.last_on:
            raise OutOfOrderError(
                f"updated_on of goal {command.goal_id} is before its previous update or setting"
            )
        self._record(
            GoalUpdated,
            command,
            now,
            goal_id=command.goal_id,
            status=command.status,
            progress=goal.progress if command.progress is None else command.progress,
            note=command.note,
            updated_on=command.updated_on,
        )

    @applies(GoalUpdated)
    def _goal_updated(self, event: GoalUpdated) -> None:
        goal = self.goals[event.goal_id]
        self.goals[event.goal_id] = replace(
            goal, status=event.status, progress=event.progress, last_on=event.updated_on
        )

    # --- services -----------------------------------------------------------------------

    @decides(OrderService)
    def order_service(self, command: OrderService, now: datetime) -> UUID:
        """Order a service (tilaa palvelu); its goals must exist on the order date."""
        self._check_open()
        self._check_happened("ordered_on", command.ordered_on, now)
        for goal_id in command.goal_ids:
            if self._goal(goal_id).set_on > command.ordered_on:
                raise OutOfOrderError(f"goal {goal_id} was set after ordered_on")
        event = self._record(
            ServiceOrdered,
            command,
            now,
            service_id=self.new_id(),
            kind=command.kind,
            provider=command.provider,
            ordered_on=command.ordered_on,
            goal_ids=command.goal_ids,
        )
        return event.service_id

    @applies(ServiceOrdered)
    def _service_ordered(self, event: ServiceOrdered) -> None:
        self.services[event.service_id] = Service(ServiceStatus.ORDERED, event.ordered_on)

    @decides(StartService)
    def start_service(self, command: StartService, now: datetime) -> None:
        """Record that an ordered service started (palvelu alkoi)."""
        self._check_open()
        service = self._service(command.service_id)
        self._check_happened("started_on", command.started_on, now)
        if service.status is not ServiceStatus.ORDERED:
            raise ServiceLifecycleError(
                f"service {command.service_id} is {service.status.value}, not ordered"
            )
        if command.started_on < service.ordered_on:
            raise OutOfOrderError(f"service {command.service_id} starts before it was ordered")
        self._record(
            ServiceStarted,
            command,
            now,
            service_id=command.service_id,
            started_on=command.started_on,
        )

    @applies(ServiceStarted)
    def _service_started(self, event: ServiceStarted) -> None:
        service = self.services[event.service_id]
        self.services[event.service_id] = replace(
            service, status=ServiceStatus.ACTIVE, started_on=event.started_on
        )

    @decides(EndService)
    def end_service(self, command: EndService, now: datetime) -> None:
        """End a service (päätä palvelu); one that never started ends as cancelled."""
        self._check_open()
        service = self._service(command.service_id)
        self._check_happened("ended_on", command.ended_on, now)
        if service.status in (ServiceStatus.ENDED, ServiceStatus.CANCELLED):
            raise ServiceLifecycleError(
                f"service {command.service_id} is already {service.status.value}"
            )
        if command.ended_on < service.next_step_from:
            raise OutOfOrderError(
                f"service {command.service_id} ends before it started or was ordered"
            )
        self._record(
            ServiceEnded,
            command,
            now,
            service_id=command.service_id,
            ended_on=command.ended_on,
            reason=command.reason,
            cancelled=service.status is ServiceStatus.ORDERED,
        )

    @applies(ServiceEnded)
    def _service_ended(self, event: ServiceEnded) -> None:
        service = self.services[event.service_id]
        status = ServiceStatus.CANCELLED if event.cancelled else ServiceStatus.ENDED
        self.services[event.service_id] = replace(service, status=status)

    # --- closing ------------------------------------------------------------------------

    @decides(CloseCase)
    def close_case(self, command: CloseCase, now: datetime) -> None:
        """Close the case (päätä asiakkuus): services ended, every child heard on the ending."""
        self._check_open()
        self._check_happened("closed_on", command.closed_on, now)
        if command.closed_on < self.latest_on:
            raise OutOfOrderError("closed_on is before an event already recorded in the case")
        running = sorted(
            str(service_id)
            for service_id in self.services_in(ServiceStatus.ORDERED, ServiceStatus.ACTIVE)
        )
        if running:
            raise ClosureIncompleteError(
                f"services still ordered or active: {', '.join(running)}"
            )
        given = set(command.child_views) | set(command.not_heard_reasons)
        for child_id in sorted(given):
            self._check_child(child_id)
        missing = sorted(self.children - given)
        if missing:
            raise ClosureIncompleteError(
                f"no view or not-heard reason for children: {', '.join(missing)}"
            )
        self._record(
            CaseClosed,
            command,
            now,
            closed_on=command.closed_on,
            reason=command.reason,
            child_views=command.child_views,
            not_heard_reasons=command.not_heard_reasons,
            successor=command.successor,
        )

    @applies(CaseClosed)
    def _closed(self, event: CaseClosed) -> None:
        self.status = CaseStatus.CLOSED

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


def _marked(attribute: str) -> dict[type[Any], Callable[..., Any]]:
    """The methods of FamilyCase marked by ``@applies`` or ``@decides``, by their class."""
    found: dict[type[Any], Callable[..., Any]] = {}
    for value in vars(FamilyCase).values():
        key = getattr(value, attribute, None)
        if key is not None:
            found[key] = value
    return found


_APPLIERS: dict[type[Any], Callable[..., Any]] = _marked(_APPLIES)
"""Each event class's apply handler, collected from the ``@applies`` marks above."""

_DECIDERS: dict[type[Any], Callable[..., Any]] = _marked(_DECIDES)
"""Each case command class's decide method, collected from the ``@decides`` marks above."""

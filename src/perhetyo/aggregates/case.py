"""Family case (perhesosiaalityön asiakkuus): the aggregate that decides every command.

``FamilyCase`` is a plain class, rebuilt from its events by :meth:`FamilyCase.project`
(eventsourcing's ``Repository.get(projector_func=...)``). Its public methods take a
validated command and the current time, check the rules with ``if ...: raise`` before any
event exists, and then record exactly one event. Apply handlers only assign: they never
raise, read the clock or make ids, so replaying old events always works.

It keeps only what the rules need; the read models are projections (``perhetyo.projections``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, TypeVar
from uuid import UUID, uuid4, uuid5
from zoneinfo import ZoneInfo

from perhetyo.commands import (
    AgreePlan,
    AssignNamedWorker,
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
from perhetyo.values import (
    NAMED_WORKER_PROFESSIONS,
    CaseStatus,
    GoalStatus,
    LegalBasis,
    NamedWorker,
    Profession,
    ServiceStatus,
    ServiceTask,
)

__all__ = ["HELSINKI", "REQUEST_NAMESPACE", "FamilyCase", "case_id_for_request", "today_in"]

HELSINKI = ZoneInfo("Europe/Helsinki")
"""'Today' is the date in Helsinki: a social worker's day, not UTC's."""

REQUEST_NAMESPACE = UUID("6f1d6a52-3c1e-5d0b-9a57-8f0c2b1e4d21")
"""Namespace of case ids derived from an ``open_case`` request id (uuid5)."""

E = TypeVar("E", bound=CaseEvent)


def today_in(now: datetime) -> date:
    """The business date of ``now`` in Europe/Helsinki."""
    return now.astimezone(HELSINKI).date()


def case_id_for_request(request_id: str) -> UUID:
    """The case id an ``open_case`` with this request id creates (stable across retries)."""
    return uuid5(REQUEST_NAMESPACE, request_id)


@dataclass(frozen=True, slots=True)
class _Goal:
    status: GoalStatus
    progress: int
    last_on: date


@dataclass(frozen=True, slots=True)
class _Service:
    status: ServiceStatus
    ordered_on: date
    started_on: date | None = None


@dataclass(slots=True)
class _Request:
    digest: str | None
    result: Any


def _check_worker(worker: NamedWorker, legal_basis: LegalBasis) -> None:
    if worker.profession not in NAMED_WORKER_PROFESSIONS:
        raise WorkerNotQualifiedError(
            f"a named worker must be a social worker or a special social counsellor, "
            f"not {worker.profession.value}"
        )
    if legal_basis is LegalBasis.CHILD_WELFARE_ACT and worker.profession is not (
        Profession.SOCIAL_WORKER
    ):
        raise WorkerNotQualifiedError(
            "in a child welfare act case the named worker must be a social worker"
        )


@dataclass(slots=True)
class FamilyCase:
    """Family case (perhesosiaalityön asiakkuus): the decision state of one case."""

    id: UUID
    version: int = 0
    status: CaseStatus = CaseStatus.OPEN
    legal_basis: LegalBasis = LegalBasis.SOCIAL_WELFARE_ACT
    opened_on: date = date.min
    latest_on: date = date.min
    worker_assigned_on: date = date.min
    children: frozenset[str] = frozenset()
    plan_version: int = 0
    plan_agreed_on: date = date.min
    goals: dict[UUID, _Goal] = field(default_factory=dict)
    services: dict[UUID, _Service] = field(default_factory=dict)
    requests: dict[str, _Request] = field(default_factory=dict)
    pending: list[CaseEvent] = field(default_factory=list)

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
        """Evolve the state by one event: assignments only."""
        _HANDLERS[type(event)](self, event)
        self.version = event.originator_version
        self.latest_on = max(self.latest_on, event.occurred_on)
        if event.request_id is not None:
            self.requests[event.request_id] = _Request(event.request_digest, _result_of(event))

    def collect_events(self) -> list[CaseEvent]:
        """Hand over the new events, once."""
        events, self.pending = self.pending, []
        return events

    # --- deciding -----------------------------------------------------------------------

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

    def repeated(self, command: Command) -> tuple[bool, Any]:
        """Whether ``command`` repeats an earlier request, and that request's result.

        Raises :class:`RequestConflictError` when the request id was used with other
        arguments. A repeat is answered before any rule, even on a closed case.
        """
        if command.request_id is None or command.request_id not in self.requests:
            return False, None
        earlier = self.requests[command.request_id]
        if earlier.digest != command.digest():
            raise RequestConflictError(
                f"request_id was already used on case {self.id} with other arguments"
            )
        return True, earlier.result

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

    def record_meeting(self, command: RecordMeeting, now: datetime) -> UUID:
        """Record a meeting (kirjaa tapaaminen); returns the new meeting id."""
        self._check_open()
        self._check_happened("held_on", command.held_on, now)
        meeting_id = uuid4()
        self._record(
            MeetingHeld,
            command,
            now,
            meeting_id=meeting_id,
            kind=command.kind,
            held_on=command.held_on,
            participants=command.participants,
            summary=command.summary,
        )
        return meeting_id

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

    def agree_plan(self, command: AgreePlan, now: datetime) -> int:
        """Agree the next version of the client plan; returns its version number."""
        self._check_open()
        self._check_happened("agreed_on", command.agreed_on, now)
        if command.agreed_on < self.plan_agreed_on:
            raise OutOfOrderError("agreed_on is before the previous plan version")
        self._check_planned("review_due_on", command.review_due_on, command.agreed_on)
        plan_version = self.plan_version + 1
        self._record(
            PlanAgreed,
            command,
            now,
            plan_version=plan_version,
            agreed_on=command.agreed_on,
            agreements=command.agreements,
            dissent=command.dissent,
            review_due_on=command.review_due_on,
        )
        return plan_version

    def set_goal(self, command: SetGoal, now: datetime) -> UUID:
        """Set a goal (aseta tavoite); returns the new goal id."""
        self._check_open()
        self._check_happened("set_on", command.set_on, now)
        self._check_planned("target_date", command.target_date, command.set_on)
        if command.child_id is not None:
            self._check_child(command.child_id)
        goal_id = uuid4()
        self._record(
            GoalSet,
            command,
            now,
            goal_id=goal_id,
            description=command.description,
            child_id=command.child_id,
            set_on=command.set_on,
            target_date=command.target_date,
        )
        return goal_id

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

    def order_service(self, command: OrderService, now: datetime) -> UUID:
        """Order a service (tilaa palvelu); returns the new service id."""
        self._check_open()
        self._check_happened("ordered_on", command.ordered_on, now)
        for goal_id in command.goal_ids:
            self._goal(goal_id)
        service_id = uuid4()
        self._record(
            ServiceOrdered,
            command,
            now,
            service_id=service_id,
            kind=command.kind,
            provider=command.provider,
            ordered_on=command.ordered_on,
            goal_ids=command.goal_ids,
        )
        return service_id

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
            ServiceStarted, command, now, service_id=command.service_id,
            started_on=command.started_on,
        )

    def end_service(self, command: EndService, now: datetime) -> None:
        """End a service (päätä palvelu); one that never started ends as cancelled."""
        self._check_open()
        service = self._service(command.service_id)
        self._check_happened("ended_on", command.ended_on, now)
        if service.status in (ServiceStatus.ENDED, ServiceStatus.CANCELLED):
            raise ServiceLifecycleError(
                f"service {command.service_id} is already {service.status.value}"
            )
        earliest = service.started_on or service.ordered_on
        if command.ended_on < earliest:
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

    def close_case(self, command: CloseCase, now: datetime) -> None:
        """Close the case (päätä asiakkuus): services ended, every child heard on the ending."""
        self._check_open()
        self._check_happened("closed_on", command.closed_on, now)
        if command.closed_on < self.latest_on:
            raise OutOfOrderError("closed_on is before an event already recorded in the case")
        running = sorted(
            str(service_id)
            for service_id, service in self.services.items()
            if service.status in (ServiceStatus.ORDERED, ServiceStatus.ACTIVE)
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

    def _goal(self, goal_id: UUID) -> _Goal:
        try:
            return self.goals[goal_id]
        except KeyError:
            raise GoalNotFoundError(f"goal {goal_id} is not a goal of case {self.id}") from None

    def _service(self, service_id: UUID) -> _Service:
        try:
            return self.services[service_id]
        except KeyError:
            raise ServiceNotFoundError(
                f"service {service_id} is not a service of case {self.id}"
            ) from None

    def _record(self, event_class: type[E], command: Command, now: datetime, **fields: Any) -> E:
        event = event_class(
            originator_id=self.id,
            originator_version=self.version + 1,
            timestamp=now,
            actor=command.actor,
            request_id=command.request_id,
            request_digest=command.digest() if command.request_id is not None else None,
            **fields,
        )
        self.apply(event)
        self.pending.append(event)
        return event


# --- apply handlers: assignments only ----------------------------------------------------


def _opened(case: FamilyCase, event: CaseOpened) -> None:
    case.legal_basis = event.legal_basis
    case.opened_on = event.opened_on
    case.worker_assigned_on = event.opened_on
    case.children = frozenset(child.id for child in event.children)


def _worker_assigned(case: FamilyCase, event: NamedWorkerAssigned) -> None:
    case.worker_assigned_on = event.assigned_on


def _nothing(case: FamilyCase, event: CaseEvent) -> None:
    """Meetings and children's views change no decision state."""


def _plan_agreed(case: FamilyCase, event: PlanAgreed) -> None:
    case.plan_version = event.plan_version
    case.plan_agreed_on = event.agreed_on


def _goal_set(case: FamilyCase, event: GoalSet) -> None:
    case.goals[event.goal_id] = _Goal(GoalStatus.NOT_STARTED, 0, event.set_on)


def _goal_updated(case: FamilyCase, event: GoalUpdated) -> None:
    case.goals[event.goal_id] = _Goal(event.status, event.progress, event.updated_on)


def _service_ordered(case: FamilyCase, event: ServiceOrdered) -> None:
    case.services[event.service_id] = _Service(ServiceStatus.ORDERED, event.ordered_on)


def _service_started(case: FamilyCase, event: ServiceStarted) -> None:
    service = case.services[event.service_id]
    case.services[event.service_id] = replace(
        service, status=ServiceStatus.ACTIVE, started_on=event.started_on
    )


def _service_ended(case: FamilyCase, event: ServiceEnded) -> None:
    service = case.services[event.service_id]
    status = ServiceStatus.CANCELLED if event.cancelled else ServiceStatus.ENDED
    case.services[event.service_id] = replace(service, status=status)


def _closed(case: FamilyCase, event: CaseClosed) -> None:
    case.status = CaseStatus.CLOSED


_HANDLERS: dict[type[CaseEvent], Callable[[FamilyCase, Any], None]] = {
    CaseOpened: _opened,
    NamedWorkerAssigned: _worker_assigned,
    MeetingHeld: _nothing,
    ChildViewRecorded: _nothing,
    PlanAgreed: _plan_agreed,
    GoalSet: _goal_set,
    GoalUpdated: _goal_updated,
    ServiceOrdered: _service_ordered,
    ServiceStarted: _service_started,
    ServiceEnded: _service_ended,
    CaseClosed: _closed,
}


def _result_of(event: CaseEvent) -> Any:
    """What the command that recorded ``event`` returned (for repeated request ids)."""
    if isinstance(event, MeetingHeld):
        return event.meeting_id
    if isinstance(event, GoalSet):
        return event.goal_id
    if isinstance(event, ServiceOrdered):
        return event.service_id
    if isinstance(event, PlanAgreed):
        return event.plan_version
    if isinstance(event, CaseOpened):
        return event.originator_id
    return None

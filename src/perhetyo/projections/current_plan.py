"""Current client plan (asiakassuunnitelma nyt): the case as its events leave it.

A pure fold: ``initial()`` and ``apply(state, event) -> state``. It imports only events
and values; the stored SQL view of the same fold is in ``perhetyo.projections.tables``.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

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
    CaseStatus,
    ClosureReason,
    GoalStatus,
    LegalBasis,
    MeetingKind,
    NamedWorker,
    PersonRef,
    ServiceKind,
    ServiceStatus,
    ServiceTask,
    Successor,
    ValueModel,
)

__all__ = ["CurrentPlan", "GoalView", "MeetingView", "ServiceView", "apply", "initial"]


class GoalView(ValueModel):
    """Goal in the plan (tavoite): its latest status and progress."""

    goal_id: UUID
    description: str
    child_id: str | None
    status: GoalStatus
    progress: int
    set_on: date
    target_date: date | None
    last_updated_on: date | None


class ServiceView(ValueModel):
    """Service in the plan (palvelu): who produces it and where it stands."""

    service_id: UUID
    kind: ServiceKind
    provider: str
    status: ServiceStatus
    ordered_on: date
    started_on: date | None
    ended_on: date | None
    goal_ids: tuple[UUID, ...]


class MeetingView(ValueModel):
    """Meeting held (tapaaminen)."""

    meeting_id: UUID
    kind: MeetingKind
    held_on: date


class CurrentPlan(ValueModel):
    """Current client plan (asiakassuunnitelma): status, worker, goals, services, views."""

    case_id: UUID
    version: int
    status: CaseStatus
    legal_basis: LegalBasis
    service_task: ServiceTask
    children: tuple[PersonRef, ...]
    guardians: tuple[PersonRef, ...]
    named_worker: NamedWorker
    opened_on: date
    closed_on: date | None = None
    closure_reason: ClosureReason | None = None
    successor: Successor | None = None
    previous_case_id: UUID | None = None
    plan_version: int = 0
    plan_agreed_on: date | None = None
    review_due_on: date | None = None
    agreements: tuple[str, ...] = ()
    dissent: tuple[str, ...] = ()
    goals: tuple[GoalView, ...] = ()
    services: tuple[ServiceView, ...] = ()
    meetings: tuple[MeetingView, ...] = ()
    child_views: dict[str, str] = {}

    @property
    def last_meeting(self) -> MeetingView | None:
        """The meeting recorded last, if any."""
        return self.meetings[-1] if self.meetings else None


def initial() -> CurrentPlan | None:
    """No case before its opening event."""
    return None


def _replace_goal(plan: CurrentPlan, goal_id: UUID, **changes: object) -> tuple[GoalView, ...]:
    return tuple(
        goal.model_copy(update=changes) if goal.goal_id == goal_id else goal
        for goal in plan.goals
    )


def _replace_service(
    plan: CurrentPlan, service_id: UUID, **changes: object
) -> tuple[ServiceView, ...]:
    return tuple(
        service.model_copy(update=changes) if service.service_id == service_id else service
        for service in plan.services
    )


def apply(state: CurrentPlan | None, event: CaseEvent) -> CurrentPlan | None:  # noqa: PLR0911
    """The plan after ``event`` (a new object; ``state`` is not changed)."""
    if isinstance(event, CaseOpened):
        return CurrentPlan(
            case_id=event.originator_id,
            version=event.originator_version,
            status=CaseStatus.OPEN,
            legal_basis=event.legal_basis,
            service_task=event.service_task,
            children=event.children,
            guardians=event.guardians,
            named_worker=event.named_worker,
            opened_on=event.opened_on,
            previous_case_id=event.previous_case_id,
        )
    if state is None:
        return None
    update: dict[str, object] = {"version": event.originator_version}
    if isinstance(event, NamedWorkerAssigned):
        update["named_worker"] = event.worker
    elif isinstance(event, MeetingHeld):
        meeting = MeetingView(meeting_id=event.meeting_id, kind=event.kind, held_on=event.held_on)
        update["meetings"] = (*state.meetings, meeting)
    elif isinstance(event, ChildViewRecorded):
        if event.view is not None:
            update["child_views"] = {**state.child_views, event.child_id: event.view}
    elif isinstance(event, PlanAgreed):
        update.update(
            plan_version=event.plan_version,
            plan_agreed_on=event.agreed_on,
            review_due_on=event.review_due_on,
            agreements=event.agreements,
            dissent=event.dissent,
        )
    elif isinstance(event, GoalSet):
        goal = GoalView(
            goal_id=event.goal_id,
            description=event.description,
            child_id=event.child_id,
            status=GoalStatus.NOT_STARTED,
            progress=0,
            set_on=event.set_on,
            target_date=event.target_date,
            last_updated_on=None,
        )
        update["goals"] = (*state.goals, goal)
    elif isinstance(event, GoalUpdated):
        update["goals"] = _replace_goal(
            state,
            event.goal_id,
            status=event.status,
            progress=event.progress,
            last_updated_on=event.updated_on,
        )
    elif isinstance(event, ServiceOrdered):
        service = ServiceView(
            service_id=event.service_id,
            kind=event.kind,
            provider=event.provider,
            status=ServiceStatus.ORDERED,
            ordered_on=event.ordered_on,
            started_on=None,
            ended_on=None,
            goal_ids=event.goal_ids,
        )
        update["services"] = (*state.services, service)
    elif isinstance(event, ServiceStarted):
        update["services"] = _replace_service(
            state, event.service_id, status=ServiceStatus.ACTIVE, started_on=event.started_on
        )
    elif isinstance(event, ServiceEnded):
        status = ServiceStatus.CANCELLED if event.cancelled else ServiceStatus.ENDED
        update["services"] = _replace_service(
            state, event.service_id, status=status, ended_on=event.ended_on
        )
    elif isinstance(event, CaseClosed):
        update.update(
            status=CaseStatus.CLOSED,
            closed_on=event.closed_on,
            closure_reason=event.reason,
            successor=event.successor,
            child_views={**state.child_views, **event.child_views},
        )
    return state.model_copy(update=update)

"""Current client plan (asiakassuunnitelma nyt): the case as its events leave it.

A pure fold: ``initial()`` and ``apply(state, event) -> state``. It imports only events
and values; the stored SQL view of the same fold is in ``perhetyo.projections.sql``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID

from pydantic import Field

from perhetyo.events import (
    AssessmentCompleted,
    AssessmentDeclined,
    AssessmentStarted,
    CaseClosed,
    CaseErased,
    CaseEvent,
    CaseOpened,
    ChildJoined,
    ChildLeft,
    ChildViewRecorded,
    DataDisclosed,
    DisclosureBanRecorded,
    EntryCorrected,
    GoalSet,
    GoalUpdated,
    MatterPending,
    MeetingCancelled,
    MeetingHeld,
    NamedWorkerAssigned,
    PlanAgreed,
    ServiceDecided,
    ServiceEnded,
    ServiceOrdered,
    ServiceStarted,
    opening_matter_id,
)
from perhetyo.projections.matter_views import AssessmentView, MatterView, PlanVersionView
from perhetyo.projections.plan_views import (
    CancelledMeetingView,
    ChildMembership,
    DecisionView,
    DisclosureBanView,
    GoalView,
    MeetingView,
    PlanContent,
    ServiceView,
)
from perhetyo.values import (
    CaseStatus,
    ClosureReason,
    GoalStatus,
    Initiation,
    LegalBasis,
    NamedWorker,
    PersonRef,
    ServiceStatus,
    ServiceTask,
    Successor,
    ValueModel,
)

__all__ = [
    "AssessmentView",
    "CancelledMeetingView",
    "ChildMembership",
    "CurrentPlan",
    "DecisionView",
    "DisclosureBanView",
    "GoalView",
    "MatterView",
    "MeetingView",
    "PlanContent",
    "PlanVersionView",
    "ServiceView",
    "apply",
    "initial",
]


class CurrentPlan(ValueModel):
    """Current client plan (asiakassuunnitelma): status, worker, goals, services, views.

    ``children`` are the children in the case now; ``memberships`` every child's period
    in it, in the order they joined (the opening's children first).
    ``pending_on``, ``initiated_by`` and ``urgent`` are the opening matter's;
    ``special_support`` is the latest word on it (a matter, an assessment's start or
    completion). ``matters`` are in the order they became pending, the opening's first;
    ``child_welfare_from`` is the date an assessment began child welfare (the legal basis
    and the service task change with it). ``plan_versions`` are every plan version's
    agreement and review dates (the deadlines read them).
    """

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
    erased_on: date | None = None
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
    child_views: dict[str, str] = Field(default_factory=dict)
    disclosure_bans: tuple[DisclosureBanView, ...] = ()
    decisions: tuple[DecisionView, ...] = ()
    memberships: tuple[ChildMembership, ...] = ()
    plan_content: PlanContent = Field(default_factory=PlanContent)
    cancelled_meetings: tuple[CancelledMeetingView, ...] = ()

    @property
    def child_workers(self) -> dict[str, NamedWorker]:
        """Each child's own named worker, for the children in the case that have one."""
        return {
            membership.child.id: membership.worker
            for membership in self.memberships
            if membership.left_on is None and membership.worker is not None
        }
    pending_on: date | None = None
    initiated_by: Initiation | None = None
    special_support: bool = False
    urgent: bool = False
    child_welfare_from: date | None = None
    matters: tuple[MatterView, ...] = ()
    plan_versions: tuple[PlanVersionView, ...] = ()

    @property
    def last_meeting(self) -> MeetingView | None:
        """The latest meeting held (latest ``held_on``; of a day's, the one recorded last)."""
        # max() keeps the first of equals: reversed, that is the one recorded last.
        return max(reversed(self.meetings), key=lambda meeting: meeting.held_on, default=None)


def initial() -> CurrentPlan | None:
    """No case before its opening event."""
    return None


def _replace_goal(plan: CurrentPlan, goal_id: UUID, **changes: object) -> tuple[GoalView, ...]:
    target = goal_id.int  # ints compare in C; UUID.__eq__ is Python code
    return tuple(
        goal.evolve(**changes) if goal.goal_id.int == target else goal for goal in plan.goals
    )


def _replace_service(
    plan: CurrentPlan, service_id: UUID, **changes: object
) -> tuple[ServiceView, ...]:
    target = service_id.int
    return tuple(
        service.evolve(**changes) if service.service_id.int == target else service
        for service in plan.services
    )


def _current_membership(
    plan: CurrentPlan, child_id: str, **changes: object
) -> tuple[ChildMembership, ...]:
    """The memberships with the child's current one (not yet left) changed."""
    return tuple(
        membership.evolve(**changes)
        if membership.child.id == child_id and membership.left_on is None
        else membership
        for membership in plan.memberships
    )


def _opened(event: CaseOpened) -> CurrentPlan:
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
        memberships=tuple(
            ChildMembership(child=child, joined_on=event.opened_on) for child in event.children
        ),
        pending_on=event.pending_on,
        initiated_by=event.initiated_by,
        special_support=event.special_support,
        urgent=event.urgent,
        matters=(
            MatterView(
                matter_id=opening_matter_id(event.originator_id),
                pending_on=event.pending_on,
                initiated_by=event.initiated_by,
                special_support=event.special_support,
                urgent=event.urgent,
                under_child_welfare=event.legal_basis is LegalBasis.CHILD_WELFARE_ACT,
            ),
        ),
    )


_BRANCHES: dict[type, Callable[[Any, CurrentPlan], dict[str, object]]] = {}
"""Each event class's branch of :func:`_changes`, found once (a plain dict look-up per
event instead of singledispatch's wrapper)."""


@functools.singledispatch
def _changes(event: CaseEvent, plan: CurrentPlan) -> dict[str, object]:
    """The fields ``event`` changes in ``plan``: one registered branch per event class."""
    raise TypeError(f"CurrentPlan has no branch for {type(event).__name__}")


@_changes.register
def _worker(event: NamedWorkerAssigned, plan: CurrentPlan) -> dict[str, object]:
    if event.child_id is not None:
        return {"memberships": _current_membership(plan, event.child_id, worker=event.worker)}
    return {"named_worker": event.worker}


@_changes.register
def _child_joined(event: ChildJoined, plan: CurrentPlan) -> dict[str, object]:
    membership = ChildMembership.trusted(
        child=event.child,
        joined_on=event.joined_on,
        left_on=None,
        left_reason=None,
        view=None,
        not_heard_reason=None,
        worker=None,
    )
    return {
        "children": (*plan.children, event.child),
        "memberships": (*plan.memberships, membership),
    }


@_changes.register
def _child_left(event: ChildLeft, plan: CurrentPlan) -> dict[str, object]:
    changes: dict[str, object] = {
        "children": tuple(child for child in plan.children if child.id != event.child_id),
        "memberships": _current_membership(
            plan,
            event.child_id,
            left_on=event.left_on,
            left_reason=event.reason,
            view=event.view,
            not_heard_reason=event.not_heard_reason,
        ),
    }
    if event.view is not None:
        changes["child_views"] = {**plan.child_views, event.child_id: event.view}
    return changes


@_changes.register
def _decided(event: ServiceDecided, plan: CurrentPlan) -> dict[str, object]:
    decision = DecisionView.trusted(
        decision_id=event.decision_id,
        kind=event.kind,
        outcome=event.outcome,
        decided_on=event.decided_on,
        legal_sections=event.legal_sections,
        reasoning=event.reasoning,
        decision_maker=event.decision_maker,
        valid_from=event.valid_from,
        valid_until=event.valid_until,
        hours_per_month=event.hours_per_month,
    )
    return {"decisions": (*plan.decisions, decision)}


@_changes.register
def _meeting(event: MeetingHeld, plan: CurrentPlan) -> dict[str, object]:
    meeting = MeetingView.trusted(
        meeting_id=event.meeting_id, kind=event.kind, held_on=event.held_on, channel=event.channel
    )
    return {"meetings": (*plan.meetings, meeting)}


@_changes.register
def _meeting_cancelled(event: MeetingCancelled, plan: CurrentPlan) -> dict[str, object]:
    cancelled = CancelledMeetingView.trusted(
        meeting_id=event.meeting_id,
        kind=event.kind,
        planned_on=event.planned_on,
        cancelled_on=event.cancelled_on,
        reason=event.reason,
    )
    return {"cancelled_meetings": (*plan.cancelled_meetings, cancelled)}


@_changes.register
def _child_view(event: ChildViewRecorded, plan: CurrentPlan) -> dict[str, object]:
    if event.view is None:  # a not-heard reason does not erase an earlier view
        return {}
    return {"child_views": {**plan.child_views, event.child_id: event.view}}


@_changes.register
def _plan(event: PlanAgreed, plan: CurrentPlan) -> dict[str, object]:
    return {
        "plan_version": event.plan_version,
        "plan_agreed_on": event.agreed_on,
        "review_due_on": event.review_due_on,
        "agreements": event.agreements,
        "dissent": event.dissent,
        "plan_content": PlanContent.trusted(
            situation=event.situation,
            client_assessment=event.client_assessment,
            professional_assessment=event.professional_assessment,
            strengths=event.strengths,
            planned_services=event.planned_services,
            rights_explained=event.rights_explained,
            follow_up=event.follow_up,
            estimated_duration=event.estimated_duration,
            place=event.place,
            participants=event.participants,
            delivered_to=event.delivered_to,
        ),
        "plan_versions": (
            *plan.plan_versions,
            PlanVersionView.trusted(
                version=event.plan_version,
                agreed_on=event.agreed_on,
                review_due_on=event.review_due_on,
            ),
        ),
    }


def new_goal(event: GoalSet) -> GoalView:
    """A goal just set (asetettu tavoite): not started, no progress (both folds use it)."""
    return GoalView.trusted(
        goal_id=event.goal_id,
        description=event.description,
        child_id=event.child_id,
        status=GoalStatus.NOT_STARTED,
        progress=0,
        set_on=event.set_on,
        target_date=event.target_date,
        last_updated_on=None,
    )


@_changes.register
def _goal_set(event: GoalSet, plan: CurrentPlan) -> dict[str, object]:
    return {"goals": (*plan.goals, new_goal(event))}


@_changes.register
def _goal_updated(event: GoalUpdated, plan: CurrentPlan) -> dict[str, object]:
    goals = _replace_goal(
        plan,
        event.goal_id,
        status=event.status,
        progress=event.progress,
        last_updated_on=event.updated_on,
    )
    return {"goals": goals}


@_changes.register
def _ordered(event: ServiceOrdered, plan: CurrentPlan) -> dict[str, object]:
    service = ServiceView.trusted(
        service_id=event.service_id,
        kind=event.kind,
        provider=event.provider,
        status=ServiceStatus.ORDERED,
        ordered_on=event.ordered_on,
        started_on=None,
        ended_on=None,
        goal_ids=event.goal_ids,
        decision_id=event.decision_id,
    )
    return {"services": (*plan.services, service)}


@_changes.register
def _started(event: ServiceStarted, plan: CurrentPlan) -> dict[str, object]:
    services = _replace_service(
        plan, event.service_id, status=ServiceStatus.ACTIVE, started_on=event.started_on
    )
    return {"services": services}


@_changes.register
def _ended(event: ServiceEnded, plan: CurrentPlan) -> dict[str, object]:
    status = ServiceStatus.CANCELLED if event.cancelled else ServiceStatus.ENDED
    services = _replace_service(plan, event.service_id, status=status, ended_on=event.ended_on)
    return {"services": services}


@_changes.register
def _ban(event: DisclosureBanRecorded, plan: CurrentPlan) -> dict[str, object]:
    ban = DisclosureBanView.trusted(
        child_id=event.child_id,
        banned_person_ids=event.banned_person_ids,
        decided_on=event.decided_on,
    )
    return {"disclosure_bans": (*plan.disclosure_bans, ban)}


@_changes.register
def _disclosed(event: DataDisclosed, plan: CurrentPlan) -> dict[str, object]:
    return {}  # a disclosure is in the history and the access log, not in the plan


@_changes.register
def _corrected(event: EntryCorrected, plan: CurrentPlan) -> dict[str, object]:
    return {}  # a correction rewrites nothing: the audit trail points at what it corrects


@_changes.register
def _closed(event: CaseClosed, plan: CurrentPlan) -> dict[str, object]:
    memberships = tuple(
        membership
        if membership.left_on is not None
        else membership.evolve(
            left_on=event.closed_on,
            left_reason=event.reason,
            view=event.child_views.get(membership.child.id),
            not_heard_reason=event.not_heard_reasons.get(membership.child.id),
        )
        for membership in plan.memberships
    )
    return {
        "memberships": memberships,
        "status": CaseStatus.CLOSED,
        "closed_on": event.closed_on,
        "closure_reason": event.reason,
        "successor": event.successor,
        "child_views": {**plan.child_views, **event.child_views},
    }


def _replace_assessment(
    plan: CurrentPlan, matter_id: UUID, assessment: AssessmentView
) -> tuple[MatterView, ...]:
    return tuple(
        matter.evolve(assessment=assessment) if matter.matter_id == matter_id else matter
        for matter in plan.matters
    )


def _assessment_of(plan: CurrentPlan, matter_id: UUID) -> AssessmentView:
    for matter in plan.matters:
        if matter.matter_id == matter_id and matter.assessment is not None:
            return matter.assessment
    return AssessmentView()


@_changes.register
def _matter_pending(event: MatterPending, plan: CurrentPlan) -> dict[str, object]:
    matter = MatterView(
        matter_id=event.matter_id,
        pending_on=event.pending_on,
        initiated_by=event.initiated_by,
        special_support=event.special_support,
        urgent=event.urgent,
        under_child_welfare=plan.legal_basis is LegalBasis.CHILD_WELFARE_ACT,
    )
    return {"matters": (*plan.matters, matter), "special_support": event.special_support}


@_changes.register
def _assessment_started(event: AssessmentStarted, plan: CurrentPlan) -> dict[str, object]:
    assessment = AssessmentView(
        started_on=event.started_on,
        special_support=event.special_support,
        child_welfare_need_assessed=event.child_welfare_need_assessed,
    )
    changes: dict[str, object] = {
        "matters": _replace_assessment(plan, event.matter_id, assessment)
    }
    if event.special_support is not None:
        changes["special_support"] = event.special_support
    return changes


@_changes.register
def _assessment_completed(event: AssessmentCompleted, plan: CurrentPlan) -> dict[str, object]:
    assessment = _assessment_of(plan, event.matter_id).evolve(
        completed_on=event.completed_on,
        conclusions=event.conclusions,
        relationship_continues=event.relationship_continues,
        special_support_found=event.special_support,
        child_welfare_begins=event.child_welfare_begins,
        needs_named_worker=event.needs_named_worker,
        plan_needed=event.plan_needed,
        child_views=dict(event.child_views),
        not_heard_reasons=dict(event.not_heard_reasons),
    )
    changes: dict[str, object] = {
        "matters": _replace_assessment(plan, event.matter_id, assessment),
        "special_support": event.special_support,
    }
    if event.child_welfare_begins:
        changes["legal_basis"] = LegalBasis.CHILD_WELFARE_ACT
        changes["service_task"] = ServiceTask.CHILD_WELFARE
        changes["child_welfare_from"] = event.completed_on
    return changes


@_changes.register
def _assessment_declined(event: AssessmentDeclined, plan: CurrentPlan) -> dict[str, object]:
    assessment = AssessmentView(declined_on=event.decided_on, decline_reason=event.reason)
    return {"matters": _replace_assessment(plan, event.matter_id, assessment)}


def _erased(event: CaseErased) -> CurrentPlan:
    """An erased case's plan: only what its summary keeps (no names, no free text)."""
    summary = event.summary
    successor = (
        None
        if summary.successor_kind is None
        else Successor.trusted(kind=summary.successor_kind, case_id=summary.successor_case_id)
    )
    return CurrentPlan.trusted(
        case_id=event.originator_id,
        version=event.originator_version,
        status=CaseStatus.CLOSED,
        legal_basis=summary.legal_basis,
        service_task=summary.service_task,
        children=(),
        guardians=(),
        named_worker=NamedWorker.trusted(
            id=summary.named_worker_id, name="", profession=summary.named_worker_profession
        ),
        opened_on=summary.opened_on,
        closed_on=summary.closed_on,
        closure_reason=summary.closure_reason,
        erased_on=event.erased_on,
        successor=successor,
        previous_case_id=summary.previous_case_id,
        plan_version=summary.plan_version,
        plan_agreed_on=summary.plan_agreed_on,
        review_due_on=summary.review_due_on,
        agreements=(),
        dissent=(),
        goals=tuple(
            GoalView.trusted(
                goal_id=goal.goal_id,
                description="",
                child_id=goal.child_id,
                status=goal.status,
                progress=goal.progress,
                set_on=goal.set_on,
                target_date=goal.target_date,
                last_updated_on=goal.last_updated_on,
            )
            for goal in summary.goals
        ),
        services=tuple(
            ServiceView.trusted(
                service_id=service.service_id,
                kind=service.kind,
                provider="",
                status=service.status,
                ordered_on=service.ordered_on,
                started_on=service.started_on,
                ended_on=service.ended_on,
                goal_ids=service.goal_ids,
            )
            for service in summary.services
        ),
        meetings=tuple(
            MeetingView.trusted(meeting_id=m.meeting_id, kind=m.kind, held_on=m.held_on)
            for m in summary.meetings
        ),
        child_views={},
        # The matters, their assessments and the plan's versions are not in the summary:
        # an erased case has none (and so no deadlines).
        pending_on=None,
        initiated_by=None,
        special_support=False,
        urgent=False,
        child_welfare_from=None,
        matters=(),
        plan_versions=(),
    )


@_changes.register
def _erasure(event: CaseErased, plan: CurrentPlan) -> dict[str, object]:
    """Every field: an erased case's plan is its summary's alone (see :func:`_erased`)."""
    return dict(_erased(event).__dict__)


def apply(state: CurrentPlan | None, event: CaseEvent) -> CurrentPlan | None:
    """The plan after ``event`` (a new object; ``state`` is not changed). An erasure
    replaces the plan by what its summary keeps, whatever came before."""
    if isinstance(event, CaseOpened):
        return _opened(event)
    if isinstance(event, CaseErased):
        return _erased(event)
    if state is None:
        return None
    branch = _BRANCHES.get(type(event))
    if branch is None:
        branch = _BRANCHES[type(event)] = _changes.dispatch(type(event))
    changes = branch(event, state)
    changes["version"] = event.originator_version
    return state.evolve(**changes)

"""Parts of the current plan (asiakassuunnitelman osat): goals, services, meetings,
decisions, each child's membership, the plan's content and bans, as the read model shows
them. :class:`~perhetyo.projections.current_plan.CurrentPlan` holds them.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from perhetyo.record_values import ContactChannel, DecisionOutcome, PlannedService
from perhetyo.values import (
    ClosureReason,
    GoalStatus,
    MeetingKind,
    NamedWorker,
    PersonRef,
    ServiceKind,
    ServiceStatus,
    ValueModel,
)

__all__ = [
    "CancelledMeetingView",
    "ChildMembership",
    "DecisionView",
    "DisclosureBanView",
    "GoalView",
    "MeetingView",
    "PlanContent",
    "ServiceView",
]


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
    decision_id: UUID | None = None


class MeetingView(ValueModel):
    """Meeting held (tapaaminen), and how it took place when that was recorded."""

    meeting_id: UUID
    kind: MeetingKind
    held_on: date
    channel: ContactChannel | None = None


class CancelledMeetingView(ValueModel):
    """Cancelled meeting (peruuntunut tapaaminen): when it was planned and cancelled, why."""

    meeting_id: UUID
    kind: MeetingKind
    planned_on: date
    cancelled_on: date
    reason: str


class DecisionView(ValueModel):
    """Service decision (palvelupäätös): what it decided, on what grounds, for how long."""

    decision_id: UUID
    kind: ServiceKind
    outcome: DecisionOutcome
    decided_on: date
    legal_sections: tuple[str, ...]
    reasoning: str
    decision_maker: NamedWorker
    valid_from: date | None
    valid_until: date | None
    hours_per_month: int | None


class ChildMembership(ValueModel):
    """One child's period in the case (lapsen asiakkuus): from joining (or the opening) to
    leaving (or still in it), the child's view of leaving, and the child's own worker."""

    child: PersonRef
    joined_on: date
    left_on: date | None = None
    left_reason: ClosureReason | None = None
    view: str | None = None
    not_heard_reason: str | None = None
    worker: NamedWorker | None = None


class PlanContent(ValueModel):
    """The content of the latest client plan (suunnitelman sisältö, Kanta's LPS).

    Empty before a plan, and for a plan recorded before the content was kept.
    """

    situation: str | None = None
    client_assessment: str | None = None
    professional_assessment: str | None = None
    strengths: str | None = None
    planned_services: tuple[PlannedService, ...] = ()
    rights_explained: bool = False
    follow_up: str | None = None
    estimated_duration: str | None = None
    place: str | None = None
    participants: tuple[str, ...] = ()
    delivered_to: tuple[str, ...] = ()


class DisclosureBanView(ValueModel):
    """A minor's disclosure ban (luovutuskielto): whose, covering whom, decided when."""

    child_id: str
    banned_person_ids: tuple[str, ...]
    decided_on: date

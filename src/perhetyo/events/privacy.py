"""Privacy events (tietosuoja): a case erased, with the non-personal facts that remain.

``CaseErased`` is recorded just before the case's data key is destroyed. Its
:class:`ErasureSummary` keeps what statistics and the client relationship document need
(dates, statuses, kinds, child ids, the service task) and nothing personal; the stored
projections of an erased case hold only that summary. It is sealed under the store's
erasure key, not the case's, so it stays readable after the erasure.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from perhetyo.events.base import CaseEvent, Summary
from perhetyo.values import (
    BusinessDate,
    ClosureReason,
    GoalStatus,
    LegalBasis,
    MeetingKind,
    Profession,
    ServiceKind,
    ServiceStatus,
    ServiceTask,
    ShortText,
    SuccessorKind,
    ValueModel,
)
from perhetyo.values import finnish_label as fi

__all__ = ["CaseErased", "ErasedGoal", "ErasedMeeting", "ErasedService", "ErasureSummary"]


class ErasedGoal(ValueModel):
    """A goal of an erased case (hävitetyn asiakkuuden tavoite): no description."""

    goal_id: UUID
    child_id: str | None = None
    status: GoalStatus
    progress: int
    set_on: date
    target_date: date | None = None
    last_updated_on: date | None = None


class ErasedService(ValueModel):
    """A service of an erased case (hävitetyn asiakkuuden palvelu): no provider."""

    service_id: UUID
    kind: ServiceKind
    status: ServiceStatus
    ordered_on: date
    started_on: date | None = None
    ended_on: date | None = None
    goal_ids: tuple[UUID, ...] = ()


class ErasedMeeting(ValueModel):
    """A meeting of an erased case (hävitetyn asiakkuuden tapaaminen): kind and date only."""

    meeting_id: UUID
    kind: MeetingKind
    held_on: date


class ErasureSummary(ValueModel):
    """The non-personal facts of an erased case (hävitetyn asiakkuuden yhteenveto).

    Dates, statuses, kinds and ids only: no name, no free text. ``events`` is how many
    events the case had before its erasure.
    """

    legal_basis: LegalBasis
    service_task: ServiceTask
    opened_on: date
    closed_on: date
    closure_reason: ClosureReason
    successor_kind: SuccessorKind | None = None
    successor_case_id: UUID | None = None
    previous_case_id: UUID | None = None
    child_ids: tuple[str, ...]
    named_worker_id: str
    named_worker_profession: Profession
    plan_version: int
    plan_agreed_on: date | None = None
    review_due_on: date | None = None
    goals: tuple[ErasedGoal, ...] = ()
    services: tuple[ErasedService, ...] = ()
    meetings: tuple[ErasedMeeting, ...] = ()
    events: int


class CaseErased(CaseEvent):
    """Client records erased (asiakastiedot hävitetty): who, when, why, and what remains."""

    TOPIC = "perhetyo.CaseErased.v1"
    LABEL_FI = "Asiakastiedot hävitetty"
    LABEL_EN = "Case erased"
    LABEL_SV = "Klientuppgifterna förstörda"
    DATE_FIELD = "erased_on"

    erased_on: BusinessDate
    reason: ShortText
    summary: ErasureSummary

    def describe(self) -> Summary:
        """How many events were erased, and the case's basis (never the reason's text)."""
        count = self.summary.events
        return Summary(
            f"tapahtumia hävitetty {count}; {fi(self.summary.legal_basis)}",
            f"{count} events erased; {self.summary.legal_basis.value}",
        )

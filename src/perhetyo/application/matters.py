"""Asia ja palvelutarpeen arviointi (the matter and its needs assessment): the calls.

A later matter becomes pending (:meth:`MatterCalls.record_pending`); each matter's
assessment is started and completed, or declined. ``matter_id=None`` means the case's
latest matter (the one that became pending last).
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from perhetyo import commands as c
from perhetyo.aggregates.case import FamilyCase
from perhetyo.application.core import CasesCore
from perhetyo.values import Actor, Initiation

__all__ = ["MatterCalls"]


class MatterCalls(CasesCore):
    """Asia ja palvelutarpeen arviointi (the matter and its needs assessment): the calls."""

    def record_pending(
        self,
        case_id: UUID,
        *,
        pending_on: date,
        initiated_by: Initiation,
        actor: Actor,
        special_support: bool = False,
        urgent: bool = False,
        request_id: str | None = None,
    ) -> UUID:
        """A new matter became pending in the open case (asia tuli vireille); its id."""
        command = c.RecordPending(
            case_id=case_id,
            pending_on=pending_on,
            initiated_by=initiated_by,
            special_support=special_support,
            urgent=urgent,
            actor=actor,
            request_id=request_id,
        )
        return self._decide(command, FamilyCase.record_pending)

    def start_assessment(
        self,
        case_id: UUID,
        *,
        started_on: date,
        actor: Actor,
        matter_id: UUID | None = None,
        special_support: bool | None = None,
        child_welfare_need_assessed: bool = False,
        request_id: str | None = None,
    ) -> None:
        """The matter's service-needs assessment started (arviointi aloitettu)."""
        command = c.StartAssessment(
            case_id=case_id,
            started_on=started_on,
            matter_id=matter_id,
            special_support=special_support,
            child_welfare_need_assessed=child_welfare_need_assessed,
            actor=actor,
            request_id=request_id,
        )
        self._decide(command, FamilyCase.start_assessment)

    def complete_assessment(
        self,
        case_id: UUID,
        *,
        completed_on: date,
        conclusions: str,
        relationship_continues: bool,
        special_support: bool,
        child_welfare_begins: bool,
        needs_named_worker: bool,
        plan_needed: bool,
        actor: Actor,
        matter_id: UUID | None = None,
        child_views: dict[str, str] | None = None,
        not_heard_reasons: dict[str, str] | None = None,
        request_id: str | None = None,
    ) -> None:
        """The matter's assessment was completed (arviointi valmistui).

        With ``child_welfare_begins`` the case is under the Child Welfare Act from
        ``completed_on``: its named worker must already be a social worker.
        """
        command = c.CompleteAssessment(
            case_id=case_id,
            completed_on=completed_on,
            conclusions=conclusions,
            relationship_continues=relationship_continues,
            special_support=special_support,
            child_welfare_begins=child_welfare_begins,
            needs_named_worker=needs_named_worker,
            plan_needed=plan_needed,
            matter_id=matter_id,
            child_views=child_views or {},
            not_heard_reasons=not_heard_reasons or {},
            actor=actor,
            request_id=request_id,
        )
        self._decide(command, FamilyCase.complete_assessment)

    def decline_assessment(
        self,
        case_id: UUID,
        *,
        decided_on: date,
        reason: str,
        actor: Actor,
        matter_id: UUID | None = None,
        request_id: str | None = None,
    ) -> None:
        """No assessment: the matter evidently needs no measures (LsL 26 §)."""
        command = c.DeclineAssessment(
            case_id=case_id,
            decided_on=decided_on,
            reason=reason,
            matter_id=matter_id,
            actor=actor,
            request_id=request_id,
        )
        self._decide(command, FamilyCase.decline_assessment)

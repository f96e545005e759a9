"""Asiakassuunnitelma (the client plan and its goals): the facade's calls."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

from perhetyo import commands as c
from perhetyo.aggregates.case import FamilyCase
from perhetyo.application.core import CasesCore
from perhetyo.record_values import PlannedService
from perhetyo.values import (
    Actor,
    GoalStatus,
)

__all__ = ["PlanCalls"]


class PlanCalls(CasesCore):
    """Asiakassuunnitelma (the client plan and its goals): the facade's calls."""

    def agree_plan(
        self,
        case_id: UUID,
        *,
        agreed_on: date,
        agreements: Sequence[str],
        actor: Actor,
        dissent: Sequence[str] = (),
        review_due_on: date | None = None,
        situation: str | None = None,
        client_assessment: str | None = None,
        professional_assessment: str | None = None,
        strengths: str | None = None,
        planned_services: Sequence[PlannedService] = (),
        rights_explained: bool = False,
        follow_up: str | None = None,
        estimated_duration: str | None = None,
        place: str | None = None,
        participants: Sequence[str] = (),
        delivered_to: Sequence[str] = (),
        request_id: str | None = None,
    ) -> int:
        """Agree the next client plan version (asiakassuunnitelma laadittu); returns it.

        Beside the agreements and differing views, the content of the national client
        plan (LPS), each optional: see :class:`perhetyo.commands.AgreePlan`.
        """
        command = c.AgreePlan(
            case_id=case_id,
            agreed_on=agreed_on,
            agreements=agreements,
            dissent=dissent,
            review_due_on=review_due_on,
            situation=situation,
            client_assessment=client_assessment,
            professional_assessment=professional_assessment,
            strengths=strengths,
            planned_services=planned_services,
            rights_explained=rights_explained,
            follow_up=follow_up,
            estimated_duration=estimated_duration,
            place=place,
            participants=participants,
            delivered_to=delivered_to,
            actor=actor,
            request_id=request_id,
        )
        return self._decide(command, FamilyCase.agree_plan)

    def set_goal(
        self,
        case_id: UUID,
        *,
        description: str,
        set_on: date,
        actor: Actor,
        target_date: date | None = None,
        child_id: str | None = None,
        request_id: str | None = None,
    ) -> UUID:
        """Set a goal (tavoite asetettu); returns the goal id."""
        command = c.SetGoal(
            case_id=case_id,
            description=description,
            set_on=set_on,
            target_date=target_date,
            child_id=child_id,
            actor=actor,
            request_id=request_id,
        )
        return self._decide(command, FamilyCase.set_goal)

    def update_goal(
        self,
        case_id: UUID,
        goal_id: UUID,
        *,
        status: GoalStatus,
        updated_on: date,
        actor: Actor,
        progress: int | None = None,
        note: str | None = None,
        request_id: str | None = None,
    ) -> None:
        """Update a goal (tavoite päivitetty); ``progress`` None keeps the previous value."""
        command = c.UpdateGoal(
            case_id=case_id,
            goal_id=goal_id,
            status=status,
            progress=progress,
            note=note,
            updated_on=updated_on,
            actor=actor,
            request_id=request_id,
        )
        self._decide(command, FamilyCase.update_goal)

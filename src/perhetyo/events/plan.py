"""Plan events (asiakassuunnitelma): plan versions agreed, goals set and updated."""

from __future__ import annotations

from uuid import UUID

from perhetyo.events.base import CaseEvent
from perhetyo.values import BusinessDate, GoalStatus

__all__ = ["GoalSet", "GoalUpdated", "PlanAgreed"]


class PlanAgreed(CaseEvent):
    """Client plan agreed (asiakassuunnitelma laadittu): one numbered version of the plan."""

    TOPIC = "perhetyo.PlanAgreed.v1"
    LABEL_FI = "Asiakassuunnitelma laadittu"
    LABEL_EN = "Client plan agreed"
    DATE_FIELD = "agreed_on"

    plan_version: int
    agreed_on: BusinessDate
    agreements: tuple[str, ...]
    dissent: tuple[str, ...]
    review_due_on: BusinessDate | None = None


class GoalSet(CaseEvent):
    """Goal set (tavoite asetettu)."""

    TOPIC = "perhetyo.GoalSet.v1"
    LABEL_FI = "Tavoite asetettu"
    LABEL_EN = "Goal set"
    DATE_FIELD = "set_on"

    goal_id: UUID
    description: str
    child_id: str | None = None
    set_on: BusinessDate
    target_date: BusinessDate | None = None


class GoalUpdated(CaseEvent):
    """Goal updated (tavoite päivitetty): its status and progress at a review."""

    TOPIC = "perhetyo.GoalUpdated.v1"
    LABEL_FI = "Tavoite päivitetty"
    LABEL_EN = "Goal updated"
    DATE_FIELD = "updated_on"

    goal_id: UUID
    status: GoalStatus
    progress: int
    note: str | None = None
    updated_on: BusinessDate

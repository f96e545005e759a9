"""Plan events (asiakassuunnitelma): plan versions agreed, goals set and updated."""

from __future__ import annotations

from uuid import UUID

from perhetyo.events.base import CaseEvent, Summary
from perhetyo.values import BusinessDate, GoalStatus
from perhetyo.values import finnish_label as fi

__all__ = ["GoalSet", "GoalUpdated", "PlanAgreed"]


class PlanAgreed(CaseEvent):
    """Client plan agreed (asiakassuunnitelma laadittu): one numbered version of the plan."""

    TOPIC = "perhetyo.PlanAgreed.v1"
    LABEL_FI = "Asiakassuunnitelma laadittu"
    LABEL_EN = "Client plan agreed"
    LABEL_SV = "Klientplan upprättad"
    DATE_FIELD = "agreed_on"

    plan_version: int
    agreed_on: BusinessDate
    agreements: tuple[str, ...]
    dissent: tuple[str, ...]
    review_due_on: BusinessDate | None = None

    def describe(self) -> Summary:
        """The version and how many agreements and differing views it has."""
        return Summary(
            f"versio {self.plan_version}: sovittuja asioita {len(self.agreements)}, "
            f"eriäviä näkemyksiä {len(self.dissent)}",
            f"version {self.plan_version}: {len(self.agreements)} agreements, "
            f"{len(self.dissent)} differing views",
        )

    def result(self) -> int:
        """``agree_plan`` returns the new plan version."""
        return self.plan_version



class GoalSet(CaseEvent):
    """Goal set (tavoite asetettu)."""

    TOPIC = "perhetyo.GoalSet.v1"
    LABEL_FI = "Tavoite asetettu"
    LABEL_EN = "Goal set"
    LABEL_SV = "Mål uppställt"
    DATE_FIELD = "set_on"

    goal_id: UUID
    description: str
    child_id: str | None = None
    set_on: BusinessDate
    target_date: BusinessDate | None = None

    def describe(self) -> Summary:
        """The goal id and whose goal it is."""
        whose_fi = f", lapsi {self.child_id}" if self.child_id else ", koko perhe"
        whose_en = f", child {self.child_id}" if self.child_id else ", whole family"
        return Summary(f"tavoite {self.goal_id}{whose_fi}", f"goal {self.goal_id}{whose_en}")

    def result(self) -> UUID:
        """``set_goal`` returns the goal id."""
        return self.goal_id



class GoalUpdated(CaseEvent):
    """Goal updated (tavoite päivitetty): its status and progress at a review."""

    TOPIC = "perhetyo.GoalUpdated.v1"
    LABEL_FI = "Tavoite päivitetty"
    LABEL_EN = "Goal updated"
    LABEL_SV = "Mål uppdaterat"
    DATE_FIELD = "updated_on"

    goal_id: UUID
    status: GoalStatus
    progress: int
    note: str | None = None
    updated_on: BusinessDate

    def describe(self) -> Summary:
        """The goal id, its new status and progress."""
        return Summary(
            f"tavoite {self.goal_id}: {fi(self.status)}, {self.progress} %",
            f"goal {self.goal_id}: {self.status.value}, {self.progress}%",
        )


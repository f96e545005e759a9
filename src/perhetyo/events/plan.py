"""Plan events (asiakassuunnitelma): plan versions agreed, goals set and updated."""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from perhetyo.events.base import CaseEvent, Summary
from perhetyo.record_values import PlannedService
from perhetyo.values import BusinessDate, GoalStatus
from perhetyo.values import finnish_label as fi

__all__ = ["GoalSet", "GoalUpdated", "PlanAgreed"]


class PlanAgreed(CaseEvent):
    """Client plan agreed (asiakassuunnitelma laadittu): one numbered version of the plan.

    Version 2 added the content of Kanta's client plan for family services (LPS): the
    situation, the client's and the professional's assessments of the support needed,
    strengths, planned services, whether rights were explained, follow-up, the estimated
    duration, where it was made, who took part and to whom it is delivered.
    """

    TOPIC = "perhetyo.PlanAgreed.v1"
    LABEL_FI = "Asiakassuunnitelma laadittu"
    LABEL_EN = "Client plan agreed"
    LABEL_SV = "Klientplan upprättad"
    DATE_FIELD = "agreed_on"
    class_version: ClassVar[int] = 2

    plan_version: int
    agreed_on: BusinessDate
    agreements: tuple[str, ...]
    dissent: tuple[str, ...]
    review_due_on: BusinessDate | None = None
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

    @staticmethod
    def upcast_v1_v2(state: dict[str, object]) -> None:
        """Version 1 held the agreements, the differing views and the review date only."""
        for name in (
            "situation",
            "client_assessment",
            "professional_assessment",
            "strengths",
            "follow_up",
            "estimated_duration",
            "place",
        ):
            state.setdefault(name, None)
        for name in ("planned_services", "participants", "delivered_to"):
            state.setdefault(name, [])
        state.setdefault("rights_explained", False)

    def describe(self) -> Summary:
        """The version and how many agreements and differing views it has."""
        return Summary(
            f"versio {self.plan_version}: sovittuja asioita {len(self.agreements)}, "
            f"eriäviä näkemyksiä {len(self.dissent)}{_planned_fi(self)}",
            f"version {self.plan_version}: {len(self.agreements)} agreements, "
            f"{len(self.dissent)} differing views{_planned_en(self)}",
        )

    def result(self) -> int:
        """``agree_plan`` returns the new plan version."""
        return self.plan_version



def _planned_fi(event: PlanAgreed) -> str:
    return f", suunniteltuja palveluja {n}" if (n := len(event.planned_services)) else ""


def _planned_en(event: PlanAgreed) -> str:
    return f", {n} planned services" if (n := len(event.planned_services)) else ""


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
        goal, status, progress = str(self.goal_id), self.status, self.progress  # once each
        return Summary(
            f"tavoite {goal}: {fi(status)}, {progress} %",
            f"goal {goal}: {status.value}, {progress}%",
        )


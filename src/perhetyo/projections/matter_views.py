"""Asiat ja arvioinnit näkymässä (matters and assessments in the read model).

The matters of a case as :class:`~perhetyo.projections.CurrentPlan` shows them, each with
its service-needs assessment, and the plan's versions with their review dates. Pure
values: the current-plan fold builds them, the deadline fold reads them.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import Field

from perhetyo.values import Initiation, ValueModel

__all__ = ["AssessmentView", "MatterView", "PlanVersionView"]


class AssessmentView(ValueModel):
    """Service-needs assessment (palvelutarpeen arviointi): started, completed or declined.

    ``special_support`` is what was known at the start (None: not restated there);
    ``special_support_found`` is the completion's finding.
    """

    started_on: date | None = None
    special_support: bool | None = None
    child_welfare_need_assessed: bool = False
    completed_on: date | None = None
    conclusions: str | None = None
    relationship_continues: bool | None = None
    special_support_found: bool | None = None
    child_welfare_begins: bool = False
    needs_named_worker: bool | None = None
    plan_needed: bool | None = None
    child_views: dict[str, str] = Field(default_factory=dict)
    not_heard_reasons: dict[str, str] = Field(default_factory=dict)
    declined_on: date | None = None
    decline_reason: str | None = None


class MatterView(ValueModel):
    """A matter (asia): when and how it became pending, and its assessment.

    ``under_child_welfare`` says whether the case was under the Child Welfare Act when the
    matter became pending (the deadline policy reads it).
    """

    matter_id: UUID
    pending_on: date
    initiated_by: Initiation | None = None
    special_support: bool = False
    urgent: bool = False
    under_child_welfare: bool = False
    assessment: AssessmentView | None = None


class PlanVersionView(ValueModel):
    """A client plan version (asiakassuunnitelman versio): when agreed, when due a review."""

    version: int
    agreed_on: date
    review_due_on: date | None = None

"""Rows of the statutory steps (lakisääteisten vaiheiden rivit): read models to rows and back.

The decisions, each child's membership, the plan's content and the cancelled meetings of
a ``CurrentPlan``, as rows of the four tables of :mod:`.statutory_tables`, and back. A case
row written before these tables existed has no membership rows: its children then are the
opening's, every one in the case since the opening (release 0.1 knew no other), and they
are read back so.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from perhetyo.projections.current_plan import (
    CancelledMeetingView,
    ChildMembership,
    CurrentPlan,
    DecisionView,
    PlanContent,
)
from perhetyo.record_values import PlannedService
from perhetyo.values import NamedWorker, PersonRef, Profession

__all__ = ["StatutoryRows", "statutory_fields", "statutory_rows", "stored_worker"]

_STORED = {"stored": True}


@dataclass(frozen=True)
class StatutoryRows:
    """One case's rows of the four tables (mappings or SQLAlchemy rows), in any order."""

    decisions: Sequence[Any] = ()
    memberships: Sequence[Any] = ()
    plan_contents: Sequence[Any] = ()
    cancelled_meetings: Sequence[Any] = ()


# --- read models -> rows ---------------------------------------------------------------


def _worker_columns(prefix: str, worker: NamedWorker | None) -> dict[str, Any]:
    return {
        f"{prefix}_id": None if worker is None else worker.id,
        f"{prefix}_name": None if worker is None else worker.name,
        f"{prefix}_profession": None if worker is None else worker.profession.value,
    }


def statutory_rows(plan: CurrentPlan) -> tuple[list[dict[str, Any]], ...]:
    """The rows of the decisions, memberships, plan content and cancelled meetings."""
    case_id = str(plan.case_id)
    decisions = [
        {
            "case_id": case_id,
            "decision_id": str(decision.decision_id),
            "position": position,
            "kind": decision.kind.value,
            "outcome": decision.outcome.value,
            "decided_on": decision.decided_on,
            "legal_sections": list(decision.legal_sections),
            "reasoning": decision.reasoning,
            **_worker_columns("decision_maker", decision.decision_maker),
            "valid_from": decision.valid_from,
            "valid_until": decision.valid_until,
            "hours_per_month": decision.hours_per_month,
        }
        for position, decision in enumerate(plan.decisions)
    ]
    memberships = [
        {
            "case_id": case_id,
            "position": position,
            "child_id": membership.child.id,
            "display_name": membership.child.display_name,
            "birth_date": membership.child.birth_date,
            "joined_on": membership.joined_on,
            "left_on": membership.left_on,
            "left_reason": None if membership.left_reason is None else membership.left_reason.value,
            "view": membership.view,
            "not_heard_reason": membership.not_heard_reason,
            **_worker_columns("worker", membership.worker),
        }
        for position, membership in enumerate(plan.memberships)
    ]
    content = plan.plan_content
    contents = (
        []
        if content == PlanContent()
        else [
            {
                "case_id": case_id,
                "plan_version": plan.plan_version,
                "situation": content.situation,
                "client_assessment": content.client_assessment,
                "professional_assessment": content.professional_assessment,
                "strengths": content.strengths,
                "planned_services": [
                    service.model_dump(mode="json") for service in content.planned_services
                ],
                "rights_explained": content.rights_explained,
                "follow_up": content.follow_up,
                "estimated_duration": content.estimated_duration,
                "place": content.place,
                "participants": list(content.participants),
                "delivered_to": list(content.delivered_to),
            }
        ]
    )
    cancelled = [
        {
            "case_id": case_id,
            "meeting_id": str(meeting.meeting_id),
            "position": position,
            "kind": meeting.kind.value,
            "planned_on": meeting.planned_on,
            "cancelled_on": meeting.cancelled_on,
            "reason": meeting.reason,
        }
        for position, meeting in enumerate(plan.cancelled_meetings)
    ]
    return decisions, memberships, contents, cancelled


# --- rows -> read models ---------------------------------------------------------------


def _by_position(rows: Iterable[Any]) -> list[Any]:
    return sorted(rows, key=lambda row: row.position)


# With a master key the personal columns are left empty (NULL): a name or a required text
# reads back as "" (what the read models of an encrypted store's tables hold, see
# docs/read-models.md), built with ``trusted`` because "" is no valid name.


def stored_worker(worker_id: str, name: str | None, profession: str) -> NamedWorker:
    """A named worker from its three columns; a name left empty (a master key) reads as ""."""
    if not name:
        return NamedWorker.trusted(id=worker_id, name="", profession=Profession(profession))
    return NamedWorker(id=worker_id, name=name, profession=profession)


def _worker(row: Any, prefix: str) -> NamedWorker | None:
    worker_id = getattr(row, f"{prefix}_id")
    if worker_id is None:
        return None
    return stored_worker(
        worker_id, getattr(row, f"{prefix}_name"), getattr(row, f"{prefix}_profession")
    )


def _membership(row: Any) -> ChildMembership:
    if row.display_name is None:  # left empty: the store has a master key
        child = PersonRef.trusted(id=row.child_id, display_name="", birth_date=None)
    else:
        child = PersonRef.model_validate(
            {"id": row.child_id, "display_name": row.display_name, "birth_date": row.birth_date},
            context=_STORED,
        )
    return ChildMembership(
        child=child,
        joined_on=row.joined_on,
        left_on=row.left_on,
        left_reason=row.left_reason,
        view=row.view,
        not_heard_reason=row.not_heard_reason,
        worker=_worker(row, "worker"),
    )


def _content(row: Any) -> PlanContent:
    return PlanContent(
        situation=row.situation,
        client_assessment=row.client_assessment,
        professional_assessment=row.professional_assessment,
        strengths=row.strengths,
        planned_services=tuple(
            PlannedService.model_validate(service, context=_STORED)
            for service in row.planned_services or ()
        ),
        rights_explained=row.rights_explained,
        follow_up=row.follow_up,
        estimated_duration=row.estimated_duration,
        place=row.place,
        participants=tuple(row.participants or ()),
        delivered_to=tuple(row.delivered_to or ()),
    )


def statutory_fields(
    rows: StatutoryRows, children: Sequence[PersonRef], opened_on: Any
) -> dict[str, Any]:
    """The ``CurrentPlan`` fields the four tables hold, for a case whose row gives its
    current ``children`` and ``opened_on`` (for a row older than the tables)."""
    memberships = tuple(_membership(row) for row in _by_position(rows.memberships))
    if not memberships:  # written before memberships were stored (release 0.1)
        memberships = tuple(ChildMembership(child=child, joined_on=opened_on) for child in children)
    return {
        "decisions": tuple(
            DecisionView(
                decision_id=UUID(row.decision_id),
                kind=row.kind,
                outcome=row.outcome,
                decided_on=row.decided_on,
                legal_sections=tuple(row.legal_sections),
                reasoning=row.reasoning or "",
                decision_maker=_worker(row, "decision_maker"),
                valid_from=row.valid_from,
                valid_until=row.valid_until,
                hours_per_month=row.hours_per_month,
            )
            for row in _by_position(rows.decisions)
        ),
        "memberships": memberships,
        "plan_content": next((_content(row) for row in rows.plan_contents), PlanContent()),
        "cancelled_meetings": tuple(
            CancelledMeetingView(
                meeting_id=UUID(row.meeting_id),
                kind=row.kind,
                planned_on=row.planned_on,
                cancelled_on=row.cancelled_on,
                reason=row.reason or "",
            )
            for row in _by_position(rows.cancelled_meetings)
        ),
    }

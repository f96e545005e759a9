"""Audit trail (muutoshistoria): every event of a case as one readable row.

Each row says when the event was recorded, when the fact happened, who recorded it and
what it was, in Finnish and in English. Summaries name kinds, statuses, counts and ids;
free text written about the family (views, notes, summaries) stays out of them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from uuid import UUID

from perhetyo.events import (
    CaseClosed,
    CaseEvent,
    CaseOpened,
    ChildViewRecorded,
    GoalSet,
    GoalUpdated,
    MeetingHeld,
    NamedWorkerAssigned,
    PlanAgreed,
    ServiceEnded,
    ServiceOrdered,
    ServiceStarted,
)
from perhetyo.values import ValueModel, finnish_label

__all__ = ["AuditEntry", "apply", "entry_for", "fields_for", "initial"]


class AuditEntry(ValueModel):
    """Audit entry (muutoshistorian rivi): who recorded what, when, about which case."""

    case_id: UUID
    version: int
    recorded_at: datetime
    occurred_on: date
    actor_id: str
    event_type: str
    label_fi: str
    label_en: str
    summary: str
    summary_en: str


def _fi(value: Any) -> str:
    return finnish_label(value)


def _opened(e: CaseOpened) -> tuple[str, str]:
    return (
        f"{_fi(e.legal_basis)}, {_fi(e.service_task)}; lapsia {len(e.children)}, "
        f"huoltajia {len(e.guardians)}; omatyöntekijä {e.named_worker.id}",
        f"{e.legal_basis.value}, {e.service_task.value}; {len(e.children)} children, "
        f"{len(e.guardians)} guardians; named worker {e.named_worker.id}",
    )


def _worker(e: NamedWorkerAssigned) -> tuple[str, str]:
    return (
        f"omatyöntekijä {e.worker.id} ({_fi(e.worker.profession)})",
        f"named worker {e.worker.id} ({e.worker.profession.value})",
    )


def _meeting(e: MeetingHeld) -> tuple[str, str]:
    return (
        f"{_fi(e.kind)}, osallistujia {len(e.participants)}",
        f"{e.kind.value}, {len(e.participants)} participants",
    )


def _child_view(e: ChildViewRecorded) -> tuple[str, str]:
    if e.view is not None:
        return f"lapsen {e.child_id} näkemys", f"view of child {e.child_id}"
    return (
        f"lasta {e.child_id} ei kuultu, syy kirjattu",
        f"child {e.child_id} not heard, reason given",
    )


def _plan(e: PlanAgreed) -> tuple[str, str]:
    return (
        f"versio {e.plan_version}: sovittuja asioita {len(e.agreements)}, "
        f"eriäviä näkemyksiä {len(e.dissent)}",
        f"version {e.plan_version}: {len(e.agreements)} agreements, "
        f"{len(e.dissent)} differing views",
    )


def _goal_set(e: GoalSet) -> tuple[str, str]:
    whose_fi = f", lapsi {e.child_id}" if e.child_id else ", koko perhe"
    whose_en = f", child {e.child_id}" if e.child_id else ", whole family"
    return f"tavoite {e.goal_id}{whose_fi}", f"goal {e.goal_id}{whose_en}"


def _goal_updated(e: GoalUpdated) -> tuple[str, str]:
    return (
        f"tavoite {e.goal_id}: {_fi(e.status)}, {e.progress} %",
        f"goal {e.goal_id}: {e.status.value}, {e.progress}%",
    )


def _ordered(e: ServiceOrdered) -> tuple[str, str]:
    return (
        f"{_fi(e.kind)} tuottajalta {e.provider} (palvelu {e.service_id})",
        f"{e.kind.value} from {e.provider} (service {e.service_id})",
    )


def _started(e: ServiceStarted) -> tuple[str, str]:
    return f"palvelu {e.service_id} alkoi", f"service {e.service_id} started"


def _ended(e: ServiceEnded) -> tuple[str, str]:
    if e.cancelled:
        return (
            f"palvelu {e.service_id} peruttu ennen alkamista",
            f"service {e.service_id} cancelled before it started",
        )
    return f"palvelu {e.service_id} päättyi", f"service {e.service_id} ended"


def _closed(e: CaseClosed) -> tuple[str, str]:
    heard = len(e.child_views)
    not_heard = len(e.not_heard_reasons)
    after_fi = f"; jatkuu: {_fi(e.successor.kind)}" if e.successor else ""
    after_en = f"; continues: {e.successor.kind.value}" if e.successor else ""
    return (
        f"{_fi(e.reason)}; lasten näkemyksiä {heard}, kuulematta {not_heard}{after_fi}",
        f"{e.reason.value}; {heard} children's views, {not_heard} not heard{after_en}",
    )


_SUMMARIES: dict[type[CaseEvent], Callable[[Any], tuple[str, str]]] = {
    CaseOpened: _opened,
    NamedWorkerAssigned: _worker,
    MeetingHeld: _meeting,
    ChildViewRecorded: _child_view,
    PlanAgreed: _plan,
    GoalSet: _goal_set,
    GoalUpdated: _goal_updated,
    ServiceOrdered: _ordered,
    ServiceStarted: _started,
    ServiceEnded: _ended,
    CaseClosed: _closed,
}


def fields_for(event: CaseEvent) -> dict[str, Any]:
    """The fields of one event's audit entry (the stored view writes them as a row)."""
    summary_fi, summary_en = _SUMMARIES[type(event)](event)
    return {
        "case_id": event.originator_id,
        "version": event.originator_version,
        "recorded_at": event.timestamp,
        "occurred_on": event.occurred_on,
        "actor_id": event.actor.id,
        "event_type": type(event).__name__,
        "label_fi": event.LABEL_FI,
        "label_en": event.LABEL_EN,
        "summary": summary_fi,
        "summary_en": summary_en,
    }


def entry_for(event: CaseEvent) -> AuditEntry:
    """The audit entry of one event."""
    return AuditEntry.trusted(**fields_for(event))


def initial() -> tuple[AuditEntry, ...]:
    """No rows before the first event."""
    return ()


def apply(state: tuple[AuditEntry, ...], event: CaseEvent) -> tuple[AuditEntry, ...]:
    """The trail after ``event``: one row more."""
    return (*state, entry_for(event))

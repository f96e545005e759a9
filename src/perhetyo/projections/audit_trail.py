"""Audit trail (muutoshistoria): every event of a case as one readable row.

``fold_all`` folds a whole case in one pass (a list, frozen at the end): the same trail as
``apply`` event by event, without copying the trail at every event.

Each row says when the event was recorded, when the fact happened, who recorded it and
what it was, in Finnish and in English. Each event summarises itself
(:meth:`~perhetyo.events.CaseEvent.describe`): kinds, statuses, counts and ids; free text
written about the family (views, notes, summaries, providers) stays out of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any
from uuid import UUID

from perhetyo.events import CaseErased, CaseEvent, EntryCorrected
from perhetyo.values import ValueModel

__all__ = ["AuditEntry", "apply", "entry_for", "fields_for", "fold_all", "initial"]


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
    corrects_version: int | None = None
    """The version an ``EntryCorrected`` corrects (None for every other event)."""


def fields_for(event: CaseEvent) -> dict[str, Any]:
    """The fields of one event's audit entry (the stored view writes them as a row)."""
    summary_fi, summary_en = event.describe()
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
        "corrects_version": event.version if isinstance(event, EntryCorrected) else None,
    }


def entry_for(event: CaseEvent) -> AuditEntry:
    """The audit entry of one event."""
    return AuditEntry.trusted(**fields_for(event))


def initial() -> tuple[AuditEntry, ...]:
    """No rows before the first event."""
    return ()


def apply(state: tuple[AuditEntry, ...], event: CaseEvent) -> tuple[AuditEntry, ...]:
    """The trail after ``event``: one row more (an erasure leaves only its own row)."""
    if isinstance(event, CaseErased):
        return (entry_for(event),)
    return (*state, entry_for(event))


def fold_all(events: Iterable[CaseEvent]) -> tuple[AuditEntry, ...]:
    """The trail of ``events`` from the first: what ``apply`` gives, in linear time."""
    entries: list[AuditEntry] = []
    for event in events:
        if isinstance(event, CaseErased):
            entries.clear()
        entries.append(entry_for(event))
    return tuple(entries)

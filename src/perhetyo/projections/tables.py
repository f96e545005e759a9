"""Stored read models (raportointitaulut): the SQL tables the runner keeps up to date.

Five tables follow the read models' field names, one row per case, goal, service, goal
update and audit entry, ``case_id`` on every row. Nested values without a table of their
own (children, guardians, agreements, dissent, meetings, child views) are JSON columns of
``perhetyo_cases``; the named worker and the successor are flattened into columns so that
reports can group by them. Ids are canonical UUID strings, enums their stored values,
record times UTC.

This module also converts between the read models and rows, both ways: the runner writes
rows from folded states and, on a cache miss, reads a case's state back from its rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB

from perhetyo.projections.audit_trail import AuditEntry
from perhetyo.projections.current_plan import CurrentPlan, GoalView, MeetingView, ServiceView
from perhetyo.projections.goal_progress import GoalProgress, GoalUpdateView
from perhetyo.values import NamedWorker, PersonRef, Successor

__all__ = [
    "INDEXED_COLUMNS",
    "TABLE_NAMES",
    "TRACKING_TABLE",
    "ViewTables",
    "audit_entry_from_row",
    "audit_row",
    "case_rows",
    "goal_update_row",
    "plan_from_rows",
    "progress_from_rows",
    "tracking_table",
]

TABLE_NAMES = (
    "perhetyo_cases",
    "perhetyo_goals",
    "perhetyo_services",
    "perhetyo_goal_updates",
    "perhetyo_audit_entries",
)
TRACKING_TABLE = "perhetyo_tracking"

INDEXED_COLUMNS: dict[str, tuple[tuple[str, ...], ...]] = {
    "perhetyo_cases": (("status",), ("named_worker_id",), ("opened_on",), ("review_due_on",)),
    "perhetyo_goals": (("status",),),
    "perhetyo_services": (("kind", "status"), ("ordered_on",)),
    "perhetyo_goal_updates": (("updated_on",),),
    "perhetyo_audit_entries": (("recorded_at",), ("actor_id",), ("event_type",)),
}
"""The reporting indexes: cases by status, worker and dates; services by kind; audit by
time, actor and event type. Primary keys start with ``case_id`` on every table."""

_JSON = JSON().with_variant(JSONB(), "postgresql")
_ID = String(36)
_ENUM = String(40)


def tracking_table(metadata: MetaData) -> Table:
    """The tracking rows: how far each view has folded the notification log."""
    return Table(
        TRACKING_TABLE,
        metadata,
        Column("view_name", String(100), primary_key=True),
        Column("application_name", String(100), primary_key=True),
        Column("notification_id", Integer, nullable=False),
    )


@dataclass(frozen=True)
class ViewTables:
    """The five read-model tables of one generation (live, or a rebuild beside it)."""

    cases: Table
    goals: Table
    services: Table
    goal_updates: Table
    audit_entries: Table

    @property
    def all(self) -> tuple[Table, ...]:
        """The tables in creation order."""
        return (self.cases, self.goals, self.services, self.goal_updates, self.audit_entries)

    @classmethod
    def build(
        cls, metadata: MetaData, *, suffix: str = "", index_token: str = "", indexed: bool = True
    ) -> ViewTables:
        """Define the tables named ``perhetyo_<name><suffix>`` in ``metadata``.

        Index names carry ``index_token`` so a rebuilt generation can be renamed into
        place beside indexes of the generation it replaces.
        """

        def name(base: str) -> str:
            return f"{base}{suffix}"

        cases = Table(
            name("perhetyo_cases"),
            metadata,
            Column("case_id", _ID, primary_key=True),
            Column("version", Integer, nullable=False),
            Column("status", _ENUM, nullable=False),
            Column("legal_basis", _ENUM, nullable=False),
            Column("service_task", _ENUM, nullable=False),
            Column("named_worker_id", String(64), nullable=False),
            Column("named_worker_name", String(200), nullable=False),
            Column("named_worker_profession", _ENUM, nullable=False),
            Column("opened_on", Date, nullable=False),
            Column("closed_on", Date),
            Column("closure_reason", _ENUM),
            Column("successor_kind", _ENUM),
            Column("successor_case_id", _ID),
            Column("previous_case_id", _ID),
            Column("plan_version", Integer, nullable=False),
            Column("plan_agreed_on", Date),
            Column("review_due_on", Date),
            Column("last_meeting_on", Date),
            Column("children", _JSON, nullable=False),
            Column("guardians", _JSON, nullable=False),
            Column("agreements", _JSON, nullable=False),
            Column("dissent", _JSON, nullable=False),
            Column("meetings", _JSON, nullable=False),
            Column("child_views", _JSON, nullable=False),
        )
        goals = Table(
            name("perhetyo_goals"),
            metadata,
            Column("case_id", _ID, primary_key=True),
            Column("goal_id", _ID, primary_key=True),
            Column("position", Integer, nullable=False),
            Column("description", Text, nullable=False),
            Column("child_id", String(64)),
            Column("status", _ENUM, nullable=False),
            Column("progress", Integer, nullable=False),
            Column("set_on", Date, nullable=False),
            Column("target_date", Date),
            Column("last_updated_on", Date),
        )
        services = Table(
            name("perhetyo_services"),
            metadata,
            Column("case_id", _ID, primary_key=True),
            Column("service_id", _ID, primary_key=True),
            Column("position", Integer, nullable=False),
            Column("kind", _ENUM, nullable=False),
            Column("provider", String(200), nullable=False),
            Column("status", _ENUM, nullable=False),
            Column("ordered_on", Date, nullable=False),
            Column("started_on", Date),
            Column("ended_on", Date),
            Column("goal_ids", _JSON, nullable=False),
        )
        goal_updates = Table(
            name("perhetyo_goal_updates"),
            metadata,
            Column("case_id", _ID, primary_key=True),
            Column("goal_id", _ID, primary_key=True),
            Column("seq", Integer, primary_key=True),
            Column("updated_on", Date, nullable=False),
            Column("status", _ENUM, nullable=False),
            Column("progress", Integer, nullable=False),
            Column("note", Text),
            Column("actor_id", String(64), nullable=False),
            Column("recorded_at", DateTime(timezone=True), nullable=False),
        )
        audit_entries = Table(
            name("perhetyo_audit_entries"),
            metadata,
            Column("case_id", _ID, primary_key=True),
            Column("version", Integer, primary_key=True),
            Column("recorded_at", DateTime(timezone=True), nullable=False),
            Column("occurred_on", Date, nullable=False),
            Column("actor_id", String(64), nullable=False),
            Column("event_type", String(60), nullable=False),
            Column("label_fi", String(100), nullable=False),
            Column("label_en", String(100), nullable=False),
            Column("summary", Text, nullable=False),
            Column("summary_en", Text, nullable=False),
        )
        tables = cls(cases, goals, services, goal_updates, audit_entries)
        if indexed:
            tables.add_indexes(index_token)
        return tables

    def add_indexes(self, token: str) -> list[Index]:
        """Define the reporting indexes on these tables (created with the tables, or
        afterwards by ``index.create(conn)``: a rebuild indexes its tables once, at the end,
        which is faster than keeping them up to date row by row)."""
        suffix = f"_{token}" if token else ""
        indexes = []
        for base, table in zip(TABLE_NAMES, self.all, strict=True):
            for columns in INDEXED_COLUMNS[base]:
                name = f"ix_{base}_{'_'.join(columns)}{suffix}"
                indexes.append(Index(name, *(table.c[column] for column in columns)))
        return indexes


# --- read models -> rows ---------------------------------------------------------------


def _id(value: UUID | None) -> str | None:
    return None if value is None else str(value)


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _person(person: PersonRef) -> dict[str, Any]:
    return person.model_dump(mode="json")


def case_rows(
    plan: CurrentPlan,
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """The case row, its goal rows and its service rows."""
    worker = plan.named_worker
    successor = plan.successor
    case = {
        "case_id": str(plan.case_id),
        "version": plan.version,
        "status": plan.status.value,
        "legal_basis": plan.legal_basis.value,
        "service_task": plan.service_task.value,
        "named_worker_id": worker.id,
        "named_worker_name": worker.name,
        "named_worker_profession": worker.profession.value,
        "opened_on": plan.opened_on,
        "closed_on": plan.closed_on,
        "closure_reason": None if plan.closure_reason is None else plan.closure_reason.value,
        "successor_kind": None if successor is None else successor.kind.value,
        "successor_case_id": None if successor is None else _id(successor.case_id),
        "previous_case_id": _id(plan.previous_case_id),
        "plan_version": plan.plan_version,
        "plan_agreed_on": plan.plan_agreed_on,
        "review_due_on": plan.review_due_on,
        "last_meeting_on": max((m.held_on for m in plan.meetings), default=None),
        "children": [_person(child) for child in plan.children],
        "guardians": [_person(guardian) for guardian in plan.guardians],
        "agreements": list(plan.agreements),
        "dissent": list(plan.dissent),
        "meetings": [meeting.model_dump(mode="json") for meeting in plan.meetings],
        "child_views": dict(plan.child_views),
    }
    goals = [
        {
            "goal_id": str(goal.goal_id),
            "case_id": str(plan.case_id),
            "position": position,
            "description": goal.description,
            "child_id": goal.child_id,
            "status": goal.status.value,
            "progress": goal.progress,
            "set_on": goal.set_on,
            "target_date": goal.target_date,
            "last_updated_on": goal.last_updated_on,
        }
        for position, goal in enumerate(plan.goals)
    ]
    services = [
        {
            "service_id": str(service.service_id),
            "case_id": str(plan.case_id),
            "position": position,
            "kind": service.kind.value,
            "provider": service.provider,
            "status": service.status.value,
            "ordered_on": service.ordered_on,
            "started_on": service.started_on,
            "ended_on": service.ended_on,
            "goal_ids": [str(goal_id) for goal_id in service.goal_ids],
        }
        for position, service in enumerate(plan.services)
    ]
    return case, goals, services


def goal_update_row(
    case_id: UUID, goal_id: UUID, seq: int, point: GoalUpdateView
) -> dict[str, Any]:
    """The row of one point on a goal's timeline (``seq`` from 0)."""
    return {
        "goal_id": str(goal_id),
        "seq": seq,
        "case_id": str(case_id),
        "updated_on": point.updated_on,
        "status": point.status.value,
        "progress": point.progress,
        "note": point.note,
        "actor_id": point.actor_id,
        "recorded_at": _utc(point.recorded_at),
    }


def audit_row(fields: dict[str, Any]) -> dict[str, Any]:
    """The row of one audit entry, from ``audit_trail.fields_for`` (changed in place)."""
    fields["case_id"] = str(fields["case_id"])
    fields["recorded_at"] = _utc(fields["recorded_at"])
    return fields


# --- rows -> read models (the runner's cache misses) ----------------------------------------


def _aware(value: datetime) -> datetime:
    """SQLite returns naive datetimes: the stored values are UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def plan_from_rows(
    case: Any, goals: Iterable[Any], services: Iterable[Any]
) -> CurrentPlan:
    """Rebuild a case's CurrentPlan from its rows (mappings or SQLAlchemy rows)."""
    successor = (
        None
        if case.successor_kind is None
        else Successor(
            kind=case.successor_kind,
            case_id=None if case.successor_case_id is None else UUID(case.successor_case_id),
        )
    )
    stored = {"stored": True}
    return CurrentPlan(
        case_id=UUID(case.case_id),
        version=case.version,
        status=case.status,
        legal_basis=case.legal_basis,
        service_task=case.service_task,
        children=tuple(PersonRef.model_validate(c, context=stored) for c in case.children),
        guardians=tuple(PersonRef.model_validate(g, context=stored) for g in case.guardians),
        named_worker=NamedWorker(
            id=case.named_worker_id,
            name=case.named_worker_name,
            profession=case.named_worker_profession,
        ),
        opened_on=case.opened_on,
        closed_on=case.closed_on,
        closure_reason=case.closure_reason,
        successor=successor,
        previous_case_id=None if case.previous_case_id is None else UUID(case.previous_case_id),
        plan_version=case.plan_version,
        plan_agreed_on=case.plan_agreed_on,
        review_due_on=case.review_due_on,
        agreements=tuple(case.agreements),
        dissent=tuple(case.dissent),
        goals=tuple(
            GoalView(
                goal_id=UUID(goal.goal_id),
                description=goal.description,
                child_id=goal.child_id,
                status=goal.status,
                progress=goal.progress,
                set_on=goal.set_on,
                target_date=goal.target_date,
                last_updated_on=goal.last_updated_on,
            )
            for goal in sorted(goals, key=lambda row: row.position)
        ),
        services=tuple(
            ServiceView(
                service_id=UUID(service.service_id),
                kind=service.kind,
                provider=service.provider,
                status=service.status,
                ordered_on=service.ordered_on,
                started_on=service.started_on,
                ended_on=service.ended_on,
                goal_ids=tuple(UUID(goal_id) for goal_id in service.goal_ids),
            )
            for service in sorted(services, key=lambda row: row.position)
        ),
        meetings=tuple(MeetingView.model_validate(m) for m in case.meetings),
        child_views=dict(case.child_views),
    )


def audit_entry_from_row(row: Any) -> AuditEntry:
    """An AuditEntry from its stored row."""
    return AuditEntry(
        case_id=UUID(row.case_id),
        version=row.version,
        recorded_at=_aware(row.recorded_at),
        occurred_on=row.occurred_on,
        actor_id=row.actor_id,
        event_type=row.event_type,
        label_fi=row.label_fi,
        label_en=row.label_en,
        summary=row.summary,
        summary_en=row.summary_en,
    )


def progress_from_rows(
    case_id: UUID, goals: Iterable[Any], updates: Sequence[Any]
) -> tuple[GoalProgress, ...]:
    """Rebuild a case's GoalProgress tuple from its goal and goal-update rows."""
    points: dict[str, list[Any]] = {}
    for update in sorted(updates, key=lambda row: (row.goal_id, row.seq)):
        points.setdefault(update.goal_id, []).append(update)
    return tuple(
        GoalProgress(
            case_id=case_id,
            goal_id=UUID(goal.goal_id),
            description=goal.description,
            child_id=goal.child_id,
            set_on=goal.set_on,
            target_date=goal.target_date,
            status=goal.status,
            progress=goal.progress,
            updates=tuple(
                GoalUpdateView(
                    updated_on=point.updated_on,
                    status=point.status,
                    progress=point.progress,
                    note=point.note,
                    actor_id=point.actor_id,
                    recorded_at=_aware(point.recorded_at),
                )
                for point in points.get(goal.goal_id, [])
            ),
        )
        for goal in sorted(goals, key=lambda row: row.position)
    )


"""Rows (taulujen rivit): read models to rows and back, and the writer that inserts them.

The runner writes rows from folded states and, on a cache miss, reads a case's state back
from its rows; the stored views read rows back as read models for callers. Both
directions live here, side by side, so a column added to one is seen missing in the other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from operator import itemgetter
from typing import Any
from uuid import UUID

import orjson
from sqlalchemy import (
    JSON,
    BindParameter,
    Connection,
    Date,
    DateTime,
    Delete,
    Engine,
    Table,
    bindparam,
    delete,
    insert,
)

from perhetyo.events import GoalUpdated
from perhetyo.projections.audit_trail import AuditEntry
from perhetyo.projections.current_plan import (
    CurrentPlan,
    DisclosureBanView,
    GoalView,
    MeetingView,
    ServiceView,
)
from perhetyo.projections.deadlines import Deadline, DeadlinePolicy, deadline_facts, status_on
from perhetyo.projections.goal_progress import GoalProgress, GoalUpdateView
from perhetyo.projections.matter_views import AssessmentView, MatterView, PlanVersionView
from perhetyo.projections.sql.schema import blank_personal
from perhetyo.projections.sql.statutory_rows import (
    StatutoryRows,
    statutory_fields,
    stored_worker,
)
from perhetyo.values import PersonRef, Successor

__all__ = [
    "RowWriter",
    "audit_entry_from_row",
    "audit_row",
    "case_rows",
    "deadline_from_row",
    "deadline_rows",
    "goal_update_row",
    "matter_rows",
    "plan_from_rows",
    "progress_from_rows",
    "sqlite_connection",
]


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
    last_meeting = plan.last_meeting
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
        "erased_on": plan.erased_on,
        "successor_kind": None if successor is None else successor.kind.value,
        "successor_case_id": None if successor is None else _id(successor.case_id),
        "previous_case_id": _id(plan.previous_case_id),
        "plan_version": plan.plan_version,
        "plan_agreed_on": plan.plan_agreed_on,
        "review_due_on": plan.review_due_on,
        "last_meeting_on": None if last_meeting is None else last_meeting.held_on,
        "children": [_person(child) for child in plan.children],
        "guardians": [_person(guardian) for guardian in plan.guardians],
        "agreements": list(plan.agreements),
        "dissent": list(plan.dissent),
        "meetings": [meeting.model_dump(mode="json") for meeting in plan.meetings],
        "child_views": dict(plan.child_views),
        "disclosure_bans": [ban.model_dump(mode="json") for ban in plan.disclosure_bans],
        "pending_on": plan.pending_on,
        "initiated_by": None if plan.initiated_by is None else plan.initiated_by.value,
        "special_support": plan.special_support,
        "urgent": plan.urgent,
        "child_welfare_from": plan.child_welfare_from,
        "plan_versions": [version.model_dump(mode="json") for version in plan.plan_versions],
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
            "decision_id": _id(service.decision_id),
        }
        for position, service in enumerate(plan.services)
    ]
    return case, goals, services


def matter_rows(plan: CurrentPlan) -> list[dict[str, Any]]:
    """One row per matter, its assessment flattened into columns (None: no assessment)."""
    rows = []
    for position, matter in enumerate(plan.matters):
        a = matter.assessment or AssessmentView()
        rows.append(
            {
                "case_id": str(plan.case_id),
                "matter_id": str(matter.matter_id),
                "position": position,
                "pending_on": matter.pending_on,
                "initiated_by": None if matter.initiated_by is None else matter.initiated_by.value,
                "special_support": matter.special_support,
                "urgent": matter.urgent,
                "under_child_welfare": matter.under_child_welfare,
                "assessment_started_on": a.started_on,
                "start_special_support": a.special_support,
                "child_welfare_need_assessed": a.child_welfare_need_assessed,
                "assessment_completed_on": a.completed_on,
                "conclusions": a.conclusions,
                "relationship_continues": a.relationship_continues,
                "special_support_found": a.special_support_found,
                "child_welfare_begins": a.child_welfare_begins,
                "needs_named_worker": a.needs_named_worker,
                "plan_needed": a.plan_needed,
                "assessment_child_views": dict(a.child_views),
                "assessment_not_heard_reasons": dict(a.not_heard_reasons),
                "assessment_declined_on": a.declined_on,
                "decline_reason": a.decline_reason,
            }
        )
    return rows


def deadline_rows(plan: CurrentPlan, policy: DeadlinePolicy) -> list[dict[str, Any]]:
    """One row per deadline: its due, met and void dates (the status is computed on read)."""
    return [
        {
            "case_id": str(plan.case_id),
            "seq": seq,
            "matter_id": _id(fact.matter_id),
            "plan_version": fact.plan_version,
            "kind": fact.kind.value,
            "due_on": fact.due_on,
            "met_on": fact.met_on,
            "voided_on": fact.voided_on,
        }
        for seq, fact in enumerate(deadline_facts(plan, policy))
    ]


def goal_update_row(case_key: str, event: GoalUpdated, seq: int) -> dict[str, Any]:
    """The row of the timeline point a ``GoalUpdated`` adds (``seq`` from 0): the fields of
    :func:`~perhetyo.projections.goal_progress.update_view`, straight from the event."""
    return {
        "goal_id": str(event.goal_id),
        "seq": seq,
        "case_id": case_key,
        "updated_on": event.updated_on,
        "status": event.status.value,
        "progress": event.progress,
        "note": event.note,
        "actor_id": event.actor.id,
        "recorded_at": _utc(event.timestamp),
    }


def audit_row(fields: dict[str, Any], case_key: str) -> dict[str, Any]:
    """The row of one audit entry, from ``audit_trail.fields_for`` (changed in place);
    ``case_key`` is its case id as text (made once per case, not per event)."""
    fields["case_id"] = case_key
    fields["recorded_at"] = _utc(fields["recorded_at"])
    return fields


# --- rows -> read models (the runner's cache misses) ----------------------------------------


def _aware(value: datetime) -> datetime:
    """SQLite returns naive datetimes: the stored values are UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _matter_from_row(row: Any) -> MatterView:
    assessment = None
    if row.assessment_started_on is not None or row.assessment_declined_on is not None:
        assessment = AssessmentView(
            started_on=row.assessment_started_on,
            special_support=row.start_special_support,
            child_welfare_need_assessed=bool(row.child_welfare_need_assessed),
            completed_on=row.assessment_completed_on,
            conclusions=row.conclusions,
            relationship_continues=row.relationship_continues,
            special_support_found=row.special_support_found,
            child_welfare_begins=bool(row.child_welfare_begins),
            needs_named_worker=row.needs_named_worker,
            plan_needed=row.plan_needed,
            child_views=dict(row.assessment_child_views or {}),
            not_heard_reasons=dict(row.assessment_not_heard_reasons or {}),
            declined_on=row.assessment_declined_on,
            decline_reason=row.decline_reason,
        )
    return MatterView(
        matter_id=UUID(row.matter_id),
        pending_on=row.pending_on,
        initiated_by=row.initiated_by,
        special_support=row.special_support,
        urgent=row.urgent,
        under_child_welfare=row.under_child_welfare,
        assessment=assessment,
    )


def deadline_from_row(row: Any, on: date) -> Deadline:
    """A Deadline from its stored row, with its status on ``on``."""
    return Deadline(
        case_id=UUID(row.case_id),
        matter_id=None if row.matter_id is None else UUID(row.matter_id),
        kind=row.kind,
        due_on=row.due_on,
        met_on=row.met_on,
        status=status_on(row.due_on, row.met_on, row.voided_on, on),
        plan_version=row.plan_version,
        voided_on=row.voided_on,
    )


def plan_from_rows(
    case: Any,
    goals: Iterable[Any],
    services: Iterable[Any],
    statutory: StatutoryRows | None = None,
    matters: Iterable[Any] = (),
) -> CurrentPlan:
    """Rebuild a case's CurrentPlan from its rows (mappings or SQLAlchemy rows), the rows
    of the statutory steps' tables included."""
    successor = (
        None
        if case.successor_kind is None
        else Successor(
            kind=case.successor_kind,
            case_id=None if case.successor_case_id is None else UUID(case.successor_case_id),
        )
    )
    stored = {"stored": True}
    children = tuple(PersonRef.model_validate(c, context=stored) for c in case.children)
    return CurrentPlan(
        case_id=UUID(case.case_id),
        version=case.version,
        status=case.status,
        legal_basis=case.legal_basis,
        service_task=case.service_task,
        children=children,
        guardians=tuple(PersonRef.model_validate(g, context=stored) for g in case.guardians),
        named_worker=stored_worker(
            case.named_worker_id, case.named_worker_name, case.named_worker_profession
        ),
        opened_on=case.opened_on,
        closed_on=case.closed_on,
        closure_reason=case.closure_reason,
        erased_on=case.erased_on,
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
                decision_id=None if service.decision_id is None else UUID(service.decision_id),
            )
            for service in sorted(services, key=lambda row: row.position)
        ),
        meetings=tuple(MeetingView.model_validate(m) for m in case.meetings),
        child_views=dict(case.child_views),
        disclosure_bans=tuple(
            DisclosureBanView.model_validate(ban, context=stored)
            for ban in case.disclosure_bans or ()
        ),
        **statutory_fields(statutory or StatutoryRows(), children, case.opened_on),
        pending_on=case.pending_on,
        initiated_by=case.initiated_by,
        special_support=case.special_support,
        urgent=case.urgent,
        child_welfare_from=case.child_welfare_from,
        matters=tuple(
            _matter_from_row(row) for row in sorted(matters, key=lambda row: row.position)
        ),
        plan_versions=tuple(PlanVersionView.model_validate(v) for v in case.plan_versions),
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
        corrects_version=row.corrects_version,
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


def sqlite_connection(conn: Connection) -> Any:
    """The sqlite3 connection under ``conn``, in its transaction: statements run on it
    directly skip SQLAlchemy's per-statement work (its errors, sqlite3's, are translated
    by :func:`~perhetyo.persistence.storage_errors` like any other)."""
    return conn.connection.driver_connection


# --- writing rows ---------------------------------------------------------------------


def _sqlite_dates(rows: list[dict[str, Any]], name: str) -> None:
    for row in rows:
        value = row[name]
        if value is not None:
            row[name] = value.isoformat()


def _sqlite_datetimes(rows: list[dict[str, Any]], name: str) -> None:
    # SQLAlchemy's SQLite DATETIME storage format (%Y-%m-%d %H:%M:%S.%f), in UTC: the
    # first 26 characters of the ISO form, which only a UTC value's offset follows.
    for row in rows:
        value = row[name]
        if value is not None:
            if value.tzinfo is not UTC:
                value = value.astimezone(UTC) if value.tzinfo is not None else value
            row[name] = value.isoformat(" ", "microseconds")[:26]


def _sqlite_json(rows: list[dict[str, Any]], name: str) -> None:
    dumps = orjson.dumps
    for row in rows:
        value = row[name]
        if value is not None:
            row[name] = dumps(value).decode()


@dataclass(frozen=True, slots=True)
class _Statement:
    sql: str
    conversions: list[tuple[str, Callable[[list[dict[str, Any]], str], None]]]
    """Per column that needs it, a conversion of that column of every row, in place (a
    column at a time: one call per column and batch, not per value)."""
    values: Callable[[dict[str, Any]], tuple[Any, ...]]


class RowWriter:
    """Row writer (rivien kirjoittaja): SQLAlchemy Core inserts, or the DB-API's own
    ``executemany`` on SQLite, where SQLAlchemy's per-row work was half of a rebuild.

    On SQLite the values are converted exactly as SQLAlchemy's column types store them
    (ISO dates, its DATETIME format, JSON text), so reading back through SQLAlchemy gives
    the same values; the tests check this round trip.

    ``personal=False`` (a store with a master key) leaves every column marked personal
    empty (:func:`~perhetyo.projections.sql.schema.blank_personal`).
    """

    def __init__(self, engine: Engine, *, personal: bool = True) -> None:
        self.direct = engine.dialect.name == "sqlite"
        self.personal = personal
        self._statements: dict[str, _Statement] = {}
        self._deletes: dict[str, Delete] = {}

    def _statement(self, table: Table) -> _Statement:
        cached = self._statements.get(table.name)
        if cached is None:
            conversions: list[tuple[str, Callable[[list[dict[str, Any]], str], None]]] = []
            for column in table.columns:
                kind = column.type
                if isinstance(kind, DateTime):
                    conversions.append((column.name, _sqlite_datetimes))
                elif isinstance(kind, Date):
                    conversions.append((column.name, _sqlite_dates))
                elif isinstance(kind, JSON):
                    conversions.append((column.name, _sqlite_json))
            names = [column.name for column in table.columns]
            quoted = ", ".join(f'"{name}"' for name in names)
            marks = ", ".join("?" for _ in names)
            # Identifiers come from our own table definitions, values are bound: no injection.
            sql = f'INSERT INTO "{table.name}" ({quoted}) VALUES ({marks})'  # noqa: S608
            cached = _Statement(sql, conversions, itemgetter(*names))
            self._statements[table.name] = cached
        return cached

    def insert(self, conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
        """Insert ``rows`` (dicts keyed by column name) into ``table``."""
        if not rows:
            return
        if not self.personal:
            blank_personal(table, rows)
        if not self.direct:
            conn.execute(insert(table), rows)
            return
        statement = self._statement(table)
        for name, convert in statement.conversions:
            convert(rows, name)
        sqlite_connection(conn).executemany(statement.sql, list(map(statement.values, rows)))

    def delete(self, conn: Connection, table: Table, keys: list[str]) -> None:
        """Delete the rows of the cases ``keys`` (ids as text) from ``table``."""
        if not keys:
            return
        if not self.direct:
            conn.execute(self._delete_of(table), {"keys": keys})
            return
        marks = ", ".join("?" * len(keys))
        # The table name is our own; every value is bound.
        sql = f'DELETE FROM "{table.name}" WHERE case_id IN ({marks})'  # noqa: S608
        sqlite_connection(conn).execute(sql, keys)

    def _delete_of(self, table: Table) -> Delete:
        statement = self._deletes.get(table.name)
        if statement is None:
            keys: BindParameter[list[str]] = bindparam("keys", expanding=True)
            statement = self._deletes[table.name] = delete(table).where(table.c.case_id.in_(keys))
        return statement


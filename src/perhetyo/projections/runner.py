"""Projection runner (näkymien päivittäjä): folds the notification log into SQL tables.

The runner reads the application's notification log in batches, decodes each event once,
folds it through the same ``current_plan``, ``goal_progress`` and ``audit_trail`` code the
live reads use, and writes the changed rows and its tracking position in ONE transaction.
So each event is applied exactly once, whatever crashes: a batch that did not commit left
nothing, and the next run starts from the committed position.

Writers are serialised: on SQLite each batch runs in ``BEGIN IMMEDIATE``; on PostgreSQL it
takes a transaction-level advisory lock, and a long-running worker also holds a session
advisory lock so that a second worker stays idle instead of competing. The tracking row
is advanced with a compare-and-set, so even a writer that bypassed the locks could not
apply an event twice.

The runner keeps a bounded cache of case states; on a miss it reads the case's state back
from its own tables, so memory stays flat however long the log is.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, cast
from uuid import UUID

import orjson
from eventsourcing.persistence import (
    ApplicationRecorder,
    IntegrityError,
    Mapper,
    Tracking,
    TrackingRecorder,
)
from sqlalchemy import (
    JSON,
    Connection,
    Date,
    DateTime,
    Engine,
    Table,
    delete,
    insert,
    select,
    text,
    update,
)

from perhetyo.events import CaseEvent, CaseOpened, GoalSet, GoalUpdated
from perhetyo.projections import audit_trail, current_plan, goal_progress
from perhetyo.projections.current_plan import CurrentPlan
from perhetyo.projections.goal_progress import GoalProgress
from perhetyo.projections.tables import (
    ViewTables,
    audit_row,
    case_rows,
    goal_update_row,
    plan_from_rows,
    progress_from_rows,
)

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_CACHE_SIZE",
    "CaseState",
    "ProjectionRunner",
    "RowWriter",
    "SQLTrackingRecorder",
    "postgres_xact_lock",
]

DEFAULT_BATCH_SIZE = 1_000
DEFAULT_CACHE_SIZE = 2_000


@dataclass(frozen=True, slots=True)
class CaseState:
    """One case's folded state, as the stored views hold it."""

    plan: CurrentPlan | None
    progress: tuple[GoalProgress, ...]


_INITIAL = CaseState(current_plan.initial(), goal_progress.initial())


class _Positions:
    """Reads and advances tracking rows (compare-and-set) inside a caller's transaction."""

    def __init__(self, table: Table, view_name: str) -> None:
        self.table = table
        self.view_name = view_name

    def read(self, conn: Connection, application_name: str) -> int | None:
        t = self.table
        value = conn.execute(
            select(t.c.notification_id).where(
                t.c.view_name == self.view_name, t.c.application_name == application_name
            )
        ).scalar_one_or_none()
        return None if value is None else int(value)

    def advance(
        self, conn: Connection, application_name: str, old: int | None, new: int
    ) -> None:
        """Move the position from ``old`` to ``new``; IntegrityError if it moved meanwhile."""
        t = self.table
        if new <= (old or 0) and old is not None:
            raise IntegrityError(f"tracking position {new} is not after {old}")
        if old is None:
            try:
                conn.execute(
                    insert(t).values(
                        view_name=self.view_name,
                        application_name=application_name,
                        notification_id=new,
                    )
                )
            except Exception as exc:  # the driver's own integrity error
                raise IntegrityError("the tracking row was inserted meanwhile") from exc
            return
        result = conn.execute(
            update(t)
            .where(
                t.c.view_name == self.view_name,
                t.c.application_name == application_name,
                t.c.notification_id == old,
            )
            .values(notification_id=new)
        )
        if result.rowcount != 1:
            raise IntegrityError("the tracking position moved meanwhile")


class SQLTrackingRecorder(TrackingRecorder):
    """Tracking recorder (seurantakirjuri) on a SQLAlchemy engine: eventsourcing's interface.

    One row per (view, upstream application); a position only moves forward.
    """

    def __init__(self, engine: Engine, table: Table, view_name: str) -> None:
        self.engine = engine
        self._writer = engine.execution_options(perhetyo_write=True)
        self._positions = _Positions(table, view_name)

    def insert_tracking(self, tracking: Tracking) -> None:
        """Record that ``tracking.notification_id`` was processed."""
        with self._writer.begin() as conn:
            old = self._positions.read(conn, tracking.application_name)
            self._positions.advance(conn, tracking.application_name, old, tracking.notification_id)

    def max_tracking_id(self, application_name: str) -> int | None:
        """The last processed notification id, or None."""
        with self.engine.connect() as conn:
            return self._positions.read(conn, application_name)


def _sqlite_date(value: Any) -> Any:
    return None if value is None else value.isoformat()


def _sqlite_datetime(value: Any) -> Any:
    # SQLAlchemy's SQLite DATETIME storage format (%Y-%m-%d %H:%M:%S.%f); values are UTC.
    return None if value is None else value.replace(tzinfo=None).isoformat(" ", "microseconds")


def _sqlite_json(value: Any) -> Any:
    return None if value is None else orjson.dumps(value).decode()


@dataclass(frozen=True, slots=True)
class _Statement:
    sql: str
    conversions: list[tuple[str, Callable[[Any], Any]]]
    values: Callable[[dict[str, Any]], tuple[Any, ...]]


class RowWriter:
    """Row writer (rivien kirjoittaja): SQLAlchemy Core inserts, or the DB-API's own
    ``executemany`` on SQLite, where SQLAlchemy's per-row work was half of a rebuild.

    On SQLite the values are converted exactly as SQLAlchemy's column types store them
    (ISO dates, its DATETIME format, JSON text), so reading back through SQLAlchemy gives
    the same values; the tests check this round trip.
    """

    def __init__(self, engine: Engine) -> None:
        self.direct = engine.dialect.name == "sqlite"
        self._statements: dict[str, _Statement] = {}

    def _statement(self, table: Table) -> _Statement:
        cached = self._statements.get(table.name)
        if cached is None:
            conversions: list[tuple[str, Callable[[Any], Any]]] = []
            for column in table.columns:
                kind = column.type
                if isinstance(kind, DateTime):
                    conversions.append((column.name, _sqlite_datetime))
                elif isinstance(kind, Date):
                    conversions.append((column.name, _sqlite_date))
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
        if not self.direct:
            conn.execute(insert(table), rows)
            return
        statement = self._statement(table)
        for row in rows:
            for name, convert in statement.conversions:
                row[name] = convert(row[name])
        conn.exec_driver_sql(statement.sql, [statement.values(row) for row in rows])


class _LRU:
    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._items: OrderedDict[UUID, CaseState] = OrderedDict()

    def get(self, key: UUID) -> CaseState | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put_all(self, items: dict[UUID, CaseState]) -> None:
        for key, value in items.items():
            self._items[key] = value
            self._items.move_to_end(key)
        while len(self._items) > self.maxsize:
            self._items.popitem(last=False)

    def clear(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


class ProjectionRunner:
    """Projection runner (näkymien päivittäjä): one generation of the five tables."""

    def __init__(
        self,
        *,
        recorder: ApplicationRecorder,
        mapper: Mapper[UUID],
        application_name: str,
        engine: Engine,
        tables: ViewTables,
        tracking: Table,
        view_name: str,
        lock: Callable[[Connection], None] | None = None,
        guard: contextlib.AbstractContextManager[Any] | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        cache_size: int = DEFAULT_CACHE_SIZE,
    ) -> None:
        self.recorder = recorder
        self.mapper = mapper
        self.application_name = application_name
        self.engine = engine
        self.tables = tables
        self.positions = _Positions(tracking, view_name)
        self.view_name = view_name
        self.batch_size = batch_size
        self._lock = lock
        self._cache = _LRU(cache_size)
        self._writer = RowWriter(engine)
        self._cache_position: int | None = None
        self._mutex = threading.Lock()  # one batch at a time per runner
        # Held around every use of the engine when its one connection is shared (memory).
        self._guard: contextlib.AbstractContextManager[Any] = guard or contextlib.nullcontext()
        self._write_engine = engine.execution_options(perhetyo_write=True)

    @property
    def cached_cases(self) -> int:
        """How many case states the cache holds now (bounded by ``cache_size``)."""
        return len(self._cache)

    def position(self) -> int:
        """The last notification id applied (0 before any)."""
        with self._guard, self.engine.connect() as conn:
            return self.positions.read(conn, self.application_name) or 0

    def catch_up(self, on_batch: Callable[[int], None] | None = None) -> int:
        """Apply batches until the log has nothing new; returns events applied."""
        total = 0
        while True:
            applied = self.run_batch()
            if applied == 0:
                return total
            total += applied
            if on_batch is not None:
                on_batch(applied)

    def run_batch(self) -> int:
        """Apply the next batch of events in one transaction; returns how many."""
        with self._mutex, self._guard, _gc_paused():
            try:
                return self._run_batch()
            except BaseException:
                # The transaction rolled back: cached states may be ahead of the rows.
                self._cache.clear()
                self._cache_position = None
                raise

    def _run_batch(self) -> int:
        with self._write_engine.begin() as conn:
            if self._lock is not None:
                self._lock(conn)
            position = self.positions.read(conn, self.application_name)
            if position != self._cache_position:
                self._cache.clear()  # another writer or a rebuild moved the rows
            notifications = self.recorder.select_notifications(
                start=position or 0, limit=self.batch_size, inclusive_of_start=False
            )
            if not notifications:
                return 0
            events = [cast(CaseEvent, self.mapper.to_domain_event(n)) for n in notifications]
            states, audit_rows, update_rows = self._fold(conn, events)
            self._write(conn, states, audit_rows, update_rows)
            new_position = notifications[-1].id
            self.positions.advance(conn, self.application_name, position, new_position)
        self._cache.put_all(states)
        self._cache_position = new_position
        return len(events)

    def _fold(
        self, conn: Connection, events: list[CaseEvent]
    ) -> tuple[dict[UUID, CaseState], list[dict[str, Any]], list[dict[str, Any]]]:
        """Fold the batch: the touched cases' new states, audit rows and goal-update rows."""
        states: dict[UUID, CaseState] = {}
        missing: list[UUID] = []
        for event in events:
            case_id = event.originator_id
            if case_id in states:
                continue
            cached = self._cache.get(case_id)
            if cached is not None:
                states[case_id] = cached
            elif isinstance(event, CaseOpened):
                states[case_id] = _INITIAL
            else:
                missing.append(case_id)
        states.update(self._read_states(conn, missing))
        audit_rows: list[dict[str, Any]] = []
        update_rows: list[dict[str, Any]] = []
        plans = {case_id: state.plan for case_id, state in states.items()}
        progresses = {case_id: state.progress for case_id, state in states.items()}
        apply_plan, apply_progress = current_plan.apply, goal_progress.apply
        audit_fields = audit_trail.fields_for
        for event in events:
            case_id = event.originator_id
            plans[case_id] = apply_plan(plans[case_id], event)
            audit_rows.append(audit_row(audit_fields(event)))
            if isinstance(event, (GoalSet, GoalUpdated)):  # the only events it folds
                progress = progresses[case_id] = apply_progress(progresses[case_id], event)
                if isinstance(event, GoalUpdated):
                    goal = next(g for g in progress if g.goal_id == event.goal_id)
                    point, seq = goal.updates[-1], len(goal.updates) - 1
                    update_rows.append(goal_update_row(case_id, goal.goal_id, seq, point))
        states = {case_id: CaseState(plans[case_id], progresses[case_id]) for case_id in plans}
        return states, audit_rows, update_rows

    def _read_states(self, conn: Connection, case_ids: list[UUID]) -> dict[UUID, CaseState]:
        """Read cases' states back from the rows (cache misses), in a few queries."""
        if not case_ids:
            return {}
        keys = [str(case_id) for case_id in case_ids]
        t = self.tables
        cases = {
            row.case_id: row
            for row in conn.execute(select(t.cases).where(t.cases.c.case_id.in_(keys)))
        }
        goals = _group(conn.execute(select(t.goals).where(t.goals.c.case_id.in_(keys))))
        services = _group(conn.execute(select(t.services).where(t.services.c.case_id.in_(keys))))
        updates = _group(
            conn.execute(select(t.goal_updates).where(t.goal_updates.c.case_id.in_(keys)))
        )
        states: dict[UUID, CaseState] = {}
        for case_id, key in zip(case_ids, keys, strict=True):
            row = cases.get(key)
            if row is None:
                states[case_id] = _INITIAL
                continue
            case_goals = goals.get(key, [])
            states[case_id] = CaseState(
                plan_from_rows(row, case_goals, services.get(key, [])),
                progress_from_rows(case_id, case_goals, updates.get(key, [])),
            )
        return states

    def _write(
        self,
        conn: Connection,
        states: dict[UUID, CaseState],
        audit_rows: list[dict[str, Any]],
        update_rows: list[dict[str, Any]],
    ) -> None:
        t = self.tables
        case_rows_: list[dict[str, Any]] = []
        goal_rows: list[dict[str, Any]] = []
        service_rows: list[dict[str, Any]] = []
        for state in states.values():
            if state.plan is None:
                continue
            case, goals, services = case_rows(state.plan)
            case_rows_.append(case)
            goal_rows.extend(goals)
            service_rows.extend(services)
        keys = [row["case_id"] for row in case_rows_]
        if keys:
            for table in (t.cases, t.goals, t.services):
                conn.execute(delete(table).where(table.c.case_id.in_(keys)))
        writer = self._writer
        writer.insert(conn, t.cases, case_rows_)
        writer.insert(conn, t.goals, goal_rows)
        writer.insert(conn, t.services, service_rows)
        writer.insert(conn, t.goal_updates, update_rows)
        writer.insert(conn, t.audit_entries, audit_rows)


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for one batch.

    A batch allocates many small acyclic objects; with a large cache alive, the collector's
    full passes cost a third of a rebuild (measured). Reference counting still frees them.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _group(rows: Iterable[Any]) -> dict[str, list[Any]]:
    grouped: dict[str, list[Any]] = {}
    for row in rows:
        grouped.setdefault(row.case_id, []).append(row)
    return grouped


def postgres_xact_lock(key: int) -> Callable[[Connection], None]:
    """A lock step that takes a transaction-level advisory lock on PostgreSQL."""

    def lock(conn: Connection) -> None:
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})

    return lock

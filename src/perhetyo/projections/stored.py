"""Stored views (raportointinäkymät): where the tables live, catching up, rebuilding, status.

``StoredViews`` wires a :class:`~perhetyo.projections.runner.ProjectionRunner` to a
SQLAlchemy engine: by default the events' own database (the SQLite file, or the same
PostgreSQL schema), an in-memory SQLite database for ``memory://``, or any SQLAlchemy URL
given as ``views_url``.

A rebuild folds the whole log into fresh tables beside the live ones (``..._rebuild``),
checks them, and then switches over in one transaction: the live tables are dropped and
the new ones renamed into their place, with the tracking position moved with them. A
reader sees the old tables or the new ones, never a half-built view.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID, uuid4

from eventsourcing.persistence import ApplicationRecorder, IntegrityError, Mapper
from sqlalchemy import (
    Engine,
    MetaData,
    create_engine,
    delete,
    event,
    func,
    select,
    text,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import StaticPool

from perhetyo.errors import ProjectionError, StorageError
from perhetyo.persistence import StoreSettings, advisory_key, postgres_connection
from perhetyo.persistence.store import sqlite_transactions
from perhetyo.projections.audit_trail import AuditEntry
from perhetyo.projections.current_plan import CurrentPlan
from perhetyo.projections.goal_progress import GoalProgress
from perhetyo.projections.runner import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_CACHE_SIZE,
    ProjectionRunner,
    SQLTrackingRecorder,
    postgres_xact_lock,
)
from perhetyo.projections.tables import (
    TABLE_NAMES,
    ViewTables,
    audit_entry_from_row,
    plan_from_rows,
    progress_from_rows,
    tracking_table,
)

__all__ = [
    "PROJECTIONS",
    "PostgresWorkerSession",
    "ProjectionStatus",
    "StoredViews",
    "WorkerSession",
]

PROJECTIONS = {
    "CurrentPlan": ("perhetyo_cases", "perhetyo_goals", "perhetyo_services"),
    "GoalProgress": ("perhetyo_goal_updates",),
    "AuditTrail": ("perhetyo_audit_entries",),
}
"""Each projection and its tables. All three are folded in one pass over the log."""

LIVE = "live"
REBUILD = "rebuild"
_REBUILD_SUFFIX = "__rebuild"
_MAX_CONFLICTS = 5
_STOP_CHECK_SECONDS = 0.5
REBUILD_BATCH_SIZE = 5_000
"""A rebuild writes tables nobody reads yet: larger batches, fewer commits (fsyncs)."""


@dataclass(frozen=True)
class ProjectionStatus:
    """Projection status (näkymän tila): how far a projection has folded the log."""

    projection: str
    position: int
    head: int
    lag: int
    rows: dict[str, int]


WRITE = {"perhetyo_write": True}
"""Execution options of a writing transaction: ``engine.execution_options(**WRITE)``."""


class StoredViews:
    """Stored views (raportointinäkymät): the five tables, kept up to date from the log."""

    def __init__(
        self,
        *,
        recorder: ApplicationRecorder,
        mapper: Mapper[UUID],
        application_name: str,
        engine: Engine,
        schema: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        cache_size: int = DEFAULT_CACHE_SIZE,
    ) -> None:
        self.recorder = recorder
        self.mapper = mapper
        self.application_name = application_name
        self.engine = engine
        self.schema = schema
        self.batch_size = batch_size
        self.rebuild_batch_size = max(batch_size, REBUILD_BATCH_SIZE)
        self.cache_size = cache_size
        self.metadata = MetaData(schema=schema)
        self.tracking = tracking_table(self.metadata)
        self.tables = ViewTables.build(self.metadata, index_token=uuid4().hex[:8])
        self.is_postgres = engine.dialect.name == "postgresql"
        self._writer = engine.execution_options(**WRITE)
        # One shared connection (in-memory SQLite) must be used by one thread at a time.
        shared = isinstance(engine.pool, StaticPool)
        self._guard: contextlib.AbstractContextManager[Any] = (
            threading.RLock() if shared else contextlib.nullcontext()
        )
        # Two keys: one a batch holds for its transaction, one a worker holds for its life.
        batch_key = advisory_key("perhetyo.views.batch", schema or "", application_name)
        self._worker_key = advisory_key("perhetyo.views.worker", schema or "", application_name)
        self._lock = postgres_xact_lock(batch_key) if self.is_postgres else None
        with _errors(), self._guard, self._writer.begin() as conn:
            if self._lock is not None:
                self._lock(conn)
            self.metadata.create_all(conn, checkfirst=True)
        self.live = self._runner(self.tables, LIVE)

    def _runner(
        self,
        tables: ViewTables,
        view_name: str,
        *,
        batch_size: int | None = None,
        engine: Engine | None = None,
    ) -> ProjectionRunner:
        return ProjectionRunner(
            recorder=self.recorder,
            mapper=self.mapper,
            application_name=self.application_name,
            engine=engine or self.engine,
            tables=tables,
            tracking=self.tracking,
            view_name=view_name,
            lock=self._lock,
            guard=self._guard,
            batch_size=batch_size or self.batch_size,
            cache_size=self.cache_size,
        )

    def tracking_recorder(self, view_name: str = LIVE) -> SQLTrackingRecorder:
        """eventsourcing's TrackingRecorder interface over the tracking table."""
        return SQLTrackingRecorder(self.engine, self.tracking, view_name)

    # --- catching up ----------------------------------------------------------------------

    def update(self, on_batch: Callable[[int], None] | None = None) -> int:
        """Catch the live tables up with the log; returns events applied (0 when current)."""
        return self._catch_up(self.live, on_batch)

    def _catch_up(
        self, runner: ProjectionRunner, on_batch: Callable[[int], None] | None
    ) -> int:
        conflicts = 0
        total = 0
        while True:
            try:
                with _errors():
                    return total + runner.catch_up(on_batch)
            except IntegrityError as exc:
                # Another writer advanced the same view first; its rows are committed.
                conflicts += 1
                if conflicts >= _MAX_CONFLICTS:
                    raise ProjectionError("another projection writer keeps advancing") from exc

    def status(self) -> list[ProjectionStatus]:
        """Each projection's position, the log's head, the lag and row counts."""
        with _errors():
            head = self.recorder.max_notification_id() or 0
            position = self.live.position()
            with self._guard, self.engine.connect() as conn:
                counts = {
                    table.name: int(
                        conn.execute(select(func.count()).select_from(table)).scalar_one()
                    )
                    for table in self.tables.all
                }
        return [
            ProjectionStatus(
                projection=name,
                position=position,
                head=head,
                lag=max(head - position, 0),
                rows={table: counts[table] for table in tables},
            )
            for name, tables in PROJECTIONS.items()
        ]

    # --- reading the stored rows back as read models ---------------------------------------

    def current_plan(self, case_id: UUID) -> CurrentPlan | None:
        """The case's CurrentPlan as the stored tables hold it (None if not there yet)."""
        key = str(case_id)
        t = self.tables
        with _errors(), self._guard, self.engine.connect() as conn:
            case = conn.execute(select(t.cases).where(t.cases.c.case_id == key)).one_or_none()
            if case is None:
                return None
            goals = conn.execute(select(t.goals).where(t.goals.c.case_id == key)).all()
            services = conn.execute(select(t.services).where(t.services.c.case_id == key)).all()
        return plan_from_rows(case, goals, services)

    def goal_progress(self, case_id: UUID) -> list[GoalProgress]:
        """The case's goal timelines as the stored tables hold them."""
        key = str(case_id)
        t = self.tables
        with _errors(), self._guard, self.engine.connect() as conn:
            goals = conn.execute(select(t.goals).where(t.goals.c.case_id == key)).all()
            updates = conn.execute(
                select(t.goal_updates).where(t.goal_updates.c.case_id == key)
            ).all()
        return list(progress_from_rows(case_id, goals, updates))

    def audit_trail(self, case_id: UUID) -> list[AuditEntry]:
        """The case's audit entries as the stored table holds them, in version order."""
        t = self.tables.audit_entries
        with _errors(), self._guard, self.engine.connect() as conn:
            rows = conn.execute(
                select(t).where(t.c.case_id == str(case_id)).order_by(t.c.version)
            ).all()
        return [audit_entry_from_row(row) for row in rows]

    # --- rebuilding -----------------------------------------------------------------------

    def rebuild(self, on_batch: Callable[[int], None] | None = None) -> int:
        """Fold the whole log into fresh tables, check them, then switch over in one step.

        Returns the number of events folded into the new tables.
        """
        metadata = MetaData(schema=self.schema)
        fresh = ViewTables.build(metadata, suffix=_REBUILD_SUFFIX, indexed=False)
        with _errors(), self._guard, self._writer.begin() as conn:
            if self._lock is not None:
                self._lock(conn)
            for table in reversed(fresh.all):
                table.drop(conn, checkfirst=True)  # a crashed rebuild's leftovers
            conn.execute(delete(self.tracking).where(self.tracking.c.view_name == REBUILD))
            metadata.create_all(conn)
        with self._rebuild_engine() as engine:
            runner = self._runner(
                fresh, REBUILD, batch_size=self.rebuild_batch_size, engine=engine
            )
            applied = self._catch_up(runner, on_batch)
        with _errors():
            with self._guard, self._writer.begin() as conn:
                for index in fresh.add_indexes(uuid4().hex[:8]):
                    index.create(conn)
            self._check(fresh)
            self._switch(fresh, runner)
        self.live = self._runner(self.tables, LIVE)
        return applied

    @contextlib.contextmanager
    def _rebuild_engine(self) -> Iterator[Engine]:
        """The engine a rebuild writes with.

        On a SQLite file it is a second engine with ``synchronous=NORMAL``: in WAL mode its
        commits skip the fsync, and the switch-over's own commit (``synchronous=FULL``)
        syncs the whole write-ahead log, rebuilt rows included, before the new tables are
        in place. Nothing a reader can see is ever less durable; the rebuild is faster.
        """
        url = self.engine.url
        if self.engine.dialect.name != "sqlite" or not url.database:
            yield self.engine
            return
        engine = sqlite_transactions(
            create_engine(url, connect_args={"timeout": 30}, hide_parameters=True)
        )

        @event.listens_for(engine, "connect")
        def _no_fsync_per_batch(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute("PRAGMA synchronous=NORMAL")

        try:
            yield engine
        finally:
            engine.dispose()

    def _check(self, fresh: ViewTables) -> None:
        """Every case row's version equals its number of audit rows: no event was missed."""
        cases, audit = fresh.cases, fresh.audit_entries
        counted = (
            select(func.count())
            .select_from(audit)
            .where(audit.c.case_id == cases.c.case_id)
            .scalar_subquery()
        )
        with self._guard, self.engine.connect() as conn:
            bad = conn.execute(
                select(func.count()).select_from(cases).where(cases.c.version != counted)
            ).scalar_one()
        if bad:
            raise ProjectionError(f"the rebuilt views are inconsistent for {bad} cases")

    def _switch(self, fresh: ViewTables, runner: ProjectionRunner) -> None:
        prefix = "" if self.schema is None else f'"{self.schema}".'
        with self._guard, self._writer.begin() as conn:
            if self._lock is not None:
                self._lock(conn)
            rebuilt = runner.positions.read(conn, self.application_name)
            for table in reversed(self.tables.all):
                table.drop(conn, checkfirst=True)
            for table, name in zip(fresh.all, TABLE_NAMES, strict=True):
                conn.execute(text(f'ALTER TABLE {prefix}"{table.name}" RENAME TO "{name}"'))
            t = self.tracking
            conn.execute(delete(t).where(t.c.view_name.in_((LIVE, REBUILD))))
            if rebuilt is not None:
                conn.execute(
                    t.insert().values(
                        view_name=LIVE,
                        application_name=self.application_name,
                        notification_id=rebuilt,
                    )
                )

    # --- the long-running worker ------------------------------------------------------------

    def run_forever(
        self,
        stop: threading.Event,
        *,
        poll_interval: float = 1.0,
        session: WorkerSession | None = None,
        on_batch: Callable[[int], None] | None = None,
    ) -> None:
        """Apply batches until ``stop`` is set, waiting for new events between them.

        With a ``session`` (PostgreSQL) the worker holds its advisory lock while it works,
        so a second worker stays idle, and wakes on NOTIFY; without one it polls every
        ``poll_interval`` seconds. It stops between batches, never inside one, and notices
        ``stop`` within a second however long the poll interval.
        """
        held = session is None
        while not stop.is_set():
            if not held:
                held = session is not None and session.try_lock(self._worker_key)
                if not held:
                    stop.wait(poll_interval)
                    continue
            try:
                with _errors():
                    applied = self.live.run_batch()
            except IntegrityError:
                continue  # another writer advanced the view first: read its position again
            if applied:
                if on_batch is not None:
                    on_batch(applied)
                continue
            self._idle(stop, poll_interval, session)

    @staticmethod
    def _idle(stop: threading.Event, poll_interval: float, session: WorkerSession | None) -> None:
        """Wait up to ``poll_interval`` for new events (NOTIFY) or ``stop``, in short slices."""
        deadline = time.monotonic() + poll_interval
        while not stop.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            if session is None:
                stop.wait(min(remaining, _STOP_CHECK_SECONDS))
            elif session.wait(min(remaining, _STOP_CHECK_SECONDS)):
                return

    def close(self) -> None:
        """Dispose of the engine's connections."""
        self.engine.dispose()


class WorkerSession(Protocol):
    """A worker's own database session: its advisory lock and its wake-ups."""

    def try_lock(self, key: int) -> bool:
        """Take the worker lock if free; True when held (idempotent)."""

    def wait(self, timeout: float) -> bool:
        """Block until the log may have grown (True), or ``timeout`` seconds (False)."""


class PostgresWorkerSession:
    """A PostgreSQL session for a worker: ``pg_try_advisory_lock`` and ``LISTEN``."""

    def __init__(self, settings: StoreSettings, channel: str) -> None:
        from psycopg import sql  # noqa: PLC0415 (only PostgreSQL workers need the driver)

        self._conn = postgres_connection(settings)
        self._conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
        self._held = False

    def try_lock(self, key: int) -> bool:
        """Take the session advisory lock if no other worker holds it."""
        if not self._held:
            row = self._conn.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()
            self._held = bool(row and row[0])
        return self._held

    def wait(self, timeout: float) -> bool:
        """Wait for a NOTIFY on the events' channel (True), or ``timeout`` seconds (False)."""
        return any(True for _ in self._conn.notifies(timeout=timeout, stop_after=1))

    def close(self) -> None:
        """End the session: the lock is released with it."""
        self._conn.close()


@contextlib.contextmanager
def _errors() -> Iterator[None]:
    try:
        yield
    except SQLAlchemyError as exc:
        raise StorageError(f"the views database failed: {type(exc).__name__}") from exc

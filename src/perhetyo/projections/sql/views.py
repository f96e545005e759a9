"""Stored views (raportointinäkymät): where the tables live, catching up, status, reading back.

``StoredViews`` wires a :class:`~perhetyo.projections.sql.runner.ProjectionRunner` to a
SQLAlchemy engine: by default the events' own database (the SQLite file, or the same
PostgreSQL schema), an in-memory SQLite database for ``memory://``, or any SQLAlchemy URL
given as ``views_url``. It creates the tables on construction; the first update (or worker
start) removes what a killed rebuild left behind (see :mod:`.rebuild`).

Every call that touches a database runs inside
:func:`~perhetyo.persistence.storage_errors`; a failure is logged once, at WARNING, with
its code (never a value), and raised as the perhetyo error it is.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, Final
from uuid import UUID, uuid4

from eventsourcing.persistence import ApplicationRecorder
from sqlalchemy import Connection, Engine, MetaData, func, or_, select
from sqlalchemy.pool import StaticPool

from perhetyo.errors import PerhetyoError
from perhetyo.persistence import advisory_key, storage_errors
from perhetyo.persistence.chain import Chain
from perhetyo.persistence.codec import PydanticMapper
from perhetyo.projections.audit_trail import AuditEntry
from perhetyo.projections.current_plan import CurrentPlan
from perhetyo.projections.deadlines import DEFAULT_POLICY, Deadline, DeadlinePolicy
from perhetyo.projections.goal_progress import GoalProgress
from perhetyo.projections.sql.rebuild import REBUILD_BATCH_SIZE, Rebuilds, RebuildStatus
from perhetyo.projections.sql.rows import (
    audit_entry_from_row,
    deadline_from_row,
    plan_from_rows,
    progress_from_rows,
)
from perhetyo.projections.sql.runner import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_CACHE_SIZE,
    ProjectionRunner,
    catch_up,
    run_one,
)
from perhetyo.projections.sql.schema import (
    LIVE,
    PROJECTIONS,
    ViewTables,
    create_tables,
    outdated_tables,
    tracking_table,
)
from perhetyo.projections.sql.statutory_rows import StatutoryRows
from perhetyo.projections.sql.tracking import SQLTrackingRecorder, postgres_xact_lock
from perhetyo.projections.sql.worker import WorkerSession, run_worker
from perhetyo.values import CaseStatus

__all__ = ["WRITE", "ProjectionStatus", "StoredViews"]

_log = logging.getLogger("perhetyo.projections")

WRITE: Final = {"perhetyo_write": True}
"""Execution options of a writing transaction: ``engine.execution_options(**WRITE)``."""

_WHAT: Final = "the stored views"


@dataclass(frozen=True)
class ProjectionStatus:
    """Projection status (näkymän tila): how far a projection has folded the log.

    ``rebuild`` is set while a rebuild runs, or when one stopped before its switch-over
    and left its tables behind (removed at the next update or worker start).
    """

    projection: str
    position: int
    head: int
    lag: int
    rows: dict[str, int]
    rebuild: RebuildStatus | None = None


class StoredViews:
    """Stored views (raportointinäkymät): the read-model tables, kept up to date from the log.

    ``chain`` is the store's tamper-evident chain: every runner checks each batch against
    it before folding (unkeyed when None, so a keyed store fails closed).
    """

    def __init__(
        self,
        *,
        recorder: ApplicationRecorder,
        mapper: PydanticMapper,
        application_name: str,
        engine: Engine,
        schema: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        cache_size: int = DEFAULT_CACHE_SIZE,
        deadline_policy: DeadlinePolicy = DEFAULT_POLICY,
        chain: Chain | None = None,
        personal: bool = True,
    ) -> None:
        self.recorder = recorder
        self.deadline_policy = deadline_policy
        self.chain = chain
        self.personal = personal  # False with a master key: personal columns left empty
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
        with storage_errors(_WHAT), self.writing() as conn:
            self._outdated = outdated_tables(conn, self.tables)
            create_tables(conn, self.metadata, self.tracking)
        self.live = self.runner(self.tables, LIVE)
        self.rebuilds = Rebuilds(self)
        self._started = False

    # --- wiring ------------------------------------------------------------------------------

    def runner(
        self,
        tables: ViewTables,
        view_name: str,
        *,
        batch_size: int | None = None,
        engine: Engine | None = None,
    ) -> ProjectionRunner:
        """A runner over ``tables`` with its own tracking row ``view_name``."""
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
            deadline_policy=self.deadline_policy,
            chain=self.chain,
            personal=self.personal,
        )

    @contextlib.contextmanager
    def writing(self) -> Iterator[Connection]:
        """A writing transaction: SQLite's write lock, or PostgreSQL's advisory lock."""
        with self._guard, self._writer.begin() as conn:
            if self._lock is not None:
                self._lock(conn)
            yield conn

    @contextlib.contextmanager
    def reading(self) -> Iterator[Connection]:
        """A reading connection (takes no write lock)."""
        with self._guard, self.engine.connect() as conn:
            yield conn

    def tracking_recorder(self, view_name: str = LIVE) -> SQLTrackingRecorder:
        """eventsourcing's TrackingRecorder interface over the tracking table."""
        return SQLTrackingRecorder(
            self.engine, self.tracking, view_name, lock=self._lock, guard=self._guard
        )

    # --- catching up -----------------------------------------------------------------------

    def update(
        self, on_batch: Callable[[int], None] | None = None, *, pause_gc: bool = False
    ) -> int:
        """Catch the live tables up with the log; returns events applied (0 when current).

        Tables of an older version are rebuilt first; the events that rebuild folded are
        counted as applied. ``pause_gc`` pauses the cyclic garbage collector during each
        batch: faster for a long catch-up, but process-wide, so only for a process of its
        own (the CLI).
        """
        with self._failures("update"):
            rebuilt = self._start()
            # Two reads for a log line: only when it is logged.
            position, head = (
                (self.live.position(), self._head()) if _log.isEnabledFor(logging.INFO) else (0, 0)
            )
            if head > position:
                _log.info(
                    "stored views are %d behind the log (position %d, head %d)",
                    head - position,
                    position,
                    head,
                )
            applied = rebuilt + catch_up(self.live, on_batch, pause_gc=pause_gc)
        if applied:
            _log.info("stored views caught up: %d events applied", applied)
        return applied

    def run_batch(self) -> int:
        """Apply one batch to the live tables; returns events applied (0 when current)."""
        with self._failures("batch"):
            rebuilt = self._start()
            return rebuilt or run_one(self.live)

    def _start(self) -> int:
        """At a runner's first start: remove what a killed rebuild left, and rebuild the
        views of an older version (a table or a column missing); returns the events that
        rebuild folded (0 without one)."""
        rebuilt = 0
        if not self._started:
            self.rebuilds.clean_up()
            if self._outdated:
                _log.warning(
                    "stored views were made by an older version (%d tables to upgrade): "
                    "rebuilding them",
                    len(self._outdated),
                )
                rebuilt = self.rebuilds.run()
                self.live = self.runner(self.tables, LIVE)
            self._outdated = []
            self._started = True
        return rebuilt

    def _head(self) -> int:
        with storage_errors("the event store"):
            return self.recorder.max_notification_id() or 0

    @contextlib.contextmanager
    def _failures(self, what: str) -> Iterator[None]:
        """Translate foreign failures once, and log every failure once, by its code."""
        try:
            with storage_errors(_WHAT):
                yield
        except PerhetyoError as exc:
            _log.warning("stored views %s failed: [%s] %s", what, exc.code, exc)
            raise

    def status(self) -> list[ProjectionStatus]:
        """Each projection's position, the log's head, the lag, row counts, any rebuild."""
        with storage_errors(_WHAT):
            head = self._head()
            position = self.live.position()
            with self.reading() as conn:
                counts = {
                    table.name: int(
                        conn.execute(select(func.count()).select_from(table)).scalar_one()
                    )
                    for table in self.tables.all
                }
            rebuild = self.rebuilds.status()
        return [
            ProjectionStatus(
                projection=name,
                position=position,
                head=head,
                lag=max(head - position, 0),
                rows={table: counts[table] for table in tables},
                rebuild=rebuild,
            )
            for name, tables in PROJECTIONS.items()
        ]

    # --- reading the stored rows back as read models ---------------------------------------

    def current_plan(self, case_id: UUID) -> CurrentPlan | None:
        """The case's CurrentPlan as the stored tables hold it (None if not there yet)."""
        key = str(case_id)
        t = self.tables
        with storage_errors(_WHAT), self.reading() as conn:
            case = conn.execute(select(t.cases).where(t.cases.c.case_id == key)).one_or_none()
            if case is None:
                return None
            goals = conn.execute(select(t.goals).where(t.goals.c.case_id == key)).all()
            services = conn.execute(select(t.services).where(t.services.c.case_id == key)).all()
            statutory = StatutoryRows(
                *(
                    conn.execute(select(table).where(table.c.case_id == key)).all()
                    for table in t.statutory
                )
            )
            matters = conn.execute(select(t.matters).where(t.matters.c.case_id == key)).all()
        return plan_from_rows(case, goals, services, statutory, matters)

    def goal_progress(self, case_id: UUID) -> list[GoalProgress]:
        """The case's goal timelines as the stored tables hold them."""
        key = str(case_id)
        t = self.tables
        with storage_errors(_WHAT), self.reading() as conn:
            goals = conn.execute(select(t.goals).where(t.goals.c.case_id == key)).all()
            updates = conn.execute(
                select(t.goal_updates).where(t.goal_updates.c.case_id == key)
            ).all()
        return list(progress_from_rows(case_id, goals, updates))

    def audit_trail(self, case_id: UUID) -> list[AuditEntry]:
        """The case's audit entries as the stored table holds them, in version order."""
        t = self.tables.audit_entries
        with storage_errors(_WHAT), self.reading() as conn:
            rows = conn.execute(
                select(t).where(t.c.case_id == str(case_id)).order_by(t.c.version)
            ).all()
        return [audit_entry_from_row(row) for row in rows]

    def deadlines(self, case_id: UUID, on: date) -> list[Deadline]:
        """The case's deadlines as the stored table holds them, with their status on ``on``."""
        t = self.tables.deadlines
        with storage_errors(_WHAT), self.reading() as conn:
            rows = conn.execute(
                select(t).where(t.c.case_id == str(case_id)).order_by(t.c.seq)
            ).all()
        return [deadline_from_row(row, on) for row in rows]

    def overdue(self, on: date) -> list[Deadline]:
        """Every case's deadlines overdue on ``on``: due before it, neither met nor void by
        then. Ordered by due date, then case and position."""
        t = self.tables.deadlines
        query = (
            select(t)
            .where(
                t.c.due_on < on,
                or_(t.c.met_on.is_(None), t.c.met_on > on),
                or_(t.c.voided_on.is_(None), t.c.voided_on > on),
            )
            .order_by(t.c.due_on, t.c.case_id, t.c.seq)
        )
        with storage_errors(_WHAT), self.reading() as conn:
            rows = conn.execute(query).all()
        return [deadline_from_row(row, on) for row in rows]

    def closed_cases(self, closed_by: date | None = None) -> list[tuple[UUID, str, date]]:
        """``(case_id, legal_basis value, closed_on)`` of every closed case the tables hold
        that is not erased, closed on or before ``closed_by`` when given; non-personal
        columns only."""
        t = self.tables.cases
        query = select(t.c.case_id, t.c.legal_basis, t.c.closed_on).where(
            t.c.status == CaseStatus.CLOSED.value,
            t.c.closed_on.is_not(None),
            t.c.erased_on.is_(None),
        )
        if closed_by is not None:
            query = query.where(t.c.closed_on <= closed_by)
        with storage_errors(_WHAT), self.reading() as conn:
            rows = conn.execute(query.order_by(t.c.closed_on, t.c.case_id)).all()
        return [(UUID(row.case_id), row.legal_basis, row.closed_on) for row in rows]

    # --- rebuilding and the worker --------------------------------------------------------

    def rebuild(self, on_batch: Callable[[int], None] | None = None) -> int:
        """Fold the whole log into fresh tables, check them, then switch over in one step.

        Returns the number of events folded into the new tables.
        """
        with self._failures("rebuild"):
            applied = self.rebuilds.run(on_batch)
        self.live = self.runner(self.tables, LIVE)  # a fresh cache for the new tables
        return applied

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
        ``poll_interval`` seconds (see :mod:`.worker`).
        """
        with self._failures("worker start"):
            position, head = self.live.position(), self._head()
        _log.info(
            "worker started at position %d, %d behind the log; %s",
            position,
            max(head - position, 0),
            "woken by NOTIFY" if session is not None else f"polling every {poll_interval:g} s",
        )
        run_worker(
            self.run_batch,
            stop,
            poll_interval=poll_interval,
            session=session,
            lock_key=self._worker_key,
            on_batch=on_batch,
        )

    def close(self) -> None:
        """Dispose of the engine's connections."""
        self.engine.dispose()

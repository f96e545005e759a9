"""Rebuild (uudelleenrakennus): fold the whole log into fresh tables, then switch over in one step.

A rebuild creates the tables again beside the live ones (``perhetyo_cases__rebuild``, ...),
folds every event into them with a tracking row of its own (``rebuild``), indexes and
checks them, and then switches over in one transaction: the live tables are dropped and
the new ones renamed into their place, the tracking position moved with them. A reader
sees the old tables or the new ones, never a half-built view.

While it runs a rebuild holds a *rebuild lock* that dies with its process: a PostgreSQL
session advisory lock, an ``flock`` on ``<database file>.rebuild-lock`` beside a SQLite
file, or (for an in-memory database, which no other process can see) a lock of the
``StoredViews`` object. So a second rebuild is refused, and the leftovers of a rebuild
that was killed (its tables hold a copy of client data) are told apart from a rebuild
that is still running: :meth:`Rebuilds.clean_up` removes only the former.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Final, Protocol
from uuid import uuid4

from eventsourcing.persistence import ApplicationRecorder
from sqlalchemy import (
    Connection,
    Engine,
    MetaData,
    Table,
    delete,
    func,
    select,
    text,
)
from sqlalchemy import inspect as inspect_database

from perhetyo.errors import ProjectionError
from perhetyo.persistence import advisory_key, storage_errors
from perhetyo.persistence.chain import Chain
from perhetyo.persistence.codec import PydanticMapper
from perhetyo.persistence.store import create_private_file, unsynced_sqlite_engine
from perhetyo.projections.deadlines import DeadlinePolicy
from perhetyo.projections.sql import parallel
from perhetyo.projections.sql.runner import ProjectionRunner, catch_up
from perhetyo.projections.sql.schema import (
    LIVE,
    REBUILD,
    REBUILD_SUFFIX,
    TABLE_NAMES,
    ViewTables,
)
from perhetyo.projections.sql.tracking import Positions

__all__ = [
    "REBUILD_BATCH_SIZE",
    "REBUILD_PROGRESS_EVERY",
    "RebuildStatus",
    "Rebuilds",
]

_log = logging.getLogger("perhetyo.projections")

REBUILD_BATCH_SIZE: Final = 5_000
"""A rebuild writes tables nobody reads yet: larger batches, fewer commits (fsyncs)."""
REBUILD_PROGRESS_EVERY: Final = 10
"""A rebuild logs its progress at INFO every this many batches."""
_ACQUIRE_SECONDS: Final = 2.0
"""How long a rebuild waits for the rebuild lock (a status check may hold it an instant)."""
_ACQUIRE_PAUSE: Final = 0.05
_SQLITE_TIMEOUT: Final = 30


@dataclass(frozen=True)
class RebuildStatus:
    """Rebuild status (uudelleenrakennuksen tila): a rebuild running, or one left over.

    ``running`` is False for the leftovers of a rebuild that stopped before its
    switch-over; the next update or worker start removes them. ``position`` is how far it
    had folded the log, ``tables`` its tables that exist.
    """

    running: bool
    position: int
    tables: tuple[str, ...]


# --- the rebuild lock ----------------------------------------------------------------------


class _RebuildLock(Protocol):
    def try_acquire(self) -> bool: ...

    def release(self) -> None: ...


class _ProcessLock:
    """For a database only this process sees (in-memory SQLite)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def try_acquire(self) -> bool:
        return self._lock.acquire(blocking=False)

    def release(self) -> None:
        self._lock.release()


class _FileLock:
    """``flock`` on a file beside the SQLite database (never the database file itself:
    closing another descriptor of it would drop SQLite's own POSIX locks)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        fcntl = _fcntl()
        create_private_file(self.path)
        fd = os.open(self.path, os.O_RDWR | os.O_NOFOLLOW)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # releases the flock
            self._fd = None


def _fcntl() -> ModuleType:
    import fcntl  # noqa: PLC0415 (POSIX only; imported where a SQLite file is rebuilt)

    return fcntl


class _AdvisoryLock:
    """A PostgreSQL session advisory lock on a connection of its own."""

    def __init__(self, engine: Engine, key: int) -> None:
        self.engine = engine
        self.key = key
        self._conn: Connection | None = None

    def try_acquire(self) -> bool:
        conn = self.engine.connect()
        taken = bool(
            conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}).scalar()
        )
        conn.commit()
        if not taken:
            conn.close()
            return False
        self._conn = conn
        return True

    def release(self) -> None:
        if self._conn is not None:
            # Never back into the pool with the session lock held: the connection goes.
            self._conn.invalidate()
            self._conn.close()
            self._conn = None


def _rebuild_lock(engine: Engine, schema: str | None, application_name: str) -> _RebuildLock:
    if engine.dialect.name == "postgresql":
        key = advisory_key("perhetyo.views.rebuild", schema or "", application_name)
        return _AdvisoryLock(engine, key)
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database not in (None, "", ":memory:"):
        return _FileLock(Path(f"{database}.rebuild-lock"))
    return _ProcessLock()


# --- rebuilds --------------------------------------------------------------------------------


class _Views(Protocol):
    """What a rebuild needs of the stored views (:class:`StoredViews` provides it)."""

    engine: Engine
    recorder: ApplicationRecorder
    mapper: PydanticMapper
    cache_size: int
    deadline_policy: DeadlinePolicy
    chain: Chain | None
    personal: bool
    schema: str | None
    application_name: str
    tables: ViewTables
    tracking: Table
    rebuild_batch_size: int

    def runner(
        self, tables: ViewTables, view_name: str, *, batch_size: int, engine: Engine
    ) -> ProjectionRunner: ...

    def writing(self) -> contextlib.AbstractContextManager[Connection]: ...

    def reading(self) -> contextlib.AbstractContextManager[Connection]: ...


class Rebuilds:
    """Rebuilds (uudelleenrakennukset) of one store's views: run one, see one, clean up."""

    def __init__(self, views: _Views) -> None:
        self.views = views
        self._lock = _rebuild_lock(views.engine, views.schema, views.application_name)
        self._fresh = ViewTables.build(
            MetaData(schema=views.schema), suffix=REBUILD_SUFFIX, indexed=False
        )
        self._positions = Positions(views.tracking, REBUILD)
        self.parallel_min_events = parallel.PARALLEL_MIN_EVENTS
        """A log of at least this many events is folded in worker processes when it can
        be (see :mod:`.parallel`); 0 never does."""
        self.parallel_workers: int | None = None
        """How many worker processes (None: as many as free cores, see :mod:`.parallel`)."""

    def status(self) -> RebuildStatus | None:
        """A rebuild running, or the leftovers of one that stopped; None if neither."""
        with self.views.reading() as conn:
            found = self._leftovers(conn)
        if found is None:
            return None
        position, tables = found
        running = not self._lock.try_acquire()
        if not running:
            self._lock.release()
        return RebuildStatus(running=running, position=position, tables=tables)

    def clean_up(self) -> bool:
        """Remove what a stopped rebuild left; True if there was something to remove."""
        with self.views.reading() as conn:
            found = self._leftovers(conn)
        if found is None:
            return False
        if not self._lock.try_acquire():
            _log.info("a rebuild is running (at position %d): its tables are left to it", found[0])
            return False
        try:
            with self.views.writing() as conn:
                found = self._drop(conn)
        finally:
            self._lock.release()
        if found is not None:
            _log.warning(
                "removed the %d tables of a rebuild that stopped before its switch-over "
                "(it had folded up to position %d)",
                len(found[1]),
                found[0],
            )
        return found is not None

    def run(self, on_batch: Callable[[int], None] | None = None) -> int:
        """Fold the whole log into fresh tables, check them, switch over; returns events."""
        if not self._acquire():
            raise ProjectionError("a rebuild of these views is already running")
        try:
            return self._run(on_batch)
        except BaseException:
            # The fresh tables hold a copy of client data: do not leave them behind.
            with contextlib.suppress(Exception), self.views.writing() as conn:
                self._drop(conn)
            raise
        finally:
            self._lock.release()

    def _acquire(self) -> bool:
        deadline = time.monotonic() + _ACQUIRE_SECONDS
        with storage_errors("the stored views"):
            while not self._lock.try_acquire():
                if time.monotonic() >= deadline:
                    return False
                time.sleep(_ACQUIRE_PAUSE)
        return True

    def _run(self, on_batch: Callable[[int], None] | None) -> int:
        # Fresh table objects each run: the previous run's indexes are attached to its own.
        self._fresh = ViewTables.build(
            MetaData(schema=self.views.schema), suffix=REBUILD_SUFFIX, indexed=False
        )
        views, fresh = self.views, self._fresh
        with views.writing() as conn:
            found = self._drop(conn)
            fresh.cases.metadata.create_all(conn)
        if found is not None:
            _log.warning(
                "removed the %d tables of an earlier rebuild that stopped before its "
                "switch-over",
                len(found[1]),
            )
        _log.info("rebuild started (batches of %d events)", views.rebuild_batch_size)
        batches = folded = 0

        def progress(applied: int) -> None:
            nonlocal batches, folded
            batches += 1
            folded += applied
            if batches % REBUILD_PROGRESS_EVERY == 0:
                _log.info("rebuild: %d events folded in %d batches", folded, batches)
            if on_batch is not None:
                on_batch(applied)

        with _rebuild_engine(views.engine) as engine:
            applied = 0
            workers = 1
            if self.parallel_min_events:
                workers = parallel.workers_for(views, engine, wanted=self.parallel_workers)
            if workers > 1 and self._log_size() >= self.parallel_min_events:
                applied = parallel.fold_in_parallel(views, fresh, engine, workers)
                progress(applied)
            # What a parallel fold left (recorded since it began), or the whole log.
            runner = views.runner(
                fresh, REBUILD, batch_size=views.rebuild_batch_size, engine=engine
            )
            applied += catch_up(runner, progress, pause_gc=True)
        with storage_errors("the stored views"):
            with views.writing() as conn:
                for index in fresh.add_indexes(uuid4().hex[:8]):
                    index.create(conn)
            self._check()
            with views.writing() as conn:
                position = self._switch(conn)
        _log.info(
            "rebuild switched over: %d events folded, position %d", applied, position or 0
        )
        return applied

    def _log_size(self) -> int:
        recorder: Any = self.views.recorder
        with storage_errors("the event store"):
            return int(recorder.max_notification_id() or 0)

    def _leftovers(self, conn: Connection) -> tuple[int, tuple[str, ...]] | None:
        """The rebuild tracking position and the rebuild tables that exist, if any."""
        names = {table.name for table in self._fresh.all}
        existing = set(inspect_database(conn).get_table_names(schema=self.views.schema))
        tables = tuple(sorted(names & existing))
        position = self._positions.read(conn, self.views.application_name)
        if not tables and position is None:
            return None
        return position or 0, tables

    def _drop(self, conn: Connection) -> tuple[int, tuple[str, ...]] | None:
        found = self._leftovers(conn)
        for table in reversed(self._fresh.all):
            table.drop(conn, checkfirst=True)
        t = self.views.tracking
        conn.execute(delete(t).where(t.c.view_name.in_((REBUILD, *parallel.WORKER_VIEWS))))
        return found

    def _check(self) -> None:
        """Every case row's version equals its number of audit rows: no event was missed.
        (An erased case keeps one audit row, its erasure's: it is not counted.)"""
        cases, audit = self._fresh.cases, self._fresh.audit_entries
        counted = (
            select(func.count())
            .select_from(audit)
            .where(audit.c.case_id == cases.c.case_id)
            .scalar_subquery()
        )
        erased = (
            select(audit.c.case_id)
            .where(audit.c.case_id == cases.c.case_id, audit.c.event_type == "CaseErased")
            .exists()
        )
        with self.views.reading() as conn:
            bad = conn.execute(
                select(func.count()).select_from(cases).where(cases.c.version != counted, ~erased)
            ).scalar_one()
        if bad:
            raise ProjectionError(f"the rebuilt views are inconsistent for {bad} cases")

    def _switch(self, conn: Connection) -> int | None:
        """Drop the live tables, rename the fresh ones into place, move the position."""
        views = self.views
        prefix = "" if views.schema is None else f'"{views.schema}".'
        rebuilt = self._positions.read(conn, views.application_name)
        for table in reversed(views.tables.all):
            table.drop(conn, checkfirst=True)
        for table, name in zip(self._fresh.all, TABLE_NAMES, strict=True):
            conn.execute(text(f'ALTER TABLE {prefix}"{table.name}" RENAME TO "{name}"'))
        t = views.tracking
        conn.execute(delete(t).where(t.c.view_name.in_((LIVE, REBUILD))))
        if rebuilt is not None:
            conn.execute(
                t.insert().values(
                    view_name=LIVE,
                    application_name=views.application_name,
                    notification_id=rebuilt,
                )
            )
        return rebuilt


@contextlib.contextmanager
def _rebuild_engine(engine: Engine) -> Iterator[Engine]:
    """The engine a rebuild writes with.

    On a SQLite file it is a second engine with ``synchronous=NORMAL``: in WAL mode its
    commits skip the fsync, and the switch-over's own commit (``synchronous=FULL``)
    syncs the whole write-ahead log, rebuilt rows included, before the new tables are
    in place. Nothing a reader can see is ever less durable; the rebuild is faster.
    Like every engine of ours, it hides statement parameters from its errors.
    """
    url = engine.url
    if engine.dialect.name != "sqlite" or not url.database or url.database == ":memory:":
        yield engine
        return
    rebuilding = unsynced_sqlite_engine(url, timeout=_SQLITE_TIMEOUT)
    try:
        yield rebuilding
    finally:
        rebuilding.dispose()

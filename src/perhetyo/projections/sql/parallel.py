"""Parallel rebuild (rinnakkainen uudelleenrakennus): case partitions folded in worker processes.

A rebuild of a SQLite file (encrypted or not) folds the log in worker processes, one per
core (at most :data:`MAX_WORKERS`, a power of two) unless the machine is overloaded.
Worker ``i`` of ``n`` reads the log up to a stop position fixed before they start, and
checks, decodes, folds and writes only the cases whose id's integer is ``i`` modulo ``n``:
every event of a case goes to the same worker, so each case is folded in order by one
process, exactly as in one process. Each worker is an ordinary
:class:`~perhetyo.projections.sql.runner.ProjectionRunner` with a tracking row of its own
(``rebuild-<i>``) over the same fresh tables; they fold side by side and take turns to
write (a lock of their own, then SQLite's ``BEGIN IMMEDIATE``). When all have reached the
stop, the parent removes their tracking rows and sets the rebuild's own position to the
stop in one transaction, and folds whatever was recorded since in the usual way (its cache
starts empty: those cases are read back from their rows).

The workers are forked (no second import of the library), and each opens what it reads and
writes afresh, never a connection of its parent: its own SQLAlchemy engine on the views'
file, its own eventsourcing recorder on the events' file (a connection inherited across
``fork`` must not be used). An encrypted store's key ring loads every live case key once
before the fork; each worker inherits them (in its own memory: they never pass through a
pipe or a file) and opens its own connections to the key tables, which it asks only about
an erased case. A worker that fails sends its error back (perhetyo's errors carry no
personal data) and the rebuild fails with it, its fresh tables dropped as for any failed
rebuild.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
from collections.abc import Sequence
from datetime import date
from multiprocessing.connection import Connection as Pipe
from multiprocessing.connection import wait
from pathlib import Path
from typing import Any, Final, Protocol

from eventsourcing.persistence import ApplicationRecorder, Notification
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteDatastore
from sqlalchemy import Engine, Table, delete

from perhetyo.errors import PerhetyoError, ProjectionError
from perhetyo.persistence import storage_errors
from perhetyo.persistence.chain import Chain
from perhetyo.persistence.codec import PydanticMapper
from perhetyo.persistence.keyring import KeyRing
from perhetyo.persistence.store import SQLiteLogRecorder, unsynced_sqlite_engine
from perhetyo.persistence.trusted import json_decoder_for
from perhetyo.projections.deadlines import DeadlinePolicy
from perhetyo.projections.sql.runner import ProjectionRunner, catch_up, run_one
from perhetyo.projections.sql.schema import REBUILD, ViewTables
from perhetyo.projections.sql.tracking import Positions
from perhetyo.working_days import is_working_day

__all__ = ["MAX_WORKERS", "PARALLEL_MIN_EVENTS", "WORKER_VIEWS", "fold_in_parallel", "workers_for"]

_log = logging.getLogger("perhetyo.projections")

MAX_WORKERS: Final = 4
"""At most this many worker processes, whatever the cores (a power of two: see
:class:`_PartitionRecorder`)."""
PARALLEL_MIN_EVENTS: Final = 5_000
"""A smaller log is rebuilt in one process: starting the workers would cost more."""
WORKER_VIEWS: Final = tuple(f"{REBUILD}-{index}" for index in range(MAX_WORKERS))
"""The workers' tracking rows (removed when they are done, or with a stopped rebuild)."""
_SQLITE_TIMEOUT: Final = 60
_BATCH_FACTOR: Final = 2
"""A worker's batches are this many times a rebuild's (half of each is its partition's):
fewer turns at the write lock and fewer cases cut across two batches."""
_LOAD_MARGIN: Final = 0.5
"""A load average this far above the cores folds in one process."""
_ANY_DAY: Final = date(2024, 1, 1)


class _Views(Protocol):
    recorder: ApplicationRecorder
    mapper: PydanticMapper
    application_name: str
    tracking: Table
    rebuild_batch_size: int
    cache_size: int
    deadline_policy: DeadlinePolicy
    chain: Chain | None
    personal: bool


def workers_for(views: _Views, engine: Engine, *, wanted: int | None = None) -> int:
    """How many worker processes a rebuild of ``views`` written with ``engine`` may use
    (1: fold in this process); ``wanted`` in place of the free cores (rounded down to a
    power of two)."""
    if not _can_fork(views, engine):
        return 1
    if wanted is not None:
        free = max(1, min(wanted, MAX_WORKERS))
        return 1 << (free.bit_length() - 1)
    cores = min(len(os.sched_getaffinity(0)), MAX_WORKERS)
    # Not on an overloaded machine: there the workers only share the same busy cores, and
    # cost their start and their reads (measured on 2 cores: 15-20% faster at a load of
    # 1.8, slower at 3-5).
    if os.getloadavg()[0] >= cores + _LOAD_MARGIN:
        return 1
    return 1 << (cores.bit_length() - 1)  # a power of two: 1, 2 or 4


def _can_fork(views: _Views, engine: Engine) -> bool:
    """Whether the workers can open what they need afresh: SQLite files (the key tables,
    too, of an encrypted store)."""
    database = engine.url.database
    recorder = views.recorder
    sealer = getattr(views.mapper, "sealer", None)
    return (
        "fork" in multiprocessing.get_all_start_methods()
        and engine.dialect.name == "sqlite"
        and bool(database)
        and Path(str(database)).is_file()
        and isinstance(recorder, SQLiteApplicationRecorder)
        and Path(str(recorder.datastore.pool.db_name)).is_file()
        and (sealer is None or _key_ring(views) is not None)
    )


def _key_ring(views: _Views) -> KeyRing | None:
    """The key ring of an encrypted store whose key tables a worker can open afresh."""
    keys = getattr(getattr(views.mapper, "sealer", None), "keys", None)
    return keys if isinstance(keys, KeyRing) and keys.engine is not None else None


def _warm_up(views: _Views) -> None:
    """Made once here, before the fork, not in every worker: the holiday calendar (its
    import), each event class's trusted decoder and an encrypted store's case keys."""
    is_working_day(_ANY_DAY)
    for cls in getattr(views.mapper, "registry", {}).values():
        json_decoder_for(cls)
    keys = _key_ring(views)
    if keys is not None:
        keys.preload()


def fold_in_parallel(views: _Views, tables: ViewTables, engine: Engine, workers: int) -> int:
    """Fold the log up to its present end into ``tables`` in ``workers`` processes, then
    move the rebuild's position there; returns the events folded."""
    recorder: Any = views.recorder
    stop = recorder.max_notification_id() or 0
    if stop == 0:
        return 0
    _warm_up(views)
    context = multiprocessing.get_context("fork")
    processes, pipes = [], []
    turn = context.Lock()  # the workers' writing transactions, one at a time
    try:
        for index in range(workers):
            receiving, sending = context.Pipe(duplex=False)
            process = context.Process(
                target=_worker,
                args=(
                    views,
                    tables,
                    str(engine.url.database),
                    (index, workers),
                    stop,
                    sending,
                    turn,
                ),
                name=f"perhetyo-rebuild-{index}",
                daemon=True,
            )
            process.start()
            sending.close()
            processes.append(process)
            pipes.append(receiving)
        applied = _results(pipes)
        for process in processes:
            process.join()
    finally:
        for process in processes:
            if process.is_alive():
                process.kill()
                process.join()
        for receiving in pipes:
            receiving.close()
    t = views.tracking
    with engine.execution_options(perhetyo_write=True).begin() as conn:
        conn.execute(delete(t).where(t.c.view_name.in_(WORKER_VIEWS)))
        Positions(t, REBUILD).advance(conn, views.application_name, None, stop)
    _log.info("rebuild: %d events folded by %d worker processes", applied, workers)
    return applied


def _results(pipes: list[Pipe]) -> int:
    """The events the workers folded, as each answers; the first failure raised (the
    caller then stops the others: one killed while it held the write turn would leave
    them waiting for ever)."""
    applied: int = 0
    failure: BaseException | None = None
    pending = list(pipes)
    while pending and failure is None:
        for receiving in wait(pending):
            assert isinstance(receiving, Pipe)  # noqa: S101 (narrows wait()'s type)
            pending.remove(receiving)
            try:
                kind, value = receiving.recv()
            except EOFError:  # the worker died without a word (killed, out of memory)
                kind, value = "error", ProjectionError("a rebuild worker process stopped")
            if kind == "ok":
                applied += value
            elif failure is None:
                failure = _rebuilt(value) if isinstance(value, tuple) else value
    if failure is not None:
        raise failure
    return applied


def _worker(  # noqa: PLR0917 (a process's target: its arguments are positional)
    views: _Views,
    tables: ViewTables,
    database: str,
    partition: tuple[int, int],
    stop: int,
    results: Pipe,
    turn: Any,
) -> None:
    """One worker process: fold its partition up to ``stop``; send back how many events."""
    # The process is ours and makes no reference cycles worth collecting: no collector
    # passes over the inherited heap between batches (and no copies of its pages).
    gc.disable()
    gc.freeze()
    keys = _key_ring(views)
    if keys is not None:
        keys.forked()
    engine = _fresh_engine(database)
    parent: Any = views.recorder
    recorder = _PartitionRecorder(
        SQLiteDatastore(str(parent.datastore.pool.db_name), lock_timeout=_SQLITE_TIMEOUT),
        events_table_name=parent.events_table_name,
    )
    recorder.partition = partition
    try:
        runner = ProjectionRunner(
            recorder=recorder,
            mapper=views.mapper,
            application_name=views.application_name,
            engine=engine,
            tables=tables,
            tracking=views.tracking,
            view_name=WORKER_VIEWS[partition[0]],
            batch_size=views.rebuild_batch_size * _BATCH_FACTOR,
            cache_size=views.cache_size,
            deadline_policy=views.deadline_policy,
            chain=views.chain,
            personal=views.personal,
            partition=partition,
            stop=stop,
            write_turn=turn,
        )
        with storage_errors("the stored views"):
            applied = _staggered(runner, partition)
        results.send(("ok", applied))
    except PerhetyoError as error:
        # As its parts: an error whose __init__ takes other arguments does not unpickle.
        results.send(("error", (type(error), error.args, dict(vars(error)))))
    except Exception as error:
        results.send(("error", ProjectionError(f"a rebuild worker failed: {type(error).__name__}")))
    finally:
        results.close()
        engine.dispose()
        recorder.datastore.close()


def _staggered(runner: ProjectionRunner, partition: tuple[int, int]) -> int:
    """Fold the partition, worker ``i`` of ``n`` first taking a batch of ``(i + 1) / n``
    of the others': workers that began together would fold alike and then wait for each
    other's turn to write, every batch (measured: a sixth of their time); staggered, one
    writes while another folds."""
    index, count = partition
    full = runner.batch_size
    runner.batch_size = max(1, full * (index + 1) // count)
    try:
        applied = run_one(runner, pause_gc=True)
    finally:
        runner.batch_size = full
    if runner.at_end:
        return applied
    return applied + catch_up(runner, pause_gc=True)


class _PartitionRecorder(SQLiteLogRecorder):
    """perhetyo's SQLite event-log recorder reading only one partition's notifications: the
    cases whose id's last hex digit is ``index`` modulo ``count`` (for a power of two up
    to 16, the same cases as the id's integer modulo ``count``), filtered by SQLite, so
    a worker neither fetches nor converts the other workers' events."""

    partition: tuple[int, int] = (0, 1)

    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> Sequence[Notification]:
        index, count = self.partition
        digits = ", ".join(f"'{digit:x}'" for digit in range(16) if digit % count == index)
        # The table name is eventsourcing's own setting; every value is bound.
        statement = (
            f"SELECT rowid, * FROM {self.events_table_name} "  # noqa: S608
            f"WHERE rowid {'>=' if inclusive_of_start else '>'} ? AND rowid <= ? "
            f"AND lower(substr(originator_id, -1)) IN ({digits}) ORDER BY rowid LIMIT ?"
        )
        if topics:
            raise ValueError("a partition's reader selects no topics")
        with self.datastore.transaction(commit=False) as c:
            c.execute(statement, (start or 0, stop if stop is not None else 2**62, limit))
            return [
                Notification(
                    id=row["rowid"],
                    originator_id=self.convert_originator_id(row["originator_id"]),
                    originator_version=row["originator_version"],
                    topic=row["topic"],
                    state=row["state"],
                )
                for row in c.fetchall()
            ]


def _rebuilt(parts: tuple[type[BaseException], tuple[Any, ...], dict[str, Any]]) -> BaseException:
    """A worker's error, made again in the parent from its class, args and attributes."""
    cls, args, attributes = parts
    error = cls.__new__(cls)
    error.args = args
    vars(error).update(attributes)
    return error


def _fresh_engine(database: str) -> Engine:
    """The worker's own engine on the views' file (``synchronous=NORMAL``, like the
    rebuild's: the switch-over's synced commit makes the rows durable)."""
    return unsynced_sqlite_engine(f"sqlite:///{database}", timeout=_SQLITE_TIMEOUT)

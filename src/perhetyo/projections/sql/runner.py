"""Projection runner (näkymien päivittäjä): folds the notification log into SQL tables.

A batch reads the next events of the application's notification log, decodes each once,
folds them through the same ``current_plan``, ``goal_progress`` and ``audit_trail`` code the
live reads use, and writes the changed rows and its tracking position in ONE transaction.
So each event is applied exactly once, whatever crashes: a batch that did not commit left
nothing, and the next one starts from the committed position.

The events are read and decoded *before* the writing transaction begins, never inside
it: on SQLite the writing transaction holds the file's write lock, and asking
eventsourcing's connection pool for a reader while command threads hold its writer
(waiting for that same lock) deadlocked them. Inside the transaction the position is read
again; if another writer moved it meanwhile the batch is abandoned (:class:`PositionMoved`)
and the caller simply runs the next one.

Writers are serialised: on SQLite each batch runs in ``BEGIN IMMEDIATE``; on PostgreSQL it
takes a transaction-level advisory lock. The position is advanced with a compare-and-set,
so even a writer that bypassed the locks could not apply an event twice.

The runner keeps a bounded cache of case states; on a miss it reads the case's state back
from its own tables, so memory stays flat however long the log is. When another writer
(another process) moved the position meanwhile, only the cases it folded are forgotten.
A damaged stored event stops the batch with the codec's
:class:`~perhetyo.errors.CorruptRecordError`, untouched; so does an event that fails the
tamper-evident chain (its subclass :class:`~perhetyo.errors.TamperedRecordError`): each
batch is checked against the chain (:class:`~perhetyo.persistence.chain.ChainFollower`)
before any of it is decoded or folded.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Final
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder
from sqlalchemy import Connection, Engine, Table

from perhetyo import telemetry
from perhetyo.errors import ProjectionError
from perhetyo.events import CaseErased, CaseEvent, CaseOpened, GoalSet, GoalUpdated
from perhetyo.persistence import storage_errors
from perhetyo.persistence.chain import Chain, ChainFollower, Head
from perhetyo.persistence.codec import PydanticMapper
from perhetyo.projections import audit_trail, plan_fold
from perhetyo.projections.current_plan import CurrentPlan
from perhetyo.projections.deadlines import DEFAULT_POLICY, DeadlinePolicy
from perhetyo.projections.sql.readback import INITIAL, CaseState, StateReader
from perhetyo.projections.sql.rows import (
    RowWriter,
    audit_row,
    case_rows,
    deadline_rows,
    goal_update_row,
    matter_rows,
)
from perhetyo.projections.sql.schema import ViewTables
from perhetyo.projections.sql.statutory_rows import statutory_rows
from perhetyo.projections.sql.tracking import Lock, PositionMoved, Positions

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_CACHE_SIZE",
    "ProjectionRunner",
    "catch_up",
    "run_one",
]

_log = logging.getLogger("perhetyo.projections")

DEFAULT_BATCH_SIZE: Final = 1_000
DEFAULT_CACHE_SIZE: Final = 2_000
_FOLLOW_LIMIT: Final = 10_000
"""Events another writer folded past the cache, beyond which the cache is emptied rather
than the moved cases read from the log."""


class _Slot:
    """A case's state while a batch folds it (its own copy of the counts, and its events
    of the batch, folded into its plan in one pass at the end)."""

    __slots__ = ("before", "events", "key", "plan", "updates")

    def __init__(self, case_id: UUID, state: CaseState) -> None:
        self.key = str(case_id)  # once per case and batch, not per event
        self.before = self.plan = state.plan  # ``before``: what the rows hold now
        self.updates = dict(state.updates)
        self.events: list[CaseEvent] = []

    def state(self) -> CaseState:
        return CaseState(self.plan, self.updates)


@dataclass(frozen=True, slots=True)
class _Rows:
    """A batch's rows to insert and the cases whose rows they replace, per table."""

    rows: dict[Table, list[dict[str, Any]]]
    stale: dict[Table, list[str]]


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

    def forget(self, keys: Iterable[UUID]) -> None:
        for key in keys:
            self._items.pop(key, None)

    def __len__(self) -> int:
        return len(self._items)


class ProjectionRunner:
    """Projection runner (näkymien päivittäjä): one generation of the read-model tables.

    ``deadline_policy`` decides the rows of ``perhetyo_deadlines`` (a store whose policy
    changes rebuilds its views to apply it to the past).

    ``pause_gc`` pauses Python's cyclic garbage collector during each batch, which makes
    a rebuild about a third faster; it is process-wide, so only a rebuild (or a command
    line tool that owns its process) asks for it.
    """

    def __init__(
        self,
        *,
        recorder: ApplicationRecorder,
        mapper: PydanticMapper,
        application_name: str,
        engine: Engine,
        tables: ViewTables,
        tracking: Table,
        view_name: str,
        lock: Lock | None = None,
        guard: contextlib.AbstractContextManager[Any] | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        cache_size: int = DEFAULT_CACHE_SIZE,
        pause_gc: bool = False,
        chain: Chain | None = None,
        personal: bool = True,
        deadline_policy: DeadlinePolicy = DEFAULT_POLICY,
        partition: tuple[int, int] | None = None,
        stop: int | None = None,
        write_turn: contextlib.AbstractContextManager[Any] | None = None,
    ) -> None:
        self.recorder = recorder
        self.partition = partition
        """``(index, count)``: fold only the cases whose id's integer is ``index`` modulo
        ``count`` (a parallel rebuild's worker); the position still moves over them all."""
        self.stop = stop
        self._write_turn = write_turn or contextlib.nullcontext()
        """Held around each writing transaction (a parallel rebuild's workers take turns
        on a lock of their own, handed over at once, not through SQLite's busy waits)."""
        """The last notification id to read (None: the log's end)."""
        self.deadline_policy = deadline_policy
        self.mapper = mapper
        self.application_name = application_name
        self.engine = engine
        self.tables = tables
        self.positions = Positions(tracking, view_name)
        self.view_name = view_name
        self.batch_size = batch_size
        self.pause_gc = pause_gc
        self._lock = lock
        self._cache = _LRU(cache_size)
        self._writer = RowWriter(engine, personal=personal)
        self._states = StateReader(engine, tables)
        self._cache_position: int | None = None
        self._position_known = False
        """Whether the stored position is still the one this runner committed last (until
        another writer is found to have moved it): the next batch need not read it first."""
        self.at_end = False
        """Whether the last batch read fewer events than a whole batch (the log's end)."""
        self._mutex = threading.Lock()  # one batch at a time per runner
        self._erased: set[UUID] = set()  # cases erased in this batch
        # Held around every use of the engine when its one connection is shared (memory).
        self._guard: contextlib.AbstractContextManager[Any] = guard or contextlib.nullcontext()
        self._write_engine = engine.execution_options(perhetyo_write=True)
        # The chain (unkeyed by default: a keyed store then fails closed).
        self._chain = ChainFollower(chain or Chain(), self._previous_event)

    def _previous_event(self, case_id: UUID, version: int) -> Any:
        """The case's newest stored event before ``version`` (a chain follower's miss)."""
        with storage_errors("the event store"):
            found = self.recorder.select_events(case_id, lte=version - 1, desc=True, limit=1)
        return found[0] if found else None

    @property
    def cached_cases(self) -> int:
        """How many case states the cache holds now (bounded by ``cache_size``)."""
        return len(self._cache)

    def position(self) -> int:
        """The last notification id applied (0 before any)."""
        with self._guard, self.engine.connect() as conn:
            return self.positions.read(conn, self.application_name) or 0

    def run_batch(self, *, pause_gc: bool | None = None) -> int:
        """Apply the next batch of events in one transaction; returns how many (0: none new).

        Raises :class:`PositionMoved` when another writer advanced the view meanwhile
        (nothing was written; run the next batch). ``pause_gc`` overrides the runner's
        own choice for this batch.
        """
        pause = self.pause_gc if pause_gc is None else pause_gc
        paused = _gc_paused() if pause else contextlib.nullcontext()
        with self._mutex, self._guard, paused:
            try:
                return self._run_batch()
            except PositionMoved:
                # Another writer won: nothing of ours was written and the cache was not
                # touched (it is filled only after a commit); the next batch follows it.
                self._erased.clear()
                self._position_known = False
                raise
            except BaseException:
                # Nothing committed: cached states may be ahead of the rows.
                self._cache.clear()
                self._erased.clear()
                self._cache_position = None
                self._position_known = False
                self._chain.forget()
                raise

    def _run_batch(self) -> int:
        position = self._cache_position
        if not self._position_known:
            # Read only when another writer may have moved it: the writing transaction
            # below checks it again in any case, before anything is folded or written.
            with self.engine.connect() as conn:
                position = self.positions.read(conn, self.application_name)
            if position != self._cache_position:
                self._follow(position)
        # Read and decode with no transaction of ours open (see the module docstring).
        with storage_errors("the event store"):
            notifications = self.recorder.select_notifications(
                start=position or 0,
                limit=self.batch_size,
                stop=self.stop,
                inclusive_of_start=False,
            )
        self.at_end = len(notifications) < self.batch_size
        if not notifications:
            return 0
        new_position = notifications[-1].id
        if self.partition is not None:
            index, count = self.partition
            notifications = [
                n for n in notifications if _uuid(n.originator_id).int % count == index
            ]
        heads: dict[UUID, Head] = self._chain.check(notifications)
        events = self._decoded(notifications)
        ready: tuple[dict[UUID, _Slot], _Rows] | None = None
        if self.partition is not None:
            # A parallel rebuild's worker folds with no write lock held, so that the other
            # workers write meanwhile: only it writes its cases' rows, nobody moves its
            # position, so what it reads back cannot change before it writes.
            with self.engine.connect() as conn:
                slots, audit_rows, update_rows = self._fold(conn, events)
                ready = slots, self._rows(slots.values(), audit_rows, update_rows)
        with self._write_turn, self._write_engine.begin() as conn:
            if self._lock is not None:
                self._lock(conn)
            if self.positions.read(conn, self.application_name) != position:
                raise PositionMoved
            if ready is None:
                if position != self._cache_position:
                    self._cache.clear()  # another writer or a rebuild moved the rows
                slots, audit_rows, update_rows = self._fold(conn, events)
                ready = slots, self._rows(slots.values(), audit_rows, update_rows)
            slots, rows = ready
            self._write(conn, rows)
            states = {case_id: slot.state() for case_id, slot in slots.items()}
            self.positions.advance(conn, self.application_name, position, new_position)
        self._cache.put_all(states)
        self._cache_position = new_position
        self._position_known = True
        self._chain.remember(heads)
        telemetry.projection_batch(
            self.view_name, len(notifications), events[-1].timestamp if events else None
        )
        _log.debug(
            "%s: applied %d events of %d cases; position %d -> %d",
            self.view_name,
            len(events),
            len(states),
            position or 0,
            new_position,
        )
        return len(events)

    def _follow(self, position: int | None) -> None:
        """Another writer moved the position past the cache's: forget only the cases it
        folded meanwhile (read from the log, outside any transaction of ours), so the rest
        of the cache stays good. A position that went back (a rebuild that switched over
        behind us), or one too far ahead to read cheaply, empties the cache instead."""
        old = self._cache_position
        if old is None or position is None or position < old or position - old > _FOLLOW_LIMIT:
            self._cache.clear()
        else:
            with storage_errors("the event store"):
                moved = self.recorder.select_notifications(
                    start=old, limit=position - old, stop=position, inclusive_of_start=False
                )
            self._cache.forget({_uuid(notification.originator_id) for notification in moved})
        self._cache_position = position

    def _decoded(self, notifications: Sequence[Any]) -> list[CaseEvent]:
        """Decode a batch; an erased case's events (their key destroyed) are left out: its
        ``CaseErased``, which stays readable, folds its summary in their place."""
        return self.mapper.to_domain_events(notifications, skip_erased=True)

    def _fold(
        self, conn: Connection, events: list[CaseEvent]
    ) -> tuple[dict[UUID, _Slot], list[dict[str, Any]], list[dict[str, Any]]]:
        """Fold the batch: the touched cases' new states, audit rows and goal-update rows.

        Each touched case gets one slot (its id as text, plan and counts), so an event costs
        one dict look-up by case id (UUID hashing is Python code: it was a tenth of a fold).
        """
        first: dict[int, CaseEvent] = {}
        for event in events:  # keyed by the id's int: hashing a UUID is Python code
            first.setdefault(event.originator_id.int, event)
        slots: dict[UUID, _Slot] = {}
        missing: list[UUID] = []
        for event in first.values():
            case_id = event.originator_id
            cached = self._cache.get(case_id)
            if cached is not None:
                slots[case_id] = _Slot(case_id, cached)
            elif isinstance(event, CaseOpened):
                slots[case_id] = _Slot(case_id, INITIAL)
            else:
                missing.append(case_id)
        for case_id, state in self._states.read(conn, missing).items():
            slots[case_id] = _Slot(case_id, state)
        audit_rows: list[dict[str, Any]] = []
        update_rows: list[dict[str, Any]] = []
        audit_fields = audit_trail.fields_for
        by_int = {case_id.int: slot for case_id, slot in slots.items()}
        for event in events:
            slot = by_int[event.originator_id.int]
            key = slot.key
            if isinstance(event, CaseErased):  # only the summary's rows remain
                self._erased.add(event.originator_id)
                audit_rows = [row for row in audit_rows if row["case_id"] != key]
                update_rows = [row for row in update_rows if row["case_id"] != key]
                slot.updates = {goal.goal_id.int: 0 for goal in event.summary.goals}
            elif isinstance(event, GoalSet):
                slot.updates[event.goal_id.int] = 0
            elif isinstance(event, GoalUpdated):
                goal_key = event.goal_id.int
                seq = slot.updates.get(goal_key)
                if seq is not None:  # the live fold, too, ignores an unknown goal
                    slot.updates[goal_key] = seq + 1
                    update_rows.append(goal_update_row(key, event, seq))
            slot.events.append(event)
            audit_rows.append(audit_row(audit_fields(event), key))
        for slot in slots.values():  # the live reads' own one-pass fold
            slot.plan = plan_fold.fold_from(slot.plan, slot.events)
            slot.events = []
        return slots, audit_rows, update_rows

    def _rows(
        self,
        slots: Iterable[_Slot],
        audit_rows: list[dict[str, Any]],
        update_rows: list[dict[str, Any]],
    ) -> _Rows:
        """The touched cases' rows to write: each table whose rows changed is rewritten
        for the case (its rows deleted, then inserted), the case row and deadlines always.

        What changed is known without comparing values: the folds evolve immutable read
        models, so a field the batch did not change is the very tuple the batch began with
        (``is``), and its rows are the ones already stored (a case new in the batch has
        none yet, so nothing is deleted for it).
        """
        t = self.tables
        rows: dict[Table, list[dict[str, Any]]] = {table: [] for table in t.all}
        stale: dict[Table, list[str]] = {table: [] for table in t.all}
        for slot in slots:
            for table, more in self._changed(slot):
                rows[table].extend(more)
                if slot.before is not None:
                    stale[table].append(slot.key)
        rows[t.goal_updates].extend(update_rows)
        rows[t.audit_entries].extend(audit_rows)
        return _Rows(rows, stale)

    def _write(self, conn: Connection, prepared: _Rows) -> None:
        """Delete the stale rows (and an erased case's timeline and trail), insert the new."""
        t, writer = self.tables, self._writer
        for table, keys in prepared.stale.items():
            writer.delete(conn, table, keys)
        erased = [str(case_id) for case_id in self._erased]
        self._erased.clear()
        for table in (t.goal_updates, t.audit_entries):
            writer.delete(conn, table, erased)
        for table in t.all:
            writer.insert(conn, table, prepared.rows[table])

    def _changed(self, slot: _Slot) -> list[tuple[Table, list[dict[str, Any]]]]:
        """The tables whose rows of the case the batch changed, with their new rows."""
        t, plan, before = self.tables, slot.plan, slot.before
        if plan is None:
            return []
        case, goals, services = case_rows(plan)
        changed = [(t.cases, [case]), (t.deadlines, deadline_rows(plan, self.deadline_policy))]
        if before is None or before.goals is not plan.goals:
            changed.append((t.goals, goals))
        if before is None or before.services is not plan.services:
            changed.append((t.services, services))
        if before is None or before.matters is not plan.matters:
            changed.append((t.matters, matter_rows(plan)))
        if before is None or _statutory_changed(before, plan):
            changed.extend(zip(t.statutory, statutory_rows(plan), strict=True))
        return changed


def _statutory_changed(before: CurrentPlan, plan: CurrentPlan) -> bool:
    """Whether any of the four statutory tables' fields changed (the plan content's row
    also carries the plan version)."""
    return (
        before.decisions is not plan.decisions
        or before.memberships is not plan.memberships
        or before.plan_content is not plan.plan_content
        or before.plan_version != plan.plan_version
        or before.cancelled_meetings is not plan.cancelled_meetings
    )


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for one batch (a rebuild's choice).

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


def _uuid(value: UUID | str) -> UUID:
    return value if isinstance(value, UUID) else UUID(value)


_MAX_CONFLICTS: Final = 10_000
"""Consecutive batches abandoned to another writer before giving up. Each one means that
writer committed a batch, so this bound only stops a runner that no longer makes progress."""


def run_one(runner: ProjectionRunner, *, pause_gc: bool | None = None) -> int:
    """Apply one batch, running it again while another writer keeps advancing first."""
    for _ in range(_MAX_CONFLICTS):
        try:
            return runner.run_batch(pause_gc=pause_gc)
        except PositionMoved:
            _log.debug("%s: another writer advanced the view first", runner.view_name)
    raise ProjectionError("another projection writer keeps advancing the same view")


def catch_up(
    runner: ProjectionRunner,
    on_batch: Callable[[int], None] | None = None,
    *,
    pause_gc: bool | None = None,
) -> int:
    """Apply batches until the log has nothing new; returns the events applied.

    A batch that read fewer events than a whole batch saw the end of the log: no further
    (empty) batch is read to find it out.
    """
    total = 0
    while True:
        applied = run_one(runner, pause_gc=pause_gc)
        total += applied
        if applied and on_batch is not None:
            on_batch(applied)
        if runner.at_end:
            return total

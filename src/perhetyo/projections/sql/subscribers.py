"""Subscribers (tilaajat): a host's own handler of case events, applied exactly once.

A subscriber is a name and a handler ``handler(event, conn)``. Its runner reads the next
events of the notification log after the subscriber's own tracking position (a row of
``perhetyo_tracking`` whose ``view_name`` is ``subscriber:<name>``), then, in ONE
transaction on the views' database, calls the handler for each event in order with that
transaction's ``Connection`` and advances the position by compare-and-set
(:class:`~perhetyo.projections.sql.tracking.Positions`, the stored projections' own). So
whatever the handler writes with ``conn`` commits with the position or not at all: each
event is applied exactly once, whatever crashes, as the stored projections are.

As in :mod:`.runner`, events are read, checked against the tamper-evident chain and
decoded before the writing transaction begins; inside it the position is read again, and
a batch another writer overtook is abandoned (:class:`PositionMoved`) and run afresh.
Writers of one subscriber are serialised: on SQLite by ``BEGIN IMMEDIATE``, on PostgreSQL
by a transaction-level advisory lock of the subscriber's own (so a slow handler holds up
neither the stored projections nor another subscriber).

A handler that raises rolls its batch back; the runner stops with
:class:`~perhetyo.errors.SubscriberError` (the handler's exception as its cause) and the
next run starts again from the committed position. Events of a case erased before the
subscriber reached them are skipped (their key is destroyed): the handler gets the case's
``CaseErased`` instead.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any, Final, cast
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, Mapper
from sqlalchemy import Connection, Engine, Table, delete

from perhetyo import telemetry
from perhetyo.errors import CaseErasedError, PerhetyoError, ProjectionError, SubscriberError
from perhetyo.events import CaseEvent
from perhetyo.persistence import advisory_key, storage_errors
from perhetyo.persistence.chain import Chain, ChainFollower, Head
from perhetyo.projections.sql.tracking import (
    Lock,
    PositionMoved,
    Positions,
    SQLTrackingRecorder,
    postgres_xact_lock,
)

__all__ = [
    "SUBSCRIBER_PREFIX",
    "Handler",
    "Reset",
    "SubscriberRunner",
    "catch_up_subscriber",
    "run_one_subscriber_batch",
]

_log = logging.getLogger("perhetyo.projections")

Handler = Callable[[CaseEvent, Connection], None]
"""A subscriber's handler: one event and the transaction that also advances its position."""

Reset = Callable[[Connection], None]
"""A subscriber's reset hook: empties the host's own tables before a rebuild, in the
transaction that also forgets the subscriber's position."""

SUBSCRIBER_PREFIX: Final = "subscriber:"
"""A subscriber's tracking row is ``view_name = "subscriber:<name>"``."""

_MAX_CONFLICTS: Final = 10_000


class SubscriberRunner:
    """Subscriber runner (tilaajan ajuri): one subscriber's batches, exactly once each.

    ``guard`` is held around every use of an engine whose one connection is shared (the
    in-memory SQLite database of ``memory://``), as the stored views hold it.
    """

    def __init__(
        self,
        *,
        name: str,
        handler: Handler,
        reset: Reset | None,
        recorder: ApplicationRecorder,
        mapper: Mapper[UUID],
        application_name: str,
        engine: Engine,
        tracking: Table,
        schema: str | None = None,
        guard: contextlib.AbstractContextManager[Any] | None = None,
        batch_size: int = 100,
        chain: Chain | None = None,
    ) -> None:
        self.name = name
        self.view_name = f"{SUBSCRIBER_PREFIX}{name}"
        self.handler = handler
        self.reset_hook = reset
        self.recorder = recorder
        self.mapper = mapper
        self.application_name = application_name
        self.engine = engine
        self.tracking = tracking
        self.positions = Positions(tracking, self.view_name)
        self.batch_size = batch_size
        self._write_engine = engine.execution_options(perhetyo_write=True)
        self._guard: contextlib.AbstractContextManager[Any] = guard or contextlib.nullcontext()
        self._lock: Lock | None = (
            postgres_xact_lock(
                advisory_key("perhetyo.subscriber", schema or "", application_name, name)
            )
            if engine.dialect.name == "postgresql"
            else None
        )
        self._mutex = threading.Lock()
        self._chain = ChainFollower(chain or Chain(), self._previous_event)

    def _previous_event(self, case_id: UUID, version: int) -> Any:
        with storage_errors("the event store"):
            found = self.recorder.select_events(case_id, lte=version - 1, desc=True, limit=1)
        return found[0] if found else None

    def tracking_recorder(self) -> SQLTrackingRecorder:
        """eventsourcing's ``TrackingRecorder`` over this subscriber's tracking row."""
        return SQLTrackingRecorder(
            self.engine, self.tracking, self.view_name, lock=self._lock, guard=self._guard
        )

    def position(self) -> int:
        """The last notification id handled (0 before any)."""
        with storage_errors("the stored views"), self._guard, self.engine.connect() as conn:
            return self.positions.read(conn, self.application_name) or 0

    def run_batch(self) -> int:
        """Handle the next batch in one transaction; returns how many events (0: none new).

        Raises :class:`PositionMoved` when another runner of this subscriber advanced it
        meanwhile (nothing was written: run the next batch).
        """
        with self._mutex, self._guard:
            try:
                return self._run_batch()
            except BaseException:
                self._chain.forget()
                raise

    def _run_batch(self) -> int:
        with storage_errors("the stored views"), self.engine.connect() as conn:
            position = self.positions.read(conn, self.application_name)
        with storage_errors("the event store"):
            notifications = self.recorder.select_notifications(
                start=position or 0, limit=self.batch_size, inclusive_of_start=False
            )
        if not notifications:
            return 0
        heads: dict[UUID, Head] = self._chain.check(notifications)
        events = self._decoded(notifications)
        new_position = notifications[-1].id
        with storage_errors("the stored views"), self._write_engine.begin() as conn:
            if self._lock is not None:
                self._lock(conn)
            if self.positions.read(conn, self.application_name) != position:
                raise PositionMoved
            for notification_id, event in events:
                self._handle(event, conn, notification_id)
            self.positions.advance(conn, self.application_name, position, new_position)
        self._chain.remember(heads)
        telemetry.projection_batch(
            self.view_name, len(events), events[-1][1].timestamp if events else None
        )
        _log.debug(
            "%s: handled %d events; position %d -> %d",
            self.view_name,
            len(events),
            position or 0,
            new_position,
        )
        return len(notifications)

    def _handle(self, event: CaseEvent, conn: Connection, notification_id: int) -> None:
        try:
            self.handler(event, conn)
        except PerhetyoError:
            raise
        except Exception as exc:
            raise SubscriberError(self.name, notification_id) from exc

    def _decoded(self, notifications: Sequence[Any]) -> list[tuple[int, CaseEvent]]:
        """Decode a batch; an erased case's unreadable events are left out (its
        ``CaseErased`` stays readable, and is handled in their place)."""
        events: list[tuple[int, CaseEvent]] = []
        for notification in notifications:
            try:
                event = cast(CaseEvent, self.mapper.to_domain_event(notification))
            except CaseErasedError:
                continue
            events.append((notification.id, event))
        return events

    def reset(self) -> None:
        """Forget the position (the next run starts from the first event), after the
        reset hook has emptied the host's tables, in one transaction."""
        with (
            self._mutex,
            self._guard,
            storage_errors("the stored views"),
            self._write_engine.begin() as conn,
        ):
            if self._lock is not None:
                self._lock(conn)
            if self.reset_hook is not None:
                self.reset_hook(conn)
            t = self.tracking
            conn.execute(
                delete(t).where(
                    t.c.view_name == self.view_name,
                    t.c.application_name == self.application_name,
                )
            )
        _log.info("%s: position reset; it will handle every event again", self.view_name)


def run_one_subscriber_batch(runner: SubscriberRunner) -> int:
    """One batch, run again while another runner of the same subscriber keeps winning."""
    for _ in range(_MAX_CONFLICTS):
        try:
            return runner.run_batch()
        except PositionMoved:
            _log.debug("%s: another runner advanced the subscriber first", runner.view_name)
    raise ProjectionError("another runner keeps advancing the same subscriber")


def catch_up_subscriber(
    runner: SubscriberRunner, on_batch: Callable[[int], None] | None = None
) -> int:
    """Handle batches until the log has nothing new; returns the events read."""
    total = 0
    while True:
        applied = run_one_subscriber_batch(runner)
        if applied == 0:
            return total
        total += applied
        if on_batch is not None:
            on_batch(applied)

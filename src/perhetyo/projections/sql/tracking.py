"""Tracking positions (seurantakohdat): how far a view has folded the log, moved by compare-and-set.

One row of ``perhetyo_tracking`` per (view, upstream application) holds the last
notification id folded into that view's tables. It is read and advanced inside the same
transaction as the rows it describes, and it only moves from the value the writer read:
a writer that finds it moved gets :class:`PositionMoved` and its transaction rolls back,
so no event is ever applied twice.

:class:`SQLTrackingRecorder` offers the same rows through eventsourcing's
``TrackingRecorder`` interface (its own test case judges it); that interface demands
eventsourcing's ``IntegrityError`` for a position that does not move forward.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from eventsourcing.persistence import IntegrityError, Tracking, TrackingRecorder
from sqlalchemy import (
    BigInteger,
    BindParameter,
    Connection,
    Engine,
    String,
    Table,
    bindparam,
    exists,
    insert,
    literal,
    select,
    text,
    update,
)

from perhetyo.persistence import storage_errors

__all__ = [
    "Lock",
    "PositionMoved",
    "Positions",
    "SQLTrackingRecorder",
    "postgres_xact_lock",
]

Lock = Callable[[Connection], None]
"""A step run first in every writing transaction (PostgreSQL: an advisory lock)."""


class PositionMoved(Exception):  # noqa: N818 (a signal between our own modules, not an error)
    """The position moved (seurantakohta siirtyi) since it was read: another writer won.

    Internal: the runner retries on it, and nothing outside this package sees it.
    """


class Positions:
    """Reads and advances one view's tracking rows inside a caller's transaction."""

    def __init__(self, table: Table, view_name: str) -> None:
        self.table = table
        self.view_name = view_name
        t = table
        # Built once: a batch of a few events spent more building these than running them.
        name: BindParameter[str] = bindparam("app")
        mine = (t.c.view_name == view_name) & (t.c.application_name == name)
        self._read = select(t.c.notification_id).where(mine)
        self._move = (
            update(t)
            .where(mine, t.c.notification_id == bindparam("old"))
            .values(notification_id=bindparam("new"))
        )

    def read(self, conn: Connection, application_name: str) -> int | None:
        """The last notification id folded, or None before any."""
        value = conn.execute(self._read, {"app": application_name}).scalar_one_or_none()
        return None if value is None else int(value)

    def advance(
        self, conn: Connection, application_name: str, old: int | None, new: int
    ) -> None:
        """Move the position from ``old`` to ``new``; :class:`PositionMoved` if it is not
        ``old`` any more, or if ``new`` is not after it."""
        if old is not None and new <= old:
            raise PositionMoved
        if old is None:
            self._insert(conn, application_name, new)
            return
        result = conn.execute(
            self._move, {"app": application_name, "old": old, "new": new}
        )
        if result.rowcount != 1:
            raise PositionMoved

    def _insert(self, conn: Connection, application_name: str, new: int) -> None:
        """The first position: inserted only if no row is there (a row count for INSERT is
        not reliable across drivers, so the inserted row is returned and counted)."""
        t = self.table
        if not conn.dialect.insert_returning:
            # Writers are serialised by the caller's lock; a racing insert fails on the key.
            conn.execute(
                insert(t).values(
                    view_name=self.view_name, application_name=application_name, notification_id=new
                )
            )
            return
        mine = (t.c.view_name == self.view_name) & (t.c.application_name == application_name)
        values = select(
            literal(self.view_name, String),
            literal(application_name, String),
            literal(new, BigInteger),
        ).where(~exists().where(mine))
        inserted = conn.execute(
            insert(t)
            .from_select(["view_name", "application_name", "notification_id"], values)
            .returning(t.c.notification_id)
        ).all()
        if len(inserted) != 1:
            raise PositionMoved


def postgres_xact_lock(key: int) -> Lock:
    """A lock step that takes a transaction-level advisory lock on PostgreSQL."""

    def lock(conn: Connection) -> None:
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})

    return lock


class SQLTrackingRecorder(TrackingRecorder):
    """Tracking recorder (seurantakirjuri) on a SQLAlchemy engine: eventsourcing's interface.

    One row per (view, upstream application); a position only moves forward. ``lock`` is
    taken in every writing transaction (the views' PostgreSQL advisory lock), ``guard``
    held around every use of an engine whose one connection is shared (in-memory SQLite).
    """

    def __init__(
        self,
        engine: Engine,
        table: Table,
        view_name: str,
        *,
        lock: Lock | None = None,
        guard: contextlib.AbstractContextManager[Any] | None = None,
    ) -> None:
        self.engine = engine
        self._writer = engine.execution_options(perhetyo_write=True)
        self._positions = Positions(table, view_name)
        self._lock = lock
        self._guard: contextlib.AbstractContextManager[Any] = guard or contextlib.nullcontext()

    def insert_tracking(self, tracking: Tracking) -> None:
        """Record that ``tracking.notification_id`` was processed.

        Raises eventsourcing's ``IntegrityError`` when the position is already there or
        beyond, as eventsourcing's interface demands.
        """
        name = tracking.application_name
        try:
            with storage_errors("the stored views"), self._guard, self._writer.begin() as conn:
                if self._lock is not None:
                    self._lock(conn)
                old = self._positions.read(conn, name)
                self._positions.advance(conn, name, old, tracking.notification_id)
        except PositionMoved:
            raise IntegrityError(
                f"tracking position {tracking.notification_id} is not after the recorded one"
            ) from None

    def max_tracking_id(self, application_name: str) -> int | None:
        """The last processed notification id, or None."""
        with storage_errors("the stored views"), self._guard, self.engine.connect() as conn:
            return self._positions.read(conn, application_name)

"""PostgreSQL advisory locks (neuvoa-antavat lukot): a session lock per case, any process.

Each case has a session advisory lock in the two-key form (the schema's namespace and the
case), taken on a small pool of connections of the locks' own under ``lock_timeout``, so
that commands on one case take turns across processes and machines while other cases stay
free. The threads of one ``FamilyCases`` on one case first take turns on a
``threading.Lock`` (:class:`~perhetyo.persistence.turns.TurnsPerCase`), so one case uses at
most one lock connection per process. Failures of a lock connection go through
:func:`~perhetyo.persistence.errors.storage_errors`; closing a connection releases its locks.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from collections.abc import Iterator
from typing import Any, Final
from uuid import UUID

from perhetyo.errors import StorageError, StoreClosedError
from perhetyo.persistence.errors import storage_errors
from perhetyo.persistence.store import StoreSettings, advisory_key, postgres_connection
from perhetyo.persistence.turns import TurnsPerCase, time_left, timed_out

__all__ = ["PostgresAdvisoryLocks"]

_IDLE_CONNECTIONS: Final = 4
"""How many PostgreSQL lock connections a ``CaseLocks`` keeps open between commands."""


class PostgresAdvisoryLocks:
    """A session advisory lock per case, on the locks' own small pool of connections."""

    def __init__(self, settings: StoreSettings, timeout: float) -> None:
        self._settings = settings
        self._timeout = timeout
        # Two-key advisory locks: a key space apart from the single-key locks of setup and
        # the projection worker, so a case can never share a key with them.
        self._namespace = advisory_key("perhetyo.case", settings.schema_or_public)
        self._turns = TurnsPerCase()
        self._mutex = threading.Lock()
        self._idle: list[Any] = []
        self._closed = False

    @contextlib.contextmanager
    def hold(self, case_id: UUID) -> Iterator[None]:
        if self._closed:
            raise StoreClosedError
        deadline = time.monotonic() + self._timeout
        key = advisory_key(str(case_id))
        with self._turns.hold(case_id, deadline, self._timeout):
            conn = self._lock(case_id, key, deadline)
            try:
                yield
            finally:
                self._unlock(conn, key)

    def close(self) -> None:
        with self._mutex:
            self._closed = True
            idle, self._idle = self._idle, []
        for conn in idle:
            _discard(conn)

    def _lock(self, case_id: UUID, key: int, deadline: float) -> Any:
        """A connection holding the case's advisory lock, taken by ``deadline``."""
        conn, reused = self._connection()
        try:
            try:
                self._set_lock_timeout(conn, deadline)
            except StorageError:
                if not reused:
                    raise
                _discard(conn)  # an idle connection the server dropped: one fresh try
                conn, reused = self._connection(fresh=True)
                self._set_lock_timeout(conn, deadline)
            try:
                with storage_errors("the case lock"):
                    conn.execute("SELECT pg_advisory_lock(%s, %s)", (self._namespace, key))
            except StorageError as exc:
                if exc.reason == "locked":  # lock_timeout: the case stayed busy
                    raise timed_out(case_id, self._timeout) from None
                raise
        except BaseException:
            _discard(conn)  # closing the session releases whatever it may hold
            raise
        return conn

    def _set_lock_timeout(self, conn: Any, deadline: float) -> None:
        """Bound the next lock wait by ``lock_timeout`` alone (a server's statement_timeout
        would end it early, as a different error)."""
        milliseconds = max(1, math.ceil(time_left(deadline) * 1000))  # 0 would mean for ever
        with storage_errors("the case lock"):
            conn.execute(
                "SELECT set_config('lock_timeout', %s, false),"
                " set_config('statement_timeout', '0', false)",
                (f"{milliseconds}ms",),
            )

    def _unlock(self, conn: Any, key: int) -> None:
        try:
            with storage_errors("the case lock"):
                row = conn.execute(
                    "SELECT pg_advisory_unlock(%s, %s)", (self._namespace, key)
                ).fetchone()
        except StorageError:
            row = None  # the command's outcome stands; closing the session releases the lock
        if row is None or row[0] is not True:
            _discard(conn)
            return
        with self._mutex:
            if not self._closed and len(self._idle) < _IDLE_CONNECTIONS:
                self._idle.append(conn)
                return
        _discard(conn)

    def _connection(self, *, fresh: bool = False) -> tuple[Any, bool]:
        """A lock connection: an idle one (reused True) or a new one."""
        with self._mutex:
            if self._closed:
                raise StoreClosedError
            while self._idle and not fresh:
                conn = self._idle.pop()
                if not conn.closed:
                    return conn, True
        with storage_errors("the case lock"):
            return postgres_connection(self._settings), False


def _discard(conn: Any) -> None:
    """Close a lock connection (its session's locks go with it); a failure changes nothing."""
    with contextlib.suppress(StorageError), storage_errors("the case lock"):
        conn.close()

"""Projection worker (jatkuva päivittäjä): applies batches until stopped, waiting between them.

With a :class:`WorkerSession` (PostgreSQL) the worker holds a session advisory lock while
it works, so a second worker stays idle as a standby (and says so once, at INFO), and it
is woken by ``NOTIFY``; without one it polls every ``poll_interval`` seconds. It stops
between batches, never inside one, and notices ``stop`` within half a second however long
the poll interval.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Final, Protocol

from perhetyo.persistence import StoreSettings, postgres_connection, storage_errors

__all__ = ["PostgresWorkerSession", "WorkerSession", "run_worker"]

_log = logging.getLogger("perhetyo.projections")

_STOP_CHECK_SECONDS: Final = 0.5


class WorkerSession(Protocol):
    """A worker's own database session: its advisory lock and its wake-ups."""

    def try_lock(self, key: int) -> bool:
        """Take the worker lock if free; True when held (idempotent)."""

    def wait(self, timeout: float) -> bool:
        """Block until the log may have grown (True), or ``timeout`` seconds (False)."""


class PostgresWorkerSession:
    """A PostgreSQL session for a worker (päivittäjän istunto): ``pg_try_advisory_lock``
    and ``LISTEN``."""

    def __init__(self, settings: StoreSettings, channel: str) -> None:
        from psycopg import sql  # noqa: PLC0415 (only PostgreSQL workers need the driver)

        with storage_errors("the worker's session"):
            self._conn = postgres_connection(settings)
            self._conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
        self._held = False

    def try_lock(self, key: int) -> bool:
        """Take the session advisory lock if no other worker holds it."""
        if not self._held:
            with storage_errors("the worker's session"):
                row = self._conn.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()
            self._held = bool(row and row[0])
        return self._held

    def wait(self, timeout: float) -> bool:
        """Wait for a NOTIFY on the events' channel (True), or ``timeout`` seconds (False)."""
        with storage_errors("the worker's session"):
            return any(True for _ in self._conn.notifies(timeout=timeout, stop_after=1))

    def close(self) -> None:
        """End the session: the lock is released with it."""
        self._conn.close()


def run_worker(
    batch: Callable[[], int],
    stop: threading.Event,
    *,
    poll_interval: float,
    session: WorkerSession | None,
    lock_key: int,
    on_batch: Callable[[int], None] | None = None,
) -> int:
    """Run ``batch`` (one batch, returning events applied) until ``stop`` is set.

    Returns the events applied in this run. A failing batch ends the worker with its
    error; the batch rolled back, and a restarted worker continues from the position.
    """
    held = session is None
    standby = False
    total = 0
    try:
        while not stop.is_set():
            if not held and session is not None:
                held = session.try_lock(lock_key)
                if not held:
                    if not standby:
                        _log.info(
                            "standby: another worker holds the lock of these views; "
                            "trying again every %g s",
                            poll_interval,
                        )
                        standby = True
                    stop.wait(poll_interval)
                    continue
                _log.info("worker holds the lock of these views%s", _after(standby))
            applied = batch()
            if applied:
                total += applied
                if on_batch is not None:
                    on_batch(applied)
                continue
            _idle(stop, poll_interval, session)
    finally:
        _log.info("worker stopped: %d events applied in this run", total)
    return total


def _after(standby: bool) -> str:
    return " (after standing by)" if standby else ""


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

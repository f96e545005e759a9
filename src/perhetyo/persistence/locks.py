"""Case locks (asiakkuuden lukitus): a command on a busy case waits its turn.

A command loads its case, decides on that state, and appends the new event. Two writers
doing that at once on one case decide on the same version and one append fails. So every
writer takes the case's lock around load, decide and insert, and takes it FIRST, before
any database connection: commands on one case take turns instead of racing, and a command
waiting for its turn holds no connection of the event store's pool.

What the lock is, per store kind:

- ``memory://`` and ``sqlite:///:memory:``: the store lives inside one ``FamilyCases``,
  so a ``threading.Lock`` per case, kept by that ``FamilyCases``, is enough;
- a SQLite file: SQLite writes one transaction at a time anyway, so there is one lock per
  database: a ``threading.Lock`` for this ``FamilyCases``'s threads, then ``flock`` on a
  lock file beside the database (``<file>.perhetyo-lock``, created 0600, never through a
  symbolic link) for the other ``FamilyCases`` and processes. A writer that finds it taken
  waits in the kernel (on a helper thread, so that the wait can end at the timeout), which
  wakes it as soon as the lock is free: a busy process cannot starve the others;
- PostgreSQL: a session advisory lock per case (two-key form: the schema's namespace and
  the case), on a small pool of connections of the locks' own, taken under
  ``lock_timeout``; this ``FamilyCases``'s threads on one case first take turns on a
  ``threading.Lock``, so one case uses at most one lock connection per process.

A writer waits at most ``timeout`` seconds (30 by default) for its turn; then, and only
then, :class:`~perhetyo.errors.ConcurrentUpdateError` is raised, naming the case and the
wait, and nothing is recorded. Failures of the lock's own file or connection are foreign
errors and go through :func:`~perhetyo.persistence.errors.storage_errors`.

The SQLite file lock lives in :mod:`~perhetyo.persistence.file_locks`, the PostgreSQL
advisory locks in :mod:`~perhetyo.persistence.advisory_locks`, and the waiting they share
in :mod:`~perhetyo.persistence.turns`; this module holds the protocol, the factory and the
in-process locks.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Iterator
from typing import Final, Protocol
from uuid import UUID

from perhetyo.errors import ConfigurationError, StoreClosedError
from perhetyo.persistence.advisory_locks import PostgresAdvisoryLocks
from perhetyo.persistence.file_locks import SQLiteFileLocks
from perhetyo.persistence.store import StoreSettings
from perhetyo.persistence.turns import TurnsPerCase

__all__ = ["DEFAULT_LOCK_TIMEOUT", "LOCK_FILE_SUFFIX", "CaseLocks", "case_locks"]

DEFAULT_LOCK_TIMEOUT: Final = 30.0
"""How many seconds a command waits for its turn on a busy case by default."""

LOCK_FILE_SUFFIX: Final = ".perhetyo-lock"
"""The SQLite lock file's name is the database file's name with this suffix."""


class CaseLocks(Protocol):
    """Case locks of one store (asiakkuuksien lukot): each command holds its case's lock."""

    def hold(self, case_id: UUID) -> contextlib.AbstractContextManager[None]:
        """Wait for the case's turn and hold it; ConcurrentUpdateError only on timeout."""
        ...

    def close(self) -> None:
        """Release what the locks keep open (a file, connections); later holds fail."""
        ...


def case_locks(settings: StoreSettings, *, timeout: float = DEFAULT_LOCK_TIMEOUT) -> CaseLocks:
    """The case locks of the store the settings name (see the module docstring)."""
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, int | float)
        or not math.isfinite(timeout)
        or timeout <= 0
    ):
        raise ConfigurationError("the lock timeout must be a positive number of seconds")
    seconds = float(timeout)
    if settings.kind == "postgresql":
        return PostgresAdvisoryLocks(settings, seconds)
    if settings.kind == "sqlite" and settings.sqlite_path is not None:
        database = settings.sqlite_path
        return SQLiteFileLocks(database.with_name(database.name + LOCK_FILE_SUFFIX), seconds)
    return _ThreadLocks(seconds)


# --- memory:// and sqlite:///:memory: ------------------------------------------------------


class _ThreadLocks:
    """Locks of a store that lives inside one FamilyCases: a thread lock per case."""

    def __init__(self, timeout: float) -> None:
        self._timeout = timeout
        self._turns = TurnsPerCase()
        self._closed = False

    @contextlib.contextmanager
    def hold(self, case_id: UUID) -> Iterator[None]:
        if self._closed:
            raise StoreClosedError
        with self._turns.hold(case_id, time.monotonic() + self._timeout, self._timeout):
            yield

    def close(self) -> None:
        self._closed = True

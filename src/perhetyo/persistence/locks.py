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
"""

from __future__ import annotations

import contextlib
import math
import os
import stat
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Protocol
from uuid import UUID

from perhetyo.errors import (
    ConcurrentUpdateError,
    ConfigurationError,
    StorageError,
    StoreClosedError,
)
from perhetyo.persistence.errors import storage_errors
from perhetyo.persistence.store import StoreSettings, advisory_key, postgres_connection

__all__ = ["DEFAULT_LOCK_TIMEOUT", "LOCK_FILE_SUFFIX", "CaseLocks", "case_locks"]

DEFAULT_LOCK_TIMEOUT: Final = 30.0
"""How many seconds a command waits for its turn on a busy case by default."""

LOCK_FILE_SUFFIX: Final = ".perhetyo-lock"
"""The SQLite lock file's name is the database file's name with this suffix."""

_IDLE_CONNECTIONS: Final = 4
"""How many PostgreSQL lock connections a ``CaseLocks`` keeps open between commands."""

_LOCK_THREAD_NAME: Final = "perhetyo-case-lock"


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
        return _PostgresLocks(settings, seconds)
    if settings.kind == "sqlite" and settings.sqlite_path is not None:
        return _SQLiteFileLocks(settings.sqlite_path, seconds)
    return _ThreadLocks(seconds)


# --- waiting -------------------------------------------------------------------------------


def _timed_out(case_id: UUID, timeout: float) -> ConcurrentUpdateError:
    return ConcurrentUpdateError(
        f"a command on case {case_id} waited {timeout:g} s for its turn while other writers "
        "held the case's lock; nothing was recorded, retry later"
    )


def _left(deadline: float) -> float:
    """Seconds left until ``deadline`` (never negative: a lock's -1 would mean forever)."""
    return max(0.0, deadline - time.monotonic())


@dataclass
class _Turn:
    lock: threading.Lock = field(default_factory=threading.Lock)
    users: int = 0


class _TurnsPerCase:
    """A ``threading.Lock`` per case, kept only while some thread holds or wants it."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._turns: dict[UUID, _Turn] = {}

    @contextlib.contextmanager
    def hold(self, case_id: UUID, deadline: float, timeout: float) -> Iterator[None]:
        with self._mutex:
            turn = self._turns.setdefault(case_id, _Turn())
            turn.users += 1
        try:
            if not turn.lock.acquire(timeout=_left(deadline)):
                raise _timed_out(case_id, timeout)
            try:
                yield
            finally:
                turn.lock.release()
        finally:
            with self._mutex:
                turn.users -= 1
                if turn.users == 0:
                    del self._turns[case_id]


# --- memory:// and sqlite:///:memory: ------------------------------------------------------


class _ThreadLocks:
    """Locks of a store that lives inside one FamilyCases: a thread lock per case."""

    def __init__(self, timeout: float) -> None:
        self._timeout = timeout
        self._turns = _TurnsPerCase()
        self._closed = False

    @contextlib.contextmanager
    def hold(self, case_id: UUID) -> Iterator[None]:
        if self._closed:
            raise StoreClosedError
        with self._turns.hold(case_id, time.monotonic() + self._timeout, self._timeout):
            yield

    def close(self) -> None:
        self._closed = True


# --- a SQLite file ------------------------------------------------------------------------


@dataclass
class _KernelWait:
    """A helper thread's blocking ``flock`` and what became of it (guarded by ``mutex``)."""

    mutex: threading.Lock = field(default_factory=threading.Lock)
    finished: threading.Event = field(default_factory=threading.Event)
    done: bool = False
    abandoned: bool = False
    error: StorageError | None = None

    def abandon(self) -> bool:
        """Stop waiting unless the helper is done; True when abandoned (turn handed over)."""
        with self.mutex:
            if not self.done:
                self.abandoned = True
            return self.abandoned


@dataclass
class _FileTurn:
    """One command's turn on the SQLite file; a timed-out helper thread may end it."""

    handed_over: bool = False


class _SQLiteFileLocks:
    """One lock per SQLite database: a thread lock, then ``flock`` on the lock file.

    ``flock`` locks belong to an open file description, so every ``FamilyCases`` (and
    every process) opens the lock file itself, and the threads of one ``FamilyCases``
    take turns on a ``threading.Lock`` before it. The file is opened on the first
    command (a store that only reads needs no writable directory) and again after a
    ``fork``, whose child would otherwise share the parent's lock.
    """

    def __init__(self, database: Path, timeout: float) -> None:
        self._path = database.with_name(database.name + LOCK_FILE_SUFFIX)
        self._timeout = timeout
        self._turn = threading.Lock()
        self._fd: int | None = None
        self._pid = 0
        self._closed = False

    @property
    def path(self) -> Path:
        """The lock file beside the database."""
        return self._path

    @contextlib.contextmanager
    def hold(self, case_id: UUID) -> Iterator[None]:
        if self._closed:
            raise StoreClosedError
        deadline = time.monotonic() + self._timeout
        if not self._turn.acquire(timeout=self._timeout):
            raise _timed_out(case_id, self._timeout)
        turn = _FileTurn()
        try:
            fd = self._lock_file(case_id, deadline, turn)
            try:
                yield
            finally:
                self._unlock(fd)
        finally:
            if not turn.handed_over:
                self._release_turn()

    def _lock_file(self, case_id: UUID, deadline: float, turn: _FileTurn) -> int:
        """Take the file lock by ``deadline``; the lock file's descriptor."""
        while True:
            fd = self._open()
            with storage_errors("the SQLite lock file"):
                locked = _flock(fd, blocking=False)
            if not locked:
                self._wait_in_kernel(fd, deadline, turn)
                if turn.handed_over:
                    raise _timed_out(case_id, self._timeout)
            if self._still_the_lock_file(fd):
                return fd
            # Deleted or replaced while we had it open: the other writers lock the file
            # now at the path, so take that one.
            self._unlock(fd)
            self._forget(fd)
            if _left(deadline) == 0:
                raise _timed_out(case_id, self._timeout)

    def _wait_in_kernel(self, fd: int, deadline: float, turn: _FileTurn) -> None:
        """Wait for a helper's blocking ``flock`` until ``deadline`` (see below)."""
        wait = self._start_kernel_wait(fd)
        try:
            wait.finished.wait(_left(deadline))
        except BaseException:
            turn.handed_over = wait.abandon()
            if not turn.handed_over and wait.error is None:
                self._unlock(fd)  # interrupted just as the lock came: let it go again
            raise
        turn.handed_over = wait.abandon()
        if wait.error is not None:
            raise wait.error

    def close(self) -> None:
        self._closed = True
        self._close_if_idle()

    def _open(self) -> int:
        if self._fd is not None and self._pid == os.getpid():
            return self._fd
        if self._fd is not None:  # a forked child: its own file description, not the parent's
            inherited, self._fd = self._fd, None
            with contextlib.suppress(StorageError), storage_errors("the SQLite lock file"):
                os.close(inherited)
        if self._closed:
            raise StoreClosedError
        if self._path.is_symlink():
            raise StorageError(
                "the SQLite lock file beside the database is a symbolic link: refused",
                reason="permission_denied",
            )
        with storage_errors("the SQLite lock file"):
            # O_NOFOLLOW also refuses a link put there after the check above.
            fd = os.open(self._path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
            try:
                regular = stat.S_ISREG(os.fstat(fd).st_mode)
            except BaseException:
                os.close(fd)
                raise
        if not regular:
            os.close(fd)
            raise StorageError(
                "the SQLite lock file beside the database is not a regular file: refused",
                reason="permission_denied",
            )
        self._fd, self._pid = fd, os.getpid()
        return fd

    def _start_kernel_wait(self, fd: int) -> _KernelWait:
        """Start a helper thread that blocks in ``flock`` until the file lock is free.

        The kernel wakes a blocked ``flock`` as soon as the lock is free, which polling
        cannot match (a process that writes without pause would win nearly every race).
        The blocking call runs on a helper thread, so that the command can stop waiting at
        its deadline; a helper left waiting lets go of the lock at once when it gets it,
        and only then ends this FamilyCases's turn, so no thread of ours flocks meanwhile.
        """
        with storage_errors("the SQLite lock file"):
            helper_fd = os.dup(fd)  # the same open file description, so the same lock
        wait = _KernelWait()
        helper = threading.Thread(
            target=self._block, args=(helper_fd, wait), name=_LOCK_THREAD_NAME, daemon=True
        )
        helper.start()
        return wait

    def _block(self, helper_fd: int, wait: _KernelWait) -> None:
        """The helper thread: block in ``flock``, then tell the command (or let go)."""
        error: StorageError | None = None
        try:
            with storage_errors("the SQLite lock file"):
                _flock(helper_fd, blocking=True)
        except StorageError as exc:  # handed to the waiting command
            error = exc
        with wait.mutex:
            wait.done, wait.error = True, error
            abandoned = wait.abandoned
        with contextlib.suppress(StorageError), storage_errors("the SQLite lock file"):
            if abandoned and error is None:
                _flock(helper_fd, unlock=True)
        with contextlib.suppress(StorageError), storage_errors("the SQLite lock file"):
            os.close(helper_fd)  # the lock stays with the shared description
        if abandoned:
            self._release_turn()
        else:
            wait.finished.set()

    def _still_the_lock_file(self, fd: int) -> bool:
        """Whether ``fd`` is still the file at the lock file's path (not deleted, not replaced)."""
        with storage_errors("the SQLite lock file"):
            held = os.fstat(fd)
            try:
                current = os.lstat(self._path)
            except FileNotFoundError:
                return False
        return (held.st_dev, held.st_ino) == (current.st_dev, current.st_ino)

    def _unlock(self, fd: int) -> None:
        try:
            with storage_errors("the SQLite lock file"):
                _flock(fd, unlock=True)
        except StorageError:
            # The command's outcome stands; closing the descriptor releases the lock.
            self._forget(fd)

    def _forget(self, fd: int) -> None:
        """Close the lock file's descriptor; the next command opens the file again."""
        self._fd = None
        with contextlib.suppress(StorageError), storage_errors("the SQLite lock file"):
            os.close(fd)

    def _release_turn(self) -> None:
        self._turn.release()
        self._close_if_idle()

    def _close_if_idle(self) -> None:
        """Close the lock file once closed and no command holds a turn (either may be last)."""
        if self._closed and self._turn.acquire(blocking=False):
            try:
                fd, self._fd = self._fd, None
                if fd is not None and self._pid == os.getpid():
                    with contextlib.suppress(StorageError), storage_errors("the SQLite lock file"):
                        os.close(fd)
            finally:
                self._turn.release()


def _flock(fd: int, *, blocking: bool = True, unlock: bool = False) -> bool:
    """``flock`` the file: True when taken (or released), False when another holds it."""
    import fcntl  # noqa: PLC0415 (POSIX only; imported where the SQLite file lock needs it)

    if unlock:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if blocking else fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


# --- PostgreSQL ---------------------------------------------------------------------------


class _PostgresLocks:
    """A session advisory lock per case, on the locks' own small pool of connections."""

    def __init__(self, settings: StoreSettings, timeout: float) -> None:
        self._settings = settings
        self._timeout = timeout
        # Two-key advisory locks: a key space apart from the single-key locks of setup and
        # the projection worker, so a case can never share a key with them.
        self._namespace = advisory_key("perhetyo.case", settings.schema_or_public)
        self._turns = _TurnsPerCase()
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
                    raise _timed_out(case_id, self._timeout) from None
                raise
        except BaseException:
            _discard(conn)  # closing the session releases whatever it may hold
            raise
        return conn

    def _set_lock_timeout(self, conn: Any, deadline: float) -> None:
        """Bound the next lock wait by ``lock_timeout`` alone (a server's statement_timeout
        would end it early, as a different error)."""
        milliseconds = max(1, math.ceil(_left(deadline) * 1000))  # 0 would mean for ever
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

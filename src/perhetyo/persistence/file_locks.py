"""SQLite file lock (tiedostolukko): one writer at a time per SQLite database file.

SQLite writes one transaction at a time anyway, so there is one lock per database: a
``threading.Lock`` for the threads of one ``FamilyCases``, then ``flock`` on a lock file
beside the database (:data:`~perhetyo.persistence.locks.LOCK_FILE_SUFFIX`, created 0600,
never through a symbolic link) for the other ``FamilyCases`` and processes. A writer that
finds it taken waits in the kernel, on a helper thread so that the wait can end at the
timeout; the kernel wakes it as soon as the lock is free, so a busy process cannot starve
the others. A lock file deleted or replaced while open is opened again, and so is one
inherited over ``fork``. Failures of the lock file go through
:func:`~perhetyo.persistence.errors.storage_errors`.
"""

from __future__ import annotations

import contextlib
import os
import stat
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final
from uuid import UUID

from perhetyo.errors import StorageError, StoreClosedError
from perhetyo.persistence.errors import storage_errors
from perhetyo.persistence.turns import time_left, timed_out

__all__ = ["SQLiteFileLocks"]

_LOCK_THREAD_NAME: Final = "perhetyo-case-lock"


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


class SQLiteFileLocks:
    """One lock per SQLite database: a thread lock, then ``flock`` on the lock file.

    ``flock`` locks belong to an open file description, so every ``FamilyCases`` (and
    every process) opens the lock file itself, and the threads of one ``FamilyCases``
    take turns on a ``threading.Lock`` before it. The file is opened on the first
    command (a store that only reads needs no writable directory) and again after a
    ``fork``, whose child would otherwise share the parent's lock.
    """

    def __init__(self, lock_file: Path, timeout: float) -> None:
        self._path = lock_file
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
            raise timed_out(case_id, self._timeout)
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
                    raise timed_out(case_id, self._timeout)
            if self._still_the_lock_file(fd):
                return fd
            # Deleted or replaced while we had it open: the other writers lock the file
            # now at the path, so take that one.
            self._unlock(fd)
            self._forget(fd)
            if time_left(deadline) == 0:
                raise timed_out(case_id, self._timeout)

    def _wait_in_kernel(self, fd: int, deadline: float, turn: _FileTurn) -> None:
        """Wait for a helper's blocking ``flock`` until ``deadline`` (see below)."""
        wait = self._start_kernel_wait(fd)
        try:
            wait.finished.wait(time_left(deadline))
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

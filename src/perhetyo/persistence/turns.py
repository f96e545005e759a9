"""Waiting for a turn (vuoron odotus): the deadline and the per-case turns of the locks.

Every kind of case lock (:mod:`~perhetyo.persistence.locks`) waits by the same rules: a
deadline ``timeout`` seconds after the command asked, never a negative wait, and, when the
deadline passes, one :class:`~perhetyo.errors.ConcurrentUpdateError` naming the case and
the wait. :class:`TurnsPerCase` lets the threads of one ``FamilyCases`` take turns on a case
before any lock the store itself keeps.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from uuid import UUID

from perhetyo.errors import ConcurrentUpdateError

__all__ = ["TurnsPerCase", "time_left", "timed_out"]


def timed_out(case_id: UUID, timeout: float) -> ConcurrentUpdateError:
    """The error of a command that waited ``timeout`` seconds for its turn on the case."""
    return ConcurrentUpdateError(
        f"a command on case {case_id} waited {timeout:g} s for its turn while other writers "
        "held the case's lock; nothing was recorded, retry later"
    )


def time_left(deadline: float) -> float:
    """Seconds left until ``deadline`` (never negative: a lock's -1 would mean forever)."""
    return max(0.0, deadline - time.monotonic())


@dataclass
class _Turn:
    lock: threading.Lock = field(default_factory=threading.Lock)
    users: int = 0


class TurnsPerCase:
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
            if not turn.lock.acquire(timeout=time_left(deadline)):
                raise timed_out(case_id, timeout)
            try:
                yield
            finally:
                turn.lock.release()
        finally:
            with self._mutex:
                turn.users -= 1
                if turn.users == 0:
                    del self._turns[case_id]

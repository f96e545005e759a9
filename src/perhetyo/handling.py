"""Command handling (komentojen käsittely): lock, load, answer a repeat, decide, save.

The one path every command takes once its shape is checked: the case's lock is taken
(:mod:`perhetyo.persistence.locks`: a busy case waits its turn), the case is loaded by
folding its events (:meth:`FamilyCase.project`), a repeated request id is answered with
its first result, and otherwise the aggregate's decide method checks the rules and
records one event, which is saved before the lock is released.

The tamper-evident chain costs no extra read: loading the case checks its events against
the chain and returns the chain's head (:meth:`EventStore.case_events`), and the handler
hands that head to the save (:meth:`EventStore.append`), which seals the new event over
it. A writer that appended meanwhile makes the save conflict on the version; the retry
loads afresh, so it seals over the fresh head.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar, cast
from uuid import UUID, uuid4

from perhetyo import commands as c
from perhetyo import telemetry
from perhetyo.aggregates.case import FamilyCase
from perhetyo.errors import (
    CaseAlreadyExistsError,
    CaseErasedError,
    CaseNotFoundError,
    ConcurrentUpdateError,
)
from perhetyo.events import CaseErased, CaseEvent
from perhetyo.loading import CaseLoader
from perhetyo.persistence import storage_errors
from perhetyo.persistence.chain import Head
from perhetyo.persistence.errors import AppendConflictError
from perhetyo.persistence.event_store import EventStore
from perhetyo.persistence.identity import case_id_for_request, legacy_case_id
from perhetyo.persistence.locks import CaseLocks

__all__ = ["MAX_ATTEMPTS", "RETRY_BACKOFF_SECONDS", "CommandHandler"]

logger = logging.getLogger("perhetyo")

MAX_ATTEMPTS = 5
"""How many times a command is decided afresh after losing a race to a writer that does not
take the case lock (an older version); writers that lock take turns and never race."""

RETRY_BACKOFF_SECONDS = 0.002
"""The first retry waits up to this long; each later one up to twice the previous."""

R = TypeVar("R")
C = TypeVar("C", bound=c.CaseCommand[Any])


class CommandHandler:
    """Command handler (komentojen käsittelijä): one store, its locks, its case-id key."""

    def __init__(
        self,
        store: EventStore,
        locks: CaseLocks,
        key: bytes,
        now: Callable[[], datetime],
        loader: CaseLoader | None = None,
    ) -> None:
        self._store = store
        self._loader = loader or CaseLoader(store)
        self._locks = locks
        self._key = key
        self._now = now

    def events(self, case_id: UUID) -> list[CaseEvent]:
        """The case's stored events, in order (empty for an unknown case), chain checked;
        :class:`CaseErasedError` for an erased case."""
        return self._events_and_head(case_id)[0]

    def _events_and_head(self, case_id: UUID) -> tuple[list[CaseEvent], Head]:
        with storage_errors():
            events, head = self._store.case_events(case_id)
        if events and isinstance(events[-1], CaseErased):
            raise CaseErasedError(case_id)
        return events, head

    def case_id_for_request(self, request_id: str) -> UUID:
        """The id an ``open_case`` with this request id opens in this store."""
        return case_id_for_request(self._key, request_id)

    @telemetry.traced_command
    def decide(self, command: C, decide: Callable[[FamilyCase, C, datetime], R]) -> R:
        """Load the case, answer a repeated request, or decide and save one event."""

        def attempt() -> R:
            with telemetry.timed_lock(self._locks.hold(command.case_id)):
                case, head = self._load(command.case_id)
                if case is None:
                    raise CaseNotFoundError(command.case_id)
                repeated, earlier = case.repeated(command)
                if repeated:
                    # The first attempt's result, recorded on its event: the same type R.
                    return cast(R, earlier)
                result = decide(case, command, self._now())
                self._save(case, head)
                return result

        return self._retrying(attempt)

    @telemetry.traced_command
    def open(self, command: c.OpenCase) -> UUID:
        """Open a case, or find the one an earlier attempt with this request id opened."""
        if command.request_id is None:
            case_id = uuid4()
        else:
            legacy, _ = self._load(legacy_case_id(command.request_id))
            if legacy is not None:  # opened by release 0.1, before case ids were keyed
                return self._repeat_of_opening(legacy, command)
            case_id = self.case_id_for_request(command.request_id)

        def attempt() -> UUID:
            with telemetry.timed_lock(self._locks.hold(case_id)):
                existing, head = self._load(case_id)
                if existing is not None:
                    return self._repeat_of_opening(existing, command)
                case = FamilyCase.open(command, case_id=case_id, now=self._now())
                self._save(case, head)
                return case_id

        return self._retrying(attempt)

    def _load(self, case_id: UUID) -> tuple[FamilyCase | None, Head]:
        """The case's decision state (None when no such case exists) and its chain head:
        from its newest snapshot, when it has one (:mod:`perhetyo.loading`)."""
        return self._loader.state(case_id)

    def _save(self, case: FamilyCase, head: Head) -> None:
        """Save the case's new events, sealed over the head its load returned."""
        events = case.collect_events()
        if events:
            with storage_errors():
                self._store.append(events, head)
            logger.debug(
                "recorded %s on case %s at version %d",
                type(events[-1]).__name__,
                case.id,
                case.version,
            )

    def _retrying(self, attempt: Callable[[], R]) -> R:
        """Run ``attempt`` (which holds the case lock); again if a non-locking writer won.

        Writers that lock take turns, so a lost append here means a writer that does not
        lock (an older version) appended between our load and our save: decide afresh,
        without the lock during the pause, at most ``MAX_ATTEMPTS`` times. A lock timeout
        is not retried.
        """
        for number in range(MAX_ATTEMPTS):
            try:
                return attempt()
            except AppendConflictError:
                telemetry.conflict("append")
                # Lost a race: back off a little (jittered, doubling) so that writers
                # contending for one case stop colliding in lockstep.
                logger.info("a command lost a race to another writer; deciding again")
                if number + 1 < MAX_ATTEMPTS:
                    pause = RETRY_BACKOFF_SECONDS * 2**number
                    time.sleep(random.uniform(0, pause))  # noqa: S311 (jitter, not secrets)
        raise ConcurrentUpdateError(
            f"another writer kept appending first ({MAX_ATTEMPTS} attempts); retry later"
        )

    @staticmethod
    def _repeat_of_opening(existing: FamilyCase, command: c.OpenCase) -> UUID:
        repeated, _ = existing.repeated(command)
        if repeated:
            return existing.id
        raise CaseAlreadyExistsError(f"case {existing.id} already exists")

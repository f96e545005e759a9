"""Family cases (perhesosiaalityön asiakkuudet): the application every user imports.

``FamilyCases`` is the facade: one method per command and one per read. A command method
builds its command model (the shape check), then :meth:`FamilyCases._decide` loads the
case, lets the aggregate's decide method check the rules, and saves the one new event; it
returns only after the event is durably stored. Reads fold the case's events through the
projections.

How a command flows: ``set_goal(...)`` -> ``SetGoal`` (shape) -> ``_decide(command,
FamilyCase.set_goal)`` -> load (``FamilyCase.project``) -> ``FamilyCase.set_goal`` (rules,
one ``GoalSet``) -> save. Every call to the store runs inside the one map of foreign
errors (:func:`perhetyo.persistence.storage_errors`).

Persistence is decided by the URL alone (see :mod:`perhetyo.persistence.store`); a master
key (``master_key=`` or ``PERHETYO_MASTER_KEY``) encrypts it, through the key ring
``self._keyring`` (:mod:`perhetyo.persistence.keyring`: data keys, ``chain_key()``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime
from types import TracebackType
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from perhetyo import commands as c
from perhetyo import telemetry
from perhetyo.access import AccessAction, AccessEntry
from perhetyo.aggregates.case import FamilyCase
from perhetyo.errors import (
    CaseNotFoundError,
    ConfigurationError,
    StoreClosedError,
)
from perhetyo.events import CaseEvent, CaseOpened
from perhetyo.handling import CommandHandler
from perhetyo.loading import DEFAULT_SNAPSHOT_INTERVAL, CaseLoader
from perhetyo.persistence import (
    DEFAULT_URL,
    settings_for_url,
    storage_errors,
)
from perhetyo.persistence.access_log import open_access_log
from perhetyo.persistence.event_store import EventStore, setup_lock
from perhetyo.persistence.identity import store_key
from perhetyo.persistence.keyring import KeyRing, master_key_from
from perhetyo.persistence.locks import DEFAULT_LOCK_TIMEOUT, case_locks
from perhetyo.projections import (
    CurrentPlan,
    DeadlinePolicy,
    events_to_fold,
)
from perhetyo.projections.sql import (
    DEFAULT_BATCH_SIZE,
    StoredViews,
)
from perhetyo.retention import RetentionPolicy
from perhetyo.time import Clock, utc_now
from perhetyo.values import (
    Actor,
)

__all__ = ["CasesCore"]

logger = logging.getLogger("perhetyo")

R = TypeVar("R")
C = TypeVar("C", bound=c.CaseCommand[Any])


class CasesCore:
    """Asiakkuuksien ydin (the facade's core): the store, the clock, the command path.

    Every area of calls is a subclass; :class:`perhetyo.application.FamilyCases` joins them.

    ``master_key`` encrypts the store (see docs/privacy.md); the tamper-evident chain's HMAC
    is then keyed by the store's own chain secret, wrapped by the master key. Without a
    master key, ``chain_key`` (bytes the host keeps outside the database) keys the chain;
    with neither, tags are plain SHA-256, which catch accidents and naive edits only.
    ``snapshot_interval`` (default 100; 0 or None: off) is how many events a load folds
    past the case's last snapshot before it writes a new one (see docs/snapshots.md).
    ``retention_policy`` says how long
    closed cases are kept (:class:`~perhetyo.retention.RetentionPolicy`; its defaults
    when None).
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        clock: Clock | None = None,
        views_url: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        master_key: str | None = None,
        chain_key: bytes | None = None,
        retention_policy: RetentionPolicy | None = None,
        deadline_policy: DeadlinePolicy | None = None,
        snapshot_interval: int | None = DEFAULT_SNAPSHOT_INTERVAL,
    ) -> None:
        if deadline_policy is not None and not isinstance(deadline_policy, DeadlinePolicy):
            raise ConfigurationError("deadline_policy must be a DeadlinePolicy")
        self._deadline_policy = deadline_policy or DeadlinePolicy()
        if snapshot_interval is not None and (
            type(snapshot_interval) is not int or snapshot_interval < 0
        ):
            raise ConfigurationError("snapshot_interval must be a whole number >= 0, or None")
        self._settings = settings_for_url(DEFAULT_URL if url is None else url)
        master = master_key_from(master_key)  # checked before anything is opened
        if master is not None and chain_key is not None:
            raise ConfigurationError(
                "give master_key or chain_key, not both: with a master key the chain's key "
                "is the store's own, wrapped by the master key"
            )
        self._clock: Clock = clock or utc_now
        self._locks = case_locks(self._settings, timeout=lock_timeout)
        self._views_url = views_url
        self._batch_size = batch_size
        self._stored_views: StoredViews | None = None
        if retention_policy is not None and not isinstance(retention_policy, RetentionPolicy):
            raise ConfigurationError("retention_policy must be a RetentionPolicy")
        self._retention_policy = retention_policy or RetentionPolicy()
        self._closed = False
        self._keyring = KeyRing(self._settings, master, self.now)
        with storage_errors(), setup_lock(self._settings):
            try:
                self._store = EventStore(self._settings, self._keyring, chain_key=chain_key)
            except BaseException:
                self._keyring.close()
                self._locks.close()
                raise
            try:
                recorder = self._store.recorder
                self._keyring.start(lambda: bool(recorder.max_notification_id()))
                if self._keyring.chain_key() is not None:  # the store's own chain secret
                    self._store.chain.key = self._keyring.chain_key()  # (shared by its mapper)
                key = store_key(self._settings)
                self._access = open_access_log(self._settings)
            except BaseException:
                self._store.close()
                self._keyring.close()
                self._locks.close()
                raise
        self._loader = CaseLoader(self._store, snapshot_interval)
        self._commands = CommandHandler(self._store, self._locks, key, self.now, self._loader)
        logger.info("perhetyo store opened: %s", self._settings.kind)

    @property
    def encrypted(self) -> bool:
        """Whether the store is encrypted (a master key was given; see docs/privacy.md)."""
        return self._keyring.encrypted

    @property
    def url(self) -> str:
        """The store's URL, without its password."""
        return self._settings.shown_url

    def close(self) -> None:
        """Close the store's and the views' connections; later calls raise StoreClosedError."""
        if self._closed:
            return
        self._closed = True
        if self._stored_views is not None:
            self._stored_views.close()
        self._locks.close()
        self._access.close()
        self._store.close()
        self._keyring.close()
        logger.info("perhetyo store closed: %s", self._settings.kind)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> None:
        self.close()

    def now(self) -> datetime:
        """The clock's current time, in UTC."""
        value = self._clock()
        if not isinstance(value, datetime) or value.utcoffset() is None:
            raise ConfigurationError("the clock must return a timezone-aware datetime")
        return value.astimezone(UTC)

    def case_id_for_request(self, request_id: str) -> UUID:
        """The id of the case an ``open_case`` with this ``request_id`` opens in this store.

        Derived with the store's own secret key, so it reveals nothing of the request id.
        """
        command = c.ReadRequest(request_id=request_id)
        return self._commands.case_id_for_request(command.request_id)

    def execute(self, command: c.Command[R]) -> R:
        """Run any command model (for services that receive commands as messages).

        Returns what the matching method returns, typed by the command
        (``execute(SetGoal(...))`` is a ``UUID``). A command on a busy case waits for the
        case's lock, then loads, decides and saves while holding it; only a wait longer
        than ``lock_timeout`` raises :class:`ConcurrentUpdateError`.
        """
        if isinstance(command, c.OpenCase):
            return cast(R, self._open(command))  # R is UUID: OpenCase is a Command[UUID]
        decide = FamilyCase.decider(type(command)) if isinstance(command, c.CaseCommand) else None
        if decide is None:
            raise ConfigurationError(f"not a perhetyo command: {type(command).__name__}")
        result: R = self._decide(cast(c.CaseCommand[R], command), decide)
        return result

    def _check_not_closed(self) -> None:
        if self._closed:
            raise StoreClosedError

    def _decide(self, command: C, decide: Callable[[FamilyCase, C, datetime], R]) -> R:
        self._check_not_closed()
        return self._commands.decide(command, decide)

    def _open(self, command: c.OpenCase) -> UUID:
        self._check_not_closed()
        return self._commands.open(command)

    def _read(
        self,
        case_id: UUID,
        actor: Actor,
        purpose: str | None,
        as_of: date | None,
        recorded_before: datetime | None,
        *,
        action: AccessAction,
    ) -> list[CaseEvent]:
        """Validate a read (who, why, as of when), log it, and return the events it folds."""
        return self._read_with(
            case_id, actor, purpose, as_of, recorded_before, action=action, load=self._events_for
        )

    def _read_plan(
        self,
        case_id: UUID,
        actor: Actor,
        purpose: str | None,
        as_of: date | None,
        recorded_before: datetime | None,
    ) -> CurrentPlan:
        """Like :meth:`_read`, for the current plan: folded from its newest snapshot that
        is a prefix of what the read folds (:meth:`CaseLoader.plan`), then logged."""
        return self._read_with(
            case_id,
            actor,
            purpose,
            as_of,
            recorded_before,
            action=AccessAction.CURRENT_PLAN,
            load=lambda read: self._loader.plan(
                read.case_id, as_of=read.as_of, recorded_before=read.recorded_before
            ),
        )

    @telemetry.traced_read
    def _read_with(
        self,
        case_id: UUID,
        actor: Actor,
        purpose: str | None,
        as_of: date | None,
        recorded_before: datetime | None,
        *,
        action: AccessAction,
        load: Callable[[c.ReadCase], R],
    ) -> R:
        """The one path of a read of one case: validate it, ``load`` what it shows, log it.

        The one place reads of one case are logged (asiakastietolaki 703/2023 § 11): the
        entry is committed before any data is returned, and a read whose entry cannot be
        written fails. A read that finds no case (CaseNotFoundError) returns nothing and
        leaves no entry.
        """
        read = c.ReadCase(
            case_id=case_id,
            actor=actor,
            purpose=purpose,
            as_of=as_of,
            recorded_before=recorded_before,
        )
        self._check_not_closed()
        shown = load(read)
        self._log_access([read.case_id], read.actor, action, read.purpose)
        return shown

    def _log_access(
        self,
        case_ids: list[UUID],
        actor: Actor,
        action: AccessAction,
        purpose: str | None,
        *,
        disclosure_id: UUID | None = None,
    ) -> None:
        """Commit one access entry per case (ids only: the actor's id, never a name)."""
        self._check_not_closed()
        at = self.now()
        self._access.record(
            [
                AccessEntry.trusted(
                    case_id=case_id,
                    actor_id=actor.id,
                    accessed_at=at,
                    action=action,
                    purpose=purpose,
                    disclosure_id=disclosure_id,
                )
                for case_id in case_ids
            ]
        )

    def _events_for(self, read: c.ReadCase) -> list[CaseEvent]:
        """The events a read folds: a recorded prefix, then business dates up to as_of."""
        self._check_not_closed()
        events = events_to_fold(
            self._commands.events(read.case_id),
            as_of=read.as_of,
            recorded_before=read.recorded_before,
        )
        if not events or not isinstance(events[0], CaseOpened):
            raise CaseNotFoundError(read.case_id)
        return events

"""Subscribers (tilaajat): a host's handlers of case events, each event handled exactly once.

``cases.subscribe("notify", handler)`` registers ``handler(event, conn)``;
``cases.catch_up_subscribers()`` runs every subscriber until it has handled the whole log,
and ``cases.run_subscribers(stop)`` keeps them running until ``stop`` is set (woken by
NOTIFY on PostgreSQL, polling on SQLite). ``conn`` is a SQLAlchemy ``Connection`` on the
views' database, in the transaction that also advances the subscriber's tracking
position (:mod:`perhetyo.projections.sql.subscribers`): what a handler writes with it is
done exactly once. Effects outside that database (a message to a provider) are at least
once: write them to an outbox table with ``conn`` and send from there (the outbox
pattern, docs/host-services.md).

Registrations live in this ``FamilyCases`` only (a process registers its subscribers when
it starts); positions live in the database, one per subscriber name.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import Final

from perhetyo.application.stored import StoredProjectionCalls
from perhetyo.errors import ConfigurationError
from perhetyo.persistence import advisory_key, storage_errors
from perhetyo.projections.sql import PostgresWorkerSession, ProjectionStatus
from perhetyo.projections.sql.subscribers import (
    Handler,
    Reset,
    SubscriberRunner,
    catch_up_subscriber,
    run_one_subscriber_batch,
)
from perhetyo.projections.sql.tracking import SQLTrackingRecorder
from perhetyo.projections.sql.worker import run_worker

__all__ = ["SUBSCRIBER_BATCH_SIZE", "SubscriberCalls"]

SUBSCRIBER_BATCH_SIZE: Final = 100
"""Events a subscriber handles in one transaction (``subscribe(..., batch_size=...)``)."""

_NAME: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,79}$")


class SubscriberCalls(StoredProjectionCalls):
    """Tilaajat (subscribers): register, run, rebuild and inspect a host's handlers."""

    @property
    def _subscribers(self) -> dict[str, SubscriberRunner]:
        """This instance's registered subscribers, in the order they were registered."""
        found: dict[str, SubscriberRunner] | None = self.__dict__.get("_subscriber_runners")
        if found is None:
            found = self.__dict__["_subscriber_runners"] = {}
        return found

    def subscribe(
        self,
        name: str,
        handler: Handler,
        *,
        reset: Reset | None = None,
        batch_size: int = SUBSCRIBER_BATCH_SIZE,
    ) -> None:
        """Register ``handler(event, conn)`` under ``name``: every case event, in order,
        exactly once per name, with ``conn`` in the transaction that records its progress.

        ``name`` (1-80 letters, digits and ``._:-``) keys the subscriber's position in the
        database: the same name in a restarted process continues where it stopped.
        ``reset(conn)`` empties the handler's own tables when the subscriber is rebuilt
        (:meth:`rebuild_subscriber`). Nothing runs until :meth:`catch_up_subscribers` or
        :meth:`run_subscribers` is called.
        """
        if not isinstance(name, str) or not _NAME.match(name):
            raise ConfigurationError(
                "a subscriber's name is 1-80 letters, digits and ._:- (a name of code)"
            )
        if name in self._subscribers:
            raise ConfigurationError(f"a subscriber named {name} is already registered")
        if not callable(handler) or (reset is not None and not callable(reset)):
            raise ConfigurationError("a subscriber's handler and reset must be callables")
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ConfigurationError("a subscriber's batch_size must be a positive integer")
        views = self.stored_views
        self._subscribers[name] = SubscriberRunner(
            name=name,
            handler=handler,
            reset=reset,
            recorder=views.recorder,
            mapper=views.mapper,
            application_name=views.application_name,
            engine=views.engine,
            tracking=views.tracking,
            schema=views.schema,
            guard=views._guard,  # the views' guard of a shared in-memory connection
            batch_size=batch_size,
            chain=views.chain,
        )

    def subscribers(self) -> list[str]:
        """The names registered in this instance, in the order they were registered."""
        return list(self._subscribers)

    def _subscriber(self, name: str) -> SubscriberRunner:
        self._check_not_closed()
        runner = self._subscribers.get(name)
        if runner is None:
            raise ConfigurationError(f"no subscriber named {name} is registered")
        return runner

    def catch_up_subscribers(self, on_batch: Callable[[int], None] | None = None) -> int:
        """Run every subscriber until it has handled the whole log; returns the events
        handled (summed over subscribers). A failing handler stops it with
        :class:`~perhetyo.errors.SubscriberError`; its batch rolled back."""
        self._check_not_closed()
        return sum(
            catch_up_subscriber(runner, on_batch) for runner in list(self._subscribers.values())
        )

    def run_subscribers(
        self,
        stop: threading.Event,
        *,
        poll_interval: float = 1.0,
        on_batch: Callable[[int], None] | None = None,
    ) -> None:
        """Run the subscribers until ``stop`` is set, waiting for new events between
        batches: woken by NOTIFY on PostgreSQL (where one process at a time runs them,
        the others standing by), polling every ``poll_interval`` seconds on SQLite."""
        self._check_not_closed()
        views = self.stored_views
        runners = list(self._subscribers.values())
        session: PostgresWorkerSession | None = None
        if self._settings.kind == "postgresql":
            channel = getattr(self._store.recorder, "channel_name", "familycases_events")
            with storage_errors():
                session = PostgresWorkerSession(self._settings, channel)
        key = advisory_key(
            "perhetyo.subscribers.worker",
            views.schema or "",
            views.application_name,
            *sorted(runner.name for runner in runners),
        )
        try:
            run_worker(
                lambda: sum(run_one_subscriber_batch(runner) for runner in runners),
                stop,
                poll_interval=poll_interval,
                session=session,
                lock_key=key,
                on_batch=on_batch,
            )
        finally:
            if session is not None:
                session.close()

    def rebuild_subscriber(self, name: str) -> int:
        """Handle every event again: the reset hook empties the handler's tables and the
        position is forgotten (one transaction), then the subscriber catches up. Returns
        the events handled."""
        runner = self._subscriber(name)
        runner.reset()
        return catch_up_subscriber(runner)

    def subscriber_status(self) -> list[ProjectionStatus]:
        """Each registered subscriber's position, the log's head and the lag (``rows``
        is empty: the handlers' tables are the host's)."""
        self._check_not_closed()
        with storage_errors():
            head = self._store.recorder.max_notification_id() or 0
        found = []
        for runner in self._subscribers.values():
            position = runner.position()
            found.append(
                ProjectionStatus(
                    projection=runner.view_name,
                    position=position,
                    head=head,
                    lag=max(head - position, 0),
                    rows={},
                )
            )
        return found

    def subscriber_tracking_recorder(self, name: str) -> SQLTrackingRecorder:
        """eventsourcing's ``TrackingRecorder`` over the subscriber's position."""
        return self._subscriber(name).tracking_recorder()

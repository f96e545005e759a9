"""Tallennetut näkymät (the stored SQL projections): update, rebuild, status, worker."""

from __future__ import annotations

import threading
from collections.abc import Callable

from perhetyo.application.core import CasesCore
from perhetyo.persistence import (
    storage_errors,
    views_engine,
)
from perhetyo.projections.sql import (
    PostgresWorkerSession,
    ProjectionStatus,
    StoredViews,
)

__all__ = ["StoredProjectionCalls"]


class StoredProjectionCalls(CasesCore):
    """Tallennetut näkymät (the stored SQL projections): update, rebuild, status, worker."""

    # --- stored projections -------------------------------------------------------------

    @property
    def stored_views(self) -> StoredViews:
        """The stored SQL views (created on first use): engine, tables, runner."""
        self._check_not_closed()
        if self._stored_views is None:
            with storage_errors("the views database"):
                self._stored_views = StoredViews(
                    recorder=self._store.recorder,
                    mapper=self._store.mapper,
                    application_name=self._store.name,
                    engine=views_engine(self._settings, self._views_url),
                    schema=self._settings.postgres_schema if self._views_url is None else None,
                    batch_size=self._batch_size,
                    deadline_policy=self._deadline_policy,
                    chain=self._store.chain,
                    personal=not self._keyring.encrypted,
                )
        return self._stored_views

    def update_projections(self, on_batch: Callable[[int], None] | None = None) -> int:
        """Catch the stored SQL projections up; returns the events applied (0 when current)."""
        return self.stored_views.update(on_batch)

    def rebuild_projections(self, on_batch: Callable[[int], None] | None = None) -> int:
        """Rebuild the stored projections from the first event beside the live ones,
        check them, then switch over in one step; returns the events folded."""
        return self.stored_views.rebuild(on_batch)

    def projection_status(self) -> list[ProjectionStatus]:
        """Each stored projection's position, the log's head and the lag."""
        return self.stored_views.status()

    def run_projections(
        self,
        stop: threading.Event,
        *,
        poll_interval: float = 1.0,
        on_batch: Callable[[int], None] | None = None,
    ) -> None:
        """Run the projection worker until ``stop`` is set (LISTEN/NOTIFY on PostgreSQL)."""
        views = self.stored_views
        session: PostgresWorkerSession | None = None
        if self._settings.kind == "postgresql":
            channel = getattr(self._store.recorder, "channel_name", "familycases_events")
            with storage_errors():
                session = PostgresWorkerSession(self._settings, channel)
        try:
            with storage_errors():
                views.run_forever(
                    stop, poll_interval=poll_interval, session=session, on_batch=on_batch
                )
        finally:
            if session is not None:
                session.close()

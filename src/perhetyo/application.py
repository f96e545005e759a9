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

Persistence is decided by the URL alone (see :mod:`perhetyo.persistence.store`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from types import TracebackType
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from perhetyo import commands as c
from perhetyo.aggregates.case import FamilyCase
from perhetyo.errors import (
    CaseNotFoundError,
    ConfigurationError,
    StoreClosedError,
)
from perhetyo.events import CaseEvent, CaseOpened
from perhetyo.handling import MAX_ATTEMPTS, CommandHandler
from perhetyo.persistence import (
    DEFAULT_URL,
    settings_for_url,
    storage_errors,
    views_engine,
)
from perhetyo.persistence.event_store import EventStore, setup_lock
from perhetyo.persistence.identity import store_key
from perhetyo.persistence.locks import DEFAULT_LOCK_TIMEOUT, case_locks
from perhetyo.projections import (
    AuditEntry,
    CurrentPlan,
    GoalProgress,
    audit_trail,
    current_plan,
    events_to_fold,
    fold,
    goal_progress,
)
from perhetyo.projections.sql import (
    DEFAULT_BATCH_SIZE,
    PostgresWorkerSession,
    ProjectionStatus,
    StoredViews,
)
from perhetyo.time import Clock, utc_now
from perhetyo.values import (
    Actor,
    ClosureReason,
    GoalStatus,
    LegalBasis,
    MeetingKind,
    NamedWorker,
    PersonRef,
    ServiceKind,
    ServiceTask,
    Successor,
)

__all__ = ["MAX_ATTEMPTS", "Clock", "FamilyCases"]


logger = logging.getLogger("perhetyo")

R = TypeVar("R")
C = TypeVar("C", bound=c.CaseCommand[Any])


class FamilyCases:
    """Family cases (perhesosiaalityön asiakkuudet): commands and reads over one store.

    ``url`` chooses the store: ``sqlite:///path`` (default ``sqlite:///perhetyo.db``),
    ``sqlite:///:memory:``, ``postgresql://user@host/db`` or ``memory://``. ``clock``
    returns the current time (an aware datetime); "today" is its date in Helsinki.
    A command on a busy case waits its turn (see :mod:`perhetyo.persistence.locks`) for
    up to ``lock_timeout`` seconds, then raises :class:`ConcurrentUpdateError`.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        clock: Clock | None = None,
        views_url: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    ) -> None:
        self._settings = settings_for_url(DEFAULT_URL if url is None else url)
        self._locks = case_locks(self._settings, timeout=lock_timeout)
        self._clock: Clock = clock or utc_now
        self._views_url = views_url
        self._batch_size = batch_size
        self._stored_views: StoredViews | None = None
        self._closed = False
        with storage_errors(), setup_lock(self._settings):
            self._store = EventStore(self._settings)
            try:
                key = store_key(self._settings)
            except BaseException:
                self._store.close()
                raise
        self._commands = CommandHandler(self._store, self._locks, key, self.now)
        logger.info("perhetyo store opened: %s", self._settings.kind)

    @property
    def url(self) -> str:
        """The store's URL, without its password."""
        return self._settings.shown_url

    # --- life cycle ---------------------------------------------------------------------

    def close(self) -> None:
        """Close the store's and the views' connections; later calls raise StoreClosedError."""
        if self._closed:
            return
        self._closed = True
        if self._stored_views is not None:
            self._stored_views.close()
        self._locks.close()
        self._store.close()
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

    # --- commands -----------------------------------------------------------------------

    def open_case(
        self,
        *,
        children: Sequence[PersonRef],
        legal_basis: LegalBasis,
        named_worker: NamedWorker,
        opened_on: date,
        actor: Actor,
        guardians: Sequence[PersonRef] = (),
        service_task: ServiceTask | None = None,
        previous_case_id: UUID | None = None,
        request_id: str | None = None,
    ) -> UUID:
        """Open a client relationship (asiakkuus alkoi); returns the new case id."""
        command = c.OpenCase(
            children=children,
            guardians=guardians,
            legal_basis=legal_basis,
            named_worker=named_worker,
            opened_on=opened_on,
            service_task=service_task,
            previous_case_id=previous_case_id,
            actor=actor,
            request_id=request_id,
        )
        return self._open(command)

    def assign_named_worker(
        self,
        case_id: UUID,
        *,
        worker: NamedWorker,
        assigned_on: date,
        reason: str,
        actor: Actor,
        request_id: str | None = None,
    ) -> None:
        """Assign a named worker (omatyöntekijä nimetty)."""
        command = c.AssignNamedWorker(
            case_id=case_id,
            worker=worker,
            assigned_on=assigned_on,
            reason=reason,
            actor=actor,
            request_id=request_id,
        )
        self._decide(command, FamilyCase.assign_named_worker)

    def record_meeting(
        self,
        case_id: UUID,
        *,
        kind: MeetingKind,
        held_on: date,
        summary: str,
        actor: Actor,
        participants: Sequence[str] = (),
        request_id: str | None = None,
    ) -> UUID:
        """Record a meeting (tapaaminen pidetty); returns the meeting id."""
        command = c.RecordMeeting(
            case_id=case_id,
            kind=kind,
            held_on=held_on,
            participants=participants,
            summary=summary,
            actor=actor,
            request_id=request_id,
        )
        return self._decide(command, FamilyCase.record_meeting)

    def record_child_view(
        self,
        case_id: UUID,
        *,
        child_id: str,
        recorded_on: date,
        actor: Actor,
        view: str | None = None,
        not_heard_reason: str | None = None,
        request_id: str | None = None,
    ) -> None:
        """Record a child's view (lapsen näkemys kirjattu), or why the child was not heard."""
        command = c.RecordChildView(
            case_id=case_id,
            child_id=child_id,
            view=view,
            not_heard_reason=not_heard_reason,
            recorded_on=recorded_on,
            actor=actor,
            request_id=request_id,
        )
        self._decide(command, FamilyCase.record_child_view)

    def agree_plan(
        self,
        case_id: UUID,
        *,
        agreed_on: date,
        agreements: Sequence[str],
        actor: Actor,
        dissent: Sequence[str] = (),
        review_due_on: date | None = None,
        request_id: str | None = None,
    ) -> int:
        """Agree the next client plan version (asiakassuunnitelma laadittu); returns it."""
        command = c.AgreePlan(
            case_id=case_id,
            agreed_on=agreed_on,
            agreements=agreements,
            dissent=dissent,
            review_due_on=review_due_on,
            actor=actor,
            request_id=request_id,
        )
        return self._decide(command, FamilyCase.agree_plan)

    def set_goal(
        self,
        case_id: UUID,
        *,
        description: str,
        set_on: date,
        actor: Actor,
        target_date: date | None = None,
        child_id: str | None = None,
        request_id: str | None = None,
    ) -> UUID:
        """Set a goal (tavoite asetettu); returns the goal id."""
        command = c.SetGoal(
            case_id=case_id,
            description=description,
            set_on=set_on,
            target_date=target_date,
            child_id=child_id,
            actor=actor,
            request_id=request_id,
        )
        return self._decide(command, FamilyCase.set_goal)

    def update_goal(
        self,
        case_id: UUID,
        goal_id: UUID,
        *,
        status: GoalStatus,
        updated_on: date,
        actor: Actor,
        progress: int | None = None,
        note: str | None = None,
        request_id: str | None = None,
    ) -> None:
        """Update a goal (tavoite päivitetty); ``progress`` None keeps the previous value."""
        command = c.UpdateGoal(
            case_id=case_id,
            goal_id=goal_id,
            status=status,
            progress=progress,
            note=note,
            updated_on=updated_on,
            actor=actor,
            request_id=request_id,
        )
        self._decide(command, FamilyCase.update_goal)

    def order_service(
        self,
        case_id: UUID,
        *,
        kind: ServiceKind,
        provider: str,
        ordered_on: date,
        actor: Actor,
        goal_ids: Sequence[UUID] = (),
        request_id: str | None = None,
    ) -> UUID:
        """Order a service (palvelu tilattu); returns the service id."""
        command = c.OrderService(
            case_id=case_id,
            kind=kind,
            provider=provider,
            ordered_on=ordered_on,
            goal_ids=goal_ids,
            actor=actor,
            request_id=request_id,
        )
        return self._decide(command, FamilyCase.order_service)

    def start_service(
        self,
        case_id: UUID,
        service_id: UUID,
        *,
        started_on: date,
        actor: Actor,
        request_id: str | None = None,
    ) -> None:
        """Record that a service started (palvelu alkoi)."""
        command = c.StartService(
            case_id=case_id,
            service_id=service_id,
            started_on=started_on,
            actor=actor,
            request_id=request_id,
        )
        self._decide(command, FamilyCase.start_service)

    def end_service(
        self,
        case_id: UUID,
        service_id: UUID,
        *,
        ended_on: date,
        reason: str,
        actor: Actor,
        request_id: str | None = None,
    ) -> None:
        """End a service (palvelu päättyi); one that never started is cancelled."""
        command = c.EndService(
            case_id=case_id,
            service_id=service_id,
            ended_on=ended_on,
            reason=reason,
            actor=actor,
            request_id=request_id,
        )
        self._decide(command, FamilyCase.end_service)

    def close_case(
        self,
        case_id: UUID,
        *,
        closed_on: date,
        reason: ClosureReason,
        actor: Actor,
        child_views: dict[str, str] | None = None,
        not_heard_reasons: dict[str, str] | None = None,
        successor: Successor | None = None,
        request_id: str | None = None,
    ) -> None:
        """Close the relationship (asiakkuus päättyi), with every child's view of it."""
        command = c.CloseCase(
            case_id=case_id,
            closed_on=closed_on,
            reason=reason,
            child_views=child_views or {},
            not_heard_reasons=not_heard_reasons or {},
            successor=successor,
            actor=actor,
            request_id=request_id,
        )
        self._decide(command, FamilyCase.close_case)

    def execute(self, command: c.Command[R]) -> R:
        """Run any command model (for services that receive commands as messages).

        Returns what the matching method returns, typed by the command
        (``execute(SetGoal(...))`` is a ``UUID``). A command on a busy case waits for the
        case's lock, then loads, decides and saves while holding it; only a wait longer
        than ``lock_timeout`` raises :class:`ConcurrentUpdateError`.
        """
        if isinstance(command, c.OpenCase):
            return cast(R, self._open(command))  # R is UUID: OpenCase is a Command[UUID]
        decide = (
            FamilyCase.decider(type(command)) if isinstance(command, c.CaseCommand) else None
        )
        if decide is None:
            raise ConfigurationError(f"not a perhetyo command: {type(command).__name__}")
        result: R = self._decide(cast(c.CaseCommand[R], command), decide)
        return result

    # --- reads --------------------------------------------------------------------------

    def current_plan(
        self,
        case_id: UUID,
        *,
        actor: Actor,
        purpose: str | None = None,
        as_of: date | None = None,
        recorded_before: datetime | None = None,
    ) -> CurrentPlan:
        """The client plan now, as of a business date, or as recorded before an instant."""
        events = self._read(case_id, actor, purpose, as_of, recorded_before)
        plan = fold(current_plan, events)
        if plan is None:
            raise CaseNotFoundError(case_id)
        return plan

    def goal_progress(
        self,
        case_id: UUID,
        *,
        actor: Actor,
        purpose: str | None = None,
        as_of: date | None = None,
        recorded_before: datetime | None = None,
    ) -> list[GoalProgress]:
        """Each goal's timeline of updates, in the order the goals were set."""
        events = self._read(case_id, actor, purpose, as_of, recorded_before)
        progress: tuple[GoalProgress, ...] = fold(goal_progress, events)
        return list(progress)

    def audit_trail(
        self,
        case_id: UUID,
        *,
        actor: Actor,
        purpose: str | None = None,
        as_of: date | None = None,
        recorded_before: datetime | None = None,
    ) -> list[AuditEntry]:
        """Every event of the case as a readable row, in recorded order."""
        events = self._read(case_id, actor, purpose, as_of, recorded_before)
        trail: tuple[AuditEntry, ...] = fold(audit_trail, events)
        return list(trail)

    def history(
        self, case_id: UUID, *, actor: Actor, purpose: str | None = None
    ) -> list[CaseEvent]:
        """The case's raw events, in recorded order."""
        return self._read(case_id, actor, purpose, None, None)

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

    # --- internals ----------------------------------------------------------------------

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
    ) -> list[CaseEvent]:
        """Validate a read (who, why, as of when) and return the events it folds.

        The access log of reads is a later, staged feature: for now a read is validated
        and nothing is recorded.
        """
        read = c.ReadCase(
            case_id=case_id,
            actor=actor,
            purpose=purpose,
            as_of=as_of,
            recorded_before=recorded_before,
        )
        return self._events_for(read)

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

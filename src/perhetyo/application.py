"""Family cases (perhesosiaalityön asiakkuudet): the application every user imports.

``FamilyCases`` has one method per command and one per read. A command method validates
its arguments into a command model, loads the case, lets the aggregate decide, and saves
the new event; it returns only after the event is durably stored. It is the only caller
of ``save()``. Reads fold the case's events through the projections.

Persistence is decided by the URL alone (see :mod:`perhetyo.persistence`).
"""

from __future__ import annotations

import contextlib
import random
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime
from types import TracebackType
from typing import Any, Self, TypeVar, cast
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, PersistenceError
from eventsourcing.utils import Environment, EnvType

from perhetyo import commands as c
from perhetyo.aggregates.case import FamilyCase, case_id_for_request
from perhetyo.errors import (
    CaseAlreadyExistsError,
    CaseNotFoundError,
    ConcurrentUpdateError,
    ConfigurationError,
    PerhetyoError,
    StorageError,
)
from perhetyo.events import CaseEvent, CaseOpened
from perhetyo.persistence import (
    DEFAULT_URL,
    OrjsonTranscoder,
    PydanticMapper,
    StoreSettings,
    advisory_key,
    postgres_connection,
    settings_for_url,
    views_engine,
)
from perhetyo.projections import (
    AuditEntry,
    CurrentPlan,
    GoalProgress,
    audit_trail,
    current_plan,
    fold,
    goal_progress,
)
from perhetyo.projections.sql import (
    DEFAULT_BATCH_SIZE,
    PostgresWorkerSession,
    ProjectionStatus,
    StoredViews,
)
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

Clock = Callable[[], datetime]
"""A callable returning the current time as an aware datetime."""

MAX_ATTEMPTS = 5
"""How many times a command is decided afresh after losing a race to another writer."""

RETRY_BACKOFF_SECONDS = 0.002
"""The first retry waits up to this long; each later one up to twice the previous."""

R = TypeVar("R")


def _utc_now() -> datetime:
    return datetime.now(UTC)


@contextlib.contextmanager
def _storage_errors() -> Iterator[None]:
    """Translate the store's own failures (other than conflicts) once, at the boundary."""
    try:
        yield
    except (PerhetyoError, IntegrityError):
        raise
    except (PersistenceError, OSError) as exc:
        raise StorageError(f"the event store failed: {type(exc).__name__}") from exc
    except Exception as exc:
        if type(exc).__module__.startswith(("psycopg", "sqlite3")):
            raise StorageError(f"the event store failed: {type(exc).__name__}") from exc
        raise


@contextlib.contextmanager
def _postgres_setup_lock(settings: StoreSettings) -> Iterator[None]:
    """Serialise stores starting on one PostgreSQL database, and create the schema.

    eventsourcing creates its tables, types and functions on every start; two processes
    doing it at once fail ("tuple concurrently updated"). A session advisory lock makes
    them take turns; the schema named in the URL is created under the same lock.
    """
    if settings.kind != "postgresql":
        yield
        return
    from psycopg import sql  # noqa: PLC0415 (only PostgreSQL stores need the driver)

    with postgres_connection(settings) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (advisory_key("perhetyo.setup"),))
        try:
            if settings.postgres_schema is not None:
                conn.execute(
                    sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
                        sql.Identifier(settings.postgres_schema)
                    )
                )
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (advisory_key("perhetyo.setup"),))


class _EventStore(Application[UUID]):
    """eventsourcing's application, configured from the URL's settings only."""

    name = "FamilyCases"

    def __init__(self, settings: StoreSettings) -> None:
        self._settings = settings
        try:
            super().__init__()
        except BaseException:
            factory = getattr(self, "factory", None)
            if factory is not None:  # do not leave connections open until collected
                factory.close()
            raise

    def construct_env(self, name: str, env: EnvType | None = None) -> Environment:
        """Only what the URL implies: ``os.environ`` is never read."""
        return Environment(name, dict(self._settings.env))

    def construct_mapper(self) -> PydanticMapper:
        """Our pydantic mapper with the orjson transcoder."""
        return PydanticMapper(
            transcoder=OrjsonTranscoder(),
            cipher=self.factory.cipher(),
            compressor=self.factory.compressor(),
        )


class FamilyCases:
    """Family cases (perhesosiaalityön asiakkuudet): commands and reads over one store.

    ``url`` chooses the store: ``sqlite:///path`` (default ``sqlite:///perhetyo.db``),
    ``sqlite:///:memory:``, ``postgresql://user@host/db`` or ``memory://``. ``clock``
    returns the current time (an aware datetime); "today" is its date in Helsinki.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        clock: Clock | None = None,
        views_url: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> None:
        self.url = DEFAULT_URL if url is None else url
        self._settings = settings_for_url(self.url)
        self._clock: Clock = clock or _utc_now
        self._views_url = views_url
        self._batch_size = batch_size
        self._stored_views: StoredViews | None = None
        try:
            with _storage_errors(), _postgres_setup_lock(self._settings):
                self._store = _EventStore(self._settings)
        except IntegrityError as exc:
            raise StorageError("the event store could not be set up: IntegrityError") from exc

    # --- life cycle ---------------------------------------------------------------------

    def close(self) -> None:
        """Close the store's and the views' connections."""
        if self._stored_views is not None:
            self._stored_views.close()
        self._store.close()

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
        return cast(
            UUID,
            self.execute(
                c.OpenCase(
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
            ),
        )

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
        self.execute(
            c.AssignNamedWorker(
                case_id=case_id,
                worker=worker,
                assigned_on=assigned_on,
                reason=reason,
                actor=actor,
                request_id=request_id,
            )
        )

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
        return cast(
            UUID,
            self.execute(
                c.RecordMeeting(
                    case_id=case_id,
                    kind=kind,
                    held_on=held_on,
                    participants=participants,
                    summary=summary,
                    actor=actor,
                    request_id=request_id,
                )
            ),
        )

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
        self.execute(
            c.RecordChildView(
                case_id=case_id,
                child_id=child_id,
                view=view,
                not_heard_reason=not_heard_reason,
                recorded_on=recorded_on,
                actor=actor,
                request_id=request_id,
            )
        )

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
        return cast(
            int,
            self.execute(
                c.AgreePlan(
                    case_id=case_id,
                    agreed_on=agreed_on,
                    agreements=agreements,
                    dissent=dissent,
                    review_due_on=review_due_on,
                    actor=actor,
                    request_id=request_id,
                )
            ),
        )

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
        return cast(
            UUID,
            self.execute(
                c.SetGoal(
                    case_id=case_id,
                    description=description,
                    set_on=set_on,
                    target_date=target_date,
                    child_id=child_id,
                    actor=actor,
                    request_id=request_id,
                )
            ),
        )

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
        self.execute(
            c.UpdateGoal(
                case_id=case_id,
                goal_id=goal_id,
                status=status,
                progress=progress,
                note=note,
                updated_on=updated_on,
                actor=actor,
                request_id=request_id,
            )
        )

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
        return cast(
            UUID,
            self.execute(
                c.OrderService(
                    case_id=case_id,
                    kind=kind,
                    provider=provider,
                    ordered_on=ordered_on,
                    goal_ids=goal_ids,
                    actor=actor,
                    request_id=request_id,
                )
            ),
        )

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
        self.execute(
            c.StartService(
                case_id=case_id,
                service_id=service_id,
                started_on=started_on,
                actor=actor,
                request_id=request_id,
            )
        )

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
        self.execute(
            c.EndService(
                case_id=case_id,
                service_id=service_id,
                ended_on=ended_on,
                reason=reason,
                actor=actor,
                request_id=request_id,
            )
        )

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
        self.execute(
            c.CloseCase(
                case_id=case_id,
                closed_on=closed_on,
                reason=reason,
                child_views=child_views or {},
                not_heard_reasons=not_heard_reasons or {},
                successor=successor,
                actor=actor,
                request_id=request_id,
            )
        )

    def execute(self, command: c.Command) -> Any:
        """Run any command model (for services that receive commands as messages).

        Returns what the matching method returns. A command that loses a race with
        another writer is decided afresh on the new state, up to ``MAX_ATTEMPTS`` times,
        before :class:`ConcurrentUpdateError` is raised.
        """
        if isinstance(command, c.OpenCase):
            return self._open(command)
        if not isinstance(command, c.CaseCommand) or type(command) not in _DECIDERS:
            raise ConfigurationError(f"not a perhetyo command: {type(command).__name__}")
        decide = _DECIDERS[type(command)]
        return self._retrying(lambda: self._decide(command, decide))

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
        if self._stored_views is None:
            with _storage_errors():
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
            with _storage_errors():
                session = PostgresWorkerSession(self._settings, channel)
        try:
            with _storage_errors():
                views.run_forever(
                    stop, poll_interval=poll_interval, session=session, on_batch=on_batch
                )
        finally:
            if session is not None:
                session.close()

    # --- internals ----------------------------------------------------------------------

    def _stored_events(self, case_id: UUID) -> list[CaseEvent]:
        with _storage_errors():
            return cast(list[CaseEvent], list(self._store.events.get(case_id)))

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
        events = self._stored_events(read.case_id)
        if read.recorded_before is not None:
            limit = read.recorded_before
            prefix: list[CaseEvent] = []
            for event in events:
                if event.timestamp >= limit:
                    break
                prefix.append(event)
            events = prefix
        if read.as_of is not None:
            as_of = read.as_of
            events = [event for event in events if event.occurred_on <= as_of]
        if not events or not isinstance(events[0], CaseOpened):
            raise CaseNotFoundError(read.case_id)
        return events

    def _load(self, case_id: UUID) -> FamilyCase:
        with _storage_errors():
            try:
                case: FamilyCase = self._store.repository.get(
                    case_id, projector_func=FamilyCase.project
                )
                return case
            except AggregateNotFoundError:
                raise CaseNotFoundError(case_id) from None

    def _save(self, case: FamilyCase) -> None:
        events = case.collect_events()
        if events:
            with _storage_errors():
                self._store.save(*events)

    def _retrying(self, attempt: Callable[[], R]) -> R:
        for number in range(MAX_ATTEMPTS):
            try:
                return attempt()
            except IntegrityError:
                # Lost a race: back off a little (jittered, doubling) so that writers
                # contending for one case stop colliding in lockstep.
                if number + 1 < MAX_ATTEMPTS:
                    pause = RETRY_BACKOFF_SECONDS * 2**number
                    time.sleep(random.uniform(0, pause))  # noqa: S311 (jitter, not secrets)
        raise ConcurrentUpdateError(
            f"another writer kept appending first ({MAX_ATTEMPTS} attempts); retry later"
        )

    def _decide(self, command: c.CaseCommand, decide: _Decider) -> Any:
        case = self._load(command.case_id)
        repeated, result = case.repeated(command)
        if repeated:
            return result
        result = decide(case, command, self.now())
        self._save(case)
        return result

    def _open(self, command: c.OpenCase) -> UUID:
        case_id = (
            case_id_for_request(command.request_id) if command.request_id is not None else uuid4()
        )

        def attempt() -> UUID:
            try:
                existing = self._load(case_id)
            except CaseNotFoundError:
                case = FamilyCase.open(command, case_id=case_id, now=self.now())
                self._save(case)
                return case_id
            repeated, result = existing.repeated(command)
            if repeated:
                return cast(UUID, result)
            raise CaseAlreadyExistsError(f"case {case_id} already exists")

        return self._retrying(attempt)


_Decider = Callable[[FamilyCase, Any, datetime], Any]

_DECIDERS: dict[type[c.Command], _Decider] = {
    c.AssignNamedWorker: FamilyCase.assign_named_worker,
    c.RecordMeeting: FamilyCase.record_meeting,
    c.RecordChildView: FamilyCase.record_child_view,
    c.AgreePlan: FamilyCase.agree_plan,
    c.SetGoal: FamilyCase.set_goal,
    c.UpdateGoal: FamilyCase.update_goal,
    c.OrderService: FamilyCase.order_service,
    c.StartService: FamilyCase.start_service,
    c.EndService: FamilyCase.end_service,
    c.CloseCase: FamilyCase.close_case,
}

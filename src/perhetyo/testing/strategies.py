"""Hypothesis strategies (hypoteesistrategiat): valid values, commands and case lives.

Hypothesis is the optional ``testing`` extra and is imported on first use.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Final, ParamSpec, TypeVar, cast
from uuid import UUID

from perhetyo import commands as c
from perhetyo.application import FamilyCases
from perhetyo.events import (
    CaseClosed,
    CaseEvent,
    CaseOpened,
    GoalSet,
    GoalUpdated,
    NamedWorkerAssigned,
    PlanAgreed,
    ServiceEnded,
    ServiceOrdered,
    ServiceStarted,
)
from perhetyo.testing.samples import FakeClock
from perhetyo.values import (
    FINAL_GOAL_STATUSES,
    NAMED_WORKER_PROFESSIONS,
    SHORT_TEXT_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    Actor,
    ClosureReason,
    GoalStatus,
    LegalBasis,
    MeetingKind,
    NamedWorker,
    PersonRef,
    Profession,
    ServiceKind,
    ServiceStatus,
    ServiceTask,
    Successor,
    SuccessorKind,
    looks_like_personal_identity_code,
)

if TYPE_CHECKING:
    from hypothesis import strategies as st
    from hypothesis.strategies import DrawFn, SearchStrategy
else:

    class _Strategies:
        """``hypothesis.strategies``, imported on first use (the optional ``testing`` extra)."""

        def __getattr__(self, name: str) -> Any:
            try:
                module = importlib.import_module("hypothesis.strategies")
            except ImportError as exc:
                raise ImportError(
                    "perhetyo.testing strategies need hypothesis: install perhetyo[testing]"
                ) from exc
            return getattr(module, name)

    st = _Strategies()

__all__ = [
    "DEFAULT_TODAY",
    "CommandSequence",
    "actors",
    "case_commands",
    "command_sequences",
    "ids",
    "named_workers",
    "open_case_commands",
    "person_refs",
    "texts",
]


# --- hypothesis strategies: values -------------------------------------------------------

DEFAULT_TODAY: Final = date(2020, 12, 31)
"""The business date the strategies take as today by default: ``FakeClock()``'s date."""

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _cached(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """``functools.cache``, keeping the signature for type checkers.

    The strategy builders are cached: a strategy is immutable, and building and validating
    it afresh on every draw took half of the generation time.
    """
    return cast(Callable[_P, _R], functools.cache(function))


_ID_PATTERN: Final = r"[A-Za-z0-9][A-Za-z0-9._:\-]{0,31}"
_WORD_CATEGORIES: Final = ("L", "M", "N", "P", "S")
"""Letters, marks, numbers, punctuation, symbols: no whitespace, controls or surrogates."""


@_cached
def ids() -> SearchStrategy[str]:
    """Opaque ids (tunnisteet) as the host's registry might give them, never a hetu."""
    return st.from_regex(_ID_PATTERN, fullmatch=True).filter(
        lambda value: not looks_like_personal_identity_code(value)
    )


@_cached
def texts(max_length: int = TEXT_MAX_LENGTH) -> SearchStrategy[str]:
    """Free text (vapaa teksti) that the commands keep as given: words, single spaces.

    Any letters, marks, digits, punctuation and symbols (Finnish ones too); no surrounding
    whitespace, so the stored text equals the drawn one; 1 to ``max_length`` characters.
    """
    if max_length < 1:
        raise ValueError("max_length must be at least 1")
    words = st.text(st.characters(categories=_WORD_CATEGORIES), min_size=1, max_size=12)
    return st.lists(words, min_size=1, max_size=6).map(
        lambda parts: " ".join(parts)[:max_length].rstrip(" ")
    )


@_cached
def _short_texts() -> SearchStrategy[str]:
    return texts(SHORT_TEXT_MAX_LENGTH)


@_cached
def actors() -> SearchStrategy[Actor]:
    """Acting users (toimijat) with or without a profession and an organisation."""
    return st.builds(
        Actor,
        id=ids(),
        name=_short_texts(),
        profession=st.none() | st.sampled_from(Profession),
        organisation=st.none() | _short_texts(),
    )


@_cached
def _birth_dates(today: date) -> SearchStrategy[date | None]:
    earliest = date(max(today.year - 20, date.min.year), 1, 1)
    return st.none() | st.dates(min_value=earliest, max_value=today)


@_cached
def person_refs(*, today: date = DEFAULT_TODAY) -> SearchStrategy[PersonRef]:
    """Children or guardians (asiakasviitteet), born at the latest ``today`` when known."""
    return st.builds(
        PersonRef, id=ids(), display_name=_short_texts(), birth_date=_birth_dates(today)
    )


def _qualified_professions(legal_basis: LegalBasis) -> frozenset[Profession]:
    if legal_basis is LegalBasis.CHILD_WELFARE_ACT:
        return frozenset({Profession.SOCIAL_WORKER})
    return NAMED_WORKER_PROFESSIONS


@_cached
def named_workers(
    qualified: bool | None = True,
    *,
    legal_basis: LegalBasis = LegalBasis.SOCIAL_WELFARE_ACT,
) -> SearchStrategy[NamedWorker]:
    """Named workers (omatyöntekijät) whose profession may, or may not, hold the role.

    ``qualified=True``: allowed in a case of ``legal_basis``; ``False``: refused there;
    ``None``: any profession.
    """
    allowed = _qualified_professions(legal_basis)
    professions = [
        profession
        for profession in Profession
        if qualified is None or (profession in allowed) == qualified
    ]
    return st.builds(
        NamedWorker, id=ids(), name=_short_texts(), profession=st.sampled_from(professions)
    )


def _days_before(day: date, days: int) -> date:
    return day - timedelta(days=min(days, (day - date.min).days))


def open_case_commands(
    *,
    today: date = DEFAULT_TODAY,
    legal_basis: LegalBasis | None = None,
    actor: SearchStrategy[Actor] | None = None,
) -> SearchStrategy[c.OpenCase]:
    """Openings (aloitukset) the rules accept on ``today``: opened within two years before."""

    def draw_opening(draw: DrawFn) -> c.OpenCase:
        basis = draw(st.sampled_from(LegalBasis)) if legal_basis is None else legal_basis
        people = person_refs(today=today)
        return c.OpenCase(
            children=draw(st.lists(people, min_size=1, max_size=3, unique_by=_person_id)),
            guardians=draw(st.lists(people, max_size=2, unique_by=_person_id)),
            legal_basis=basis,
            named_worker=draw(named_workers(legal_basis=basis)),
            opened_on=draw(st.dates(_days_before(today, 730), today)),
            service_task=draw(st.none() | st.sampled_from(ServiceTask)),
            previous_case_id=draw(st.none() | st.uuids()),
            actor=draw(actors() if actor is None else actor),
        )

    return st.composite(draw_opening)()


def _person_id(person: PersonRef) -> str:
    return person.id


# --- hypothesis strategies: commands on a case --------------------------------------------


@dataclass
class _Draft:
    """What the rules need to know of one case, to draw commands they accept."""

    case_id: UUID
    legal_basis: LegalBasis
    opened_on: date
    children: tuple[str, ...]
    closed: bool = False
    latest_on: date = date.min
    worker_on: date = date.min
    plan_on: date = date.min
    goals: dict[UUID, tuple[bool, date]] = field(default_factory=dict)
    """Goal id -> (in a final status, the date of its setting or latest update)."""
    services: dict[UUID, tuple[ServiceStatus, date]] = field(default_factory=dict)
    """Service id -> (status, the date its next step may not precede)."""
    goals_set_on: dict[UUID, date] = field(default_factory=dict)
    """Goal id -> the date it was set (a service names only goals set by its order date)."""

    @classmethod
    def opened(cls, case_id: UUID, opening: c.OpenCase | CaseOpened) -> _Draft:
        day = opening.opened_on
        return cls(
            case_id=case_id,
            legal_basis=opening.legal_basis,
            opened_on=day,
            children=tuple(child.id for child in opening.children),
            latest_on=day,
            worker_on=day,
            plan_on=day,
        )

    @classmethod
    def of(cls, history: Sequence[CaseEvent]) -> _Draft:
        if not history or not isinstance(history[0], CaseOpened):
            raise ValueError("a case history starts with its CaseOpened event")
        draft = cls.opened(history[0].originator_id, history[0])
        for event in history[1:]:
            draft.latest_on = max(draft.latest_on, event.occurred_on)
            if isinstance(event, NamedWorkerAssigned):
                draft.worker_on = event.assigned_on
            elif isinstance(event, PlanAgreed):
                draft.plan_on = event.agreed_on
            elif isinstance(event, GoalSet):
                draft.goals[event.goal_id] = (False, event.set_on)
                draft.goals_set_on[event.goal_id] = event.set_on
            elif isinstance(event, GoalUpdated):
                draft.goals[event.goal_id] = (
                    event.status in FINAL_GOAL_STATUSES,
                    event.updated_on,
                )
            elif isinstance(event, ServiceOrdered):
                draft.services[event.service_id] = (ServiceStatus.ORDERED, event.ordered_on)
            elif isinstance(event, ServiceStarted):
                draft.services[event.service_id] = (ServiceStatus.ACTIVE, event.started_on)
            elif isinstance(event, ServiceEnded):
                status = ServiceStatus.CANCELLED if event.cancelled else ServiceStatus.ENDED
                draft.services[event.service_id] = (status, event.ended_on)
            elif isinstance(event, CaseClosed):
                draft.closed = True
        return draft

    def decided(self, command: c.CaseCommand[Any], new_id: UUID | None) -> None:
        """Evolve by a command the rules accepted; ``new_id`` stands for what it created."""
        match command:
            case c.AssignNamedWorker(assigned_on=day):
                self.worker_on = day
            case c.AgreePlan(agreed_on=day):
                self.plan_on = day
            case c.SetGoal(set_on=day) if new_id is not None:
                self.goals[new_id] = (False, day)
                self.goals_set_on[new_id] = day
            case c.UpdateGoal(goal_id=goal_id, status=status, updated_on=day):
                self.goals[goal_id] = (status in FINAL_GOAL_STATUSES, day)
            case c.OrderService(ordered_on=day) if new_id is not None:
                self.services[new_id] = (ServiceStatus.ORDERED, day)
            case c.StartService(service_id=service_id, started_on=day):
                self.services[service_id] = (ServiceStatus.ACTIVE, day)
            case c.EndService(service_id=service_id, ended_on=day):
                self.services[service_id] = (ServiceStatus.ENDED, day)
            case c.CloseCase():
                self.closed = True
        self.latest_on = max(self.latest_on, _business_date(command))

    def open_goals(self) -> list[UUID]:
        return [goal_id for goal_id, (final, _) in self.goals.items() if not final]

    def services_in(self, *statuses: ServiceStatus) -> list[UUID]:
        return [sid for sid, (status, _) in self.services.items() if status in statuses]


_DATE_FIELDS: Final[dict[type[c.CaseCommand[Any]], str]] = {
    c.AssignNamedWorker: "assigned_on",
    c.RecordMeeting: "held_on",
    c.RecordChildView: "recorded_on",
    c.AgreePlan: "agreed_on",
    c.SetGoal: "set_on",
    c.UpdateGoal: "updated_on",
    c.OrderService: "ordered_on",
    c.StartService: "started_on",
    c.EndService: "ended_on",
    c.CloseCase: "closed_on",
}


def _business_date(command: c.CaseCommand[Any]) -> date:
    day: date = getattr(command, _DATE_FIELDS[type(command)])
    return day


@dataclass(frozen=True)
class _Turn:
    """What drawing one command needs: the case, today, the date range and common fields."""

    draft: _Draft
    today: date
    on: SearchStrategy[date]
    common: dict[str, Any]

    def children(self) -> SearchStrategy[str]:
        return st.sampled_from(self.draft.children)

    def running(self) -> list[UUID]:
        return self.draft.services_in(ServiceStatus.ORDERED, ServiceStatus.ACTIVE)


def _assign(draw: DrawFn, turn: _Turn) -> c.CaseCommand[Any]:
    return c.AssignNamedWorker(
        **turn.common,
        worker=draw(named_workers(legal_basis=turn.draft.legal_basis)),
        assigned_on=draw(turn.on),
        reason=draw(texts()),
    )


def _meeting(draw: DrawFn, turn: _Turn) -> c.CaseCommand[Any]:
    return c.RecordMeeting(
        **turn.common,
        kind=draw(st.sampled_from(MeetingKind)),
        held_on=draw(turn.on),
        participants=draw(st.lists(_short_texts(), max_size=3)),
        summary=draw(texts()),
    )


def _child_view(draw: DrawFn, turn: _Turn) -> c.CaseCommand[Any]:
    heard = draw(st.booleans())
    return c.RecordChildView(
        **turn.common,
        child_id=draw(turn.children()),
        view=draw(texts()) if heard else None,
        not_heard_reason=None if heard else draw(texts()),
        recorded_on=draw(turn.on),
    )


def _plan(draw: DrawFn, turn: _Turn) -> c.CaseCommand[Any]:
    agreed_on = draw(turn.on)
    return c.AgreePlan(
        **turn.common,
        agreed_on=agreed_on,
        agreements=draw(st.lists(texts(), min_size=1, max_size=3)),
        dissent=draw(st.lists(texts(), max_size=2)),
        review_due_on=draw(st.none() | st.dates(agreed_on, agreed_on + timedelta(365))),
    )


def _goal(draw: DrawFn, turn: _Turn) -> c.CaseCommand[Any]:
    set_on = draw(turn.on)
    return c.SetGoal(
        **turn.common,
        description=draw(texts()),
        set_on=set_on,
        target_date=draw(st.none() | st.dates(set_on, set_on + timedelta(365))),
        child_id=draw(st.none() | turn.children()),
    )


def _update(draw: DrawFn, turn: _Turn) -> c.CaseCommand[Any]:
    goal_id = draw(st.sampled_from(turn.draft.open_goals()))
    return c.UpdateGoal(
        **turn.common,
        goal_id=goal_id,
        status=draw(st.sampled_from(GoalStatus)),
        progress=draw(st.none() | st.integers(0, 100)),
        note=draw(st.none() | texts()),
        updated_on=draw(st.dates(turn.draft.goals[goal_id][1], turn.today)),
    )


def _order(draw: DrawFn, turn: _Turn) -> c.CaseCommand[Any]:
    ordered_on = draw(turn.on)
    goals = [goal for goal, day in turn.draft.goals_set_on.items() if day <= ordered_on]
    return c.OrderService(
        **turn.common,
        kind=draw(st.sampled_from(ServiceKind)),
        provider=draw(_short_texts()),
        ordered_on=ordered_on,
        goal_ids=draw(st.lists(st.sampled_from(goals), max_size=3, unique=True)) if goals else (),
    )


def _start(draw: DrawFn, turn: _Turn) -> c.CaseCommand[Any]:
    service_id = draw(st.sampled_from(turn.draft.services_in(ServiceStatus.ORDERED)))
    return c.StartService(
        **turn.common,
        service_id=service_id,
        started_on=draw(st.dates(turn.draft.services[service_id][1], turn.today)),
    )


def _end(draw: DrawFn, turn: _Turn) -> c.CaseCommand[Any]:
    service_id = draw(st.sampled_from(turn.running()))
    return c.EndService(
        **turn.common,
        service_id=service_id,
        ended_on=draw(st.dates(turn.draft.services[service_id][1], turn.today)),
        reason=draw(texts()),
    )


def _close(draw: DrawFn, turn: _Turn) -> c.CaseCommand[Any]:
    heard = {child: draw(st.booleans()) for child in turn.draft.children}
    successors = st.builds(
        Successor, kind=st.sampled_from(SuccessorKind), case_id=st.none() | st.uuids()
    )
    return c.CloseCase(
        **turn.common,
        closed_on=draw(turn.on),
        reason=draw(st.sampled_from(ClosureReason)),
        child_views={child: draw(texts()) for child, yes in heard.items() if yes},
        not_heard_reasons={child: draw(texts()) for child, yes in heard.items() if not yes},
        successor=draw(st.none() | successors),
    )


def _draw_command(
    draw: DrawFn,
    draft: _Draft,
    *,
    today: date,
    actor: SearchStrategy[Actor],
    closing: bool,
) -> c.CaseCommand[Any]:
    """One command the rules accept on ``draft`` on ``today`` (on or after all its dates)."""
    running = draft.services_in(ServiceStatus.ORDERED, ServiceStatus.ACTIVE)
    # Each kind of command that fits, with the earliest business date the rules allow it.
    kinds: dict[Callable[[DrawFn, _Turn], c.CaseCommand[Any]], date] = {
        _assign: draft.worker_on,
        _meeting: draft.opened_on,
        _child_view: draft.opened_on,
        _plan: draft.plan_on,
        _goal: draft.opened_on,
        _order: draft.opened_on,
    }
    if draft.open_goals():
        kinds[_update] = draft.opened_on
    if draft.services_in(ServiceStatus.ORDERED):
        kinds[_start] = draft.opened_on
    if running:
        kinds[_end] = draft.opened_on
    if closing and not running:
        kinds[_close] = draft.latest_on
    kind = draw(st.sampled_from(list(kinds)))
    turn = _Turn(
        draft=draft,
        today=today,
        on=st.dates(kinds[kind], today),
        common={"case_id": draft.case_id, "actor": draw(actor)},
    )
    command: c.CaseCommand[Any] = kind(draw, turn)
    return command


def case_commands(
    history: Sequence[CaseEvent],
    *,
    today: date = DEFAULT_TODAY,
    actor: SearchStrategy[Actor] | None = None,
    closing: bool = True,
) -> SearchStrategy[c.CaseCommand[Any]]:
    """One command (komento) the rules accept on the case with ``history``, on ``today``.

    ``history`` is the case's events (``FamilyCases.history``); ``today`` must be on or
    after every business date in it. ``closing=False`` never closes the case. Run the
    command with ``FamilyCases.execute``. A closed case takes no command (``ValueError``).
    """
    draft = _Draft.of(history)
    if draft.closed:
        raise ValueError("a closed case takes no commands")
    if today < draft.latest_on:
        raise ValueError("today is before a business date already in the history")
    actor_strategy = actors() if actor is None else actor

    def draw_command(draw: DrawFn) -> c.CaseCommand[Any]:
        return _draw_command(draw, draft, today=today, actor=actor_strategy, closing=closing)

    return st.composite(draw_command)()


def _placeholder(number: int) -> UUID:
    return UUID(int=number)


@dataclass(frozen=True)
class CommandSequence:
    """A random valid life of one case (asiakkuuden kulku): an opening, then commands.

    The case, goal, service and meeting ids do not exist until the commands run, so the
    commands refer to them by placeholders: ``case_id`` stands for the case, and
    ``results[i]`` (or None) for what ``commands[i]`` creates. :meth:`run` swaps the
    placeholders for the real ids as it goes.
    """

    opening: c.OpenCase
    commands: tuple[c.CaseCommand[Any], ...]
    results: tuple[UUID | None, ...]
    today: date
    case_id: UUID = field(default=_placeholder(1))

    def run(self, cases: FamilyCases, *, clock: FakeClock | None = None) -> dict[UUID, UUID]:
        """Execute every command on ``cases``; returns each placeholder and its real id.

        The store's clock must be on or after ``today`` in Helsinki. With ``clock``, it is
        advanced by one second before each command, so record times differ.
        """
        real: dict[UUID, UUID] = {}
        if clock is not None:
            clock.advance()
        real[self.case_id] = cases.execute(self.opening)
        for command, placeholder in zip(self.commands, self.results, strict=True):
            if clock is not None:
                clock.advance()
            result = cases.execute(_resolved(command, real))
            if placeholder is not None:
                real[placeholder] = cast(UUID, result)
        return real


def _resolved(command: c.CaseCommand[Any], real: dict[UUID, UUID]) -> c.CaseCommand[Any]:
    fields = type(command).model_fields
    update: dict[str, Any] = {
        name: real.get(value, value)
        for name in ("case_id", "goal_id", "service_id")
        if name in fields and isinstance(value := getattr(command, name), UUID)
    }
    if isinstance(command, c.OrderService):
        update["goal_ids"] = tuple(real.get(goal_id, goal_id) for goal_id in command.goal_ids)
    return command.model_copy(update=update)


_CREATES: Final = (c.RecordMeeting, c.SetGoal, c.OrderService)


def command_sequences(
    *,
    today: date = DEFAULT_TODAY,
    max_size: int = 20,
    actor: SearchStrategy[Actor] | None = None,
    closing: bool = True,
) -> SearchStrategy[CommandSequence]:
    """Random valid lives of one case: an opening and up to ``max_size`` commands.

    Every command is accepted when the sequence runs on a store whose today (Helsinki) is
    ``today`` or later; ``closing=False`` keeps the case open to the end. Business dates are
    drawn between the opening and ``today``, not in order: only the rules' order holds.
    """
    actor_strategy = actors() if actor is None else actor

    def draw_sequence(draw: DrawFn) -> CommandSequence:
        opening = draw(open_case_commands(today=today, actor=actor_strategy))
        case_id = _placeholder(1)
        draft = _Draft.opened(case_id, opening)
        commands: list[c.CaseCommand[Any]] = []
        results: list[UUID | None] = []
        for index in range(draw(st.integers(0, max_size))):
            if draft.closed:
                break
            command = _draw_command(draw, draft, today=today, actor=actor_strategy, closing=closing)
            new_id = _placeholder(index + 2) if isinstance(command, _CREATES) else None
            draft.decided(command, new_id)
            commands.append(command)
            results.append(new_id)
        return CommandSequence(opening, tuple(commands), tuple(results), today, case_id)

    return st.composite(draw_sequence)()

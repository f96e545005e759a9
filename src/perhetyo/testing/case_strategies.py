"""Hypothesis strategies for a case's life (asiakkuuden kulku): openings, commands, lives.

The commands are drawn from the case as the aggregate itself keeps it: a
:class:`~perhetyo.aggregates.case.FamilyCase` folded from a history with
``FamilyCase.project``, or evolved by the aggregate's own decide methods while a sequence is
drawn. The strategies keep no copy of the rules' state, so they cannot drift from it. The
values in the commands come from :mod:`perhetyo.testing.value_strategies`.

Hypothesis is the optional ``testing`` extra and is imported on first use.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, Final, TypeVar, cast
from uuid import UUID

from perhetyo import commands as c
from perhetyo.aggregates.case import FamilyCase
from perhetyo.application import FamilyCases
from perhetyo.events import CaseEvent, CaseOpened
from perhetyo.testing import statutory_strategies as statutory
from perhetyo.testing.matter_strategies import (
    draw_completion,
    draw_decline,
    draw_pending,
    draw_start,
    latest_pending_on,
    matter_ids_in_real,
    started_matters,
    unstarted_matters,
)
from perhetyo.testing.samples import FakeClock
from perhetyo.testing.value_strategies import (
    DEFAULT_TODAY,
    actors,
    ids,
    named_workers,
    person_pool,
    person_refs,
    person_with_id,
    texts,
)
from perhetyo.time import HELSINKI
from perhetyo.values import (
    SHORT_TEXT_MAX_LENGTH,
    Actor,
    ClosureReason,
    GoalStatus,
    Initiation,
    LegalBasis,
    MeetingKind,
    PersonRef,
    Recipient,
    ServiceKind,
    ServiceStatus,
    ServiceTask,
    Successor,
    SuccessorKind,
)

if TYPE_CHECKING:
    from hypothesis import strategies as st
    from hypothesis.strategies import DrawFn, SearchStrategy
else:
    from perhetyo.testing.value_strategies import st

__all__ = [
    "CommandSequence",
    "case_commands",
    "command_sequences",
    "open_case_commands",
    "with_real_ids",
]


# --- hypothesis strategies: the opening ---------------------------------------------------


def _days_before(day: date, days: int) -> date:
    return day - timedelta(days=min(days, (day - date.min).days))


@dataclass(frozen=True)
class _Steer:
    """How a caller steers the drawn lives: whose ids, how many children, which basis.

    ``person_ids``: the pool every child's and guardian's id comes from (None: any id);
    a case holds ``min_children`` to ``max_children`` children at every step (None: no
    upper bound once opened); ``keeps_legal_basis``: no assessment turns the case into
    child welfare, so it keeps the legal basis it opened with.
    """

    person_ids: tuple[str, ...] | None = None
    min_children: int = 1
    max_children: int | None = None
    keeps_legal_basis: bool = False

    @classmethod
    def checked(
        cls,
        *,
        person_ids: Sequence[str] | None,
        min_children: int,
        max_children: int,
        keeps_legal_basis: bool = False,
    ) -> _Steer:
        """The steer, or a ``ValueError`` naming the argument that cannot be drawn."""
        if min_children < 1:
            raise ValueError("min_children must be at least 1: a case has a child")
        if max_children < min_children:
            raise ValueError("max_children must be at least min_children")
        pool = person_pool(person_ids)
        if pool is not None and len(pool) < min_children:
            raise ValueError("person_ids holds fewer ids than min_children")
        return cls(pool, min_children, max_children, keeps_legal_basis)

    def children(self, today: date) -> SearchStrategy[list[PersonRef]]:
        """The children of an opening: from the pool when there is one."""
        most = 3 if self.max_children is None else self.max_children
        if self.person_ids is None:
            return st.lists(
                person_refs(today=today),
                min_size=self.min_children,
                max_size=most,
                unique_by=_person_id,
            )
        chosen = st.lists(
            st.sampled_from(self.person_ids),
            min_size=self.min_children,
            max_size=min(most, len(self.person_ids)),
            unique=True,
        )
        return chosen.flatmap(lambda person_ids: _people_with_ids(person_ids, today))

    def guardians(
        self, draw: DrawFn, children: Sequence[PersonRef], today: date
    ) -> list[PersonRef]:
        """Up to two guardians, none of them one of the ``children``."""
        if self.person_ids is None:
            return draw(st.lists(person_refs(today=today), max_size=2, unique_by=_person_id))
        taken = {child.id for child in children}
        free = [person_id for person_id in self.person_ids if person_id not in taken]
        if not free:
            return []
        chosen = draw(st.lists(st.sampled_from(free), max_size=min(2, len(free)), unique=True))
        return draw(_people_with_ids(chosen, today))

    def may_join(self, case: FamilyCase) -> bool:
        """Whether a child may join ``case``: below the bound, and someone left to join."""
        if self.max_children is not None and len(case.children) >= self.max_children:
            return False
        return self.person_ids is None or any(p not in case.children for p in self.person_ids)

    def may_leave(self, case: FamilyCase) -> bool:
        """Whether a child may leave ``case``: the last child never does."""
        return len(case.children) > max(1, self.min_children)

    def newcomers(self, case: FamilyCase, today: date) -> SearchStrategy[PersonRef]:
        """A child not in ``case`` now (one who left may come back)."""
        if self.person_ids is None:
            return person_refs(today=today).filter(lambda person: person.id not in case.children)
        free = [person_id for person_id in self.person_ids if person_id not in case.children]
        return st.sampled_from(free).flatmap(lambda person: person_with_id(person, today=today))


_FREE: Final = _Steer()
"""No steering: any ids, any number of children (what ``case_commands`` draws)."""


def _people_with_ids(person_ids: Sequence[str], today: date) -> SearchStrategy[list[PersonRef]]:
    return st.tuples(*(person_with_id(person_id, today=today) for person_id in person_ids)).map(
        list
    )


def open_case_commands(
    *,
    today: date = DEFAULT_TODAY,
    legal_basis: LegalBasis | None = None,
    actor: SearchStrategy[Actor] | None = None,
    min_children: int = 1,
    max_children: int = 3,
    person_ids: Sequence[str] | None = None,
) -> SearchStrategy[c.OpenCase]:
    """Openings (aloitukset) the rules accept on ``today``: opened within two years before.

    ``min_children`` to ``max_children`` children; with ``person_ids``, every child's and
    guardian's id comes from that pool (a child is never also a guardian of the case).
    """
    steer = _Steer.checked(
        person_ids=person_ids, min_children=min_children, max_children=max_children
    )
    return _openings(today, legal_basis, actor, steer)


def _openings(
    today: date,
    legal_basis: LegalBasis | None,
    actor: SearchStrategy[Actor] | None,
    steer: _Steer,
) -> SearchStrategy[c.OpenCase]:
    def draw_opening(draw: DrawFn) -> c.OpenCase:
        basis = draw(st.sampled_from(LegalBasis)) if legal_basis is None else legal_basis
        opened_on = draw(st.dates(_days_before(today, 730), today))
        children = draw(steer.children(today))
        return c.OpenCase(
            children=children,
            guardians=steer.guardians(draw, children, today),
            legal_basis=basis,
            named_worker=draw(named_workers(legal_basis=basis)),
            opened_on=opened_on,
            service_task=draw(st.none() | st.sampled_from(ServiceTask)),
            previous_case_id=draw(st.none() | st.uuids()),
            actor=draw(actors() if actor is None else actor),
            pending_on=draw(st.none() | st.dates(_days_before(opened_on, 30), opened_on)),
            initiated_by=draw(st.none() | st.sampled_from(Initiation)),
            special_support=draw(st.booleans()),
            urgent=draw(st.booleans()),
        )

    return st.composite(draw_opening)()


def _person_id(person: PersonRef) -> str:
    return person.id


# --- hypothesis strategies: commands on a case --------------------------------------------
#
# The strategies keep no state of their own: a case is a ``FamilyCase``, folded from its
# history with ``FamilyCase.project`` or evolved by the aggregate's own decide methods, and
# every date floor below is read from it (its dates come from the events' ``occurred_on``).

_NOON: Final = time(12)


def _now_on(today: date) -> datetime:
    """An instant whose date in Helsinki is ``today``: when a drawn case decides."""
    return datetime.combine(today, _NOON, tzinfo=HELSINKI)


def _placeholder(number: int) -> UUID:
    return UUID(int=number)


def _placeholders(start: int) -> Callable[[], UUID]:
    """A ``FamilyCase.new_id`` that gives ``UUID(int=start)``, then the next, and so on."""
    numbers = itertools.count(start)
    return lambda: _placeholder(next(numbers))


def _case_of(history: Sequence[CaseEvent]) -> FamilyCase:
    """The case ``history`` leaves (``FamilyCase.project``); it must start with an opening."""
    case = FamilyCase.project(None, history)
    if case is None or not isinstance(history[0], CaseOpened):
        raise ValueError("a case history starts with its CaseOpened event")
    return case


def _decide(case: FamilyCase, command: c.CaseCommand[Any], today: date) -> UUID | None:
    """Evolve ``case`` by ``command`` with the aggregate's own decide method, on ``today``.

    Returns the id the command created (from ``case.new_id``), or None. A drawn command
    that the rules refuse raises here: a fault of the strategies, shown where it is made.
    """
    decide = FamilyCase.decider(type(command))
    if decide is None:
        raise TypeError(f"no decide method for {type(command).__name__}")
    result = decide(case, command, _now_on(today))
    case.collect_events()
    return result if isinstance(result, UUID) else None


@dataclass(frozen=True)
class _Turn:
    """What drawing one command needs: the case, today, the date range and common fields."""

    case: FamilyCase
    today: date
    on: SearchStrategy[date]
    common: dict[str, Any]
    steer: _Steer = _FREE

    @property
    def keeps_legal_basis(self) -> bool:
        """Whether the case must keep its legal basis (no child welfare begins)."""
        return self.steer.keeps_legal_basis

    def newcomers(self) -> SearchStrategy[PersonRef]:
        """A child who may join the case."""
        return self.steer.newcomers(self.case, self.today)

    def children(self) -> SearchStrategy[str]:
        return st.sampled_from(sorted(self.case.children))

    def from_(self, day: date) -> SearchStrategy[date]:
        """Dates from ``day`` to today."""
        return st.dates(day, self.today)


def _assign(draw: DrawFn, turn: _Turn) -> c.AssignNamedWorker:
    return c.AssignNamedWorker(
        **turn.common,
        worker=draw(named_workers(legal_basis=turn.case.legal_basis)),
        assigned_on=draw(turn.on),
        reason=draw(texts()),
    )


def _meeting(draw: DrawFn, turn: _Turn) -> c.RecordMeeting:
    return c.RecordMeeting(
        **turn.common,
        kind=draw(st.sampled_from(MeetingKind)),
        held_on=draw(turn.on),
        participants=draw(st.lists(texts(SHORT_TEXT_MAX_LENGTH), max_size=3)),
        summary=draw(texts()),
        **statutory.meeting_fields(draw),
    )


def _child_view(draw: DrawFn, turn: _Turn) -> c.RecordChildView:
    heard = draw(st.booleans())
    return c.RecordChildView(
        **turn.common,
        child_id=draw(turn.children()),
        view=draw(texts()) if heard else None,
        not_heard_reason=None if heard else draw(texts()),
        recorded_on=draw(turn.on),
        **statutory.child_view_fields(draw),
    )


def _plan(draw: DrawFn, turn: _Turn) -> c.AgreePlan:
    agreed_on = draw(turn.on)
    return c.AgreePlan(
        **turn.common,
        agreed_on=agreed_on,
        agreements=draw(st.lists(texts(), min_size=1, max_size=3)),
        dissent=draw(st.lists(texts(), max_size=2)),
        review_due_on=draw(st.none() | st.dates(agreed_on, agreed_on + timedelta(365))),
        **statutory.plan_content_fields(draw, agreed_on),
    )


def _goal(draw: DrawFn, turn: _Turn) -> c.SetGoal:
    set_on = draw(turn.on)
    return c.SetGoal(
        **turn.common,
        description=draw(texts()),
        set_on=set_on,
        target_date=draw(st.none() | st.dates(set_on, set_on + timedelta(365))),
        child_id=draw(st.none() | turn.children()),
    )


def _update(draw: DrawFn, turn: _Turn) -> c.UpdateGoal:
    goal_id = draw(st.sampled_from(turn.case.open_goals()))
    return c.UpdateGoal(
        **turn.common,
        goal_id=goal_id,
        status=draw(st.sampled_from(GoalStatus)),
        progress=draw(st.none() | st.integers(0, 100)),
        note=draw(st.none() | texts()),
        updated_on=draw(turn.from_(turn.case.goals[goal_id].last_on)),
    )


def _order(draw: DrawFn, turn: _Turn) -> c.OrderService:
    ordered_on = draw(turn.on)
    goals = [goal_id for goal_id, goal in turn.case.goals.items() if goal.set_on <= ordered_on]
    return c.OrderService(
        **turn.common,
        kind=draw(st.sampled_from(ServiceKind)),
        provider=draw(texts(SHORT_TEXT_MAX_LENGTH)),
        ordered_on=ordered_on,
        goal_ids=draw(st.lists(st.sampled_from(goals), max_size=3, unique=True)) if goals else (),
    )


def _start(draw: DrawFn, turn: _Turn) -> c.StartService:
    service_id = draw(st.sampled_from(turn.case.services_in(ServiceStatus.ORDERED)))
    return c.StartService(
        **turn.common,
        service_id=service_id,
        started_on=draw(turn.from_(turn.case.services[service_id].next_step_from)),
    )


def _end(draw: DrawFn, turn: _Turn) -> c.EndService:
    running = turn.case.services_in(ServiceStatus.ORDERED, ServiceStatus.ACTIVE)
    service_id = draw(st.sampled_from(running))
    return c.EndService(
        **turn.common,
        service_id=service_id,
        ended_on=draw(turn.from_(turn.case.services[service_id].next_step_from)),
        reason=draw(texts()),
    )


def _close(draw: DrawFn, turn: _Turn) -> c.CloseCase:
    heard = {child: draw(st.booleans()) for child in sorted(turn.case.children)}
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


def _recipient(draw: DrawFn, turn: _Turn) -> Recipient:
    """A recipient no ban covers; one with no ``person_id`` only while the case has no ban."""
    banned = turn.case.bans
    unbanned = ids().filter(lambda person: person not in banned)
    optional = st.none() | texts(SHORT_TEXT_MAX_LENGTH)
    return Recipient(
        surname=draw(texts(SHORT_TEXT_MAX_LENGTH)),
        first_names=draw(texts(SHORT_TEXT_MAX_LENGTH)),
        organisation=draw(optional),
        title=draw(optional),
        person_id=draw(unbanned if banned else st.none() | unbanned),
    )


def _disclose(draw: DrawFn, turn: _Turn) -> c.RecordDisclosure:
    return c.RecordDisclosure(
        **turn.common,
        disclosed_on=draw(turn.on),
        recipient=_recipient(draw, turn),
        grounds=draw(texts()),
        purpose=draw(texts()),
        content=draw(texts()),
    )


def _ban(draw: DrawFn, turn: _Turn) -> c.RecordDisclosureBan:
    return c.RecordDisclosureBan(
        **turn.common,
        child_id=draw(turn.children()),
        banned_person_ids=draw(st.lists(ids(), min_size=1, max_size=3, unique=True)),
        decided_on=draw(turn.on),
        reason=draw(texts()),
    )


def _correct(draw: DrawFn, turn: _Turn) -> c.CorrectEntry:
    return c.CorrectEntry(
        **turn.common,
        version=draw(st.integers(1, turn.case.version)),
        correction=draw(texts()),
        reason=draw(texts()),
    )


def _draw_command(
    draw: DrawFn,
    case: FamilyCase,
    *,
    today: date,
    actor: SearchStrategy[Actor],
    closing: bool,
    steer: _Steer = _FREE,
) -> c.CaseCommand[Any]:
    """One command the rules accept on ``case`` on ``today`` (on or after all its dates)."""
    opened_on = case.opened_on
    running = case.services_in(ServiceStatus.ORDERED, ServiceStatus.ACTIVE)
    # Each kind of command that fits, with the earliest business date the rules allow it.
    kinds: dict[Callable[[DrawFn, _Turn], c.CaseCommand[Any]], date] = {
        _assign: case.worker_assigned_on,
        _meeting: opened_on,
        _child_view: opened_on,
        _plan: max(case.plan_agreed_on, opened_on),
        _goal: opened_on,
        _order: opened_on,
        _disclose: opened_on,
        _ban: opened_on,
        _correct: opened_on,
    }
    kinds[statutory.decide_service] = opened_on
    if steer.may_join(case):
        kinds[statutory.add_child] = opened_on
    kinds[statutory.assign_child_worker] = opened_on
    kinds[statutory.cancel_meeting] = opened_on
    if steer.may_leave(case):
        kinds[statutory.remove_child] = opened_on
    if statutory.orderable_decisions(case, today):
        kinds[statutory.order_citing_a_decision] = opened_on
    kinds[draw_pending] = max(latest_pending_on(case), opened_on)
    if unstarted_matters(case):
        kinds[draw_start] = kinds[draw_decline] = opened_on
    if started_matters(case):
        kinds[draw_completion] = opened_on
    if case.open_goals():
        kinds[_update] = opened_on
    if case.services_in(ServiceStatus.ORDERED):
        kinds[_start] = opened_on
    if running:
        kinds[_end] = opened_on
    if closing and not running:
        kinds[_close] = case.latest_on
    kind = draw(st.sampled_from(list(kinds)))
    turn = _turn(draw, case, today, actor, steer, kinds[kind])
    command: c.CaseCommand[Any] = kind(draw, turn)
    return command


def _turn(  # noqa: PLR0917 (private: one call site's worth of context, read in order)
    draw: DrawFn,
    case: FamilyCase,
    today: date,
    actor: SearchStrategy[Actor],
    steer: _Steer,
    floor: date,
) -> _Turn:
    return _Turn(
        case=case,
        today=today,
        on=st.dates(floor, today),
        common={"case_id": case.id, "actor": draw(actor)},
        steer=steer,
    )


def _draw_closing(
    draw: DrawFn,
    case: FamilyCase,
    *,
    today: date,
    actor: SearchStrategy[Actor],
) -> list[c.CaseCommand[Any]]:
    """The commands that close ``case`` now: each running service ended, then the closing."""
    commands: list[c.CaseCommand[Any]] = []
    for service_id in case.services_in(ServiceStatus.ORDERED, ServiceStatus.ACTIVE):
        turn = _turn(draw, case, today, actor, _FREE, case.opened_on)
        commands.append(
            c.EndService(
                **turn.common,
                service_id=service_id,
                ended_on=draw(turn.from_(case.services[service_id].next_step_from)),
                reason=draw(texts()),
            )
        )
        _decide(case, commands[-1], today)
    commands.append(_close(draw, _turn(draw, case, today, actor, _FREE, case.latest_on)))
    _decide(case, commands[-1], today)
    return commands


def case_commands(
    history: Sequence[CaseEvent],
    *,
    today: date = DEFAULT_TODAY,
    actor: SearchStrategy[Actor] | None = None,
    closing: bool = True,
    person_ids: Sequence[str] | None = None,
    keeps_legal_basis: bool = False,
) -> SearchStrategy[c.CaseCommand[Any]]:
    """One command (komento) the rules accept on the case with ``history``, on ``today``.

    ``history`` is the case's events (``FamilyCases.history``); ``today`` must be on or
    after every business date in it. ``closing=False`` never closes the case; a child
    who joins comes from ``person_ids`` when given (None: any id); ``keeps_legal_basis``
    lets no assessment turn the case into child welfare. Run the command with
    ``FamilyCases.execute``. A closed case takes no command (``ValueError``).
    """
    case = _case_of(history)
    if not case.is_open:
        raise ValueError("a closed case takes no commands")
    if today < case.latest_on:
        raise ValueError("today is before a business date already in the history")
    actor_strategy = actors() if actor is None else actor
    steer = _Steer(person_pool(person_ids), keeps_legal_basis=keeps_legal_basis)

    def draw_command(draw: DrawFn) -> c.CaseCommand[Any]:
        return _draw_command(
            draw, case, today=today, actor=actor_strategy, closing=closing, steer=steer
        )

    return st.composite(draw_command)()


CommandT = TypeVar("CommandT", bound=c.Command[Any])


def with_real_ids(command: CommandT, real: Mapping[UUID, UUID]) -> CommandT:
    """``command`` with every placeholder id in ``real`` swapped for its real id.

    The ids a drawn command refers to (its case, goal, service and decision ids) may be
    placeholders for what earlier commands create when they run; ids not in ``real`` are
    kept.
    The ids a drawn command refers to (its case, goal, service and matter ids) may be placeholders
    for what earlier commands create when they run; ids not in ``real`` are kept.
    """
    if not isinstance(command, c.CaseCommand):
        return command
    fields = type(command).model_fields
    update: dict[str, Any] = {
        name: real.get(value, value)
        for name in ("case_id", "goal_id", "service_id")
        if name in fields and isinstance(value := getattr(command, name), UUID)
    }
    if isinstance(command, c.OrderService):
        update["goal_ids"] = tuple(real.get(goal_id, goal_id) for goal_id in command.goal_ids)
        if command.decision_id is not None:
            update["decision_id"] = real.get(command.decision_id, command.decision_id)
    matter_id = getattr(command, "matter_id", None)
    if isinstance(matter_id, UUID):
        update["matter_id"] = matter_ids_in_real(matter_id, real)
    return command.model_copy(update=update)


@dataclass(frozen=True)
class CommandSequence:
    """A random valid life of one case (asiakkuuden kulku): an opening, then commands.

    The case, goal, service and meeting ids do not exist until the commands run, so the
    commands refer to them by placeholders (``UUID(int=n)``): ``case_id`` stands for the
    case, and ``results[i]`` (or None) for what ``commands[i]`` creates. :meth:`run` swaps
    the placeholders for the real ids as it goes.
    """

    opening: c.OpenCase
    commands: tuple[c.CaseCommand[Any], ...]
    results: tuple[UUID | None, ...]
    today: date
    case_id: UUID = field(default=_placeholder(1))

    @property
    def steps(self) -> tuple[tuple[c.Command[Any], UUID | None], ...]:
        """Each command, the opening first, with the placeholder of what it creates."""
        return ((self.opening, self.case_id), *zip(self.commands, self.results, strict=True))

    def run(self, cases: FamilyCases, *, clock: FakeClock | None = None) -> dict[UUID, UUID]:
        """Execute every command on ``cases``; returns each placeholder and its real id.

        The store's clock must be on or after ``today`` in Helsinki. With ``clock``, it is
        advanced by one second before each command, so record times differ.
        """
        real: dict[UUID, UUID] = {}
        for command, placeholder in self.steps:
            if clock is not None:
                clock.advance()
            result = cases.execute(with_real_ids(command, real))
            if placeholder is not None:
                real[placeholder] = cast(UUID, result)
        return real


def command_sequences(
    *,
    today: date = DEFAULT_TODAY,
    max_size: int = 20,
    actor: SearchStrategy[Actor] | None = None,
    closing: bool = True,
    closed: bool | None = None,
    legal_basis: LegalBasis | None = None,
    min_children: int = 1,
    max_children: int = 3,
    person_ids: Sequence[str] | None = None,
) -> SearchStrategy[CommandSequence]:
    """Random valid lives of one case: an opening and up to ``max_size`` commands.

    Every command is accepted when the sequence runs on a store whose today (Helsinki) is
    ``today`` or later. Business dates are drawn between the opening and ``today``, not in
    order: only the rules' order holds.

    Steering: ``closed=True`` ends every life closed (its running services ended first,
    within ``max_size``), ``closed=False`` keeps the case open to the end (as does
    ``closing=False``), None closes it or not; ``legal_basis`` opens every case under that
    act and keeps it (no assessment turns it into child welfare); the case holds
    ``min_children`` to ``max_children`` children at every step; with ``person_ids``, every
    child and guardian comes from that pool of ids (children joining too).
    """
    steer = _Steer.checked(
        person_ids=person_ids,
        min_children=min_children,
        max_children=max_children,
        keeps_legal_basis=legal_basis is not None,
    )
    if closed is True and max_size < 1:
        raise ValueError("closed=True needs max_size of at least 1: the closing is a command")
    actor_strategy = actors() if actor is None else actor
    may_close = closing and closed is not False

    def draw_sequence(draw: DrawFn) -> CommandSequence:
        opening = draw(_openings(today, legal_basis, actor_strategy, steer))
        case = FamilyCase.open(opening, case_id=_placeholder(1), now=_now_on(today))
        case.collect_events()
        case.new_id = _placeholders(2)
        commands: list[c.CaseCommand[Any]] = []
        results: list[UUID | None] = []
        for _ in range(draw(st.integers(0, max_size))):
            if not case.is_open or (closed and not _room_to_close(case, len(commands), max_size)):
                break
            command = _draw_command(
                draw, case, today=today, actor=actor_strategy, closing=may_close, steer=steer
            )
            commands.append(command)
            results.append(_decide(case, command, today))
        if closed and case.is_open:
            closing_commands = _draw_closing(draw, case, today=today, actor=actor_strategy)
            commands.extend(closing_commands)
            results.extend([None] * len(closing_commands))
        return CommandSequence(opening, tuple(commands), tuple(results), today, case.id)

    return st.composite(draw_sequence)()


def _room_to_close(case: FamilyCase, drawn: int, max_size: int) -> bool:
    """Whether one more command still leaves room, within ``max_size``, to end every
    running service (one more, at most, than now) and close the case."""
    running = len(case.services_in(ServiceStatus.ORDERED, ServiceStatus.ACTIVE))
    return drawn + 1 + (running + 1) + 1 <= max_size

"""Hypothesis strategies for a case's commands (asiakkuuden komennot), one at a time.

The commands are drawn from the case as the aggregate itself keeps it: a
:class:`~perhetyo.aggregates.case.FamilyCase` folded from a history with
``FamilyCase.project``, or evolved by the aggregate's own decide methods while a sequence is
drawn (:mod:`perhetyo.testing.sequences`). The strategies keep no copy of the rules' state,
so they cannot drift from it. The values in the commands come from
:mod:`perhetyo.testing.value_strategies`; openings, and the steering that children
joining and leaving follow, from :mod:`perhetyo.testing.openings`.

Hypothesis is the optional ``testing`` extra and is imported on first use.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, Final
from uuid import UUID

from perhetyo import commands as c
from perhetyo.aggregates.case import FamilyCase
from perhetyo.events import CaseEvent, CaseOpened
from perhetyo.testing import statutory_strategies as statutory
from perhetyo.testing.matter_strategies import (
    draw_completion,
    draw_decline,
    draw_pending,
    draw_start,
    latest_pending_on,
    started_matters,
    unstarted_matters,
)
from perhetyo.testing.openings import FREE, Steer
from perhetyo.testing.value_strategies import (
    DEFAULT_TODAY,
    actors,
    ids,
    named_workers,
    person_pool,
    texts,
)
from perhetyo.time import HELSINKI
from perhetyo.values import (
    SHORT_TEXT_MAX_LENGTH,
    Actor,
    ClosureReason,
    GoalStatus,
    MeetingKind,
    PersonRef,
    Recipient,
    ServiceKind,
    ServiceStatus,
    Successor,
    SuccessorKind,
)

if TYPE_CHECKING:
    from hypothesis import strategies as st
    from hypothesis.strategies import DrawFn, SearchStrategy
else:
    from perhetyo.testing.value_strategies import st

__all__ = ["case_commands"]


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
    steer: Steer = FREE

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
    steer: Steer = FREE,
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
    steer: Steer,
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
        turn = _turn(draw, case, today, actor, FREE, case.opened_on)
        commands.append(
            c.EndService(
                **turn.common,
                service_id=service_id,
                ended_on=draw(turn.from_(case.services[service_id].next_step_from)),
                reason=draw(texts()),
            )
        )
        _decide(case, commands[-1], today)
    commands.append(_close(draw, _turn(draw, case, today, actor, FREE, case.latest_on)))
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
    opening = history[0]  # a CaseOpened (_case_of checked it)
    guardians = frozenset(
        person.id for person in (opening.guardians if isinstance(opening, CaseOpened) else ())
    )
    steer = Steer(
        person_pool(person_ids), keeps_legal_basis=keeps_legal_basis, guardian_ids=guardians
    )

    def draw_command(draw: DrawFn) -> c.CaseCommand[Any]:
        return _draw_command(
            draw, case, today=today, actor=actor_strategy, closing=closing, steer=steer
        )

    return st.composite(draw_command)()

"""Case histories (asiakkuuksien historiat) for the stored-projection tests: one generator.

:func:`histories` draws, with hypothesis, several cases' valid lives in one store,
interleaved: new cases from :func:`perhetyo.testing.command_sequences`, and more commands
for cases already in the store, drawn by :func:`perhetyo.testing.case_commands` on their
recorded events. Every test that needs histories draws them here, so they shrink: a
failure ends as the fewest, shortest cases that still show it.

:func:`grow` is the same generator for a bulk load seeded by a ``random.Random`` (the tests
that kill a worker or run on PostgreSQL): one example, drawn without shrinking.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Final, cast
from uuid import UUID

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from sqlalchemy import select

from perhetyo import Actor, DeadlineStatus, FamilyCases, NamedWorker
from perhetyo import commands as c
from perhetyo.aggregates.case import FamilyCase
from perhetyo.events import CaseEvent
from perhetyo.projections import CurrentPlan, GoalProgress, PlanContent
from perhetyo.testing import (
    DEFAULT_TODAY,
    FakeClock,
    actors,
    an_actor,
    case_commands,
    command_sequences,
    with_real_ids,
)
from perhetyo.time import HELSINKI, today_in

READER: Final = an_actor("reader-1")
STEP: Final = timedelta(minutes=7)
"""How far the clock moves before each step: record times differ, and stay in one day."""


@dataclass(frozen=True)
class Step:
    """One command of a history: which case's thread it belongs to, and what it creates."""

    thread: int
    command: c.Command[Any]
    creates: UUID | None
    """The placeholder that stands for the id the command creates (None: it creates none)."""


@dataclass(frozen=True)
class Histories:
    """Several cases' lives in one store, their steps interleaved in the order they run.

    A thread is one case: the first ``len(continued)`` threads continue the cases already
    in the store (``continued`` holds their ids), the others are new cases, each opened by
    its first step. Each thread's commands refer to what its earlier steps create by
    placeholders; :meth:`run` swaps them for the real ids.
    """

    continued: tuple[UUID, ...]
    steps: tuple[Step, ...]

    def run(self, cases: FamilyCases, clock: FakeClock) -> list[UUID]:
        """Run every step on ``cases``, the clock moving before each; returns every case id
        the histories touched: the continued ones, then the new ones as they opened."""
        real: dict[int, dict[UUID, UUID]] = {}
        case_ids = list(self.continued)
        for step in self.steps:
            clock.advance(STEP)
            ids = real.setdefault(step.thread, {})
            result = cases.execute(with_real_ids(step.command, ids))
            if step.creates is not None:
                ids[step.creates] = cast(UUID, result)
            if isinstance(step.command, c.OpenCase):
                case_ids.append(cast(UUID, result))
        return case_ids


def expensive_examples(**changes: Any) -> settings:
    """The active profile's settings for a test whose every example is costly (a process
    killed, a PostgreSQL schema made): a twenty-fourth of its examples, at least two."""
    active = settings.get_profile(settings.get_current_profile_name())
    return settings(active, max_examples=max(2, active.max_examples // 24), **changes)


def _noon(today: date) -> datetime:
    return datetime.combine(today, time(12), tzinfo=HELSINKI)


@st.composite
def _continuation(
    draw: st.DrawFn,
    history: Sequence[CaseEvent],
    today: date,
    max_size: int,
    actor: st.SearchStrategy[Actor],
) -> list[tuple[c.Command[Any], UUID | None]]:
    """More commands for a stored case: each drawn by ``case_commands`` on the events so
    far, then decided by the case itself (``FamilyCase``) to give the events it adds."""
    events = list(history)
    case = FamilyCase.project(None, events)
    if case is None or not case.is_open:
        return []
    case.new_id = _placeholders()
    commands: list[tuple[c.Command[Any], UUID | None]] = []
    for _ in range(draw(st.integers(0, max_size))):
        if not case.is_open:
            break
        command = draw(case_commands(events, today=today, actor=actor))
        decide = FamilyCase.decider(type(command))
        assert decide is not None
        result = decide(case, command, _noon(today))
        events.extend(case.collect_events())
        commands.append((command, result if isinstance(result, UUID) else None))
    return commands


def _placeholders() -> Callable[[], UUID]:
    """Placeholder ids for what a stored case's new commands create (never a uuid4)."""
    numbers = iter(range(2, 1 << 31))
    return lambda: UUID(int=next(numbers))


@st.composite
def histories(
    draw: st.DrawFn,
    *,
    existing: Sequence[Sequence[CaseEvent]] = (),
    today: date = DEFAULT_TODAY,
    min_cases: int = 1,
    max_cases: int = 3,
    max_size: int = 8,
) -> Histories:
    """Valid histories of ``min_cases`` to ``max_cases`` new cases (up to ``max_size``
    commands each) and of more commands (as many) for each case in ``existing``, with the
    steps of all of them interleaved. Business dates are on or before ``today``. A few
    drawn actors record everything, so that an example stays small enough to draw whole.

    Shrinks towards fewer, shorter cases run one after another.
    """
    actor = st.sampled_from(draw(st.lists(actors(), min_size=1, max_size=3), label="actors"))
    threads: list[list[tuple[c.Command[Any], UUID | None]]] = [
        draw(_continuation(history, today, max_size, actor)) for history in existing
    ]
    sequences = draw(
        st.lists(
            command_sequences(today=today, max_size=max_size, actor=actor),
            min_size=min_cases,
            max_size=max_cases,
        )
    )
    threads.extend(list(sequence.steps) for sequence in sequences)
    tokens = [thread for thread, steps in enumerate(threads) for _ in steps]
    order = draw(st.permutations(tokens), label="order")
    continued = tuple(history[0].originator_id for history in existing)
    return Histories(continued, _interleaved(threads, order))


def _interleaved(
    threads: Sequence[Sequence[tuple[c.Command[Any], UUID | None]]], order: Sequence[int]
) -> tuple[Step, ...]:
    """The threads' steps, each thread's in its own order, taken in turns as ``order`` says."""
    taken = [0] * len(threads)
    steps: list[Step] = []
    for thread in order:
        command, creates = threads[thread][taken[thread]]
        taken[thread] += 1
        steps.append(Step(thread, command, creates))
    return tuple(steps)


def stored_histories(cases: FamilyCases, case_ids: Sequence[UUID]) -> list[list[CaseEvent]]:
    """The recorded events of each case, to draw more :func:`histories` for them."""
    return [cases.history(case_id, actor=READER) for case_id in case_ids]


# --- a seeded bulk load ----------------------------------------------------------------------

_WANTED: list[st.SearchStrategy[Histories]] = []
_DRAWN: list[Histories] = []


# Decorated once, at import: a test that calls ``grow`` is itself running under @given, and
# hypothesis refuses to decorate a test inside another. The settings are a loader's, not a
# test's: draw (no shrinking, nothing saved), and no health checks, since nothing is tested.
@settings(
    max_examples=2,
    phases=[Phase.generate],
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
@given(data=st.data())
def _draw_histories(data: st.DataObject) -> None:
    _DRAWN.append(data.draw(_WANTED[-1]))


def _seeded_example(strategy: st.SearchStrategy[Histories], rng: random.Random) -> Histories:
    """One example of ``strategy``, the same for the same state of ``rng``.

    Hypothesis tries the simplest example first, then random ones from the seed: the last
    one drawn is kept.
    """
    _WANTED.append(strategy)
    _DRAWN.clear()
    try:
        seed(rng.getrandbits(64))(_draw_histories)()
    finally:
        _WANTED.pop()
    return _DRAWN[-1]


def grow(
    cases: FamilyCases,
    clock: FakeClock,
    rng: random.Random,
    case_ids: list[UUID],
    steps: int,
    *,
    new_case_weight: float = 0.15,
) -> int:
    """Run about ``steps`` commands of :func:`histories` on ``cases``: more for the cases in
    ``case_ids`` and new cases (about ``new_case_weight`` of the steps open one), appended
    to ``case_ids``. Returns how many commands ran (all are accepted).

    Each case is drawn on its own (a whole bulk load is more than one hypothesis example
    holds), and ``rng`` interleaves them.
    """
    new_cases = max(round(steps * new_case_weight), 0 if case_ids else 1)
    today = today_in(clock())
    size = max(2 * steps // max(len(case_ids) + new_cases, 1), 1)
    continued = [
        histories(existing=[history], today=today, min_cases=0, max_cases=0, max_size=size)
        for history in stored_histories(cases, case_ids)
    ]
    opened = [histories(today=today, max_cases=1, max_size=size)] * new_cases
    parts = [_seeded_example(strategy, rng) for strategy in continued + opened]
    threads = [[(step.command, step.creates) for step in part.steps] for part in parts]
    order = [thread for thread, steps in enumerate(threads) for _ in steps]
    rng.shuffle(order)
    drawn = Histories(tuple(case_ids), _interleaved(threads, order))
    touched = drawn.run(cases, clock)
    case_ids.extend(touched[len(case_ids) :])
    return len(drawn.steps)


# --- what the stored tables must hold ----------------------------------------------------------


DEADLINE_DAYS: Final = (date(2019, 1, 15), DEFAULT_TODAY, date(2022, 6, 30))
"""Days the deadlines are compared on: before, at and after the drawn histories' today."""


def without_personal(plan: CurrentPlan) -> CurrentPlan:
    """The plan as an encrypted store's tables keep it: every personal field empty."""

    def nameless(worker: NamedWorker) -> NamedWorker:
        return worker.evolve(name="")

    return plan.evolve(
        named_worker=nameless(plan.named_worker),
        children=(),
        guardians=(),
        agreements=(),
        dissent=(),
        child_views={},
        goals=tuple(goal.evolve(description="") for goal in plan.goals),
        services=tuple(service.evolve(provider="") for service in plan.services),
        decisions=tuple(
            decision.evolve(reasoning="", decision_maker=nameless(decision.decision_maker))
            for decision in plan.decisions
        ),
        memberships=tuple(
            membership.evolve(
                child=membership.child.evolve(display_name="", birth_date=None),
                view=None,
                not_heard_reason=None,
                worker=None if membership.worker is None else nameless(membership.worker),
            )
            for membership in plan.memberships
        ),
        plan_content=PlanContent(rights_explained=plan.plan_content.rights_explained),
        cancelled_meetings=tuple(
            meeting.evolve(reason="") for meeting in plan.cancelled_meetings
        ),
        matters=tuple(
            matter
            if matter.assessment is None
            else matter.evolve(
                assessment=matter.assessment.evolve(
                    conclusions=None, child_views={}, not_heard_reasons={}, decline_reason=None
                )
            )
            for matter in plan.matters
        ),
    )


def progress_without_personal(progress: Sequence[GoalProgress]) -> list[GoalProgress]:
    """Goal progress as an encrypted store's tables keep it: no descriptions, no notes."""
    return [
        goal.evolve(
            description="", updates=tuple(point.evolve(note=None) for point in goal.updates)
        )
        for goal in progress
    ]


def assert_stored_equals_live(cases: FamilyCases, case_ids: list[UUID]) -> None:
    """Row for row, the stored tables hold what the live folds give, for every case, and
    their derived columns say what the events say; the stored deadlines, on any day, are
    the live ones, and the overdue ones across all cases are the live overdue ones."""
    views = cases.stored_views
    statutory_rows = dict.fromkeys(
        ("perhetyo_decisions", "perhetyo_child_memberships", "perhetyo_cancelled_meetings"), 0
    )
    for on in DEADLINE_DAYS:
        live = [
            deadline
            for case_id in case_ids
            for deadline in cases.deadlines(case_id, actor=READER, on=on)
        ]
        for case_id in case_ids:
            assert views.deadlines(case_id, on) == [d for d in live if d.case_id == case_id]
        overdue = [d for d in live if d.status is DeadlineStatus.OVERDUE]
        assert views.overdue(on) == sorted(
            overdue, key=lambda d: (d.due_on, str(d.case_id), live.index(d))
        )
    for case_id in case_ids:
        plan = cases.current_plan(case_id, actor=READER)
        statutory_rows["perhetyo_decisions"] += len(plan.decisions)
        statutory_rows["perhetyo_child_memberships"] += len(plan.memberships)
        statutory_rows["perhetyo_cancelled_meetings"] += len(plan.cancelled_meetings)
        assert_case_stored_equals_live(cases, case_id)
    counts = {status.projection: status.rows for status in views.status()}
    assert counts["CurrentPlan"]["perhetyo_cases"] == len(case_ids)
    for table, rows in statutory_rows.items():  # one row each, none left behind
        assert counts["CurrentPlan"][table] == rows, table
    total_events = sum(len(cases.history(case_id, actor=READER)) for case_id in case_ids)
    assert counts["AuditTrail"]["perhetyo_audit_entries"] == total_events


def assert_case_stored_equals_live(cases: FamilyCases, case_id: UUID) -> None:
    """One case's stored rows hold what its live folds give. On an encrypted store the
    stored tables keep no personal field: only the others are compared (and the personal
    ones must be empty)."""
    views = cases.stored_views
    plan = cases.current_plan(case_id, actor=READER)
    progress = cases.goal_progress(case_id, actor=READER)
    if cases.encrypted:
        assert views.current_plan(case_id) == without_personal(plan)
        assert views.goal_progress(case_id) == progress_without_personal(progress)
    else:
        assert views.current_plan(case_id) == plan
        assert views.goal_progress(case_id) == progress
    assert views.audit_trail(case_id) == cases.audit_trail(case_id, actor=READER)
    last_meeting = plan.last_meeting  # the latest held
    assert stored_last_meeting_on(cases, case_id) == (
        None if last_meeting is None else last_meeting.held_on
    )
    history = cases.history(case_id, actor=READER)
    assert stored_summaries(cases, case_id) == [event.describe() for event in history]


def stored_last_meeting_on(cases: FamilyCases, case_id: UUID) -> date | None:
    """The ``last_meeting_on`` column of the case's stored row."""
    views = cases.stored_views
    table = views.tables.cases
    with views.engine.connect() as conn:
        day = conn.execute(
            select(table.c.last_meeting_on).where(table.c.case_id == str(case_id))
        ).scalar_one()
    return cast(date | None, day)


def stored_summaries(cases: FamilyCases, case_id: UUID) -> list[tuple[str, str]]:
    """The (Finnish, English) summaries of the case's stored audit rows, by version."""
    views = cases.stored_views
    table = views.tables.audit_entries
    query = (
        select(table.c.summary, table.c.summary_en)
        .where(table.c.case_id == str(case_id))
        .order_by(table.c.version)
    )
    with views.engine.connect() as conn:
        return [(fi, en) for fi, en in conn.execute(query)]

"""Concurrent writers on one case: a busy case makes commands wait their turn, not fail.

Every writer takes the case's lock around load, decide and save, so writers on one case
take turns: none decides on a state another is about to change, and none gives up while
its turn comes within the lock timeout. A writer that does not lock (an older version of
perhetyo, played here by a ``FamilyCases`` whose locks do nothing) can still win a race
between a load and a save; the loser is decided afresh, up to ``MAX_ATTEMPTS`` times.

A command asks the clock for the time between its load and its save, so a clock that
runs code on a chosen call puts another writer exactly in that gap; each attempt asks
the clock once, so the clock also counts the attempts.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any
from uuid import UUID

import pytest

from integration.conftest import OpenCases
from integration.subprocesses import BUSY_CASE_WRITER, finish, kill, read_line, say, start
from perhetyo import (
    CaseOpened,
    ConcurrentUpdateError,
    FamilyCases,
    GoalSet,
    GoalStatus,
    LegalBasis,
    PerhetyoError,
)
from perhetyo.handling import MAX_ATTEMPTS
from perhetyo.testing import FakeClock, a_child, a_guardian, a_worker, an_actor, open_sample_case

JOIN_SECONDS = 60.0
"""The longest a test waits for one of its threads."""


class CountingClock:
    """A fake clock that counts its calls and may run ``before`` on chosen calls."""

    def __init__(self, before: Callable[[int], None] | None = None) -> None:
        self.fake = FakeClock()
        self.calls = 0
        self.before = before
        self._mutex = threading.Lock()

    def __call__(self) -> datetime:
        with self._mutex:
            self.calls += 1
            call = self.calls
        if self.before is not None:
            self.before(call)
        return self.fake()


class NoLocks:
    """The case locks of a writer from before them: holding one waits for nothing."""

    @contextlib.contextmanager
    def hold(self, case_id: UUID) -> Iterator[None]:
        yield

    def close(self) -> None:
        pass


def older_writer(open_cases: OpenCases, url: str) -> FamilyCases:
    """A writer that does not take the case lock (an older version of perhetyo)."""
    cases = open_cases(url, clock=FakeClock())
    cases._locks.close()
    cases._locks = NoLocks()
    cases._commands._locks = NoLocks()  # the path every command takes
    return cases


def update_goal_repeatedly(
    cases: FamilyCases,
    case_id: UUID,
    goal_id: UUID,
    *,
    worker: int,
    count: int,
    failures: list[BaseException],
) -> None:
    """``count`` goal updates by one worker thread; a refusal is kept in ``failures``."""
    for n in range(count):
        try:
            cases.update_goal(
                case_id,
                goal_id,
                status=GoalStatus.IN_PROGRESS,
                progress=n,
                updated_on=date(2020, 9, 2),
                actor=an_actor(f"sw-{worker}"),
                request_id=f"t{worker}-{n}",
            )
        except PerhetyoError as exc:
            failures.append(exc)


def set_a_goal(cases: FamilyCases, case_id: UUID, description: str) -> UUID:
    return cases.set_goal(
        case_id, description=description, set_on=date(2020, 9, 1), actor=an_actor()
    )


def open_42(cases: FamilyCases) -> UUID:
    return cases.open_case(
        children=[a_child()],
        guardians=[a_guardian()],
        legal_basis=LegalBasis.SOCIAL_WELFARE_ACT,
        named_worker=a_worker(),
        opened_on=date(2020, 8, 12),
        actor=an_actor(),
        request_id="open-race-42",
    )


def goals_set(cases: FamilyCases, case_id: UUID) -> list[GoalSet]:
    return [e for e in cases.history(case_id, actor=an_actor()) if isinstance(e, GoalSet)]


def versions(cases: FamilyCases, case_id: UUID) -> list[int]:
    return [event.originator_version for event in cases.history(case_id, actor=an_actor())]


class Meanwhile:
    """Another writer's command, started on a thread while ours is between load and save."""

    def __init__(self, command: Callable[[], Any]) -> None:
        self.command = command
        self.results: list[Any] = []
        self.failures: list[BaseException] = []
        self.waited: bool | None = None
        self.thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        try:
            self.results.append(self.command())
        except BaseException as exc:  # reported by the test, not lost on the thread
            self.failures.append(exc)

    def start_and_watch(self, seconds: float = 0.3) -> None:
        """Start the command, and note whether it is still waiting after ``seconds``."""
        self.thread.start()
        self.thread.join(timeout=seconds)
        self.waited = self.thread.is_alive()

    def join(self) -> None:
        self.thread.join(timeout=JOIN_SECONDS)
        assert not self.thread.is_alive()
        assert self.failures == []


def store_of_kind(kind: str, request: pytest.FixtureRequest) -> str:
    """The URL of a store of each kind: a SQLite file, PostgreSQL, memory, SQLite in memory."""
    if kind == "sqlite-file":
        return str(request.getfixturevalue("sqlite_url"))
    if kind == "postgresql":
        return str(request.getfixturevalue("postgres_url"))
    return {"memory": "memory://", "sqlite-in-memory": "sqlite:///:memory:"}[kind]


# --- writers that lock take turns ---------------------------------------------------------


def test_a_second_writer_on_a_busy_case_waits_its_turn_instead_of_racing(
    shared_store_url: str, open_cases: OpenCases
) -> None:
    other = open_cases(shared_store_url, clock=FakeClock())
    case_id = open_sample_case(other)
    meanwhile = Meanwhile(lambda: set_a_goal(other, case_id, "Toisen kirjoittajan tavoite"))

    def other_writer_meanwhile(call: int) -> None:
        if call == 1:  # after our load, before our save
            meanwhile.start_and_watch()

    clock = CountingClock(before=other_writer_meanwhile)
    cases = open_cases(shared_store_url, clock=clock)

    first = set_a_goal(cases, case_id, "Ensimmäisen kirjoittajan tavoite")
    meanwhile.join()

    assert meanwhile.waited is True  # the other writer waited for our save
    assert clock.calls == 1  # ours was decided once: it lost no race
    assert [event.goal_id for event in goals_set(cases, case_id)] == [first, *meanwhile.results]
    assert versions(cases, case_id) == [1, 2, 3]
    assert cases.verify_integrity(case_id).ok  # the retry sealed over the winner's tag


def test_a_case_opened_by_two_writers_at_once_is_opened_once_without_a_retry(
    shared_store_url: str, open_cases: OpenCases
) -> None:
    other = open_cases(shared_store_url, clock=FakeClock())
    meanwhile = Meanwhile(lambda: open_42(other))

    def other_writer_meanwhile(call: int) -> None:
        if call == 1:
            meanwhile.start_and_watch()

    clock = CountingClock(before=other_writer_meanwhile)
    cases = open_cases(shared_store_url, clock=clock)

    case_id = open_42(cases)
    meanwhile.join()

    # The other writer waited, then found the case its request id names, and answered
    # from the stored request id.
    assert meanwhile.waited is True
    assert meanwhile.results == [case_id]
    assert clock.calls == 1
    history = cases.history(case_id, actor=an_actor())
    assert [type(event) for event in history] == [CaseOpened]


THREADS = 3
COMMANDS_PER_THREAD = 50


@pytest.mark.parametrize(
    "kind",
    [
        "sqlite-file",
        pytest.param("postgresql", marks=pytest.mark.postgres),
        "memory",
        "sqlite-in-memory",
    ],
)
def test_three_threads_sending_commands_to_one_case_through_one_family_cases_all_succeed(
    kind: str, request: pytest.FixtureRequest, open_cases: OpenCases
) -> None:
    url = store_of_kind(kind, request)
    clock = CountingClock()
    cases = open_cases(url, clock=clock)
    case_id = open_sample_case(cases)
    goal_id = set_a_goal(cases, case_id, "Yhteinen tavoite")
    failures: list[BaseException] = []

    def write(worker: int) -> None:
        update_goal_repeatedly(
            cases, case_id, goal_id, worker=worker, count=COMMANDS_PER_THREAD, failures=failures
        )

    threads = [threading.Thread(target=write, args=(worker,)) for worker in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_SECONDS)

    assert not any(thread.is_alive() for thread in threads)
    assert [type(exc).__name__ for exc in failures] == []
    history = cases.history(case_id, actor=an_actor())
    assert [event.originator_version for event in history] == list(
        range(1, 2 + THREADS * COMMANDS_PER_THREAD + 1)
    )
    sent = {f"t{worker}-{n}" for worker in range(THREADS) for n in range(COMMANDS_PER_THREAD)}
    assert Counter(event.request_id for event in history[2:]) == dict.fromkeys(sent, 1)
    assert clock.calls == 2 + THREADS * COMMANDS_PER_THREAD  # nothing was decided twice


COMMANDS_BESIDE_PROJECTIONS = 30


def test_threads_sending_commands_while_another_updates_the_projections_neither_fail_nor_lock_up(
    sqlite_url: str, open_cases: OpenCases
) -> None:
    cases = open_cases(sqlite_url, clock=FakeClock())
    case_id = open_sample_case(cases)
    goal_id = set_a_goal(cases, case_id, "Yhteinen tavoite")
    failures: list[BaseException] = []
    stop = threading.Event()

    def write(worker: int) -> None:
        update_goal_repeatedly(
            cases,
            case_id,
            goal_id,
            worker=worker,
            count=COMMANDS_BESIDE_PROJECTIONS,
            failures=failures,
        )

    def update_projections() -> None:
        while not stop.is_set():
            try:
                cases.update_projections()
            except PerhetyoError as exc:
                failures.append(exc)
                return

    projector = threading.Thread(target=update_projections)
    writers = [threading.Thread(target=write, args=(worker,)) for worker in range(THREADS)]
    projector.start()
    try:
        for thread in writers:
            thread.start()
        deadline = time.monotonic() + JOIN_SECONDS
        for thread in writers:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
    finally:
        stop.set()
        projector.join(timeout=JOIN_SECONDS)

    assert not any(thread.is_alive() for thread in [*writers, projector])
    assert [type(exc).__name__ for exc in failures] == []
    assert versions(cases, case_id) == list(range(1, 2 + THREADS * COMMANDS_BESIDE_PROJECTIONS + 1))
    cases.update_projections()
    assert {status.lag for status in cases.projection_status()} == {0}


PROCESSES = 4
COMMANDS_PER_PROCESS = 50
SETUP_EVENTS = 2  # the case opened, the goal set


def test_four_processes_sending_fifty_commands_each_to_one_case_record_each_exactly_once(
    shared_store_url: str, open_cases: OpenCases
) -> None:
    cases = open_cases(shared_store_url, clock=FakeClock())
    case_id = open_sample_case(cases)
    goal_id = set_a_goal(cases, case_id, "Kiireisen asiakkuuden tavoite")
    writers = []
    try:
        for worker in range(PROCESSES):
            writers.append(
                start(
                    BUSY_CASE_WRITER,
                    shared_store_url,
                    str(case_id),
                    str(goal_id),
                    str(COMMANDS_PER_PROCESS),
                    str(worker),
                )
            )
        for writer in writers:  # every store open before any command: all start at once
            assert read_line(writer) == "ready"
        for writer in writers:
            say(writer, "go")
        outputs = finish(writers)
    finally:
        kill(writers)

    results = [json.loads(out.strip().splitlines()[-1]) for out in outputs]
    assert [result["errors"] for result in results] == [{}] * PROCESSES
    # Each command was decided once: none lost a race and was decided again.
    assert [result["decided"] for result in results] == [COMMANDS_PER_PROCESS] * PROCESSES
    sent = [request_id for result in results for request_id in result["accepted"]]
    assert len(sent) == len(set(sent)) == PROCESSES * COMMANDS_PER_PROCESS
    history = cases.history(case_id, actor=an_actor())
    assert [event.originator_version for event in history] == list(
        range(1, SETUP_EVENTS + PROCESSES * COMMANDS_PER_PROCESS + 1)
    )
    # Each command once, its repeat (every tenth is sent twice) nowhere.
    assert Counter(event.request_id for event in history[SETUP_EVENTS:]) == dict.fromkeys(
        sent, 1
    )


# --- writers that do not lock (older versions) still lose no event ------------------------


def test_a_command_that_loses_a_race_to_a_writer_that_does_not_lock_is_decided_again(
    shared_store_url: str, open_cases: OpenCases
) -> None:
    other = older_writer(open_cases, shared_store_url)
    case_id = open_sample_case(other)
    winner: list[UUID] = []

    def other_writer_first(call: int) -> None:
        if call == 1:  # after the first load, before the first save
            winner.append(set_a_goal(other, case_id, "Toisen kirjoittajan tavoite"))

    clock = CountingClock(before=other_writer_first)
    cases = open_cases(shared_store_url, clock=clock)

    loser = set_a_goal(cases, case_id, "Hävinneen kirjoittajan tavoite")

    assert clock.calls == 2  # the first attempt lost, the second was decided afresh
    assert [event.goal_id for event in goals_set(cases, case_id)] == [winner[0], loser]
    assert versions(cases, case_id) == [1, 2, 3]


def test_a_writer_always_beaten_by_one_that_does_not_lock_gives_up_with_concurrent_update_error(
    shared_store_url: str, open_cases: OpenCases
) -> None:
    other = older_writer(open_cases, shared_store_url)
    case_id = open_sample_case(other)

    def other_writer_first(call: int) -> None:
        set_a_goal(other, case_id, f"Toisen kirjoittajan tavoite {call}")

    clock = CountingClock(before=other_writer_first)
    cases = open_cases(shared_store_url, clock=clock)

    with pytest.raises(ConcurrentUpdateError):
        set_a_goal(cases, case_id, "Aina häviävä tavoite")

    assert clock.calls == MAX_ATTEMPTS
    descriptions = [event.description for event in goals_set(cases, case_id)]
    assert descriptions == [f"Toisen kirjoittajan tavoite {n}" for n in range(1, MAX_ATTEMPTS + 1)]
    assert versions(cases, case_id) == list(range(1, MAX_ATTEMPTS + 2))


def test_a_case_opened_at_once_by_a_writer_that_does_not_lock_is_opened_once(
    shared_store_url: str, open_cases: OpenCases
) -> None:
    other = older_writer(open_cases, shared_store_url)
    opened_by_other: list[UUID] = []

    def other_writer_first(call: int) -> None:
        if call == 1:
            opened_by_other.append(open_42(other))

    clock = CountingClock(before=other_writer_first)
    cases = open_cases(shared_store_url, clock=clock)

    case_id = open_42(cases)  # the first attempt's save loses; the second finds the case

    # The second attempt answered from the stored request id, without deciding (or asking
    # the clock) again.
    assert clock.calls == 1
    assert opened_by_other == [case_id]
    history = cases.history(case_id, actor=an_actor())
    assert [type(event) for event in history] == [CaseOpened]


# --- stores starting at once ------------------------------------------------------------------

STARTS = 10


def start_two_at_once(url: str) -> list[BaseException]:
    """Construct two FamilyCases on ``url`` at the same instant; what they raised."""
    barrier = threading.Barrier(2, timeout=30)
    failures: list[BaseException] = []

    def start() -> None:
        barrier.wait()
        try:
            FamilyCases(url=url).close()
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=start) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return failures


@pytest.mark.postgres
def test_two_instances_starting_at_once_on_an_existing_postgres_schema_both_start(
    postgres_url: str,
) -> None:
    FamilyCases(url=postgres_url).close()  # the schema, table and function exist

    failures = [exc for _ in range(STARTS) for exc in start_two_at_once(postgres_url)]

    assert [type(exc).__name__ for exc in failures] == []


@pytest.mark.postgres
def test_two_instances_starting_at_once_on_a_new_postgres_schema_both_start(
    new_postgres_url: Callable[[], str],
) -> None:
    failures = [exc for _ in range(STARTS) for exc in start_two_at_once(new_postgres_url())]

    assert [type(exc).__name__ for exc in failures] == []

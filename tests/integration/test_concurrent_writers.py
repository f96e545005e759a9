"""Concurrent writers on one case: no event is lost and the loser of a race tries again.

Two ``FamilyCases`` instances share a store (a SQLite file or PostgreSQL). A command
loads the case, asks the clock for the time, decides, then saves; a clock that lets the
other writer append in that gap makes the race certain instead of likely. Each attempt
asks the clock once, so the clock also counts the attempts.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from uuid import UUID

import pytest

from perhetyo import CaseOpened, ConcurrentUpdateError, FamilyCases, GoalSet, LegalBasis
from perhetyo.application import MAX_ATTEMPTS
from perhetyo.testing import FakeClock, a_child, a_guardian, a_worker, an_actor, open_sample_case


class CountingClock:
    """A fake clock that counts its calls and may run ``before`` on chosen calls."""

    def __init__(self, before: Callable[[int], None] | None = None) -> None:
        self.fake = FakeClock()
        self.calls = 0
        self.before = before

    def __call__(self) -> datetime:
        self.calls += 1
        if self.before is not None:
            self.before(self.calls)
        return self.fake()


def set_a_goal(cases: FamilyCases, case_id: UUID, description: str) -> UUID:
    return cases.set_goal(
        case_id, description=description, set_on=date(2020, 9, 1), actor=an_actor()
    )


def goals_set(cases: FamilyCases, case_id: UUID) -> list[GoalSet]:
    return [e for e in cases.history(case_id, actor=an_actor()) if isinstance(e, GoalSet)]


def versions(cases: FamilyCases, case_id: UUID) -> list[int]:
    return [event.originator_version for event in cases.history(case_id, actor=an_actor())]


def test_a_command_that_loses_a_race_is_decided_again(shared_store_url, open_cases) -> None:
    other = open_cases(shared_store_url, clock=FakeClock())
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


def test_a_writer_that_always_loses_gives_up_with_concurrent_update_error(
    shared_store_url, open_cases
) -> None:
    other = open_cases(shared_store_url, clock=FakeClock())
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


def test_a_case_opened_by_two_writers_at_once_is_opened_once(shared_store_url, open_cases) -> None:
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

    other = open_cases(shared_store_url, clock=FakeClock())
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


ROUNDS = 25


def test_two_threads_appending_to_one_case_lose_no_event(shared_store_url, open_cases) -> None:
    case_id = open_sample_case(open_cases(shared_store_url, clock=FakeClock()))
    # Both writers load the case, then meet here before either saves: every round is a race.
    barrier = threading.Barrier(2, timeout=30)
    accepted: dict[str, list[UUID]] = {"a": [], "b": []}
    failures: list[BaseException] = []
    first_attempt = {"a": False, "b": False}

    def meet_on_first_attempt(name: str) -> Callable[[int], None]:
        def before(_: int) -> None:
            if first_attempt[name]:
                first_attempt[name] = False
                barrier.wait()

        return before

    clocks = {name: CountingClock(before=meet_on_first_attempt(name)) for name in accepted}
    # Started one after the other: starting at once is another test's subject.
    writers = {name: open_cases(shared_store_url, clock=clocks[name]) for name in accepted}

    def write(name: str) -> None:
        try:
            for n in range(ROUNDS):
                first_attempt[name] = True
                accepted[name].append(set_a_goal(writers[name], case_id, f"{name} {n}"))
        except BaseException as exc:
            barrier.abort()  # do not leave the other writer waiting
            failures.append(exc)

    threads = [threading.Thread(target=write, args=(name,)) for name in accepted]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not any(thread.is_alive() for thread in threads)
    assert failures == []
    reader = open_cases(shared_store_url, clock=FakeClock())
    recorded = [event.goal_id for event in goals_set(reader, case_id)]
    every_accepted = accepted["a"] + accepted["b"]
    assert len(every_accepted) == 2 * ROUNDS
    assert sorted(recorded) == sorted(every_accepted)  # each accepted goal exactly once
    assert len(set(recorded)) == len(recorded)
    assert versions(reader, case_id) == list(range(1, 2 * ROUNDS + 2))
    # Every round had a loser, and each loser was decided again instead of failing.
    retries = sum(clock.calls for clock in clocks.values()) - 2 * ROUNDS
    assert retries >= ROUNDS


# One writer process: opens the store, says it is ready, waits for "go", sets goals, and
# prints what was accepted and how many attempts (clock calls) it took.
_WRITER = """
import json, sys
from datetime import date
from uuid import UUID
from perhetyo import ConcurrentUpdateError, FamilyCases
from perhetyo.testing import FakeClock, an_actor

url, case_id, name, count = sys.argv[1], UUID(sys.argv[2]), sys.argv[3], int(sys.argv[4])
fake = FakeClock()
calls = 0

def clock():
    global calls
    calls += 1
    return fake()

accepted, gave_up = [], 0
with FamilyCases(url=url, clock=clock) as cases:
    print("ready", flush=True)
    sys.stdin.readline()
    for n in range(count):
        for _ in range(10):
            try:
                goal_id = cases.set_goal(case_id, description=f"{name} {n}",
                                         set_on=date(2020, 9, 1), actor=an_actor())
            except ConcurrentUpdateError:
                gave_up += 1  # documented: after MAX_ATTEMPTS the caller may retry later
                continue
            accepted.append(str(goal_id))
            break
print(json.dumps({"accepted": accepted, "attempts": calls, "gave_up": gave_up}), flush=True)
"""

GOALS_PER_PROCESS = 20


@pytest.mark.slow
@pytest.mark.postgres
def test_two_processes_appending_to_one_case_lose_no_event(postgres_url, open_cases) -> None:
    cases = open_cases(postgres_url, clock=FakeClock())
    case_id = open_sample_case(cases)
    writers: list[subprocess.Popen[str]] = []
    try:
        # Each writer starts (and says "ready") before the next one: starting at once is
        # another test's subject. Then both are told "go" together.
        for name in ("a", "b"):
            writer = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    _WRITER,
                    postgres_url,
                    str(case_id),
                    name,
                    str(GOALS_PER_PROCESS),
                ],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            writers.append(writer)
            assert writer.stdout is not None
            assert writer.stdout.readline().strip() == "ready"
        for writer in writers:
            assert writer.stdin is not None
            writer.stdin.write("go\n")
            writer.stdin.flush()
        outputs = [writer.communicate(timeout=60) for writer in writers]
    finally:
        for writer in writers:
            if writer.poll() is None:
                writer.kill()
                writer.wait()

    results: list[dict[str, Any]] = []
    for writer, (stdout, stderr) in zip(writers, outputs, strict=True):
        assert writer.returncode == 0, stderr
        results.append(json.loads(stdout.strip().splitlines()[-1]))
    every_accepted = [UUID(goal_id) for result in results for goal_id in result["accepted"]]
    recorded = [event.goal_id for event in goals_set(cases, case_id)]
    assert len(every_accepted) == 2 * GOALS_PER_PROCESS
    assert sorted(recorded) == sorted(every_accepted)
    assert len(set(recorded)) == len(recorded)
    assert versions(cases, case_id) == list(range(1, 2 * GOALS_PER_PROCESS + 2))
    assert all(result["attempts"] >= GOALS_PER_PROCESS for result in results)


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
    postgres_url,
) -> None:
    FamilyCases(url=postgres_url).close()  # the schema, table and function exist

    failures = [exc for _ in range(STARTS) for exc in start_two_at_once(postgres_url)]

    assert [type(exc).__name__ for exc in failures] == []


@pytest.mark.postgres
def test_two_instances_starting_at_once_on_a_new_postgres_schema_both_start(
    new_postgres_url,
) -> None:
    failures = [exc for _ in range(STARTS) for exc in start_two_at_once(new_postgres_url())]

    assert [type(exc).__name__ for exc in failures] == []

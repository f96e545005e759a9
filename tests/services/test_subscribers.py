"""Subscribers: each case event handled exactly once, in order, with the position in the
handler's own transaction; a failing handler rolls its batch back; a rebuild handles
everything again; a worker killed with SIGKILL mid-batch loses and repeats nothing."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given
from hypothesis import strategies as st
from sqlalchemy import MetaData

from perhetyo import (
    ConfigurationError,
    FamilyCases,
    MeetingKind,
    SubscriberError,
    generate_key,
)
from perhetyo.projections.sql.schema import tracking_table
from perhetyo.testing import FakeClock, an_actor, open_sample_case
from projections.histories import expensive_examples, grow
from services.host import emptying, handled, host_table, recording_handler, replay
from unit.helpers import close

ME = an_actor("subscriber-test")
PROCESS = Path(__file__).resolve().parent / "subscriber_process.py"
TESTS = Path(__file__).resolve().parent.parent


def _some_cases(cases: FamilyCases, count: int = 3, meetings: int = 4) -> list[UUID]:
    case_ids = [open_sample_case(cases) for _ in range(count)]
    for n in range(meetings):
        for case_id in case_ids:
            cases.record_meeting(
                case_id, kind=MeetingKind.HOME_VISIT, held_on=date(2020, 9, 1 + n),
                summary=f"Käynti {n}", actor=ME,
            )  # fmt: skip
    return case_ids


def test_each_event_is_handled_once_in_log_order(cases: FamilyCases) -> None:
    _some_cases(cases)
    table = host_table(cases)
    cases.subscribe("host", recording_handler(table), batch_size=4)
    assert cases.catch_up_subscribers() == len(replay(cases))
    assert handled(cases, table) == replay(cases)
    assert cases.catch_up_subscribers() == 0  # nothing new: nothing handled again
    open_sample_case(cases)
    assert cases.catch_up_subscribers() == 1
    assert handled(cases, table) == replay(cases)
    (status,) = cases.subscriber_status()
    assert (status.projection, status.lag) == ("subscriber:host", 0)


def test_a_subscriber_restarted_in_a_new_process_continues_where_it_stopped(
    sqlite_url: str,
) -> None:
    clock = FakeClock()
    with FamilyCases(sqlite_url, clock=clock) as cases:
        _some_cases(cases, count=2, meetings=2)
        table = host_table(cases)
        cases.subscribe("host", recording_handler(table))
        cases.catch_up_subscribers()
        before = len(handled(cases, table))
    with FamilyCases(sqlite_url, clock=clock) as cases:
        open_sample_case(cases)
        table = host_table(cases)
        cases.subscribe("host", recording_handler(table))
        assert cases.catch_up_subscribers() == 1
        assert len(handled(cases, table)) == before + 1
        assert handled(cases, table) == replay(cases)


def test_two_subscribers_keep_their_own_positions(cases: FamilyCases) -> None:
    _some_cases(cases, count=1, meetings=1)
    table = host_table(cases)
    seen: list[int] = []
    cases.subscribe("host", recording_handler(table))
    cases.subscribe("counter", lambda event, conn: seen.append(event.originator_version))
    assert cases.subscribers() == ["host", "counter"]
    total = len(replay(cases))
    assert cases.catch_up_subscribers() == 2 * total
    assert len(seen) == total
    assert handled(cases, table) == replay(cases)


def test_a_failing_handler_rolls_its_batch_back_and_moves_nothing(cases: FamilyCases) -> None:
    _some_cases(cases, count=2, meetings=1)
    table = host_table(cases)
    calls = 0
    failing = True

    def fail_on_the_third() -> None:
        nonlocal calls
        calls += 1
        if failing and calls == 3:
            raise RuntimeError("the provider's queue is down")

    cases.subscribe("host", recording_handler(table, fail_on_the_third), batch_size=2)
    with pytest.raises(SubscriberError) as raised:
        cases.catch_up_subscribers()
    assert raised.value.subscriber == "host"
    assert isinstance(raised.value.__cause__, RuntimeError)
    assert handled(cases, table) == replay(cases)[:2]  # the first batch only
    assert cases.subscriber_status()[0].position == 2
    failing = False
    cases.catch_up_subscribers()
    assert handled(cases, table) == replay(cases)


def test_a_rebuild_empties_the_host_s_tables_and_handles_everything_again(
    cases: FamilyCases,
) -> None:
    _some_cases(cases, count=2, meetings=2)
    table = host_table(cases)
    cases.subscribe("host", recording_handler(table), reset=emptying(table))
    cases.catch_up_subscribers()
    assert cases.rebuild_subscriber("host") == len(replay(cases))
    assert handled(cases, table) == replay(cases)


def test_names_are_checked(cases: FamilyCases) -> None:
    cases.subscribe("host", lambda event, conn: None)
    with pytest.raises(ConfigurationError):
        cases.subscribe("host", lambda event, conn: None)
    for bad in ("", "has space", "x" * 81, "-leading"):
        with pytest.raises(ConfigurationError):
            cases.subscribe(bad, lambda event, conn: None)
    with pytest.raises(ConfigurationError):
        cases.subscribe("batch", lambda event, conn: None, batch_size=0)
    with pytest.raises(ConfigurationError):
        cases.rebuild_subscriber("nobody")


@pytest.mark.parametrize("store", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_the_running_subscribers_handle_commands_as_they_come(
    store: str, request: pytest.FixtureRequest
) -> None:
    url = str(request.getfixturevalue("sqlite_url" if store == "sqlite" else "postgres_url"))
    with FamilyCases(url) as cases:
        table = host_table(cases)
        cases.subscribe("host", recording_handler(table))
        stop = threading.Event()
        worker = threading.Thread(
            target=cases.run_subscribers, args=(stop,), kwargs={"poll_interval": 0.05}
        )
        worker.start()
        try:
            _some_cases(cases, count=2, meetings=2)
            deadline = time.monotonic() + 20
            while len(handled(cases, table)) < len(replay(cases)):
                assert time.monotonic() < deadline, "the subscriber did not catch up"
                time.sleep(0.05)
        finally:
            stop.set()
            worker.join(timeout=20)
        assert not worker.is_alive()
        assert handled(cases, table) == replay(cases)


# --- a worker killed with SIGKILL in the middle of a batch --------------------------------


def _kill_and_restart(url: str, kill_at: int, batch_size: int) -> None:
    """Run the subscriber in a process that kills itself at the ``kill_at``-th event, then
    restart it here: what it handled equals the log, each event once."""
    env = {**os.environ, "PYTHONPATH": str(TESTS)}
    worker = subprocess.run(
        [sys.executable, str(PROCESS), url, str(kill_at), str(batch_size)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )
    killed = worker.returncode == -signal.SIGKILL
    assert killed or worker.returncode == 0, worker.stderr[-3000:]
    with FamilyCases(url) as cases:
        table = host_table(cases)
        events = replay(cases)
        if killed:  # what it handled before dying is a whole number of batches
            done = handled(cases, table)
            assert done == events[: len(done)]
            assert len(done) == (kill_at - 1) // batch_size * batch_size
        cases.subscribe("host", recording_handler(table), batch_size=batch_size)
        cases.catch_up_subscribers()
        assert handled(cases, table) == events


@expensive_examples(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kill_at=st.integers(1, 40), batch_size=st.integers(1, 12), seed=st.integers(0, 2**32 - 1))
def test_a_subscriber_killed_mid_batch_handles_each_event_once_after_restart(
    tmp_path_factory: pytest.TempPathFactory, kill_at: int, batch_size: int, seed: int
) -> None:
    url = f"sqlite:///{tmp_path_factory.mktemp('killed') / 'cases.db'}"
    clock = FakeClock()
    with FamilyCases(url, clock=clock) as cases:
        grow(cases, clock, random.Random(seed), [], 25, new_case_weight=0.3)
    _kill_and_restart(url, kill_at, batch_size)


@pytest.mark.postgres
@pytest.mark.parametrize(("kill_at", "batch_size"), [(1, 5), (13, 5), (7, 1)])
def test_a_subscriber_killed_mid_batch_on_postgresql(
    postgres_url: str, kill_at: int, batch_size: int
) -> None:
    clock = FakeClock()
    with FamilyCases(postgres_url, clock=clock) as cases:
        grow(cases, clock, random.Random(kill_at), [], 20, new_case_weight=0.3)
    _kill_and_restart(postgres_url, kill_at, batch_size)


# --- eventsourcing's own contract for a tracking recorder ---------------------------------


def test_eventsourcing_s_tracking_recorder_contract_holds_for_a_subscriber(
    sqlite_url: str,
) -> None:
    from eventsourcing.persistence import TrackingRecorder  # noqa: PLC0415
    from eventsourcing.tests.persistence import TrackingRecorderTestCase  # noqa: PLC0415

    _run_the_contract(sqlite_url, TrackingRecorderTestCase, TrackingRecorder)


@pytest.mark.postgres
def test_eventsourcing_s_tracking_recorder_contract_holds_on_postgresql(
    postgres_url: str,
) -> None:
    from eventsourcing.persistence import TrackingRecorder  # noqa: PLC0415
    from eventsourcing.tests.persistence import TrackingRecorderTestCase  # noqa: PLC0415

    _run_the_contract(postgres_url, TrackingRecorderTestCase, TrackingRecorder)


def _run_the_contract(url: str, case: type, recorder_type: type) -> None:
    """eventsourcing's TrackingRecorderTestCase against a subscriber's tracking store, each
    test on an emptied tracking table (the subscriber's rows only ever)."""
    with FamilyCases(url) as cases:
        cases.subscribe("contract", lambda event, conn: None)
        views = cases.stored_views
        table = tracking_table(MetaData(schema=views.schema))

        def fresh() -> object:
            with views.writing() as conn:
                conn.execute(table.delete())
            recorder = cases.subscriber_tracking_recorder("contract")
            assert isinstance(recorder, recorder_type)
            return recorder

        class AgainstASubscriber(case):  # type: ignore[misc]  # a unittest class made here
            def create_recorder(self) -> object:
                return fresh()

        for name in ("test_insert_tracking", "test_wait"):
            result = AgainstASubscriber(name).run()
            assert result is not None
            assert result.wasSuccessful(), result.failures + result.errors


def test_a_case_erased_before_the_subscriber_reached_it_gives_only_its_erasure(
    clock: FakeClock,
) -> None:
    with FamilyCases("memory://", clock=clock, master_key=generate_key()) as cases:
        erased = open_sample_case(cases)
        kept = open_sample_case(cases)
        close(cases, erased, actor=ME)
        cases.erase_case(erased, reason="säilytysaika päättyi", actor=ME)
        seen: list[tuple[UUID, str]] = []
        cases.subscribe(
            "late", lambda event, conn: seen.append((event.originator_id, type(event).__name__))
        )
        cases.catch_up_subscribers()
        assert seen == [(kept, "CaseOpened"), (erased, "CaseErased")]
        assert cases.subscriber_status()[0].lag == 0

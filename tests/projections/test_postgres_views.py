"""Stored views on PostgreSQL: equal to replay, one worker at a time, woken by NOTIFY."""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest
from hypothesis import HealthCheck, given
from hypothesis import strategies as st

from conftest import NewPostgresUrl
from perhetyo import FamilyCases, LegalBasis, MeetingKind
from perhetyo.testing import FakeClock, a_child, a_worker, an_actor
from projections.histories import (
    assert_stored_equals_live,
    expensive_examples,
    histories,
    stored_histories,
)

pytestmark = pytest.mark.postgres


# The schema factory is function-scoped but makes a fresh schema for every example.
@expensive_examples(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_stored_tables_equal_live_folds_on_postgresql(
    new_postgres_url: NewPostgresUrl, data: st.DataObject
) -> None:
    clock = FakeClock()
    with FamilyCases(new_postgres_url(), clock=clock, batch_size=11) as cases:
        case_ids = data.draw(histories(min_cases=3, max_cases=6), label="first").run(cases, clock)
        assert cases.update_projections() > 0
        assert_stored_equals_live(cases, case_ids)
        more = histories(existing=stored_histories(cases, case_ids), min_cases=0, max_cases=2)
        case_ids = data.draw(more, label="more").run(cases, clock)
        cases.update_projections()
        assert_stored_equals_live(cases, case_ids)
        cases.rebuild_projections()
        assert_stored_equals_live(cases, case_ids)


def _open(cases: FamilyCases) -> object:
    return cases.open_case(
        children=[a_child()],
        legal_basis=LegalBasis.SOCIAL_WELFARE_ACT,
        named_worker=a_worker(),
        opened_on=date(2020, 8, 1),
        actor=an_actor(),
    )


def test_a_worker_is_woken_by_notify_not_by_polling(postgres_url: str) -> None:
    with FamilyCases(postgres_url) as cases, FamilyCases(postgres_url) as worker_side:
        stop = threading.Event()
        worker = threading.Thread(
            target=worker_side.run_projections, args=(stop,), kwargs={"poll_interval": 60.0}
        )
        worker.start()
        try:
            time.sleep(0.5)  # the worker is idle, listening
            started = time.monotonic()
            case_id = _open(cases)
            while cases.projection_status()[0].lag and time.monotonic() - started < 10:
                time.sleep(0.02)
            elapsed = time.monotonic() - started
        finally:
            stop.set()
            worker.join(timeout=70)
        assert not worker.is_alive()
        assert elapsed < 5, f"the worker took {elapsed:.1f}s: it was not woken by NOTIFY"
        assert worker_side.stored_views.current_plan(case_id) is not None  # type: ignore[arg-type]


def test_a_second_worker_stays_idle_while_the_first_holds_the_lock(postgres_url: str) -> None:
    with (
        FamilyCases(postgres_url) as cases,
        FamilyCases(postgres_url) as first,
        FamilyCases(postgres_url) as second,
    ):
        applied: dict[str, int] = {"first": 0, "second": 0}
        stop = threading.Event()

        def run(name: str, side: FamilyCases) -> None:
            def count(n: int) -> None:
                applied[name] += n

            side.run_projections(stop, poll_interval=0.2, on_batch=count)

        threads = [
            threading.Thread(target=run, args=("first", first)),
        ]
        threads[0].start()
        time.sleep(0.5)  # the first worker takes the lock
        threads.append(threading.Thread(target=run, args=("second", second)))
        threads[1].start()
        case_ids = [_open(cases) for _ in range(5)]
        for case_id in case_ids:
            cases.record_meeting(
                case_id,  # type: ignore[arg-type]
                kind=MeetingKind.NETWORK,
                held_on=date(2020, 8, 2),
                summary="Verkostopalaveri",
                actor=an_actor(),
            )
        deadline = time.monotonic() + 10
        while cases.projection_status()[0].lag and time.monotonic() < deadline:
            time.sleep(0.05)
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
        assert applied == {"first": 10, "second": 0}
        assert_stored_equals_live(cases, case_ids)  # type: ignore[arg-type]

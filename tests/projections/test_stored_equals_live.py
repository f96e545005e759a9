"""Stored projections (tallennetut näkymät) equal the live folds, row for row.

The properties draw their histories from :mod:`projections.histories` (hypothesis: several
cases interleaved, shrinkable); the scenarios below them load a fixed example of the same
generator with ``grow``.
"""

from __future__ import annotations

import contextlib
import random
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

from hypothesis import given
from hypothesis import strategies as st

from perhetyo import FamilyCases, generate_key
from perhetyo.projections.sql import StoredViews
from perhetyo.testing import FakeClock
from perhetyo.time import today_in
from projections.histories import (
    READER,
    Histories,
    assert_stored_equals_live,
    grow,
    histories,
    stored_histories,
)

KEY = generate_key()


@contextlib.contextmanager
def _store(kind: str, clock: FakeClock) -> Iterator[FamilyCases]:
    if kind == "memory":
        with FamilyCases("memory://", clock=clock) as cases:
            yield cases
        return
    key = KEY if kind == "sqlite-encrypted" else None  # personal columns left empty
    with (
        tempfile.TemporaryDirectory() as tmp,
        FamilyCases(f"sqlite:///{Path(tmp) / 'cases.db'}", clock=clock, master_key=key) as cases,
    ):
        yield cases


def _events(cases: FamilyCases, case_ids: list[UUID]) -> int:
    return sum(len(cases.history(case_id, actor=READER)) for case_id in case_ids)


STORES = st.sampled_from(["memory", "sqlite", "sqlite-encrypted"])


@given(kind=STORES, first=histories(), data=st.data())
def test_stored_tables_equal_live_folds_after_update_more_events_and_rebuild(
    kind: str, first: Histories, data: st.DataObject
) -> None:
    clock = FakeClock()
    with _store(kind, clock) as cases:
        case_ids = first.run(cases, clock)
        assert cases.update_projections() == _events(cases, case_ids)
        assert cases.update_projections() == 0
        assert_stored_equals_live(cases, case_ids)
        more = data.draw(
            histories(
                existing=stored_histories(cases, case_ids),
                today=today_in(clock()),
                min_cases=0,
                max_cases=2,
                max_size=5,
            ),
            label="more",
        )
        case_ids = more.run(cases, clock)
        cases.update_projections()
        assert_stored_equals_live(cases, case_ids)
        assert cases.rebuild_projections() == _events(cases, case_ids)
        assert_stored_equals_live(cases, case_ids)
        assert cases.update_projections() == 0


@given(drawn=histories(), encrypted=st.booleans())
def test_cache_misses_read_states_back_from_the_tables(drawn: Histories, encrypted: bool) -> None:
    """A cache of one case and batches of three events: states come back from the rows
    (with a master key, rows whose personal columns are empty)."""
    clock = FakeClock()
    with FamilyCases("memory://", clock=clock, master_key=KEY if encrypted else None) as cases:
        case_ids = drawn.run(cases, clock)
        views = cases.stored_views
        tiny = StoredViews(
            recorder=views.recorder,
            mapper=views.mapper,
            application_name=views.application_name,
            engine=views.engine,
            batch_size=3,
            cache_size=1,
            personal=not encrypted,
            chain=views.chain,
        )
        assert tiny.update() == _events(cases, case_ids)
        assert tiny.live.cached_cases <= 1
        assert_stored_equals_live(cases, case_ids)


def test_update_on_an_empty_log_applies_nothing(tmp_path: Path) -> None:
    with FamilyCases(f"sqlite:///{tmp_path / 'empty.db'}") as cases:
        assert cases.update_projections() == 0
        assert cases.rebuild_projections() == 0
        statuses = cases.projection_status()
        assert {s.projection for s in statuses} == {
            "CurrentPlan",
            "GoalProgress",
            "AuditTrail",
            "Deadlines",
        }
        assert all(s.position == 0 and s.head == 0 and s.lag == 0 for s in statuses)


def test_status_reports_lag_until_updated(tmp_path: Path) -> None:
    clock = FakeClock()
    with FamilyCases(f"sqlite:///{tmp_path / 'lag.db'}", clock=clock) as cases:
        case_ids: list[UUID] = []
        grow(cases, clock, random.Random(7), case_ids, 20)
        head = _events(cases, case_ids)
        before = cases.projection_status()[0]
        assert (before.position, before.head, before.lag) == (0, head, head)
        cases.update_projections()
        after = cases.projection_status()[0]
        assert (after.position, after.head, after.lag) == (head, head, 0)


def test_stored_views_survive_reopening_the_file(tmp_path: Path) -> None:
    path = tmp_path / "reopen.db"
    clock = FakeClock()
    case_ids: list[UUID] = []
    with FamilyCases(f"sqlite:///{path}", clock=clock) as cases:
        grow(cases, clock, random.Random(3), case_ids, 30)
        cases.update_projections()
    with FamilyCases(f"sqlite:///{path}", clock=clock) as cases:
        assert cases.update_projections() == 0
        assert_stored_equals_live(cases, case_ids)
        grow(cases, clock, random.Random(4), case_ids, 10)
        assert cases.update_projections() > 0
        assert_stored_equals_live(cases, case_ids)


def test_views_can_live_in_a_database_of_their_own(tmp_path: Path) -> None:
    clock = FakeClock()
    views_url = f"sqlite:///{tmp_path / 'reporting.db'}"
    events_url = f"sqlite:///{tmp_path / 'events.db'}"
    with FamilyCases(events_url, clock=clock, views_url=views_url) as cases:
        case_ids: list[UUID] = []
        grow(cases, clock, random.Random(5), case_ids, 25)
        cases.update_projections()
        assert_stored_equals_live(cases, case_ids)
    assert (tmp_path / "reporting.db").exists()


def test_a_worker_thread_and_status_reads_share_an_in_memory_store_safely() -> None:
    """memory:// views live on one shared connection: threads take turns, nothing breaks."""
    clock = FakeClock()
    with FamilyCases("memory://", clock=clock) as cases:
        stop = threading.Event()
        worker = threading.Thread(
            target=cases.run_projections, args=(stop,), kwargs={"poll_interval": 0.01}
        )
        worker.start()
        try:
            case_ids: list[UUID] = []
            for seed in range(5):
                grow(cases, clock, random.Random(seed), case_ids, 8)
                for _ in range(20):
                    cases.projection_status()
        finally:
            stop.set()
            worker.join(timeout=10)
        assert not worker.is_alive()
        cases.update_projections()
        assert_stored_equals_live(cases, case_ids)


def test_reading_the_stored_views_does_not_block_commands(tmp_path: Path) -> None:
    """A report's open read transaction on SQLite takes no write lock."""
    clock = FakeClock()
    with FamilyCases(f"sqlite:///{tmp_path / 'read.db'}", clock=clock) as cases:
        case_ids: list[UUID] = []
        grow(cases, clock, random.Random(9), case_ids, 10)
        cases.update_projections()
        views = cases.stored_views
        with views.engine.begin() as report:
            report.execute(views.tables.cases.select()).all()
            grow(cases, clock, random.Random(10), case_ids, 5)  # commands while reading
            assert cases.update_projections() > 0  # and the runner writes too
        assert_stored_equals_live(cases, case_ids)

"""Figures from the stored tables equal the fold of every event (tilastot = laskostus).

A hypothesis property over small interleaved histories (the stored projections' own
generator, so failures shrink), and a generated year of 1,000 cases.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from figures.helpers import READER, all_events, assert_stored_equals_fold
from figures.year import clock_after, generate_year
from perhetyo import FamilyCases, generate_key
from perhetyo.projections import caseload_from_events, statistics_from_events
from perhetyo.testing import FakeClock
from projections.histories import Histories, histories

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


@given(
    kind=st.sampled_from(["memory", "sqlite", "sqlite-encrypted"]),
    drawn=histories(max_cases=4),
    on=st.dates(date(2018, 11, 1), date(2020, 12, 31)),
    limit=st.integers(0, 3),
)
def test_stored_statistics_and_caseloads_equal_the_fold_of_all_events(
    kind: str, drawn: Histories, on: date, limit: int
) -> None:
    clock = FakeClock()
    with _store(kind, clock) as cases:
        case_ids = drawn.run(cases, clock)
        events = all_events(cases, case_ids)
        for year in (2018, 2019, 2020):
            stored = cases.statistics(year=year, actor=READER)
            assert stored == statistics_from_events(events, year=year)
        stored_loads = cases.caseload(on=on, actor=READER, limit=limit)
        assert stored_loads == caseload_from_events(events, on=on, limit=limit)


@pytest.mark.slow
def test_a_generated_year_of_1000_cases_gives_the_folds_figures() -> None:
    """About 7 s: 1,000 lives played through the facade, then both computations."""
    with FamilyCases("memory://", clock=clock_after(2024)) as cases:
        case_ids = generate_year(cases, year=2024, n_cases=1000)
        figures = assert_stored_equals_fold(cases, case_ids, 2024)
        loads = cases.caseload(on=date(2024, 12, 31), actor=READER)
        assert loads == caseload_from_events(all_events(cases, case_ids), on=date(2024, 12, 31))
    # The generated year is a busy one: every figure has something to count.
    assert figures.children > 1000
    assert 0 < figures.child_welfare_children < figures.children
    assert all(count > 0 for count in figures.ended_by_reason.values())
    assert all(service.cancelled > 0 and service.granted > 0 for service in figures.services)
    for half in figures.assessments:
        assert half.started_in_time > 0
        assert half.started_late > 0
        assert half.completed_late > 0
        assert half.start_share is not None
        assert 0 < half.start_share < 1
    assert figures.median_relationship_days is not None
    assert sum(load.children for load in loads) >= figures.children - figures.ended_relationships


def test_the_fold_takes_the_events_of_all_cases_in_any_interleaving() -> None:
    with FamilyCases("memory://", clock=clock_after(2024)) as store:
        case_ids = generate_year(store, year=2024, n_cases=30, seed=7)
        events = all_events(store, case_ids)
        interleaved = sorted(events, key=lambda event: event.timestamp)
        assert statistics_from_events(events, year=2024) == statistics_from_events(
            interleaved, year=2024
        )

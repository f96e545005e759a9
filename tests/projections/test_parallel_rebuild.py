"""Parallel rebuild (rinnakkainen uudelleenrakennus): worker processes fold what one would.

The threshold is lowered to one event so that these small stores take the parallel path;
its tables must hold, row for row, what a rebuild in one process writes, and equal the
live folds.
"""

from __future__ import annotations

import contextlib
import random
import sqlite3
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import select

from perhetyo import FamilyCases, generate_key
from perhetyo.errors import TamperedRecordError
from perhetyo.projections.sql import StoredViews
from perhetyo.projections.sql.parallel import workers_for
from perhetyo.testing import FakeClock, an_actor, open_sample_case
from projections.histories import assert_case_stored_equals_live, assert_stored_equals_live, grow
from unit.helpers import close

ME = an_actor()


def _rows(views: StoredViews) -> dict[str, list[tuple[Any, ...]]]:
    with views.reading() as conn:
        return {
            table.name: sorted(
                (tuple(map(repr, row)) for row in conn.execute(select(table))), key=repr
            )
            for table in views.tables.all
        }


def _grown(
    path: Path, seed: int, steps: int, master_key: str | None = None
) -> tuple[FakeClock, list[UUID]]:
    clock = FakeClock()
    case_ids: list[UUID] = []
    with FamilyCases(f"sqlite:///{path}", clock=clock, master_key=master_key) as cases:
        grow(cases, clock, random.Random(seed), case_ids, steps, new_case_weight=0.3)
    return clock, case_ids


def _rebuilt_alone_and_by_two_workers_alike(cases: FamilyCases) -> None:
    """Rebuild in one process, then in two workers: the same events, the same rows."""
    views = cases.stored_views
    events = cases.update_projections()
    views.rebuilds.parallel_min_events = 0  # one process
    assert cases.rebuild_projections() == events
    alone = _rows(views)
    views.rebuilds.parallel_min_events = 1
    views.rebuilds.parallel_workers = 2
    assert workers_for(views, views.engine, wanted=2) == 2
    assert cases.rebuild_projections() == events
    assert _rows(views) == alone


@pytest.mark.parametrize("seed", [1, 2])
def test_a_parallel_rebuild_writes_what_one_process_writes(tmp_path: Path, seed: int) -> None:
    path = tmp_path / "cases.db"
    clock, case_ids = _grown(path, seed, 120)
    with FamilyCases(f"sqlite:///{path}", clock=clock) as cases:
        views = cases.stored_views
        _rebuilt_alone_and_by_two_workers_alike(cases)
        assert_stored_equals_live(cases, case_ids)
        assert cases.update_projections() == 0
        grow(cases, clock, random.Random(seed + 10), case_ids, 20)
        assert cases.update_projections() > 0
        assert_stored_equals_live(cases, case_ids)
        with views.reading() as conn:
            names = {row.view_name for row in conn.execute(select(views.tracking))}
        assert names == {"live"}  # the workers' tracking rows are gone


def test_an_encrypted_store_is_rebuilt_by_workers_with_its_keys(tmp_path: Path) -> None:
    """The workers inherit the preloaded case keys and open their own key tables: an
    erased case (its key destroyed) folds its summary there as in one process."""
    path, key = tmp_path / "k.db", generate_key()
    clock, case_ids = _grown(path, 4, 120, master_key=key)
    with FamilyCases(f"sqlite:///{path}", clock=clock, master_key=key) as cases:
        erased = open_sample_case(cases)
        close(cases, erased, actor=ME)
        cases.erase_case(erased, reason="säilytysaika päättyi", actor=ME)
        views = cases.stored_views
        _rebuilt_alone_and_by_two_workers_alike(cases)
        for case_id in case_ids:
            assert_case_stored_equals_live(cases, case_id)
        audit = views.tables.audit_entries
        with views.reading() as conn:
            kept = conn.execute(
                select(audit.c.event_type).where(audit.c.case_id == str(erased))
            ).all()
        assert [row.event_type for row in kept] == ["CaseErased"]
        assert views.rebuilds.status() is None


def test_a_store_in_memory_is_rebuilt_in_one_process() -> None:
    with FamilyCases("memory://", master_key=generate_key()) as cases:
        views = cases.stored_views
        assert workers_for(views, views.engine, wanted=2) == 1


def test_a_worker_that_meets_a_tampered_event_fails_the_rebuild(tmp_path: Path) -> None:
    path = tmp_path / "cases.db"
    clock, case_ids = _grown(path, 3, 60)
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        rowid, state = db.execute(
            "SELECT rowid, state FROM stored_events WHERE originator_version = 2 LIMIT 1"
        ).fetchone()
        db.execute(
            "UPDATE stored_events SET state = ? WHERE rowid = ?",
            (state[:-2] + bytes([state[-2] ^ 1]) + state[-1:], rowid),
        )
    with FamilyCases(f"sqlite:///{path}", clock=clock) as cases:
        views = cases.stored_views
        views.rebuilds.parallel_min_events = 1
        views.rebuilds.parallel_workers = 2
        with pytest.raises(TamperedRecordError):
            cases.rebuild_projections()
        assert views.rebuilds.status() is None  # its tables were dropped
        assert case_ids

"""A killed rebuild's tables are shown by status and removed at the next start (defect 16).

Its ``*__rebuild`` tables hold a copy of client data; a rebuild that is still running
(in another process or thread) is left alone.
"""

from __future__ import annotations

import contextlib
import logging
import random
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from uuid import UUID

import pytest
from sqlalchemy import inspect, select

from perhetyo import FamilyCases, ProjectionStatus
from perhetyo.projections.sql import TABLE_NAMES, RebuildStatus
from perhetyo.testing import FakeClock
from projections.histories import assert_stored_equals_live, grow

REBUILD_TABLES = tuple(sorted(f"{name}__rebuild" for name in TABLE_NAMES))
_BATCH = 7

_KILLED_REBUILD = textwrap.dedent(
    """
    import os, signal, sys
    from perhetyo import FamilyCases
    from perhetyo.projections.sql import TABLE_NAMES, rows

    url, batch = sys.argv[1], int(sys.argv[2])
    calls = 0
    insert = rows.RowWriter.insert

    def insert_then_die(self, conn, table, rows_):
        global calls
        insert(self, conn, table, rows_)
        if table.name.endswith("__rebuild"):
            calls += 1
            # In the second batch (each batch inserts into every table): the first one
            # is committed.
            if calls == len(TABLE_NAMES) + 3:
                os.kill(os.getpid(), signal.SIGKILL)

    rows.RowWriter.insert = insert_then_die
    with FamilyCases(url) as cases:
        cases.stored_views.rebuild_batch_size = batch
        cases.rebuild_projections()
    """
)


@contextlib.contextmanager
def _a_store_with_history(url: str) -> Iterator[tuple[FamilyCases, list[UUID]]]:
    clock = FakeClock()
    case_ids: list[UUID] = []
    with FamilyCases(url, clock=clock) as cases:
        rng, applied = random.Random(16), 0
        while applied <= 2 * _BATCH:  # a rebuild of more than two batches
            grow(cases, clock, rng, case_ids, 30)
            applied += cases.update_projections()
        yield cases, case_ids


def _rebuild_state(cases: FamilyCases) -> RebuildStatus | None:
    statuses: list[ProjectionStatus] = cases.projection_status()
    assert len({status.rebuild for status in statuses}) == 1  # the same on every row
    return statuses[0].rebuild


def _left_over_tables(cases: FamilyCases) -> list[str]:
    views = cases.stored_views
    with views.engine.connect() as conn:
        names = inspect(conn).get_table_names(schema=views.schema)
        t = views.tracking
        rows = conn.execute(select(t.c.view_name).where(t.c.view_name != "live")).all()
    return sorted(name for name in names if name.endswith("__rebuild")) + [r[0] for r in rows]


def _stopped(cases: FamilyCases) -> RebuildStatus | None:
    """The rebuild state once its dead process's locks are gone (PostgreSQL notices a
    closed connection a moment after the kill)."""
    deadline = time.monotonic() + 10
    state = _rebuild_state(cases)
    while state is not None and state.running and time.monotonic() < deadline:
        time.sleep(0.05)
        state = _rebuild_state(cases)
    return state


def test_a_killed_rebuild_is_shown_by_status_and_cleaned_up_at_the_next_start(
    shared_store_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    with _a_store_with_history(shared_store_url) as (cases, case_ids):
        killed = subprocess.run(
            [sys.executable, "-c", _KILLED_REBUILD, shared_store_url, str(_BATCH)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert killed.returncode == -signal.SIGKILL, killed.stderr

    with FamilyCases(shared_store_url) as cases:
        state = _stopped(cases)
        assert state is not None
        assert not state.running
        assert state.tables == REBUILD_TABLES
        assert state.position >= _BATCH  # its first batch was committed
        assert _left_over_tables(cases) == [*REBUILD_TABLES, "rebuild"]

        caplog.set_level(logging.INFO, logger="perhetyo.projections")
        cases.update_projections()

        assert _left_over_tables(cases) == []
        assert _rebuild_state(cases) is None
        warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
        assert [r.name for r in warnings] == ["perhetyo.projections"]
        assert "rebuild that stopped" in warnings[0].getMessage()
        assert_stored_equals_live(cases, case_ids)


def test_a_running_rebuild_is_shown_by_status_and_left_alone_by_an_update(
    sqlite_url: str,
) -> None:
    with (
        _a_store_with_history(sqlite_url) as (cases, case_ids),
        FamilyCases(sqlite_url) as other,
    ):
        seen: list[RebuildStatus | None] = []

        def meanwhile(_applied: int) -> None:
            if not seen:
                seen.append(_rebuild_state(other))
                other.update_projections()  # another process's runner starting
                seen.append(_rebuild_state(other))

        cases.stored_views.rebuild_batch_size = _BATCH
        assert cases.rebuild_projections(meanwhile) > _BATCH
        assert [state is not None and state.running for state in seen] == [True, True]
        assert _left_over_tables(cases) == []
        assert_stored_equals_live(cases, case_ids)

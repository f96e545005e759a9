"""A worker killed with SIGKILL in the middle of a batch leaves nothing half-applied."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perhetyo import FamilyCases
from perhetyo.testing import FakeClock
from projections.histories import (
    Histories,
    assert_stored_equals_live,
    expensive_examples,
    histories,
)

_KILLED_WORKER = textwrap.dedent(
    """
    import os, signal, sys
    from perhetyo import FamilyCases
    from perhetyo.projections.sql import rows

    url, kill_at = sys.argv[1], int(sys.argv[2])
    calls = 0
    insert = rows.RowWriter.insert

    def insert_then_die(self, conn, table, rows):
        global calls
        insert(self, conn, table, rows)  # rows written, transaction not committed
        calls += 1
        if calls == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    rows.RowWriter.insert = insert_then_die
    with FamilyCases(url, batch_size=7) as cases:
        cases.update_projections()
    """
)


@expensive_examples()
@given(history=histories(min_cases=2, max_cases=5, max_size=12), kill_at=st.integers(1, 30))
def test_stored_tables_equal_live_folds_after_a_worker_is_killed_mid_batch(
    tmp_path_factory: pytest.TempPathFactory, history: Histories, kill_at: int
) -> None:
    path: Path = tmp_path_factory.mktemp("killed") / "cases.db"
    url = f"sqlite:///{path}"
    clock = FakeClock()
    with FamilyCases(url, clock=clock) as cases:
        case_ids = history.run(cases, clock)
    worker = subprocess.run(
        [sys.executable, "-c", _KILLED_WORKER, url, str(kill_at)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    killed = worker.returncode == -signal.SIGKILL
    assert killed or worker.returncode == 0, worker.stderr
    with FamilyCases(url, clock=clock) as cases:
        status = cases.projection_status()[0]
        if killed:
            assert status.position < status.head  # it died before catching up
        cases.update_projections()  # the restarted worker
        assert_stored_equals_live(cases, case_ids)
        assert cases.projection_status()[0].lag == 0

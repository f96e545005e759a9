"""A worker killed with SIGKILL in the middle of a batch leaves nothing half-applied."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from perhetyo import FamilyCases
from perhetyo.testing import FakeClock
from projections.histories import assert_stored_equals_live, grow

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


@settings(max_examples=5, deadline=None)
@given(seed=st.integers(0, 2**32), kill_at=st.integers(1, 30))
def test_stored_tables_equal_live_folds_after_a_worker_is_killed_mid_batch(
    tmp_path_factory, seed: int, kill_at: int  # type: ignore[no-untyped-def]
) -> None:
    path: Path = tmp_path_factory.mktemp("killed") / "cases.db"
    url = f"sqlite:///{path}"
    clock = FakeClock()
    case_ids: list = []
    with FamilyCases(url, clock=clock) as cases:
        grow(cases, clock, random.Random(seed), case_ids, 60, new_case_weight=0.2)
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

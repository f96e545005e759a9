"""A subscriber process killed in the middle of a batch (tilaaja, joka tapetaan kesken).

Usage: PYTHONPATH=tests python subscriber_process.py URL KILL_AT BATCH_SIZE

It registers the host's recording subscriber and catches it up; the KILL_AT-th call of
the handler writes its row, then the process kills itself with SIGKILL (its transaction
open, uncommitted). KILL_AT 0 never kills.
"""

from __future__ import annotations

import os
import signal
import sys

from perhetyo import FamilyCases
from services.host import host_table, recording_handler


def main() -> None:
    url, kill_at, batch_size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    calls = 0

    def count_then_die() -> None:
        nonlocal calls
        calls += 1
        if calls == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    with FamilyCases(url) as cases:
        table = host_table(cases)
        cases.subscribe("host", recording_handler(table, count_then_die), batch_size=batch_size)
        cases.catch_up_subscribers()


if __name__ == "__main__":
    main()

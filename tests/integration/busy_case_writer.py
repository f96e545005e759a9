"""One writer process on a busy case (kiireinen asiakkuus): N goal updates on ONE case.

Usage: python busy_case_writer.py URL CASE_ID GOAL_ID COMMANDS WORKER

Opens the store, prints ``ready``, waits for a line on stdin ("go"), then sends COMMANDS
``update_goal`` commands to the one case, each with its own request id ``w<WORKER>-<n>``;
every tenth is sent twice (at-least-once delivery: the repeat must record nothing). A
refused command is counted by its error code, not retried. Prints one JSON object: the
accepted request ids, the error codes with their counts, how many times a command was
decided (the clock is asked once per decision: a command that lost a race and was decided
again counts twice), the seconds the run took and the longest single command.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from datetime import date, datetime
from uuid import UUID

from perhetyo import FamilyCases, GoalStatus, PerhetyoError
from perhetyo.testing import FakeClock, an_actor


class CountingClock:
    """A fake clock that counts the decisions it was asked for."""

    def __init__(self) -> None:
        self.fake = FakeClock()
        self.calls = 0

    def __call__(self) -> datetime:
        self.calls += 1
        return self.fake()


def main() -> None:
    url, case_id, goal_id, count, worker = sys.argv[1:6]
    me = an_actor(f"sw-{worker}")
    accepted: list[str] = []
    errors: Counter[str] = Counter()
    longest = 0.0
    clock = CountingClock()
    with FamilyCases(url, clock=clock) as cases:
        sys.stdout.write("ready\n")
        sys.stdout.flush()
        sys.stdin.readline()
        started = time.monotonic()
        for n in range(int(count)):
            request_id = f"w{worker}-{n}"
            for _ in range(2 if n % 10 == 0 else 1):
                sent = time.monotonic()
                try:
                    cases.update_goal(
                        UUID(case_id),
                        UUID(goal_id),
                        status=GoalStatus.IN_PROGRESS,
                        progress=n % 101,
                        updated_on=date(2020, 9, 2),
                        actor=me,
                        request_id=request_id,
                    )
                except PerhetyoError as exc:
                    errors[exc.code] += 1
                    break
                finally:
                    longest = max(longest, time.monotonic() - sent)
            else:
                accepted.append(request_id)
        elapsed = time.monotonic() - started
    report = {
        "accepted": accepted,
        "errors": errors,
        "decided": clock.calls,
        "elapsed": elapsed,
        "longest": longest,
    }
    sys.stdout.write(json.dumps(report) + "\n")


if __name__ == "__main__":
    main()

"""Reads (lukeminen): ``current_plan`` of a long case against a short one, in one run.

``python -m benchmarks.reads [--long N] [--short M] [--reads R] [--repeat K]`` prints one
JSON line (the harness calls :func:`run`): ``{figure, value, floor, ratio, bar, goal,
pass, ...}``. ``value`` is the CPU seconds of one ``current_plan`` read of a case of
1,000 events, ``floor`` the same for a case of 10 events, each on a SQLite file of its own
(indexed reads, as in production; CPU time: the access log's synced commit waits the same
for both, and the machine is shared), the two sides alternating, ``repeat`` rounds. The
first read of each case, which folds it from the first event and writes its snapshot, is
not timed. Bar <= 2, goal <= 1.2.

``--snapshot-interval 0`` gives the figure without snapshots (before issue 10).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any, Final

from benchmarks.commands import ME, Figure, _files, _open, build_case, figure, rounds

__all__ = ["current_plan_reads", "run"]


def current_plan_reads(
    url: str, n_events: int, n_reads: int, interval: int | None = 100
) -> float:
    """CPU seconds per ``current_plan`` of one case of ``n_events`` (after a warm read)."""
    with _open(url, interval=interval) as cases:
        case_id, _ = build_case(cases, n_events)
        cases.current_plan(case_id, actor=ME)  # folds from the first event, writes a snapshot
        started = time.process_time()
        for _ in range(n_reads):
            cases.current_plan(case_id, actor=ME)
        return (time.process_time() - started) / n_reads


def run(
    *,
    long: int = 1_000,
    short: int = 10,
    reads: int = 200,
    repeat: int = 3,
    snapshot_interval: int | None = 100,
) -> list[Figure]:
    """The read figure, beside its floor in the same run."""
    with tempfile.TemporaryDirectory(prefix="perhetyo-bench-reads-") as tmp:
        url = _files(Path(tmp))
        results = rounds(
            {
                "long": lambda: current_plan_reads(url("l"), long, reads, snapshot_interval),
                "short": lambda: current_plan_reads(url("s"), short, reads, snapshot_interval),
            },
            repeat,
        )
    return [
        figure(
            f"current_plan {long:,}-event case / {short:,}-event case",
            results["long"],
            results["short"],
            bar=2.0,
            goal=1.2,
            higher_is_better=False,
            unit="CPU s/read",
        )
    ]



SIZES: Final[dict[str, dict[str, Any]]] = {
    "smoke": {"long": 200, "short": 10, "reads": 10, "repeat": 1},
    "small": {"long": 1_000, "short": 10, "reads": 100, "repeat": 3},
    "default": {},
}
"""The harness's sizes (``python -m benchmarks --size ...``); default: :func:`run`'s own."""


def figures(size: str) -> list[Figure]:
    """The harness's figures at ``size``."""
    return run(**SIZES[size])


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.reads")
    parser.add_argument("--long", type=int, default=1_000)
    parser.add_argument("--short", type=int, default=10)
    parser.add_argument("--reads", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--snapshot-interval", type=int, default=100, help="0: off")
    args = parser.parse_args()
    for result in run(
        long=args.long,
        short=args.short,
        reads=args.reads,
        repeat=args.repeat,
        snapshot_interval=args.snapshot_interval,
    ):
        print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()

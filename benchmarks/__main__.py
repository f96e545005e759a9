"""Benchmarks (suorituskykymittaukset): ``python -m benchmarks [--cases N] [--repeat R]``.

1. Rebuild speed on SQLite: perhetyo's ``rebuild_projections()`` against the floor (bare
   eventsourcing + orjson + raw sqlite3 executemany), each run in a fresh process, the two
   sides alternating, medians reported. Target: ratio >= 0.40.
2. Memory: peak RSS of a rebuild at 50,000 and at 500,000 events (``--memory``), each in a
   fresh process. Target: the larger within 1.5x of the smaller.
3. Encryption on / off (``benchmarks.encryption``): 200 commands through ``FamilyCases`` on
   a SQLite file, and a rebuild of a seeded store, each with and without a master key, in
   fresh processes, the two sides alternating, medians reported. Target: ratio >= 0.70.

The figures are printed as a table with their ratios; the process exits 1 if a target is
missed, so a CI job that asks for benchmarks can use it. Benchmarks never run in `make test`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.encryption import KEY
from benchmarks.seed import EVENTS_PER_CASE, seed
from perhetyo import FamilyCases

REBUILD_TARGET = 0.40
MEMORY_TARGET = 1.5
ENCRYPTION_TARGET = 0.70


def seeded(directory: Path, n_cases: int, key: str | None = None) -> Path:
    """A SQLite store of ``n_cases`` x 25 events, seeded through the recorder (encrypted
    when ``key`` is given)."""
    db = directory / f"bench-{n_cases}{'-encrypted' if key else ''}.db"
    with FamilyCases(f"sqlite:///{db}", master_key=key) as cases:
        seed(cases._store, n_cases)
    return db


def run_encryption_side(workload: str, encryption: str, url: str) -> float:
    """One side of the encryption benchmark in a fresh process: its work per second."""
    output = subprocess.run(  # noqa: S603 (fixed arguments)
        [sys.executable, "-m", "benchmarks.encryption", workload, encryption, url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, float] = json.loads(output.strip().splitlines()[-1])
    return result["per_second"]


def encryption(directory: Path, n_cases: int, repeat: int) -> bool:
    """Encryption on / off for 200 commands and for a rebuild, each side alternating."""
    plain_db = seeded(directory, n_cases)
    encrypted_db = seeded(directory, n_cases, KEY)
    rows = []
    for workload in ("commands", "commands-cpu", "rebuild"):
        off, on = [], []
        for round_ in range(repeat):
            if workload == "commands-cpu":  # memory://: no disk, the cipher's own cost
                urls = {"off": "memory://", "on": "memory://"}
            elif workload == "commands":
                urls = {
                    side: f"sqlite:///{directory / f'commands-{side}-{round_}.db'}"
                    for side in ("off", "on")
                }
            else:
                urls = {"off": f"sqlite:///{plain_db}", "on": f"sqlite:///{encrypted_db}"}
            off.append(run_encryption_side(workload, "off", urls["off"]))
            on.append(run_encryption_side(workload, "on", urls["on"]))
        rows.append((workload, statistics.median(off), statistics.median(on), off, on))
    unit = {"commands": "commands/s", "commands-cpu": "commands/s", "rebuild": "events/s"}
    print(
        f"\nEncryption on / off (SQLite file; commands-cpu on memory://), median of {repeat} "
        "fresh processes each"
    )
    ok = True
    for workload, off_median, on_median, off, on in rows:
        ratio = on_median / off_median
        verdict = "meets" if ratio >= ENCRYPTION_TARGET else "MISSES"
        ok = ok and ratio >= ENCRYPTION_TARGET
        print(
            f"  {workload:<12} off {off_median:>10,.1f} {unit[workload]:<10} {off}\n"
            f"  {'':<12} on  {on_median:>10,.1f} {unit[workload]:<10} {on}\n"
            f"  {'':<12} ratio {ratio:.2f} ({verdict} the target {ENCRYPTION_TARGET:.2f})"
        )
    return ok


def run_side(side: str, db: Path) -> dict[str, float]:
    """One side in a fresh process (heap size moves figures)."""
    output = subprocess.run(  # noqa: S603 (fixed arguments)
        [sys.executable, "-m", "benchmarks.rebuild", side, str(db)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, float] = json.loads(output.strip().splitlines()[-1])
    return result


def rebuild_speed(directory: Path, n_cases: int, repeat: int) -> bool:
    db = seeded(directory, n_cases)
    floors, ours = [], []
    for _ in range(repeat):
        floors.append(run_side("floor", db)["events_per_second"])
        ours.append(run_side("perhetyo", db)["events_per_second"])
    floor, mine = statistics.median(floors), statistics.median(ours)
    ratio = mine / floor
    events = n_cases * EVENTS_PER_CASE
    print(f"\nRebuild on SQLite, {events:,} events, median of {repeat} fresh processes")
    print(f"  floor (eventsourcing + orjson + sqlite3) {floor:>10,.0f} events/s  {floors}")
    print(f"  perhetyo rebuild_projections()           {mine:>10,.0f} events/s  {ours}")
    verdict = "meets" if ratio >= REBUILD_TARGET else "MISSES"
    print(f"  ratio {ratio:.2f} ({verdict} the target {REBUILD_TARGET:.2f})")
    return ratio >= REBUILD_TARGET


def memory(directory: Path, small: int, large: int) -> bool:
    peaks = {}
    for n_cases in (small, large):
        db = seeded(directory, n_cases)
        peaks[n_cases] = run_side("perhetyo", db)["peak_rss_mb"]
        db.unlink()
    ratio = peaks[large] / peaks[small]
    print("\nPeak RSS of a rebuild (fresh process each)")
    for n_cases, peak in peaks.items():
        print(f"  {n_cases * EVENTS_PER_CASE:>9,} events  {peak:>7.1f} MB")
    verdict = "meets" if ratio <= MEMORY_TARGET else "MISSES"
    print(f"  ratio {ratio:.2f} ({verdict} the target {MEMORY_TARGET:.1f})")
    return ratio <= MEMORY_TARGET


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--cases", type=int, default=2_000, help="cases of 25 events (speed)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--memory", action="store_true", help="also 50k vs 500k events RSS")
    parser.add_argument(
        "--encryption-only", action="store_true", help="only encryption on / off"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="perhetyo-bench-") as tmp:
        directory = Path(tmp)
        ok = True
        if not args.encryption_only:
            ok = rebuild_speed(directory, args.cases, args.repeat)
        ok = encryption(directory, args.cases, args.repeat) and ok
        if args.memory:
            ok = memory(directory, 2_000, 20_000) and ok
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

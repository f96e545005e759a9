"""Rebuild speed (näkymien uudelleenrakennus): perhetyo against its floor, same log, same run.

The floor is bare eventsourcing: its SQLite recorder reads the notification log in pages,
orjson alone decodes each payload (no pydantic), and raw sqlite3 inserts one row per event
with ``executemany``, one transaction per page. perhetyo's rebuild does all it does for
users: pydantic decoding, the three folds, five tables, the check and the switch-over.

Run one side in a process of its own: ``python -m benchmarks.rebuild floor|perhetyo DB``.
It prints one JSON line: events, seconds, events_per_second, cpu_seconds, peak_rss_mb.
"""

from __future__ import annotations

import json
import resource
import sqlite3
import sys
import time
from pathlib import Path

from benchmarks.seed import bare_recorder, floor_rows
from perhetyo import FamilyCases
from perhetyo.projections.sql import REBUILD_BATCH_SIZE


def floor(db: Path) -> int:
    """Read, drop the chain header, decode with orjson, insert one row per event: the
    storage engine's own pace."""
    cases = FamilyCases(f"sqlite:///{db}")  # opened as perhetyo's side is (not timed apart)
    recorder = bare_recorder(db)
    conn = sqlite3.connect(db, isolation_level=None, timeout=30)
    conn.execute("DROP TABLE IF EXISTS floor_rows")
    conn.execute(
        "CREATE TABLE floor_rows (case_id TEXT, version INTEGER, topic TEXT, "
        "recorded_at TEXT, actor_id TEXT, PRIMARY KEY (case_id, version))"
    )
    position, total = 0, 0
    while True:
        page = recorder.select_notifications(
            start=position, limit=REBUILD_BATCH_SIZE, inclusive_of_start=False
        )
        if not page:
            break
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO floor_rows VALUES (?, ?, ?, ?, ?)", floor_rows(page))
        conn.execute("COMMIT")
        position = page[-1].id
        total += len(page)
    conn.close()
    recorder.datastore.close()
    cases.close()
    return total


def perhetyo(db: Path) -> int:
    """``rebuild_projections()`` on the same file."""
    with FamilyCases(f"sqlite:///{db}") as cases:
        return cases.rebuild_projections()


def _cpu() -> float:
    """CPU seconds of this process and of its ended child processes."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def main(argv: list[str]) -> None:
    """Run one side and print its figures as JSON."""
    side, db = argv[0], Path(argv[1])
    run = {"floor": floor, "perhetyo": perhetyo}[side]
    started, cpu = time.perf_counter(), _cpu()
    events = run(db)
    seconds, cpu = time.perf_counter() - started, _cpu() - cpu
    # A parallel rebuild's worker processes count too: their CPU, and their peak RSS
    # added to this process's (an upper bound of the peak of them all together).
    peak_kb = (
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    )
    print(
        json.dumps(
            {
                "side": side,
                "events": events,
                "seconds": round(seconds, 3),
                "events_per_second": round(events / seconds),
                "cpu_seconds": round(cpu, 3),
                "peak_rss_mb": round(peak_kb / 1024, 1),
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1:])

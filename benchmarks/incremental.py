"""Incremental update (näkymien päivitys): 100 new events folded into up-to-date views.

``python -m benchmarks.incremental DB ROUNDS`` on a seeded SQLite store (see
:mod:`benchmarks.seed`). Its views are brought up to date first (not timed). Each round,
a second ``FamilyCases`` on the same file (as another process would) records 100
``update_goal`` commands, 10 on each of 10 open cases not touched before (so the views'
cache holds none of them: each is a miss, read back from its rows), then the two sides
fold those 100 events, in turn (the side that goes first alternates; a first round warms
up both and is not counted: a worker runs for long):

- perhetyo: ``update_projections()`` of a long-lived ``FamilyCases`` (its runner and cache
  kept between rounds);
- the floor: read the same 100 notifications through eventsourcing's recorder, decode each
  with orjson alone and insert one row per event with sqlite3's ``executemany``, in one
  committed transaction.

Prints one JSON line: the seconds of each side per round, wall clock (``ours``, ``floor``:
what the figure is taken of) and this process's CPU (``ours_cpu``, ``floor_cpu``: steadier
on a shared machine; the floor's fsync wait is not CPU).
"""

from __future__ import annotations

import json
import sqlite3
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from benchmarks.seed import NOW, bare_recorder, case_id_of, floor_rows
from perhetyo import FamilyCases, GoalStatus
from perhetyo.events import GoalSet, GoalUpdated
from perhetyo.testing import FakeClock, an_actor

EVENTS = 100
CASES_PER_ROUND = 10


class _Floor:
    """Bare eventsourcing + orjson + sqlite3 from a position of its own."""

    def __init__(self, db: Path, recorder: Any, position: int) -> None:
        self.recorder = recorder
        self.position = position
        self.conn = sqlite3.connect(db, isolation_level=None, timeout=30)
        self.conn.execute("DROP TABLE IF EXISTS floor_incremental")
        self.conn.execute(
            "CREATE TABLE floor_incremental (case_id TEXT, version INTEGER, topic TEXT, "
            "recorded_at TEXT, actor_id TEXT, PRIMARY KEY (case_id, version))"
        )

    def run(self) -> int:
        page = self.recorder.select_notifications(
            start=self.position, limit=EVENTS, inclusive_of_start=False
        )
        self.conn.execute("BEGIN")
        self.conn.executemany(
            "INSERT INTO floor_incremental VALUES (?, ?, ?, ?, ?)", floor_rows(page)
        )
        self.conn.execute("COMMIT")
        self.position = page[-1].id
        return len(page)

    def close(self) -> None:
        self.conn.execute("DROP TABLE IF EXISTS floor_incremental")
        self.conn.close()
        self.recorder.datastore.close()


def _goal_of(cases: FamilyCases, case_id: UUID) -> tuple[UUID, date]:
    """The case's first goal and the day after its latest update (a store used again)."""
    store: Any = cases._store
    goal, latest = None, date(2020, 1, 1)
    for stored in store.recorder.select_events(case_id):
        event = store.mapper.to_domain_event(stored)
        if isinstance(event, GoalSet) and goal is None:
            goal = event.goal_id
        elif isinstance(event, GoalUpdated) and event.goal_id == goal:
            latest = max(latest, event.updated_on)
    if goal is None:
        raise LookupError("a seeded open case has goals")
    return goal, latest + timedelta(days=1)


def _record(writer: FamilyCases, case_ids: list[UUID]) -> None:
    me = an_actor()
    for case_id in case_ids:
        goal, day = _goal_of(writer, case_id)
        for n in range(EVENTS // len(case_ids)):
            writer.update_goal(
                case_id,
                goal,
                status=GoalStatus.IN_PROGRESS,
                progress=50,
                note="Viikkopalaveri.",
                updated_on=day + timedelta(days=n),
                actor=me,
            )


def run(db: Path, rounds: int, n_cases: int) -> dict[str, list[float]]:
    """``rounds`` alternating rounds; the seconds (wall and CPU) of each side per round."""
    url = f"sqlite:///{db}"
    open_cases = [case_id_of(index) for index in range(1, n_cases, 2)]
    if len(open_cases) < (rounds + 1) * CASES_PER_ROUND:
        raise SystemExit(f"{n_cases} seeded cases have too few open ones for {rounds} rounds")
    ours: list[float] = []
    floors: list[float] = []
    cpus: dict[str, list[float]] = {"ours": [], "floor": []}
    clock = FakeClock(NOW + timedelta(days=365))
    with FamilyCases(url) as views, FamilyCases(url, clock=clock) as writer:
        views.update_projections()  # up to date before the first round (not timed)
        recorder: Any = bare_recorder(db)
        floor = _Floor(db, recorder, recorder.max_notification_id() or 0)
        try:
            for round_ in range(-1, rounds):  # round -1 warms up (a worker runs for long)
                first = (round_ + 1) * CASES_PER_ROUND
                _record(writer, open_cases[first : first + CASES_PER_ROUND])
                sides = [("ours", views.update_projections), ("floor", floor.run)]
                for side, work in sides if round_ % 2 == 0 else reversed(sides):
                    started, cpu = time.perf_counter(), time.process_time()
                    applied = work()
                    seconds = time.perf_counter() - started
                    cpu = time.process_time() - cpu
                    if applied != EVENTS:
                        raise SystemExit(f"{side} applied {applied} events, not {EVENTS}")
                    if round_ >= 0:
                        (ours if side == "ours" else floors).append(seconds)
                        cpus[side].append(cpu)
        finally:
            floor.close()
    return {"ours": ours, "floor": floors, "ours_cpu": cpus["ours"], "floor_cpu": cpus["floor"]}


def main(argv: list[str]) -> None:
    """``DB ROUNDS CASES``: run and print the seconds per round as JSON."""
    db, rounds, n_cases = Path(argv[0]), int(argv[1]), int(argv[2])
    print(json.dumps(run(db, rounds, n_cases)))


if __name__ == "__main__":
    main(sys.argv[1:])

"""Incremental update (näkymien päivitys): 100 new events folded into up-to-date views.

``python -m benchmarks.incremental DB ROUNDS`` on a seeded SQLite store (see
:mod:`benchmarks.seed`). Its views are brought up to date first (not timed). Each round,
a second ``FamilyCases`` on the same file (as another process would) records 100
``update_goal`` commands, 10 on each of 10 open cases not touched before (so the views'
cache holds none of them: each is a miss, read back from its rows), then the two sides
fold those 100 events, in turn (the side that goes first alternates):

- perhetyo: ``update_projections()`` of a long-lived ``FamilyCases`` (its runner and cache
  kept between rounds);
- the floor: read the same 100 notifications through eventsourcing's recorder, decode each
  with orjson alone and insert one row per event with sqlite3's ``executemany``, in one
  committed transaction.

Prints one JSON line: the seconds of each side per round.
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

import orjson

from benchmarks.seed import NOW, case_id_of
from perhetyo import FamilyCases, GoalStatus
from perhetyo.events import GoalSet
from perhetyo.persistence.chain import body_of
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
        rows = []
        for notification in page:
            state = orjson.loads(body_of(notification.state))
            rows.append(
                (
                    str(notification.originator_id),
                    notification.originator_version,
                    notification.topic,
                    state["timestamp"],
                    state["actor"]["id"],
                )
            )
        self.conn.execute("BEGIN")
        self.conn.executemany("INSERT INTO floor_incremental VALUES (?, ?, ?, ?, ?)", rows)
        self.conn.execute("COMMIT")
        self.position = page[-1].id
        return len(page)

    def close(self) -> None:
        self.conn.execute("DROP TABLE IF EXISTS floor_incremental")
        self.conn.close()


def _goal_of(cases: FamilyCases, case_id: UUID) -> UUID:
    store: Any = cases._store
    for stored in store.recorder.select_events(case_id, limit=10):
        event = store.mapper.to_domain_event(stored)
        if isinstance(event, GoalSet):
            return event.goal_id
    raise LookupError("a seeded open case has goals")


def _record(writer: FamilyCases, case_ids: list[UUID], day: date) -> None:
    me = an_actor()
    for case_id in case_ids:
        goal = _goal_of(writer, case_id)
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
    """``rounds`` alternating rounds; the seconds of each side per round."""
    url = f"sqlite:///{db}"
    open_cases = [case_id_of(index) for index in range(1, n_cases, 2)]
    if len(open_cases) < rounds * CASES_PER_ROUND:
        raise SystemExit(f"{n_cases} seeded cases have too few open ones for {rounds} rounds")
    ours: list[float] = []
    floors: list[float] = []
    clock = FakeClock(NOW + timedelta(days=365))
    with FamilyCases(url) as views, FamilyCases(url, clock=clock) as writer:
        views.update_projections()  # up to date before the first round (not timed)
        recorder: Any = writer._store.recorder
        floor = _Floor(db, recorder, recorder.max_notification_id() or 0)
        try:
            for round_ in range(rounds):
                chosen = open_cases[round_ * CASES_PER_ROUND : (round_ + 1) * CASES_PER_ROUND]
                _record(writer, chosen, date(2021, 1, 4) + timedelta(days=20 * round_))
                sides = [("ours", views.update_projections), ("floor", floor.run)]
                for side, work in sides if round_ % 2 == 0 else reversed(sides):
                    started = time.perf_counter()
                    applied = work()
                    seconds = time.perf_counter() - started
                    if applied != EVENTS:
                        raise SystemExit(f"{side} applied {applied} events, not {EVENTS}")
                    (ours if side == "ours" else floors).append(seconds)
        finally:
            floor.close()
    return {"ours": ours, "floor": floors}


def main(argv: list[str]) -> None:
    """``DB ROUNDS CASES``: run and print the seconds per round as JSON."""
    db, rounds, n_cases = Path(argv[0]), int(argv[1]), int(argv[2])
    print(json.dumps(run(db, rounds, n_cases)))


if __name__ == "__main__":
    main(sys.argv[1:])

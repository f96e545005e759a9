"""The SQLite file store: what was recorded is on disk, for a new instance and a new process."""

from __future__ import annotations

import contextlib
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.sqlite import SQLiteApplicationRecorder

from perhetyo import FamilyCases
from perhetyo.testing import FakeClock, an_actor

from .conftest import TellStory

SQLITE_SYNCHRONOUS_FULL = 2
"""``PRAGMA synchronous`` answers 0 (OFF), 1 (NORMAL), 2 (FULL) or 3 (EXTRA)."""


def all_reads(cases: FamilyCases, case_id: UUID) -> dict[str, Any]:
    me = an_actor()
    return {
        "current_plan": cases.current_plan(case_id, actor=me),
        "goal_progress": cases.goal_progress(case_id, actor=me),
        "audit_trail": cases.audit_trail(case_id, actor=me),
        "history": cases.history(case_id, actor=me),
    }


def test_a_reopened_sqlite_file_reads_the_case_back_equal(
    sqlite_url: str, story_teller: TellStory
) -> None:
    clock = FakeClock()
    with FamilyCases(url=sqlite_url, clock=clock) as cases:
        story = story_teller(cases, clock)
        before = all_reads(cases, story.case_id)

    with FamilyCases(url=sqlite_url, clock=FakeClock()) as reopened:
        after = all_reads(reopened, story.case_id)

    assert len(after["history"]) == len(story.event_types)
    assert after["current_plan"].plan_version == 2
    assert after == before


# Reads the plan version and event count of one case from a SQLite file, in a new process.
_READ_BACK = """
import sys
from uuid import UUID
from perhetyo import FamilyCases
from perhetyo.testing import an_actor

with FamilyCases(url=sys.argv[1]) as cases:
    case_id = UUID(sys.argv[2])
    plan = cases.current_plan(case_id, actor=an_actor())
    print(plan.plan_version, len(cases.history(case_id, actor=an_actor())), plan.status.name)
"""


def test_a_fresh_process_reads_the_events_from_the_sqlite_file(
    sqlite_url: str, story_teller: TellStory, tmp_path: Path
) -> None:
    clock = FakeClock()
    with FamilyCases(url=sqlite_url, clock=clock) as cases:
        story = story_teller(cases, clock)

    result = subprocess.run(
        [sys.executable, "-c", _READ_BACK, sqlite_url, str(story.case_id)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["2", str(len(story.event_types)), "CLOSED"]


def test_the_sqlite_file_holds_every_event_in_the_events_table(
    sqlite_url: str, story_teller: TellStory
) -> None:
    clock = FakeClock()
    with FamilyCases(url=sqlite_url, clock=clock) as cases:
        story = story_teller(cases, clock)

    path = sqlite_url.removeprefix("sqlite:///")
    with contextlib.closing(sqlite3.connect(path)) as conn:
        rows = conn.execute(
            "SELECT originator_version, topic FROM stored_events WHERE originator_id = ? "
            "ORDER BY originator_version",
            (story.case_id.hex,),
        ).fetchall()

    assert [version for version, _ in rows] == list(range(1, len(story.event_types) + 1))
    assert [topic for _, topic in rows] == [f"perhetyo.{name}.v1" for name in story.event_types]


def synchronous_of(connection: Any) -> int:
    """``PRAGMA synchronous`` on one of eventsourcing's SQLite connections."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA synchronous")
    row = cursor.fetchone()
    return int(row[0])


def test_the_sqlite_store_syncs_every_commit_to_disk(
    sqlite_url: str, story_teller: TellStory
) -> None:
    clock = FakeClock()
    with FamilyCases(url=sqlite_url, clock=clock) as cases:
        story_teller(cases, clock)
        # FamilyCases._store is private: it is the eventsourcing application behind the
        # facade. ``recorder`` and ``datastore`` are eventsourcing's public attributes, and
        # ``get_connection`` its public way to borrow a pooled connection.
        recorder = cases._store.recorder
        assert isinstance(recorder, SQLiteApplicationRecorder)
        datastore = recorder.datastore
        with datastore.get_connection(commit=True) as writer:
            assert synchronous_of(writer) == SQLITE_SYNCHRONOUS_FULL
        with datastore.get_connection(commit=False) as reader:
            assert synchronous_of(reader) == SQLITE_SYNCHRONOUS_FULL
        with datastore.get_connection(commit=False) as reader:
            journal = reader.cursor()
            journal.execute("PRAGMA journal_mode")
            assert journal.fetchone()[0].lower() == "wal"

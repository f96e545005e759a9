"""Snapshots are a cache that is never trusted blindly.

A snapshot of another schema, one that does not verify or decode, or one whose head is
not the record's is passed over (an older one, or the first event, is used instead); an
edit after a snapshot is still refused by the chain; an erased case's snapshots are
unreadable with its destroyed key; and all of it holds on SQLite files and PostgreSQL.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent

from perhetyo import (
    CaseErasedError,
    ClosureReason,
    ConfigurationError,
    FamilyCases,
    GoalStatus,
    TamperedRecordError,
    generate_key,
)
from perhetyo.aggregates import state_snapshots
from perhetyo.loading import CaseLoader
from perhetyo.persistence.chain import Head, stored_head
from perhetyo.persistence.snapshots import Snapshot, SnapshotStore
from perhetyo.testing import FakeClock, an_actor, open_sample_case

ME = an_actor()
MARKER = "SNAPSHOTMARKER"


def grow(cases: FamilyCases, case_id: UUID, updates: int) -> UUID:
    """A goal set, then ``updates`` updates of it (and a read of the plan after each)."""
    goal = cases.set_goal(case_id, description=MARKER, set_on=date(2020, 9, 1), actor=ME)
    for n in range(updates):
        cases.update_goal(
            case_id,
            goal,
            status=GoalStatus.IN_PROGRESS,
            progress=n % 100,
            note=MARKER,
            updated_on=date(2020, 9, 2),
            actor=ME,
        )
        cases.current_plan(case_id, actor=ME)
    return goal


def rows(cases: FamilyCases, case_id: UUID, kind: str = "state") -> list[StoredEvent]:
    store: SnapshotStore = cases._store.snapshot_store
    return list(store.recorder.select_events(store.snapshot_id(case_id, kind)))


def without_snapshots(cases: FamilyCases) -> CaseLoader:
    return CaseLoader(cases._store, 0)


@contextlib.contextmanager
def opened(url: str, **options: object) -> Iterator[FamilyCases]:
    with FamilyCases(url, clock=FakeClock(), **options) as cases:  # type: ignore[arg-type]
        yield cases


@pytest.fixture(
    params=[
        pytest.param("memory", id="memory"),
        pytest.param("sqlite", id="sqlite-file"),
        pytest.param("postgres", id="postgresql", marks=pytest.mark.postgres),
    ]
)
def url(request: pytest.FixtureRequest) -> str:
    if request.param == "memory":
        return "memory://"
    return str(request.getfixturevalue(f"{request.param}_url"))


def test_snapshots_are_written_and_used_on_every_store(url: str) -> None:
    with opened(url, snapshot_interval=5) as cases:
        case_id = open_sample_case(cases)
        grow(cases, case_id, 22)
        assert [row.originator_version for row in rows(cases, case_id)] == [5, 10, 15, 20]
        assert rows(cases, case_id, "current_plan")
        loader = CaseLoader(cases._store, 5)
        assert loader.state(case_id) == without_snapshots(cases).state(case_id)
        assert cases.current_plan(case_id, actor=ME) == without_snapshots(cases).plan(case_id)
        assert MARKER.encode() not in b"".join(row.state for row in rows(cases, case_id))


@pytest.mark.parametrize("interval", [0, None])
def test_an_interval_of_zero_or_none_turns_snapshots_off(interval: int | None) -> None:
    with opened("memory://", snapshot_interval=interval) as cases:
        case_id = open_sample_case(cases)
        grow(cases, case_id, 120)
        assert rows(cases, case_id) == []
        assert rows(cases, case_id, "current_plan") == []


@pytest.mark.parametrize("interval", [-1, 2.5, "10"])
def test_a_bad_interval_is_a_configuration_error(interval: object) -> None:
    with pytest.raises(ConfigurationError):
        FamilyCases("memory://", snapshot_interval=interval)  # type: ignore[arg-type]


def _later(snapshot: Snapshot, **changes: object) -> Snapshot:
    """``snapshot`` claimed one version later (its head moved along, not re-derived)."""
    head = replace(snapshot.head, version=snapshot.version + 1)
    return replace(snapshot, version=snapshot.version + 1, head=head, **changes)  # type: ignore[arg-type]


def _latest_snapshot(cases: FamilyCases, case_id: UUID) -> Snapshot:
    return next(
        cases._store.snapshot_store.newest(case_id, "state", state_snapshots.STATE_SCHEMA)
    )


def test_a_snapshot_of_another_schema_is_never_read() -> None:
    with opened("memory://", snapshot_interval=5) as cases:
        case_id = open_sample_case(cases)
        grow(cases, case_id, 12)
        good = _latest_snapshot(cases, case_id)
        # A newer snapshot of a future schema, whose fold this version cannot read.
        store = cases._store.snapshot_store
        assert store.save(_later(good, fold={"new": 1}), 99)
        loader = CaseLoader(cases._store, 1000)  # reads snapshots, writes none
        assert loader.state(case_id) == without_snapshots(cases).state(case_id)
        assert [s.version for s in store.newest(case_id, "state", 99)] == [good.version + 1]
        assert all(
            s.version <= good.version
            for s in store.newest(case_id, "state", state_snapshots.STATE_SCHEMA)
        )


def test_a_snapshot_that_does_not_decode_falls_back_to_an_older_one(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with opened("memory://", snapshot_interval=5) as cases:
        case_id = open_sample_case(cases)
        grow(cases, case_id, 12)
        newest = _latest_snapshot(cases, case_id)
        half = dict(newest.fold)
        del half["goals"]
        store = cases._store.snapshot_store
        version = newest.version + 1  # a real head, so that only its fold is wrong
        (event,) = cases._store.recorder.select_events(case_id, gt=version - 1, lte=version)
        head = stored_head(event)
        assert store.save(replace(newest, version=version, head=head, fold=half), 1)
        caplog.set_level(logging.WARNING, logger="perhetyo")
        loader = CaseLoader(cases._store, 1000)
        assert loader.state(case_id) == without_snapshots(cases).state(case_id)
        assert any("does not decode" in record.getMessage() for record in caplog.records)


def test_a_snapshot_whose_head_is_not_the_records_is_not_used() -> None:
    with opened("memory://", snapshot_interval=5) as cases:
        case_id = open_sample_case(cases)
        grow(cases, case_id, 12)
        newest = _latest_snapshot(cases, case_id)
        forged = Head(newest.head.version + 1, b"\x01" * 32, newest.head.strength)
        lying = replace(newest, version=newest.version + 1, head=forged, fold=newest.fold)
        store = cases._store.snapshot_store
        assert store.save(lying, state_snapshots.STATE_SCHEMA)
        loader = CaseLoader(cases._store, 1000)
        state, head = loader.state(case_id)
        assert (state, head) == without_snapshots(cases).state(case_id)
        assert state is not None
        assert state.version == head.version


def test_a_damaged_snapshot_row_is_passed_over(
    sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    import sqlite3  # noqa: PLC0415

    with opened(sqlite_url, snapshot_interval=5) as cases:
        case_id = open_sample_case(cases)
        goal = grow(cases, case_id, 12)
        expected = without_snapshots(cases).state(case_id)
    with contextlib.closing(sqlite3.connect(sqlite_url.removeprefix("sqlite:///"))) as db, db:
        for (version, state) in db.execute(
            "SELECT originator_version, state FROM stored_snapshots WHERE originator_id = ?",
            (case_id.hex,),
        ).fetchall():
            damaged = bytearray(state)
            damaged[-5] ^= 0x01
            db.execute(
                "UPDATE stored_snapshots SET state = ? "
                "WHERE originator_id = ? AND originator_version = ?",
                (bytes(damaged), case_id.hex, version),
            )
    caplog.set_level(logging.WARNING, logger="perhetyo")
    with opened(sqlite_url, snapshot_interval=1000) as cases:
        assert CaseLoader(cases._store, 1000).state(case_id) == expected
        assert any("unusable" in record.getMessage() for record in caplog.records)
        cases.update_goal(  # and commands still run (from the first event)
            case_id, goal, status=GoalStatus.ACHIEVED, updated_on=date(2020, 9, 3), actor=ME
        )


def test_an_edit_after_the_newest_snapshot_is_still_refused(sqlite_url: str) -> None:
    import sqlite3  # noqa: PLC0415

    with opened(sqlite_url, snapshot_interval=5) as cases:
        case_id = open_sample_case(cases)
        goal = grow(cases, case_id, 12)  # snapshots at 5 and 10; events up to 14
    with contextlib.closing(sqlite3.connect(sqlite_url.removeprefix("sqlite:///"))) as db, db:
        (state,) = db.execute(
            "SELECT state FROM stored_events WHERE originator_id = ? AND originator_version = 13",
            (case_id.hex,),
        ).fetchone()
        edited = state.replace(b'"progress":10', b'"progress":99')
        assert edited != state
        db.execute(
            "UPDATE stored_events SET state = ? "
            "WHERE originator_id = ? AND originator_version = 13",
            (edited, case_id.hex),
        )
    with opened(sqlite_url, snapshot_interval=5) as cases:
        with pytest.raises(TamperedRecordError):
            cases.update_goal(
                case_id, goal, status=GoalStatus.ACHIEVED, updated_on=date(2020, 9, 3), actor=ME
            )
        with pytest.raises(TamperedRecordError):
            cases.current_plan(case_id, actor=ME)


def test_an_erased_case_leaves_no_readable_snapshot(sqlite_url: str) -> None:
    key = generate_key()
    with opened(sqlite_url, snapshot_interval=5, master_key=key) as cases:
        case_id = open_sample_case(cases)
        goal = grow(cases, case_id, 12)
        cases.update_goal(
            case_id, goal, status=GoalStatus.ACHIEVED, updated_on=date(2020, 9, 3), actor=ME
        )
        cases.close_case(
            case_id,
            closed_on=date(2020, 9, 4),
            reason=ClosureReason.NO_LONGER_NEEDED,
            child_views={"child-1": "Hyvä."},
            actor=ME,
        )
        assert rows(cases, case_id)
        assert rows(cases, case_id, "current_plan")
        cases.erase_case(case_id, reason="retention period ended", actor=ME)
        stored = rows(cases, case_id) + rows(cases, case_id, "current_plan")
        assert MARKER.encode() not in b"".join(row.state for row in stored)
        store = cases._store.snapshot_store
        for kind in ("state", "current_plan"):
            with pytest.raises(CaseErasedError):
                list(store.newest(case_id, kind, state_snapshots.STATE_SCHEMA))
        with pytest.raises(CaseErasedError):
            cases.current_plan(case_id, actor=ME)


def test_a_short_case_is_read_whole_without_asking_for_snapshots(tmp_path: Path) -> None:
    """A case this loader last read whole, shorter than the interval, has no snapshot: its
    next load does not ask for one. Grown past the interval by another store object (which
    wrote snapshots meanwhile), it is still read right, whole; after that it is asked."""
    url = f"sqlite:///{tmp_path / 'cases.db'}"
    with opened(url, snapshot_interval=20) as cases, opened(url, snapshot_interval=20) as other:
        case_id = open_sample_case(cases)
        store = cases._store.snapshot_store
        real, asked = store.newest, []

        def counted(*args: Any) -> Any:
            asked.append(args[0])
            return real(*args)

        store.newest = counted  # type: ignore[method-assign,assignment]
        loader = CaseLoader(cases._store, 20)
        first, _ = loader.state(case_id)
        assert loader.state(case_id)[0] == first
        assert asked == [case_id]  # the first load asked; the second did not
        grow(other, case_id, 25)
        assert rows(other, case_id)  # the other store object wrote snapshots
        assert loader.state(case_id) == without_snapshots(cases).state(case_id)
        assert asked == [case_id]  # read whole, and right
        assert loader.state(case_id) == without_snapshots(cases).state(case_id)
        assert asked == [case_id, case_id]  # long now: its snapshots are asked for

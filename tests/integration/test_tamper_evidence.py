"""Tamper evidence on real stores (muuttumattomuusketju): edits in the database are caught.

One byte of one stored event is edited in the database's own table (SQLite's
``stored_events``, PostgreSQL's ``familycases_events``), with and without a chain key.
The edit keeps the event readable (a letter of a meeting summary), so only the chain can
tell: ``verify_integrity`` names exactly that event, every read and command of the case
raises TamperedRecordError without the edited text, the projection runner refuses it,
and the other case reads as before. Then: anchored heads catch deleted newest events, and
a store written by release 0.1 verifies, counts its unchained events and chains on.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import traceback
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from uuid import UUID

import psycopg
import pytest
from psycopg import sql

from perhetyo import FamilyCases, MeetingKind, TamperedRecordError
from perhetyo.testing import FakeClock, an_actor, open_sample_case

KEY = bytes(range(100, 132))
FIXTURE = Path(__file__).parent.parent / "fixtures" / "release-0.1.db"
OLD_CASE = UUID("5d0643e1-890f-51e0-963e-891eebb8a8c4")
_SUMMARY = "Palaveri-Q"
_EDITED = "Palaveri-X"


@contextlib.contextmanager
def _events_table(url: str) -> Iterator[tuple[object, str, str]]:
    """A DB-API connection to the events table, its name and its placeholder."""
    if url.startswith("sqlite"):
        with contextlib.closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as db, db:
            yield db, "stored_events", "?"
        return
    parts = urlsplit(url)
    schema = parse_qs(parts.query)["schema"][-1]
    conninfo = parts._replace(scheme="postgresql", query="").geturl()
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(schema)))
        yield conn, "familycases_events", "%s"


def _edit_one_byte(url: str, case_id: UUID, version: int, old: bytes, new: bytes) -> None:
    """Replace ``old`` by ``new`` (same length, one byte apart) in one stored event."""
    key: object = case_id.hex if url.startswith("sqlite") else case_id
    with _events_table(url) as (db, table, p):
        where = f"WHERE originator_id = {p} AND originator_version = {p}"
        (state,) = db.execute(f"SELECT state FROM {table} {where}", (key, version)).fetchone()  # type: ignore[attr-defined]
        state = bytes(state)
        assert state.count(old) == 1
        assert len(old) == len(new)
        edited = state.replace(old, new)
        assert sum(a != b for a, b in zip(state, edited, strict=True)) == 1
        db.execute(f"UPDATE {table} SET state = {p} {where}", (edited, key, version))  # type: ignore[attr-defined]


def _stored_versions(url: str, case_id: UUID) -> int:
    key: object = case_id.hex if url.startswith("sqlite") else case_id
    with _events_table(url) as (db, table, p):
        query = f"SELECT count(*) FROM {table} WHERE originator_id = {p}"
        return int(db.execute(query, (key,)).fetchone()[0])  # type: ignore[attr-defined]


@pytest.mark.parametrize("key", [None, KEY], ids=["sha256", "hmac"])
def test_one_edited_byte_is_caught_by_verify_reads_commands_and_the_runner(
    shared_store_url: str, key: bytes | None
) -> None:
    me = an_actor()
    with FamilyCases(shared_store_url, clock=FakeClock(), chain_key=key) as cases:
        edited, other = open_sample_case(cases), open_sample_case(cases)
        for case_id in (edited, other):
            cases.record_meeting(
                case_id,
                kind=MeetingKind.NETWORK,
                held_on=date(2020, 9, 1),
                summary=_SUMMARY,
                actor=me,
            )
        assert cases.verify_integrity().ok
        version = len(cases.history(edited, actor=me))

    _edit_one_byte(shared_store_url, edited, version, _SUMMARY.encode(), _EDITED.encode())

    with FamilyCases(shared_store_url, clock=FakeClock(), chain_key=key) as cases:
        report = cases.verify_integrity()
        assert report.broken == [(edited, version)]
        assert (report.cases_checked, report.unchained_events) == (2, 0)
        assert cases.verify_integrity(edited).broken == [(edited, version)]
        assert cases.verify_integrity(other).ok
        reads: list[Callable[[], object]] = [
            lambda: cases.current_plan(edited, actor=me),
            lambda: cases.history(edited, actor=me),
            lambda: cases.record_meeting(
                edited, kind=MeetingKind.HOME_VISIT, held_on=date(2020, 9, 2), summary="K", actor=me
            ),
            cases.update_projections,
            cases.rebuild_projections,
        ]
        for read in reads:
            with pytest.raises(TamperedRecordError) as raised:
                read()
            assert (raised.value.case_id, raised.value.version) == (edited, version)
            told = "".join(traceback.format_exception(raised.value))
            assert _EDITED not in told
            assert _SUMMARY not in told
        assert cases.stored_views.current_plan(edited) is None  # nothing edited was folded
        assert cases.history(other, actor=me)[-1].summary == _SUMMARY  # type: ignore[attr-defined]
    assert _stored_versions(shared_store_url, edited) == version  # the command added nothing


def test_a_keyed_store_read_without_its_key_fails_closed(sqlite_url: str) -> None:
    with FamilyCases(sqlite_url, clock=FakeClock(), chain_key=KEY) as cases:
        case_id = open_sample_case(cases)
    with FamilyCases(sqlite_url, clock=FakeClock()) as cases:
        assert cases.verify_integrity().broken == [(case_id, 1)]
        with pytest.raises(TamperedRecordError):
            cases.current_plan(case_id, actor=an_actor())
    with FamilyCases(sqlite_url, clock=FakeClock(), chain_key=bytes(32)) as cases:
        assert cases.verify_integrity().broken == [(case_id, 1)]


def test_deleted_newest_events_are_caught_by_anchored_heads(sqlite_url: str) -> None:
    me = an_actor()
    with FamilyCases(sqlite_url, clock=FakeClock()) as cases:
        shortened, grown = open_sample_case(cases), open_sample_case(cases)
        for case_id in (shortened, grown):
            cases.record_meeting(
                case_id, kind=MeetingKind.NETWORK, held_on=date(2020, 9, 1), summary="V", actor=me
            )
        anchored = cases.verify_integrity().heads
        cases.record_meeting(
            grown, kind=MeetingKind.REVIEW, held_on=date(2020, 9, 2), summary="W", actor=me
        )
    newest = anchored[shortened][0]
    with contextlib.closing(sqlite3.connect(sqlite_url.removeprefix("sqlite:///"))) as db, db:
        db.execute(
            "DELETE FROM stored_events WHERE originator_id = ? AND originator_version = ?",
            (shortened.hex, newest),
        )

    with FamilyCases(sqlite_url, clock=FakeClock()) as cases:
        assert cases.verify_integrity().ok  # the chain alone cannot see a missing tail
        report = cases.verify_integrity(expected_heads=anchored)
        assert report.broken == [(shortened, newest)]  # grown is ahead of its anchor: fine
        assert report.heads[shortened][0] == newest - 1
        assert cases.verify_integrity(grown, expected_heads=anchored).ok


def test_a_release_0_1_store_verifies_counts_its_unchained_events_and_chains_on(
    tmp_path: Path,
) -> None:
    copy = tmp_path / "cases.db"
    shutil.copyfile(FIXTURE, copy)
    url = f"sqlite:///{copy}"
    me = an_actor()
    with FamilyCases(url, clock=FakeClock()) as cases:
        before = cases.verify_integrity()
        cases.record_meeting(
            OLD_CASE, kind=MeetingKind.REVIEW, held_on=date(2020, 12, 1), summary="W", actor=me
        )
        after = cases.verify_integrity()
        assert cases.update_projections() > 0
        assert len(cases.history(OLD_CASE, actor=me)) == 7

    assert before.ok
    assert after.ok
    assert (before.cases_checked, before.events_checked, before.unchained_events) == (1, 6, 6)
    assert before.heads == {OLD_CASE: (6, "")}
    assert (after.events_checked, after.unchained_events) == (7, 6)
    version, tag = after.heads[OLD_CASE]
    assert version == 7
    assert len(bytes.fromhex(tag)) == 32

    with contextlib.closing(sqlite3.connect(copy)) as db, db:
        (state,) = db.execute(
            "SELECT state FROM stored_events WHERE originator_version = 7"
        ).fetchone()
        db.execute(
            "UPDATE stored_events SET state = ? WHERE originator_version = 7",
            (state[:-2] + bytes([state[-2] ^ 1]) + state[-1:],),
        )
    with FamilyCases(url, clock=FakeClock()) as cases:
        assert cases.verify_integrity().broken == [(OLD_CASE, 7)]

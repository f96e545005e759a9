"""The access log on real stores (käyttöloki tietokannassa): a table beside the events.

One test per store kind: the entries are committed in the events' database (on PostgreSQL
in the store's own schema), another ``FamilyCases`` on the same store reads them back,
reading never changes a case, and the table's raw rows hold no personal text, while the
case's events do (so the search can fail).
"""

from __future__ import annotations

import contextlib
import sqlite3
from datetime import date
from uuid import UUID

import psycopg
import pytest
from psycopg import sql

from perhetyo import AccessAction, Actor, FamilyCases, LegalBasis, Recipient, StorageError
from perhetyo.testing import FakeClock, a_child, a_guardian, a_worker

from .conftest import OpenCases

MARKER = "Salaisuus-Ääkkönen"
"""Planted in every name and free text of the story: it must not reach the access log."""


def _reader() -> Actor:
    return Actor(id="sw-41", name=f"{MARKER} Lukija", organisation=MARKER, title=MARKER)


def _story(cases: FamilyCases) -> UUID:
    """A case whose people, texts and disclosure all carry the marker; every kind of read."""
    writer = Actor(id="sw-40", name=f"{MARKER} Kirjaaja")
    case_id = cases.open_case(
        children=[a_child().model_copy(update={"display_name": MARKER})],
        guardians=[a_guardian()],
        legal_basis=LegalBasis.SOCIAL_WELFARE_ACT,
        named_worker=a_worker(),
        opened_on=date(2020, 8, 12),
        actor=writer,
    )
    cases.record_disclosure(
        case_id,
        disclosed_on=date(2020, 12, 1),
        recipient=Recipient(surname=MARKER, first_names=MARKER, organisation=MARKER),
        grounds=MARKER,
        purpose=MARKER,
        content=MARKER,
        actor=writer,
    )
    reader = _reader()
    cases.current_plan(case_id, actor=reader, purpose="Tarkastus")
    cases.goal_progress(case_id, actor=reader)
    cases.audit_trail(case_id, actor=reader)
    cases.history(case_id, actor=reader)
    return case_id


def _check_the_log(url: str, case_id: UUID, raw_rows: list[str], raw_events: list[str]) -> None:
    with FamilyCases(url, clock=FakeClock()) as later:  # another instance on the same store
        log = later.access_log(case_id, actor=_reader())
        assert len(later.history(case_id, actor=_reader())) == 2  # reads appended nothing
    assert [entry.action for entry in log] == [
        AccessAction.DISCLOSURE,
        AccessAction.CURRENT_PLAN,
        AccessAction.GOAL_PROGRESS,
        AccessAction.AUDIT_TRAIL,
        AccessAction.HISTORY,
        AccessAction.ACCESS_LOG,
    ]
    assert {entry.actor_id for entry in log} == {"sw-40", "sw-41"}
    assert len(raw_rows) == len(log) - 1  # read before the access_log call above
    assert not any(MARKER in row for row in raw_rows)
    assert any(MARKER in row for row in raw_events)  # the search would find it


def test_the_access_log_is_a_table_of_the_sqlite_file_and_holds_no_personal_text(
    sqlite_url: str, open_cases: OpenCases
) -> None:
    cases = open_cases(sqlite_url, clock=FakeClock())
    case_id = _story(cases)
    path = sqlite_url.removeprefix("sqlite:///")
    with contextlib.closing(sqlite3.connect(path)) as conn:
        raw_rows = [repr(row) for row in conn.execute("SELECT * FROM perhetyo_access_log")]
        raw_events = [
            bytes(state).decode("utf-8", "ignore")
            for (state,) in conn.execute("SELECT state FROM stored_events")
        ]

    _check_the_log(sqlite_url, case_id, raw_rows, raw_events)


def test_a_read_fails_when_the_sqlite_file_cannot_take_its_entry(
    sqlite_url: str, open_cases: OpenCases
) -> None:
    cases = open_cases(sqlite_url, clock=FakeClock())
    case_id = _story(cases)
    path = sqlite_url.removeprefix("sqlite:///")
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("DROP TABLE perhetyo_access_log")  # the log is gone: no read may pass

    with pytest.raises(StorageError):
        cases.current_plan(case_id, actor=_reader())


@pytest.mark.postgres
def test_the_access_log_is_a_table_of_the_postgres_schema_and_holds_no_personal_text(
    postgres_url: str, open_cases: OpenCases
) -> None:
    cases = open_cases(postgres_url, clock=FakeClock())
    case_id = _story(cases)
    schema = postgres_url.rsplit("schema=", 1)[1]
    conninfo = postgres_url.split("?", maxsplit=1)[0].replace("+psycopg", "")
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(schema)))
        raw_rows = [repr(row) for row in conn.execute("SELECT * FROM perhetyo_access_log")]
        raw_events = [
            bytes(state).decode("utf-8", "ignore")
            for (state,) in conn.execute("SELECT state FROM familycases_events")
        ]

    _check_the_log(postgres_url, case_id, raw_rows, raw_events)

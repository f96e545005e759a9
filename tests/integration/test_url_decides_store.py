"""Persistence is decided by the URL alone: stray environment variables never redirect it.

eventsourcing merges ``os.environ`` into an application's settings and reads the
``FAMILYCASES_*`` form of each key first. Each variable below, if read, would send the
store somewhere else or break it, so a store that still works, in the place its URL
names, shows that none was read.
"""

from __future__ import annotations

import contextlib
import sqlite3
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from uuid import UUID

import psycopg
import pytest
from psycopg import sql

from perhetyo import ConfigurationError, FamilyCases
from perhetyo.testing import FakeClock, an_actor, open_sample_case

DECOY_SCHEMA = "perhetyo_decoy_schema"


@pytest.fixture
def decoy_dir(tmp_path: Path) -> Path:
    """Where stray variables point and where the test runs: nothing may appear here."""
    path = tmp_path / "decoy"
    path.mkdir()
    return path


@pytest.fixture
def stray_environment(monkeypatch: pytest.MonkeyPatch, decoy_dir: Path) -> None:
    """Wrong values for every setting eventsourcing would take from the environment."""
    wrong = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "FAMILYCASES_PERSISTENCE_MODULE": "nonexistent.module",
        "SQLITE_DBNAME": "/nonexistent/x.db",
        "FAMILYCASES_SQLITE_DBNAME": str(decoy_dir / "decoy.db"),
        "POSTGRES_DBNAME": "nope",
        "FAMILYCASES_POSTGRES_DBNAME": "nope",
        "POSTGRES_HOST": "nonexistent.invalid",
        "POSTGRES_PORT": "1",
        "POSTGRES_SCHEMA": DECOY_SCHEMA,
        "FAMILYCASES_POSTGRES_SCHEMA": DECOY_SCHEMA,
        "CIPHER_TOPIC": "nonexistent:Cipher",
        "FAMILYCASES_CIPHER_KEY": "not-a-key",
        "COMPRESSOR_TOPIC": "nonexistent:Compressor",
        "FAMILYCASES_CREATE_TABLE": "no",
    }
    for name, value in wrong.items():
        monkeypatch.setenv(name, value)
    # The default URL is a file in the working directory: a store that fell back to it
    # would show up here.
    monkeypatch.chdir(decoy_dir)


def record_a_little(cases: FamilyCases) -> UUID:
    case_id = open_sample_case(cases)
    cases.set_goal(
        case_id, description="Arjen rytmi toimii", set_on=date(2020, 9, 1), actor=an_actor()
    )
    return case_id


def postgres_events(url: str, schema: str, case_id: UUID) -> list[int]:
    """The versions of the case's events in ``schema``'s ``familycases_events`` table."""
    parts = urlsplit(url)
    conninfo = parts._replace(scheme="postgresql", query="").geturl()
    with psycopg.connect(conninfo, autocommit=True) as conn:
        rows = conn.execute(
            sql.SQL(
                "SELECT originator_version FROM {}.familycases_events "
                "WHERE originator_id = %s ORDER BY originator_version"
            ).format(sql.Identifier(schema)),
            (case_id,),
        ).fetchall()
    return [row[0] for row in rows]


def postgres_schemas(url: str) -> set[str]:
    parts = urlsplit(url)
    conninfo = parts._replace(scheme="postgresql", query="").geturl()
    with psycopg.connect(conninfo, autocommit=True) as conn:
        return {row[0] for row in conn.execute("SELECT nspname FROM pg_namespace").fetchall()}


@pytest.mark.usefixtures("stray_environment")
def test_a_memory_store_ignores_stray_environment_variables(decoy_dir: Path) -> None:
    with FamilyCases(url="memory://", clock=FakeClock()) as cases:
        case_id = record_a_little(cases)
        plan = cases.current_plan(case_id, actor=an_actor())

    assert len(plan.goals) == 1
    assert list(decoy_dir.iterdir()) == []


@pytest.mark.usefixtures("stray_environment")
def test_a_sqlite_store_writes_to_the_file_its_url_names(sqlite_url: str, decoy_dir: Path) -> None:
    with FamilyCases(url=sqlite_url, clock=FakeClock()) as cases:
        case_id = record_a_little(cases)

    path = Path(sqlite_url.removeprefix("sqlite:///"))
    assert path.is_file()
    with contextlib.closing(sqlite3.connect(path)) as conn:
        versions = [
            row[0]
            for row in conn.execute(
                "SELECT originator_version FROM stored_events WHERE originator_id = ? "
                "ORDER BY originator_version",
                (case_id.hex,),
            )
        ]
    assert versions == [1, 2]
    assert list(decoy_dir.iterdir()) == []


@pytest.mark.postgres
@pytest.mark.usefixtures("stray_environment")
def test_a_postgres_store_writes_to_the_schema_its_url_names(
    postgres_url: str, decoy_dir: Path
) -> None:
    schema = parse_qs(urlsplit(postgres_url).query)["schema"][-1]

    with FamilyCases(url=postgres_url, clock=FakeClock()) as cases:
        case_id = record_a_little(cases)

    assert postgres_events(postgres_url, schema, case_id) == [1, 2]
    assert DECOY_SCHEMA not in postgres_schemas(postgres_url)
    assert list(decoy_dir.iterdir()) == []


def test_a_sqlite_url_with_a_timeout_keeps_events_and_views_in_the_one_file(
    tmp_path: Path,
) -> None:
    path = tmp_path / "cases.db"
    with FamilyCases(url=f"sqlite:///{path}?timeout=30", clock=FakeClock()) as cases:
        case_id = record_a_little(cases)
        assert cases.update_projections() == 2

    # One store: no file named after the query beside it.
    assert {file.name for file in tmp_path.iterdir()} <= {
        "cases.db",
        "cases.db-wal",
        "cases.db-shm",
        "cases.db.perhetyo-lock",  # the command lock beside the database
    }
    with FamilyCases(url=f"sqlite:///{path}", clock=FakeClock()) as plain:
        assert len(plain.current_plan(case_id, actor=an_actor()).goals) == 1
        status = {entry.projection: entry for entry in plain.projection_status()}
        assert status["CurrentPlan"].position == status["CurrentPlan"].head == 2
        assert status["CurrentPlan"].rows["perhetyo_goals"] == 1
        assert plain.update_projections() == 0


@pytest.mark.parametrize("query", ["foo=1", "timeout=30&foo=1", "mode=ro", "timeout=1&timeout=2"])
def test_a_sqlite_url_option_other_than_one_timeout_is_refused(
    tmp_path: Path, query: str
) -> None:
    with pytest.raises(ConfigurationError):
        FamilyCases(url=f"sqlite:///{tmp_path / 'cases.db'}?{query}")

    assert list(tmp_path.iterdir()) == []

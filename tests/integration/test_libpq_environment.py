"""libpq's environment (libpq-ympäristömuuttujat): the URL decides every connection.

libpq fills each connection parameter it is not given from a ``PG*`` variable:
``PGHOSTADDR`` redirects a connection, ``PGOPTIONS`` sets its search path, ``PGSSLMODE``
its TLS. perhetyo gives every connection (the event store's pool, the views' engine, the
set-up lock, the worker's ``LISTEN`` session) every such parameter explicitly, and refuses
to start while ``PGSERVICE`` or ``PGSERVICEFILE`` is set.

Each test runs in a database of its own, so that the ``public`` schema (where a URL
without ``?schema=`` puts everything) is the test's alone; the variables are set only
around the store's use, so the test's own checks connect undisturbed.
"""

from __future__ import annotations

import os
import secrets
import threading
import time
from collections.abc import Iterator
from datetime import date
from uuid import UUID

import psycopg
import pytest
from psycopg import pq, sql
from sqlalchemy.engine import make_url

from perhetyo import ConfigurationError, FamilyCases, StorageError
from perhetyo.persistence.libpq import REFUSED_LIBPQ_VARIABLES
from perhetyo.persistence.store import ExplicitPostgresFactory, settings_for_url
from perhetyo.projections.sql import TABLE_NAMES
from perhetyo.testing import FakeClock, an_actor, open_sample_case

pytestmark = pytest.mark.postgres

TEST_NET_ADDRESS = "192.0.2.1"
"""RFC 5737 TEST-NET-1: never routed, so a connection there only times out."""

EVIL = "evil"


def admin_conninfo(server_url: str, database: str | None = None) -> str:
    url = make_url(server_url).set(drivername="postgresql", query={"connect_timeout": "5"})
    if database is not None:
        url = url.set(database=database)
    return url.render_as_string(hide_password=False)


@pytest.fixture
def database(postgres_server_url: str) -> Iterator[str]:
    """A fresh database with an empty ``evil`` schema; its URL (``connect_timeout=2``)."""
    name = f"perhetyo_test_db_{secrets.token_hex(5)}"
    admin = admin_conninfo(postgres_server_url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    with psycopg.connect(admin_conninfo(postgres_server_url, name), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(EVIL)))
    url = make_url(postgres_server_url).set(database=name, query={"connect_timeout": "2"})
    yield url.render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def tables(url: str) -> dict[str, set[str]]:
    """The tables of each schema of the URL's database (system schemas left out)."""
    conninfo = admin_conninfo(url)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
        ).fetchall()
    found: dict[str, set[str]] = {}
    for schema, table in rows:
        found.setdefault(schema, set()).add(table)
    return found


def other_sessions(url: str) -> list[str]:
    """The application names of every other session on the URL's database."""
    with psycopg.connect(admin_conninfo(url), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT application_name FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    return [row[0] for row in rows]


EVENTS = {"familycases_events", "perhetyo_store_keys", "perhetyo_access_log"}
"""The event store's tables: the log, the store's key for case ids, the access log."""
EVENTS.add("familycases_snapshots")  # the snapshots (issue 10)
VIEWS = {"perhetyo_tracking", *TABLE_NAMES}


def record_and_project(cases: FamilyCases) -> UUID:
    case_id = open_sample_case(cases)
    cases.set_goal(
        case_id, description="Arjen rytmi toimii", set_on=date(2020, 9, 1), actor=an_actor()
    )
    assert cases.update_projections() == 2
    return case_id


def test_pghostaddr_does_not_redirect_the_store(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as env:
        env.setenv("PGHOSTADDR", TEST_NET_ADDRESS)
        with FamilyCases(url=database, clock=FakeClock()) as cases:
            case_id = record_and_project(cases)
            assert len(cases.current_plan(case_id, actor=an_actor()).goals) == 1

    assert tables(database)["public"] >= EVENTS | VIEWS


@pytest.mark.parametrize("schema", [None, "cases"])
def test_pgoptions_puts_neither_the_events_nor_the_views_in_another_schema(
    database: str, monkeypatch: pytest.MonkeyPatch, schema: str | None
) -> None:
    url = database if schema is None else f"{database}&schema={schema}"

    with monkeypatch.context() as env:
        env.setenv("PGOPTIONS", f"-c search_path={EVIL}")
        with FamilyCases(url=url, clock=FakeClock()) as cases:
            record_and_project(cases)

    found = tables(database)
    assert found[schema or "public"] == EVENTS | VIEWS
    assert EVIL not in found


def test_pgsslmode_is_ignored_when_the_url_says_nothing_of_tls(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as env:
        env.setenv("PGSSLMODE", "require")  # this server offers no TLS
        with FamilyCases(url=database, clock=FakeClock()) as cases:
            record_and_project(cases)

    assert tables(database)["public"] >= EVENTS | VIEWS


@pytest.mark.parametrize("variable", REFUSED_LIBPQ_VARIABLES)
@pytest.mark.parametrize("value", ["x", ""])
def test_a_postgres_store_refuses_to_start_while_a_service_variable_is_set(
    database: str, monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    with monkeypatch.context() as env:
        env.setenv(variable, value)
        with pytest.raises(ConfigurationError) as info:
            FamilyCases(url=database, clock=FakeClock())

    assert variable in str(info.value)
    assert tables(database) == {}


def test_a_sqlite_store_does_not_care_about_service_variables(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PGSERVICE", "x")

    with FamilyCases(url=sqlite_url, clock=FakeClock()) as cases:
        record_and_project(cases)


def test_the_url_s_sslmode_is_used(database: str) -> None:
    with pytest.raises(StorageError):
        FamilyCases(url=f"{database}&sslmode=require", clock=FakeClock())

    files = "sslrootcert=/nonexistent/root.crt&sslcert=/nonexistent/c.crt&sslkey=/nonexistent/c.key"
    with FamilyCases(url=f"{database}&sslmode=disable&{files}", clock=FakeClock()) as cases:
        record_and_project(cases)


HOSTILE = {
    "PGHOST": "nonexistent.invalid",
    "PGHOSTADDR": TEST_NET_ADDRESS,
    "PGPORT": "1",
    "PGDATABASE": "perhetyo_no_such_database",
    "PGUSER": "perhetyo_no_such_role",
    "PGPASSWORD": "wrong",
    "PGPASSFILE": "/nonexistent/pgpass",
    "PGOPTIONS": f"-c search_path={EVIL} -c default_transaction_read_only=on",
    "PGAPPNAME": "hostile",
    "PGSSLMODE": "require",
    "PGSSLNEGOTIATION": "direct",
    "PGSSLCERTMODE": "require",
    "PGSSLROOTCERT": "/nonexistent/root.crt",
    "PGSSLMINPROTOCOLVERSION": "TLSv1.3",
    "PGSSLMAXPROTOCOLVERSION": "TLSv1.2",
    "PGCHANNELBINDING": "require",
    "PGREQUIREAUTH": "scram-sha-256",
    "PGREQUIREPEER": "nobody",
    "PGGSSENCMODE": "require",
    "PGTARGETSESSIONATTRS": "standby",
    "PGMINPROTOCOLVERSION": "3.2",
}
"""A value for each variable that breaks or redirects a connection that reads it; every
other variable the running libpq knows gets a value it cannot accept."""

SESSION_SETTINGS = {
    "PGDATESTYLE": "German",  # psycopg cannot read dates in this style
    "PGTZ": "Pacific/Kiritimati",
}
"""Settings libpq sends whatever the parameters say (valid values: an invalid one fails
every connection, as it fails psql's)."""


def hostile_environment() -> dict[str, str]:
    names = {
        option.envvar.decode() for option in pq.Conninfo.get_defaults() if option.envvar
    } - set(REFUSED_LIBPQ_VARIABLES)
    hostile = {name: HOSTILE.get(name, "perhetyo-hostile-value") for name in names}
    return {**hostile, **SESSION_SETTINGS}


def test_no_libpq_variable_reaches_any_connection_of_the_store(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = dict(os.environ)
    stop = threading.Event()
    with monkeypatch.context() as env:
        for name, value in hostile_environment().items():
            env.setenv(name, value)
        cases = FamilyCases(url=database, clock=FakeClock())
        case_id = record_and_project(cases)
        worker = threading.Thread(
            target=cases.run_projections, args=(stop,), kwargs={"poll_interval": 0.05}
        )
        worker.start()
        try:
            cases.set_goal(
                case_id, description="Koulunkäynti", set_on=date(2020, 9, 2), actor=an_actor()
            )
            deadline = time.monotonic() + 5
            while any(status.lag for status in cases.projection_status()):
                assert time.monotonic() < deadline, "the worker did not catch up"
                time.sleep(0.02)
        finally:
            stop.set()
            worker.join(timeout=5)
        assert dict(os.environ) == {**before, **hostile_environment()}

    try:
        assert set(other_sessions(database)) == {"perhetyo"}
        assert len(cases.current_plan(case_id, actor=an_actor()).goals) == 2
        # The views read dates and times back in the style they were written.
        views = cases.stored_views
        assert views.current_plan(case_id) == cases.current_plan(case_id, actor=an_actor())
        assert views.audit_trail(case_id) == cases.audit_trail(case_id, actor=an_actor())
    finally:
        cases.close()
    assert not worker.is_alive()
    found = tables(database)
    assert found["public"] == EVENTS | VIEWS
    assert EVIL not in found


def test_the_event_store_pool_gives_every_connection_every_libpq_parameter(
    database: str,
) -> None:
    settings = settings_for_url(f"{database}&sslmode=disable&schema=cases")

    factory = ExplicitPostgresFactory(settings.env)
    try:
        kwargs = factory.datastore.pool.kwargs
        assert isinstance(kwargs, dict)
        expected = {
            option.keyword.decode()
            for option in pq.Conninfo.get_defaults()
            if option.envvar and option.keyword != b"service"
        }
        assert expected <= set(kwargs)
        assert kwargs["hostaddr"] == ""
        assert kwargs["options"] == "-c search_path=cases"
        assert kwargs["sslmode"] == "disable"
        assert kwargs["connect_timeout"] == "2"
        assert kwargs["password"] == ""
        assert kwargs["application_name"] == "perhetyo"
        assert kwargs["dbname"] == make_url(database).database
    finally:
        factory.close()

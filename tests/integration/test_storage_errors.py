"""Errors at the storage boundary (tallennusvirheet): why, and no secret or client text.

Each failure is real: a closed port, a missing database, an unknown role, a role that may
not log in, TLS that this server does not offer, a file that is not a database, a
directory the process may not write, a row the database rejects. Each must become one
perhetyo error whose ``reason`` says which, and whose message, ``repr`` and full
traceback (chained causes included) hold neither the URL's password nor a client's text.

The failures are reached both through ``FamilyCases`` and through each connection that
:mod:`perhetyo.persistence.store` makes, run inside the one map
(:func:`perhetyo.persistence.errors.storage_errors`).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import shutil
import socket
import sqlite3
import tempfile
import traceback
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

from perhetyo import FamilyCases, PerhetyoError, StorageError
from perhetyo.errors import StoreClosedError
from perhetyo.persistence.errors import storage_errors
from perhetyo.persistence.store import (
    DurableSQLiteFactory,
    postgres_connection,
    settings_for_url,
    views_engine,
)
from perhetyo.testing import FakeClock, an_actor, open_sample_case

PASSWORD = "s3cretPW"  # noqa: S105 (a made-up password no error may show)



def unused_port() -> int:
    """A local TCP port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def full_text(error: BaseException) -> str:
    """Everything a host that logs the error would write: message, repr, traceback."""
    return "\n".join([str(error), repr(error), *traceback.format_exception(error)])


def a_marker() -> str:
    """A client's text that no error may repeat (new each time, never in a source line)."""
    return f"Salainen{secrets.token_hex(6)}"


def assert_not_shown(secret: str, error: BaseException) -> None:
    shown = full_text(error)
    assert secret not in shown
    assert secret.encode().hex() not in shown  # nor as PostgreSQL shows a bytea


# --- the ways in -----------------------------------------------------------------------------

Route = Callable[[str], None]


def open_family_cases(url: str) -> None:
    """What a host does."""
    FamilyCases(url=url, clock=FakeClock()).close()


def open_setup_connection(url: str) -> None:
    """The connection of the set-up lock (and of the worker's LISTEN session)."""
    with storage_errors():
        postgres_connection(settings_for_url(url)).close()


def open_views_engine(url: str) -> None:
    """The stored views' SQLAlchemy engine."""
    engine = views_engine(settings_for_url(url))
    try:
        with storage_errors("the views database"), engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1").all()
    finally:
        engine.dispose()


def open_sqlite_event_store(url: str) -> None:
    """eventsourcing's SQLite recorder, through perhetyo's factory."""
    with storage_errors():
        factory = DurableSQLiteFactory(settings_for_url(url).env)
        try:
            factory.application_recorder().max_notification_id()  # creates its tables first
        finally:
            factory.close()


POSTGRES_ROUTES = [
    pytest.param(open_setup_connection, id="set-up-connection"),
    pytest.param(open_views_engine, id="views-engine"),
    pytest.param(open_family_cases, id="FamilyCases"),
]
SQLITE_ROUTES = [
    pytest.param(open_sqlite_event_store, id="event-store"),
    pytest.param(open_family_cases, id="FamilyCases"),
]


# --- PostgreSQL: why a connection failed ---------------------------------------------------


@pytest.fixture
def role_not_permitted_to_log_in(postgres_server_url: str) -> Iterator[str]:
    """A role with a password that may not log in (this server trusts every local login,
    so a refusal by the server has to come from the role itself)."""
    name = f"perhetyo_test_nologin_{secrets.token_hex(4)}"
    admin = make_url(postgres_server_url).set(drivername="postgresql", query={})
    conninfo = admin.render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE ROLE {} NOLOGIN PASSWORD {}").format(
                sql.Identifier(name), sql.Literal(PASSWORD)
            )
        )
    yield name
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))


def failing_url(server_url: str, failure: str, request: pytest.FixtureRequest) -> str:
    """A URL with ``PASSWORD`` in it that fails to connect in the way ``failure`` names."""
    url = make_url(server_url).set(password=PASSWORD, query={"connect_timeout": "2"})
    if failure == "refused":
        url = url.set(host="127.0.0.1", port=unused_port())
    elif failure == "database_missing":
        url = url.set(database=f"perhetyo_test_missing_{secrets.token_hex(4)}")
    elif failure == "unknown_role":
        url = url.set(username=f"perhetyo_test_nobody_{secrets.token_hex(4)}")
    elif failure == "not_permitted":
        url = url.set(username=str(request.getfixturevalue("role_not_permitted_to_log_in")))
    elif failure == "tls_required":
        url = url.update_query_dict({"sslmode": "require"})
    return url.render_as_string(hide_password=False)


@pytest.mark.postgres
@pytest.mark.parametrize("route", POSTGRES_ROUTES)
@pytest.mark.parametrize(
    ("failure", "reason"),
    [
        ("refused", "connection_refused"),
        ("database_missing", "database_missing"),
        ("unknown_role", "authentication_failed"),
        ("not_permitted", "authentication_failed"),
        ("tls_required", "tls_failed"),
    ],
)
def test_a_postgres_connection_failure_says_why_without_the_password(
    postgres_server_url: str,
    request: pytest.FixtureRequest,
    route: Route,
    failure: str,
    reason: str,
) -> None:
    url = failing_url(postgres_server_url, failure, request)
    assert PASSWORD in url

    with pytest.raises(StorageError) as info:
        route(url)

    error = info.value
    assert error.code == "storage_error"
    assert error.reason == reason
    assert f"({reason})" in str(error)
    assert_not_shown(PASSWORD, error)


@pytest.mark.parametrize("scheme", ["postgresql", "postgresql+psycopg"])
@pytest.mark.parametrize("options", ["connect_timeout=1", "connect_timeout=1&schema=cases"])
def test_an_unreachable_postgres_server_raises_storage_error_without_the_password(
    scheme: str, options: str
) -> None:
    url = f"{scheme}://caseworker:{PASSWORD}@127.0.0.1:{unused_port()}/test?{options}"

    with pytest.raises(StorageError) as info, FamilyCases(url=url, clock=FakeClock()) as cases:
        open_sample_case(cases)

    error = info.value
    assert isinstance(error, PerhetyoError)
    assert error.code == "storage_error"
    assert_not_shown(PASSWORD, error)


@pytest.mark.postgres
def test_both_postgresql_url_schemes_reach_the_same_store(
    postgres_url: str, open_cases: Callable[..., FamilyCases]
) -> None:
    rest = urlsplit(postgres_url)._replace(scheme="").geturl()  # "//user@host:port/db?..."
    plain = open_cases(f"postgresql:{rest}", clock=FakeClock())
    with_driver = open_cases(f"postgresql+psycopg:{rest}", clock=FakeClock())

    case_id = open_sample_case(plain)
    goal_id = with_driver.set_goal(
        case_id, description="Arjen rytmi toimii", set_on=date(2020, 9, 1), actor=an_actor()
    )

    for cases in (plain, with_driver):
        plan = cases.current_plan(case_id, actor=an_actor())
        assert [goal.goal_id for goal in plan.goals] == [goal_id]
        assert plan.version == 2


# --- SQLite: why a file failed ---------------------------------------------------------------


@pytest.fixture
def unwritable_directory() -> Iterator[Path]:
    """A directory anyone may enter and read but this test may not write in (mode 0555).

    It lies under the system's temporary directory, not the test's own (whose parents only
    root may enter), because root ignores modes: a test run as root lowers its effective
    user to ``nobody`` while it uses the directory (:func:`as_a_user_who_cannot_write`).
    """
    directory = Path(tempfile.mkdtemp(prefix="perhetyo-test-"))
    directory.chmod(0o555)
    yield directory
    directory.chmod(0o755)
    shutil.rmtree(directory)


@contextlib.contextmanager
def as_a_user_who_cannot_write() -> Iterator[None]:
    """Run the block as ``nobody`` if the tests run as root (modes bind everyone else)."""
    if os.geteuid() != 0:
        yield
        return
    os.seteuid(pwd.getpwnam("nobody").pw_uid)
    try:
        yield
    finally:
        os.seteuid(0)


@pytest.mark.parametrize("route", SQLITE_ROUTES)
def test_a_sqlite_file_that_is_not_a_database_says_so(tmp_path: Path, route: Route) -> None:
    path = tmp_path / "cases.db"
    path.write_bytes(b"Kokouksen muistio, ei tietokanta. " * 200)

    with pytest.raises(StorageError) as info:
        route(f"sqlite:///{path}")

    assert info.value.reason == "not_a_database"


@pytest.mark.parametrize("route", SQLITE_ROUTES)
def test_a_sqlite_file_in_a_directory_that_may_not_be_written_says_so(
    unwritable_directory: Path, route: Route
) -> None:
    url = f"sqlite:///{unwritable_directory / 'cases.db'}"

    with pytest.raises(StorageError) as info, as_a_user_who_cannot_write():
        route(url)

    assert info.value.reason == "permission_denied"
    assert not (unwritable_directory / "cases.db").exists()


# --- a write the database rejects: no client text anywhere ---------------------------------


def sqlite_trigger(url: str, table: str, _marker: str) -> None:
    """The table refuses every insert (SQLite has no ALTER TABLE ... ADD CONSTRAINT)."""
    path = url.removeprefix("sqlite:///")
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute(
            f"CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} "
            "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
        )
        conn.commit()


def postgres_alter(url: str, statement: str) -> None:
    parts = urlsplit(url)
    schema = parse_qs(parts.query)["schema"][-1]
    conninfo = parts._replace(scheme="postgresql", query="").geturl()
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(schema)))
        conn.execute(statement.encode())


def postgres_too_short(url: str, table: str, _marker: str) -> None:
    """The column takes 8 characters: PostgreSQL says so without the value."""
    postgres_alter(url, f"ALTER TABLE {table} ALTER COLUMN description TYPE varchar(8)")


def postgres_check(url: str, table: str, marker: str) -> None:
    """A CHECK constraint: PostgreSQL's DETAIL quotes the failing row."""
    # An event's state is bytes (the chain's binary tag first): searched as bytes.
    check = (
        f"position('{marker}' in description) = 0"
        if table == "perhetyo_goals"
        else f"position(convert_to('{marker}', 'UTF8') in state) = 0"
    )
    postgres_alter(url, f"ALTER TABLE {table} ADD CONSTRAINT no_marker CHECK ({check})")


Rejection = Callable[[str, str, str], None]


@pytest.mark.parametrize(
    ("store", "reject"),
    [
        pytest.param("sqlite", sqlite_trigger, id="sqlite-trigger"),
        pytest.param(
            "postgres", postgres_too_short, id="postgresql-too-long", marks=pytest.mark.postgres
        ),
        pytest.param(
            "postgres",
            postgres_check,
            id="postgresql-check",
            marks=[pytest.mark.postgres],
        ),
    ],
)
def test_a_views_write_the_database_rejects_shows_no_client_text(
    request: pytest.FixtureRequest, store: str, reject: Rejection
) -> None:
    url = str(request.getfixturevalue("sqlite_url" if store == "sqlite" else "postgres_url"))
    marker = a_marker()
    with FamilyCases(url=url, clock=FakeClock()) as cases:
        case_id = open_sample_case(cases)
        cases.update_projections()
        reject(url, "perhetyo_goals", marker)
        cases.set_goal(
            case_id, description=f"{marker} goal", set_on=date(2020, 9, 1), actor=an_actor()
        )

        with pytest.raises(StorageError) as info:
            cases.update_projections()

    assert_not_shown(marker, info.value)


@pytest.mark.parametrize(
    ("store", "reject"),
    [
        pytest.param("sqlite", sqlite_trigger, id="sqlite-trigger"),
        pytest.param("postgres", postgres_check, id="postgresql-check", marks=pytest.mark.postgres),
    ],
)
def test_an_event_the_database_rejects_is_a_storage_error_not_a_conflict(
    request: pytest.FixtureRequest, store: str, reject: Rejection
) -> None:
    url = str(request.getfixturevalue("sqlite_url" if store == "sqlite" else "postgres_url"))
    marker = a_marker()
    table = "stored_events" if store == "sqlite" else "familycases_events"
    with FamilyCases(url=url, clock=FakeClock()) as cases:
        case_id = open_sample_case(cases)
        reject(url, table, marker)

        with pytest.raises(StorageError) as info:
            cases.set_goal(
                case_id, description=f"{marker} goal", set_on=date(2020, 9, 1), actor=an_actor()
            )

    assert info.value.reason == "rejected"
    assert_not_shown(marker, info.value)


@pytest.mark.postgres
def test_the_map_drops_a_postgres_error_whose_detail_quotes_the_value(
    postgres_url: str,
) -> None:
    marker = a_marker()
    settings = settings_for_url(postgres_url)
    with postgres_connection(settings) as conn:
        conn.execute(
            "CREATE TEMPORARY TABLE notes (note text CHECK (position('Salainen' in note) = 0))"
        )

        with pytest.raises(StorageError) as info, storage_errors("the views database"):
            conn.execute("INSERT INTO notes VALUES (%s)", (marker,))

    error = info.value
    assert error.reason == "rejected"
    assert error.__cause__ is None
    assert error.__suppress_context__
    assert_not_shown(marker, error)


# --- after close() ---------------------------------------------------------------------------


def test_every_store_refuses_use_after_close_with_a_perhetyo_error(store_url: str) -> None:
    cases = FamilyCases(url=store_url, clock=FakeClock())
    case_id = open_sample_case(cases)
    cases.update_projections()
    cases.close()

    calls: dict[str, Callable[[], object]] = {
        "open_case": lambda: open_sample_case(cases),
        "current_plan": lambda: cases.current_plan(case_id, actor=an_actor()),
        "update_projections": cases.update_projections,
    }
    for name, call in calls.items():
        with pytest.raises(StoreClosedError) as info:
            call()
        error = info.value
        assert isinstance(error, StorageError), name
        assert isinstance(error, PerhetyoError), name
        assert str(error), name

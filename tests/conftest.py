"""Shared fixtures: a fake clock, sample people, a fresh in-memory store, and real stores.

PostgreSQL tests run when ``PERHETYO_TEST_POSTGRES_URL`` names a server, for example
``postgresql://postgres@127.0.0.1:5432/test``. Without it they are skipped, except in CI
(``CI`` set): there a missing variable or an unreachable server fails the run, because a
skipped database test in CI looks green and proves nothing. A variable that is set but
names an unreachable server fails outside CI too: whoever set it asked for these tests.

Each PostgreSQL test gets a schema of its own (``?schema=perhetyo_test_<random>``, which
perhetyo creates) and the schema is dropped after the test.

Hypothesis runs under a profile named by ``PERHETYO_HYPOTHESIS_PROFILE``: ``dev`` (the
default: few examples, quick feedback) or ``ci`` (``.ci/run`` selects it: many more
examples, and a failure prints the blob that reproduces it). Tests set no example budgets
of their own; a test that needs another shape says so beside its ``@settings``.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from uuid import UUID

import psycopg
import pytest
from hypothesis import settings
from psycopg import sql

from perhetyo import Actor, FamilyCases
from perhetyo.testing import FakeClock, an_actor, open_sample_case

HYPOTHESIS_PROFILE_VARIABLE = "PERHETYO_HYPOTHESIS_PROFILE"

# No deadline in either profile: an example's time depends on the store (SQLite files,
# PostgreSQL) and on a shared machine's load, not on the code under test. With the
# statutory steps and the privacy work the histories are longer: under ``make test``
# (pytest-xdist on both cores) the whole suite takes about 95-125 s with ``dev``; ``ci``
# took 228 s at 75 examples and 280 s at 120 (mostly the stored-projection properties,
# the erasure property and the state machine), so it runs 60.
settings.register_profile("dev", max_examples=25, deadline=None)
settings.register_profile("ci", max_examples=60, deadline=None, print_blob=True)
settings.load_profile(os.environ.get(HYPOTHESIS_PROFILE_VARIABLE, "").strip() or "dev")


@pytest.fixture
def clock() -> FakeClock:
    """2020-12-31 10:00 UTC; tests advance it."""
    return FakeClock()


@pytest.fixture
def actor() -> Actor:
    return an_actor()


@pytest.fixture
def cases(clock: FakeClock) -> Iterator[FamilyCases]:
    """A fresh in-memory (POPO) store on the fake clock."""
    with FamilyCases(url="memory://", clock=clock) as store:
        yield store


@pytest.fixture
def case_id(cases: FamilyCases) -> UUID:
    """A case opened on 2020-08-12 with child-1 and guardian-1."""
    return open_sample_case(cases)


# --- real stores ------------------------------------------------------------------------

POSTGRES_URL_VARIABLE = "PERHETYO_TEST_POSTGRES_URL"

_FALSE_WORDS = {"", "0", "false", "no", "off"}


def in_ci() -> bool:
    """Whether the run is in CI (``CI`` set to anything but an explicit false)."""
    return os.environ.get("CI", "").strip().lower() not in _FALSE_WORDS


def with_schema(url: str, schema: str) -> str:
    """``url`` with ``schema=...`` set in its query, replacing any given there."""
    parts = urlsplit(url)
    query = [(key, value) for key, value in parse_qsl(parts.query) if key != "schema"]
    query.append(("schema", schema))
    return urlunsplit(parts._replace(query=urlencode(query)))


def libpq_conninfo(url: str) -> str:
    """The URL as psycopg takes it: no ``+psycopg`` driver suffix, no perhetyo options."""
    parts = urlsplit(url)
    query = [(key, value) for key, value in parse_qsl(parts.query) if key != "schema"]
    if not any(key == "connect_timeout" for key, _ in query):
        query.append(("connect_timeout", "5"))
    return urlunsplit(parts._replace(scheme="postgresql", query=urlencode(query)))


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    """The server named by ``PERHETYO_TEST_POSTGRES_URL``, checked reachable once per run."""
    url = os.environ.get(POSTGRES_URL_VARIABLE, "").strip()
    if not url:
        if in_ci():
            pytest.fail(
                f"CI is set but {POSTGRES_URL_VARIABLE} is not: PostgreSQL tests must run",
                pytrace=False,
            )
        pytest.skip(f"set {POSTGRES_URL_VARIABLE} to run the PostgreSQL tests")
    problem = None
    try:
        with psycopg.connect(libpq_conninfo(url), autocommit=True) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        problem = type(exc).__name__
    if problem is not None:
        # Failed outside the ``except`` and without a traceback: psycopg's frames would
        # print the connection string, password included, into the CI log.
        pytest.fail(
            f"{POSTGRES_URL_VARIABLE} is set but the server is unreachable: {problem}",
            pytrace=False,
        )
    return url


NewPostgresUrl = Callable[[], str]


@pytest.fixture
def new_postgres_url(postgres_server_url: str) -> Iterator[NewPostgresUrl]:
    """Make PostgreSQL URLs, each with a fresh schema; every one is dropped after the test."""
    schemas: list[str] = []

    def factory() -> str:
        schema = f"perhetyo_test_{secrets.token_hex(6)}"
        schemas.append(schema)
        return with_schema(postgres_server_url, schema)

    yield factory
    left: list[str] = []
    with psycopg.connect(libpq_conninfo(postgres_server_url), autocommit=True) as conn:
        # A store a failed test left open must not make the clean-up hang for ever.
        conn.execute("SET lock_timeout = '10s'")
        for schema in schemas:
            drop = sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
            try:
                conn.execute(drop)
            except psycopg.Error:
                left.append(schema)  # drop the others first, then say which were left
    if left:
        pytest.fail(f"could not drop the test schemas {', '.join(left)}", pytrace=False)


@pytest.fixture
def postgres_url(new_postgres_url: NewPostgresUrl) -> str:
    """A PostgreSQL URL with a fresh schema of its own, dropped after the test."""
    return new_postgres_url()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite file in the test's own directory (not created yet)."""
    return f"sqlite:///{tmp_path / 'cases.db'}"


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite-file"),
        pytest.param("postgres", id="postgresql", marks=pytest.mark.postgres),
    ]
)
def shared_store_url(request: pytest.FixtureRequest) -> str:
    """A store two FamilyCases instances (or processes) can share: SQLite file, PostgreSQL."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    return str(request.getfixturevalue("postgres_url"))

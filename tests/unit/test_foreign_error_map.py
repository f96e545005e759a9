"""Foreign errors (vieraat virheet): each entry of the one map gives the documented error.

The foreign errors are real where they can be made cheaply (sqlite3 on files and in
memory, orjson, pydantic); PostgreSQL's are psycopg's own classes, which carry their
SQLSTATE, and libpq's real connection messages (the integration tests raise those from a
real server). Wrappers are built the way eventsourcing and SQLAlchemy build them.
"""

from __future__ import annotations

import contextlib
import errno
import sqlite3
import traceback
from collections.abc import Callable
from pathlib import Path

import orjson
import psycopg
import psycopg_pool
import pytest
from eventsourcing.persistence import (
    ConnectionPoolClosedError,
    ConnectionUnavailableError,
    DatabaseError,
    IntegrityError,
    OperationalError,
    PersistenceError,
)
from pydantic import BaseModel
from sqlalchemy import exc as sa_exc

from perhetyo.errors import (
    CorruptRecordError,
    PerhetyoError,
    RuleViolationError,
    StorageError,
    StoreClosedError,
)
from perhetyo.persistence.errors import (
    REASONS,
    AppendConflictError,
    decoded,
    reason_for,
    storage_errors,
    translate,
)

MARKER = "Salainen-Merkki-5150"
"""Stands for a client's text inside a foreign error: it must not reach perhetyo's."""


# --- real foreign errors -------------------------------------------------------------------


def sqlite_error(tmp_path: Path, kind: str) -> sqlite3.Error:
    """A real sqlite3 error of ``kind``."""
    path = tmp_path / "x.db"
    try:
        if kind == "unique":
            with contextlib.closing(sqlite3.connect(":memory:")) as conn:
                conn.execute("CREATE TABLE t (k TEXT PRIMARY KEY)")
                conn.execute("INSERT INTO t VALUES ('a')")
                conn.execute("INSERT INTO t VALUES ('a')")
        elif kind == "check":
            with contextlib.closing(sqlite3.connect(":memory:")) as conn:
                conn.execute("CREATE TABLE t (k TEXT CHECK (k <> 'x'))")
                conn.execute("INSERT INTO t VALUES (?)", ("x",))
        elif kind == "no_such_table":
            with contextlib.closing(sqlite3.connect(":memory:")) as conn:
                conn.execute("SELECT * FROM missing")
        elif kind == "locked":
            with (
                contextlib.closing(sqlite3.connect(path, isolation_level=None)) as first,
                contextlib.closing(sqlite3.connect(path, timeout=0, isolation_level=None)) as other,
            ):
                first.execute("BEGIN IMMEDIATE")
                other.execute("BEGIN IMMEDIATE")
        elif kind == "not_a_database":
            path.write_bytes(b"this is not a SQLite file, only some text " * 100)
            with contextlib.closing(sqlite3.connect(path)) as conn:
                conn.execute("SELECT * FROM sqlite_master")
        elif kind == "read_only":
            sqlite3.connect(path).close()
            with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
                conn.execute("CREATE TABLE t (k TEXT)")
        elif kind == "cannot_open":
            with contextlib.closing(
                sqlite3.connect(f"file:{tmp_path}/missing/x.db?mode=rw", uri=True)
            ) as conn:
                conn.execute("SELECT 1")
    except sqlite3.Error as exc:
        return exc
    raise AssertionError(f"sqlite3 raised nothing for {kind}")  # pragma: no cover


def wrapped(wrapper: Callable[[str], PersistenceError], cause: BaseException) -> PersistenceError:
    """``cause`` wrapped as eventsourcing wraps a driver's error (``raise ... from e``)."""
    try:
        raise wrapper(str(cause)) from cause
    except PersistenceError as exc:
        return exc


def sqlalchemy_wrapped(cause: Exception) -> sa_exc.StatementError:
    """``cause`` wrapped as SQLAlchemy wraps a driver's error (parameters hidden)."""
    base = sqlite3.Error if isinstance(cause, sqlite3.Error) else psycopg.Error
    error = sa_exc.DBAPIError.instance(
        "INSERT INTO t VALUES (?)", (MARKER,), cause, base, hide_parameters=True
    )
    assert isinstance(error, sa_exc.DBAPIError)
    error.__cause__ = cause
    return error


def libpq(message: str) -> psycopg.OperationalError:
    """A connection failure as psycopg raises it: libpq's text, no SQLSTATE."""
    return psycopg.OperationalError(f"connection failed: {message}")


# --- the map -------------------------------------------------------------------------------

Case = tuple[Callable[[Path], BaseException], type[PerhetyoError], str | None]

MAPPED: dict[str, Case] = {
    # eventsourcing's own errors
    "pool closed (eventsourcing)": (
        lambda _: ConnectionPoolClosedError("Pool is closed"),
        StoreClosedError,
        "closed",
    ),
    "no pooled connection in time (eventsourcing)": (
        lambda _: ConnectionUnavailableError("Timed out waiting for connection"),
        StorageError,
        "pool_exhausted",
    ),
    "conflict without a driver error (POPO, tracking)": (
        lambda _: IntegrityError("Failed to record tracking"),
        AppendConflictError,
        None,
    ),
    # IntegrityError: only a taken unique key is a conflict
    "unique key taken (sqlite3)": (
        lambda tmp: wrapped(IntegrityError, sqlite_error(tmp, "unique")),
        AppendConflictError,
        None,
    ),
    "unique key taken (psycopg)": (
        lambda _: wrapped(IntegrityError, psycopg.errors.UniqueViolation("duplicate key")),
        AppendConflictError,
        None,
    ),
    "check constraint (sqlite3)": (
        lambda tmp: wrapped(IntegrityError, sqlite_error(tmp, "check")),
        StorageError,
        "rejected",
    ),
    "check constraint (psycopg)": (
        lambda _: wrapped(IntegrityError, psycopg.errors.CheckViolation("violates check")),
        StorageError,
        "rejected",
    ),
    # OperationalError wrapping sqlite3: the error name decides
    "locked (sqlite3)": (
        lambda tmp: wrapped(OperationalError, sqlite_error(tmp, "locked")),
        StorageError,
        "locked",
    ),
    "not a database (sqlite3)": (
        lambda tmp: wrapped(DatabaseError, sqlite_error(tmp, "not_a_database")),
        StorageError,
        "not_a_database",
    ),
    "read-only (sqlite3)": (
        lambda tmp: wrapped(OperationalError, sqlite_error(tmp, "read_only")),
        StorageError,
        "read_only",
    ),
    "cannot open (sqlite3)": (
        lambda tmp: wrapped(OperationalError, sqlite_error(tmp, "cannot_open")),
        StorageError,
        "database_missing",
    ),
    "no such table (sqlite3)": (
        lambda tmp: wrapped(OperationalError, sqlite_error(tmp, "no_such_table")),
        StorageError,
        "schema_missing",
    ),
    "bare sqlite3 error": (
        lambda tmp: sqlite_error(tmp, "locked"),
        StorageError,
        "locked",
    ),
    # OperationalError wrapping psycopg: SQLSTATE first
    "database missing (3D000)": (
        lambda _: wrapped(OperationalError, psycopg.errors.InvalidCatalogName("no db")),
        StorageError,
        "database_missing",
    ),
    "wrong password (28P01)": (
        lambda _: wrapped(OperationalError, psycopg.errors.InvalidPassword("no")),
        StorageError,
        "authentication_failed",
    ),
    "lock timeout (55P03)": (
        lambda _: wrapped(OperationalError, psycopg.errors.LockNotAvailable("lock")),
        StorageError,
        "locked",
    ),
    "statement timeout (57014)": (
        lambda _: wrapped(OperationalError, psycopg.errors.QueryCanceled("cancelled")),
        StorageError,
        "timeout",
    ),
    "server shutting down (57P01)": (
        lambda _: wrapped(OperationalError, psycopg.errors.AdminShutdown("terminating")),
        StorageError,
        "connection_refused",
    ),
    "permission (42501)": (
        lambda _: wrapped(OperationalError, psycopg.errors.InsufficientPrivilege("denied")),
        StorageError,
        "permission_denied",
    ),
    "read-only transaction (25006)": (
        lambda _: wrapped(OperationalError, psycopg.errors.ReadOnlySqlTransaction("ro")),
        StorageError,
        "read_only",
    ),
    "disk full (53100)": (
        lambda _: wrapped(OperationalError, psycopg.errors.DiskFull("full")),
        StorageError,
        "disk_full",
    ),
    "undefined table (42P01)": (
        lambda _: wrapped(OperationalError, psycopg.errors.UndefinedTable("no table")),
        StorageError,
        "schema_missing",
    ),
    "value too long (22001)": (
        lambda _: wrapped(DatabaseError, psycopg.errors.StringDataRightTruncation("long")),
        StorageError,
        "rejected",
    ),
    # libpq's connection failures carry no SQLSTATE: their message decides
    "connection refused (libpq)": (
        lambda _: libpq(
            'connection to server at "127.0.0.1", port 1 failed: Connection refused\n'
            "\tIs the server running on that host and accepting TCP/IP connections?"
        ),
        StorageError,
        "connection_refused",
    ),
    "database missing (libpq)": (
        lambda _: libpq('... port 5432 failed: FATAL:  database "nope" does not exist'),
        StorageError,
        "database_missing",
    ),
    "unknown role (libpq)": (
        lambda _: libpq('... port 5432 failed: FATAL:  role "nobody" does not exist'),
        StorageError,
        "authentication_failed",
    ),
    "role not permitted to log in (libpq)": (
        lambda _: libpq('... failed: FATAL:  role "x" is not permitted to log in'),
        StorageError,
        "authentication_failed",
    ),
    "wrong password (libpq)": (
        lambda _: libpq('... FATAL:  password authentication failed for user "x"'),
        StorageError,
        "authentication_failed",
    ),
    "no pg_hba.conf entry (libpq)": (
        lambda _: libpq('... FATAL:  no pg_hba.conf entry for host "10.0.0.1", user "x"'),
        StorageError,
        "authentication_failed",
    ),
    "host unknown (psycopg)": (
        lambda _: psycopg.OperationalError(
            "failed to resolve host 'x.invalid': [Errno -2] Name or service not known"
        ),
        StorageError,
        "host_unknown",
    ),
    "server without TLS (libpq)": (
        lambda _: libpq("... failed: server does not support SSL, but SSL was required"),
        StorageError,
        "tls_failed",
    ),
    "certificate missing (libpq)": (
        lambda _: libpq('root certificate file "/x/root.crt" does not exist'),
        StorageError,
        "tls_failed",
    ),
    "connect timeout (psycopg)": (
        lambda _: psycopg.errors.ConnectionTimeout("connection timeout expired"),
        StorageError,
        "timeout",
    ),
    # psycopg_pool, under eventsourcing's wrapper
    "pool closed (psycopg_pool)": (
        lambda _: wrapped(
            OperationalError, psycopg_pool.PoolClosed("the pool 'pool-1' is already closed")
        ),
        StoreClosedError,
        "closed",
    ),
    "no pooled connection in time (psycopg_pool)": (
        lambda _: wrapped(
            OperationalError,
            psycopg_pool.PoolTimeout("couldn't get a connection after 5.00 sec"),
        ),
        StorageError,
        "pool_exhausted",
    ),
    # SQLAlchemy (the stored views), wrapping the driver's error
    "SQLAlchemy OperationalError over sqlite3": (
        lambda tmp: sqlalchemy_wrapped(sqlite_error(tmp, "locked")),
        StorageError,
        "locked",
    ),
    "SQLAlchemy IntegrityError over psycopg": (
        lambda _: sqlalchemy_wrapped(psycopg.errors.CheckViolation("violates check")),
        StorageError,
        "rejected",
    ),
    "SQLAlchemy error without a driver": (
        lambda _: sa_exc.TimeoutError("QueuePool limit of size 5 overflow 10 reached"),
        StorageError,
        "other",
    ),
    # the file system
    "permission denied (OSError)": (
        lambda _: PermissionError(errno.EACCES, "Permission denied", "/srv/cases.db"),
        StorageError,
        "permission_denied",
    ),
    "read-only file system (OSError)": (
        lambda _: OSError(errno.EROFS, "Read-only file system", "/srv/cases.db"),
        StorageError,
        "read_only",
    ),
    "disk full (OSError)": (
        lambda _: OSError(errno.ENOSPC, "No space left on device", "/srv/cases.db"),
        StorageError,
        "disk_full",
    ),
}


@pytest.mark.parametrize("case", MAPPED.values(), ids=MAPPED.keys())
def test_each_foreign_storage_error_becomes_the_documented_perhetyo_error(
    case: Case, tmp_path: Path
) -> None:
    make, expected_type, expected_reason = case
    foreign = make(tmp_path)

    with pytest.raises(PerhetyoError) as info, storage_errors("the event store"):
        raise foreign

    error = info.value
    assert type(error) is expected_type
    assert str(error)
    if expected_reason is not None:
        assert isinstance(error, StorageError)
        assert error.reason == expected_reason
        assert expected_reason in REASONS
        assert reason_for(foreign) == expected_reason


@pytest.mark.parametrize("case", MAPPED.values(), ids=MAPPED.keys())
def test_translate_gives_the_same_error_as_the_context_manager(
    case: Case, tmp_path: Path
) -> None:
    make, expected_type, _ = case

    translated = translate(make(tmp_path), "the views database")

    assert type(translated) is expected_type


def test_a_storage_error_names_the_failing_part_and_the_reason_only() -> None:
    foreign = libpq(f'FATAL:  database "{MARKER}" does not exist')

    with pytest.raises(StorageError) as info, storage_errors("the views database"):
        raise foreign

    assert str(info.value) == (
        "the views database failed: the database does not exist or cannot be opened "
        "(database_missing)"
    )


@pytest.mark.parametrize(
    "foreign",
    [KeyError("case"), ValueError("not storage"), RuntimeError("a bug"), TypeError("x")],
    ids=["KeyError", "ValueError", "RuntimeError", "TypeError"],
)
def test_a_foreign_error_that_is_not_a_storage_failure_passes_through_unchanged(
    foreign: Exception,
) -> None:
    with pytest.raises(type(foreign)) as info, storage_errors():
        raise foreign

    assert info.value is foreign
    assert translate(foreign) is None


def test_a_perhetyo_error_passes_through_unchanged() -> None:
    own = RuleViolationError("a rule")

    with pytest.raises(RuleViolationError) as info, storage_errors():
        raise own

    assert info.value is own
    assert translate(own) is own


SAFE_CAUSES: dict[str, Callable[[Path], BaseException]] = {
    "sqlite3 (names no values)": lambda tmp: wrapped(IntegrityError, sqlite_error(tmp, "check")),
    "libpq connection failure": lambda _: libpq("Connection refused"),
    "SQLSTATE 3D000": lambda _: psycopg.errors.InvalidCatalogName("no db"),
    "OSError": lambda _: PermissionError(errno.EACCES, "Permission denied"),
}


@pytest.mark.parametrize("make", SAFE_CAUSES.values(), ids=SAFE_CAUSES.keys())
def test_a_foreign_error_that_holds_no_client_data_is_kept_as_the_cause(
    make: Callable[[Path], BaseException], tmp_path: Path
) -> None:
    foreign = make(tmp_path)

    with pytest.raises(StorageError) as info, storage_errors():
        raise foreign

    assert info.value.__cause__ is foreign


UNSAFE_CAUSES: dict[str, BaseException] = {
    "check violation (23514)": psycopg.errors.CheckViolation(
        f'new row violates check constraint "c"\nDETAIL:  Failing row contains ({MARKER}).'
    ),
    "unique violation outside the event store (23505)": psycopg.errors.UniqueViolation(
        f"duplicate key value\nDETAIL:  Key (note)=({MARKER}) already exists."
    ),
    "invalid text (22P02)": psycopg.errors.InvalidTextRepresentation(
        f'invalid input syntax for type integer: "{MARKER}"'
    ),
    "raised by a trigger (P0001)": psycopg.errors.RaiseException(f"refused {MARKER}"),
    "internal error (XX000)": psycopg.errors.InternalError_(f"internal {MARKER}"),
}


@pytest.mark.parametrize("driver", UNSAFE_CAUSES.values(), ids=UNSAFE_CAUSES.keys())
@pytest.mark.parametrize("wrapper", ["bare", "eventsourcing", "SQLAlchemy"])
def test_a_postgres_error_that_may_quote_a_value_is_dropped_from_the_chain(
    driver: psycopg.Error, wrapper: str
) -> None:
    foreign: BaseException = driver
    if wrapper == "eventsourcing":
        foreign = wrapped(DatabaseError, driver)
    elif wrapper == "SQLAlchemy":
        foreign = sqlalchemy_wrapped(driver)

    with pytest.raises(StorageError) as info, storage_errors("the views database"):
        raise foreign

    error = info.value
    assert error.__cause__ is None
    assert error.__suppress_context__
    assert MARKER not in "".join(traceback.format_exception(error))


# --- decoding stored events ----------------------------------------------------------------


class _Shape(BaseModel):
    number: int


def _raise_json() -> None:
    orjson.loads(b'{"note": "' + MARKER.encode())


def _raise_validation() -> None:
    _Shape.model_validate({"number": MARKER})


def _raise_lookup() -> None:
    raise KeyError(MARKER)


def _raise_unicode() -> None:
    (MARKER.encode() + b"\xff").decode()


def _raise_type() -> None:
    raise TypeError(MARKER)


DAMAGE: dict[str, tuple[Callable[[], None], str]] = {
    "orjson": (_raise_json, "its bytes are not valid JSON"),
    "pydantic": (_raise_validation, "its fields do not validate"),
    "LookupError": (_raise_lookup, "its topic or a field is unknown"),
    "UnicodeDecodeError": (_raise_unicode, "its bytes are not UTF-8"),
    "TypeError": (_raise_type, "its content is damaged"),
}


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_a_damaged_stored_event_becomes_corrupt_record_error_without_its_content(
    damage: tuple[Callable[[], None], str],
) -> None:
    decode, problem = damage

    with pytest.raises(CorruptRecordError) as info:
        decoded("case-1", 7, decode)

    error = info.value
    assert (error.case_id, error.version, error.problem) == ("case-1", 7, problem)
    assert error.__cause__ is None
    assert error.__context__ is None  # nothing a host could walk to the stored content
    assert MARKER not in "".join(traceback.format_exception(error))


def test_decoding_lets_an_error_that_is_not_damage_pass_through() -> None:
    def bug() -> None:
        raise RuntimeError("a bug")

    with pytest.raises(RuntimeError):
        decoded("case-1", 7, bug)


def test_every_reason_has_words_and_no_reason_is_unknown() -> None:
    assert all(text and text == text.strip() for text in REASONS.values())
    reasons = {case[2] for case in MAPPED.values() if case[2] is not None}
    assert reasons <= set(REASONS)

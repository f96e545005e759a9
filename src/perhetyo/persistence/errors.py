"""Foreign errors (vieraat virheet): THE one map from other libraries' errors to perhetyo's.

Every call that touches the outside (eventsourcing's recorders, SQLAlchemy, psycopg,
sqlite3, the file system) runs inside :func:`storage_errors`; every decoding of a stored
event runs inside :func:`decoding`. Nothing else in the library catches a foreign
exception, so a new failure mode is added here, once, with a test (httpx's
``map_httpcore_exceptions`` is the model)::

    foreign error                                        perhetyo error
    ---------------------------------------------------  ----------------------------------
    a perhetyo error                                     itself
    eventsourcing ConnectionPoolClosedError,             StoreClosedError
      psycopg_pool PoolClosed
    eventsourcing IntegrityError: a unique key taken     ConcurrentUpdateError
      (another writer appended first)
    eventsourcing IntegrityError: any other constraint   StorageError(reason="rejected")
    eventsourcing PersistenceError (ConnectionUnavail-   StorageError(reason=...)
      ableError, OperationalError, ...), SQLAlchemy
      SQLAlchemyError, sqlite3.Error, psycopg and
      psycopg_pool errors, OSError
    anything else                                        unchanged (not a storage failure)

    inside decoding(): orjson's, pydantic's,             CorruptRecordError (no cause)
      LookupError, ValueError, TypeError, ...

What the map guarantees:

- a :class:`~perhetyo.errors.StorageError` says *why* in ``reason`` (:data:`REASONS`: the
  connection was refused, the database or role is unknown, TLS failed, a lock timed
  out, ...), read from the driver's SQLSTATE, sqlite3's error name or the ``errno``
  where there is one and from the driver's message otherwise; its message is perhetyo's
  own and never carries a password, a statement's parameters or a stored value;
- the foreign error is kept as the ``__cause__`` only when its text cannot hold client
  data: connection, authentication and SQLite errors name no values, and SQLAlchemy's
  engines are created with ``hide_parameters=True``; PostgreSQL's data, integrity and
  unclassified errors may quote a row (``DETAIL: Failing row contains (...)``), so
  their cause is dropped (``raise ... from None``);
- a stored event that cannot be read becomes :class:`~perhetyo.errors.CorruptRecordError`
  naming the case and version, with no cause attached: orjson's and pydantic's errors
  repeat the stored content.
"""

from __future__ import annotations

import contextlib
import errno
import sqlite3
import sys
from collections.abc import Callable, Iterator
from typing import Final, TypeVar

import orjson
from eventsourcing.persistence import (
    ConnectionPoolClosedError,
    ConnectionUnavailableError,
    IntegrityError,
    PersistenceError,
)
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from perhetyo.errors import (
    ConcurrentUpdateError,
    CorruptRecordError,
    PerhetyoError,
    StorageError,
    StoreClosedError,
)

T = TypeVar("T")

__all__ = [
    "REASONS",
    "AppendConflictError",
    "decoded",
    "reason_for",
    "storage_errors",
    "translate",
]


class AppendConflictError(ConcurrentUpdateError):
    """Another writer appended to the case between our load and our save (kilpailutilanne).

    Only a writer that does not take the case lock (an older version) can cause it; the
    command handler decides such a command afresh a few times before giving up.
    """

    code = "append_conflict"

# --- why a database failed, without secrets ------------------------------------------------

REASONS: Final = {
    "connection_refused": "the database server refused the connection or is unreachable",
    "host_unknown": "the database host name is not known",
    "tls_failed": "the TLS connection the URL asks for could not be made",
    "database_missing": "the database does not exist or cannot be opened",
    "authentication_failed": "the database refused this user (unknown, wrong password, "
    "or not allowed to log in)",
    "permission_denied": "a permission is missing (the database user's, or the file's)",
    "timeout": "the database did not answer in time",
    "locked": "the database stayed locked by another writer",
    "pool_exhausted": "no database connection could be had in time",
    "disk_full": "the database or its disk is full",
    "not_a_database": "the file is not a database",
    "read_only": "the database is read-only",
    "schema_missing": "a table or schema is missing",
    "rejected": "the database rejected the values written (a constraint or a type)",
    "closed": "the store is closed",
    "other": "the database failed",
}
"""Every ``StorageError.reason`` code and the words its message uses."""

_SQLSTATE_REASONS: Final[tuple[tuple[str, str], ...]] = (
    ("3D000", "database_missing"),
    ("3F000", "schema_missing"),
    ("42P01", "schema_missing"),  # undefined table
    ("42703", "schema_missing"),  # undefined column
    ("28", "authentication_failed"),
    ("42501", "permission_denied"),
    ("55P03", "locked"),
    ("40P01", "locked"),  # deadlock
    ("57014", "timeout"),  # statement or lock timeout: the query was cancelled
    ("53100", "disk_full"),
    ("53300", "connection_refused"),  # too many connections
    ("25006", "read_only"),
    ("08", "connection_refused"),
    ("57P", "connection_refused"),  # shutting down, starting up
    ("22", "rejected"),
    ("23", "rejected"),
)
"""PostgreSQL error codes (SQLSTATE, or their class prefix; first match wins)."""

_SAFE_SQLSTATE_CLASSES: Final = ("08", "25", "28", "3D", "3F", "40", "42", "53", "55", "57")
"""SQLSTATE classes whose messages name objects, never values: their text may be kept.
Data (22), integrity (23), PL/pgSQL (P0), internal (XX) and the rest may quote a row."""

_SQLITE_REASONS: Final[tuple[tuple[str, str], ...]] = (
    ("SQLITE_BUSY", "locked"),
    ("SQLITE_LOCKED", "locked"),
    ("SQLITE_READONLY", "read_only"),
    ("SQLITE_CANTOPEN", "database_missing"),
    ("SQLITE_NOTADB", "not_a_database"),
    ("SQLITE_FULL", "disk_full"),
    ("SQLITE_PERM", "permission_denied"),
    ("SQLITE_AUTH", "permission_denied"),
    ("SQLITE_CONSTRAINT", "rejected"),
    ("SQLITE_TOOBIG", "rejected"),
    ("SQLITE_MISMATCH", "rejected"),
)
"""sqlite3's error names (``sqlite_errorname``, extended names included by prefix)."""

_ERRNO_REASONS: Final = {
    errno.EACCES: "permission_denied",
    errno.EPERM: "permission_denied",
    errno.EROFS: "read_only",
    errno.ENOSPC: "disk_full",
    errno.EDQUOT: "disk_full",
    errno.ENOENT: "database_missing",
    errno.ENOTDIR: "database_missing",
    errno.ECONNREFUSED: "connection_refused",
    errno.EHOSTUNREACH: "connection_refused",
    errno.ENETUNREACH: "connection_refused",
    errno.ETIMEDOUT: "timeout",
}
"""File system and socket errors (``OSError.errno``)."""

_MESSAGE_REASONS: Final[tuple[tuple[tuple[str, ...], str], ...]] = (
    (("role \"", "does not exist"), "authentication_failed"),
    (("database \"", "does not exist"), "database_missing"),
    (("password authentication failed",), "authentication_failed"),
    (("no password supplied",), "authentication_failed"),
    (("is not permitted to log in",), "authentication_failed"),
    (("no pg_hba.conf entry",), "authentication_failed"),
    (("authentication",), "authentication_failed"),
    (("could not translate host name",), "host_unknown"),
    (("failed to resolve host",), "host_unknown"),
    (("name or service not known",), "host_unknown"),
    (("connection refused",), "connection_refused"),
    (("too many clients",), "connection_refused"),
    (("server closed the connection",), "connection_refused"),
    (("terminating connection",), "connection_refused"),
    (("no route to host",), "connection_refused"),
    (("ssl",), "tls_failed"),
    (("certificate",), "tls_failed"),
    (("couldn't get a connection",), "pool_exhausted"),
    (("timeout expired",), "timeout"),
    (("timed out",), "timeout"),
    (("database is locked",), "locked"),
    (("file is not a database",), "not_a_database"),
    (("readonly database",), "read_only"),
    (("read-only",), "read_only"),
    (("database or disk is full",), "disk_full"),
    (("unable to open database file",), "database_missing"),
    (("permission denied",), "permission_denied"),
    (("no such table",), "schema_missing"),
    (("does not exist",), "schema_missing"),
    (("constraint failed",), "rejected"),
)
"""Lower-cased fragments of driver messages (all of a row's must occur; first row wins),
for errors that carry no code: libpq's connection failures, psycopg_pool's timeouts."""


def _driver_error(exc: BaseException) -> BaseException:
    """The innermost driver error under eventsourcing's and SQLAlchemy's wrappers."""
    seen: set[int] = set()
    current = exc
    while id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, DBAPIError) and current.orig is not None:
            current = current.orig
        elif isinstance(current, PersistenceError) and current.__cause__ is not None:
            current = current.__cause__
        else:
            break
    return current


def _is_a(exc: BaseException, package: str, name: str) -> bool:
    """Whether ``exc`` is an instance of ``package``'s class ``name``.

    psycopg and psycopg_pool are imported only by PostgreSQL stores: when the package is
    not loaded, no error can be its, and this map does not import it for SQLite users.
    """
    module = sys.modules.get(package)
    cls = getattr(module, name, None) if module is not None else None
    return isinstance(cls, type) and isinstance(exc, cls)


def _sqlstate(exc: BaseException) -> str | None:
    sqlstate = getattr(exc, "sqlstate", None)
    return sqlstate if isinstance(sqlstate, str) and sqlstate else None


def reason_for(exc: BaseException) -> str:
    """The stable reason code of a storage failure (a key of :data:`REASONS`).

    Codes first (the pool's state, PostgreSQL's SQLSTATE, sqlite3's error name, the
    ``errno``), then the driver's message for errors that carry none.
    """
    driver = _driver_error(exc)
    return _pool_reason(exc, driver) or _code_reason(driver) or _message_reason(driver)


def _pool_reason(exc: BaseException, driver: BaseException) -> str | None:
    if isinstance(exc, ConnectionPoolClosedError) or _is_a(driver, "psycopg_pool", "PoolClosed"):
        return "closed"
    if isinstance(exc, ConnectionUnavailableError) or _is_a(
        driver, "psycopg_pool", "PoolTimeout"
    ):
        return "pool_exhausted"
    return None


def _code_reason(driver: BaseException) -> str | None:
    sqlstate = _sqlstate(driver)
    if sqlstate is not None:
        return next(
            (reason for prefix, reason in _SQLSTATE_REASONS if sqlstate.startswith(prefix)),
            None,
        )
    if isinstance(driver, sqlite3.Error):
        name = getattr(driver, "sqlite_errorname", "")
        return next(
            (reason for prefix, reason in _SQLITE_REASONS if name.startswith(prefix)), None
        )
    if isinstance(driver, OSError) and driver.errno is not None:
        return _ERRNO_REASONS.get(driver.errno)
    return None


def _message_reason(driver: BaseException) -> str:
    message = str(driver).lower()
    for fragments, reason in _MESSAGE_REASONS:
        if all(fragment in message for fragment in fragments):
            return reason
    return "timeout" if isinstance(driver, TimeoutError) else "other"


def _is_conflict(exc: BaseException) -> bool:
    """Whether an event store's ``IntegrityError`` means another writer appended first.

    eventsourcing raises ``IntegrityError`` for any violated constraint; only a taken
    unique key (the case's next version) is a conflict to retry. Its own conflicts (POPO,
    tracking) carry no driver error.
    """
    driver = _driver_error(exc)
    if driver is exc:
        return True
    sqlstate = _sqlstate(driver)
    if sqlstate is not None:
        return sqlstate == "23505"  # unique_violation
    if isinstance(driver, sqlite3.Error):
        name = getattr(driver, "sqlite_errorname", "")
        return name in ("SQLITE_CONSTRAINT_PRIMARYKEY", "SQLITE_CONSTRAINT_UNIQUE")
    return "unique" in str(driver).lower()


def _is_storage_failure(exc: BaseException) -> bool:
    if isinstance(
        exc,
        PersistenceError | ConnectionPoolClosedError | SQLAlchemyError | sqlite3.Error | OSError,
    ):
        return True
    return any(_is_a(exc, package, name) for package, name in _DRIVER_ERRORS)


_DRIVER_ERRORS: Final = (("psycopg", "Error"), ("psycopg_pool", "PoolClosed"))
"""The base errors of the drivers a PostgreSQL store loads (see :func:`_is_a`)."""


def translate(exc: BaseException, what: str = "the event store") -> PerhetyoError | None:
    """perhetyo's error for a foreign one, or None when it is not a storage failure.

    ``what`` names the failing part in the message ("the event store", "the views
    database"); the message never holds the foreign error's text.
    """
    if isinstance(exc, PerhetyoError):
        return exc
    if not _is_storage_failure(exc):
        return None
    if isinstance(exc, IntegrityError) and _is_conflict(exc):
        return AppendConflictError("another writer appended to the case first; retry")
    reason = reason_for(exc)
    if reason == "closed":
        return StoreClosedError()
    return StorageError(f"{what} failed: {REASONS[reason]} ({reason})", reason=reason)


def _safe_cause(exc: BaseException) -> bool:
    """Whether ``exc``'s text may be kept as the cause: it can hold no client data.

    sqlite3's messages and libpq's connection errors name no values; PostgreSQL's errors
    are kept only in the classes of :data:`_SAFE_SQLSTATE_CLASSES`. SQLAlchemy's own
    text shows no parameters because every engine is created with ``hide_parameters``.
    """
    sqlstate = _sqlstate(_driver_error(exc))
    if sqlstate is not None:
        return sqlstate.startswith(_SAFE_SQLSTATE_CLASSES)
    return True


@contextlib.contextmanager
def storage_errors(what: str = "the event store") -> Iterator[None]:
    """Run a call to the outside; its foreign failures leave as perhetyo errors."""
    try:
        yield
    except PerhetyoError:
        raise
    except Exception as exc:
        translated = translate(exc, what)
        if translated is None:
            raise
        if _safe_cause(exc):
            raise translated from exc
        raise translated from None


# --- reading stored events -----------------------------------------------------------------

_DECODING_ERRORS: Final[tuple[type[BaseException], ...]] = (
    orjson.JSONDecodeError,
    ValidationError,
    LookupError,
    UnicodeDecodeError,
    ValueError,
    TypeError,
    AttributeError,
)
"""What reading one stored event may raise when its bytes, topic or fields are damaged."""

_PROBLEMS: Final[tuple[tuple[type[BaseException], str], ...]] = (
    (orjson.JSONDecodeError, "its bytes are not valid JSON"),
    (ValidationError, "its fields do not validate"),
    (UnicodeDecodeError, "its bytes are not UTF-8"),
    (LookupError, "its topic or a field is unknown"),
)


def decoded(case_id: object, version: object, decode: Callable[[], T]) -> T:
    """Decode one stored event with ``decode()``; damage becomes :class:`CorruptRecordError`.

    The error is raised after the failure has been handled, so it carries neither a cause
    nor a context: orjson's and pydantic's errors repeat the stored content, and a host
    that walks ``__context__`` must not find it there.
    """
    try:
        return decode()
    except PerhetyoError:
        raise
    except _DECODING_ERRORS as exc:
        problem = next(
            (text for kind, text in _PROBLEMS if isinstance(exc, kind)), "its content is damaged"
        )
    raise CorruptRecordError(case_id, version, problem)

"""Foreign errors (vieraat virheet): THE one map from other libraries' errors to perhetyo's.

Every call that touches the outside (eventsourcing's recorders, SQLAlchemy, psycopg,
sqlite3, the file system) runs inside :func:`storage_errors`; every decoding of a stored
event runs inside :func:`decoding`. Nothing else in the library catches a foreign
exception, so a new failure mode is added here, once, with a test (httpx's
``map_httpcore_exceptions`` is the model).

What the map guarantees:

- a :class:`~perhetyo.errors.StorageError` says *why* (``reason``: the connection was
  refused, the database or role is unknown, a lock timed out, ...) and never carries a
  password, a statement's parameters or a stored value; the foreign error is kept as its
  ``__cause__`` only when its text cannot hold client data (driver and connection
  errors; SQLAlchemy's engines are created with ``hide_parameters=True``);
- a stored event that cannot be read becomes :class:`~perhetyo.errors.CorruptRecordError`
  naming the case and version, with no cause attached: orjson's and pydantic's errors
  repeat the stored content;
- a conflicting append (eventsourcing's ``IntegrityError``) becomes
  :class:`~perhetyo.errors.ConcurrentUpdateError`;
- a closed pool becomes :class:`~perhetyo.errors.StoreClosedError`.
"""

from __future__ import annotations

import contextlib
import sqlite3
import sys
from collections.abc import Iterator

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

__all__ = ["AppendConflictError", "decoding", "reason_for", "storage_errors", "translate"]


class AppendConflictError(ConcurrentUpdateError):
    """Another writer appended to the case between our load and our save (kilpailutilanne).

    Only a writer that does not take the case lock (an older version) can cause it; the
    application decides such a command afresh a few times before giving up.
    """

    code = "append_conflict"

# --- why a database failed, without secrets ------------------------------------------------

_SQLSTATE_REASONS: tuple[tuple[str, str], ...] = (
    ("3D000", "database_missing"),
    ("3F000", "schema_missing"),
    ("28P01", "authentication_failed"),
    ("28000", "authentication_failed"),
    ("42501", "permission_denied"),
    ("55P03", "locked"),
    ("57014", "timeout"),
    ("53100", "disk_full"),
    ("25006", "read_only"),
    ("08", "connection_refused"),
    ("57P", "connection_refused"),
)
"""PostgreSQL error codes (SQLSTATE, or their class prefix) and what they mean here."""

_MESSAGE_REASONS: tuple[tuple[str, str], ...] = (
    ("password authentication failed", "authentication_failed"),
    ("no password supplied", "authentication_failed"),
    ("role", "authentication_failed"),  # 'role "x" does not exist'
    ("database", "database_missing"),  # 'database "x" does not exist'
    ("connection refused", "connection_refused"),
    ("could not translate host name", "host_unknown"),
    ("name or service not known", "host_unknown"),
    ("timeout expired", "timeout"),
    ("database is locked", "locked"),
    ("unable to open database file", "database_missing"),
    ("readonly database", "read_only"),
    ("read-only", "read_only"),
    ("database or disk is full", "disk_full"),
    ("file is not a database", "not_a_database"),
    ("permission denied", "permission_denied"),
    ("no such table", "schema_missing"),
    ("does not exist", "schema_missing"),
)
"""Driver messages (lower-cased fragments, first match wins) and what they mean here.

'role' and 'database' are checked only together with 'does not exist' (see below)."""

_REASON_TEXTS = {
    "connection_refused": "the database server refused the connection or is unreachable",
    "host_unknown": "the database host name is not known",
    "database_missing": "the database does not exist or cannot be opened",
    "authentication_failed": "the database refused the user name or password",
    "permission_denied": "the database user lacks a permission",
    "timeout": "the database did not answer in time",
    "locked": "the database stayed locked by another writer",
    "pool_exhausted": "no database connection was free in time",
    "disk_full": "the database or its disk is full",
    "not_a_database": "the file is not a database",
    "read_only": "the database is read-only",
    "schema_missing": "a table or schema is missing",
    "closed": "the store is closed",
    "other": "the database failed",
}


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


def reason_for(exc: BaseException) -> str:
    """The stable reason code of a storage failure (see :class:`StorageError`)."""
    if isinstance(exc, ConnectionUnavailableError):
        return "pool_exhausted"
    driver = _driver_error(exc)
    sqlstate = getattr(driver, "sqlstate", None)
    if isinstance(sqlstate, str):
        for prefix, reason in _SQLSTATE_REASONS:
            if sqlstate.startswith(prefix):
                return reason
    message = str(driver).lower()
    for fragment, reason in _MESSAGE_REASONS:
        if fragment in ("role", "database"):
            if f'{fragment} "' in message and "does not exist" in message:
                return reason
            continue
        if fragment in message:
            return reason
    if isinstance(driver, TimeoutError):
        return "timeout"
    return "other"


def _storage_error(exc: BaseException, what: str) -> StorageError:
    reason = reason_for(exc)
    return StorageError(f"{what} failed: {_REASON_TEXTS[reason]} ({reason})", reason=reason)


def translate(exc: BaseException, what: str = "the event store") -> PerhetyoError | None:
    """perhetyo's error for a foreign one, or None when it is not a storage failure."""
    if isinstance(exc, PerhetyoError):
        return exc
    if isinstance(exc, ConnectionPoolClosedError):
        return StoreClosedError()
    if isinstance(exc, IntegrityError):
        return AppendConflictError("another writer appended to the case first; retry")
    if isinstance(exc, PersistenceError | SQLAlchemyError | sqlite3.Error | OSError):
        return _storage_error(exc, what)
    if _is_psycopg_error(exc):
        return _storage_error(exc, what)
    return None


def _is_psycopg_error(exc: BaseException) -> bool:
    """Whether ``exc`` is psycopg's (its pool's errors derive from it too).

    psycopg is imported only by PostgreSQL stores: when it is not loaded, no error can be
    its, and the map does not import it for SQLite users.
    """
    psycopg = sys.modules.get("psycopg")
    return psycopg is not None and isinstance(exc, psycopg.Error)


_VALUE_SQLSTATE_CLASSES = ("22", "23")
"""PostgreSQL's data and integrity errors: their DETAIL may quote a stored value."""


def _safe_cause(exc: BaseException) -> bool:
    """Whether ``exc``'s text may be kept as the cause: it can hold no client data.

    sqlite3's messages and psycopg's connection errors name no values; PostgreSQL's data
    and integrity errors may (``DETAIL: Key (...)=(...)``). SQLAlchemy's own text shows
    no parameters because every engine is created with ``hide_parameters=True``.
    """
    driver = _driver_error(exc)
    sqlstate = getattr(driver, "sqlstate", None)
    if isinstance(sqlstate, str):
        return not sqlstate.startswith(_VALUE_SQLSTATE_CLASSES)
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


_DECODING_ERRORS: tuple[type[BaseException], ...] = (
    orjson.JSONDecodeError,
    ValidationError,
    LookupError,
    UnicodeDecodeError,
    ValueError,
    TypeError,
    AttributeError,
)
"""What reading one stored event may raise when its bytes, topic or fields are damaged."""


@contextlib.contextmanager
def decoding(case_id: object, version: object) -> Iterator[None]:
    """Decode one stored event; damage becomes :class:`CorruptRecordError` (no cause kept)."""
    try:
        yield
    except PerhetyoError:
        raise
    except _DECODING_ERRORS as exc:
        problem = _problem(exc)
        raise CorruptRecordError(case_id, version, problem) from None


def _problem(exc: BaseException) -> str:
    kinds: list[tuple[type[BaseException], str]] = [
        (orjson.JSONDecodeError, "its bytes are not valid JSON"),
        (ValidationError, "its fields do not validate"),
        (LookupError, "its topic or a field is unknown"),
        (UnicodeDecodeError, "its bytes are not UTF-8"),
    ]
    for kind, text in kinds:
        if isinstance(exc, kind):
            return text
    return "its content is damaged"


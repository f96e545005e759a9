"""Käyttölokin tallennus (storing the access and disclosure log): a table beside the events.

The table ``perhetyo_access_log`` lives in the events' own database (on PostgreSQL in the
store's schema), created at start-up beside the event store; ``memory://`` keeps the log
in a list for the store's lifetime, ``sqlite:///:memory:`` in an in-memory database of its
own. It is not a case's event stream: writing an entry never changes a case's version,
and the case's erasure (which destroys only the case's data key) leaves the entries.

Each row holds ids, a time, the kind of access and the stated purpose; never a name. An
entry is committed (``synchronous=FULL`` on SQLite, like the events) before the read that
it records returns. A disclosure's entry is keyed by its ``disclosure_id`` (a unique
index): writing it again, on a retried disclosure, changes nothing. SQL goes through
SQLAlchemy Core; foreign errors become perhetyo's in :func:`storage_errors` only.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Final, Protocol
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    event,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite

from perhetyo.access import AccessAction, AccessEntry
from perhetyo.persistence.errors import storage_errors
from perhetyo.persistence.store import StoreSettings, views_engine

__all__ = [
    "ACCESS_LOG_TABLE",
    "AccessLogStore",
    "MemoryAccessLog",
    "SqlAccessLog",
    "access_log_table",
    "open_access_log",
]

ACCESS_LOG_TABLE: Final = "perhetyo_access_log"


class AccessLogStore(Protocol):
    """Where access entries are kept (käyttölokin varasto)."""

    def record(self, entries: Sequence[AccessEntry]) -> None:
        """Store ``entries`` durably, all or none (a disclosure's entry at most once)."""

    def entries(
        self, case_id: UUID, since: datetime | None, until: datetime | None
    ) -> list[AccessEntry]:
        """The case's entries with ``since <= accessed_at < until``, oldest first."""

    def close(self) -> None:
        """Release connections."""


def access_log_table(metadata: MetaData) -> Table:
    """The access log's table (no personal columns: ids, a time, a kind, a purpose)."""
    return Table(
        ACCESS_LOG_TABLE,
        metadata,
        Column(
            "seq",
            BigInteger().with_variant(Integer, "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        Column("case_id", String(36), nullable=False),
        Column("actor_id", String(64), nullable=False),
        Column("accessed_at", DateTime(timezone=True), nullable=False),
        Column("action", String(40), nullable=False),
        Column("purpose", String(200)),
        Column("disclosure_id", String(36)),
        Index("ix_perhetyo_access_log_case_id_accessed_at", "case_id", "accessed_at"),
        Index("ux_perhetyo_access_log_disclosure_id", "disclosure_id", unique=True),
    )


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC) if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _row(entry: AccessEntry) -> dict[str, Any]:
    return {
        "case_id": str(entry.case_id),
        "actor_id": entry.actor_id,
        "accessed_at": _utc(entry.accessed_at),
        "action": entry.action.value,
        "purpose": entry.purpose,
        "disclosure_id": None if entry.disclosure_id is None else str(entry.disclosure_id),
    }


def _entry(row: Any) -> AccessEntry:
    return AccessEntry(
        case_id=UUID(row.case_id),
        actor_id=row.actor_id,
        accessed_at=_utc(row.accessed_at),
        action=AccessAction(row.action),
        purpose=row.purpose,
        disclosure_id=None if row.disclosure_id is None else UUID(row.disclosure_id),
    )


class SqlAccessLog:
    """The access log in a SQL table (SQLite or PostgreSQL), through SQLAlchemy Core."""

    def __init__(self, engine: Engine, schema: str | None) -> None:
        self.engine = engine
        self.table = access_log_table(MetaData(schema=schema))
        # An in-memory SQLite database is one connection shared by every thread: its
        # transactions must take turns. A file or a server gives each its own connection.
        shared = engine.dialect.name == "sqlite" and engine.url.database in (None, "")
        self._turn: contextlib.AbstractContextManager[Any] = (
            threading.Lock() if shared else contextlib.nullcontext()
        )
        self._insert = (
            postgresql.insert(self.table)
            if engine.dialect.name == "postgresql"
            else sqlite.insert(self.table)
        ).on_conflict_do_nothing(index_elements=["disclosure_id"])
        writer = engine.execution_options(perhetyo_write=True)
        with storage_errors("the access log"), writer.begin() as conn:
            self.table.metadata.create_all(conn, checkfirst=True)

    def record(self, entries: Sequence[AccessEntry]) -> None:
        """Insert ``entries`` in one committed transaction."""
        if not entries:
            return
        rows = [_row(entry) for entry in entries]
        writer = self.engine.execution_options(perhetyo_write=True)
        with self._turn, storage_errors("the access log"), writer.begin() as conn:
            conn.execute(self._insert, rows)

    def entries(
        self, case_id: UUID, since: datetime | None, until: datetime | None
    ) -> list[AccessEntry]:
        """The case's entries in the window, oldest first."""
        t = self.table
        query = select(t).where(t.c.case_id == str(case_id))
        if since is not None:
            query = query.where(t.c.accessed_at >= _utc(since))
        if until is not None:
            query = query.where(t.c.accessed_at < _utc(until))
        query = query.order_by(t.c.accessed_at, t.c.seq)
        with self._turn, storage_errors("the access log"), self.engine.connect() as conn:
            return [_entry(row) for row in conn.execute(query)]

    def close(self) -> None:
        """Dispose of the engine's connections."""
        self.engine.dispose()


class MemoryAccessLog:
    """The access log of a ``memory://`` store: a list, for the store's lifetime."""

    def __init__(self) -> None:
        self._entries: list[AccessEntry] = []
        self._disclosures: set[UUID] = set()
        self._lock = threading.Lock()

    def record(self, entries: Sequence[AccessEntry]) -> None:
        """Append ``entries`` (a disclosure's entry once)."""
        with self._lock:
            for entry in entries:
                if entry.disclosure_id is not None:
                    if entry.disclosure_id in self._disclosures:
                        continue
                    self._disclosures.add(entry.disclosure_id)
                self._entries.append(entry)

    def entries(
        self, case_id: UUID, since: datetime | None, until: datetime | None
    ) -> list[AccessEntry]:
        """The case's entries in the window, oldest first."""
        with self._lock:
            found = [
                entry
                for entry in self._entries
                if entry.case_id == case_id
                and (since is None or entry.accessed_at >= since)
                and (until is None or entry.accessed_at < until)
            ]
        return sorted(found, key=lambda entry: entry.accessed_at)

    def close(self) -> None:
        """Nothing to release."""


def _durable_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _synchronous_full(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA synchronous=FULL")


def open_access_log(settings: StoreSettings) -> AccessLogStore:
    """The access log of the store the settings name (its table created when missing)."""
    if settings.kind == "memory":
        return MemoryAccessLog()
    engine = views_engine(settings)
    if engine.dialect.name == "sqlite":
        _durable_sqlite(engine)
    try:
        return SqlAccessLog(engine, settings.postgres_schema)
    except BaseException:
        engine.dispose()
        raise

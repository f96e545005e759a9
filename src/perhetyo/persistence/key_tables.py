"""Key tables (avaintaulut): where the key ring keeps wrapped keys.

- ``perhetyo_key_ring`` (name, wrapped, created_at): the store's secrets, wrapped by the
  master key;
- ``perhetyo_case_keys`` (case_id, wrapped, created_at, destroyed_at): each case's data key,
  wrapped by the master key; an erased case's row keeps its id and times, ``wrapped`` NULL.

Both live in the events' own database (:class:`SqlVault`); ``memory://`` and in-memory
SQLite stores keep them in the process (:class:`MemoryVault`). Nothing here unwraps a key:
that is :mod:`perhetyo.persistence.keyring`'s. On SQLite every connection sets
``secure_delete``, and a destroyed or re-wrapped key is followed by a WAL checkpoint
(``TRUNCATE``), so no copy of an old wrapped key remains in the file or its WAL.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, Final, Protocol
from uuid import UUID

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    LargeBinary,
    MetaData,
    String,
    Table,
    event,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from perhetyo.persistence.errors import storage_errors
from perhetyo.persistence.store import StoreSettings, views_engine

__all__ = ["CASE_KEY_TABLE", "KEY_RING_TABLE", "MemoryVault", "SqlVault", "Vault"]

logger = logging.getLogger("perhetyo")

CASE_KEY_TABLE: Final = "perhetyo_case_keys"
KEY_RING_TABLE: Final = "perhetyo_key_ring"
_CHECKPOINT_TRIES: Final = 100
_CHECKPOINT_PAUSE: Final = 0.02


class Vault(Protocol):
    """Where wrapped keys are kept: the key ring's storage."""

    def secrets(self) -> dict[str, bytes]: ...

    def add_secrets(self, wrapped: dict[str, bytes], now: datetime) -> None: ...

    def case_key(self, case_id: UUID) -> tuple[bytes | None] | None: ...

    def live_case_keys(self) -> dict[UUID, bytes]: ...

    def add_case_key(self, case_id: UUID, wrapped: bytes, now: datetime) -> None: ...

    def destroy(self, case_id: UUID, now: datetime) -> None: ...

    def rewrap(self, change: Callable[[str, bytes], bytes]) -> int: ...

    def close(self) -> None: ...

    def forked(self) -> None: ...


class MemoryVault:
    """For ``memory://`` and in-memory SQLite stores: keys live as long as the process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._secrets: dict[str, bytes] = {}
        self._cases: dict[UUID, bytes | None] = {}

    def secrets(self) -> dict[str, bytes]:
        with self._lock:
            return dict(self._secrets)

    def add_secrets(self, wrapped: dict[str, bytes], now: datetime) -> None:
        with self._lock:
            for name, value in wrapped.items():
                self._secrets.setdefault(name, value)

    def case_key(self, case_id: UUID) -> tuple[bytes | None] | None:
        with self._lock:
            return (self._cases[case_id],) if case_id in self._cases else None

    def live_case_keys(self) -> dict[UUID, bytes]:
        with self._lock:
            return {case_id: w for case_id, w in self._cases.items() if w is not None}

    def add_case_key(self, case_id: UUID, wrapped: bytes, now: datetime) -> None:
        with self._lock:
            self._cases.setdefault(case_id, wrapped)

    def destroy(self, case_id: UUID, now: datetime) -> None:
        with self._lock:
            self._cases[case_id] = None

    def rewrap(self, change: Callable[[str, bytes], bytes]) -> int:
        with self._lock:
            secrets_ = {name: change(name, value) for name, value in self._secrets.items()}
            cases = {
                case_id: None if value is None else change(str(case_id), value)
                for case_id, value in self._cases.items()
            }
            self._secrets, self._cases = secrets_, cases
            return len(secrets_) + sum(value is not None for value in cases.values())

    def close(self) -> None:
        return None

    def forked(self) -> None:
        self._lock = threading.Lock()


class SqlVault:
    """The two key tables in the events' own database (SQLite file or PostgreSQL)."""

    def __init__(self, settings: StoreSettings) -> None:
        self._settings = settings
        self.engine: Engine = views_engine(settings)
        # A new case's key is written just before its first event, whose commit is synced:
        # the key's own commit need not wait for the disk (a later synced commit makes the
        # log before it durable too: SQLite's WAL is appended in order, and so is
        # PostgreSQL's). If the process dies between the two, no event uses the key.
        self._key_engine: Engine = self.engine
        if self.engine.dialect.name == "sqlite":
            _secure_delete(self.engine)
            self._key_engine = views_engine(settings)
            _secure_delete(self._key_engine, synchronous="NORMAL")
        self._writer = self.engine.execution_options(perhetyo_write=True)
        self._key_writer = self._key_engine.execution_options(perhetyo_write=True)
        metadata = MetaData(schema=settings.postgres_schema)
        self.ring = Table(
            KEY_RING_TABLE,
            metadata,
            Column("name", String(40), primary_key=True),
            Column("wrapped", LargeBinary, nullable=False),
            Column("created_at", DateTime(timezone=True), nullable=False),
        )
        self.cases = Table(
            CASE_KEY_TABLE,
            metadata,
            Column("case_id", String(36), primary_key=True),
            Column("wrapped", LargeBinary),
            Column("created_at", DateTime(timezone=True), nullable=False),
            Column("destroyed_at", DateTime(timezone=True)),
        )
        self._metadata = metadata
        self._dialect: Any = postgresql if self.engine.dialect.name == "postgresql" else sqlite

    def secrets(self) -> dict[str, bytes]:
        with storage_errors(), self.engine.connect() as conn:
            if not inspect(conn).has_table(KEY_RING_TABLE, schema=self._settings.postgres_schema):
                return {}
            rows = conn.execute(select(self.ring.c.name, self.ring.c.wrapped)).all()
        return {name: bytes(wrapped) for name, wrapped in rows}

    def add_secrets(self, wrapped: dict[str, bytes], now: datetime) -> None:
        with storage_errors(), self._writer.begin() as conn:
            self._metadata.create_all(conn, checkfirst=True)
            for name, value in wrapped.items():
                conn.execute(
                    self._dialect.insert(self.ring)
                    .values(name=name, wrapped=value, created_at=now)
                    .on_conflict_do_nothing(index_elements=["name"])
                )

    def case_key(self, case_id: UUID) -> tuple[bytes | None] | None:
        query = select(self.cases.c.wrapped).where(self.cases.c.case_id == str(case_id))
        with storage_errors(), self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        return (None if row.wrapped is None else bytes(row.wrapped),)

    def live_case_keys(self) -> dict[UUID, bytes]:
        query = select(self.cases.c.case_id, self.cases.c.wrapped).where(
            self.cases.c.wrapped.is_not(None)
        )
        with storage_errors(), self.engine.connect() as conn:
            return {UUID(case_id): bytes(wrapped) for case_id, wrapped in conn.execute(query)}

    def add_case_key(self, case_id: UUID, wrapped: bytes, now: datetime) -> None:
        with storage_errors(), self._key_writer.begin() as conn:
            if self._dialect is postgresql:
                conn.execute(text("SET LOCAL synchronous_commit = off"))
            conn.execute(
                self._dialect.insert(self.cases)
                .values(case_id=str(case_id), wrapped=wrapped, created_at=now)
                .on_conflict_do_nothing(index_elements=["case_id"])
            )

    def destroy(self, case_id: UUID, now: datetime) -> None:
        with storage_errors(), self._writer.begin() as conn:
            conn.execute(
                update(self.cases)
                .where(self.cases.c.case_id == str(case_id))
                .values(wrapped=None, destroyed_at=now)
            )
        self._scrub()

    def rewrap(self, change: Callable[[str, bytes], bytes]) -> int:
        count = 0
        with storage_errors(), self._writer.begin() as conn:
            if self._dialect is postgresql:  # one rotation at a time; writers of keys wait
                conn.execute(select(self.ring.c.name).with_for_update())
            for name, wrapped in conn.execute(select(self.ring.c.name, self.ring.c.wrapped)).all():
                conn.execute(
                    update(self.ring)
                    .where(self.ring.c.name == name)
                    .values(wrapped=change(name, bytes(wrapped)))
                )
                count += 1
            live = conn.execute(
                select(self.cases.c.case_id, self.cases.c.wrapped).where(
                    self.cases.c.wrapped.is_not(None)
                )
            ).all()
            for case_id, wrapped in live:
                conn.execute(
                    update(self.cases)
                    .where(self.cases.c.case_id == case_id)
                    .values(wrapped=change(case_id, bytes(wrapped)))
                )
                count += 1
        self._scrub()
        return count

    def _scrub(self) -> None:
        """On SQLite, copy the WAL into the file and empty it (its old pages held the key)."""
        if self._dialect is not sqlite or self._settings.sqlite_path is None:
            return
        with storage_errors():
            for _ in range(_CHECKPOINT_TRIES):
                with self.engine.connect() as conn:
                    raw: Any = conn.connection.driver_connection
                    busy = raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
                if not busy:
                    return
                time.sleep(_CHECKPOINT_PAUSE)
        logger.warning("the WAL could not be checkpointed: an old wrapped key may remain in it")

    def close(self) -> None:
        self.engine.dispose()
        self._key_engine.dispose()

    def forked(self) -> None:
        """In a forked process: new connections, never the parent's (SQLAlchemy's way:
        the pool is replaced without closing what the parent still uses)."""
        self.engine.dispose(close=False)
        self._key_engine.dispose(close=False)


def _secure_delete(engine: Engine, synchronous: str = "FULL") -> None:
    @event.listens_for(engine, "connect")
    def _on(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA secure_delete=ON")
        dbapi_connection.execute(f"PRAGMA synchronous={synchronous}")

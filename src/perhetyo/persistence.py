"""Persistence (tallennus): the event codec and the URL that decides the store.

- :class:`OrjsonTranscoder` turns a JSON-ready dict into bytes and back.
- :class:`PydanticMapper` turns a pydantic event into eventsourcing's ``StoredEvent`` and
  back: ``model_dump(mode="json")`` out, ``model_validate`` in, with ``class_version``
  upcasting (``upcast_v1_v2`` class methods on the event class) under the same topic.
- :func:`environment_for_url` maps a URL to the only settings eventsourcing sees: stray
  environment variables never redirect the store.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit
from uuid import UUID, uuid4

import orjson
from eventsourcing.persistence import Cipher, Compressor, Mapper, StoredEvent, Transcoder
from eventsourcing.sqlite import SQLiteConnection, SQLiteConnectionPool, SQLiteFactory
from eventsourcing.utils import Environment, EnvType

from perhetyo.errors import ConfigurationError
from perhetyo.events import EVENT_CLASSES, CaseEvent

__all__ = [
    "DEFAULT_URL",
    "DurableSQLiteFactory",
    "OrjsonTranscoder",
    "PydanticMapper",
    "StoreSettings",
    "environment_for_url",
    "postgres_connection",
]

DEFAULT_URL = "sqlite:///perhetyo.db"
"""The embedded default: a SQLite file in the working directory."""

_STORED_CONTEXT = {"stored": True}


class OrjsonTranscoder(Transcoder):
    """Transcoder (koodaus): JSON bytes with orjson; values are already JSON-ready."""

    def encode(self, obj: Any) -> bytes:
        """Dict to bytes."""
        return orjson.dumps(obj)

    def decode(self, data: bytes) -> Any:
        """Bytes to dict."""
        return orjson.loads(data)


class PydanticMapper(Mapper[UUID]):
    """Event mapper (tapahtumien muunnin): pydantic events to stored events and back.

    ``registry`` maps topics to event classes (default: every registered perhetyo event).
    """

    def __init__(
        self,
        transcoder: Transcoder,
        compressor: Compressor | None = None,
        cipher: Cipher | None = None,
        *,
        registry: Mapping[str, type[CaseEvent]] | None = None,
    ) -> None:
        super().__init__(transcoder=transcoder, compressor=compressor, cipher=cipher)
        self.registry: Mapping[str, type[CaseEvent]] = (
            EVENT_CLASSES if registry is None else registry
        )

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        """Encode one event; ``originator_id`` and ``originator_version`` are columns."""
        event: CaseEvent = domain_event
        cls = type(event)
        state = event.model_dump(mode="json", exclude={"originator_id", "originator_version"})
        if cls.class_version > 1:
            state["class_version"] = cls.class_version
        data = self.transcoder.encode(state)
        if self.compressor:
            data = self.compressor.compress(data)
        if self.cipher:
            data = self.cipher.encrypt(data)
        return StoredEvent(
            originator_id=event.originator_id,
            originator_version=event.originator_version,
            topic=cls.TOPIC,
            state=data,
        )

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        """Decode one stored event, upcasting older class versions first."""
        try:
            cls = self.registry[stored_event.topic]
        except KeyError:
            raise LookupError(f"unknown event topic {stored_event.topic}") from None
        data = stored_event.state
        if self.cipher:
            data = self.cipher.decrypt(data)
        if self.compressor:
            data = self.compressor.decompress(data)
        state: dict[str, Any] = self.transcoder.decode(data)
        from_version = state.pop("class_version", 1)
        while from_version < cls.class_version:
            getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(state)
            from_version += 1
        originator_id = stored_event.originator_id
        state["originator_id"] = (
            originator_id if isinstance(originator_id, UUID) else UUID(originator_id)
        )
        state["originator_version"] = stored_event.originator_version
        return cls.model_validate(state, context=_STORED_CONTEXT)


@dataclass(frozen=True)
class StoreSettings:
    """What a URL means: the settings for eventsourcing and a few of our own."""

    kind: str
    env: dict[str, str]
    postgres_schema: str | None = None
    sqlite_path: Path | None = None


def postgres_connection(env: dict[str, str]) -> Any:
    """A psycopg connection (autocommit) to the database a store's settings name."""
    import psycopg  # noqa: PLC0415 (only PostgreSQL stores need the driver)

    return psycopg.connect(
        dbname=env["POSTGRES_DBNAME"],
        host=env["POSTGRES_HOST"],
        port=int(env["POSTGRES_PORT"]),
        user=env["POSTGRES_USER"],
        password=env["POSTGRES_PASSWORD"] or None,
        connect_timeout=int(env["POSTGRES_CONNECT_TIMEOUT"]),
        autocommit=True,
    )


def _postgres(url: str) -> StoreSettings:
    parts = urlsplit(url)
    dbname = unquote(parts.path.lstrip("/"))
    if not dbname:
        raise ConfigurationError("a PostgreSQL URL must name a database")
    options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    unknown = set(options) - {"schema", "connect_timeout"}
    if unknown:
        raise ConfigurationError(f"unknown PostgreSQL URL options: {', '.join(sorted(unknown))}")
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": dbname,
        "POSTGRES_HOST": parts.hostname or "localhost",
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": unquote(parts.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
        "POSTGRES_CONNECT_TIMEOUT": options.get("connect_timeout", "5"),
        "POSTGRES_LOCK_TIMEOUT": "30",
        "POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT": "60",
    }
    schema = options.get("schema")
    if schema is not None:
        if not schema.replace("_", "").isalnum() or not schema[0].isalpha():
            raise ConfigurationError("schema must be letters, digits and underscores")
        env["POSTGRES_SCHEMA"] = schema
    return StoreSettings(kind="postgresql", env=env, postgres_schema=schema)


def _sqlite(url: str) -> StoreSettings:
    path = url.removeprefix("sqlite:///")
    if path in ("", ":memory:"):
        # One in-memory database per store, shared by the pool's connections.
        name = f"file:perhetyo-{uuid4().hex}?mode=memory&cache=shared"
        return StoreSettings(kind="sqlite", env=_sqlite_env(name))
    file = Path(unquote(path))
    if not file.parent.exists():
        raise ConfigurationError("the SQLite file's directory does not exist")
    return StoreSettings(kind="sqlite", env=_sqlite_env(str(file)), sqlite_path=file)


class _DurableSQLitePool(SQLiteConnectionPool):
    """eventsourcing's SQLite pool, with ``synchronous=FULL`` set on every connection."""

    def _create_connection(self) -> SQLiteConnection:
        connection = super()._create_connection()
        connection.cursor().execute("PRAGMA synchronous=FULL")
        return connection


class DurableSQLiteFactory(SQLiteFactory):
    """eventsourcing's SQLite factory whose connections keep ``synchronous=FULL``.

    SQLite builds may default to NORMAL in WAL mode, where a commit can be lost on power
    failure; a command here returns only after its events are on disk. The pool's class is
    swapped after construction because eventsourcing builds its datastore internally.
    """

    def __init__(self, env: Environment | EnvType | None) -> None:
        super().__init__(env)
        self.datastore.pool.__class__ = _DurableSQLitePool


def _sqlite_env(db_name: str) -> dict[str, str]:
    return {
        "PERSISTENCE_MODULE": "perhetyo.persistence:DurableSQLiteFactory",
        "SQLITE_DBNAME": db_name,
        "SQLITE_LOCK_TIMEOUT": "30",
    }


def environment_for_url(url: str) -> StoreSettings:
    """The store settings a URL implies: ``memory://``, ``sqlite:///...``, ``postgresql://...``.

    ``postgresql://`` and ``postgresql+psycopg://`` both mean psycopg 3. A PostgreSQL URL
    may carry ``?schema=name`` (created if missing) and ``?connect_timeout=seconds``.
    """
    if not isinstance(url, str):
        raise ConfigurationError("the store URL must be a string")
    if url == "memory://":
        return StoreSettings(kind="memory", env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    if url.startswith("sqlite:///"):
        return _sqlite(url)
    if url.startswith(("postgresql://", "postgresql+psycopg://")):
        return _postgres(url)
    raise ConfigurationError(
        "unsupported store URL: use memory://, sqlite:///path or postgresql://user@host/db"
    )

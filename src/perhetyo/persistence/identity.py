"""Case ids from request ids (asiakkuustunnukset pyyntötunnisteista), keyed by the store.

An ``open_case`` with a ``request_id`` must find its own case on a retry, so the case id is
derived from the request id. Release 0.1 derived it with a public uuid5 namespace, and a
request id that held a personal identity code could be recovered from the case id by
brute force (about a second per birth year). Now:

- request ids holding an identity code are refused (``perhetyo.values.RequestId``);
- the case id is an HMAC-SHA-256 of the request id under a random 32-byte key of the store,
  kept in the events' own database (table ``perhetyo_store_keys``), so a case id reveals
  nothing to someone without the database;
- a store that already holds cases opened by release 0.1 keeps finding them on a retry:
  :func:`legacy_case_id` is checked too (the old derivation), for every store, because
  checking costs one lookup of an id that is normally absent.

``memory://`` and ``sqlite:///:memory:`` stores draw a key for their own lifetime.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Final
from uuid import UUID, uuid5

from sqlalchemy import Column, Engine, LargeBinary, MetaData, String, Table, inspect, select
from sqlalchemy.dialects import postgresql, sqlite

from perhetyo.persistence.errors import storage_errors
from perhetyo.persistence.store import StoreSettings, views_engine

__all__ = [
    "KEY_TABLE",
    "LEGACY_REQUEST_NAMESPACE",
    "case_id_for_request",
    "legacy_case_id",
    "store_key",
]

LEGACY_REQUEST_NAMESPACE: Final = UUID("6f1d6a52-3c1e-5d0b-9a57-8f0c2b1e4d21")
"""Release 0.1's public namespace of case ids derived from request ids (uuid5)."""

KEY_TABLE: Final = "perhetyo_store_keys"
_KEY_NAME: Final = "case-ids"
_KEY_BYTES: Final = 32


def legacy_case_id(request_id: str) -> UUID:
    """The case id release 0.1 gave an ``open_case`` with this request id (uuid5)."""
    return uuid5(LEGACY_REQUEST_NAMESPACE, request_id)


def case_id_for_request(key: bytes, request_id: str) -> UUID:
    """The case id an ``open_case`` with this request id creates in the store with ``key``."""
    digest = hmac.new(key, request_id.encode(), hashlib.sha256).digest()
    return UUID(bytes=digest[:16], version=4)


def _key_table(metadata: MetaData) -> Table:
    return Table(
        KEY_TABLE,
        metadata,
        Column("name", String(40), primary_key=True),
        Column("value", LargeBinary, nullable=False),
    )


def store_key(settings: StoreSettings) -> bytes:
    """The store's key for case ids: read from the events' database, made on first use.

    Every later start only reads it (no write transaction, so a store opened to read takes
    no write lock). Two processes making it at once agree: the first insert wins (``ON
    CONFLICT DO NOTHING``) and both read the stored value back.
    """
    if settings.kind == "memory" or (settings.kind == "sqlite" and settings.sqlite_path is None):
        return secrets.token_bytes(_KEY_BYTES)
    engine = views_engine(settings)
    try:
        with storage_errors():
            return _read_or_create(engine, settings)
    finally:
        engine.dispose()


def _read_or_create(engine: Engine, settings: StoreSettings) -> bytes:
    metadata = MetaData(schema=settings.postgres_schema)
    table = _key_table(metadata)
    stored = select(table.c.value).where(table.c.name == _KEY_NAME)
    with engine.connect() as conn:
        if inspect(conn).has_table(KEY_TABLE, schema=settings.postgres_schema):
            value = conn.execute(stored).scalar_one_or_none()
            if value is not None:
                return bytes(value)
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    with engine.execution_options(perhetyo_write=True).begin() as conn:
        metadata.create_all(conn, checkfirst=True)
        conn.execute(
            dialect.insert(table)
            .values(name=_KEY_NAME, value=secrets.token_bytes(_KEY_BYTES))
            .on_conflict_do_nothing(index_elements=["name"])
        )
        value = conn.execute(stored).scalar_one()
    return bytes(value)

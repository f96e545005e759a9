"""Store (tallennuspaikka): what a URL means, parsed once, and the connections it gives.

A URL is parsed once, with SQLAlchemy's ``make_url``, into :class:`StoreSettings`; the
event store (eventsourcing), the stored views (SQLAlchemy) and the locks all take their
connections from those settings, so one URL has one meaning everywhere:

- ``memory://``: eventsourcing's POPO store, for tests;
- ``sqlite:///path`` (``?timeout=seconds`` the only option): a SQLite file, created
  readable by its owner only (0600), ``synchronous=FULL``; ``sqlite:///:memory:`` an
  in-memory database of its own;
- ``postgresql://`` or ``postgresql+psycopg://user:password@host:port/db`` with the options
  ``schema``, ``connect_timeout``, ``sslmode``, ``sslrootcert``, ``sslcert``, ``sslkey``.

The URL decides, not the environment. eventsourcing reads ``os.environ`` (and
``FAMILYCASES_*``); the application gives it only what the URL implies. libpq's ``PG*``
variables are kept from redirecting a PostgreSQL connection by
:mod:`perhetyo.persistence.libpq`: every connection made here takes all its parameters
from it.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final
from uuid import UUID, uuid4

from eventsourcing.postgres import PostgresFactory
from eventsourcing.sqlite import (
    SQLiteAggregateRecorder,
    SQLiteApplicationRecorder,
    SQLiteConnection,
    SQLiteConnectionPool,
    SQLiteFactory,
)
from eventsourcing.utils import Environment, EnvType
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import StaticPool

from perhetyo.errors import ConfigurationError
from perhetyo.persistence.libpq import (
    explicit_parameters,
    libpq_parameters,
    postgres_session_defaults,
    refuse_redirecting_environment,
)

__all__ = [
    "DEFAULT_URL",
    "DurableSQLiteFactory",
    "ExplicitPostgresFactory",
    "StoreSettings",
    "advisory_key",
    "postgres_connection",
    "settings_for_url",
    "views_engine",
]

DEFAULT_URL: Final = "sqlite:///perhetyo.db"
"""The embedded default: a SQLite file in the working directory."""

_SQLITE_OPTIONS: Final = frozenset({"timeout"})
_POSTGRES_OPTIONS: Final = frozenset(
    {
        "schema",
        "connect_timeout",
        "sslmode",
        "sslrootcert",
        "sslcert",
        "sslkey",
        "application_name",
    }
)
_SSL_MODES: Final = frozenset(
    {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}
)
_SCHEMA: Final = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,62}")
_WHOLE_NUMBER: Final = re.compile(r"[0-9]{1,9}")
_DEFAULT_SQLITE_TIMEOUT: Final = 30
_DEFAULT_CONNECT_TIMEOUT: Final = 5
_LIBPQ_PREFIX: Final = "PERHETYO_LIBPQ_"


@dataclass(frozen=True)
class StoreSettings:
    """What a URL means (tallennuspaikan asetukset): its kind and every connection detail.

    ``env`` is all that eventsourcing sees; ``libpq`` the explicit libpq parameters of
    every PostgreSQL connection; ``shown_url`` the URL without its password.
    """

    kind: str
    env: dict[str, str] = field(repr=False)  # holds the password: never in a repr
    shown_url: str
    postgres_schema: str | None = None
    sqlite_path: Path | None = None
    sqlite_timeout: int = _DEFAULT_SQLITE_TIMEOUT
    libpq: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def schema_or_public(self) -> str:
        """The PostgreSQL schema the events and views live in."""
        return self.postgres_schema or "public"


def advisory_key(*parts: str) -> int:
    """A stable signed key for PostgreSQL advisory locks (lukitusavain)."""
    digest = zlib.crc32("\0".join(parts).encode())
    return digest - (1 << 31)


# --- parsing -------------------------------------------------------------------------------


def settings_for_url(url: str) -> StoreSettings:
    """The store settings a URL implies (see the module docstring for the forms)."""
    if not isinstance(url, str):
        raise ConfigurationError("the store URL must be a string")
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigurationError(
            "unsupported store URL: use memory://, sqlite:///path or postgresql://user@host/db"
        ) from None
    if parsed.drivername == "memory" and url == "memory://":
        return StoreSettings(
            kind="memory", env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, shown_url=url
        )
    if parsed.drivername == "sqlite":
        return _sqlite(parsed)
    if parsed.drivername in ("postgresql", "postgresql+psycopg"):
        return _postgres(parsed)
    raise ConfigurationError(
        "unsupported store URL: use memory://, sqlite:///path or postgresql://user@host/db"
    )


def _options(parsed: URL, allowed: frozenset[str], kind: str) -> dict[str, str]:
    options: dict[str, str] = {}
    for key, value in parsed.query.items():
        if key not in allowed:
            raise ConfigurationError(f"unknown {kind} URL option: {key}")
        if not isinstance(value, str):
            raise ConfigurationError(f"the {kind} URL option {key} is given more than once")
        options[key] = value
    return options


def _seconds(options: Mapping[str, str], name: str, default: int) -> int:
    value = options.get(name)
    if value is None:
        return default
    if not _WHOLE_NUMBER.fullmatch(value) or int(value) < 1:
        raise ConfigurationError(f"{name} must be a whole number of seconds")
    return int(value)


def _sqlite(parsed: URL) -> StoreSettings:
    options = _options(parsed, _SQLITE_OPTIONS, "SQLite")
    timeout = _seconds(options, "timeout", _DEFAULT_SQLITE_TIMEOUT)
    shown = parsed.render_as_string(hide_password=True)
    database = parsed.database
    if parsed.host or parsed.username or parsed.password or parsed.port:
        raise ConfigurationError("a SQLite URL has no host: use sqlite:///path")
    if database in (None, "", ":memory:"):
        # One in-memory database per store, shared by the pool's connections.
        name = f"file:perhetyo-{uuid4().hex}?mode=memory&cache=shared"
        return StoreSettings(
            kind="sqlite", env=_sqlite_env(name, timeout), shown_url=shown, sqlite_timeout=timeout
        )
    file = Path(database)
    if not os.path.isdir(file.parent):  # False, not an error, when it cannot be reached
        raise ConfigurationError("the SQLite file's directory does not exist or is unreachable")
    return StoreSettings(
        kind="sqlite",
        env=_sqlite_env(str(file), timeout),
        shown_url=shown,
        sqlite_path=file,
        sqlite_timeout=timeout,
    )


def _sqlite_env(db_name: str, timeout: int) -> dict[str, str]:
    return {
        "PERSISTENCE_MODULE": "perhetyo.persistence.store:DurableSQLiteFactory",
        "SQLITE_DBNAME": db_name,
        "SQLITE_LOCK_TIMEOUT": str(timeout),
    }


def _postgres(parsed: URL) -> StoreSettings:
    options = _options(parsed, _POSTGRES_OPTIONS, "PostgreSQL")
    if not parsed.database:
        raise ConfigurationError("a PostgreSQL URL must name a database")
    schema = options.get("schema")
    if schema is not None and not _SCHEMA.fullmatch(schema):
        raise ConfigurationError("schema must be a letter, then letters, digits or underscores")
    sslmode = options.get("sslmode", "prefer")
    if sslmode not in _SSL_MODES:
        raise ConfigurationError(f"sslmode must be one of {', '.join(sorted(_SSL_MODES))}")
    connect_timeout = _seconds(options, "connect_timeout", _DEFAULT_CONNECT_TIMEOUT)
    env = {
        "PERSISTENCE_MODULE": "perhetyo.persistence.store:ExplicitPostgresFactory",
        "POSTGRES_DBNAME": parsed.database,
        "POSTGRES_HOST": parsed.host or "localhost",
        "POSTGRES_PORT": str(parsed.port or 5432),
        "POSTGRES_USER": parsed.username or "postgres",
        "POSTGRES_PASSWORD": parsed.password if isinstance(parsed.password, str) else "",
        "POSTGRES_CONNECT_TIMEOUT": str(connect_timeout),
        "POSTGRES_LOCK_TIMEOUT": "30",
        "POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT": "60",
    }
    if schema is not None:
        env["POSTGRES_SCHEMA"] = schema
    libpq: dict[str, str] = {
        # What the URL decides beyond eventsourcing's five; libpq_parameters() gives every
        # other parameter its compiled default, so that nothing comes from PG* variables.
        "hostaddr": "",
        "connect_timeout": str(connect_timeout),
        "options": f"-c search_path={schema or 'public'}",
        "sslmode": sslmode,
        "sslrootcert": options.get("sslrootcert", ""),
        "sslcert": options.get("sslcert", ""),
        "sslkey": options.get("sslkey", ""),
        "client_encoding": "UTF8",
        "application_name": options.get("application_name", "perhetyo"),
    }
    env.update({f"{_LIBPQ_PREFIX}{key.upper()}": value for key, value in libpq.items()})
    return StoreSettings(
        kind="postgresql",
        env=env,
        shown_url=parsed.render_as_string(hide_password=True),
        postgres_schema=schema,
        libpq=libpq,
    )


# --- connections ---------------------------------------------------------------------------


def postgres_connection(settings: StoreSettings) -> Any:
    """A psycopg connection (autocommit) to the database the settings name."""
    import psycopg  # noqa: PLC0415 (only PostgreSQL stores need the driver)

    refuse_redirecting_environment()
    return psycopg.connect(**libpq_parameters(settings), autocommit=True)


class ExplicitPostgresFactory(PostgresFactory):
    """eventsourcing's PostgreSQL factory whose connections get every libpq parameter.

    eventsourcing passes only dbname, host, port, user and password to its pool, so libpq
    would fill the rest from ``PG*`` variables. No public hook sets connection keywords:
    the pool's public ``kwargs`` dict, which psycopg_pool passes to every connection it
    makes, is completed here (the ``PERHETYO_LIBPQ_*`` entries of the settings' env, then
    libpq's defaults), before any connection is made (the pool opens lazily).
    """

    def __init__(self, env: Environment | EnvType | None) -> None:
        refuse_redirecting_environment()
        super().__init__(env)
        decided = {
            key.removeprefix(_LIBPQ_PREFIX).lower(): value
            for key, value in self.env.items()
            if key.startswith(_LIBPQ_PREFIX)
        }
        kwargs = self.datastore.pool.kwargs
        if not isinstance(kwargs, dict):  # fail closed: never connect with partial params
            self.datastore.close()
            raise ConfigurationError(
                "eventsourcing's PostgreSQL pool no longer exposes its connection keywords; "
                "perhetyo cannot make its connections explicit"
            )
        kwargs.update(
            explicit_parameters({**kwargs, **decided, "password": kwargs.get("password") or ""})
        )


class _DurableSQLitePool(SQLiteConnectionPool):
    """eventsourcing's SQLite pool, with ``synchronous=FULL`` set on every connection."""

    def _create_connection(self) -> SQLiteConnection:
        connection = super()._create_connection()
        connection.cursor().execute("PRAGMA synchronous=FULL")
        return connection


@functools.lru_cache(maxsize=4_096)
def _parsed_id(text: str) -> UUID:
    """A stored case id parsed once: a case's events (all read together) share it."""
    return UUID(text)


class _ParsedIds:
    """eventsourcing's SQLite recorders parse each row's originator id to a ``UUID``
    (a twentieth of a command's load of 60 events); these parse each id once."""

    datastore: Any

    def convert_originator_id(self, originator_id: str) -> UUID | str:
        if self.datastore.originator_id_type == "uuid":
            return _parsed_id(originator_id)
        return originator_id


class _CaseRecorder(_ParsedIds, SQLiteAggregateRecorder):
    """eventsourcing's SQLite aggregate recorder (snapshots), each id parsed once."""


class SQLiteLogRecorder(_ParsedIds, SQLiteApplicationRecorder):
    """Tapahtumaloki (the event log) on SQLite: eventsourcing's application recorder, each
    stored case id parsed once."""


class DurableSQLiteFactory(SQLiteFactory):
    """eventsourcing's SQLite factory: ``synchronous=FULL`` and files only its owner reads.

    SQLite builds may default to NORMAL in WAL mode, where a commit can be lost on power
    failure; a command here returns only after its events are on disk. eventsourcing
    builds its pool internally and has no hook for connection set-up, so the pool's class
    is swapped after construction. The database file (and its ``-wal``/``-shm``
    companions) is created with mode 0600 before SQLite opens it.
    """

    aggregate_recorder_class = _CaseRecorder
    application_recorder_class = SQLiteLogRecorder

    def __init__(self, env: Environment | EnvType | None) -> None:
        db_name = (env or {}).get("SQLITE_DBNAME", "") if isinstance(env, Mapping) else ""
        if db_name and not db_name.startswith("file:"):
            create_private_file(Path(db_name))
        super().__init__(env)
        self.datastore.pool.__class__ = _DurableSQLitePool


def create_private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 if it does not exist (never follows a link)."""
    with contextlib.suppress(FileExistsError):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        os.close(fd)


def views_engine(settings: StoreSettings, views_url: str | None = None) -> Engine:
    """The SQLAlchemy engine of the stored views: the events' own database, or ``views_url``.

    Every engine hides statement parameters from its error messages
    (``hide_parameters=True``): a failed insert must not put a client's text into an
    exception that a host may log.
    """
    if views_url is not None:
        engine = create_engine(views_url, pool_pre_ping=True, hide_parameters=True)
    elif settings.kind == "postgresql":
        refuse_redirecting_environment()
        parameters = libpq_parameters(settings)
        engine = create_engine(
            # The URL only names the place (no password, so no repr shows one); every
            # connection takes all its parameters from connect_args.
            URL.create(
                "postgresql+psycopg",
                username=parameters["user"],
                host=parameters["host"],
                port=int(parameters["port"]),
                database=parameters["dbname"],
            ),
            pool_pre_ping=True,
            hide_parameters=True,
            connect_args=parameters,
        )
    elif settings.sqlite_path is not None:
        engine = create_engine(
            URL.create("sqlite+pysqlite", database=str(settings.sqlite_path)),
            hide_parameters=True,
            connect_args={"timeout": settings.sqlite_timeout},
        )
    else:
        engine = create_engine(
            "sqlite+pysqlite://",
            poolclass=StaticPool,
            hide_parameters=True,
            connect_args={"check_same_thread": False},
        )
    if engine.dialect.name == "sqlite":
        sqlite_transactions(engine)
    elif engine.dialect.name == "postgresql":
        postgres_session_defaults(engine)
    return engine


def sqlite_transactions(engine: Engine) -> Engine:
    """SQLite transactions: ``BEGIN IMMEDIATE`` for writers, plain ``BEGIN`` for readers.

    A writer (a connection with the execution option ``perhetyo_write=True``) takes the
    write lock when it begins, so two writers never deadlock on a lock upgrade; a reader
    takes no write lock, so reports and status never block commands.
    """

    @event.listens_for(engine, "connect")
    def _autocommit_driver(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        writing = connection.get_execution_options().get("perhetyo_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")

    return engine


def unsynced_sqlite_engine(url: str | URL, *, timeout: float) -> Engine:
    """A writing engine on a SQLite file whose commits skip the fsync (``synchronous=
    NORMAL`` in WAL mode), for a rebuild's batches: the switch-over's own synced commit
    makes them durable before any reader sees them. It hides statement parameters from
    its errors and begins transactions like :func:`sqlite_transactions`."""
    engine = sqlite_transactions(
        create_engine(url, connect_args={"timeout": timeout}, hide_parameters=True)
    )

    @event.listens_for(engine, "connect")
    def _no_fsync_per_batch(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA synchronous=NORMAL")

    return engine

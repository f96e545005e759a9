"""libpq parameters (libpq-yhteysparametrit): the environment never redirects a connection.

libpq fills every connection parameter it is not given from ``PG*`` variables: each
PostgreSQL connection here (the event store's pool, the stored views' engine, the set-up
lock, the worker's ``LISTEN`` session) is given every parameter that has such a variable,
as the running libpq lists them (:func:`libpq_parameters`): the URL's value, or else
libpq's compiled default (``hostaddr`` empty, ``options`` with the search path,
``password`` empty when the URL has none, so ``~/.pgpass`` is the only other source). A
store refuses to start while ``PGSERVICE`` or ``PGSERVICEFILE`` is set, because a service
file can redirect a connection past explicit parameters. ``PGDATESTYLE`` and ``PGTZ`` are
sent as session settings whatever the parameters say, so the views' engine sets them back
on every connection (:func:`postgres_session_defaults`).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import Engine, event

from perhetyo.errors import ConfigurationError

if TYPE_CHECKING:
    from perhetyo.persistence.store import StoreSettings

__all__ = [
    "REFUSED_LIBPQ_VARIABLES",
    "explicit_parameters",
    "libpq_parameters",
    "postgres_session_defaults",
    "refuse_redirecting_environment",
]

REFUSED_LIBPQ_VARIABLES: Final = ("PGSERVICE", "PGSERVICEFILE")
"""libpq variables that can redirect a connection past explicit parameters: refused."""


def refuse_redirecting_environment() -> None:
    """Refuse to start while a libpq variable that can redirect connections is set.

    Set at all: libpq reads an empty ``PGSERVICE`` as the name of a service too.
    """
    for name in REFUSED_LIBPQ_VARIABLES:
        if name in os.environ:
            raise ConfigurationError(
                f"{name} is set: it could redirect the PostgreSQL connection past the URL; "
                "unset it (the URL decides where the store is)"
            )


_NOT_BLANKED: Final = frozenset({"service"})
"""libpq parameters that cannot be given a neutral value: refused in the environment."""

_NEUTRAL_VALUES: Final = {
    # libpq refuses an empty value for these and has no compiled default to copy.
    "sslcertmode": "allow",
    "min_protocol_version": "3.0",
    "max_protocol_version": "3.0",
}
"""The value libpq itself would use when neither the URL nor the environment says."""


@functools.cache
def _libpq_defaults() -> dict[str, str]:
    """Every parameter the running libpq would take from a ``PG*`` variable, with the value
    it uses when that variable is unset (its compiled default, or empty)."""
    from psycopg import pq  # noqa: PLC0415 (only PostgreSQL stores need the driver)

    defaults: dict[str, str] = {}
    for option in pq.Conninfo.get_defaults():
        keyword = option.keyword.decode()
        if not option.envvar or keyword in _NOT_BLANKED:
            continue
        compiled = option.compiled.decode() if option.compiled is not None else ""
        defaults[keyword] = compiled or _NEUTRAL_VALUES.get(keyword, "")
    return defaults


def explicit_parameters(decided: Mapping[str, Any]) -> dict[str, Any]:
    """``decided``, completed with every other libpq parameter at its default."""
    return {**_libpq_defaults(), **decided}


def libpq_parameters(settings: StoreSettings) -> dict[str, Any]:
    """Every libpq connection parameter of a PostgreSQL store, given explicitly.

    The URL's values, and for every other parameter that libpq would read from a ``PG*``
    variable its default: ``PGHOSTADDR``, ``PGOPTIONS``, ``PGSSLMODE``, ``PGPASSWORD`` and
    the rest have no effect. The dict holds the password: never log it.
    """
    env = settings.env
    return explicit_parameters(
        {
            "dbname": env["POSTGRES_DBNAME"],
            "host": env["POSTGRES_HOST"],
            "port": env["POSTGRES_PORT"],
            "user": env["POSTGRES_USER"],
            "password": env["POSTGRES_PASSWORD"],
            **settings.libpq,
        }
    )


_SESSION_DEFAULTS: Final = ("SET DateStyle TO 'ISO, MDY'", "SET TimeZone TO 'UTC'")


def postgres_session_defaults(engine: Engine) -> Engine:
    """Every new connection sets ``DateStyle`` and ``TimeZone`` back to what the views need.

    libpq sends ``PGDATESTYLE`` and ``PGTZ`` as session settings whatever the connection
    parameters say, and psycopg reads dates and times only in the ISO style.
    """

    @event.listens_for(engine, "connect")
    def _session_defaults(dbapi_connection: Any, _record: Any) -> None:
        autocommit = dbapi_connection.autocommit
        dbapi_connection.autocommit = True
        try:
            for statement in _SESSION_DEFAULTS:
                dbapi_connection.execute(statement)
        finally:
            dbapi_connection.autocommit = autocommit

    return engine

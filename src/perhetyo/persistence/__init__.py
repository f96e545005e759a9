"""Persistence (tallennus): the codec, the URL that decides the store, the foreign-error map.

- :mod:`~perhetyo.persistence.codec`: pydantic events to stored bytes and back;
- :mod:`~perhetyo.persistence.store`: a URL parsed once into settings, and the
  connections, engines and locks they give;
- :mod:`~perhetyo.persistence.libpq`: every PostgreSQL connection's libpq parameters,
  explicit, so that no ``PG*`` variable redirects it;
- :mod:`~perhetyo.persistence.errors`: THE one map of foreign errors to perhetyo's;
- :mod:`~perhetyo.persistence.chain`: the tamper-evident chain every stored event is
  sealed with, checked on every load; :mod:`~perhetyo.persistence.integrity`: the whole
  store checked against it (``verify_integrity``).
"""

from perhetyo.persistence.codec import OrjsonTranscoder, PydanticMapper
from perhetyo.persistence.errors import decoded, storage_errors
from perhetyo.persistence.store import (
    DEFAULT_URL,
    StoreSettings,
    advisory_key,
    postgres_connection,
    settings_for_url,
    views_engine,
)

__all__ = [
    "DEFAULT_URL",
    "OrjsonTranscoder",
    "PydanticMapper",
    "StoreSettings",
    "advisory_key",
    "decoded",
    "postgres_connection",
    "settings_for_url",
    "storage_errors",
    "views_engine",
]

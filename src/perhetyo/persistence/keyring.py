"""Key ring (avainrengas): the master key, a data key per case, the store's secrets.

- The **master key** is given to :class:`~perhetyo.FamilyCases` (``master_key=``, or the
  environment variable ``PERHETYO_MASTER_KEY``): 32 random bytes in URL-safe base64, as
  :func:`generate_key` makes them. It is never stored.
- Each case has its own random 32-byte **data key**, made when its first event is sealed,
  stored wrapped by the master key (AES-GCM, bound to the case id) in the table
  ``perhetyo_case_keys`` (case_id, wrapped, created_at, destroyed_at) of the events' own
  database (:mod:`perhetyo.persistence.key_tables`). Erasing a case destroys its wrapped
  key (:meth:`KeyRing.destroy`): the row stays, with ``wrapped`` NULL and ``destroyed_at``
  set.
- The store's **secrets** (table ``perhetyo_key_ring``): ``chain``, the HMAC key of the
  tamper-evidence chain (:meth:`KeyRing.chain_key`), and ``erasures``, the key that seals
  ``CaseErased`` events. Both random, wrapped by the master key; their unwrapping at start-up
  is also the check that the master key is the store's.

At start-up (:meth:`KeyRing.start`), before anything is written:

- no master key, and the store has no secrets: it works unencrypted, and says so once in
  the log;
- no master key on an encrypted store, a wrong master key, or a master key for a store
  that already holds unencrypted events: :class:`~perhetyo.errors.MasterKeyError`. (A
  store is encrypted from its first event or never: mixing would leave plain copies that an
  operator believes encrypted.)

:meth:`KeyRing.rotate` re-wraps every data key and secret under a new master key in one
transaction. On SQLite every connection of the key ring sets ``secure_delete``, and a
destroyed or re-wrapped key is followed by a WAL checkpoint (``TRUNCATE``), so no copy of
an old wrapped key remains in the database file or its WAL.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import secrets
import threading
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Final
from uuid import UUID

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Engine

from perhetyo.errors import CaseErasedError, MasterKeyError
from perhetyo.persistence.cipher import KEY_BYTES, MissingKeyError, UnwrapError, unwrap, wrap
from perhetyo.persistence.key_tables import MemoryVault, SqlVault, Vault
from perhetyo.persistence.store import StoreSettings

__all__ = [
    "MASTER_KEY_VARIABLE",
    "KeyRing",
    "generate_key",
    "master_key_from",
    "parse_master_key",
]

logger = logging.getLogger("perhetyo")

MASTER_KEY_VARIABLE: Final = "PERHETYO_MASTER_KEY"
_CHAIN: Final = "chain"
_ERASURES: Final = "erasures"
_KEPT_KEYS: Final = 10_000
"""Unwrapped data keys kept in memory at most (the wrapped ones are cheap to keep)."""


def generate_key() -> str:
    """A new master key (uusi pääavain): 32 random bytes, URL-safe base64, as a string."""
    return base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")


def parse_master_key(value: object) -> bytes:
    """The 32 bytes of a master key; :class:`MasterKeyError` (never showing it) otherwise."""
    if not isinstance(value, str):
        raise MasterKeyError("the master key must be a string made by perhetyo.generate_key()")
    try:
        raw = base64.urlsafe_b64decode(value.strip().encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raw = b""
    if len(raw) != KEY_BYTES:
        raise MasterKeyError(
            "the master key is not URL-safe base64 of 32 bytes (make one with "
            "perhetyo.generate_key())"
        )
    return raw


def master_key_from(
    argument: str | None, environ: Mapping[str, str] | None = None
) -> bytes | None:
    """The master key given as an argument, else in ``PERHETYO_MASTER_KEY``, else None."""
    if argument is not None:
        return parse_master_key(argument)
    value = (os.environ if environ is None else environ).get(MASTER_KEY_VARIABLE)
    return None if value is None or value == "" else parse_master_key(value)


# --- the key ring -------------------------------------------------------------------------------


class KeyRing:
    """Key ring (avainrengas): one store's master key, case data keys and secrets.

    ``master_key`` is the parsed master key (None: the store works unencrypted). ``now``
    gives the record times of keys made and destroyed.
    """

    def __init__(
        self, settings: StoreSettings, master_key: bytes | None, now: Callable[[], datetime]
    ) -> None:
        in_memory = settings.kind == "memory" or (
            settings.kind == "sqlite" and settings.sqlite_path is None
        )
        self._vault: Vault = MemoryVault() if in_memory else SqlVault(settings)
        self._master = None if master_key is None else AESGCM(master_key)
        self._now = now
        self._chain: bytes | None = None
        self._erasures: AESGCM | None = None
        self._aeads: dict[UUID, AESGCM] = {}
        self._wrapped: dict[UUID, bytes] | None = None  # every live key, loaded on first miss
        self._erased: set[UUID] = set()  # cases whose key this process saw destroyed
        self._lock = threading.Lock()

    @property
    def encrypted(self) -> bool:
        """Whether a master key is configured (and so every payload is encrypted)."""
        return self._master is not None

    @property
    def engine(self) -> Engine | None:
        """The engine of the key tables (None for a store kept in memory)."""
        return self._vault.engine if isinstance(self._vault, SqlVault) else None

    def start(self, has_events: Callable[[], bool]) -> None:
        """Check the master key against the store (see the module docstring); on a new
        encrypted store, make its secrets."""
        stored = self._vault.secrets()
        if self._master is None:
            if stored:
                raise MasterKeyError(
                    "this store is encrypted: give its master key "
                    f"(master_key= or {MASTER_KEY_VARIABLE})"
                )
            logger.info("perhetyo store is not encrypted: no master key was given")
            return
        if not stored:
            if has_events():
                raise MasterKeyError(
                    "this store already holds unencrypted events: a master key cannot be "
                    "added to it (see docs/privacy.md)"
                )
            made = {
                name: wrap(self._master, secrets.token_bytes(KEY_BYTES), name)
                for name in (_CHAIN, _ERASURES)
            }
            self._vault.add_secrets(made, self._now())
            stored = self._vault.secrets()
        try:
            self._chain = unwrap(self._master, stored[_CHAIN], _CHAIN)
            self._erasures = AESGCM(unwrap(self._master, stored[_ERASURES], _ERASURES))
        except (UnwrapError, KeyError):
            raise MasterKeyError("the master key does not open this store's keys") from None
        logger.info("perhetyo store is encrypted")

    def chain_key(self) -> bytes | None:
        """The tamper-evidence chain's HMAC key (random, wrapped by the master key), or None
        on an unencrypted store."""
        return self._chain

    def store_aead(self) -> AESGCM:
        """The AES-GCM of the store's erasure key (it seals ``CaseErased``)."""
        if self._erasures is None:
            raise MasterKeyError("this store has no master key")
        return self._erasures

    def case_aead(self, case_id: UUID, *, create: bool) -> AESGCM:
        """The AES-GCM of the case's data key; made and stored first when ``create`` and
        the case has none. :class:`CaseErasedError` once the key is destroyed."""
        aead = self._aeads.get(case_id)
        if aead is not None:
            return aead
        master = self._master
        if master is None:
            raise MasterKeyError("this store has no master key")
        wrapped = self._wrapped_key(case_id, look_up=not create)
        if wrapped is None and create:
            # Inserted unless one exists (another process, or a retry), then read back.
            self._vault.add_case_key(
                case_id, wrap(master, secrets.token_bytes(KEY_BYTES), str(case_id)), self._now()
            )
            wrapped = self._wrapped_key(case_id)
        if wrapped is None:
            raise MissingKeyError
        try:
            aead = AESGCM(unwrap(master, wrapped, str(case_id)))
        except UnwrapError:
            raise MissingKeyError from None
        with self._lock:
            if len(self._aeads) >= _KEPT_KEYS:
                self._aeads.clear()  # bounded: a rebuild opens every case once
            self._aeads[case_id] = aead
        return aead

    def _wrapped_key(self, case_id: UUID, *, look_up: bool = True) -> bytes | None:
        """The case's wrapped key, from the bulk-loaded ones or (``look_up``) its own row."""
        if case_id in self._erased:
            raise CaseErasedError(case_id)
        wrapped = self._wrapped
        if wrapped is None:
            wrapped = self._load_live_keys()
        found = wrapped.get(case_id)
        if found is not None or not look_up:
            return found
        row = self._vault.case_key(case_id)
        if row is None:
            return None
        if row[0] is None:
            with self._lock:
                self._erased.add(case_id)  # a rebuild meets every event of it: ask once
            raise CaseErasedError(case_id)
        return row[0]

    def preload(self) -> None:
        """Load every live case key now, in one query (a parallel rebuild's workers are
        forked after it: each then asks its key tables only for an erased case)."""
        if self._master is not None and self._wrapped is None:
            self._load_live_keys()

    def _load_live_keys(self) -> dict[UUID, bytes]:
        loaded = self._vault.live_case_keys()
        with self._lock:
            self._wrapped = loaded
        return loaded

    def forked(self) -> None:
        """In a process forked from this one: a new lock (another thread may have held
        the parent's at the fork) and new connections to the key tables."""
        self._lock = threading.Lock()
        self._vault.forked()

    def wrapped_case_key(self, case_id: UUID) -> bytes | None:
        """The case's wrapped data key as stored (None once destroyed or never made)."""
        row = self._vault.case_key(case_id)
        return None if row is None else row[0]

    def destroy(self, case_id: UUID) -> None:
        """Destroy the case's data key: its row keeps only the case id and the times."""
        with self._lock:
            self._aeads.pop(case_id, None)
            self._erased.add(case_id)
            if self._wrapped is not None:
                self._wrapped.pop(case_id, None)
        self._vault.destroy(case_id, self._now())

    def rotate(self, new_master_key: bytes) -> int:
        """Re-wrap every live data key and secret under ``new_master_key``, in one
        transaction; returns how many keys were re-wrapped."""
        old = self._master
        if old is None:
            raise MasterKeyError("this store has no master key to rotate")
        new = AESGCM(new_master_key)

        def change(label: str, wrapped: bytes) -> bytes:
            try:
                return wrap(new, unwrap(old, wrapped, label), label)
            except UnwrapError:
                raise MasterKeyError(
                    f"a stored key ({label}) does not open with the master key"
                ) from None

        count = self._vault.rewrap(change)
        with self._lock:
            self._master = new
            self._wrapped = None
        return count

    def close(self) -> None:
        """Dispose of the key tables' connections and forget the keys held in memory."""
        with self._lock:
            self._aeads.clear()
            self._wrapped = None
        self._vault.close()

"""Payload encryption (tietojen salaus): AES-GCM under a case's data key, bound to its row.

Every stored payload of an encrypted store is ``MARK + nonce (12 bytes) + AES-GCM
ciphertext and tag``, under the data key of its case (:mod:`perhetyo.persistence.keyring`).
The associated data binds the payload to its row: the case id, the version and the topic.
A payload moved to another row, case or topic fails to decrypt, and so does a single
changed byte: either is :class:`~perhetyo.errors.CorruptRecordError`, never content.

``CaseErased`` is sealed under the store's own erasure key instead, so that it stays
readable after the case's data key is destroyed; it holds no personal data beyond the
acting worker and the reason for erasing.

Keys are wrapped (:func:`wrap`, :func:`unwrap`) with AES-GCM under the master key, the
associated data naming what the key is for (a case id, or a store secret's name), so a
wrapped key cannot be moved to another case either. All cryptography is the
``cryptography`` package's; nothing here is a cipher of its own.
"""

from __future__ import annotations

import os
from typing import Final, Protocol
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from perhetyo.errors import CorruptRecordError
from perhetyo.events.privacy import CaseErased

__all__ = [
    "KEY_BYTES",
    "MARK",
    "STORE_KEY_TOPICS",
    "DataKeys",
    "MissingKeyError",
    "PayloadCipher",
    "UnwrapError",
    "associated_data",
    "unwrap",
    "wrap",
]

KEY_BYTES: Final = 32
"""AES-256: every key (master, data, store secret) is 32 random bytes."""
MARK: Final = b"\xa5"
"""The first byte of an encrypted payload (a JSON payload begins with ``{``)."""
_NONCE_BYTES: Final = 12
_EVENT_CONTEXT: Final = b"perhetyo.event.v1\0"
_KEY_CONTEXT: Final = b"perhetyo.key.v1\0"
_KEPT_CASES: Final = 10_000

STORE_KEY_TOPICS: Final = frozenset({CaseErased.TOPIC})
"""Topics sealed under the store's erasure key, not the case's data key."""


class MissingKeyError(Exception):
    """A case has no data key that opens (a damaged or emptied key table)."""


class UnwrapError(Exception):
    """A wrapped key does not open with this master key (or its bytes were changed)."""


class DataKeys(Protocol):
    """Where the cipher finds its keys (the key ring)."""

    def case_aead(self, case_id: UUID, *, create: bool) -> AESGCM:
        """The AES-GCM of a case's data key (made when ``create`` and missing)."""
        ...

    def store_aead(self) -> AESGCM:
        """The AES-GCM of the store's erasure key."""
        ...


def associated_data(case_id: UUID, version: int, topic: str) -> bytes:
    """What binds a payload to its row: the case id, the version and the topic."""
    return _EVENT_CONTEXT + case_id.bytes + version.to_bytes(8, "big") + topic.encode()


def wrap(master: AESGCM, key: bytes, label: str) -> bytes:
    """``key`` encrypted under the master key, bound to ``label`` (a case id or a name)."""
    nonce = os.urandom(_NONCE_BYTES)
    return nonce + master.encrypt(nonce, key, _KEY_CONTEXT + label.encode())


def unwrap(master: AESGCM, wrapped: bytes, label: str) -> bytes:
    """The key ``wrap`` wrapped; :class:`UnwrapError` if the master key or label differs."""
    try:
        return master.decrypt(
            wrapped[:_NONCE_BYTES], wrapped[_NONCE_BYTES:], _KEY_CONTEXT + label.encode()
        )
    except InvalidTag:
        raise UnwrapError from None


class PayloadCipher:
    """Payload cipher (tietosisällön salain): seals and opens stored payloads.

    ``keys`` gives each case's data key (:class:`~perhetyo.persistence.keyring.KeyRing`,
    which alone keeps keys: a destroyed one is gone from every reader at once). The case's
    part of the associated data is kept after its first use: a command reads all of its
    case's events, so this is the hot path.
    """

    def __init__(self, keys: DataKeys) -> None:
        self.keys = keys
        self._prefixes: dict[UUID, bytes] = {}

    def _case(self, case_id: UUID, version: int, topic: str, *, create: bool) -> AESGCM:
        if topic in STORE_KEY_TOPICS:
            return self.keys.store_aead()
        try:
            return self.keys.case_aead(case_id, create=create)
        except MissingKeyError:
            raise CorruptRecordError(case_id, version, "its case has no data key") from None

    def _associated(self, case_id: UUID, version: int, topic: str) -> bytes:
        prefix = self._prefixes.get(case_id)
        if prefix is None:
            if len(self._prefixes) >= _KEPT_CASES:
                self._prefixes.clear()  # bounded: a rebuild passes every case once
            prefix = self._prefixes[case_id] = _EVENT_CONTEXT + case_id.bytes
        return prefix + version.to_bytes(8, "big") + topic.encode()

    def seal(self, case_id: UUID, version: int, topic: str, data: bytes) -> bytes:
        """The stored form of one payload."""
        aead = self._case(case_id, version, topic, create=True)
        nonce = os.urandom(_NONCE_BYTES)
        return MARK + nonce + aead.encrypt(nonce, data, self._associated(case_id, version, topic))

    def open(self, case_id: UUID, version: int, topic: str, data: bytes) -> bytes:
        """The payload a stored form holds; :class:`CorruptRecordError` if it was changed,
        moved or never encrypted; :class:`~perhetyo.errors.CaseErasedError` if the case's
        key is destroyed."""
        if data[:1] != MARK:
            raise CorruptRecordError(case_id, version, "it is not encrypted")
        aead = self._case(case_id, version, topic, create=False)
        try:
            return aead.decrypt(
                data[1 : 1 + _NONCE_BYTES],
                data[1 + _NONCE_BYTES :],
                self._associated(case_id, version, topic),
            )
        except InvalidTag:
            raise CorruptRecordError(case_id, version, "its encryption does not verify") from None

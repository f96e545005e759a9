"""Snapshots (tilannekuvat): a cache of a case's folded state, sealed like its events.

A snapshot holds what a fold made of a case's first ``version`` events (the decision
state, or the current plan), the chain head at that version, and the latest record time
and business date among those events (what a read as of a date or an instant needs to
know whether the snapshot is a prefix of what it folds). It is a cache: deleting every
snapshot changes nothing but speed.

Snapshots live in eventsourcing's snapshot table (its aggregate recorder for the purpose
``snapshots``: ``stored_snapshots`` on SQLite, ``<name>_snapshots`` on PostgreSQL, a list
in memory), one row per snapshot id and version. The decision state's snapshot id is the
case id; another fold's is ``uuid5(case id, kind)``. The row's topic names the kind and
the fold's schema version (``perhetyo.snapshot.state.s1``): a snapshot of another schema
is passed over by its topic, never decoded.

A row's state is ``tag (32 bytes) | body``. ``body`` is the JSON of the snapshot (its
metadata and the fold's dict), encrypted under the case's data key on an encrypted store
(the associated data binds it to the case, the version and the snapshot's topic, so it
cannot stand in for an event; an erased case's snapshots are unreadable with its key).
``tag`` is the chain's tag (:func:`~perhetyo.persistence.chain.tag_for`, HMAC under the
chain key, or plain SHA-256 without one) over the case, the topic, the version and the
body, checked before anything is decrypted or decoded: a changed byte makes the snapshot
unusable, and it is passed over (so is one that does not decode).

The loader (:mod:`perhetyo.loading`) continues the chain check from the snapshot's head:
it reads the events from the snapshot's version on, and uses the snapshot only when the
stored event at that version carries the snapshot's head.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final
from uuid import UUID, uuid5

import orjson
from eventsourcing.persistence import AggregateRecorder, StoredEvent

from perhetyo.errors import CorruptRecordError
from perhetyo.persistence.chain import GENESIS, TAG_SIZE, Chain, Head, tag_for
from perhetyo.persistence.cipher import PayloadCipher
from perhetyo.persistence.errors import AppendConflictError, storage_errors

__all__ = ["CANDIDATES", "Snapshot", "SnapshotStore", "snapshot_topic"]

logger = logging.getLogger("perhetyo")

CANDIDATES: Final = 3
"""How many of a case's newest snapshots of a kind a load tries before the first event."""


def snapshot_topic(kind: str, schema: int) -> str:
    """The topic of a snapshot row: its kind and its fold's schema version."""
    return f"perhetyo.snapshot.{kind}.s{schema}"


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Snapshot (tilannekuva): a fold of a case's first ``version`` events.

    ``recorded_until`` and ``occurred_until`` are the latest record time and the latest
    business date among those events; ``fold`` is the fold's own JSON-ready dict.
    """

    case_id: UUID
    kind: str
    version: int
    head: Head
    recorded_until: datetime
    occurred_until: date
    fold: dict[str, Any]


class SnapshotStore:
    """Snapshot store (tilannekuvavarasto): writes and finds sealed snapshots of cases."""

    def __init__(
        self, recorder: AggregateRecorder, chain: Chain, sealer: PayloadCipher | None
    ) -> None:
        self.recorder = recorder
        self.chain = chain  # shared with the event store (its key is set after start)
        self.sealer = sealer

    @staticmethod
    def snapshot_id(case_id: UUID, kind: str) -> UUID:
        """The row id of a case's snapshots of ``kind`` (the case id for the state)."""
        return case_id if kind == "state" else uuid5(case_id, kind)

    def save(self, snapshot: Snapshot, schema: int) -> bool:
        """Store ``snapshot``; False when one of that version exists already."""
        topic = snapshot_topic(snapshot.kind, schema)
        body = orjson.dumps(
            {
                "head": [snapshot.head.version, snapshot.head.tag.hex(), snapshot.head.strength],
                "recorded_until": snapshot.recorded_until.isoformat(),
                "occurred_until": snapshot.occurred_until.isoformat(),
                "fold": snapshot.fold,
            }
        )
        if self.sealer is not None:
            body = self.sealer.seal(snapshot.case_id, snapshot.version, topic, body)
        tag = self._tag(snapshot.case_id, topic, snapshot.version, body)
        row = StoredEvent(
            originator_id=self.snapshot_id(snapshot.case_id, snapshot.kind),
            originator_version=snapshot.version,
            topic=topic,
            state=tag + body,
        )
        try:
            with storage_errors():
                self.recorder.insert_events([row])
        except AppendConflictError:
            return False  # another load wrote this version first: the same fold
        return True

    def newest(
        self, case_id: UUID, kind: str, schema: int, *, lte: int | None = None
    ) -> Iterator[Snapshot]:
        """The case's newest snapshots of ``kind`` (versions up to ``lte``) that verify,
        newest first, at most :data:`CANDIDATES` rows looked at; others are passed over."""
        topic = snapshot_topic(kind, schema)
        with storage_errors():
            rows = list(
                self.recorder.select_events(
                    self.snapshot_id(case_id, kind), lte=lte, desc=True, limit=CANDIDATES
                )
            )
        for row in rows:
            if row.topic != topic:
                continue  # another schema version: never read
            snapshot = self._opened(case_id, kind, topic, row)
            if snapshot is not None:
                yield snapshot

    def _tag(self, case_id: UUID, topic: str, version: int, body: bytes) -> bytes:
        return tag_for(
            self.chain.key,
            GENESIS,
            case_id=case_id,
            topic=topic,
            version=version,
            body=body,
        )

    def _opened(self, case_id: UUID, kind: str, topic: str, row: StoredEvent) -> Snapshot | None:
        """The snapshot a row holds, or None (logged) when it does not verify or decode.

        A case whose data key was destroyed (erased) raises CaseErasedError."""
        version = row.originator_version
        stored_tag, body = row.state[:TAG_SIZE], row.state[TAG_SIZE:]
        try:
            if not hmac.compare_digest(self._tag(case_id, topic, version, body), stored_tag):
                raise ValueError("its tag does not verify")
            if self.sealer is not None:
                body = self.sealer.open(case_id, version, topic, body)
            data = orjson.loads(body)
            head_version, head_tag, strength = data["head"]
            head = Head(int(head_version), bytes.fromhex(head_tag), int(strength))
            if head.version != version:
                raise ValueError("its head is not at its version")
            fold = data["fold"]
            if not isinstance(fold, dict):
                raise TypeError("its fold is not an object")
            return Snapshot(
                case_id=case_id,
                kind=kind,
                version=version,
                head=head,
                recorded_until=datetime.fromisoformat(data["recorded_until"]),
                occurred_until=date.fromisoformat(data["occurred_until"]),
                fold=fold,
            )
        except (CorruptRecordError, ValueError, KeyError, TypeError):
            logger.warning(
                "a %s snapshot of case %s at version %d is unusable; passed over",
                kind,
                case_id,
                version,
            )
            return None

"""Event codec (tapahtumien koodaus): pydantic events to stored bytes and back.

- :class:`OrjsonTranscoder` turns a JSON-ready dict into bytes and back.
- :class:`PydanticMapper` turns a pydantic event into eventsourcing's ``StoredEvent`` and
  back: ``model_dump(mode="json")`` out, with ``class_version`` upcasting (``upcast_v1_v2``
  class methods on the event class) under the same topic on the way in. An event is
  validated once, when it is made; read back, it is rebuilt by the trusted decoder
  (:mod:`perhetyo.persistence.trusted`: types converted, our own output not re-checked),
  and only a payload that is not as we write it goes through ``model_validate``.

The tamper-evident chain (:mod:`perhetyo.persistence.chain`) wraps the stored bytes:
:meth:`PydanticMapper.to_stored_events` encodes a case's new events and then seals each
over the one before; decoding first drops the chain's header (the chain itself is checked
over a whole case before any event of it is decoded, see :meth:`PydanticMapper.verified`).

With a master key, ``sealer`` (:class:`~perhetyo.persistence.cipher.PayloadCipher`)
encrypts each JSON payload under its case's data key on the way out, and decrypts it
first on the way in (after the chain tag is checked, when there is one).

A stored event that cannot be read (damaged bytes, an unknown topic, a field that does
not validate) becomes :class:`~perhetyo.errors.CorruptRecordError` naming its case and
version, never its content (:func:`perhetyo.persistence.errors.decoded`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import Cipher, Compressor, Mapper, StoredEvent, Transcoder

from perhetyo.errors import CaseErasedError
from perhetyo.events import EVENT_CLASSES, CaseEvent
from perhetyo.persistence.chain import Chain, Head, body_of
from perhetyo.persistence.cipher import PayloadCipher
from perhetyo.persistence.errors import decoded
from perhetyo.persistence.trusted import JsonDecoder, decoder_for, json_decoder_for

__all__ = ["OrjsonTranscoder", "PydanticMapper"]

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

    ``registry`` maps topics to event classes (default: every registered perhetyo event);
    ``chain`` seals and verifies the stored bytes (default: unkeyed, plain SHA-256).
    """

    def __init__(
        self,
        transcoder: Transcoder,
        compressor: Compressor | None = None,
        cipher: Cipher | None = None,
        *,
        registry: Mapping[str, type[CaseEvent]] | None = None,
        chain: Chain | None = None,
        sealer: PayloadCipher | None = None,
    ) -> None:
        super().__init__(transcoder=transcoder, compressor=compressor, cipher=cipher)
        self.sealer = sealer  # encryption at rest: None on an unencrypted store
        self.registry: Mapping[str, type[CaseEvent]] = (
            EVENT_CLASSES if registry is None else registry
        )
        self.chain = chain or Chain()
        self._json = isinstance(transcoder, OrjsonTranscoder)  # JSON bytes: decoded at once
        self._from_json: dict[str, JsonDecoder] = {}  # each topic's decoder, once found

    # --- the chain's seam (persistence/chain.py): sealed after encoding, checked first ---

    def to_stored_events(self, events: Sequence[CaseEvent], head: Head) -> list[StoredEvent]:
        """Encode one case's new events, each sealed over the one before (``head`` first)."""
        return self.chain.seal_all(head, [self.to_stored_event(event) for event in events])

    def verified(
        self, case_id: UUID, stored: Sequence[StoredEvent], head: Head | None = None
    ) -> Head:
        """Check a case's stored events (from its first, or after an already verified
        ``head``) against the chain; their head, or TamperedRecordError."""
        return self.chain.verified(case_id, stored, head)

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        """Encode one event, unsealed; ``originator_id`` and ``originator_version`` are columns.

        Stores write through :meth:`to_stored_events`, which seals what this returns.
        """
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
        if self.sealer is not None:  # encryption at rest (persistence/cipher.py)
            data = self.sealer.seal(event.originator_id, event.originator_version, cls.TOPIC, data)
        return StoredEvent(
            originator_id=event.originator_id,
            originator_version=event.originator_version,
            topic=cls.TOPIC,
            state=data,
        )

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        """Decode one stored event, upcasting older class versions first.

        Damage of any kind raises :class:`~perhetyo.errors.CorruptRecordError`.
        """
        return decoded(
            stored_event.originator_id,
            stored_event.originator_version,
            lambda: self._decode(stored_event),
        )

    def to_domain_events(
        self, stored: Sequence[StoredEvent], *, skip_erased: bool = False
    ) -> list[CaseEvent]:
        """Decode stored events in order: as :meth:`to_domain_event` each; with
        ``skip_erased``, an erased case's events (their key destroyed: only an encrypted
        store erases) are left out rather than raising :class:`CaseErasedError`.

        On a store without encryption the common case takes one short loop: each event
        straight from its JSON bytes by its class's trusted decoder. Anything else (an
        encrypted payload, an unknown topic, a class that may need upcasting, a payload
        not as we write it) goes through :meth:`to_domain_event`, which decides and
        reports it as before.
        """
        if self.sealer is not None or self.cipher or self.compressor or not self._json:
            if not skip_erased:
                return [self.to_domain_event(event) for event in stored]
            readable: list[CaseEvent] = []
            for event in stored:
                try:
                    readable.append(self.to_domain_event(event))
                except CaseErasedError:
                    continue
            return readable
        decoders = self._from_json
        events: list[CaseEvent] = []
        append = events.append
        for event in stored:
            topic = event.topic
            decode = decoders.get(topic)
            if decode is None:
                cls = self.registry.get(topic)
                decode = json_decoder_for(cls) if cls is not None else None
                if decode is None:  # unknown topic, or upcasting: the full path
                    append(self.to_domain_event(event))
                    continue
                decoders[topic] = decode
            originator_id = event.originator_id
            if not isinstance(originator_id, UUID):
                originator_id = UUID(originator_id)
            body = body_of(event.state)
            try:
                decoded_event = decode(body, originator_id, event.originator_version)
            except ValueError:  # not as we write it: decoded and judged by the full path,
                decoded_event = None  # outside this handler (no context on its error)
            append(decoded_event if decoded_event is not None else self.to_domain_event(event))
        return events

    def _decode(self, stored_event: StoredEvent) -> CaseEvent:
        cls = self.registry[stored_event.topic]
        data = body_of(stored_event.state)  # the chain's header off (checked before)
        if self.sealer is not None:  # encryption at rest (persistence/cipher.py)
            data = self.sealer.open(
                _uuid(stored_event.originator_id),
                stored_event.originator_version,
                stored_event.topic,
                data,
            )
        if self.cipher:
            data = self.cipher.decrypt(data)
        if self.compressor:
            data = self.compressor.decompress(data)
        from_json = json_decoder_for(cls)
        if from_json is not None and self._json:
            try:  # the common case: straight from the JSON bytes, no dict in between
                fast: CaseEvent = from_json(
                    data, _uuid(stored_event.originator_id), stored_event.originator_version
                )
            except ValueError:
                pass  # not as we write it: decoded and judged below
            else:
                return fast
        state: dict[str, Any] = self.transcoder.decode(data)
        from_version = state.pop("class_version", 1)
        while from_version < cls.class_version:
            getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(state)
            from_version += 1
        state["originator_id"] = _uuid(stored_event.originator_id)
        state["originator_version"] = stored_event.originator_version
        try:
            event: CaseEvent = decoder_for(cls)(state)
        except ValueError:  # not as we write it: validated in full (what is corrupt raises)
            return cls.model_validate(state, context=_STORED_CONTEXT)
        return event


def _uuid(value: UUID | str) -> UUID:
    return value if isinstance(value, UUID) else UUID(value)

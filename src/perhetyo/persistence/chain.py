"""Tamper-evident chain (muuttumattomuusketju): each stored event sealed over the one before.

Every event written by this version is stored as::

    MAGIC (4 bytes) | format (1 byte) | tag (32 bytes) | body

where ``body`` is what the codec made (JSON, encrypted when a master key is configured)
and ``tag`` is, over the case's previous tag, its id, the event's topic and version and
the body (:func:`tag_for`):

- format 2: HMAC-SHA-256 under the store's chain key (a random store secret that the
  key ring keeps wrapped by the master key; this module never derives it);
- format 1: plain SHA-256, when no chain key is configured. Anyone with write access can
  recompute plain tags: they catch accidents and naive edits, not a deliberate forger.

The first chained event of a case chains from :data:`GENESIS`. Events without the prefix
(their state begins ``{"``: JSON written by a version before the chain) are *unchained*;
they may only come before a case's first chained event, and nothing proves them unedited.
Within a case the strength never drops (unchained, then plain, then keyed), versions run
1, 2, 3... without a gap, and every tag matches.

:class:`ChainWalk` checks a case's events in order and keeps the case's :class:`Head`.
After a broken event it accepts for the next one either the stored tag or the tag the
broken event should have had, so one edited event is reported at its own version only.

What the chain cannot see: the newest events of a case deleted (the chain stays valid up
to the new head: anchor heads outside the database and pass them as ``expected_heads``),
a whole case deleted, or an edit of events that predate the chain.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Protocol
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from perhetyo.errors import TamperedRecordError

__all__ = [
    "GENESIS",
    "HEADER_SIZE",
    "KEYED",
    "MAGIC",
    "PLAIN",
    "UNCHAINED",
    "Chain",
    "ChainFollower",
    "ChainWalk",
    "Head",
    "body_of",
    "seal",
    "stored_head",
    "tag_for",
    "verify_case",
]

MAGIC: Final = b"\x00PCH"
"""The first bytes of a chained event's state (JSON never begins with a NUL byte)."""
UNCHAINED: Final = 0
"""Strength of an event that predates the chain (no prefix)."""
PLAIN: Final = 1
"""Format (and strength) of a plain SHA-256 tag."""
KEYED: Final = 2
"""Format (and strength) of an HMAC-SHA-256 tag under the chain key."""
TAG_SIZE: Final = 32
HEADER_SIZE: Final = len(MAGIC) + 1 + TAG_SIZE
GENESIS: Final = bytes(TAG_SIZE)
"""The previous tag of a case's first chained event."""
_DOMAIN: Final = b"perhetyo.chain.v1\x00"
_LEGACY_START: Final = b'{"'
DEFAULT_REMEMBERED_EVENTS: Final = 20_000
"""Stored events whose bytes a :class:`Chain` keeps after checking them (a few MB)."""
_FORMAT_AT: Final = len(MAGIC)
_TAG_AT: Final = _FORMAT_AT + 1
_MALFORMED: Final = -1


def tag_for(
    key: bytes | None, previous: bytes, *, case_id: UUID, topic: str, version: int, body: bytes
) -> bytes:
    """The tag of one event: HMAC-SHA-256 under ``key``, or SHA-256 when ``key`` is None.

    Over: a domain label, ``previous``, the case id's 16 bytes, the version (8 bytes), the
    topic (its length in 4 bytes, then UTF-8) and ``body``.
    """
    return _tag(key, previous, case_id.bytes, topic, version, body)


_TOPICS: dict[str, bytes] = {}
"""Each topic as the tag hashes it (length, then UTF-8): topics are few."""


def _framed(topic: str) -> bytes:
    """The topic as the tag hashes it: its length in 4 bytes, then UTF-8."""
    framed = _TOPICS.get(topic)
    if framed is None:
        encoded = topic.encode()
        framed = _TOPICS.setdefault(topic, len(encoded).to_bytes(4, "big") + encoded)
    return framed


class _Mac(Protocol):
    def copy(self) -> _Mac: ...
    def update(self, data: bytes, /) -> None: ...
    def digest(self) -> bytes: ...


def _keyed(key: bytes) -> _Mac:
    """An HMAC-SHA-256 under ``key`` with nothing hashed yet, to be copied per tag.

    Where ``hmac`` runs on OpenSSL (CPython's usual build) this is OpenSSL's own HMAC
    object, whose copy, update and digest are C calls (``hmac.HMAC`` wraps each in
    Python: a third of a keyed tag's cost); otherwise ``hmac.HMAC`` itself. The same MAC
    either way (a test checks the tags against ``hmac.new``).
    """
    keyed = _KEYED.get(key)
    if keyed is None:
        if len(_KEYED) >= _MAX_KEYS:
            _KEYED.clear()
        mac = hmac.new(key, digestmod=hashlib.sha256)
        keyed = _KEYED.setdefault(key, getattr(mac, "_hmac", None) or mac)
    return keyed


def _tag(  # noqa: PLR0917 (the hot path: positional, no UUID or Head made per event)
    key: bytes | None, previous: bytes, case: bytes, topic: str, version: int, body: bytes
) -> bytes:
    message = b"".join(
        (_DOMAIN, previous, case, version.to_bytes(8, "big", signed=True), _framed(topic), body)
    )
    if key is None:
        return hashlib.sha256(message).digest()
    mac = _keyed(key).copy()  # the key's pads already hashed: half of a fresh HMAC's cost
    mac.update(message)
    return mac.digest()


_KEYED: dict[bytes, _Mac] = {}
"""An HMAC with each chain key set up and nothing hashed yet, copied per tag."""
_MAX_KEYS: Final = 8


def seal(key: bytes | None, previous: bytes, stored: StoredEvent) -> StoredEvent:
    """``stored`` with its state prefixed by the chain header over ``previous``."""
    case = _uuid(stored.originator_id).bytes
    tag = _tag(key, previous, case, stored.topic, stored.originator_version, stored.state)
    header = MAGIC + bytes((PLAIN if key is None else KEYED,)) + tag
    return StoredEvent(
        originator_id=stored.originator_id,
        originator_version=stored.originator_version,
        topic=stored.topic,
        state=header + stored.state,
    )


def body_of(state: bytes) -> bytes:
    """The codec's bytes of a stored state: the state without its chain header, if any."""
    if state[: len(MAGIC)] == MAGIC:
        return state[HEADER_SIZE:]
    return state


@dataclass(frozen=True, slots=True)
class Head:
    """A case's chain head (ketjun pää): its newest version and that event's tag.

    ``tag`` is empty while the newest event predates the chain; ``strength`` is the
    newest event's (0 unchained, 1 plain, 2 keyed). ``Head()`` is the head of no events.
    """

    version: int = 0
    tag: bytes = b""
    strength: int = UNCHAINED

    @property
    def previous_tag(self) -> bytes:
        """What the next event chains from: this tag, or :data:`GENESIS` before the chain."""
        return self.tag or GENESIS

    @property
    def shown(self) -> tuple[int, str]:
        """``(version, tag in hex)``, as reports and anchored head files give it."""
        return (self.version, self.tag.hex())


class ChainWalk:
    """One case's chain, walked event by event (ketjun tarkistus).

    ``step`` returns whether the event verifies; ``head`` is the newest event's stored
    head; ``tags_at`` the stored tag (hex) at each version asked for in ``watch``;
    ``unchained`` how many events predated the chain.
    """

    __slots__ = (
        "_accepted",
        "_case",
        "_head_strength",
        "_strength",
        "_tag_at_head",
        "_version",
        "case_id",
        "key",
        "tags_at",
        "unchained",
        "watch",
    )

    def __init__(
        self,
        case_id: UUID,
        key: bytes | None,
        head: Head | None = None,
        *,
        watch: frozenset[int] = frozenset(),
    ) -> None:
        head = head or Head()
        self.case_id = case_id
        self.key = key
        self.watch = watch
        self.tags_at: dict[int, str] = {}
        self.unchained = 0
        self._case = case_id.bytes
        self._version = head.version
        self._tag_at_head = head.tag
        self._head_strength = head.strength
        self._accepted: tuple[bytes, ...] = (head.previous_tag,)
        self._strength = head.strength

    @classmethod
    def after(cls, case_id: UUID, key: bytes | None, head: Head) -> ChainWalk:
        """A walk that continues from a known (already verified) head."""
        return cls(case_id, key, head)

    @property
    def head(self) -> Head:
        """The newest event's head, as stored."""
        return Head(self._version, self._tag_at_head, self._head_strength)

    def step(self, stored: StoredEvent) -> bool:
        """Check the next stored event of the case; True when it verifies."""
        version = stored.originator_version
        strength, stored_tag, body = _parse(stored.state)
        if strength == UNCHAINED:
            self.unchained += 1
            ok = self._strength == UNCHAINED  # only before the case's first chained event
        elif strength == _MALFORMED or strength < self._strength:
            ok = False  # an unknown prefix, or a weaker tag than the case had before
        elif strength == KEYED and self.key is None:
            ok = False  # a keyed tag cannot be checked without the chain key
        else:
            key = self.key if strength == KEYED else None
            case, topic = self._case, stored.topic
            ok = False
            for previous in self._accepted:  # one, unless the event before was broken
                if hmac.compare_digest(_tag(key, previous, case, topic, version, body), stored_tag):
                    ok = True
                    break
        ok = ok and version == self._version + 1
        if version in self.watch:
            self.tags_at[version] = stored_tag.hex()
        if ok:
            self._accepted = (stored_tag or GENESIS,)
            self._strength = strength
        else:
            self._after_failure(stored, strength, stored_tag, body)
        self._version = version
        self._tag_at_head = stored_tag
        self._head_strength = self._strength
        return ok

    def _after_failure(
        self, stored: StoredEvent, strength: int, stored_tag: bytes, body: bytes
    ) -> None:
        """The next event may follow what is stored here, or what should have been: the
        tag this event's bytes should carry at the case's strength (a stripped or weakened
        tag whose body is unchanged gives the original back)."""
        should = max(strength, self._strength)
        expected = b""
        if should in (PLAIN, KEYED) and not (should == KEYED and self.key is None):
            key = self.key if should == KEYED else None
            expected = _tag(
                key, self._accepted[0], self._case, stored.topic, stored.originator_version, body
            )
        raw = stored.state[len(MAGIC) + 1 : HEADER_SIZE]
        self._accepted = tuple(dict.fromkeys(t for t in (stored_tag, raw, expected, GENESIS) if t))


def _parse(state: bytes) -> tuple[int, bytes, bytes]:
    """(strength, stored tag, body); an unknown prefix is ``_MALFORMED`` (never verifies)."""
    if state[: len(MAGIC)] == MAGIC and len(state) >= HEADER_SIZE:
        fmt = state[len(MAGIC)]
        if fmt in (PLAIN, KEYED):
            return fmt, state[len(MAGIC) + 1 : HEADER_SIZE], state[HEADER_SIZE:]
    elif state[:2] == _LEGACY_START:
        return UNCHAINED, b"", state
    return _MALFORMED, b"", state


def verify_case(
    key: bytes | None, case_id: UUID, stored: Iterable[StoredEvent]
) -> tuple[Head, list[int]]:
    """Walk one case's stored events: its head and the versions that do not verify."""
    walk = ChainWalk(case_id, key)
    broken = [event.originator_version for event in stored if not walk.step(event)]
    return walk.head, broken


def _uuid(value: object) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


class Chain:
    """The store's chain (tallennusketju): seals new events and verifies stored ones.

    ``key`` is the chain key (``None``: plain SHA-256). The command path loads a case with
    :meth:`verified` (one read; it returns the head) and hands that head to :meth:`seal_all`
    when it saves, so sealing needs no read of its own.

    ``remember`` bounds the stored events whose exact bytes the chain keeps after checking
    a case from its first event (the least recently loaded cases are forgotten first; 0
    keeps none). A later load of the case whose first events are byte for byte what was
    checked (version, topic and state) computes tags only for the events after them: the
    same verdict, as a tag depends on nothing else (and the key, which is compared too).
    An edited byte makes the comparison fail and every tag is computed again.
    """

    def __init__(
        self, key: bytes | None = None, *, remember: int = DEFAULT_REMEMBERED_EVENTS
    ) -> None:
        if key is not None and len(key) < 16:
            # A programming error of whoever wires the key ring: never a user's input.
            raise ValueError("the chain key must be at least 16 bytes")
        self.key = key
        self.remember = remember
        self._checked: OrderedDict[UUID, _Checked] = OrderedDict()
        self._checked_events = 0
        self._lock = threading.Lock()

    @property
    def keyed(self) -> bool:
        """Whether tags are HMACs under a chain key (else plain SHA-256)."""
        return self.key is not None

    def seal_all(self, head: Head, stored: Sequence[StoredEvent]) -> list[StoredEvent]:
        """Seal a case's new events in order, the first over ``head``."""
        previous = head.previous_tag
        sealed = []
        for event in stored:
            sealed_event = seal(self.key, previous, event)
            previous = sealed_event.state[len(MAGIC) + 1 : HEADER_SIZE]
            sealed.append(sealed_event)
        return sealed

    def verified(
        self, case_id: UUID, stored: Sequence[StoredEvent], head: Head | None = None
    ) -> Head:
        """Check a case's stored events in order, from its first (or after ``head``, an
        already verified head); their head.

        The first event that does not verify raises :class:`TamperedRecordError`. The
        common case (every event chained, none weaker than the one before) is checked by
        one tight loop that computes each tag and compares it; anything else (an event
        that predates the chain, a weaker or malformed header, a mismatch) is walked again
        by :class:`ChainWalk`, which decides and names the broken version.
        """
        if head is None and self.remember > 0:
            known, known_head = self._known(case_id, stored)
            if known:
                fast = self._fast_head(case_id, stored[known:], known_head)
                if fast is not None:
                    self._keep(case_id, stored, fast)
                    return fast
        fast = self._fast_head(case_id, stored, head or Head())
        if fast is not None:
            if head is None and self.remember > 0:
                self._keep(case_id, stored, fast)
            return fast
        walk = ChainWalk(case_id, self.key, head)
        for event in stored:
            if not walk.step(event):
                raise TamperedRecordError(case_id, event.originator_version)
        return walk.head

    def _known(self, case_id: UUID, stored: Sequence[StoredEvent]) -> tuple[int, Head]:
        """How many of the first ``stored`` events are byte for byte what this chain last
        checked of the case from its first event (under the same key), and their head."""
        with self._lock:
            checked = self._checked.get(case_id)
            if checked is not None:
                self._checked.move_to_end(case_id)
        if checked is None or checked.key != self.key or len(stored) < len(checked.events):
            return 0, Head()
        count = len(checked.events)
        now = [(e.originator_version, e.topic, e.state) for e in stored[:count]]
        if now != checked.events:
            return 0, Head()
        return count, checked.head

    def _keep(self, case_id: UUID, stored: Sequence[StoredEvent], head: Head) -> None:
        """Remember what was checked of the case (from its first event), within bounds."""
        events = [(e.originator_version, e.topic, e.state) for e in stored]
        with self._lock:
            old = self._checked.pop(case_id, None)
            if old is not None:
                self._checked_events -= len(old.events)
            if len(events) > self.remember:
                return
            self._checked[case_id] = _Checked(self.key, events, head)
            self._checked_events += len(events)
            while self._checked_events > self.remember:
                _, dropped = self._checked.popitem(last=False)
                self._checked_events -= len(dropped.events)

    def _fast_head(self, case_id: UUID, stored: Sequence[StoredEvent], head: Head) -> Head | None:
        """The head when every event is chained and verifies (the same verdict as
        :class:`ChainWalk`'s on such events); None when the walk must decide.

        :func:`_tag` inlined: this runs once per event of every load."""
        key, prefix = self.key, _DOMAIN
        keyed = None if key is None else _keyed(key)
        case, sha256, join = case_id.bytes, hashlib.sha256, b"".join
        previous, version, strength = head.previous_tag, head.version, head.strength
        compare, topics = hmac.compare_digest, _TOPICS
        for event in stored:
            state = event.state
            if state[:_FORMAT_AT] != MAGIC or len(state) < HEADER_SIZE:
                return None  # unchained or malformed: the walk decides
            fmt = state[_FORMAT_AT]
            version += 1
            if event.originator_version != version or fmt < strength:
                return None
            topic = event.topic
            message = join(
                (
                    prefix,
                    previous,
                    case,
                    version.to_bytes(8, "big", signed=True),
                    topics.get(topic) or _framed(topic),
                    state[HEADER_SIZE:],
                )
            )
            if fmt == PLAIN:
                computed = sha256(message).digest()
            elif fmt == KEYED and keyed is not None:
                mac = keyed.copy()
                mac.update(message)
                computed = mac.digest()
            else:
                return None  # an unknown format, or a keyed tag without the key
            stored_tag = state[_TAG_AT:HEADER_SIZE]
            if not compare(computed, stored_tag):
                return None
            previous, strength = stored_tag, fmt
        if version == head.version:
            return head
        return Head(version, previous, strength)


@dataclass(frozen=True, slots=True)
class _Checked:
    """What a chain checked of one case from its first event: each event's version, topic
    and state, in order, under ``key``, and the head they make."""

    key: bytes | None
    events: list[tuple[int, str, bytes]]
    head: Head


def stored_head(stored: StoredEvent | None) -> Head:
    """The head a stored event makes, as stored (not checked): ``Head()`` for None."""
    if stored is None:
        return Head()
    strength, tag, _ = _parse(stored.state)
    return Head(stored.originator_version, tag, max(strength, UNCHAINED))


PreviousEvent = Callable[[UUID, int], StoredEvent | None]
"""``previous(case_id, version)``: the case's newest stored event before ``version``."""

DEFAULT_FOLLOWED_CASES: Final = 50_000


class ChainFollower:
    """Chain follower (ketjun seuraaja): checks the notification log as a runner folds it.

    The log interleaves cases, so the follower keeps each case's head (a bounded cache,
    ``maxsize`` cases). On a miss it asks ``previous`` for the event before (one read per
    missed case; a rebuild from the first event never misses while the cache holds every
    case). :meth:`check` raises :class:`TamperedRecordError` at the first break; the heads
    it returns are remembered only when the caller's batch commits (:meth:`remember`).
    """

    def __init__(
        self, chain: Chain, previous: PreviousEvent, *, maxsize: int = DEFAULT_FOLLOWED_CASES
    ) -> None:
        self.chain = chain
        self.previous = previous
        self.maxsize = maxsize
        self._heads: OrderedDict[UUID, Head] = OrderedDict()

    def check(self, stored: Iterable[StoredEvent]) -> dict[UUID, Head]:
        """Check a batch of the log, in order; the touched cases' new heads."""
        walks: dict[UUID, ChainWalk] = {}
        for event in stored:
            case_id = _uuid(event.originator_id)
            walk = walks.get(case_id)
            if walk is None:
                version = event.originator_version
                head = self._heads.get(case_id)
                if version == 1:
                    head = Head()  # a case's first event follows nothing: no read
                elif head is None or head.version != version - 1:
                    head = stored_head(self.previous(case_id, version))
                walk = walks[case_id] = ChainWalk.after(case_id, self.chain.key, head)
            if not walk.step(event):
                raise TamperedRecordError(case_id, event.originator_version)
        return {case_id: walk.head for case_id, walk in walks.items()}

    def remember(self, heads: Mapping[UUID, Head]) -> None:
        """Keep the heads of a committed batch."""
        for case_id, head in heads.items():
            self._heads[case_id] = head
            self._heads.move_to_end(case_id)
        while len(self._heads) > self.maxsize:
            self._heads.popitem(last=False)

    def forget(self) -> None:
        """Drop every remembered head."""
        self._heads.clear()

"""Integrity check (eheystarkistus): the whole store, or one case, against the chain.

:func:`verify_store` walks the notification log (all cases, interleaved) or one case's
events, one :class:`~perhetyo.persistence.chain.ChainWalk` per case, and reports every
event that fails its check. The newest events of a case can be deleted without breaking
its chain, so heads anchored outside the database (``expected_heads``, as an earlier
report's ``heads`` gave them) are checked too: a case whose stored head is behind its
anchored head, or whose event at the anchored version has another tag, is broken at the
anchored version. :func:`heads_json` and :func:`heads_from_json` write and read the
anchored heads as a small JSON file (ids, versions and tags only).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final
from uuid import UUID

import orjson
from eventsourcing.persistence import ApplicationRecorder

from perhetyo.errors import CaseNotFoundError, ConfigurationError
from perhetyo.persistence.chain import Chain, ChainWalk

__all__ = [
    "HEADS_FORMAT",
    "IntegrityReport",
    "heads_from_json",
    "heads_json",
    "verify_store",
]

HEADS_FORMAT: Final = "perhetyo.heads.v1"
"""The ``format`` of an anchored-heads file."""
_PAGE: Final = 1_000

Heads = Mapping[UUID, tuple[int, str]]


@dataclass(frozen=True)
class IntegrityReport:
    """Integrity report (eheysraportti): what ``verify_integrity`` checked and found.

    ``heads`` maps each case to ``(version, tag hex)`` of its newest event (the tag is
    empty when that event predates the chain); ``unchained_events`` counts the events that
    predate the chain (nothing proves them unedited); ``broken`` lists ``(case_id,
    version)`` of every event that fails its check, and of every anchored head the store
    no longer matches (named by the anchored version). ``keyed`` says whether the tags
    were checked as HMACs under the chain key (else plain SHA-256). No personal data.
    """

    cases_checked: int
    events_checked: int
    unchained_events: int
    heads: Mapping[UUID, tuple[int, str]]
    broken: list[tuple[UUID, int]]
    keyed: bool = False

    @property
    def ok(self) -> bool:
        """True when nothing is broken."""
        return not self.broken


def verify_store(
    recorder: ApplicationRecorder,
    chain: Chain,
    case_id: UUID | None = None,
    *,
    expected_heads: Heads | None = None,
) -> IntegrityReport:
    """Check every case (or ``case_id`` only) against the chain and the anchored heads.

    One pass over the notification log, a page at a time; memory grows with the number of
    cases (one small walk each), never with the number of events.
    """
    expected = dict(expected_heads or {})
    if case_id is not None:
        expected = {key: value for key, value in expected.items() if key == case_id}
    walks: dict[UUID, ChainWalk] = {}
    broken: list[tuple[UUID, int]] = []
    events = 0

    def walk_of(originator_id: UUID) -> ChainWalk:
        walk = walks.get(originator_id)
        if walk is None:
            anchored = expected.get(originator_id)
            watch = frozenset() if anchored is None else frozenset({anchored[0]})
            walk = walks[originator_id] = ChainWalk(originator_id, chain.key, watch=watch)
        return walk

    if case_id is not None:
        stored = recorder.select_events(case_id)
        if not stored and case_id not in expected:
            raise CaseNotFoundError(case_id)
        for event in stored:
            events += 1
            if not walk_of(case_id).step(event):
                broken.append((case_id, event.originator_version))
    else:
        position = 0
        while page := recorder.select_notifications(
            start=position, limit=_PAGE, inclusive_of_start=False
        ):
            for event in page:
                originator_id = _uuid(event.originator_id)
                events += 1
                if not walk_of(originator_id).step(event):
                    broken.append((originator_id, event.originator_version))
            position = page[-1].id
    for anchored_id, (version, tag) in expected.items():
        walk = walks.get(anchored_id)
        if walk is None or walk.head.version < version or walk.tags_at.get(version) != tag:
            broken.append((anchored_id, version))
    return IntegrityReport(
        cases_checked=len(walks),
        events_checked=events,
        unchained_events=sum(walk.unchained for walk in walks.values()),
        heads={key: walk.head.shown for key, walk in walks.items()},
        broken=sorted(set(broken), key=lambda item: (str(item[0]), item[1])),
        keyed=chain.keyed,
    )


def heads_json(heads: Heads) -> bytes:
    """Anchored heads as a JSON file's bytes (ids, versions and tags only)."""
    return orjson.dumps(
        {
            "format": HEADS_FORMAT,
            "heads": {str(key): [version, tag] for key, (version, tag) in heads.items()},
        },
        option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS,
    )


def heads_from_json(data: bytes) -> dict[UUID, tuple[int, str]]:
    """Anchored heads from a file :func:`heads_json` wrote; anything else is refused."""
    try:
        document: Any = orjson.loads(data)
        if document.get("format") != HEADS_FORMAT:
            raise ValueError
        heads: dict[UUID, tuple[int, str]] = {}
        for key, (version, tag) in document["heads"].items():
            if type(version) is not int or version < 1 or not isinstance(tag, str):
                raise ValueError
            bytes.fromhex(tag)
            heads[UUID(key)] = (version, tag)
    except (ValueError, TypeError, AttributeError, KeyError):
        raise ConfigurationError(f"not a {HEADS_FORMAT} file of anchored heads") from None
    return heads


def _uuid(value: object) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))

"""The chain's functions (muuttumattomuusketju): sealing, checking, the heads file.

The keyed path is tested here by passing a key to the chain's functions directly (the key
ring that supplies the store's chain key is another module's).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

import orjson
import pytest
from eventsourcing.persistence import StoredEvent

from perhetyo import ConfigurationError, FamilyCases, MeetingKind, TamperedRecordError
from perhetyo.persistence.chain import (
    GENESIS,
    HEADER_SIZE,
    KEYED,
    MAGIC,
    PLAIN,
    Chain,
    ChainFollower,
    Head,
    body_of,
    seal,
    verify_case,
)
from perhetyo.persistence.integrity import heads_from_json, heads_json
from perhetyo.testing import FakeClock, an_actor, open_sample_case

KEY = bytes(range(32))
TOPIC = "perhetyo.GoalSet.v1"


def _bodies(case_id: UUID, count: int, start: int = 1) -> list[StoredEvent]:
    return [
        StoredEvent(case_id, version, TOPIC, orjson.dumps({"n": version}))
        for version in range(start, start + count)
    ]


@pytest.mark.parametrize("key", [None, KEY], ids=["plain", "keyed"])
def test_a_sealed_history_verifies_and_its_head_is_the_newest_tag(key: bytes | None) -> None:
    case_id = uuid4()
    stored = Chain(key).seal_all(Head(), _bodies(case_id, 4))

    head, broken = verify_case(key, case_id, stored)

    assert broken == []
    assert head.version == 4
    assert head.tag == stored[-1].state[len(MAGIC) + 1 : HEADER_SIZE]
    assert stored[0].state[len(MAGIC)] == (PLAIN if key is None else KEYED)
    assert [body_of(event.state) for event in stored] == [b'{"n":%d}' % n for n in range(1, 5)]


def test_a_keyed_tag_fails_under_another_key_and_without_one() -> None:
    case_id = uuid4()
    stored = Chain(KEY).seal_all(Head(), _bodies(case_id, 2))

    assert verify_case(bytes(32), case_id, stored)[1] == [1, 2]
    assert verify_case(None, case_id, stored)[1] == [1, 2]


def test_sealing_continues_from_a_head_and_the_first_tag_chains_from_genesis() -> None:
    case_id = uuid4()
    chain = Chain(KEY)
    first = chain.seal_all(Head(), _bodies(case_id, 2))
    head = chain.verified(case_id, first)
    more = chain.seal_all(head, _bodies(case_id, 2, start=3))

    assert chain.verified(case_id, [*first, *more]).version == 4
    assert seal(KEY, GENESIS, _bodies(case_id, 1)[0]).state == first[0].state


def _with_state(event: StoredEvent, state: bytes) -> StoredEvent:
    return StoredEvent(event.originator_id, event.originator_version, event.topic, state)


@pytest.mark.parametrize(
    ("damage", "broken"),
    [
        pytest.param(lambda s: s[:1] + s[2:], [3], id="a-deleted-middle-event"),
        pytest.param(
            lambda s: [s[0], _with_state(s[1], s[2].state), _with_state(s[2], s[1].state), s[3]],
            [2, 3, 4],
            id="two-events-bytes-swapped",
        ),
        pytest.param(
            lambda s: [
                s[0],
                StoredEvent(s[1].originator_id, 2, s[1].topic, body_of(s[1].state)),
                *s[2:],
            ],
            [2],
            id="a-tag-stripped-after-the-chain-began",
        ),
        pytest.param(
            lambda s: [
                s[0],
                seal(
                    None,
                    s[0].state[5:HEADER_SIZE],
                    StoredEvent(s[1].originator_id, 2, s[1].topic, body_of(s[1].state) + b" "),
                ),
                *s[2:],
            ],
            [2, 3],  # the edit took the original tag with it: the next event cannot follow
            id="an-edit-resealed-with-a-plain-tag-in-a-keyed-case",
        ),
    ],
)
def test_edits_that_keep_every_byte_readable_are_caught(damage: object, broken: list[int]) -> None:
    case_id = uuid4()
    stored = Chain(KEY).seal_all(Head(), _bodies(case_id, 4))

    found = verify_case(KEY, case_id, damage(stored))  # type: ignore[operator]

    assert found[1] == broken


def test_an_event_copied_from_another_case_is_caught() -> None:
    one, other = uuid4(), uuid4()
    chain = Chain(None)
    copied = chain.seal_all(Head(), _bodies(other, 1))[0]
    mine = chain.seal_all(Head(), _bodies(one, 1))

    assert verify_case(None, one, mine)[1] == []
    assert verify_case(None, one, [StoredEvent(one, 1, TOPIC, copied.state)])[1] == [1]


def test_events_from_before_the_chain_may_only_come_first() -> None:
    case_id = uuid4()
    old = _bodies(case_id, 2)  # unchained, as release 0.1 stored them
    chain = Chain(None)
    new = chain.seal_all(chain.verified(case_id, old), _bodies(case_id, 2, start=3))

    head, broken = verify_case(None, case_id, [*old, *new])
    assert (head.version, broken) == (4, [])
    assert chain.verified(case_id, old) == Head(2, b"", 0)
    with pytest.raises(TamperedRecordError) as raised:
        chain.verified(case_id, [*old, new[0], _bodies(case_id, 1, start=4)[0]])
    assert (raised.value.case_id, raised.value.version) == (case_id, 4)


def test_a_short_chain_key_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 16 bytes"):
        Chain(b"short")


def test_heads_files_round_trip_and_anything_else_is_refused() -> None:
    heads = {uuid4(): (3, "ab" * 32), uuid4(): (6, "")}

    assert heads_from_json(heads_json(heads)) == heads
    for bad in (
        b"[]",
        b"{}",
        b"not json",
        b'{"format": "perhetyo.heads.v1", "heads": {"x": [1, ""]}}',
        b'{"format": "perhetyo.heads.v1", "heads": {"' + str(uuid4()).encode() + b'": [0, "zz"]}}',
    ):
        with pytest.raises(ConfigurationError):
            heads_from_json(bad)


@pytest.mark.parametrize("key", [None, KEY], ids=["plain", "keyed"])
def test_a_command_reads_the_store_once_and_seals_over_the_head_it_loaded(
    key: bytes | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FamilyCases("memory://", clock=FakeClock(), chain_key=key) as cases:
        case_id = open_sample_case(cases)
        recorder = cases._store.recorder
        reads: list[UUID] = []
        select_events = recorder.select_events

        def counted(originator_id: UUID, **kwargs: Any) -> Any:
            reads.append(originator_id)
            return select_events(originator_id, **kwargs)

        monkeypatch.setattr(recorder, "select_events", counted)
        for day in (1, 2, 3):
            cases.record_meeting(
                case_id,
                kind=MeetingKind.HOME_VISIT,
                held_on=date(2020, 9, day),
                summary="Kotikäynti",
                actor=an_actor(),
            )

        assert reads == [case_id] * 3  # one read per command: the load, chain and all
        report = cases.verify_integrity()
        assert report.ok
        assert report.keyed is (key is not None)
        assert report.heads[case_id][0] == 4


def test_the_runners_follower_checks_batches_and_reads_the_event_before_on_a_miss() -> None:
    one, two = uuid4(), uuid4()
    chain = Chain(KEY)
    log = {case_id: chain.seal_all(Head(), _bodies(case_id, 4)) for case_id in (one, two)}
    asked: list[tuple[UUID, int]] = []

    def previous(case_id: UUID, version: int) -> StoredEvent | None:
        asked.append((case_id, version))
        return log[case_id][version - 2] if version > 1 else None

    follower = ChainFollower(chain, previous, maxsize=1)
    first = follower.check([log[one][0], log[two][0], log[one][1]])
    follower.remember(first)  # keeps one case's head only (maxsize 1)
    follower.remember({})
    assert asked == []
    assert follower.check([log[one][2], log[two][1]])[two].version == 2
    assert asked == [(one, 3)]  # one's head was dropped from the cache; two's was kept

    edited = _with_state(log[two][3], log[two][3].state[:-1] + b" ")
    with pytest.raises(TamperedRecordError) as raised:
        ChainFollower(chain, previous).check([edited])  # a miss, then the check
    assert (raised.value.case_id, raised.value.version) == (two, 4)

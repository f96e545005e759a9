"""The load's fast paths (nopea lataus): the same verdicts and events as the full paths.

:meth:`Chain.verified` checks the common case (every event chained, none weaker) in one
tight loop and leaves everything else to :class:`ChainWalk`; :meth:`PydanticMapper.
to_domain_events` decodes a case's events by their trusted decoders in one loop and leaves
everything else to :meth:`PydanticMapper.to_domain_event`. Both must agree with the full
paths on every kind of history: unchained events first, plain then keyed tags, a start
after a known head, an edited byte, an unknown topic.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path
from uuid import UUID, uuid4

import orjson
import pytest
from eventsourcing.persistence import StoredEvent

from perhetyo import Actor, FamilyCases, MeetingKind, TamperedRecordError
from perhetyo.errors import CorruptRecordError
from perhetyo.persistence.chain import GENESIS, HEADER_SIZE, Chain, Head, tag_for, verify_case
from perhetyo.testing import FakeClock, an_actor, open_sample_case

from .test_codec import UPCAST_TOPIC, UpcastedV2, _all_events, _mapper

KEY = bytes(range(32))
TOPIC = "perhetyo.GoalSet.v1"


def _bodies(case_id: UUID, start: int, count: int) -> list[StoredEvent]:
    return [
        StoredEvent(case_id, version, TOPIC, orjson.dumps({"n": version}))
        for version in range(start, start + count)
    ]


def _mixed(case_id: UUID) -> list[StoredEvent]:
    """Two unchained events, two plain, two keyed: a store that gained a chain, then a key."""
    unchained = _bodies(case_id, 1, 2)
    plain = Chain().seal_all(Head(2, b"", 0), _bodies(case_id, 3, 2))
    head = verify_case(None, case_id, unchained + plain)[0]
    return unchained + plain + Chain(KEY).seal_all(head, _bodies(case_id, 5, 2))


def _edited(stored: StoredEvent) -> StoredEvent:
    state = bytearray(stored.state)
    state[HEADER_SIZE + 2] ^= 1
    return StoredEvent(stored.originator_id, stored.originator_version, stored.topic, bytes(state))


@pytest.mark.parametrize("key", [None, KEY], ids=["plain", "keyed"])
def test_a_chained_history_gives_the_walks_head_from_the_first_event_and_after_a_head(
    key: bytes | None,
) -> None:
    case_id = uuid4()
    stored = Chain(key).seal_all(Head(), _bodies(case_id, 1, 6))
    chain = Chain(key)

    assert chain.verified(case_id, stored) == verify_case(key, case_id, stored)[0]
    middle = verify_case(key, case_id, stored[:3])[0]
    assert chain.verified(case_id, stored[3:], middle) == verify_case(key, case_id, stored)[0]
    assert chain.verified(case_id, [], middle) == middle


def test_a_history_that_gained_a_chain_and_then_a_key_verifies_as_the_walk_says() -> None:
    case_id = uuid4()
    stored = _mixed(case_id)

    assert Chain(KEY).verified(case_id, stored) == verify_case(KEY, case_id, stored)[0]
    with pytest.raises(TamperedRecordError) as raised:  # keyed tags cannot be checked
        Chain(None).verified(case_id, stored)
    assert raised.value.version == 5


@pytest.mark.parametrize("index", range(4))
def test_an_edited_event_is_refused_at_its_own_version_from_the_start_or_after_a_head(
    index: int,
) -> None:
    case_id = uuid4()
    stored = Chain(KEY).seal_all(Head(), _bodies(case_id, 1, 4))
    stored[index] = _edited(stored[index])
    chain = Chain(KEY)

    with pytest.raises(TamperedRecordError) as raised:
        chain.verified(case_id, stored)
    assert raised.value.version == index + 1
    if index:
        head = verify_case(KEY, case_id, stored[:1])[0]
        with pytest.raises(TamperedRecordError) as after:
            chain.verified(case_id, stored[1:], head)
        assert after.value.version == index + 1


def test_a_gap_in_the_versions_is_refused() -> None:
    case_id = uuid4()
    stored = Chain().seal_all(Head(), _bodies(case_id, 1, 3))

    with pytest.raises(TamperedRecordError) as raised:
        Chain().verified(case_id, [stored[0], stored[2]])
    assert raised.value.version == 3


def test_every_kind_of_event_decodes_in_one_batch_as_one_by_one(actor: Actor) -> None:
    events = _all_events(actor)
    mapper = _mapper()
    stored = [mapper.to_stored_event(event) for event in events]

    assert mapper.to_domain_events(stored) == [mapper.to_domain_event(s) for s in stored]
    assert mapper.to_domain_events(stored) == events


def test_a_batch_with_an_unknown_topic_or_damaged_bytes_is_refused_as_one_by_one() -> None:
    with FamilyCases("memory://", clock=FakeClock()) as cases:
        case_id = open_sample_case(cases)
        stored = list(cases._store.recorder.select_events(case_id))
        mapper = cases._store.mapper
    first = stored[0]
    unknown = StoredEvent(first.originator_id, 1, "perhetyo.Nothing.v1", first.state)
    damaged = StoredEvent(first.originator_id, 1, first.topic, first.state[:-3])

    for bad in (unknown, damaged):
        with pytest.raises(CorruptRecordError) as raised:
            mapper.to_domain_events([bad, *stored[1:]])
        assert (raised.value.case_id, raised.value.version) == (case_id, 1)
        assert raised.value.__context__ is None  # pydantic's and orjson's errors quote content


def test_json_of_an_older_class_version_is_upcast_even_when_it_has_the_new_fields(
    actor: Actor,
) -> None:
    case_id = uuid4()
    state = {
        "timestamp": "2020-12-31T10:00:00Z",
        "actor": actor.model_dump(mode="json"),
        "noted_on": "2020-09-01",
        "note": "Muistiinpano",
        "priority": 7,
    }
    mapper = _mapper(registry={UPCAST_TOPIC: UpcastedV2})

    def stored(class_version: int | None) -> StoredEvent:
        body = state if class_version is None else {**state, "class_version": class_version}
        return StoredEvent(case_id, 1, UPCAST_TOPIC, orjson.dumps(body))

    for version, priority in ((None, 3), (1, 3), (2, 7)):  # the upcast sets priority 3
        for events in (
            mapper.to_domain_events([stored(version)]),
            [mapper.to_domain_event(stored(version))],
        ):
            (event,) = events
            assert isinstance(event, UpcastedV2)
            assert (event.priority, event.timestamp) == (
                priority,
                datetime(2020, 12, 31, 10, tzinfo=UTC),
            )
            assert "class_version" not in event.model_fields_set


@pytest.mark.parametrize("key", [None, KEY], ids=["plain", "keyed"])
def test_a_tag_is_the_documented_hash_of_the_documented_message(key: bytes | None) -> None:
    case_id, body = uuid4(), b'{"n":1}'
    topic = TOPIC.encode()
    message = b"".join(
        (
            b"perhetyo.chain.v1\x00",
            GENESIS,
            case_id.bytes,
            (3).to_bytes(8, "big"),
            len(topic).to_bytes(4, "big"),
            topic,
            body,
        )
    )
    expected = (
        hashlib.sha256(message).digest()
        if key is None
        else hmac.new(key, message, hashlib.sha256).digest()
    )

    for _ in range(2):  # the second time from the cached MAC
        assert tag_for(key, GENESIS, case_id=case_id, topic=TOPIC, version=3, body=body) == expected


@pytest.mark.parametrize("key", [None, KEY], ids=["plain", "keyed"])
def test_a_store_that_checked_a_case_still_refuses_an_edit_made_under_it(
    tmp_path: Path, key: bytes | None
) -> None:
    me = an_actor()
    database = tmp_path / "cases.db"
    with FamilyCases(f"sqlite:///{database}", clock=FakeClock(), chain_key=key) as cases:
        case_id = open_sample_case(cases)
        cases.record_meeting(
            case_id, kind=MeetingKind.NETWORK, held_on=date(2020, 9, 1), summary="Q-1", actor=me
        )
        cases.record_meeting(  # the case is now checked and remembered, and loaded again
            case_id, kind=MeetingKind.NETWORK, held_on=date(2020, 9, 1), summary="Q-2", actor=me
        )
        version = len(cases.history(case_id, actor=me)) - 1  # the first meeting
        with contextlib.closing(sqlite3.connect(database)) as db, db:
            where = "WHERE originator_id = ? AND originator_version = ?"
            (state,) = db.execute(
                f"SELECT state FROM stored_events {where}", (case_id.hex, version)
            ).fetchone()
            edited = state.replace(b"Q-1", b"Q-9")
            db.execute(
                f"UPDATE stored_events SET state = ? {where}", (edited, case_id.hex, version)
            )

        for read in (
            lambda: cases.record_meeting(
                case_id,
                kind=MeetingKind.HOME_VISIT,
                held_on=date(2020, 9, 2),
                summary="K",
                actor=me,
            ),
            lambda: cases.history(case_id, actor=me),
        ):
            with pytest.raises(TamperedRecordError) as raised:
                read()
            assert (raised.value.case_id, raised.value.version) == (case_id, version)


def test_what_a_chain_remembers_is_bounded_and_the_least_recent_case_goes_first() -> None:
    chain = Chain(remember=10)
    first, second, third = uuid4(), uuid4(), uuid4()
    stored = {case: chain.seal_all(Head(), _bodies(case, 1, 4)) for case in (first, second, third)}
    for case in (first, second, first, third):
        chain.verified(case, stored[case])

    assert list(chain._checked) == [first, third]  # second was the least recently loaded
    assert chain._checked_events == 8
    chain.verified(second, chain.seal_all(Head(), _bodies(second, 1, 11)))  # more than 10
    assert list(chain._checked) == [first, third]

"""Event codec (tapahtumien koodaus): PydanticMapper + OrjsonTranscoder, and upcasting."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar, cast
from uuid import UUID, uuid4

import orjson
import pytest
from eventsourcing.compressor import ZlibCompressor
from eventsourcing.persistence import StoredEvent

from perhetyo import Actor, CaseEvent, FamilyCases, GoalSet, generate_key
from perhetyo.errors import CorruptRecordError
from perhetyo.events import EVENT_CLASSES
from perhetyo.persistence import OrjsonTranscoder, PydanticMapper
from perhetyo.testing import FakeClock, open_sample_case
from perhetyo.values import BusinessDate

from .helpers import history, record_every_kind_of_event

UPCAST_TOPIC = "tests.Upcasted.v1"


class UpcastedV1(CaseEvent):
    """The first schema of a test event: a note only."""

    TOPIC: ClassVar[str] = UPCAST_TOPIC
    LABEL_FI: ClassVar[str] = "Testi"
    LABEL_EN: ClassVar[str] = "Test"
    DATE_FIELD: ClassVar[str] = "noted_on"
    REGISTERED: ClassVar[bool] = False

    noted_on: BusinessDate
    note: str


class UpcastedV2(CaseEvent):
    """The second schema of the same event: a priority was added."""

    TOPIC: ClassVar[str] = UPCAST_TOPIC
    LABEL_FI: ClassVar[str] = "Testi"
    LABEL_EN: ClassVar[str] = "Test"
    DATE_FIELD: ClassVar[str] = "noted_on"
    REGISTERED: ClassVar[bool] = False
    class_version: ClassVar[int] = 2

    noted_on: BusinessDate
    note: str
    priority: int

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """Events stored before priorities existed had the normal priority, 3."""
        state["priority"] = 3


def _mapper(**kwargs: Any) -> PydanticMapper:
    return PydanticMapper(transcoder=OrjsonTranscoder(), **kwargs)


def _all_events(actor: Actor) -> list[CaseEvent]:
    """One event of every kind: a closed case's history, then its erasure (read back
    through the store's own mapper: an erased case's history is no longer readable)."""
    with FamilyCases(url="memory://", clock=FakeClock(), master_key=generate_key()) as cases:
        case_id = open_sample_case(cases)
        record_every_kind_of_event(cases, case_id, actor)
        events = history(cases, case_id)
        cases.erase_case(case_id, reason="retention ended", actor=actor)
        stored = cases._store.recorder.select_events(case_id)[-1]
        return [*events, cast(CaseEvent, cases._store.mapper.to_domain_event(stored))]


def _perhetyo_classes() -> dict[str, type[CaseEvent]]:
    return {topic: cls for topic, cls in EVENT_CLASSES.items() if topic.startswith("perhetyo.")}


def test_the_sample_history_holds_every_registered_event_class(actor: Actor) -> None:
    assert {type(event) for event in _all_events(actor)} == set(_perhetyo_classes().values())


@pytest.mark.parametrize("compressed", [False, True], ids=["plain", "zlib"])
def test_every_event_round_trips_equal_with_its_own_topic(actor: Actor, compressed: bool) -> None:
    mapper = _mapper(compressor=ZlibCompressor()) if compressed else _mapper()

    for event in _all_events(actor):
        stored = mapper.to_stored_event(event)

        assert stored.topic == type(event).TOPIC
        assert stored.originator_id == event.originator_id
        assert stored.originator_version == event.originator_version
        assert mapper.to_domain_event(stored) == event


def test_a_freshly_made_event_round_trips_with_its_dates_and_aware_timestamp(
    actor: Actor,
) -> None:
    event = GoalSet(
        originator_id=uuid4(),
        originator_version=2,
        timestamp=datetime(2020, 12, 31, 10, 0, 0, 123456, tzinfo=UTC),
        actor=actor,
        goal_id=uuid4(),
        description="Tavoite ääkkösin",
        set_on=date(2020, 9, 1),
        target_date=date(2021, 6, 1),
    )
    mapper = _mapper()

    stored = mapper.to_stored_event(event)
    state = orjson.loads(stored.state)
    back = mapper.to_domain_event(stored)

    assert back == event
    assert back.timestamp.utcoffset() is not None
    assert state["set_on"] == "2020-09-01"
    assert "originator_id" not in state
    assert "class_version" not in state  # version 1 is implied


def test_an_unknown_topic_is_a_corrupt_record_named_by_case_and_version() -> None:
    case_id = uuid4()
    stored = StoredEvent(
        originator_id=case_id, originator_version=1, topic="perhetyo.Nothing.v1", state=b"{}"
    )

    with pytest.raises(CorruptRecordError) as raised:
        _mapper().to_domain_event(stored)

    assert raised.value.case_id == case_id
    assert raised.value.version == 1


def _v1_event(actor: Actor, case_id: UUID) -> UpcastedV1:
    return UpcastedV1(
        originator_id=case_id,
        originator_version=1,
        timestamp=datetime(2020, 12, 31, 10, 0, tzinfo=UTC),
        actor=actor,
        noted_on=date(2020, 9, 1),
        note="Muistiinpano",
    )


def test_an_event_stored_as_version_one_is_upcast_when_read_as_version_two(
    actor: Actor,
) -> None:
    case_id = uuid4()
    stored = _mapper(registry={UPCAST_TOPIC: UpcastedV1}).to_stored_event(_v1_event(actor, case_id))

    event = _mapper(registry={UPCAST_TOPIC: UpcastedV2}).to_domain_event(stored)

    assert isinstance(event, UpcastedV2)
    assert event.priority == 3
    assert event.note == "Muistiinpano"
    assert event.noted_on == date(2020, 9, 1)
    assert event.occurred_on == date(2020, 9, 1)
    assert event.originator_id == case_id
    assert stored.topic == UPCAST_TOPIC


def test_a_version_two_event_carries_its_class_version_and_reads_back_as_is(
    actor: Actor,
) -> None:
    event = UpcastedV2(
        originator_id=uuid4(),
        originator_version=4,
        timestamp=datetime(2020, 12, 31, 10, 0, tzinfo=UTC),
        actor=actor,
        noted_on=date(2020, 9, 1),
        note="Muistiinpano",
        priority=1,
    )
    mapper = _mapper(registry={UPCAST_TOPIC: UpcastedV2})

    stored = mapper.to_stored_event(event)

    assert orjson.loads(stored.state)["class_version"] == 2
    assert stored.topic == UPCAST_TOPIC
    back = mapper.to_domain_event(stored)
    assert back == event
    assert back.priority == 1  # not overwritten by the upcaster


def test_test_only_event_classes_stay_out_of_the_registry() -> None:
    assert EVENT_CLASSES.get(UPCAST_TOPIC) is None


def test_the_default_registry_is_every_registered_event() -> None:
    assert _mapper().registry is EVENT_CLASSES


def test_the_transcoder_round_trips_json_ready_values() -> None:
    transcoder = OrjsonTranscoder()
    value = {"a": [1, 2.5, None, True], "b": "ääkkönen", "c": {"d": "2020-09-01"}}

    assert transcoder.decode(transcoder.encode(value)) == value
    assert isinstance(transcoder.encode(value), bytes)

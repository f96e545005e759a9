"""The event codec keeps every event as it was (PydanticMapper + OrjsonTranscoder).

Events built directly (any text, any date) and events recorded through the commands both
come back from their stored form equal to what went in, with or without compression.
"""

from __future__ import annotations

import inspect

import orjson
from eventsourcing.compressor import ZlibCompressor
from hypothesis import given
from hypothesis import strategies as st

import perhetyo.events
from perhetyo import CaseEvent, FamilyCases
from perhetyo.persistence import OrjsonTranscoder, PydanticMapper
from perhetyo.testing import CommandSequence, FakeClock, an_actor, command_sequences
from strategies import event_classes_with_strategies, events

PLAIN = PydanticMapper(transcoder=OrjsonTranscoder())
COMPRESSED = PydanticMapper(transcoder=OrjsonTranscoder(), compressor=ZlibCompressor())


def test_the_event_strategy_covers_every_event_class_of_the_catalogue() -> None:
    catalogue = {
        cls
        for _, cls in inspect.getmembers(perhetyo.events, inspect.isclass)
        if issubclass(cls, CaseEvent) and cls is not CaseEvent
    }
    assert event_classes_with_strategies() == catalogue


@given(event=events(), compressed=st.booleans())
def test_any_event_round_trips_through_the_codec_unchanged(
    event: CaseEvent, compressed: bool
) -> None:
    mapper = COMPRESSED if compressed else PLAIN
    stored = mapper.to_stored_event(event)
    assert stored.topic == type(event).TOPIC
    assert stored.originator_id == event.originator_id
    assert stored.originator_version == event.originator_version
    decoded = mapper.to_domain_event(stored)
    assert type(decoded) is type(event)
    assert decoded == event
    assert decoded.occurred_on == event.occurred_on
    # Stored a second time, the decoded event gives the same bytes: nothing drifts.
    assert mapper.to_stored_event(decoded).state == stored.state


@given(event=events())
def test_the_stored_payload_is_json_without_the_columns(event: CaseEvent) -> None:
    payload = orjson.loads(PLAIN.to_stored_event(event).state)
    assert "originator_id" not in payload
    assert "originator_version" not in payload
    assert payload.pop("class_version", 1) == type(event).class_version  # stored from v2 on
    assert set(payload) == set(type(event).model_fields) - {"originator_id", "originator_version"}


@given(sequence=command_sequences(max_size=12))
def test_every_event_a_command_records_round_trips_through_the_codec(
    sequence: CommandSequence,
) -> None:
    with FamilyCases("memory://", clock=FakeClock()) as cases:
        case_id = sequence.run(cases)[sequence.case_id]
        history = cases.history(case_id, actor=an_actor())
    assert len(history) == len(sequence.commands) + 1
    for event in history:
        assert PLAIN.to_domain_event(PLAIN.to_stored_event(event)) == event
        assert COMPRESSED.to_domain_event(COMPRESSED.to_stored_event(event)) == event

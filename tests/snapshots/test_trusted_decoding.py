"""Stored events decode to the same events with the trusted decoder as with pydantic."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import orjson
import pytest
from hypothesis import given
from pydantic import ValidationError

from perhetyo import FamilyCases
from perhetyo.events import CaseEvent
from perhetyo.persistence.chain import body_of
from perhetyo.persistence.trusted import decoder_for, json_decoder_for
from perhetyo.testing import CommandSequence, FakeClock, an_actor, command_sequences

READER = an_actor("reader-1")


def _states(cases: FamilyCases, case_id: UUID) -> list[tuple[type[CaseEvent], dict[str, Any]]]:
    """Each stored event's class and JSON dict (and, checked on the way, the event decoded
    by the store's mapper, straight from the JSON where it can, equals the validated one)."""
    store = cases._store
    found = []
    for stored in store.recorder.select_events(case_id):
        cls = store.mapper.registry[stored.topic]
        body = body_of(stored.state)
        state = orjson.loads(body)
        from_version = state.pop("class_version", 1)
        state["originator_id"] = str(stored.originator_id)
        state["originator_version"] = stored.originator_version
        if from_version == cls.class_version:
            validated = cls.model_validate(dict(state), context={"stored": True})
            decoded = store.mapper.to_domain_event(stored)
            assert decoded == validated
            assert decoded.model_fields_set == validated.model_fields_set
            from_json = json_decoder_for(cls)
            if from_json is not None:
                assert from_json(body, stored.originator_id, stored.originator_version) == (
                    validated
                )
        found.append((cls, state))
    return found


@given(sequence=command_sequences(max_size=30))
def test_trusted_decoding_equals_validation(sequence: CommandSequence) -> None:
    clock = FakeClock()
    with FamilyCases("memory://", clock=clock) as cases:
        case_id = sequence.run(cases, clock=clock)[sequence.case_id]
        for cls, state in _states(cases, case_id):
            decode = decoder_for(cls)
            trusted = decode(dict(state))
            validated = cls.model_validate(dict(state), context={"stored": True})
            assert trusted == validated
            assert trusted.model_dump(mode="json") == validated.model_dump(mode="json")
            assert trusted.model_fields_set == validated.model_fields_set


def test_a_payload_not_as_we_write_it_is_refused_by_the_trusted_decoder() -> None:
    clock = FakeClock()
    with FamilyCases("memory://", clock=clock) as cases:
        from perhetyo.testing import open_sample_case  # noqa: PLC0415

        case_id = open_sample_case(cases)
        ((cls, state),) = _states(cases, case_id)
    decode = decoder_for(cls)
    for damaged in (
        {**state, "surprise": 1},
        {**state, "opened_on": "2020-08-12 x"},
        {**state, "actor": {**state["actor"], "surprise": 1}},
        {key: value for key, value in state.items() if key != "opened_on"},
        {**state, "originator_id": "not-a-uuid"},
    ):
        with pytest.raises(ValidationError):
            decode(damaged)


def test_every_kind_of_event_decodes_the_same_both_ways() -> None:
    from perhetyo.testing import open_sample_case  # noqa: PLC0415
    from unit.helpers import (  # noqa: PLC0415
        record_every_kind_of_event,
        record_the_record_keeping_events,
    )
    from unit.statutory_helpers import record_every_statutory_event  # noqa: PLC0415

    actor = an_actor()
    with FamilyCases("memory://", clock=FakeClock()) as cases:
        statutory = open_sample_case(cases)
        record_every_statutory_event(cases, statutory, actor)
        closed = open_sample_case(cases)
        record_every_kind_of_event(cases, closed, actor)
        record_the_record_keeping_events(cases, closed, actor)
        kinds = set()
        for case_id in (statutory, closed):
            for cls, state in _states(cases, case_id):
                decode = decoder_for(cls)
                assert decode(dict(state)) == cls.model_validate(state, context={"stored": True})
                kinds.add(cls)
        assert len(kinds) > 20

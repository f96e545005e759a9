"""The tamper-evident chain over random histories (muuttumattomuusketju, ominaisuustesti).

Random histories of several cases run through the real command path on the in-memory
store, with and without a chain key: every stored history verifies, each case's reported
head is its newest event; then one random byte of one random stored event is flipped and
the chain names exactly that (case, version), both over the whole log and on reading the
case.
"""

from __future__ import annotations

from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent
from eventsourcing.popo import POPOApplicationRecorder
from hypothesis import given
from hypothesis import strategies as st

from perhetyo import FamilyCases, TamperedRecordError
from perhetyo.persistence.chain import Chain
from perhetyo.persistence.integrity import verify_store
from perhetyo.testing import FakeClock
from projections.histories import Histories, histories

KEYS = st.none() | st.binary(min_size=32, max_size=32)


def _as_uuid(value: object) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


@given(drawn=histories(), key=KEYS, data=st.data())
def test_every_history_verifies_and_one_flipped_byte_is_caught_at_its_event(
    drawn: Histories, key: bytes | None, data: st.DataObject
) -> None:
    clock = FakeClock()
    with FamilyCases("memory://", clock=clock, chain_key=key) as cases:
        case_ids = drawn.run(cases, clock)
        report = cases.verify_integrity()
        log = list(cases._store.recorder.select_notifications(start=0, limit=10_000))

    assert report.ok, report.broken
    assert report.unchained_events == 0
    assert report.cases_checked == len(set(case_ids))
    assert report.events_checked == len(log)
    newest = {_as_uuid(n.originator_id): n.originator_version for n in log}
    assert {case: head[0] for case, head in report.heads.items()} == newest

    index = data.draw(st.integers(0, len(log) - 1), label="event")
    target = log[index]
    offset = data.draw(st.integers(0, len(target.state) - 1), label="byte")
    flip = data.draw(st.integers(1, 255), label="xor")
    state = bytearray(target.state)
    state[offset] ^= flip
    tampered = [
        StoredEvent(n.originator_id, n.originator_version, n.topic, bytes(state))
        if i == index
        else StoredEvent(n.originator_id, n.originator_version, n.topic, n.state)
        for i, n in enumerate(log)
    ]
    recorder = POPOApplicationRecorder()
    recorder.insert_events(tampered)
    case_id, version = _as_uuid(target.originator_id), target.originator_version
    chain = Chain(key)

    found = verify_store(recorder, chain)

    assert found.broken == [(case_id, version)]
    with pytest.raises(TamperedRecordError) as raised:
        chain.verified(case_id, recorder.select_events(case_id))
    assert (raised.value.case_id, raised.value.version) == (case_id, version)

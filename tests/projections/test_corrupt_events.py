"""A damaged stored event stops the runner with CorruptRecordError, naming no content (defect 10).

The runner lets the codec's error through as it is, leaves its position before the bad
batch, and the other cases' reads, live and stored, keep working. The damaged bytes are
sealed again (plain SHA-256 over the genesis tag: the case's first event), so the chain
passes and the codec's own check is what stops the runner; an edit that is not sealed
again is the chain's to catch (tests/integration/test_tamper_evidence.py).
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import traceback
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from eventsourcing.persistence import StoredEvent

from perhetyo import CorruptRecordError, FamilyCases, LegalBasis, PersonRef
from perhetyo.persistence.chain import GENESIS, body_of, seal
from perhetyo.testing import a_worker, an_actor, open_sample_case

_MARKER = "SECRETNAME"


def _damage_by_replacing(old: bytes, new: bytes) -> bytes:
    return old.replace(b'"birth_date":"2012-05-01"', new)


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(
            lambda state: _damage_by_replacing(
                state, f'"birth_date":"2012-05-01 {_MARKER}"'.encode()
            ),
            id="a-date-that-does-not-validate",
        ),
        pytest.param(lambda state: state[: len(state) // 2], id="bytes-that-are-not-json"),
    ],
)
def test_a_corrupt_event_stops_the_runner_before_its_batch_and_names_no_content(
    tmp_path: Path, damage: Callable[[bytes], bytes], caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "cases.db"
    with FamilyCases(f"sqlite:///{path}", batch_size=2) as cases:
        healthy = [open_sample_case(cases) for _ in range(3)]  # notifications 1-3
        damaged = cases.open_case(  # notification 4
            children=[PersonRef(id="child-9", display_name=_MARKER, birth_date=date(2012, 5, 1))],
            legal_basis=LegalBasis.SOCIAL_WELFARE_ACT,
            named_worker=a_worker(),
            opened_on=date(2020, 8, 12),
            actor=an_actor(),
        )
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        (state, topic) = db.execute(
            "SELECT state, topic FROM stored_events WHERE rowid = 4"
        ).fetchone()
        assert _MARKER.encode() in state
        resealed = seal(
            None,
            GENESIS,
            StoredEvent(
                originator_id=damaged,
                originator_version=1,
                topic=topic,
                state=damage(body_of(state)),
            ),
        )
        db.execute("UPDATE stored_events SET state = ? WHERE rowid = 4", (resealed.state,))

    caplog.set_level(logging.DEBUG, logger="perhetyo")
    with FamilyCases(f"sqlite:///{path}", batch_size=2) as cases:
        for _ in range(2):  # and again: the runner does not skip it
            with pytest.raises(CorruptRecordError) as raised:
                cases.update_projections()
            error = raised.value
            assert type(error) is CorruptRecordError
            assert (error.case_id, error.version) == (damaged, 1)
            told = "".join(traceback.format_exception(error))
            assert _MARKER not in told
            assert "2012-05-01" not in told
            status = cases.projection_status()[0]
            assert status.position == 2  # the batch of notifications 3-4 was not applied

        me = an_actor()
        for case_id in healthy:
            assert cases.current_plan(case_id, actor=me).case_id == case_id
        views = cases.stored_views
        assert [views.current_plan(case_id) is not None for case_id in healthy] == [
            True,
            True,
            False,
        ]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2  # each failed update, once, by its code and the case id
    assert all("[corrupt_record]" in w and str(damaged) in w for w in warnings)
    assert _MARKER not in caplog.text
    assert all(_MARKER not in str(record.args) for record in caplog.records)

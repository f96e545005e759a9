"""Tracking positions are 64-bit, like notification ids (defect 11)."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from datetime import date
from pathlib import Path
from uuid import UUID, uuid4

import psycopg
import pytest
from eventsourcing.persistence import StoredEvent, Tracking
from psycopg import sql

from perhetyo import FamilyCases, MeetingKind
from perhetyo.persistence import settings_for_url
from perhetyo.persistence.chain import GENESIS, body_of, seal
from perhetyo.testing import an_actor, open_sample_case
from projections.histories import assert_stored_equals_live

BEYOND_32_BITS = 2**31 + 10


def _libpq(url: str) -> str:
    return url.split("?", maxsplit=1)[0].replace("postgresql+psycopg://", "postgresql://")


def _copy_an_opening_beyond_32_bits(path: Path) -> UUID:
    """Copy the first stored event as another case's opening, at notification id 2^31 + 10:
    the events recorded after it get ids beyond 32 bits. Returns the new case's id.

    The copy is sealed again for its new case (a copied row fails the chain otherwise)."""
    case_id = uuid4()
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        topic, state = db.execute(
            "SELECT topic, state FROM stored_events WHERE rowid = 1"
        ).fetchone()
        copy = seal(None, GENESIS, StoredEvent(case_id, 1, topic, body_of(state)))
        db.execute(
            "INSERT INTO stored_events (rowid, originator_id, originator_version, topic, state) "
            "VALUES (?, ?, 1, ?, ?)",
            (BEYOND_32_BITS, case_id.hex, topic, copy.state),  # UUIDs are kept as hex text
        )
    return case_id


def _move_the_sequence_beyond_32_bits(url: str) -> None:
    schema = settings_for_url(url).schema_or_public
    with psycopg.connect(_libpq(url), autocommit=True) as conn:
        conn.execute(
            sql.SQL("SELECT setval(pg_get_serial_sequence({}, 'notification_id'), %s)").format(
                sql.Literal(f"{schema}.familycases_events")
            ),
            (BEYOND_32_BITS,),
        )


def test_positions_beyond_32_bits_are_stored_and_read_back(shared_store_url: str) -> None:
    me = an_actor()
    with FamilyCases(shared_store_url) as cases:
        case_ids = [open_sample_case(cases)]
        if shared_store_url.startswith("sqlite"):
            path = Path(shared_store_url.removeprefix("sqlite:///"))
            case_ids.append(_copy_an_opening_beyond_32_bits(path))
        else:
            _move_the_sequence_beyond_32_bits(shared_store_url)
        case_ids.append(open_sample_case(cases))
        cases.record_meeting(
            case_ids[-1], kind=MeetingKind.NETWORK, held_on=date(2020, 9, 1),
            summary="Verkostopalaveri", actor=me,
        )
        events = sum(len(cases.history(case_id, actor=me)) for case_id in case_ids)

        assert cases.update_projections() == events
        status = cases.projection_status()[0]
        assert status.position == status.head > BEYOND_32_BITS
        assert_stored_equals_live(cases, case_ids)

        recorder = cases.stored_views.tracking_recorder("a-view-of-our-own")
        recorder.insert_tracking(Tracking("FamilyCases", 2**40 + 1))
        assert recorder.max_tracking_id("FamilyCases") == 2**40 + 1


@pytest.mark.postgres
def test_a_32_bit_position_column_is_widened_to_bigint_at_start_up(
    postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    FamilyCases(postgres_url).close()  # creates the schema and the event table
    schema = settings_for_url(postgres_url).schema_or_public

    def column_type(conn: psycopg.Connection[tuple[object, ...]]) -> object:
        row = conn.execute(
            "SELECT data_type FROM information_schema.columns WHERE table_schema = %s "
            "AND table_name = 'perhetyo_tracking' AND column_name = 'notification_id'",
            (schema,),
        ).fetchone()
        return None if row is None else row[0]

    with psycopg.connect(_libpq(postgres_url), autocommit=True) as conn:
        conn.execute(
            sql.SQL(
                "CREATE TABLE {}.perhetyo_tracking (view_name VARCHAR(100) NOT NULL, "
                "application_name VARCHAR(100) NOT NULL, notification_id INTEGER NOT NULL, "
                "PRIMARY KEY (view_name, application_name))"
            ).format(sql.Identifier(schema))
        )
        conn.execute(
            sql.SQL("INSERT INTO {}.perhetyo_tracking VALUES ('live', 'FamilyCases', 7)").format(
                sql.Identifier(schema)
            )
        )
        assert column_type(conn) == "integer"

    caplog.set_level(logging.INFO, logger="perhetyo.projections")
    with FamilyCases(postgres_url) as cases:
        assert cases.projection_status()[0].position == 7  # the row is kept
    with psycopg.connect(_libpq(postgres_url), autocommit=True) as conn:
        assert column_type(conn) == "bigint"
    assert [r.getMessage() for r in caplog.records if "widened" in r.getMessage()] == [
        "widened perhetyo_tracking.notification_id from integer to bigint"
    ]

    caplog.clear()
    with FamilyCases(postgres_url) as cases:
        cases.projection_status()
    assert not [r for r in caplog.records if "widened" in r.getMessage()]  # once only

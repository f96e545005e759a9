"""Columns added after release 0.1 (lisätyt sarakkeet) reach tables an older version made.

``disclosure_bans`` (perhetyo_cases) and ``corrects_version`` (perhetyo_audit_entries) are
nullable; a store whose tables lack them gets them at its next start, its old rows read as
"no bans" and "corrects nothing", and the new events fill them.
"""

from __future__ import annotations

import contextlib
import sqlite3
from datetime import date

import psycopg
from psycopg import sql

from perhetyo import FamilyCases
from perhetyo.testing import FakeClock, an_actor, open_sample_case

from .histories import assert_stored_equals_live

_ADDED = (("perhetyo_cases", "disclosure_bans"), ("perhetyo_audit_entries", "corrects_version"))


def _drop_the_added_columns(url: str) -> None:
    """Make the tables look like an older version's (without the added columns)."""
    if url.startswith("sqlite"):
        with contextlib.closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as db, db:
            for table, column in _ADDED:
                db.execute(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')
        return
    schema = url.rsplit("schema=", 1)[1]
    conninfo = url.split("?", maxsplit=1)[0].replace("+psycopg", "")
    with psycopg.connect(conninfo, autocommit=True) as conn:
        for table, column in _ADDED:
            conn.execute(
                sql.SQL("ALTER TABLE {}.{} DROP COLUMN {}").format(
                    sql.Identifier(schema), sql.Identifier(table), sql.Identifier(column)
                )
            )


def test_tables_made_before_the_added_columns_get_them_and_stay_equal_to_live(
    shared_store_url: str,
) -> None:
    with FamilyCases(shared_store_url, clock=FakeClock()) as cases:
        case_id = open_sample_case(cases)
        cases.update_projections()
    _drop_the_added_columns(shared_store_url)

    with FamilyCases(shared_store_url, clock=FakeClock()) as cases:
        assert cases.stored_views.current_plan(case_id) == cases.current_plan(
            case_id, actor=an_actor()
        )
        cases.record_disclosure_ban(
            case_id,
            child_id="child-1",
            banned_person_ids=["guardian-1"],
            decided_on=date(2020, 12, 1),
            reason="Pyyntö",
            actor=an_actor(),
        )
        cases.correct_entry(case_id, version=1, correction="x", reason="y", actor=an_actor())
        cases.update_projections()

        assert_stored_equals_live(cases, [case_id])
        assert cases.stored_views.audit_trail(case_id)[-1].corrects_version == 1

"""Read-back (tilan luku riveistä): the DB-API reader gives what SQLAlchemy's column types give.

On SQLite a cache miss reads rows through the DB-API's cursor and converts each value
itself (:class:`~perhetyo.projections.sql.readback.RowReader`); every value of every table
must come back as SQLAlchemy's own reading gives it, the same value of the same type (a
boolean, not the 0 or 1 SQLite stores; a date, not its text).
"""

from __future__ import annotations

import random
from datetime import date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import select

from perhetyo import FamilyCases
from perhetyo.projections.sql.readback import RowReader, StateReader
from perhetyo.testing import FakeClock
from projections.histories import READER, grow


def _typed(row: Any) -> tuple[tuple[type, Any], ...]:
    return tuple((type(value), value) for value in row)


@pytest.mark.parametrize("seed", [5, 6])
def test_the_db_api_reader_reads_every_table_as_sqlalchemy_does(tmp_path: Path, seed: int) -> None:
    clock = FakeClock()
    case_ids: list[UUID] = []
    with FamilyCases(f"sqlite:///{tmp_path / 'cases.db'}", clock=clock) as cases:
        grow(cases, clock, random.Random(seed), case_ids, 150, new_case_weight=0.2)
        assert cases.update_projections() > 0
        views = cases.stored_views
        reader = RowReader(views.engine)
        assert reader.direct
        keys = [str(case_id) for case_id in case_ids]
        seen: set[type] = set()
        with views.reading() as conn:
            for table in views.tables.all:
                ours = sorted(map(_typed, reader.select(conn, table, keys)), key=repr)
                theirs = sorted(
                    map(_typed, conn.execute(select(table).where(table.c.case_id.in_(keys)))),
                    key=repr,
                )
                assert ours == theirs, table.name
                seen.update(kind for row in ours for kind, _ in row)
            # The states read back equal the live folds' plans.
            states = StateReader(views.engine, views.tables).read(conn, case_ids)
        for case_id in case_ids:
            assert states[case_id].plan == cases.current_plan(case_id, actor=READER)
    # Every kind of converted value was met: booleans, dates, datetimes and JSON.
    assert {bool, date, datetime, list} <= seen

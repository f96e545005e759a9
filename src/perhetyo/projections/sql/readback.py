"""Read-back (tilan luku riveistä): a case's folded state read back from its own rows.

The projection runner keeps a bounded cache of case states; a case it does not hold (a
cache miss) is read back from the rows it wrote, for all the batch's missing cases at once
in one query per table: the plan from its rows, and of the goal updates only their count
per goal.

On SQLite the rows are read through the DB-API's own cursor (:class:`RowReader`), each
value converted as SQLAlchemy's column type would; elsewhere through SQLAlchemy Core.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

import orjson
from sqlalchemy import (
    JSON,
    BindParameter,
    Boolean,
    Connection,
    Date,
    DateTime,
    Engine,
    Select,
    Table,
    bindparam,
    func,
    select,
)

from perhetyo.projections import current_plan
from perhetyo.projections.current_plan import CurrentPlan
from perhetyo.projections.sql.rows import plan_from_rows, sqlite_connection
from perhetyo.projections.sql.schema import ViewTables
from perhetyo.projections.sql.statutory_rows import StatutoryRows

__all__ = ["INITIAL", "CaseState", "RowReader", "StateReader"]


@dataclass(frozen=True, slots=True)
class CaseState:
    """Case state (asian tila näkymissä): one case's folded state, as the stored views
    need it to fold the next events: its ``CurrentPlan`` and, per goal, how many timeline
    points (goal-update rows) it has.

    The goal-update rows are only ever added (or all removed by an erasure), so the next
    point's ``seq`` is all the runner needs of a goal's past timeline: a cache miss reads
    back the counts, never the rows.
    """

    plan: CurrentPlan | None
    updates: Mapping[int, int]
    """Per goal (its id's ``int``: cheaper to hash than a UUID), its timeline points."""


INITIAL = CaseState(current_plan.initial(), {})
"""The state of a case with no rows yet."""


class StateReader:
    """State reader (tilan lukija): cases' states read back from one generation of tables."""

    def __init__(self, engine: Engine, tables: ViewTables) -> None:
        self.tables = tables
        self._rows = RowReader(engine)
        u = tables.goal_updates
        keys: BindParameter[list[str]] = bindparam("keys", expanding=True)
        self._count_updates = (
            select(u.c.case_id, u.c.goal_id, func.count())
            .where(u.c.case_id.in_(keys))
            .group_by(u.c.case_id, u.c.goal_id)
        )

    def read(self, conn: Connection, case_ids: list[UUID]) -> dict[UUID, CaseState]:
        """The states of ``case_ids`` (:data:`INITIAL` for a case with no rows)."""
        if not case_ids:
            return {}
        keys = [str(case_id) for case_id in case_ids]
        t, rows = self.tables, self._rows
        cases = {row.case_id: row for row in rows.select(conn, t.cases, keys)}
        goals = _group(rows.select(conn, t.goals, keys))
        services = _group(rows.select(conn, t.services, keys))
        counted: dict[str, dict[int, int]] = {}
        for case_key, goal_key, count in conn.execute(self._count_updates, {"keys": keys}):
            counted.setdefault(case_key, {})[UUID(goal_key).int] = count
        decisions, memberships, contents, cancelled = (
            _group(rows.select(conn, table, keys)) for table in t.statutory
        )
        matters = _group(rows.select(conn, t.matters, keys))
        states: dict[UUID, CaseState] = {}
        for case_id, key in zip(case_ids, keys, strict=True):
            row = cases.get(key)
            if row is None:
                states[case_id] = INITIAL
                continue
            case_goals = goals.get(key, [])
            statutory = StatutoryRows(
                decisions.get(key, []),
                memberships.get(key, []),
                contents.get(key, []),
                cancelled.get(key, []),
            )
            updates = {UUID(goal.goal_id).int: 0 for goal in case_goals}
            updates.update(counted.get(key, {}))
            states[case_id] = CaseState(
                plan_from_rows(
                    row, case_goals, services.get(key, []), statutory, matters.get(key, [])
                ),
                updates,
            )
        return states


def _group(rows: Iterable[Any]) -> dict[str, list[Any]]:
    grouped: dict[str, list[Any]] = {}
    for row in rows:
        grouped.setdefault(row.case_id, []).append(row)
    return grouped

def _sqlite_date(value: str) -> date:
    return date.fromisoformat(value)


def _sqlite_datetime(value: str) -> datetime:
    return datetime.fromisoformat(value)  # naive UTC, as SQLAlchemy's DATETIME reads it


@dataclass(frozen=True, slots=True)
class _Query:
    columns: str
    conversions: list[tuple[int, Callable[[Any], Any]]]
    """Per column that needs it (by position), what turns the stored value into the one
    SQLAlchemy's column type gives."""
    make: Callable[[Sequence[Any]], Any]


class RowReader:
    """Row reader (rivien lukija): the rows of some cases in a table, as SQLAlchemy's
    column types give them (dates, naive UTC datetimes, JSON, booleans), read through the
    DB-API's own cursor on SQLite, where SQLAlchemy's per-value result processing was a
    third of a cache miss's reads; through SQLAlchemy Core elsewhere.

    The mirror of :class:`RowWriter`: what it converts on the way in, this converts back;
    a test holds both equal to SQLAlchemy's own reading for every table.
    """

    def __init__(self, engine: Engine) -> None:
        self.direct = engine.dialect.name == "sqlite"
        self._queries: dict[str, _Query] = {}
        self._selects: dict[str, Select[Any]] = {}

    def select(self, conn: Connection, table: Table, keys: list[str]) -> list[Any]:
        """The rows of the cases ``keys`` (ids as text), each with its columns as
        attributes (in no particular order)."""
        if not keys:
            return []
        if not self.direct:
            return list(conn.execute(self._select_of(table), {"keys": keys}))
        query = self._query(table)
        marks = ", ".join("?" * len(keys))
        # The table and column names are our own; every value is bound.
        sql = f'SELECT {query.columns} FROM "{table.name}" WHERE case_id IN ({marks})'  # noqa: S608
        rows = sqlite_connection(conn).execute(sql, keys).fetchall()
        make, conversions = query.make, query.conversions
        if not conversions:
            return [make(row) for row in rows]
        result = []
        for row in rows:
            values = list(row)
            for index, convert in conversions:
                value = values[index]
                if value is not None:
                    values[index] = convert(value)
            result.append(make(values))
        return result

    def _select_of(self, table: Table) -> Select[Any]:
        statement = self._selects.get(table.name)
        if statement is None:
            keys: BindParameter[list[str]] = bindparam("keys", expanding=True)
            statement = self._selects[table.name] = select(table).where(
                table.c.case_id.in_(keys)
            )
        return statement

    def _query(self, table: Table) -> _Query:
        cached = self._queries.get(table.name)
        if cached is None:
            conversions: list[tuple[int, Callable[[Any], Any]]] = []
            for index, column in enumerate(table.columns):
                kind = column.type
                if isinstance(kind, DateTime):
                    conversions.append((index, _sqlite_datetime))
                elif isinstance(kind, Date):
                    conversions.append((index, _sqlite_date))
                elif isinstance(kind, JSON):
                    conversions.append((index, orjson.loads))
                elif isinstance(kind, Boolean):
                    conversions.append((index, bool))
            names = [column.name for column in table.columns]
            row_type = namedtuple(f"{table.name}_row", names)  # type: ignore[misc]
            cached = _Query(
                ", ".join(f'"{name}"' for name in names), conversions, row_type._make
            )
            self._queries[table.name] = cached
        return cached

"""Table definitions (raportointitaulujen rakenne): the read-model tables and tracking.

Five tables follow the read models' field names, one row per case, goal, service, goal
update and audit entry, ``case_id`` on every row. Nested values without a table of their
own (children, guardians, agreements, dissent, meetings, child views) are JSON columns of
``perhetyo_cases``; the named worker and the successor are flattened into columns so that
reports can group by them. Ids are canonical UUID strings, enums their stored values,
record times UTC.

The statutory steps (decisions, each child's membership, the plan's content, cancelled
meetings) have four tables more, defined in :mod:`.statutory_tables`.

``perhetyo_tracking`` holds how far each view has folded the notification log. Its
position is a ``BIGINT``: notification ids are 64-bit. :func:`create_tables` creates what
is missing, adds the (nullable) columns a newer version defines to tables an older one
created, and widens a position column that an older version created as 32-bit; it
also tells whether the live tables are an older version's (a table or a column missing
that cannot be added), which the stored views then rebuild (:meth:`StoredViews.update`).

``perhetyo_matters`` holds each matter with its assessment (one row per matter);
``perhetyo_deadlines`` each statutory deadline's due, met and void dates (its status
depends on the day asked about, so it is computed when read).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    inspect,
    text,
)
from sqlalchemy import inspect as inspect_database
from sqlalchemy.dialects.postgresql import JSONB

from perhetyo.projections.sql.statutory_tables import (
    STATUTORY_INDEXES,
    STATUTORY_TABLE_NAMES,
    statutory_tables,
)

__all__ = [
    "INDEXED_COLUMNS",
    "LIVE",
    "PROJECTIONS",
    "REBUILD",
    "REBUILD_SUFFIX",
    "TABLE_NAMES",
    "TRACKING_TABLE",
    "ViewTables",
    "add_missing_columns",
    "blank_personal",
    "create_tables",
    "outdated_tables",
    "personal_columns",
    "tracking_table",
]

_log = logging.getLogger("perhetyo.projections")

TABLE_NAMES: Final = (
    "perhetyo_cases",
    "perhetyo_goals",
    "perhetyo_services",
    "perhetyo_goal_updates",
    "perhetyo_audit_entries",
    *STATUTORY_TABLE_NAMES,
    "perhetyo_matters",
    "perhetyo_deadlines",
)
TRACKING_TABLE: Final = "perhetyo_tracking"

PROJECTIONS: Final = {
    "CurrentPlan": (
        "perhetyo_cases",
        "perhetyo_goals",
        "perhetyo_services",
        *STATUTORY_TABLE_NAMES,
        "perhetyo_matters",
    ),
    "GoalProgress": ("perhetyo_goal_updates",),
    "AuditTrail": ("perhetyo_audit_entries",),
    "Deadlines": ("perhetyo_deadlines",),
}
"""Each projection and its tables. All are folded in one pass over the log."""

LIVE: Final = "live"
"""The tracking row (``view_name``) of the tables readers use."""
REBUILD: Final = "rebuild"
"""The tracking row of a rebuild's tables, while it runs."""
REBUILD_SUFFIX: Final = "__rebuild"
"""A rebuild's tables are named ``perhetyo_<name>__rebuild`` until the switch-over."""

INDEXED_COLUMNS: Final[dict[str, tuple[tuple[str, ...], ...]]] = {
    "perhetyo_cases": (("status",), ("named_worker_id",), ("opened_on",), ("review_due_on",)),
    "perhetyo_goals": (("status",),),
    "perhetyo_services": (("kind", "status"), ("ordered_on",)),
    "perhetyo_goal_updates": (("updated_on",),),
    "perhetyo_audit_entries": (("recorded_at",), ("actor_id",), ("event_type",)),
    **STATUTORY_INDEXES,
    "perhetyo_matters": (("pending_on",),),
    "perhetyo_deadlines": (("due_on",), ("kind",)),
}
"""The reporting indexes: cases by status, worker and dates; services by kind; audit by
time, actor and event type. Primary keys start with ``case_id`` on every table."""

_JSON = JSON().with_variant(JSONB(), "postgresql")
_PERSONAL: Final = {"personal": True}
"""Marks a column of personal data or free text: left empty when the store has a master
key (:func:`blank_personal`; docs/privacy.md). Every helper marks its new columns so."""
_ID = String(36)
_ENUM = String(40)


def tracking_table(metadata: MetaData) -> Table:
    """The tracking rows: how far each view has folded the notification log."""
    return Table(
        TRACKING_TABLE,
        metadata,
        Column("view_name", String(100), primary_key=True),
        Column("application_name", String(100), primary_key=True),
        Column("notification_id", BigInteger, nullable=False),
    )


@dataclass(frozen=True)
class ViewTables:
    """The read-model tables of one generation (live, or a rebuild beside it)."""

    cases: Table
    goals: Table
    services: Table
    goal_updates: Table
    audit_entries: Table
    decisions: Table
    memberships: Table
    plan_contents: Table
    cancelled_meetings: Table
    matters: Table
    deadlines: Table

    @property
    def all(self) -> tuple[Table, ...]:
        """The tables in creation order (the order of ``TABLE_NAMES``)."""
        return (
            self.cases,
            self.goals,
            self.services,
            self.goal_updates,
            self.audit_entries,
            *self.statutory,
            self.matters,
            self.deadlines,
        )

    @property
    def statutory(self) -> tuple[Table, ...]:
        """The tables of the statutory steps, rewritten with the case row."""
        return (self.decisions, self.memberships, self.plan_contents, self.cancelled_meetings)

    @classmethod
    def build(
        cls, metadata: MetaData, *, suffix: str = "", index_token: str = "", indexed: bool = True
    ) -> ViewTables:
        """Define the tables named ``perhetyo_<name><suffix>`` in ``metadata``.

        Index names carry ``index_token`` so a rebuilt generation can be renamed into
        place beside indexes of the generation it replaces.
        """

        def name(base: str) -> str:
            return f"{base}{suffix}"

        cases = Table(
            name("perhetyo_cases"),
            metadata,
            Column("case_id", _ID, primary_key=True),
            Column("version", Integer, nullable=False),
            Column("status", _ENUM, nullable=False),
            Column("legal_basis", _ENUM, nullable=False),
            Column("service_task", _ENUM, nullable=False),
            Column("named_worker_id", String(64), nullable=False),
            Column("named_worker_name", String(200), nullable=False, info=_PERSONAL),
            Column("named_worker_profession", _ENUM, nullable=False),
            Column("opened_on", Date, nullable=False),
            Column("closed_on", Date),
            Column("closure_reason", _ENUM),
            Column("erased_on", Date),  # added with erasure (nullable: NULL, not erased)
            Column("successor_kind", _ENUM),
            Column("successor_case_id", _ID),
            Column("previous_case_id", _ID),
            Column("plan_version", Integer, nullable=False),
            Column("plan_agreed_on", Date),
            Column("review_due_on", Date),
            Column("last_meeting_on", Date),
            Column("children", _JSON, nullable=False, info=_PERSONAL),
            Column("guardians", _JSON, nullable=False, info=_PERSONAL),
            Column("agreements", _JSON, nullable=False, info=_PERSONAL),
            Column("dissent", _JSON, nullable=False, info=_PERSONAL),
            Column("meetings", _JSON, nullable=False),
            Column("child_views", _JSON, nullable=False, info=_PERSONAL),
            # Added after release 0.1 (nullable, so create_tables can add it to old tables;
            # NULL reads as no bans): ids and dates only, nothing personal.
            Column("disclosure_bans", _JSON),
            Column("pending_on", Date),
            Column("initiated_by", _ENUM),
            Column("special_support", Boolean, nullable=False),
            Column("urgent", Boolean, nullable=False),
            Column("child_welfare_from", Date),
            Column("plan_versions", _JSON, nullable=False),
        )
        goals = Table(
            name("perhetyo_goals"),
            metadata,
            Column("case_id", _ID, primary_key=True),
            Column("goal_id", _ID, primary_key=True),
            Column("position", Integer, nullable=False),
            Column("description", Text, nullable=False, info=_PERSONAL),
            Column("child_id", String(64)),
            Column("status", _ENUM, nullable=False),
            Column("progress", Integer, nullable=False),
            Column("set_on", Date, nullable=False),
            Column("target_date", Date),
            Column("last_updated_on", Date),
        )
        services = Table(
            name("perhetyo_services"),
            metadata,
            Column("case_id", _ID, primary_key=True),
            Column("service_id", _ID, primary_key=True),
            Column("position", Integer, nullable=False),
            Column("kind", _ENUM, nullable=False),
            Column("provider", String(200), nullable=False, info=_PERSONAL),
            Column("status", _ENUM, nullable=False),
            Column("ordered_on", Date, nullable=False),
            Column("started_on", Date),
            Column("ended_on", Date),
            Column("goal_ids", _JSON, nullable=False),
            Column("decision_id", _ID),
        )
        goal_updates = Table(
            name("perhetyo_goal_updates"),
            metadata,
            Column("case_id", _ID, primary_key=True),
            Column("goal_id", _ID, primary_key=True),
            Column("seq", Integer, primary_key=True),
            Column("updated_on", Date, nullable=False),
            Column("status", _ENUM, nullable=False),
            Column("progress", Integer, nullable=False),
            Column("note", Text, info=_PERSONAL),
            Column("actor_id", String(64), nullable=False),
            Column("recorded_at", DateTime(timezone=True), nullable=False),
        )
        audit_entries = Table(
            name("perhetyo_audit_entries"),
            metadata,
            Column("case_id", _ID, primary_key=True),
            Column("version", Integer, primary_key=True),
            Column("recorded_at", DateTime(timezone=True), nullable=False),
            Column("occurred_on", Date, nullable=False),
            Column("actor_id", String(64), nullable=False),
            Column("event_type", String(60), nullable=False),
            Column("label_fi", String(100), nullable=False),
            Column("label_en", String(100), nullable=False),
            Column("summary", Text, nullable=False),
            Column("summary_en", Text, nullable=False),
            Column("corrects_version", Integer),  # added after release 0.1
        )
        decisions, memberships, plan_contents, cancelled_meetings = statutory_tables(
            metadata, name
        )
        matters = Table(
            name("perhetyo_matters"),
            metadata,
            Column("case_id", _ID, primary_key=True),
            Column("matter_id", _ID, primary_key=True),
            Column("position", Integer, nullable=False),
            Column("pending_on", Date, nullable=False),
            Column("initiated_by", _ENUM),
            Column("special_support", Boolean, nullable=False),
            Column("urgent", Boolean, nullable=False),
            Column("under_child_welfare", Boolean, nullable=False),
            Column("assessment_started_on", Date),
            Column("start_special_support", Boolean),
            Column("child_welfare_need_assessed", Boolean),
            Column("assessment_completed_on", Date),
            Column("conclusions", Text, info={"personal": True}),
            Column("relationship_continues", Boolean),
            Column("special_support_found", Boolean),
            Column("child_welfare_begins", Boolean),
            Column("needs_named_worker", Boolean),
            Column("plan_needed", Boolean),
            Column("assessment_child_views", _JSON, info={"personal": True}),
            Column("assessment_not_heard_reasons", _JSON, info={"personal": True}),
            Column("assessment_declined_on", Date),
            Column("decline_reason", Text, info={"personal": True}),
        )
        deadlines = Table(
            name("perhetyo_deadlines"),
            metadata,
            Column("case_id", _ID, primary_key=True),
            Column("seq", Integer, primary_key=True),
            Column("matter_id", _ID),
            Column("plan_version", Integer),
            Column("kind", _ENUM, nullable=False),
            Column("due_on", Date, nullable=False),
            Column("met_on", Date),
            Column("voided_on", Date),
        )
        tables = cls(
            cases,
            goals,
            services,
            goal_updates,
            audit_entries,
            decisions,
            memberships,
            plan_contents,
            cancelled_meetings,
            matters,
            deadlines,
        )
        if indexed:
            tables.add_indexes(index_token)
        return tables

    def add_indexes(self, token: str) -> list[Index]:
        """Define the reporting indexes on these tables (created with the tables, or
        afterwards by ``index.create(conn)``: a rebuild indexes its tables once, at the end,
        which is faster than keeping them up to date row by row)."""
        suffix = f"_{token}" if token else ""
        indexes = []
        for base, table in zip(TABLE_NAMES, self.all, strict=True):
            for columns in INDEXED_COLUMNS[base]:
                name = f"ix_{base}_{'_'.join(columns)}{suffix}"
                indexes.append(Index(name, *(table.c[column] for column in columns)))
        return indexes


def outdated_tables(conn: Connection, tables: ViewTables) -> list[str]:
    """The live tables an older version made: missing, or missing a column of ours.

    Empty when none of them exists yet (a new store) or all are today's.
    """
    existing = set(inspect_database(conn).get_table_names(schema=tables.cases.schema))
    if not existing & {table.name for table in tables.all}:
        return []
    outdated = []
    for table in tables.all:
        if table.name not in existing:
            outdated.append(table.name)
            continue
        columns = {
            column["name"]
            for column in inspect_database(conn).get_columns(table.name, schema=table.schema)
        }
        if set(table.columns.keys()) - columns:
            outdated.append(table.name)
    return outdated


def personal_columns(table: Table) -> tuple[Column[Any], ...]:
    """The columns of ``table`` marked ``info={"personal": True}``."""
    return tuple(column for column in table.columns if column.info.get("personal"))


def blank_personal(table: Table, rows: list[dict[str, Any]]) -> None:
    """Empty the personal columns of ``rows`` in place (the one place this is done): NULL
    where the column allows it, else an empty JSON list or object, or an empty string."""
    columns = personal_columns(table)
    if not columns:
        return
    for row in rows:
        for column in columns:
            value = row[column.name]
            if value is None:
                continue
            if isinstance(value, list | dict | tuple):
                row[column.name] = type(value)()
            else:
                row[column.name] = None if column.nullable else ""


def add_missing_columns(conn: Connection, metadata: MetaData) -> None:
    """Add the nullable columns a later version defines to tables an older one created.

    Only nullable columns are ever added to a table (``disclosure_bans``,
    ``corrects_version``, ``perhetyo_services.decision_id``), so the rows already there
    stay valid: NULL means "none", which the rows' readers take as the default.
    Identifiers and types come from our own table definitions; nothing here is a value.
    """
    inspector = inspect(conn)
    for table in metadata.sorted_tables:
        if not inspector.has_table(table.name, schema=table.schema):
            continue
        present = {column["name"] for column in inspector.get_columns(table.name, table.schema)}
        for column in table.columns:
            if column.name in present or not column.nullable:
                continue
            prefix = "" if table.schema is None else f'"{table.schema}".'
            kind = column.type.compile(dialect=conn.dialect)
            # Identifiers and types come from our own table definitions: no value here.
            conn.execute(
                text(f'ALTER TABLE {prefix}"{table.name}" ADD COLUMN "{column.name}" {kind}')
            )
            _log.info("added column %s.%s", table.name, column.name)


def create_tables(conn: Connection, metadata: MetaData, tracking: Table) -> None:
    """Create the tables that are missing, and widen a 32-bit tracking position.

    Older versions created ``notification_id`` as ``INTEGER``, which is 32-bit on
    PostgreSQL while notification ids are 64-bit; it is altered to ``BIGINT`` once, here.
    SQLite's integers are 64-bit whatever the declared type. (Tables an older version made
    with fewer columns are left as they are: see :func:`outdated_tables`.)
    """
    metadata.create_all(conn, checkfirst=True)
    add_missing_columns(conn, metadata)
    if conn.dialect.name != "postgresql":
        return
    data_type = conn.execute(
        text(
            "SELECT data_type FROM information_schema.columns "
            "WHERE table_schema = :schema AND table_name = :table "
            "AND column_name = 'notification_id'"
        ),
        {"schema": tracking.schema or "public", "table": tracking.name},
    ).scalar_one_or_none()
    if data_type is None or data_type == "bigint":
        return
    prefix = "" if tracking.schema is None else f'"{tracking.schema}".'
    # Identifiers come from our own table definition (the schema name is checked when the
    # URL is parsed); nothing here is a value.
    conn.execute(
        text(f'ALTER TABLE {prefix}"{tracking.name}" ALTER COLUMN notification_id TYPE BIGINT')
    )
    _log.info("widened %s.notification_id from %s to bigint", tracking.name, data_type)

"""A host service's own subscriber (isäntäpalvelun tilaaja) for the subscriber tests.

It writes one row per event it handles into a table of its own, ``host_handled``, in
the views' database and with the connection it is given: the row commits with the
subscriber's position. The rows carry an insertion sequence, so the tests can read back
what was handled, in the order it was handled, and count any event handled twice.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Column, Connection, Integer, MetaData, String, Table, delete, insert, select

from perhetyo import CaseEvent, FamilyCases

Handled = tuple[str, int, str]
"""(case id, version, event type) of one handled event."""


def host_table(cases: FamilyCases) -> Table:
    """The host's table in the views' database (its schema on PostgreSQL), created if new."""
    views = cases.stored_views
    metadata = MetaData(schema=views.schema)
    table = Table(
        "host_handled",
        metadata,
        Column("seq", Integer, primary_key=True, autoincrement=True),
        Column("case_id", String(36), nullable=False),
        Column("version", Integer, nullable=False),
        Column("event_type", String(60), nullable=False),
    )
    with views.writing() as conn:
        metadata.create_all(conn, checkfirst=True)
    return table


def recording_handler(
    table: Table, after: Callable[[], None] | None = None
) -> Callable[[CaseEvent, Connection], None]:
    """A handler that records each event in ``table``, then calls ``after()``."""

    def handle(event: CaseEvent, conn: Connection) -> None:
        conn.execute(
            insert(table).values(
                case_id=str(event.originator_id),
                version=event.originator_version,
                event_type=type(event).__name__,
            )
        )
        if after is not None:
            after()

    return handle


def emptying(table: Table) -> Callable[[Connection], None]:
    """The reset hook: empty the host's table."""

    def reset(conn: Connection) -> None:
        conn.execute(delete(table))

    return reset


def handled(cases: FamilyCases, table: Table) -> list[Handled]:
    """What the host has recorded, in the order it was handled."""
    with cases.stored_views.reading() as conn:
        rows = conn.execute(
            select(table.c.case_id, table.c.version, table.c.event_type).order_by(table.c.seq)
        ).all()
    return [(row.case_id, row.version, row.event_type) for row in rows]


def replay(cases: FamilyCases) -> list[Handled]:
    """Every event of the log, in notification order: what a subscriber must handle."""
    views = cases.stored_views
    notifications = views.recorder.select_notifications(start=0, limit=1_000_000)
    return [
        (str(event.originator_id), event.originator_version, type(event).__name__)
        for event in (views.mapper.to_domain_event(n) for n in notifications)
    ]

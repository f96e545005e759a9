"""Export (vienti): the stored tables as files, for reporting tools.

::

    from perhetyo.reporting import export_tables

    cases.update_projections()                      # catch the tables up first, if wanted
    files = export_tables(cases, Path("/secure/reports/2024-05"), "parquet")

One file per table (``perhetyo_cases.csv``, ...), written from one read transaction so
that the files agree with each other, and streamed: rows are read and written in
partitions of :data:`PARTITION_ROWS`, never all at once. The formats, and the escaping of
CSV cells a spreadsheet would run as formulas, are :mod:`~perhetyo.reporting.formats`.

The files hold client data (asiakastietoja), so they are written safely
(:mod:`~perhetyo.reporting.files`): into a directory of the user's own that nobody else
can write (created 0700), each file created exclusively with mode 0600, never through a
link. A file already under one of the temporary names (``.perhetyo_cases.csv.partial``,
left by an interrupted or a concurrent export, or planted) is never removed or reused: the
export is refused with :class:`~perhetyo.errors.ConfigurationError` before any file is
written. All the files are written under their temporary names and renamed into place
together when complete, so a failed export leaves the previous files as they were.

An export from a :class:`~perhetyo.application.FamilyCases` is a read of every case in it
(asiakastietolaki 703/2023 § 11): it takes the reading ``actor`` (and a ``purpose``) and
logs one ``AccessAction.EXPORT`` entry per case named in the snapshot's
``perhetyo_cases``, committed before the files are renamed into place; if the log cannot
be written the export fails and leaves no files. An export from the ``StoredViews``
themselves is the reporting database's own access, like a query on its tables, and is not
logged by the library (docs/access-log.md).

Typer and Rich are not imported here: ``perhetyo export`` is a thin shell over
:func:`export_tables`.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final
from uuid import UUID

from sqlalchemy import (
    Connection,
    NullPool,
    Table,
    create_engine,
    event,
    select,
)

from perhetyo.access import AccessAction
from perhetyo.errors import ConfigurationError
from perhetyo.persistence import storage_errors
from perhetyo.projections.sql import TABLE_NAMES, StoredViews
from perhetyo.reporting.files import (
    already_there,
    create_exclusively,
    exists_at,
    file_errors,
    open_private_directory,
)
from perhetyo.reporting.formats import (
    Convert,
    ExportFormat,
    PyArrow,
    Writer,
    converters,
    escape_csv_cell,
    export_format,
    pyarrow_modules,
    unescape_csv_cell,
    writer_for,
)

if TYPE_CHECKING:
    from perhetyo.application import FamilyCases
    from perhetyo.values import Actor

__all__ = [
    "PARTITION_ROWS",
    "ExportFormat",
    "ExportedFile",
    "escape_csv_cell",
    "export_format",
    "export_tables",
    "output_directory",
    "read_snapshot",
    "unescape_csv_cell",
]

logger = logging.getLogger(__name__)

PARTITION_ROWS: Final = 5_000
"""Rows read from the database and written to the file at a time."""


@dataclass(frozen=True)
class ExportedFile:
    """One written file (viety tiedosto): the table, where it went, its rows, the log position.

    ``position`` is the notification id the rows reflect; it is the same for every file of
    one export, because all are read from one snapshot.
    """

    table: str
    path: Path
    rows: int
    position: int


# --- the output directory --------------------------------------------------------------------


def _partial_name(name: str) -> str:
    return f".{name}.partial"


def output_directory(out: Path, fmt: str | ExportFormat | None = None) -> Path:
    """``out``, created (0700) if missing; refused unless it is yours and only you can write it.

    With ``fmt``, also refused while a temporary file of an export in that format is there.
    :func:`export_tables` checks all this itself, at the moment it writes; call this first
    to refuse a bad directory before a long catch-up (``perhetyo export`` does).
    """
    dir_fd = open_private_directory(out)
    try:
        if fmt is not None:
            suffix = export_format(fmt).value
            for table in TABLE_NAMES:
                partial = _partial_name(f"{table}.{suffix}")
                if exists_at(dir_fd, partial):
                    raise already_there(out, partial)
    finally:
        os.close(dir_fd)
    return out


# --- writing files ---------------------------------------------------------------------------


# --- reading ---------------------------------------------------------------------------------


@contextlib.contextmanager
def read_snapshot(views: StoredViews) -> Iterator[Connection]:
    """One read-only transaction over all the tables, so that the files agree.

    PostgreSQL: REPEATABLE READ. A SQLite file: a deferred ``BEGIN`` on a connection of its
    own, a write-ahead-log snapshot that does not hold back a worker writing meanwhile (the
    views' own engine begins every transaction IMMEDIATE, which would). An in-memory views
    database belongs to this process alone.
    """
    engine = views.engine
    database = engine.url.database
    if engine.dialect.name == "postgresql":
        with engine.connect() as plain_conn:
            conn = plain_conn.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
            with conn.begin():
                yield conn
        return
    if engine.dialect.name != "sqlite" or database in (None, "", ":memory:"):
        with engine.connect() as conn, conn.begin():
            yield conn
        return
    reader = create_engine(engine.url, poolclass=NullPool, connect_args={"timeout": 30})

    @event.listens_for(reader, "connect")
    def _autocommit_driver(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(reader, "begin")
    def _begin_deferred(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN")

    try:
        with reader.connect() as conn, conn.begin():
            yield conn
    finally:
        reader.dispose()


def _position(conn: Connection, views: StoredViews) -> int:
    """The notification id the snapshot's rows reflect (0 before any)."""
    t = views.tracking
    value = conn.execute(
        select(t.c.notification_id).where(
            t.c.view_name == views.live.view_name,
            t.c.application_name == views.application_name,
        )
    ).scalar_one_or_none()
    return 0 if value is None else int(value)


def _export_table(
    conn: Connection, table: Table, writer: Writer, convert: list[Convert], out: Path
) -> int:
    rows = 0
    result = conn.execute(
        select(table).order_by(*table.primary_key.columns),
        execution_options={"yield_per": PARTITION_ROWS},
    )
    for partition in result.partitions():
        converted = [
            [f(value) for f, value in zip(convert, row, strict=True)] for row in partition
        ]
        with file_errors(out):
            writer.write(converted)
        rows += len(partition)
    return rows


# --- the export ------------------------------------------------------------------------------


def export_tables(
    source: FamilyCases | StoredViews,
    out: Path,
    fmt: str | ExportFormat = ExportFormat.CSV,
    *,
    actor: Actor | None = None,
    purpose: str | None = None,
) -> list[ExportedFile]:
    """Write the stored tables into ``out``, one file each, from one snapshot.

    ``source`` is a :class:`~perhetyo.application.FamilyCases` (its stored views; the
    export is then logged as a read of each case by ``actor``, which it requires) or the
    :class:`~perhetyo.projections.sql.StoredViews` themselves. The tables are exported
    as they are: call ``cases.update_projections()`` first to catch them up. ``out`` is
    created (0700) if missing and must be yours and writable by you alone; each file is
    created 0600 (see the module docstring). Refusals raise ConfigurationError; a failing
    database or disk, StorageError.
    """
    chosen = export_format(fmt)
    pyarrow = pyarrow_modules() if chosen is ExportFormat.PARQUET else None
    log: Callable[[list[UUID]], None] | None = None
    if isinstance(source, StoredViews):
        views = source
    else:
        if actor is None:
            raise ConfigurationError("an export from FamilyCases is logged: give actor=")
        cases, reader = source, actor

        def log(case_ids: list[UUID]) -> None:
            if case_ids:
                cases.record_access(
                    case_ids, actor=reader, action=AccessAction.EXPORT, purpose=purpose
                )

        views = cases.stored_views
    dir_fd = open_private_directory(out)
    try:
        return _export(views, out, dir_fd, chosen, pyarrow, log=log)
    finally:
        os.close(dir_fd)


def _export(
    views: StoredViews,
    out: Path,
    dir_fd: int,
    fmt: ExportFormat,
    pyarrow: PyArrow | None,
    *,
    log: Callable[[list[UUID]], None] | None,
) -> list[ExportedFile]:
    tables = views.tables.all
    names = [f"{table.name}.{fmt.value}" for table in tables]
    partials = [_partial_name(name) for name in names]
    claimed: list[str] = []
    writers: list[Writer] = []
    try:
        # Every file is claimed before any row is read: a refusal leaves nothing behind.
        for partial in partials:
            fd = create_exclusively(dir_fd, out, partial)
            claimed.append(partial)
            with file_errors(out):
                writers.append(writer_for(fmt, fd, tables[len(writers)], pyarrow))
        with storage_errors("the views database"), read_snapshot(views) as conn:
            position = _position(conn, views)
            counts = [
                _export_table(conn, table, writer, converters(table, fmt), out)
                for table, writer in zip(tables, writers, strict=True)
            ]
            ids = conn.execute(select(views.tables.cases.c.case_id)).scalars()
            exported = [UUID(case_id) for case_id in ids]
        if log is not None:
            log(exported)  # committed before any file is in place
        with file_errors(out):
            for writer in writers:
                writer.finish()
            for partial, name in zip(partials, names, strict=True):
                os.replace(partial, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
            claimed.clear()
            os.fsync(dir_fd)
    except BaseException:
        for writer in writers:
            with contextlib.suppress(Exception):
                writer.close()
        for partial in claimed:
            with contextlib.suppress(OSError):
                os.unlink(partial, dir_fd=dir_fd)
        raise
    files = [
        ExportedFile(table=table.name, path=out / name, rows=rows, position=position)
        for table, name, rows in zip(tables, names, counts, strict=True)
    ]
    for file in files:
        logger.debug("exported %s: %d rows", file.table, file.rows)
    logger.info("exported %d tables as %s at log position %d", len(files), fmt.value, position)
    return files

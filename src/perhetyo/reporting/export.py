"""Export (vienti): the five stored tables as files, for reporting tools.

::

    from perhetyo.reporting import export_tables

    cases.update_projections()                      # catch the tables up first, if wanted
    files = export_tables(cases, Path("/secure/reports/2024-05"), "parquet")

One file per table (``perhetyo_cases.csv``, ...), written from one read transaction so
that the files agree with each other, and streamed: rows are read and written in
partitions of :data:`PARTITION_ROWS`, never all at once. Values keep their stored form:
ids and enumerations as text, dates ISO (``2020-08-12``), record times UTC ISO
(``2020-08-12T08:40:00+00:00``). JSON columns are JSON text in CSV and parquet and nested
objects in JSONL; parquet has typed columns (``date32``, ``timestamp[us, UTC]``, ``int64``).

The files hold client data (asiakastietoja), so they are written safely:

- the output directory must belong to the user exporting and be writable by nobody else
  (not group- or world-writable, so not ``/tmp`` itself); a directory created here, and
  each missing parent, is made with mode 0700;
- every file is created exclusively with mode 0600 (``O_CREAT | O_EXCL | O_NOFOLLOW``),
  relative to the directory opened once, so no file or link planted beforehand is ever
  opened or followed. A file already under a temporary name (``.perhetyo_cases.csv.partial``,
  left by an interrupted or a concurrent export, or planted) is never removed or reused:
  the export is refused with :class:`~perhetyo.errors.ConfigurationError`, before any
  file is written;
- all five files are written under their temporary names and renamed into place together
  when complete, so a failed export leaves the previous files as they were;
- in CSV only, a text cell that a spreadsheet would read as a formula (starting with
  ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) gets a leading ``'`` (OWASP's
  advice against CSV injection), and so does a cell already starting with ``'``, so that
  dropping one leading ``'`` (:func:`unescape_csv_cell`) always gives the stored value.
  JSONL and parquet keep every value exactly.

Typer and Rich are not imported here: ``perhetyo export`` is a thin shell over
:func:`export_tables`.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import importlib
import logging
import os
import stat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from types import ModuleType
from typing import IO, TYPE_CHECKING, Any, Final

import orjson
from sqlalchemy import (
    JSON,
    Connection,
    Date,
    DateTime,
    Integer,
    NullPool,
    Table,
    create_engine,
    event,
    select,
)

from perhetyo.errors import ConfigurationError, StorageError
from perhetyo.persistence import storage_errors
from perhetyo.projections.stored import StoredViews
from perhetyo.projections.tables import TABLE_NAMES

if TYPE_CHECKING:
    from perhetyo.application import FamilyCases

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

_DIRECTORY_MODE: Final = 0o700
_FILE_MODE: Final = 0o600
_DIRECTORY_FLAGS: Final = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC
_FILE_FLAGS: Final = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
_OTHERS_WRITE: Final = stat.S_IWGRP | stat.S_IWOTH
_OWNER_WRITE: Final = stat.S_IWUSR | stat.S_IXUSR


class ExportFormat(StrEnum):
    """File format of an export (vientimuoto)."""

    CSV = "csv"
    JSONL = "jsonl"
    PARQUET = "parquet"


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


# --- CSV cells a spreadsheet would run (OWASP: CSV injection) --------------------------------

_QUOTE: Final = "'"
_ESCAPED_STARTS: Final = ("=", "+", "-", "@", "\t", "\r", _QUOTE)
"""OWASP's formula starts, and the quote itself (so the escape can always be undone)."""


def escape_csv_cell(value: str) -> str:
    """A text cell made safe for spreadsheets (kaavasuojaus): ``'`` before a formula start.

    A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be read
    as a formula by Excel or LibreOffice; it gets a leading ``'``, which they show as text.
    A cell already starting with ``'`` gets one too, so the escape can always be undone.
    """
    if value.startswith(_ESCAPED_STARTS):
        return _QUOTE + value
    return value


def unescape_csv_cell(value: str) -> str:
    """The stored value of an exported CSV text cell: one leading ``'`` dropped, if any."""
    return value.removeprefix(_QUOTE)


def _csv_cell(value: Any) -> Any:
    return escape_csv_cell(value) if isinstance(value, str) else value


# --- formats and pyarrow ---------------------------------------------------------------------


@dataclass(frozen=True)
class _PyArrow:
    arrow: ModuleType
    parquet: ModuleType


def _pyarrow() -> _PyArrow:
    """pyarrow (the optional ``reporting`` extra), imported only for a parquet export."""
    try:
        return _PyArrow(
            arrow=importlib.import_module("pyarrow"),
            parquet=importlib.import_module("pyarrow.parquet"),
        )
    except ImportError:
        raise ConfigurationError(
            "parquet needs pyarrow: pip install 'perhetyo[reporting]'"
        ) from None


def export_format(value: str | ExportFormat) -> ExportFormat:
    """The format named by ``value`` (csv, jsonl, parquet); parquet only if pyarrow is there."""
    try:
        fmt = ExportFormat(value.lower())
    except ValueError:
        choices = ", ".join(f.value for f in ExportFormat)
        raise ConfigurationError(f"unknown export format {value!r}: use {choices}") from None
    if fmt is ExportFormat.PARQUET:
        _pyarrow()
    return fmt


# --- the output directory --------------------------------------------------------------------


def _make_missing_directories(out: Path) -> None:
    """Create ``out`` and its missing parents, each with mode 0700 whatever the umask."""
    missing: list[Path] = []
    current = out
    while not os.path.lexists(current) and current.parent != current:
        missing.append(current)
        current = current.parent
    for directory in reversed(missing):
        try:
            os.mkdir(directory, _DIRECTORY_MODE)
            fd = os.open(directory, _DIRECTORY_FLAGS | os.O_NOFOLLOW)
            try:
                os.fchmod(fd, _DIRECTORY_MODE)
            finally:
                os.close(fd)
        except FileExistsError:
            continue  # made meanwhile by someone else: judged like any existing directory
        except OSError as exc:
            raise ConfigurationError(
                f"cannot create the export directory {out}: {type(exc).__name__}"
            ) from None


def _judge_directory(out: Path, status: os.stat_result) -> None:
    mode = stat.S_IMODE(status.st_mode)
    if status.st_uid != os.geteuid():
        raise ConfigurationError(
            f"the export directory {out} belongs to another user: export into a directory "
            "of your own (mode 0700)"
        )
    if mode & _OTHERS_WRITE:
        raise ConfigurationError(
            f"the export directory {out} can be written by others (mode {mode:04o}): export "
            "into a directory only you can write (mode 0700)"
        )
    if mode & _OWNER_WRITE != _OWNER_WRITE:
        raise ConfigurationError(f"cannot write to the export directory {out} (mode {mode:04o})")


def _open_directory(out: Path) -> int:
    """The export directory, created if missing, opened once and judged by its descriptor.

    Every file is then made relative to this descriptor: renaming or replacing the path
    meanwhile cannot redirect the export.
    """
    _make_missing_directories(out)
    try:
        fd = os.open(out, _DIRECTORY_FLAGS)
    except NotADirectoryError:
        raise ConfigurationError(f"the export directory {out} is not a directory") from None
    except OSError as exc:
        raise ConfigurationError(
            f"cannot open the export directory {out}: {type(exc).__name__}"
        ) from None
    try:
        _judge_directory(out, os.fstat(fd))
    except BaseException:
        os.close(fd)
        raise
    return fd


def _lexists_at(dir_fd: int, name: str) -> bool:
    """Whether ``name`` is in the directory (a link counts; it is not followed)."""
    try:
        os.lstat(name, dir_fd=dir_fd)
    except FileNotFoundError:
        return False
    return True


def _partial_name(name: str) -> str:
    return f".{name}.partial"


def _leftover(out: Path, partial: str) -> ConfigurationError:
    return ConfigurationError(
        f"{partial} is already in the export directory {out} (an interrupted or concurrent "
        "export, or a file or link that is not the export's): check it, remove it and "
        "export again"
    )


def output_directory(out: Path, fmt: str | ExportFormat | None = None) -> Path:
    """``out``, created (0700) if missing; refused unless it is yours and only you can write it.

    With ``fmt``, also refused while a temporary file of an export in that format is there.
    :func:`export_tables` checks all this itself, at the moment it writes; call this first
    to refuse a bad directory before a long catch-up (``perhetyo export`` does).
    """
    dir_fd = _open_directory(out)
    try:
        if fmt is not None:
            suffix = export_format(fmt).value
            for table in TABLE_NAMES:
                partial = _partial_name(f"{table}.{suffix}")
                if _lexists_at(dir_fd, partial):
                    raise _leftover(out, partial)
    finally:
        os.close(dir_fd)
    return out


# --- writing files ---------------------------------------------------------------------------

_ERRNO_REASONS: Final = {
    errno.ENOSPC: "disk_full",
    errno.EDQUOT: "disk_full",
    errno.EACCES: "permission_denied",
    errno.EPERM: "permission_denied",
    errno.EROFS: "read_only",
}


@contextlib.contextmanager
def _file_errors(out: Path) -> Iterator[None]:
    """A file-system failure while writing becomes a StorageError naming the directory."""
    try:
        yield
    except OSError as exc:
        reason = _ERRNO_REASONS.get(exc.errno or 0, "other")
        what = errno.errorcode.get(exc.errno or 0, type(exc).__name__)
        raise StorageError(
            f"cannot write the export to {out}: {what} ({reason})", reason=reason
        ) from exc


def _claim(dir_fd: int, out: Path, name: str) -> int:
    """Create ``name`` in the directory exclusively, mode 0600; never open what is there."""
    try:
        fd = os.open(name, _FILE_FLAGS, _FILE_MODE, dir_fd=dir_fd)
    except FileExistsError:
        raise _leftover(out, name) from None
    try:
        os.fchmod(fd, _FILE_MODE)  # exactly 0600, whatever the umask
    except BaseException:
        os.close(fd)
        raise
    return fd


Convert = Callable[[Any], Any]


def _utc(value: datetime | None) -> datetime | None:
    """SQLite gives naive datetimes; the stored values are UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _iso(value: Any) -> Any:
    return None if value is None else value.isoformat()


def _utc_iso(value: datetime | None) -> str | None:
    aware = _utc(value)
    return None if aware is None else aware.isoformat()


def _json_text(value: Any) -> str | None:
    return None if value is None else orjson.dumps(value).decode()


def _same(value: Any) -> Any:
    return value


_CONVERSIONS: Final[dict[ExportFormat, dict[str, Convert]]] = {
    # by column kind: "datetime", "date", "json" (anything else is written as read)
    ExportFormat.CSV: {"datetime": _utc_iso, "date": _iso, "json": _json_text},
    ExportFormat.JSONL: {"datetime": _utc},
    ExportFormat.PARQUET: {"datetime": _utc, "json": _json_text},
}


def _kind(column_type: Any) -> str:
    if isinstance(column_type, DateTime):
        return "datetime"
    if isinstance(column_type, Date):
        return "date"
    if isinstance(column_type, JSON):
        return "json"
    if isinstance(column_type, Integer):
        return "integer"
    return "text"


def _converters(table: Table, fmt: ExportFormat) -> list[Convert]:
    by_kind = _CONVERSIONS[fmt]
    return [by_kind.get(_kind(column.type), _same) for column in table.columns]


class _Writer:
    """One table's file: rows in partitions, then ``finish`` (on disk) or ``close`` (abort)."""

    def __init__(self, file: IO[Any]) -> None:
        self._file = file

    def write(self, rows: Sequence[Sequence[Any]]) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        """Complete the file and make it durable before it is renamed into place."""
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()

    def close(self) -> None:
        self._file.close()


class _CsvWriter(_Writer):
    def __init__(self, fd: int, table: Table) -> None:
        super().__init__(os.fdopen(fd, "w", encoding="utf-8", newline=""))
        self._csv = csv.writer(self._file)
        self._csv.writerow(column.name for column in table.columns)

    def write(self, rows: Sequence[Sequence[Any]]) -> None:
        self._csv.writerows([_csv_cell(value) for value in row] for row in rows)


class _JsonlWriter(_Writer):
    def __init__(self, fd: int, table: Table) -> None:
        super().__init__(os.fdopen(fd, "wb"))
        self._names = [str(column.name) for column in table.columns]  # orjson: exact str keys

    def write(self, rows: Sequence[Sequence[Any]]) -> None:
        names = self._names
        self._file.write(
            b"".join(
                orjson.dumps(dict(zip(names, row, strict=True)), option=orjson.OPT_APPEND_NEWLINE)
                for row in rows
            )
        )


class _ParquetWriter(_Writer):
    def __init__(self, fd: int, table: Table, pyarrow: _PyArrow) -> None:
        super().__init__(os.fdopen(fd, "wb"))
        self._pa = pa = pyarrow.arrow
        types = {
            "datetime": pa.timestamp("us", tz="UTC"),
            "date": pa.date32(),
            "integer": pa.int64(),
            "json": pa.string(),
            "text": pa.string(),
        }
        self._schema = pa.schema(
            [
                pa.field(column.name, types[_kind(column.type)], nullable=column.nullable)
                for column in table.columns
            ]
        )
        try:
            self._parquet = pyarrow.parquet.ParquetWriter(self._file, self._schema)
        except BaseException:
            self._file.close()
            raise

    def write(self, rows: Sequence[Sequence[Any]]) -> None:
        pa = self._pa
        columns = [
            pa.array([row[n] for row in rows], type=field.type)
            for n, field in enumerate(self._schema)
        ]
        self._parquet.write_batch(pa.record_batch(columns, schema=self._schema))

    def finish(self) -> None:
        self._parquet.close()
        super().finish()

    def close(self) -> None:
        try:
            self._parquet.close()
        finally:
            super().close()


def _writer(fmt: ExportFormat, fd: int, table: Table, pyarrow: _PyArrow | None) -> _Writer:
    """The writer of one table; it owns ``fd`` from here on, even if it fails to start."""
    try:
        if fmt is ExportFormat.PARQUET:
            return _ParquetWriter(fd, table, pyarrow or _pyarrow())
        if fmt is ExportFormat.JSONL:
            return _JsonlWriter(fd, table)
        return _CsvWriter(fd, table)
    except BaseException:
        with contextlib.suppress(OSError):
            os.close(fd)  # already closed if its file object was made
        raise


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
    conn: Connection, table: Table, writer: _Writer, convert: list[Convert], out: Path
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
        with _file_errors(out):
            writer.write(converted)
        rows += len(partition)
    return rows


# --- the export ------------------------------------------------------------------------------


def export_tables(
    source: FamilyCases | StoredViews, out: Path, fmt: str | ExportFormat = ExportFormat.CSV
) -> list[ExportedFile]:
    """Write the five stored tables into ``out``, one file each, from one snapshot.

    ``source`` is a :class:`~perhetyo.application.FamilyCases` (its stored views) or the
    :class:`~perhetyo.projections.stored.StoredViews` themselves. The tables are exported
    as they are: call ``cases.update_projections()`` first to catch them up. ``out`` is
    created (0700) if missing and must be yours and writable by you alone; each file is
    created 0600 (see the module docstring). Refusals raise ConfigurationError; a failing
    database or disk, StorageError.
    """
    chosen = export_format(fmt)
    pyarrow = _pyarrow() if chosen is ExportFormat.PARQUET else None
    views = source if isinstance(source, StoredViews) else source.stored_views
    dir_fd = _open_directory(out)
    try:
        return _export(views, out, dir_fd, chosen, pyarrow)
    finally:
        os.close(dir_fd)


def _export(
    views: StoredViews, out: Path, dir_fd: int, fmt: ExportFormat, pyarrow: _PyArrow | None
) -> list[ExportedFile]:
    tables = views.tables.all
    names = [f"{table.name}.{fmt.value}" for table in tables]
    partials = [_partial_name(name) for name in names]
    claimed: list[str] = []
    writers: list[_Writer] = []
    try:
        # Every file is claimed before any row is read: a refusal leaves nothing behind.
        for partial in partials:
            fd = _claim(dir_fd, out, partial)
            claimed.append(partial)
            with _file_errors(out):
                writers.append(_writer(fmt, fd, tables[len(writers)], pyarrow))
        with storage_errors("the views database"), read_snapshot(views) as conn:
            position = _position(conn, views)
            counts = [
                _export_table(conn, table, writer, _converters(table, fmt), out)
                for table, writer in zip(tables, writers, strict=True)
            ]
        with _file_errors(out):
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

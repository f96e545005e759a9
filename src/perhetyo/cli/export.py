"""Export (vienti): the five stored tables as files, for reporting tools.

::

    perhetyo export --out DIR [--format csv|jsonl|parquet] [--no-update] [--url URL]

One file per table (``perhetyo_cases.csv``, ...), written from one read transaction so
that the files agree with each other, and streamed: rows are read and written in
partitions of :data:`PARTITION_ROWS`, never all at once. Values keep their stored form:
ids and enumerations as text, dates ISO (``2020-08-12``), record times UTC ISO
(``2020-08-12T08:40:00+00:00``). JSON columns are JSON text in CSV and parquet and nested
objects in JSONL; parquet has typed columns (``date32``, ``timestamp[us, UTC]``, ``int64``).

The files hold client data (asiakastietoja): they are created readable by their owner only
(mode 0600, and 0700 for a directory the command creates), and the command says so.
"""

from __future__ import annotations

import contextlib
import csv
import importlib
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from types import ModuleType
from typing import IO, Annotated, Any, Final, Protocol

import orjson
import typer
from rich.console import RenderableType
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
from sqlalchemy.exc import SQLAlchemyError

from perhetyo.application import FamilyCases
from perhetyo.cli.app import (
    StoreUrl,
    ViewsUrl,
    make_console,
    require_existing_store,
)
from perhetyo.cli.projections import catch_up
from perhetyo.cli.render import plain, titled_table
from perhetyo.errors import ConfigurationError, StorageError
from perhetyo.persistence import DEFAULT_URL
from perhetyo.projections.sql import StoredViews

__all__ = [
    "PARTITION_ROWS",
    "PERSONAL_DATA_REMINDER",
    "ExportFormat",
    "ExportedFile",
    "export",
    "export_tables",
    "read_snapshot",
]

PARTITION_ROWS: Final = 5_000
"""Rows read from the database and written to the file at a time."""

PERSONAL_DATA_REMINDER: Final = (
    "Huom: vienti sisältää asiakastietoja (henkilötietoja). Käsittele, säilytä ja hävitä "
    "tiedostot asiakastietoina."
)


class ExportFormat(StrEnum):
    """File format of an export (vientimuoto)."""

    CSV = "csv"
    JSONL = "jsonl"
    PARQUET = "parquet"


@dataclass(frozen=True)
class ExportedFile:
    """One written file (viety tiedosto): the table, where it went, how many rows."""

    table: str
    path: Path
    rows: int


# --- writers -------------------------------------------------------------------------------


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


class _Writer(Protocol):
    def write(self, rows: Sequence[Sequence[Any]]) -> None: ...

    def close(self) -> None: ...


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


Convert = Callable[[Any], Any]

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


def _owner_only(path: Path, mode: str) -> IO[Any]:
    """Open ``path`` for writing, created with mode 0600: the file holds client data."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    if "b" in mode:
        return os.fdopen(fd, mode)
    return os.fdopen(fd, mode, encoding="utf-8", newline="")


class _CsvWriter:
    def __init__(self, path: Path, table: Table) -> None:
        self._file = _owner_only(path, "w")
        self._csv = csv.writer(self._file)
        self._csv.writerow(column.name for column in table.columns)

    def write(self, rows: Sequence[Sequence[Any]]) -> None:
        self._csv.writerows(rows)

    def close(self) -> None:
        self._file.close()


class _JsonlWriter:
    def __init__(self, path: Path, table: Table) -> None:
        self._file = _owner_only(path, "wb")
        self._names = [str(column.name) for column in table.columns]  # orjson: exact str keys

    def write(self, rows: Sequence[Sequence[Any]]) -> None:
        names = self._names
        self._file.write(
            b"".join(
                orjson.dumps(dict(zip(names, row, strict=True)), option=orjson.OPT_APPEND_NEWLINE)
                for row in rows
            )
        )

    def close(self) -> None:
        self._file.close()


class _ParquetWriter:
    def __init__(self, path: Path, table: Table, pyarrow: _PyArrow) -> None:
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
        self._file = _owner_only(path, "wb")
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

    def close(self) -> None:
        try:
            self._parquet.close()
        finally:
            self._file.close()


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


def _export_table(conn: Connection, table: Table, writer: _Writer, convert: list[Convert]) -> int:
    rows = 0
    result = conn.execute(
        select(table).order_by(*table.primary_key.columns),
        execution_options={"yield_per": PARTITION_ROWS},
    )
    for partition in result.partitions():
        writer.write(
            [
                [f(value) for f, value in zip(convert, row, strict=True)]
                for row in partition
            ]
        )
        rows += len(partition)
    return rows


def export_tables(
    views: StoredViews, out: Path, fmt: ExportFormat
) -> tuple[list[ExportedFile], int]:
    """Write one file per table into ``out``; returns the files and the log position.

    Each file is written beside its final name and renamed into place when complete, so a
    failed export never leaves a truncated file under a table's name.
    """
    pyarrow = _pyarrow() if fmt is ExportFormat.PARQUET else None
    files: list[ExportedFile] = []
    with read_snapshot(views) as conn:
        position = _position(conn, views)
        for table in views.tables.all:
            path = out / f"{table.name}.{fmt.value}"
            partial = out / f".{path.name}.partial"
            try:
                writer = _writer(fmt, partial, table, pyarrow)
                try:
                    rows = _export_table(conn, table, writer, _converters(table, fmt))
                finally:
                    writer.close()
                partial.replace(path)
            except BaseException:
                partial.unlink(missing_ok=True)
                raise
            files.append(ExportedFile(table=table.name, path=path, rows=rows))
    return files, position


def _writer(fmt: ExportFormat, path: Path, table: Table, pyarrow: _PyArrow | None) -> _Writer:
    if fmt is ExportFormat.PARQUET:
        return _ParquetWriter(path, table, pyarrow or _pyarrow())
    if fmt is ExportFormat.JSONL:
        return _JsonlWriter(path, table)
    return _CsvWriter(path, table)


# --- the command -----------------------------------------------------------------------------


def _export_format(value: str) -> ExportFormat:
    try:
        return ExportFormat(value.lower())
    except ValueError:
        choices = ", ".join(f.value for f in ExportFormat)
        raise ConfigurationError(f"unknown export format {value!r}: use {choices}") from None


def _output_directory(out: Path) -> Path:
    """``out``, created (mode 0700) if missing; refused if it cannot be written."""
    try:
        out.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigurationError(f"cannot create --out {out}: {type(exc).__name__}") from None
    if not out.is_dir() or not os.access(out, os.W_OK | os.X_OK):
        raise ConfigurationError(f"cannot write to --out {out}")
    return out


def _render(files: Sequence[ExportedFile], position: int) -> RenderableType:
    table = titled_table(f"Vienti (tapahtumalokin kohta {position})", "Taulu", "Tiedosto", "Rivejä")
    table.columns[2].justify = "right"
    for file in files:
        table.add_row(plain(file.table), plain(str(file.path)), str(file.rows))
    return table


def export(
    out: Annotated[
        Path, typer.Option("--out", help="Hakemisto, johon tiedostot kirjoitetaan (luodaan).")
    ],
    url: StoreUrl = DEFAULT_URL,
    fmt: Annotated[
        str,
        typer.Option("--format", metavar="csv|jsonl|parquet", help="Tiedostomuoto."),
    ] = ExportFormat.CSV.value,
    update: Annotated[
        bool,
        typer.Option(
            "--update/--no-update",
            help="Päivitä näkymät ensin tapahtumalokin tasalle (oletus); --no-update vie "
            "taulut sellaisinaan.",
        ),
    ] = True,
    views_url: ViewsUrl = None,
) -> None:
    r"""Vie raportointinäkymien viisi taulua tiedostoiksi (csv, jsonl tai parquet).

    Päivittää ensin näkymät tapahtumalokin tasalle (ellei --no-update), ja kirjoittaa
    sitten yhden tiedoston kustakin taulusta hakemistoon --out: perhetyo_cases,
    perhetyo_goals, perhetyo_services, perhetyo_goal_updates ja perhetyo_audit_entries.
    Kaikki tiedostot luetaan samasta tilannekuvasta. parquet vaatii pyarrow-paketin
    (pip install 'perhetyo\[reporting]'). Tiedostot sisältävät asiakastietoja.
    """
    export_format = _export_format(fmt)
    if export_format is ExportFormat.PARQUET:
        _pyarrow()  # refuse before any work
    require_existing_store(url)
    directory = _output_directory(out)
    with FamilyCases(url, views_url=views_url) as cases:
        if update:
            catch_up(cases)
        try:
            files, position = export_tables(cases.stored_views, directory, export_format)
        except SQLAlchemyError as exc:
            raise StorageError(f"the views database failed: {type(exc).__name__}") from exc
        except OSError as exc:
            raise StorageError(f"cannot write to --out {out}: {type(exc).__name__}") from exc
    console = make_console()
    console.print(_render(files, position))
    console.print(plain(PERSONAL_DATA_REMINDER, "bold yellow"), soft_wrap=True)

"""File formats (tiedostomuodot): CSV, JSONL and parquet writers for the exported tables.

Values keep their stored form: ids and enumerations as text, dates ISO (``2020-08-12``),
record times UTC ISO (``2020-08-12T08:40:00+00:00``). JSON columns are JSON text in CSV and
parquet and nested objects in JSONL; parquet has typed columns (``date32``,
``timestamp[us, UTC]``, ``int64``, ``bool``) and needs pyarrow (the ``reporting`` extra), imported
only for a parquet export.

In CSV only, a text cell that a spreadsheet would read as a formula (starting with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return) gets a leading ``'`` (OWASP's advice
against CSV injection), and so does a cell already starting with ``'``, so that dropping
one leading ``'`` (:func:`unescape_csv_cell`) always gives the stored value. JSONL and
parquet keep every value exactly.

A writer owns one file descriptor: it writes rows in partitions, then ``finish`` makes
the file complete and durable, or ``close`` abandons it.
"""

from __future__ import annotations

import abc
import contextlib
import csv
import importlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from types import ModuleType
from typing import IO, Any, Final

import orjson
from sqlalchemy import JSON, Boolean, Date, DateTime, Integer, Table

from perhetyo.errors import ConfigurationError

__all__ = [
    "Convert",
    "ExportFormat",
    "PyArrow",
    "Writer",
    "converters",
    "escape_csv_cell",
    "export_format",
    "pyarrow_modules",
    "unescape_csv_cell",
    "writer_for",
]


class ExportFormat(StrEnum):
    """File format of an export (vientimuoto)."""

    CSV = "csv"
    JSONL = "jsonl"
    PARQUET = "parquet"


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
class PyArrow:
    """pyarrow and pyarrow.parquet (pyarrow-moduulit), imported on demand."""

    arrow: ModuleType
    parquet: ModuleType


def pyarrow_modules() -> PyArrow:
    """pyarrow (the optional ``reporting`` extra), imported only for a parquet export."""
    try:
        return PyArrow(
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
        pyarrow_modules()
    return fmt


# --- values and writers ---------------------------------------------------------------------

Convert = Callable[[Any], Any]
"""How one column's stored value becomes the value a format writes."""


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
    if isinstance(column_type, Boolean):
        return "boolean"
    return "text"


def converters(table: Table, fmt: ExportFormat) -> list[Convert]:
    """One conversion per column of ``table`` (muunnokset), for the format ``fmt``."""
    by_kind = _CONVERSIONS[fmt]
    return [by_kind.get(_kind(column.type), _same) for column in table.columns]


class Writer(abc.ABC):
    """One table's file: rows in partitions, then ``finish`` (on disk) or ``close`` (abort)."""

    def __init__(self, file: IO[Any]) -> None:
        self._file = file

    @abc.abstractmethod
    def write(self, rows: Sequence[Sequence[Any]]) -> None:
        """Write one partition of rows (each format writes them its own way)."""

    def finish(self) -> None:
        """Complete the file and make it durable before it is renamed into place."""
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()

    def close(self) -> None:
        self._file.close()


class _CsvWriter(Writer):
    def __init__(self, fd: int, table: Table) -> None:
        super().__init__(os.fdopen(fd, "w", encoding="utf-8", newline=""))
        self._csv = csv.writer(self._file)
        self._csv.writerow(column.name for column in table.columns)

    def write(self, rows: Sequence[Sequence[Any]]) -> None:
        self._csv.writerows([_csv_cell(value) for value in row] for row in rows)


class _JsonlWriter(Writer):
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


class _ParquetWriter(Writer):
    def __init__(self, fd: int, table: Table, pyarrow: PyArrow) -> None:
        super().__init__(os.fdopen(fd, "wb"))
        self._pa = pa = pyarrow.arrow
        types = {
            "datetime": pa.timestamp("us", tz="UTC"),
            "date": pa.date32(),
            "integer": pa.int64(),
            "boolean": pa.bool_(),
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


def writer_for(fmt: ExportFormat, fd: int, table: Table, pyarrow: PyArrow | None) -> Writer:
    """The writer of one table; it owns ``fd`` from here on, even if it fails to start."""
    try:
        if fmt is ExportFormat.PARQUET:
            return _ParquetWriter(fd, table, pyarrow or pyarrow_modules())
        if fmt is ExportFormat.JSONL:
            return _JsonlWriter(fd, table)
        return _CsvWriter(fd, table)
    except BaseException:
        with contextlib.suppress(OSError):
            os.close(fd)  # already closed if its file object was made
        raise

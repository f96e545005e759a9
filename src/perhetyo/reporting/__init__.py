"""Reporting (raportointi): what leaves the store for reporting tools, without a command line.

- :mod:`~perhetyo.reporting.export`: the stored tables as CSV, JSONL or parquet files,
  from one read snapshot (:func:`export_tables`);
- :mod:`~perhetyo.reporting.formats`: the writers of each format, and the escaping of CSV
  cells a spreadsheet would run as formulas;
- :mod:`~perhetyo.reporting.files`: where and how the files are created (a private
  directory; each file exclusively, owner-only, never through a link);
- :mod:`~perhetyo.reporting.case_report`: the case report (asiakasraportti) as one
  self-contained HTML page (:func:`render_case_report`), its charts drawn as SVG by
  :mod:`~perhetyo.reporting.svg`.

Nothing here imports Typer or Rich: a reporting pipeline calls these functions directly,
and ``perhetyo export`` is a thin shell over them.
"""

from perhetyo.reporting.case_report import render_case_report
from perhetyo.reporting.export import (
    PARTITION_ROWS,
    ExportedFile,
    ExportFormat,
    escape_csv_cell,
    export_format,
    export_tables,
    output_directory,
    read_snapshot,
    unescape_csv_cell,
)

__all__ = [
    "PARTITION_ROWS",
    "ExportFormat",
    "ExportedFile",
    "escape_csv_cell",
    "export_format",
    "export_tables",
    "output_directory",
    "read_snapshot",
    "render_case_report",
    "unescape_csv_cell",
]

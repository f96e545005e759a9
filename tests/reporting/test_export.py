"""The export as a library function: no command line, safe files, CSV cells escaped."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from uuid import UUID

import orjson
import pytest
from sqlalchemy import select

from perhetyo import AccessAction, ConfigurationError, FamilyCases, GoalStatus
from perhetyo.projections.sql import TABLE_NAMES
from perhetyo.reporting import (
    ExportedFile,
    ExportFormat,
    escape_csv_cell,
    export_format,
    export_tables,
    output_directory,
    unescape_csv_cell,
)
from perhetyo.testing import FakeClock, an_actor, open_sample_case

EXPORTER = an_actor("reporter-1")

_TEXTS = ("=1+1", "+358 40 000", "-1 poissaolo", "@SUM(A1)", "\tsarkain", "\rrivi", "'lainaus")


@pytest.fixture
def cases() -> Iterator[FamilyCases]:
    """An in-memory store with one case, one goal and one update; its views caught up."""
    with FamilyCases("memory://", clock=FakeClock()) as store:
        case_id = open_sample_case(store)
        goal_id = store.set_goal(case_id, description="=HYPERLINK(\"x\")",
                                 set_on=date(2020, 8, 19), actor=an_actor())
        store.update_goal(case_id, goal_id, status=GoalStatus.IN_PROGRESS, progress=5,
                          note="-5 kg, @koulu", updated_on=date(2020, 9, 1), actor=an_actor())
        store.update_projections()
        yield store


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def test_the_reporting_package_imports_neither_typer_nor_rich() -> None:
    code = (
        "import sys, perhetyo.reporting; "
        "print(sorted(m for m in ('typer', 'rich', 'click') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )

    assert result.stdout.strip() == "[]"


def test_export_tables_writes_a_file_per_table_from_the_store_or_its_views(
    cases: FamilyCases, tmp_path: Path
) -> None:
    from_store = export_tables(cases, tmp_path / "a", actor=EXPORTER)
    from_views = export_tables(cases.stored_views, tmp_path / "b", ExportFormat.JSONL)

    assert [f.table for f in from_store] == list(TABLE_NAMES)
    assert from_store[0] == ExportedFile(
        table="perhetyo_cases", path=tmp_path / "a" / "perhetyo_cases.csv", rows=1, position=3
    )
    assert [(f.rows, f.position) for f in from_views] == [(f.rows, f.position) for f in from_store]
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == sorted(
        f"{name}.jsonl" for name in TABLE_NAMES
    )


def test_csv_escapes_formula_text_and_jsonl_keeps_it_exactly(
    cases: FamilyCases, tmp_path: Path
) -> None:
    export_tables(cases, tmp_path / "csv", "csv", actor=EXPORTER)
    export_tables(cases, tmp_path / "jsonl", "jsonl", actor=EXPORTER)

    (goal,) = _csv_rows(tmp_path / "csv" / "perhetyo_goals.csv")
    (update,) = _csv_rows(tmp_path / "csv" / "perhetyo_goal_updates.csv")
    assert (goal["description"], update["note"]) == ("'=HYPERLINK(\"x\")", "'-5 kg, @koulu")
    assert unescape_csv_cell(goal["description"]) == "=HYPERLINK(\"x\")"
    (exact,) = [
        orjson.loads(line)
        for line in (tmp_path / "jsonl" / "perhetyo_goals.jsonl").read_bytes().splitlines()
    ]
    assert exact["description"] == "=HYPERLINK(\"x\")"


@pytest.mark.parametrize("text", [*_TEXTS, "tavallinen", "a=b", "", "''"])
def test_escaping_a_csv_cell_can_always_be_undone(text: str) -> None:
    escaped = escape_csv_cell(text)

    assert unescape_csv_cell(escaped) == text
    assert not escaped.startswith(("=", "+", "-", "@", "\t", "\r"))


@pytest.mark.parametrize("text", _TEXTS)
def test_a_cell_a_spreadsheet_would_read_as_a_formula_gets_one_leading_quote(text: str) -> None:
    assert escape_csv_cell(text) == f"'{text}"


def test_a_second_export_replaces_the_files_and_leaves_no_temporary_ones(
    cases: FamilyCases, tmp_path: Path
) -> None:
    export_tables(cases, tmp_path, actor=EXPORTER)
    open_sample_case(cases)
    cases.update_projections()

    export_tables(cases, tmp_path, actor=EXPORTER)

    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{n}.csv" for n in TABLE_NAMES)
    assert len(_csv_rows(tmp_path / "perhetyo_cases.csv")) == 2


def test_a_refused_export_leaves_the_previous_files_as_they_were(
    cases: FamilyCases, tmp_path: Path
) -> None:
    export_tables(cases, tmp_path, actor=EXPORTER)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    open_sample_case(cases)
    cases.update_projections()
    planted = tmp_path / ".perhetyo_audit_entries.csv.partial"
    planted.write_text("planted")

    with pytest.raises(ConfigurationError, match="already in the export directory"):
        export_tables(cases, tmp_path, actor=EXPORTER)

    planted.unlink()
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_created_directories_and_files_get_exact_modes_whatever_the_umask(
    cases: FamilyCases, tmp_path: Path
) -> None:
    previous = os.umask(0)
    try:
        export_tables(cases, tmp_path / "new" / "out", actor=EXPORTER)
    finally:
        os.umask(previous)

    assert (tmp_path / "new").stat().st_mode & 0o7777 == 0o700
    assert (tmp_path / "new" / "out").stat().st_mode & 0o7777 == 0o700
    assert {p.stat().st_mode & 0o7777 for p in (tmp_path / "new" / "out").iterdir()} == {0o600}


def test_output_directory_refuses_temporary_files_of_the_chosen_format_only(
    tmp_path: Path,
) -> None:
    (tmp_path / ".perhetyo_goals.jsonl.partial").symlink_to(tmp_path / "elsewhere")

    assert output_directory(tmp_path, "csv") == tmp_path
    with pytest.raises(ConfigurationError, match=r"\.perhetyo_goals\.jsonl\.partial"):
        output_directory(tmp_path, "jsonl")


def test_an_unknown_format_is_refused_before_any_directory_is_made(
    cases: FamilyCases, tmp_path: Path
) -> None:
    with pytest.raises(ConfigurationError, match="unknown export format 'xml'"):
        export_tables(cases, tmp_path / "x", "xml", actor=EXPORTER)

    assert not (tmp_path / "x").exists()
    assert export_format("JSONL") is ExportFormat.JSONL


def test_an_export_logs_one_entry_per_case_it_holds_and_none_without_an_actor(
    cases: FamilyCases, tmp_path: Path
) -> None:
    second = open_sample_case(cases)
    cases.update_projections()
    [first] = [case_id for case_id in _case_ids(cases) if case_id != second]

    with pytest.raises(ConfigurationError):
        export_tables(cases, tmp_path / "refused")
    export_tables(cases, tmp_path / "logged", purpose="Vuosiraportti", actor=EXPORTER)

    for case_id in (first, second):
        entries = cases.access_log(case_id, actor=an_actor())
        exports = [entry for entry in entries if entry.action is AccessAction.EXPORT]
        assert [(e.actor_id, e.purpose) for e in exports] == [("reporter-1", "Vuosiraportti")]
    assert not (tmp_path / "refused").exists()


def _case_ids(cases: FamilyCases) -> list[UUID]:
    views = cases.stored_views
    with views.engine.connect() as conn:
        ids = conn.execute(select(views.tables.cases.c.case_id)).scalars()
        return [UUID(value) for value in ids]

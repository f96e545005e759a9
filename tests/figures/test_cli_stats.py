"""``perhetyo stats`` and ``perhetyo caseload`` (tilastokomennot): formats and clean errors."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from figures.helpers import READER
from figures.year import clock_after, generate_year
from perhetyo import Caseload, FamilyCases, YearStatistics
from perhetyo.cli import ERROR_EXIT_CODE, app
from perhetyo.cli.stats import statistics_rows

_ENV: Mapping[str, str | None] = {
    "COLUMNS": "200",
    "NO_COLOR": "1",
    "FORCE_COLOR": None,
    "TTY_COMPATIBLE": None,
    "PERHETYO_URL": None,
    "PERHETYO_VIEWS_URL": None,
    "PERHETYO_ACTOR": None,
}
MARKER = "QxFigureCliMarker"


def _run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), env=dict(_ENV))


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite store with 40 generated cases touching 2024 (names carry the marker)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('stats') / 'cases.db'}"
    with FamilyCases(url, clock=clock_after(2024)) as cases:
        generate_year(cases, year=2024, n_cases=40, marker=MARKER)
    return url


def _library(url: str) -> tuple[YearStatistics, list[Caseload]]:
    with FamilyCases(url) as cases:
        return (
            cases.statistics(year=2024, actor=READER),
            cases.caseload(on=date(2024, 12, 31), actor=READER),
        )


def test_stats_as_json_is_the_library_read_model(store: str) -> None:
    result = _run("stats", "--url", store, "--year", "2024", "--format", "json")
    assert result.exit_code == 0, result.output
    figures, _ = _library(store)
    assert json.loads(result.stdout) == figures.model_dump(mode="json")


def test_stats_as_csv_is_one_figure_a_row_with_finnish_names(store: str) -> None:
    result = _run("stats", "--url", store, "--year", "2024", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["koodi", "tunnusluku", "arvo"]
    figures, _ = _library(store)
    expected = statistics_rows(figures)
    assert [row[0] for row in rows[1:]] == [code for code, _, _ in expected]
    by_code = {row[0]: row for row in rows[1:]}
    assert by_code["children"][1:] == [
        "lapsia asiakkuudessa vuoden aikana", str(figures.children)
    ]
    assert by_code["services.family_work.ordered"][1] == "perhetyö: tilattu"
    assert by_code["assessments.2.start_share"][1] == "2. puolivuotis: aloitettu määräajassa, osuus"


def test_stats_as_a_table_has_finnish_headings(store: str) -> None:
    result = _run("stats", "--url", store, "--year", "2024")
    assert result.exit_code == 0, result.output
    for heading in (
        "Vuositilasto 2024",
        "Lapsia asiakkuudessa vuoden aikana",
        "Päättyneitä: täysi-ikäistynyt",
        "Palvelut",
        "perhekuntoutus",
        "Palvelutarpeen arvioinnin määräajat",
        "1/2024",
        "2/2024",
        "Aloitettu määräajassa, osuus",
    ):
        assert heading in result.stdout


def test_a_year_with_no_cases_prints_zeros(store: str) -> None:
    result = _run("stats", "--url", store, "--year", "2010", "--format", "json")
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert figures["children"] == figures["cases_opened"] == 0
    assert figures["median_relationship_days"] is None


def test_caseload_in_each_format(store: str) -> None:
    _, loads = _library(store)
    as_json = _run("caseload", "--url", store, "--on", "2024-12-31", "--format", "json")
    assert json.loads(as_json.stdout) == [load.model_dump(mode="json") for load in loads]
    as_csv = _run("caseload", "--url", store, "--on", "2024-12-31", "--format", "csv")
    rows = list(csv.reader(io.StringIO(as_csv.stdout)))
    assert rows[0] == ["tyontekija", "lapsia", "lastensuojelun_lapsia", "perheita", "yli_rajan"]
    assert len(rows) == 1 + len(loads)
    assert {row[4] for row in rows[1:]} <= {"true", "false"}
    limited = _run("caseload", "--url", store, "--on", "2024-12-31", "--limit", "0")
    assert limited.exit_code == 0, limited.output
    assert "Asiakasmäärät 31.12.2024 (raja 0 lastensuojelun lasta)" in limited.stdout
    assert "kyllä" in limited.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("stats", "--year", "0"),
        ("stats", "--year", "2024", "--format", "xml"),
        ("stats", "--year", "2999"),
        ("caseload", "--on", "31.12.2024"),
        ("caseload", "--on", "2024-12-31", "--limit", "-1"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_two(store: str, args: tuple[str, ...]) -> None:
    result = _run(*args, "--url", store)
    assert result.exit_code == ERROR_EXIT_CODE
    assert result.stderr.startswith("perhetyo: virhe [")
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_missing_store_is_refused(tmp_path: Path) -> None:
    result = _run("stats", "--url", f"sqlite:///{tmp_path / 'none.db'}", "--year", "2024")
    assert result.exit_code == ERROR_EXIT_CODE
    assert "configuration_error" in result.stderr


def test_no_name_or_text_reaches_the_output_even_at_debug(store: str) -> None:
    outputs = [
        _run("-vv", command, "--url", store, *extra, "--format", fmt)
        for command, extra in (
            ("stats", ("--year", "2024")),
            ("caseload", ("--on", "2024-12-31")),
        )
        for fmt in ("table", "csv", "json")
    ]
    for result in outputs:
        assert result.exit_code == 0, result.output
        assert MARKER not in result.stdout + result.stderr

"""``perhetyo report`` (raporttikomento): the page written owner-only, the read logged once."""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path
from uuid import UUID

import pytest
from typer.testing import CliRunner, Result

from perhetyo import AccessAction, FamilyCases
from perhetyo.cli import ERROR_EXIT_CODE, app
from perhetyo.cli.report import write_private_file
from perhetyo.errors import ConfigurationError
from perhetyo.testing import DEMO_READER, StoryClock, record_demo_story

_ENV: Mapping[str, str | None] = {
    "COLUMNS": "200",
    "NO_COLOR": "1",
    "FORCE_COLOR": None,
    "TTY_COMPATIBLE": None,
    "PERHETYO_URL": None,
    "PERHETYO_ACTOR": None,
}


def _run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), env=dict(_ENV))


@pytest.fixture
def store(tmp_path: Path) -> tuple[str, UUID]:
    """A SQLite file holding the demo story, and the story's case id."""
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    clock = StoryClock()
    with FamilyCases(url, clock=clock) as cases:
        return url, record_demo_story(cases, clock)


def _report_reads(url: str, case_id: UUID) -> int:
    with FamilyCases(url) as cases:
        entries = cases.access_log(case_id, actor=DEMO_READER)
    return sum(entry.action is AccessAction.REPORT for entry in entries)


def test_the_report_command_writes_the_page_owner_only_and_logs_one_read(
    store: tuple[str, UUID], tmp_path: Path
) -> None:
    url, case_id = store
    out = tmp_path / "raportti.html"

    result = _run("report", str(case_id), "--url", url, "--actor", "sw-9", "--out", str(out),
                  "--purpose", "tulostus")

    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "Eetu K." in page
    assert str(out) in result.output
    assert "Eetu K." not in result.output  # the console shows where, not what
    assert _report_reads(url, case_id) == 1


def test_an_existing_file_is_refused_before_the_read_unless_replaced(
    store: tuple[str, UUID], tmp_path: Path
) -> None:
    url, case_id = store
    out = tmp_path / "raportti.html"
    out.write_text("aiempi", encoding="utf-8")
    os.chmod(out, 0o644)
    args = ("report", str(case_id), "--url", url, "--actor", "sw-9", "--out", str(out))

    refused = _run(*args)

    assert refused.exit_code == ERROR_EXIT_CODE
    assert "configuration_error" in refused.output
    assert out.read_text(encoding="utf-8") == "aiempi"
    assert _report_reads(url, case_id) == 0

    replaced = _run(*args, "--replace", "--on", "2020-10-01")

    assert replaced.exit_code == 0, replaced.output
    assert "tilanne 1.10.2020" in out.read_text(encoding="utf-8")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_a_link_at_the_out_path_is_never_followed(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.txt"
    target.write_text("ei saa muuttua", encoding="utf-8")
    link = tmp_path / "raportti.html"
    link.symlink_to(target)

    with pytest.raises(ConfigurationError):
        write_private_file(link, "<p>sivu</p>")

    write_private_file(link, "<p>sivu</p>", replace=True)

    assert target.read_text(encoding="utf-8") == "ei saa muuttua"
    assert not link.is_symlink()
    assert link.read_text(encoding="utf-8") == "<p>sivu</p>"


@pytest.mark.parametrize(
    ("case", "message"),
    [("not-a-uuid", "CASE_ID must be a case id"), (str(UUID(int=7)), "case_not_found")],
)
def test_a_bad_or_unknown_case_id_is_one_clean_line(
    store: tuple[str, UUID], tmp_path: Path, case: str, message: str
) -> None:
    url, _ = store
    out = tmp_path / "raportti.html"

    result = _run("report", case, "--url", url, "--actor", "sw-9", "--out", str(out))

    assert result.exit_code == ERROR_EXIT_CODE
    assert message in result.output
    assert "Traceback" not in result.output
    assert not out.exists()

"""``perhetyo verify`` and ``perhetyo retention erase-due`` (eheys ja säilytysajat)."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from uuid import UUID

import pytest
from typer.testing import CliRunner, Result

from perhetyo import CaseErasedError, ClosureReason, FamilyCases, MasterKeyError, generate_key
from perhetyo.cli import ERROR_EXIT_CODE, app
from perhetyo.cli.integrity import BROKEN_EXIT_CODE
from perhetyo.testing import FakeClock, a_child, an_actor, open_sample_case

_ENV: Mapping[str, str | None] = {
    "COLUMNS": "200",
    "NO_COLOR": "1",
    "FORCE_COLOR": None,
    "PERHETYO_URL": None,
}
_NAME = "Tiina-Testilapsi"


def _run(*args: str, env: Mapping[str, str | None] | None = None) -> Result:
    return CliRunner().invoke(app, list(args), env={**_ENV, **(env or {})})


def _store(tmp_path: Path, master_key: str | None = None) -> tuple[str, list[str]]:
    url = f"sqlite:///{tmp_path / 'cases.db'}"
    with FamilyCases(url, clock=FakeClock(), master_key=master_key) as cases:
        ids = [
            open_sample_case(
                cases, children=(a_child("child-1").model_copy(update={"display_name": _NAME}),)
            ),
            open_sample_case(cases),
        ]
        cases.close_case(
            ids[0],
            closed_on=date(2020, 12, 1),
            reason=ClosureReason.NO_LONGER_NEEDED,
            child_views={"child-1": "Hyvä"},
            actor=an_actor(),
        )
    return url, [str(case_id) for case_id in ids]


def test_verify_prints_the_counts_anchors_heads_and_exits_1_when_the_tail_is_gone(
    tmp_path: Path,
) -> None:
    url, (closed, _) = _store(tmp_path)
    heads = tmp_path / "heads.json"

    ok = _run("verify", "--url", url, "--write-heads", str(heads))

    assert ok.exit_code == 0, ok.output
    assert "Tarkistettu: 2 asiakkuutta, 3 tapahtumaa" in ok.output
    assert "Kunnossa" in ok.output
    assert "SHA-256 ilman avainta" in ok.output
    assert closed in heads.read_text()
    again = _run("verify", "--url", url, "--write-heads", str(heads))
    assert again.exit_code == ERROR_EXIT_CODE  # an anchored file is never overwritten

    with contextlib.closing(sqlite3.connect(tmp_path / "cases.db")) as db, db:
        db.execute("DELETE FROM stored_events WHERE originator_version = 2")
    assert _run("verify", "--url", url).exit_code == 0  # the chain alone cannot tell
    broken = _run("verify", "--url", url, "--heads", str(heads))

    assert broken.exit_code == BROKEN_EXIT_CODE, broken.output
    assert f"asiakkuus {closed} tapahtuma 2" in broken.output
    assert _NAME not in broken.output
    one = _run("verify", "--url", url, "--case", closed, "--heads", str(heads))
    assert one.exit_code == BROKEN_EXIT_CODE
    assert "Tarkistettu: 1 asiakkuutta, 1 tapahtumaa" in one.output


def test_verify_refuses_a_bad_case_id_and_a_file_that_is_not_heads(tmp_path: Path) -> None:
    url, _ = _store(tmp_path)
    (tmp_path / "x.json").write_text("{}")

    assert _run("verify", "--url", url, "--case", "nope").exit_code == ERROR_EXIT_CODE
    bad = _run("verify", "--url", url, "--heads", str(tmp_path / "x.json"))
    assert bad.exit_code == ERROR_EXIT_CODE
    assert "[configuration_error]" in bad.output


def test_retention_dry_run_lists_due_cases_and_erasing_needs_the_master_key(
    tmp_path: Path,
) -> None:
    url, (closed, still_open) = _store(tmp_path)

    early = _run("retention", "erase-due", "--url", url, "--on", "2050-11-30", "--dry-run")
    due = _run("retention", "erase-due", "--url", url, "--on", "2050-12-01", "--dry-run")
    refused = _run("retention", "erase-due", "--url", url, "--on", "2050-12-01")

    assert early.exit_code == 0, early.output
    assert closed not in early.output
    assert due.exit_code == 0, due.output
    assert closed in due.output
    assert "social_welfare_act" in due.output
    assert "2020-12-01" in due.output
    assert still_open not in due.output
    assert _NAME not in due.output
    assert refused.exit_code == ERROR_EXIT_CODE


def test_retention_erase_due_erases_the_due_cases_then_rotates_the_master_key(
    tmp_path: Path,
) -> None:
    old, new = generate_key(), generate_key()
    url, (closed, still_open) = _store(tmp_path, master_key=old)
    keys = {"PERHETYO_MASTER_KEY": old, "PERHETYO_NEW_MASTER_KEY": new}

    erased = _run("retention", "erase-due", "--url", url, "--on", "2050-12-01", env=keys)

    assert erased.exit_code == 0, erased.output
    assert closed in erased.output
    assert "hävitetty 1; pääavain vaihdettu" in erased.output
    with pytest.raises(MasterKeyError):
        FamilyCases(url, master_key=old)
    with FamilyCases(url, master_key=new) as cases:
        with pytest.raises(CaseErasedError):
            cases.current_plan(UUID(closed), actor=an_actor())
        assert cases.current_plan(UUID(still_open), actor=an_actor()).status.value == "open"
        assert cases.retention_due(actor=an_actor(), on=date(2050, 12, 1)) == []
    again = _run(
        "retention",
        "erase-due",
        "--url",
        url,
        "--on",
        "2050-12-01",
        "--dry-run",
        env={"PERHETYO_MASTER_KEY": new},
    )
    assert again.exit_code == 0, again.output
    assert closed not in again.output

"""The command line's keys (avaimet komentorivillä): rotate-key and demo --encrypted.

Keys come from the environment or standard input, never from the arguments; the demo says
where its key came from and prints the key only when asked.
"""

from __future__ import annotations

import stat
from collections.abc import Mapping
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from perhetyo import FamilyCases, MasterKeyError, generate_key
from perhetyo.cli import ERROR_EXIT_CODE, app
from perhetyo.testing import FakeClock, open_sample_case

_ENV: Mapping[str, str | None] = {
    "COLUMNS": "200",
    "NO_COLOR": "1",
    "PERHETYO_URL": None,
    "PERHETYO_MASTER_KEY": None,
    "PERHETYO_NEW_MASTER_KEY": None,
}


def _run(*args: str, env: Mapping[str, str | None] | None = None, stdin: str = "") -> Result:
    return CliRunner().invoke(app, list(args), env={**_ENV, **(env or {})}, input=stdin)


@pytest.fixture
def store(tmp_path: Path) -> tuple[str, str]:
    """An encrypted SQLite store with one case, and its master key."""
    url, key = f"sqlite:///{tmp_path / 'cases.db'}", generate_key()
    with FamilyCases(url, clock=FakeClock(), master_key=key) as cases:
        open_sample_case(cases)
    return url, key


def _opens(url: str, key: str) -> bool:
    try:
        with FamilyCases(url, master_key=key) as cases:
            return cases.encrypted
    except MasterKeyError:
        return False


def test_rotate_key_takes_both_keys_from_the_environment(store: tuple[str, str]) -> None:
    url, old = store
    new = generate_key()
    result = _run(
        "rotate-key", "--url", url,
        env={"PERHETYO_MASTER_KEY": old, "PERHETYO_NEW_MASTER_KEY": new},
    )
    assert result.exit_code == 0, result.output
    assert "3 avainta" in result.output  # the case's key and the two store secrets
    assert old not in result.output
    assert new not in result.output
    assert _opens(url, new)
    assert not _opens(url, old)


def test_rotate_key_reads_keys_missing_from_the_environment_from_stdin(
    store: tuple[str, str],
) -> None:
    url, old = store
    new = generate_key()
    result = _run("rotate-key", "--url", url, stdin=f"{old}\n{new}\n")
    assert result.exit_code == 0, result.output
    assert _opens(url, new)
    assert not _opens(url, old)


def test_rotate_key_generate_prints_only_the_new_key_on_stdout(store: tuple[str, str]) -> None:
    url, old = store
    result = CliRunner().invoke(
        app, ["rotate-key", "--url", url, "--generate"], env={**_ENV, "PERHETYO_MASTER_KEY": old}
    )
    assert result.exit_code == 0, result.output
    new = result.stdout.strip()
    assert len(new.splitlines()) == 1
    assert _opens(url, new)
    assert not _opens(url, old)


def test_rotate_key_without_keys_or_with_a_wrong_one_exits_2_and_changes_nothing(
    store: tuple[str, str],
) -> None:
    url, old = store
    for stdin in ("", f"{generate_key()}\n{generate_key()}\n"):
        result = _run("rotate-key", "--url", url, stdin=stdin)
        assert result.exit_code == ERROR_EXIT_CODE
        assert "[master_key]" in result.output
    assert _opens(url, old)


def test_demo_encrypted_makes_a_private_key_file_and_never_prints_the_key_unasked(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    first = _run("demo", "--encrypted", "--url", url)
    assert first.exit_code == 0, first.output
    key_file = tmp_path / "demo.db.key"
    key = key_file.read_text(encoding="ascii").strip()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert "luotiin nyt tiedostoon" in first.output
    assert key not in first.output
    assert b"Eetu K." not in (tmp_path / "demo.db").read_bytes()

    again = _run("demo", "--encrypted", "--show-key", "--url", url)
    assert again.exit_code == 0, again.output
    assert "tiedostosta" in again.output
    assert key in again.output
    with FamilyCases(url, master_key=key) as cases:
        assert cases.encrypted

    from_environment = _run(
        "demo", "--encrypted", "--url", url, env={"PERHETYO_MASTER_KEY": key}
    )
    assert "ympäristömuuttujasta PERHETYO_MASTER_KEY" in from_environment.output


def test_the_plain_demo_still_records_unencrypted(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    result = _run("demo", "--url", url)
    assert result.exit_code == 0, result.output
    assert "ei salattu" in result.output
    with FamilyCases(url) as cases:
        assert not cases.encrypted
    assert b"Eetu K." in (tmp_path / "demo.db").read_bytes()


def test_demo_encrypted_on_an_in_memory_store_writes_no_key_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = _run("demo", "--encrypted", "--url", "memory://")
    assert result.exit_code == 0, result.output
    assert "luotiin tätä ajoa varten" in result.output
    assert list(tmp_path.iterdir()) == []

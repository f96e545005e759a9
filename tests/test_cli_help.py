"""The command line's help is Finnish and wraps cleanly; paths in its tables are never cut.

Every page of ``perhetyo ... --help`` is rendered at 80 and at 60 columns: no word of its
help texts is cut or broken across lines, nothing is cut short with an ellipsis, and none
of Typer's English words is left. The export's table keeps every path whole at 60 columns.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner, Result

from perhetyo import __version__
from perhetyo.cli import CommandGroup, FinnishCommand, app
from perhetyo.projections.sql import TABLE_NAMES

WIDTHS = (80, 60)

_ENV: Mapping[str, str | None] = {
    "NO_COLOR": "1",
    "FORCE_COLOR": None,
    "TTY_COMPATIBLE": None,
    "PERHETYO_URL": None,
    "PERHETYO_VIEWS_URL": None,
    "PERHETYO_ACTOR": None,
}

ENGLISH = re.compile(
    r"Usage:|\bOptions\b|\bCommands\b|\bArguments\b|Show this message|\[default:|\[env var:"
    r"|\[required\]|\[OPTIONS\]|COMMAND \[ARGS\]|<(?:bool|str|path|float|int|text)>"
)
"""Typer's and Click's own words, which the Finnish help replaces."""

_FRAME = re.compile(r"[│╭╮╰╯─]")


def _run(*args: str, width: int) -> Result:
    return CliRunner().invoke(app, list(args), env={**_ENV, "COLUMNS": str(width)})


def _pages() -> Iterator[tuple[tuple[str, ...], object]]:
    """Every command and command group of the app, as its argument path and its object."""

    def walk(path: tuple[str, ...], command: object) -> Iterator[tuple[tuple[str, ...], object]]:
        yield path, command
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            yield from walk((*path, name), sub)

    yield from walk((), typer.main.get_command(app))


PAGES = dict(_pages())


def _words(text: str) -> list[str]:
    """The words of a help text as the terminal should show them (Rich's ``\\[`` is ``[``)."""
    return text.replace("\\[", "[").split()


def _source_words(command: object) -> list[str]:
    """Every word the page's own help texts, placeholders and variables hold."""
    words = _words(getattr(command, "help", None) or "")
    for param in getattr(command, "params", []):
        if getattr(param, "hidden", False):
            continue
        words += _words(getattr(param, "help", None) or "")
        words += _words(getattr(param, "metavar", None) or "")
        envvar = getattr(param, "envvar", None)
        if isinstance(envvar, str) and getattr(param, "show_envvar", False):
            words.append(f"{envvar}]")  # shown as [muuttuja: NAME]
    return words


def _label(path: tuple[str, ...]) -> str:
    return " ".join(("perhetyo", *path))


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", list(PAGES), ids=_label)
def test_help_wraps_cleanly_in_finnish(path: tuple[str, ...], width: int) -> None:
    result = _run(*path, "--help", width=width)
    assert result.exit_code == 0, result.output
    output = result.output

    assert "…" not in output  # nothing cut short
    assert max(len(line) for line in output.splitlines()) <= width
    assert not ENGLISH.findall(output), ENGLISH.findall(output)
    shown_text = " ".join(_FRAME.sub(" ", output).split())
    assert shown_text.startswith("Käyttö: perhetyo")
    assert "--help Näytä tämä ohje ja lopeta." in shown_text
    shown = set(shown_text.split())
    broken = [word for word in _source_words(PAGES[path]) if word not in shown]
    assert not broken, f"cut or broken across lines at {width} columns: {broken}"


@pytest.mark.parametrize("path", list(PAGES), ids=_label)
def test_every_command_is_wired_with_the_finnish_help(path: tuple[str, ...]) -> None:
    command = PAGES[path]
    wanted = CommandGroup if hasattr(command, "commands") else FinnishCommand

    assert isinstance(command, wanted), (
        f"{_label(path)}: wire it with cls={wanted.__name__} (perhetyo.cli.app)"
    )


def test_help_keeps_its_paragraphs_and_reflows_their_lines() -> None:
    output = _run("demo", "--help", width=80).output

    assert "Ajo on toistettavissa" in output  # one paragraph, wrapped at the width
    assert re.search(r"\n *\n Tarina kirjataan", output)  # paragraphs stay apart


def test_version_is_printed_without_a_command() -> None:
    result = _run("--version", width=80)

    assert (result.exit_code, result.output) == (0, f"perhetyo {__version__}\n")


def _column(lines: list[str], header: str, start: str, end: str) -> list[str]:
    """The cells of one column of the export's table, each row's folded lines joined."""
    left, right, counts = header.index(start), header.index(end), header.index("Rivejä")
    rows: list[str] = []
    for line in lines:
        if line[counts:].strip():  # a row starts on the line that shows its count
            rows.append("")
        if rows:
            rows[-1] += line[left:right].strip()
    return rows


def test_export_table_keeps_long_paths_whole_at_60_columns(tmp_path: Path) -> None:
    out = tmp_path / ("a-long-directory-name-for-the-yearly-report-" * 2) / "vienti"
    assert len(str(out)) > 60

    result = _run(
        "export", "--actor", "reporter-1", "--url", "memory://", "--out", str(out), width=60
    )

    assert result.exit_code == 0, result.output
    assert "…" not in result.output
    lines = result.stdout.splitlines()
    at = next(n for n, line in enumerate(lines) if "Tiedosto" in line)
    body = lines[at + 2 :]  # below the header and its rule, above the reminder
    body = body[: next(n for n, line in enumerate(body) if line.startswith("Huom"))]
    paths = _column(body, lines[at], "Tiedosto", "Rivejä")
    names = _column(body, lines[at], "Taulu", "Tiedosto")
    assert paths == [str(out / f"{name}.csv") for name in TABLE_NAMES]
    assert names == list(TABLE_NAMES)

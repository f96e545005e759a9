"""The verify command (eheyden tarkistus): the store against its tamper-evident chain.

::

    perhetyo verify [--url URL] [--case ID] [--heads FILE] [--write-heads FILE]

Prints what :meth:`FamilyCases.verify_integrity` found (counts, the chain's kind, and each
broken case id and version: no personal data) and exits 1 when something is broken.
``--heads`` checks heads anchored outside the database (a file ``--write-heads`` wrote);
``--write-heads`` anchors the heads of a store that verifies (never over an existing file).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Final
from uuid import UUID

import typer

from perhetyo.application import FamilyCases
from perhetyo.cli.app import StoreUrl, make_console, require_existing_store
from perhetyo.cli.render import plain
from perhetyo.errors import ConfigurationError
from perhetyo.persistence import DEFAULT_URL
from perhetyo.persistence.integrity import IntegrityReport, heads_from_json, heads_json

__all__ = ["BROKEN_EXIT_CODE", "render_report", "verify"]

BROKEN_EXIT_CODE: Final = 1
"""Exit code of ``verify`` when an event or an anchored head does not verify."""


def render_report(report: IntegrityReport) -> str:
    """The report as lines of Finnish text: counts, the chain's kind, the broken events."""
    kind = (
        "HMAC-SHA-256 (ketjuavain)"
        if report.keyed
        else "SHA-256 ilman avainta (havaitsee vahingot ja suorat muokkaukset, ei "
        "tarkoituksellista väärennöstä)"
    )
    lines = [
        f"Tarkistettu: {report.cases_checked} asiakkuutta, {report.events_checked} tapahtumaa",
        f"Ennen ketjua tallennettuja (tarkistamattomia) tapahtumia: {report.unchained_events}",
        f"Ketju: {kind}",
    ]
    if report.ok:
        lines.append("Kunnossa: jokainen tapahtuma ja ankkuroitu pää täsmää.")
    else:
        lines.append(f"RIKKI: {len(report.broken)} tapahtumaa ei täsmää:")
        lines.extend(
            f"  asiakkuus {case_id} tapahtuma {version}" for case_id, version in report.broken
        )
    return "\n".join(lines)


def _write_heads(path: Path, report: IntegrityReport) -> None:
    if not report.ok:
        raise ConfigurationError("heads are anchored only from a store that verifies")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    except FileExistsError:
        raise ConfigurationError(f"{path} exists: anchored heads are never overwritten") from None
    except OSError as exc:
        raise ConfigurationError(f"cannot create {path}: {exc.strerror}") from None
    with os.fdopen(fd, "wb") as file:
        file.write(heads_json(report.heads))


def _read_heads(path: Path) -> dict[UUID, tuple[int, str]]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigurationError(f"cannot read {path}: {exc.strerror}") from None
    return heads_from_json(data)


def verify(
    url: StoreUrl = DEFAULT_URL,
    case: Annotated[
        str | None,
        typer.Option("--case", metavar="TUNNISTE", help="Tarkista vain tämä asiakkuus."),
    ] = None,
    heads: Annotated[
        Path | None,
        typer.Option(
            "--heads",
            metavar="TIEDOSTO",
            help="Tiedosto, johon päät on aiemmin ankkuroitu (--write-heads): tarkistaa myös "
            "poistetut uusimmat tapahtumat.",
        ),
    ] = None,
    write_heads: Annotated[
        Path | None,
        typer.Option(
            "--write-heads",
            metavar="TIEDOSTO",
            help="Kirjoita asiakkuuksien päät tähän uuteen tiedostoon ankkuroitaviksi "
            "tietokannan ulkopuolelle (vain kun kaikki täsmää).",
        ),
    ] = None,
) -> None:
    """Tarkista, ettei tallennettuja tapahtumia ole muutettu, poistettu tai siirretty.

    Tulostaa tarkistetut määrät ja jokaisen rikkinäisen tapahtuman asiakkuuden tunnisteen
    ja version (ei asiakastietoja). Poistumiskoodi 1, jos jokin ei täsmää.
    """
    case_id = None
    if case is not None:
        try:
            case_id = UUID(case)
        except ValueError:
            raise ConfigurationError("--case must be a case id (a UUID)") from None
    expected = _read_heads(heads) if heads is not None else None
    require_existing_store(url)
    with FamilyCases(url) as cases:
        report = cases.verify_integrity(case_id, expected_heads=expected)
    make_console().print(plain(render_report(report)), soft_wrap=True)
    if write_heads is not None:
        _write_heads(write_heads, report)
        make_console().print(plain(f"Päät kirjoitettu: {write_heads}"), soft_wrap=True)
    if not report.ok:
        raise typer.Exit(BROKEN_EXIT_CODE)

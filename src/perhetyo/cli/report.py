"""The report command (asiakasraportti): one case's client plan as a printable HTML page.

::

    perhetyo report CASE_ID --out report.html --actor ID [--purpose TEXT] [--on DATE]
                    [--replace] [--url URL]

A thin shell over :meth:`FamilyCases.case_report` (one read of the case, logged once in
the access log by ``--actor``, an opaque id) and
:func:`perhetyo.reporting.render_case_report`. The page holds client data, so the file is
created owner-only (0600) and never through a link: an existing file is refused unless
``--replace`` is given, and then replaced whole (written beside it, renamed over it).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from datetime import datetime
from pathlib import Path
from typing import Annotated, Final
from uuid import UUID

import typer

from perhetyo.application import FamilyCases
from perhetyo.cli.app import StoreUrl, make_console, require_existing_store
from perhetyo.cli.render import plain
from perhetyo.errors import ConfigurationError, StorageError
from perhetyo.persistence import DEFAULT_URL
from perhetyo.reporting import render_case_report
from perhetyo.values import Actor

__all__ = ["REPORT_FILE_MODE", "REPORT_REMINDER", "report", "write_private_file"]

REPORT_FILE_MODE: Final = 0o600
REPORT_REMINDER: Final = (
    "Huom: raportti sisältää asiakastietoja (henkilötietoja). Käsittele, säilytä ja hävitä "
    "se asiakasasiakirjana."
)
_FLAGS: Final = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


def write_private_file(path: Path, text: str, *, replace: bool = False) -> None:
    """Write ``text`` (UTF-8) to a new file ``path``, mode 0600, never through a link.

    An existing ``path`` is refused (:class:`ConfigurationError`) unless ``replace``; then
    the text goes to a new file beside it, renamed over it (a link there is replaced, not
    followed). A failing disk is a :class:`StorageError`.
    """
    target = path
    if replace:
        target = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        fd = os.open(target, _FLAGS, REPORT_FILE_MODE)
    except FileExistsError:
        raise ConfigurationError(
            f"{path} is already there: choose another --out, or give --replace"
        ) from None
    except OSError as exc:
        raise StorageError(f"cannot write the report to {path}: {type(exc).__name__}") from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            os.fchmod(file.fileno(), REPORT_FILE_MODE)  # exactly 0600, whatever the umask
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        if replace:
            os.replace(target, path)
    except OSError as exc:
        if replace:
            with contextlib.suppress(OSError):
                target.unlink()
        raise StorageError(f"cannot write the report to {path}: {type(exc).__name__}") from exc


def report(  # noqa: PLR0917 (typer reads the arguments and options from the signature)
    case: Annotated[str, typer.Argument(metavar="CASE_ID", help="Asiakkuuden tunniste.")],
    out: Annotated[
        Path,
        typer.Option("--out", help="HTML-tiedosto, johon raportti kirjoitetaan (0600)."),
    ],
    actor: Annotated[
        str,
        typer.Option(
            "--actor",
            envvar="PERHETYO_ACTOR",
            show_envvar=True,
            help="Lukijan tunniste (ei nimeä): raportti kirjataan käyttölokiin asiakkuuden "
            "lukemisena.",
        ),
    ],
    url: StoreUrl = DEFAULT_URL,
    purpose: Annotated[
        str | None,
        typer.Option("--purpose", help="Käyttötarkoitus, joka kirjataan käyttölokiin."),
    ] = None,
    on: Annotated[
        datetime | None,
        typer.Option(
            "--on",
            formats=["%Y-%m-%d"],
            help="Raportin päivä (VVVV-KK-PP): mitä siihen mennessä oli tapahtunut, ja "
            "määräaikojen tila silloin. Oletus: tänään, kaikki kirjaukset.",
        ),
    ] = None,
    replace: Annotated[
        bool,
        typer.Option("--replace", help="Korvaa --out, jos se on jo olemassa."),
    ] = False,
) -> None:
    """Kirjoita asiakkuuden asiakassuunnitelma tulostettavaksi HTML-sivuksi.

    Sivulla ovat perustiedot, suunnitelman sisältö ja sovitut asiat, tavoitteet ja niiden
    eteneminen kaaviona, palvelut aikajanalla, tapaamiset, lasten näkemykset, määräajat ja
    muutoshistoria. Lukeminen kirjataan käyttölokiin kerran. Sivu sisältää asiakastietoja;
    tiedosto luodaan vain omistajan luettavaksi (0600).
    """
    try:
        case_id = UUID(case)
    except ValueError:
        raise ConfigurationError("CASE_ID must be a case id (a UUID)") from None
    if out.is_dir():
        raise ConfigurationError(f"--out {out} is a directory: name the HTML file")
    if os.path.lexists(out) and not replace:  # refused before the read, so nothing is logged
        raise ConfigurationError(f"{out} is already there: choose another --out, or give "
                                 "--replace")
    reader = Actor(id=actor, name=actor)  # only the id is logged
    require_existing_store(url)
    with FamilyCases(url) as cases:
        found = cases.case_report(
            case_id, actor=reader, purpose=purpose, on=None if on is None else on.date()
        )
    write_private_file(out, render_case_report(found), replace=replace)
    console = make_console()
    console.print(plain(f"Raportti kirjoitettu: {out}"))
    console.print(plain(REPORT_REMINDER, "bold yellow"), soft_wrap=True)

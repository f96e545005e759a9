"""The export command (vienti): the stored tables as files, for reporting tools.

::

    perhetyo export --out DIR --actor ID [--purpose TEXT] [--format csv|jsonl|parquet]
                    [--no-update] [--url URL]

A thin shell over :func:`perhetyo.reporting.export_tables` (which writes the files
safely: see :mod:`perhetyo.reporting.export`): it refuses a bad format or directory before
any work, catches the views up with a progress bar, exports, and prints what it wrote with
a reminder that the files hold client data. The export is logged as a read of every case
it holds, by ``--actor`` (an opaque id; the access log stores no name).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Final

import typer
from rich.console import RenderableType

from perhetyo.application import FamilyCases
from perhetyo.cli.app import StoreUrl, ViewsUrl, make_console, require_existing_store
from perhetyo.cli.projections import catch_up
from perhetyo.cli.render import plain, titled_table, whole
from perhetyo.persistence import DEFAULT_URL
from perhetyo.reporting import (
    ExportedFile,
    ExportFormat,
    export_format,
    export_tables,
    output_directory,
)
from perhetyo.values import Actor

__all__ = ["PERSONAL_DATA_REMINDER", "export"]

PERSONAL_DATA_REMINDER: Final = (
    "Huom: vienti sisältää asiakastietoja (henkilötietoja). Käsittele, säilytä ja hävitä "
    "tiedostot asiakastietoina."
)


def _render(files: Sequence[ExportedFile]) -> RenderableType:
    position = files[0].position if files else 0
    table = titled_table(f"Vienti (tapahtumalokin kohta {position})", "Taulu", "Tiedosto", "Rivejä")
    table.columns[2].justify = "right"
    for file in files:
        table.add_row(whole(file.table), whole(file.path), str(file.rows))  # never cut
    return table


def export(  # noqa: PLR0917 (typer reads the options from the signature)
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            metavar="HAKEMISTO",
            help="Hakemisto, johon tiedostot kirjoitetaan (luodaan, 0700). Sen on oltava "
            "sinun, eikä muilla saa olla siihen kirjoitusoikeutta.",
        ),
    ],
    actor: Annotated[
        str,
        typer.Option(
            "--actor",
            metavar="TUNNISTE",
            envvar="PERHETYO_ACTOR",
            show_envvar=True,
            help="Viejän tunniste (ei nimeä): vienti kirjataan käyttölokiin jokaisen siinä "
            "olevan asiakkuuden lukemisena.",
        ),
    ],
    url: StoreUrl = DEFAULT_URL,
    purpose: Annotated[
        str | None,
        typer.Option(
            "--purpose", metavar="TEKSTI", help="Käyttötarkoitus, joka kirjataan käyttölokiin."
        ),
    ] = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format", metavar="MUOTO", help="Tiedostomuoto: csv, jsonl tai parquet."
        ),
    ] = ExportFormat.CSV.value,
    no_update: Annotated[
        bool,
        typer.Option(
            "--no-update",
            help="Vie taulut sellaisinaan, päivittämättä niitä ensin tapahtumalokin tasalle.",
        ),
    ] = False,
    update: Annotated[
        bool,
        typer.Option("--update", hidden=True, help="Oletus (aiemmin --update/--no-update)."),
    ] = False,
    views_url: ViewsUrl = None,
) -> None:
    r"""Vie raportointinäkymien taulut tiedostoiksi (csv, jsonl tai parquet).

    Päivittää ensin näkymät tapahtumalokin tasalle (ellei --no-update), ja kirjoittaa
    sitten yhden tiedoston kustakin taulusta (perhetyo_cases, perhetyo_goals, ...)
    hakemistoon --out. Kaikki tiedostot luetaan samasta tilannekuvasta. parquet vaatii
    pyarrow-paketin (pip install 'perhetyo\[reporting]'). Tiedostot sisältävät
    asiakastietoja; ne luodaan vain omistajan luettaviksi (0600). CSV:ssä kaavaksi
    tulkittavan solun (=, +, -, @) eteen lisätään '.
    """
    # Refused before any work: a bad format, parquet without pyarrow, a missing store, an
    # unsafe directory or one holding temporary files.
    chosen = export_format(fmt)
    reader = Actor(id=actor, name=actor)  # only the id is logged
    require_existing_store(url)
    output_directory(out, chosen)
    with FamilyCases(url, views_url=views_url) as cases:
        if update or not no_update:  # --update is the default, kept for old scripts
            catch_up(cases)
        files = export_tables(cases, out, chosen, actor=reader, purpose=purpose)
    console = make_console()
    console.print(_render(files))
    console.print(plain(PERSONAL_DATA_REMINDER, "bold yellow"), soft_wrap=True)

"""Retention from the command line (säilytysajat komentoriviltä).

::

    perhetyo retention erase-due --url URL --on DATE [--dry-run]

It lists the closed cases whose retention has ended by ``--on`` (case id, legal basis,
closing date, due date: no personal data), by :meth:`FamilyCases.retention_due` under the
default policy (docs/retention.md). ``--dry-run`` stops there. Otherwise each listed case
is erased (:meth:`FamilyCases.erase_case`, crypto-shredding), and the run ends with a
master-key rotation: on PostgreSQL and in backups a copy of a destroyed wrapped key can
remain, and only retiring the master key that wrapped it makes the erasure final
(docs/privacy.md). The keys come as for ``perhetyo rotate-key``: the current one from
``PERHETYO_MASTER_KEY`` (or a line of standard input), the new one from
``PERHETYO_NEW_MASTER_KEY`` (or the next line), or ``--generate`` makes the new key and
prints it, alone, on standard output. Keys are never command-line arguments.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Final

import typer

from perhetyo.application import FamilyCases
from perhetyo.cli.app import (
    CommandGroup,
    FinnishCommand,
    StoreUrl,
    make_console,
    require_existing_store,
)
from perhetyo.cli.keys import NEW_MASTER_KEY_VARIABLE, key_from
from perhetyo.cli.render import plain, titled_table, whole
from perhetyo.persistence import DEFAULT_URL
from perhetyo.persistence.keyring import MASTER_KEY_VARIABLE, generate_key
from perhetyo.values import Actor

__all__ = ["RETENTION_ACTOR", "erase_due", "retention_app"]

RETENTION_ACTOR: Final = Actor(id="perhetyo-retention", name="perhetyo retention erase-due")
"""Who asks which cases are due, when the command line asks."""

retention_app = typer.Typer(
    help="Säilytysajat: asiakkuudet, joiden säilytysaika on päättynyt.",
    cls=CommandGroup,
    no_args_is_help=True,
)


@retention_app.command("erase-due", cls=FinnishCommand)
def erase_due(
    on: Annotated[
        datetime,
        typer.Option(
            "--on",
            formats=["%Y-%m-%d"],
            metavar="VVVV-KK-PP",
            help="Päivä, jonka mukaan erääntyneet luetellaan.",
        ),
    ],
    url: StoreUrl = DEFAULT_URL,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Vain luettele erääntyneet, älä hävitä mitään."),
    ] = False,
    generate: Annotated[
        bool,
        typer.Option(
            "--generate",
            help="Luo lopuksi uusi pääavain ja tulosta se (vain se) vakiotulosteeseen.",
        ),
    ] = False,
) -> None:
    """Luettele (--dry-run) asiakkuudet, joiden säilytysaika on päättynyt päivään --on mennessä.

    Tulostaa asiakkuuden tunnisteen, lakiperusteen, päättymispäivän ja eräpäivän (ei
    asiakastietoja). Ilman --dry-run ne hävitetään (asiakkuuden avain tuhotaan) ja lopuksi
    pääavain vaihdetaan: avaimet kuten komennossa rotate-key, ei koskaan komentorivillä.
    """
    require_existing_store(url)
    old = None if dry_run else key_from(MASTER_KEY_VARIABLE, "current master key")
    new = None
    if not dry_run:
        new = generate_key() if generate else key_from(NEW_MASTER_KEY_VARIABLE, "new master key")
    with FamilyCases(url, master_key=old) as cases:
        due = cases.retention_due(actor=RETENTION_ACTOR, on=on.date())
        if new is not None:
            for row in due:
                cases.erase_case(
                    row.case_id,
                    reason=f"säilytysaika päättyi {row.due_on.isoformat()}",
                    actor=RETENTION_ACTOR,
                )
            rewrapped = cases.rotate_master_key(new)
    table = titled_table(
        f"Säilytysaika päättynyt {on.date().isoformat()} mennessä: {len(due)}",
        "Asiakkuus",
        "Lakiperuste",
        "Päättyi",
        "Erääntyi",
    )
    for row in due:
        table.add_row(
            whole(row.case_id),
            plain(row.legal_basis.value),
            row.closed_on.isoformat(),
            row.due_on.isoformat(),
        )
    console = make_console(stderr=generate)
    console.print(table)
    if new is not None:
        console.print(
            f"hävitetty {len(due)}; pääavain vaihdettu: {rewrapped} avainta kääritty uudelleen"
        )
        if generate:
            typer.echo(new)

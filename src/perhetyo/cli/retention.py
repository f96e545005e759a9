"""Retention from the command line (säilytysajat komentoriviltä).

::

    perhetyo retention erase-due --url URL --on DATE [--dry-run]

``--dry-run`` lists the closed cases whose retention has ended by ``--on`` (case id, legal
basis, closing date, due date: no personal data), by
:meth:`FamilyCases.retention_due` under the default policy (docs/retention.md).
Erasing them needs ``erase_case`` (crypto-shredding), which this version does not have
yet: without ``--dry-run`` the command refuses, before doing anything.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Final

import typer

from perhetyo.application import FamilyCases
from perhetyo.cli.app import StoreUrl, make_console, require_existing_store
from perhetyo.cli.render import plain, titled_table
from perhetyo.errors import ConfigurationError
from perhetyo.persistence import DEFAULT_URL
from perhetyo.values import Actor

__all__ = ["RETENTION_ACTOR", "erase_due", "retention_app"]

RETENTION_ACTOR: Final = Actor(id="perhetyo-retention", name="perhetyo retention erase-due")
"""Who asks which cases are due, when the command line asks."""

retention_app = typer.Typer(
    help="Säilytysajat: asiakkuudet, joiden säilytysaika on päättynyt.",
    no_args_is_help=True,
)


@retention_app.command("erase-due")
def erase_due(
    on: Annotated[
        datetime,
        typer.Option("--on", formats=["%Y-%m-%d"], help="Päivä, jonka mukaan (VVVV-KK-PP)."),
    ],
    url: StoreUrl = DEFAULT_URL,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Vain luettele erääntyneet, älä hävitä mitään."),
    ] = False,
) -> None:
    """Luettele (--dry-run) asiakkuudet, joiden säilytysaika on päättynyt päivään --on mennessä.

    Tulostaa asiakkuuden tunnisteen, lakiperusteen, päättymispäivän ja eräpäivän (ei
    asiakastietoja). Hävittäminen (ilman --dry-run) ei ole vielä tässä versiossa.
    """
    if not dry_run:
        raise ConfigurationError(
            "erasing is not in this version (it needs erase_case): use --dry-run to list"
        )
    require_existing_store(url)
    with FamilyCases(url) as cases:
        due = cases.retention_due(actor=RETENTION_ACTOR, on=on.date())
    table = titled_table(
        f"Säilytysaika päättynyt {on.date().isoformat()} mennessä: {len(due)}",
        "Asiakkuus",
        "Lakiperuste",
        "Päättyi",
        "Erääntyi",
    )
    for row in due:
        table.add_row(
            plain(str(row.case_id)),
            plain(row.legal_basis.value),
            row.closed_on.isoformat(),
            row.due_on.isoformat(),
        )
    make_console().print(table)

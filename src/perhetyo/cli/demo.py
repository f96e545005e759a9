"""The demo command (esittely): the blog post's story, recorded into a store and printed.

::

    perhetyo demo [--url sqlite:///perhetyo-demo.db] [--encrypted [--show-key]]

With ``--encrypted`` the story is recorded encrypted (docs/privacy.md). The master key is
``PERHETYO_MASTER_KEY`` when that is set; otherwise it is read from a key file beside the
demo database (``<file>.key``; ``perhetyo-demo.key`` for PostgreSQL), made there, readable
by its owner only, on the first run (an in-memory store gets a key of its own run). The
output says where the key came from; the key itself is printed only with ``--show-key``.

The story itself is :mod:`perhetyo.testing.story`, usable without the command line; this
module records it with :func:`~perhetyo.testing.story.record_demo_story` and prints what the
store then says. All people and organisations are fictional.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Final
from uuid import UUID

import typer
from rich import box
from rich.panel import Panel

from perhetyo.application import FamilyCases
from perhetyo.cli.app import events_fi, make_console
from perhetyo.cli.render import (
    Names,
    facts,
    plain,
    render_audit_trail,
    render_goal_progress,
    render_plan,
    whole,
)
from perhetyo.errors import CaseNotFoundError
from perhetyo.events import PlanAgreed
from perhetyo.persistence import settings_for_url
from perhetyo.persistence.keyring import MASTER_KEY_VARIABLE, generate_key, parse_master_key
from perhetyo.persistence.store import create_private_file
from perhetyo.testing.story import DEMO_READER, StoryClock, demo_case_id, record_demo_story
from perhetyo.values import Actor

__all__ = ["DEMO_URL", "DemoUrl", "demo"]

DEMO_URL: Final = "sqlite:///perhetyo-demo.db"
"""Where ``perhetyo demo`` records its story unless told otherwise."""

DemoUrl = Annotated[
    str,
    typer.Option(
        "--url",
        metavar="URL",
        help="Tallennuspaikka. PERHETYO_URL ei vaikuta tähän, jottei keksitty asiakkuus "
        "päädy oikeaan kantaan.",
    ),
]
"""``--url`` of the demo: never ``$PERHETYO_URL``, so the fictional case stays out of a real
store."""

_PURPOSE: Final = "perhetyo demo"


def _events_before(cases: FamilyCases, actor: Actor) -> int:
    """How many of the story's events the store held before this run (0 for a new store)."""
    try:
        return len(cases.history(demo_case_id(cases), actor=actor, purpose=_PURPOSE))
    except CaseNotFoundError:
        return 0


def _recorded_line(recorded: int, total: int) -> str:
    if recorded:
        return events_fi(recorded)
    return (
        f"ei mitään: tarina oli jo tallessa ({events_fi(total)}; request_id estää "
        "kaksoiskirjaukset)"
    )


def _demo_key(url: str) -> tuple[str, str]:
    """The demo's master key and where it came from (in Finnish, for the output)."""
    from_environment = os.environ.get(MASTER_KEY_VARIABLE)
    if from_environment:
        return from_environment, f"ympäristömuuttujasta {MASTER_KEY_VARIABLE}"
    settings = settings_for_url(url)
    if settings.kind == "memory" or (settings.kind == "sqlite" and settings.sqlite_path is None):
        return generate_key(), "luotiin tätä ajoa varten (muistissa oleva tarina katoaa)"
    path = settings.sqlite_path
    key_file = Path(f"{path}.key") if path is not None else Path("perhetyo-demo.key")
    if key_file.is_file():
        key = key_file.read_text(encoding="ascii").strip()
        parse_master_key(key)
        return key, f"tiedostosta {key_file}"
    key = generate_key()
    create_private_file(key_file)
    key_file.write_text(key + "\n", encoding="ascii")
    return key, f"luotiin nyt tiedostoon {key_file} (vain omistajan luettavissa)"


def demo(
    url: DemoUrl = DEMO_URL,
    encrypted: Annotated[
        bool,
        typer.Option(
            "--encrypted",
            help="Salaa tallennettava tarina pääavaimella (PERHETYO_MASTER_KEY, tai "
            "avaintiedosto tietokannan vieressä).",
        ),
    ] = False,
    show_key: Annotated[
        bool, typer.Option("--show-key", help="Tulosta myös pääavain (vain --encrypted).")
    ] = False,
) -> None:
    """Kirjaa blogikirjoituksen tarina (perhekuntoutus 2020) ja tulosta se.

    Tarina kirjataan tallennuspaikkaan --url (oletus sqlite:///perhetyo-demo.db). Ajo on
    toistettavissa: jokaisella kirjauksella on request_id, joten uusi ajo samaan
    tallennuspaikkaan ei kirjaa mitään uudelleen; tiedostoa ei poisteta. Henkilöt ja
    organisaatiot ovat keksittyjä.
    """
    shown = settings_for_url(url).shown_url
    clock = StoryClock()
    reader = DEMO_READER
    # Without --encrypted, FamilyCases still reads PERHETYO_MASTER_KEY when it is set.
    key, key_source = (
        _demo_key(url) if encrypted else (None, f"ympäristömuuttujasta {MASTER_KEY_VARIABLE}")
    )
    with FamilyCases(url=url, clock=clock, master_key=key) as cases:
        encryption = (
            f"AES-GCM, avain asiakkuutta kohden; pääavain {key_source}"
            if cases.encrypted
            else "ei salattu (ei pääavainta)"
        )
        before = _events_before(cases, reader)
        case_id: UUID = record_demo_story(cases, clock)
        plan = cases.current_plan(case_id, actor=reader, purpose=_PURPOSE)
        events = cases.history(case_id, actor=reader, purpose=_PURPOSE)
        progress = cases.goal_progress(case_id, actor=reader, purpose=_PURPOSE)
        trail = cases.audit_trail(case_id, actor=reader, purpose=_PURPOSE)
    console = make_console()
    console.print(
        Panel(
            facts(
                [
                    ("Tarina", plain("Perhekuntoutus lastensuojelun asiakasperheessä, "
                                     "elo–joulukuu 2020 (blogikirjoitus 12.8.2020)")),
                    ("Tallennuspaikka", whole(shown)),
                    ("Kirjattu nyt", plain(_recorded_line(len(events) - before, len(events)))),
                    ("Salaus", plain(encryption)),
                    *([("Pääavain", plain(key))] if show_key and key is not None else []),
                ]
            ),
            title="[bold]perhetyo demo[/]",
            title_align="left",
            box=box.ROUNDED,
        )
    )
    names = Names.of(plan, events)
    versions = [event for event in events if isinstance(event, PlanAgreed)]
    console.print(render_plan(plan, names, versions))
    console.print(render_goal_progress(progress, names))
    console.print(render_audit_trail(trail, names))

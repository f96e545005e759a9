"""The demo command (esittely): the blog post's story, recorded into a store and printed.

::

    perhetyo demo [--url sqlite:///perhetyo-demo.db]

The story itself is :mod:`perhetyo.testing.story`, usable without the command line; this
module records it with :func:`~perhetyo.testing.story.record_demo_story` and prints what the
store then says. All people and organisations are fictional.
"""

from __future__ import annotations

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
)
from perhetyo.errors import CaseNotFoundError
from perhetyo.events import PlanAgreed
from perhetyo.persistence import settings_for_url
from perhetyo.testing.story import DEMO_READER, StoryClock, demo_case_id, record_demo_story
from perhetyo.values import Actor

__all__ = ["DEMO_URL", "DemoUrl", "demo"]

DEMO_URL: Final = "sqlite:///perhetyo-demo.db"
"""Where ``perhetyo demo`` records its story unless told otherwise."""

DemoUrl = Annotated[
    str,
    typer.Option(
        "--url",
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


def demo(url: DemoUrl = DEMO_URL) -> None:
    """Kirjaa blogikirjoituksen tarina (perhekuntoutus 2020) ja tulosta se.

    Tarina kirjataan tallennuspaikkaan --url (oletus sqlite:///perhetyo-demo.db). Ajo on
    toistettavissa: jokaisella kirjauksella on request_id, joten uusi ajo samaan
    tallennuspaikkaan ei kirjaa mitään uudelleen; tiedostoa ei poisteta. Henkilöt ja
    organisaatiot ovat keksittyjä.
    """
    shown = settings_for_url(url).shown_url
    clock = StoryClock()
    reader = DEMO_READER
    with FamilyCases(url=url, clock=clock) as cases:
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
                    ("Tallennuspaikka", plain(shown)),
                    ("Kirjattu nyt", plain(_recorded_line(len(events) - before, len(events)))),
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

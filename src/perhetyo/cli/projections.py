"""Stored projections from the command line (raportointinäkymät komentoriviltä).

::

    perhetyo projections update  [--url URL] [--views-url URL]
    perhetyo projections rebuild [--url URL] [--views-url URL]
    perhetyo projections status  [--url URL] [--views-url URL] [--json]
    perhetyo projections run     [--url URL] [--views-url URL] [--poll-interval S]

``update`` and ``rebuild`` show a progress bar on stderr, fed by the runner's batches, and
print what they did on stdout. ``run`` is the long-running worker: it prints a line per
batch and stops between batches on SIGTERM or SIGINT (Ctrl+C), with exit code 0.
"""

from __future__ import annotations

import contextlib
import json
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from types import FrameType
from typing import Annotated, Final

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from perhetyo.application import FamilyCases
from perhetyo.cli.app import (
    CommandGroup,
    FinnishCommand,
    StoreUrl,
    ViewsUrl,
    events_fi,
    make_console,
    require_existing_store,
)
from perhetyo.cli.render import render_status
from perhetyo.errors import ConfigurationError
from perhetyo.persistence import DEFAULT_URL, settings_for_url
from perhetyo.projections.sql import ProjectionStatus

__all__ = [
    "STOP_SIGNALS",
    "catch_up",
    "projections_app",
    "rebuild",
    "run",
    "status",
    "stop_on_signals",
    "update",
]

STOP_SIGNALS: Final = (signal.SIGTERM, signal.SIGINT)
"""The signals that stop the worker between batches."""

projections_app = typer.Typer(
    name="projections",
    help="Raportointinäkymät (SQL-taulut): päivitys, uudelleenrakennus, tila ja jatkuva "
    "päivittäjä.",
    cls=CommandGroup,
    no_args_is_help=True,
)


# --- progress ------------------------------------------------------------------------------


@contextlib.contextmanager
def _progress(description: str, expected: int) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr; yields the ``on_batch`` callback that advances it.

    ``expected`` comes from the log's notification ids, which may have gaps (and the log may
    grow meanwhile): the bar's total follows the events actually applied. When the work
    fails, the bar is cleared (and, off a terminal, never printed), so that the error is
    the one line left on stderr.
    """
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("tapahtumaa"),
        TimeElapsedColumn(),
        console=make_console(stderr=True),
    )
    done = 0
    with progress:
        task = progress.add_task(description, total=expected)

        def on_batch(applied: int) -> None:
            nonlocal done
            done += applied
            progress.update(task, completed=done, total=max(expected, done))

        try:
            yield on_batch
        except BaseException:
            progress.live.transient = True
            raise
        progress.update(task, completed=done, total=done)


def catch_up(cases: FamilyCases, *, rebuild: bool = False) -> int:
    """Update (or rebuild) the stored projections with a progress bar; returns the events."""
    before = cases.projection_status()
    if rebuild:
        with _progress("Rakennetaan näkymiä uudelleen", _head(before)) as on_batch:
            return cases.rebuild_projections(on_batch)
    with _progress("Päivitetään näkymiä", _lag(before)) as on_batch:
        return cases.update_projections(on_batch)


def _lag(statuses: Sequence[ProjectionStatus]) -> int:
    return max((status.lag for status in statuses), default=0)


def _head(statuses: Sequence[ProjectionStatus]) -> int:
    return max((status.head for status in statuses), default=0)


def _position(statuses: Sequence[ProjectionStatus]) -> int:
    return min((status.position for status in statuses), default=0)


# --- update, rebuild, status ---------------------------------------------------------------


@projections_app.command(cls=FinnishCommand)
def update(url: StoreUrl = DEFAULT_URL, views_url: ViewsUrl = None) -> None:
    """Päivitä raportointinäkymät tapahtumalokin tasalle.

    Käsittelee vain uudet tapahtumat; tulostaa käsiteltyjen tapahtumien määrän.
    """
    require_existing_store(url)
    with FamilyCases(url, views_url=views_url) as cases:
        applied = catch_up(cases)
        position = _position(cases.projection_status())
    make_console().print(
        f"Näkymät päivitetty: {events_fi(applied)} käsitelty; tapahtumalokin kohta {position}.",
        soft_wrap=True,
    )


@projections_app.command(cls=FinnishCommand)
def rebuild(url: StoreUrl = DEFAULT_URL, views_url: ViewsUrl = None) -> None:
    """Rakenna raportointinäkymät uudelleen ensimmäisestä tapahtumasta.

    Uudet taulut kootaan nykyisten rinnalle, tarkistetaan ja otetaan käyttöön yhdellä
    kertaa: lukija näkee aina joko vanhat tai uudet taulut. Tulostaa koottujen tapahtumien
    määrän.
    """
    require_existing_store(url)
    with FamilyCases(url, views_url=views_url) as cases:
        folded = catch_up(cases, rebuild=True)
        position = _position(cases.projection_status())
    make_console().print(
        f"Näkymät rakennettu uudelleen ja otettu käyttöön: {events_fi(folded)} koottu; "
        f"tapahtumalokin kohta {position}.",
        soft_wrap=True,
    )


@projections_app.command(cls=FinnishCommand)
def status(
    url: StoreUrl = DEFAULT_URL,
    views_url: ViewsUrl = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Tulosta JSON-muodossa (valvontaa varten).")
    ] = False,
) -> None:
    """Näytä näkymien tila: kohta tapahtumalokissa, lokin pää, viive ja rivimäärät."""
    require_existing_store(url)
    with FamilyCases(url, views_url=views_url) as cases:
        statuses = cases.projection_status()
    if as_json:
        typer.echo(json.dumps([asdict(one) for one in statuses]))
    else:
        make_console().print(render_status(statuses))


# --- the worker ----------------------------------------------------------------------------


@contextlib.contextmanager
def stop_on_signals(
    stop: threading.Event, signals: Sequence[signal.Signals] = STOP_SIGNALS
) -> Iterator[None]:
    """Set ``stop`` on any of ``signals`` while inside; the previous handlers come back after.

    A second SIGINT (Ctrl+C pressed again) raises KeyboardInterrupt: the batch in progress
    rolls back, which is safe, and the program ends at once. Handlers can only be installed
    in the main thread; elsewhere this does nothing and the caller sets ``stop`` itself.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, _frame: FrameType | None) -> None:
        if signum == signal.SIGINT and stop.is_set():
            raise KeyboardInterrupt
        stop.set()

    previous = {signum: signal.signal(signum, handler) for signum in signals}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, signal.SIG_DFL if old is None else old)


def _say(line: str) -> None:
    """One timestamped line on stdout, never wrapped (a log reads one event per line)."""
    now = datetime.now(UTC).astimezone()
    make_console().print(Text(f"{now:%Y-%m-%d %H:%M:%S} {line}"), soft_wrap=True)


@projections_app.command(cls=FinnishCommand)
def run(
    url: StoreUrl = DEFAULT_URL,
    views_url: ViewsUrl = None,
    poll_interval: Annotated[
        float,
        typer.Option(
            "--poll-interval",
            metavar="SEKUNTIA",
            help="Sekunteja uusien tapahtumien tarkistusten välillä (SQLite); PostgreSQL:ssä "
            "herätys tulee LISTEN/NOTIFYlla, ja tämä on pisin odotus ja pysäytyksen viive.",
        ),
    ] = 1.0,
) -> None:
    """Pidä raportointinäkymät ajan tasalla, kunnes pysäytetään (SIGTERM tai Ctrl+C).

    Jatkuva päivittäjä: käsittelee uudet tapahtumat erissä ja tulostaa rivin jokaisesta
    erästä. Pysähtyy erien välissä ja päättyy koodilla 0. PostgreSQL:ssä vain yksi
    päivittäjä kerrallaan työskentelee (pg_advisory_lock); muut odottavat vuoroaan.
    """
    if not poll_interval > 0:
        raise ConfigurationError("--poll-interval must be more than 0 seconds")
    stop = threading.Event()
    total = 0

    def on_batch(applied: int) -> None:
        nonlocal total
        total += applied
        _say(f"+{events_fi(applied)} (tässä ajossa {total})")

    settings = settings_for_url(url)
    wake = (
        "herätys LISTEN/NOTIFY"
        if settings.kind == "postgresql"
        else f"tarkistus {poll_interval:g} s välein"
    )
    with FamilyCases(url, views_url=views_url) as cases:
        before = cases.projection_status()  # also creates the tables on a new store
        with stop_on_signals(stop):
            # Printed once the handlers are in place: from this line on, a signal stops cleanly.
            _say(
                f"Näkymien päivittäjä käynnissä: {settings.shown_url}; kohta {_position(before)}, "
                f"viive {_lag(before)}; {wake}. Pysäytys: SIGTERM tai Ctrl+C."
            )
            cases.run_projections(stop, poll_interval=poll_interval, on_batch=on_batch)
    _say(f"Pysäytetty hallitusti: {events_fi(total)} käsitelty tässä ajossa.")

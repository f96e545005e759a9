"""The statistics commands (tilastot): a year's figures and the workers' caseloads.

::

    perhetyo stats --year YYYY [--format table|csv|json] [--url URL] [--actor ID]
    perhetyo caseload --on YYYY-MM-DD [--limit 30] [--format table|csv|json] [--url URL]

Thin shells over :meth:`~perhetyo.application.FamilyCases.statistics` and
:meth:`~perhetyo.application.FamilyCases.caseload` (which catch the stored views up
first). ``table`` prints Finnish tables; ``csv`` prints one figure a row (``koodi``: a
stable code, ``tunnusluku``: its Finnish name, ``arvo``: the value) or one worker a row;
``json`` prints the read models as the library gives them. Only counts are printed: no
names, no texts, no case ids (docs/statistics.md).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import date
from enum import StrEnum
from typing import Annotated, Final

import typer
from rich.console import Group, RenderableType

from perhetyo.application import FamilyCases
from perhetyo.cli.app import StoreUrl, ViewsUrl, make_console, require_existing_store
from perhetyo.cli.render import fi, plain, titled_table
from perhetyo.errors import ConfigurationError
from perhetyo.persistence import DEFAULT_URL
from perhetyo.projections import Caseload, YearStatistics
from perhetyo.projections.caseload import DEFAULT_CASELOAD_LIMIT
from perhetyo.values import Actor

__all__ = [
    "OutputFormat",
    "caseload",
    "caseload_rows",
    "statistics_rows",
    "stats",
]


class OutputFormat(StrEnum):
    """Output format (tulostusmuoto) of the statistics commands."""

    TABLE = "table"
    CSV = "csv"
    JSON = "json"


_SERVICE_FIGURES: Final = (
    ("decided", "päätöksiä"),
    ("granted", "myönteisiä päätöksiä"),
    ("ordered", "tilattu"),
    ("started", "alkanut"),
    ("ended", "päättynyt"),
    ("cancelled", "peruttu ennen alkua"),
)
_SERVICE_HEADINGS: Final = (
    "Päätetty", "Myönnetty", "Tilattu", "Alkanut", "Päättyi", "Peruttu"
)
_DEADLINE_FIGURES: Final = (
    ("matters", "asioita, joissa arvioinnin määräajat"),
    ("start_applicable", "aloituksen määräaika voimassa"),
    ("started_in_time", "aloitettu määräajassa"),
    ("started_late", "aloitettu myöhässä"),
    ("start_share", "aloitettu määräajassa, osuus"),
    ("completion_applicable", "valmistumisen määräaika voimassa"),
    ("completed_in_time", "valmistunut määräajassa"),
    ("completed_late", "valmistunut myöhässä"),
    ("completion_share", "valmistunut määräajassa, osuus"),
)
_CASELOAD_COLUMNS: Final = (
    "tyontekija",
    "lapsia",
    "lastensuojelun_lapsia",
    "perheita",
    "yli_rajan",
)

Figure = tuple[str, str, int | float | None]
"""One figure: a stable code, its Finnish name, its value (None: not defined)."""


def statistics_rows(figures: YearStatistics) -> list[Figure]:
    """The year's figures one a row: code, Finnish name, value."""
    rows: list[Figure] = [
        ("year", "tilastovuosi", figures.year),
        ("children", "lapsia asiakkuudessa vuoden aikana", figures.children),
        (
            "child_welfare_children",
            "lastensuojelun asiakaslapsia vuoden aikana",
            figures.child_welfare_children,
        ),
        ("new_relationships", "alkaneita lasten asiakkuuksia", figures.new_relationships),
        ("ended_relationships", "päättyneitä lasten asiakkuuksia", figures.ended_relationships),
    ]
    rows += [
        (f"ended_by_reason.{reason.value}", f"päättyneitä: {fi(reason)}", count)
        for reason, count in figures.ended_by_reason.items()
    ]
    rows += [
        ("cases_opened", "alkaneita perheiden asiakkuuksia", figures.cases_opened),
        ("cases_closed", "päättyneitä perheiden asiakkuuksia", figures.cases_closed),
        (
            "median_relationship_days",
            "päättyneiden lasten asiakkuuksien kesto, mediaani (päivää)",
            figures.median_relationship_days,
        ),
    ]
    for service in figures.services:
        rows += [
            (f"services.{service.kind.value}.{name}", f"{fi(service.kind)}: {label}",
             getattr(service, name))
            for name, label in _SERVICE_FIGURES
        ]
    for half in figures.assessments:
        rows += [
            (f"assessments.{half.half}.{name}", f"{half.half}. puolivuotis: {label}",
             getattr(half, name))
            for name, label in _DEADLINE_FIGURES
        ]
    return rows


def caseload_rows(loads: Sequence[Caseload]) -> list[tuple[str, int, int, int, str]]:
    """One row per worker: id, children, child-welfare children, cases, over the limit
    (``true`` or ``false``)."""
    return [
        (
            load.worker_id,
            load.children,
            load.child_welfare_children,
            load.cases,
            "true" if load.over_limit else "false",
        )
        for load in loads
    ]


def _output_format(value: str) -> OutputFormat:
    try:
        return OutputFormat(value)
    except ValueError:
        raise ConfigurationError(
            f"unknown format {value!r}: choose table, csv or json"
        ) from None


def _csv(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(["" if cell is None else cell for cell in row] for row in rows)
    return out.getvalue()


def _shown(value: float | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return str(value)


def _share(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f} %".replace(".", ",")


def render_statistics(figures: YearStatistics) -> RenderableType:
    """The year's figures as three Finnish tables: totals, services, assessment deadlines."""
    totals = titled_table(f"Vuositilasto {figures.year}", "Tunnusluku", "Arvo")
    totals.columns[1].justify = "right"
    for code, label, value in statistics_rows(figures)[1:]:
        if code.startswith(("services.", "assessments.")):
            continue
        totals.add_row(plain(label[:1].upper() + label[1:]), _shown(value))
    services = titled_table("Palvelut", "Palvelu", *_SERVICE_HEADINGS)
    services.columns[0].min_width = services.columns[0].max_width = 14
    services.pad_edge = False  # fits 80 columns
    for column in services.columns[1:]:
        column.justify, column.no_wrap = "right", True
    for service in figures.services:
        services.add_row(
            plain(fi(service.kind)),
            *(str(getattr(service, name)) for name, _ in _SERVICE_FIGURES),
        )
    halves = figures.assessments
    deadlines = titled_table(
        "Palvelutarpeen arvioinnin määräajat (asia lasketaan vireilletulon puolivuotiskauteen)",
        "Tunnusluku",
        *(f"{half.half}/{figures.year}" for half in halves),
    )
    for column in deadlines.columns[1:]:
        column.justify = "right"
    for name, label in _DEADLINE_FIGURES:
        shown = _share if name.endswith("share") else _shown
        deadlines.add_row(
            plain(label[:1].upper() + label[1:]), *(shown(getattr(half, name)) for half in halves)
        )
    return Group(totals, services, deadlines)


def render_caseload(loads: Sequence[Caseload], on: date, limit: int) -> RenderableType:
    """The caseloads as a Finnish table."""
    table = titled_table(
        f"Asiakasmäärät {on.day}.{on.month}.{on.year} (raja {limit} lastensuojelun lasta)",
        "Työntekijä", "Lapsia", "Lastensuojelun lapsia", "Perheitä", "Yli rajan",
    )
    for load in loads:
        table.add_row(
            plain(load.worker_id), str(load.children), str(load.child_welfare_children),
            str(load.cases), plain("kyllä", "bold red") if load.over_limit else "ei",
        )
    return table


_ACTOR_HELP: Final = (
    "Lukijan tunniste (ei nimeä). Tilastot ja asiakasmäärät eivät näytä yhtään asiakkuutta, "
    "joten niitä ei kirjata käyttölokiin."
)
Format = Annotated[
    str, typer.Option("--format", metavar="MUOTO", help="Tulostusmuoto: table, csv tai json.")
]
Reader = Annotated[
    str, typer.Option("--actor", envvar="PERHETYO_ACTOR", show_envvar=True, help=_ACTOR_HELP)
]


def stats(
    year: Annotated[int, typer.Option("--year", help="Tilastovuosi, esimerkiksi 2024.")],
    url: StoreUrl = DEFAULT_URL,
    fmt: Format = OutputFormat.TABLE.value,
    actor: Reader = "perhetyo-stats",
    views_url: ViewsUrl = None,
) -> None:
    """Tulosta vuoden tilastoluvut (THL:n tapaan): lapset, asiakkuudet, palvelut, määräajat.

    Luvut lasketaan raportointinäkymistä (ne päivitetään ensin tapahtumalokin tasalle).
    Tulosteessa on vain lukumääriä: ei nimiä, tekstejä eikä asiakkuuksien tunnisteita.
    """
    chosen = _output_format(fmt)
    require_existing_store(url)
    with FamilyCases(url, views_url=views_url) as cases:
        figures = cases.statistics(year=year, actor=Actor(id=actor, name=actor))
    if chosen is OutputFormat.JSON:
        typer.echo(json.dumps(figures.model_dump(mode="json"), ensure_ascii=False, indent=2))
    elif chosen is OutputFormat.CSV:
        typer.echo(_csv(("koodi", "tunnusluku", "arvo"), statistics_rows(figures)), nl=False)
    else:
        make_console().print(render_statistics(figures))


def caseload(  # noqa: PLR0917 (typer reads the options from the signature)
    on: Annotated[
        str,
        typer.Option("--on", metavar="VVVV-KK-PP", help="Päivä, jonka asiakasmäärät lasketaan."),
    ],
    url: StoreUrl = DEFAULT_URL,
    limit: Annotated[
        int, typer.Option("--limit", help="Lastensuojelun lapsia enintään työntekijää kohden.")
    ] = DEFAULT_CASELOAD_LIMIT,
    fmt: Format = OutputFormat.TABLE.value,
    actor: Reader = "perhetyo-stats",
    views_url: ViewsUrl = None,
) -> None:
    """Tulosta omatyöntekijöiden asiakasmäärät päivänä --on (LsL 13 b §: enintään 30).

    Kukin lapsi lasketaan oman omatyöntekijänsä, tai perheen omatyöntekijän, kohdalle.
    """
    try:
        day = date.fromisoformat(on)
    except ValueError:
        raise ConfigurationError("--on must be a date, YYYY-MM-DD") from None
    chosen = _output_format(fmt)
    require_existing_store(url)
    with FamilyCases(url, views_url=views_url) as cases:
        loads = cases.caseload(on=day, limit=limit, actor=Actor(id=actor, name=actor))
    if chosen is OutputFormat.JSON:
        typer.echo(json.dumps([load.model_dump(mode="json") for load in loads], indent=2))
    elif chosen is OutputFormat.CSV:
        typer.echo(_csv(_CASELOAD_COLUMNS, caseload_rows(loads)), nl=False)
    else:
        make_console().print(render_caseload(loads, day, limit))

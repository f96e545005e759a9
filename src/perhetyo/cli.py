"""Command line (komentorivi): the ``perhetyo`` command, built with Typer and Rich.

::

    perhetyo demo [--url sqlite:///perhetyo-demo.db]

The module has four parts, in this order, so that a new command knows where its pieces go:

1. the app: ``app`` (a Typer app; sub-apps are added with ``app.add_typer``) and ``main``.
   Every :class:`~perhetyo.errors.PerhetyoError` raised by any command or sub-command becomes
   one line on stderr and exit code 2, never a traceback (:class:`CommandGroup`);
2. shared options: ``StoreUrl`` (``--url``, default ``$PERHETYO_URL``, else
   ``sqlite:///perhetyo.db``) for commands that work on a user's store;
3. rendering helpers: pure functions from read models to Rich renderables, in Finnish,
   with enumeration labels from :func:`perhetyo.values.finnish_label`;
4. the demo story (the blog post of ``seeds/``) and the commands.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Annotated, Any, Final
from urllib.parse import urlsplit, urlunsplit
from uuid import UUID
from zoneinfo import ZoneInfo

import typer
from rich import box
from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from typer.core import TyperGroup

from perhetyo.aggregates.case import case_id_for_request
from perhetyo.application import FamilyCases
from perhetyo.errors import CaseNotFoundError, PerhetyoError
from perhetyo.events import CaseEvent, CaseOpened, NamedWorkerAssigned, PlanAgreed
from perhetyo.projections import AuditEntry, CurrentPlan, GoalProgress
from perhetyo.values import (
    Actor,
    ClosureReason,
    GoalStatus,
    LegalBasis,
    MeetingKind,
    NamedWorker,
    PersonRef,
    Profession,
    ServiceKind,
    ServiceStatus,
    Successor,
    SuccessorKind,
    finnish_label,
)

__all__ = [
    "DEMO_URL",
    "ERROR_EXIT_CODE",
    "CommandGroup",
    "Names",
    "StoreUrl",
    "StoryClock",
    "app",
    "demo_case_id",
    "fi",
    "fi_date",
    "fi_time",
    "main",
    "record_demo_story",
    "render_audit_trail",
    "render_goal_progress",
    "render_plan",
]

ERROR_EXIT_CODE: Final = 2
"""Exit code of a command refused by perhetyo (a PerhetyoError)."""

DEMO_URL: Final = "sqlite:///perhetyo-demo.db"
"""Where ``perhetyo demo`` records its story unless told otherwise."""

HELSINKI: Final = ZoneInfo("Europe/Helsinki")

# --- 1. the app ----------------------------------------------------------------------------


def _one_line(text: str) -> str:
    return " ".join(text.split())


class CommandGroup(TyperGroup):
    """Command group (komentoryhmä): turns a PerhetyoError into one line and exit code 2."""

    def invoke(self, ctx: Any) -> Any:
        """Run the command; a PerhetyoError from it (or a sub-app) ends the program cleanly."""
        try:
            return super().invoke(ctx)
        except PerhetyoError as exc:
            typer.echo(f"perhetyo: virhe [{exc.code}]: {_one_line(str(exc))}", err=True)
            raise typer.Exit(ERROR_EXIT_CODE) from None


app = typer.Typer(
    name="perhetyo",
    help="Perhesosiaalityön asiakkuudet tapahtumina (perhetyo).",
    cls=CommandGroup,
    no_args_is_help=True,
    add_completion=False,
    # A traceback's local variables may hold a client's data: never print them.
    pretty_exceptions_show_locals=False,
)


@app.callback()
def _root() -> None:
    """The perhetyo command (perhetyo-komento); a callback keeps every command a subcommand."""


def main() -> None:
    """Command line (komentorivi): the ``perhetyo`` console script."""
    app()


# --- 2. shared options ---------------------------------------------------------------------

StoreUrl = Annotated[
    str,
    typer.Option(
        "--url",
        envvar="PERHETYO_URL",
        show_envvar=True,
        help="Tallennuspaikka: sqlite:///polku, postgresql://käyttäjä@palvelin/kanta "
        "tai memory://.",
    ),
]
"""``--url`` of a command on the user's store: ``$PERHETYO_URL``, else the default given.

Use it as ``url: StoreUrl = DEFAULT_URL`` (``perhetyo.persistence.DEFAULT_URL``).
"""

DemoUrl = Annotated[
    str,
    typer.Option(
        "--url",
        help="Tallennuspaikka. PERHETYO_URL ei vaikuta tähän, jottei keksitty asiakkuus "
        "päädy oikeaan kantaan.",
    ),
]

# --- 3. rendering helpers ------------------------------------------------------------------

_STATUS_STYLES: Final[dict[tuple[type[StrEnum], str], str]] = {
    # Keyed by class and value: members of two enumerations may share a value ("other").
    (type(member), member.value): style
    for member, style in (
        (GoalStatus.NOT_STARTED, "dim"),
        (GoalStatus.IN_PROGRESS, "yellow"),
        (GoalStatus.ACHIEVED, "green"),
        (GoalStatus.NOT_ACHIEVED, "red"),
        (GoalStatus.DROPPED, "dim"),
        (ServiceStatus.ORDERED, "cyan"),
        (ServiceStatus.ACTIVE, "yellow"),
        (ServiceStatus.ENDED, "green"),
        (ServiceStatus.CANCELLED, "dim"),
    )
}


def fi(value: StrEnum) -> str:
    """Finnish label (suomenkielinen nimi) of an enumeration member."""
    return finnish_label(value)


def fi_date(value: date | None) -> str:
    """A date the Finnish way (päivämäärä): 12.8.2020; a dash for none."""
    return "–" if value is None else f"{value.day}.{value.month}.{value.year}"


def fi_time(value: datetime) -> str:
    """A record time (kirjausaika) in Helsinki: 12.8.2020 14.05."""
    local = value.astimezone(HELSINKI)
    return f"{fi_date(local.date())} {local.hour}.{local.minute:02d}"


def _text(value: str, style: str = "") -> Text:
    """Data as plain text: brackets in a note are never read as Rich markup."""
    return Text(value, style=style)


def _lines(*parts: tuple[str, str]) -> Text:
    return Text("\n").join(Text(value, style=style) for value, style in parts if value)


def _status(value: StrEnum) -> Text:
    return _text(fi(value), _STATUS_STYLES.get((type(value), value.value), ""))


def _bar(progress: int, width: int = 10) -> Text:
    filled = round(progress * width / 100)
    return Text.assemble(("█" * filled, "green"), ("░" * (width - filled), "dim"), f" {progress} %")


@dataclass(frozen=True)
class Names:
    """Display names (näyttönimet): short labels for ids, so that tables read easily.

    Goals are T1, T2, ... and services P1, P2, ... in the order they were set or ordered;
    people and workers are shown by name; actors by name, with a legend of who they are.
    """

    ids: dict[str, str] = field(default_factory=dict)
    actors: dict[str, Actor] = field(default_factory=dict)

    @classmethod
    def of(cls, plan: CurrentPlan, events: Iterable[CaseEvent] = ()) -> Names:
        """The names a plan and its events give."""
        ids: dict[str, str] = {}
        actors: dict[str, Actor] = {}
        for event in events:
            actors.setdefault(event.actor.id, event.actor)
            for worker in _workers(event):
                ids[worker.id] = worker.name
        ids.update({person.id: person.display_name for person in plan.children})
        ids.update({person.id: person.display_name for person in plan.guardians})
        ids.update({str(g.goal_id): f"T{n}" for n, g in enumerate(plan.goals, start=1)})
        ids.update({str(s.service_id): f"P{n}" for n, s in enumerate(plan.services, start=1)})
        return cls(ids=ids, actors=actors)

    def of_id(self, any_id: UUID | str) -> str:
        """T1, P1, a name, or the id itself."""
        return self.ids.get(str(any_id), str(any_id))

    def whose(self, child_id: str | None) -> str:
        """Whose goal: a child's name, or the whole family."""
        return "koko perhe" if child_id is None else self.of_id(child_id)

    def actor(self, actor_id: str) -> str:
        """Who recorded: the actor's name, or the id."""
        actor = self.actors.get(actor_id)
        return actor_id if actor is None else actor.name

    def shorten(self, line: str) -> str:
        """A summary line with its goal, service and people ids replaced by T1, P1, names."""
        known = [re.escape(key) for key in sorted(self.ids, key=len, reverse=True)]
        if not known:
            return line
        pattern = rf"(?<![\w.:-])({'|'.join(known)})(?![\w-])"
        return re.sub(pattern, lambda match: self.ids[match.group(1)], line)


def _workers(event: CaseEvent) -> tuple[NamedWorker, ...]:
    if isinstance(event, CaseOpened):
        return (event.named_worker,)
    if isinstance(event, NamedWorkerAssigned):
        return (event.worker,)
    return ()


def _facts(rows: Sequence[tuple[str, RenderableType]]) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    for label, value in rows:
        grid.add_row(label, value)
    return grid


def _bullets(items: Sequence[str], empty: str) -> RenderableType:
    if not items:
        return _text(empty, "dim")
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column()
    for item in items:
        grid.add_row("•", _text(item))
    return grid


def _person(person: PersonRef) -> str:
    born = f" (s. {fi_date(person.birth_date)})" if person.birth_date else ""
    return f"{person.display_name}{born}"


def _table(title: str, *columns: str) -> Table:
    table = Table(title=title, title_justify="left", title_style="bold", box=box.SIMPLE_HEAD)
    for column in columns:
        table.add_column(column)
    return table


def render_plan(
    plan: CurrentPlan, names: Names, versions: Sequence[PlanAgreed] = ()
) -> RenderableType:
    """Client plan (asiakassuunnitelma): the case, the agreements, goals, services, views."""
    worker = plan.named_worker
    worker_role = (
        "Vastaava sosiaalityöntekijä"  # LsL 13 b §: lapsen asioista vastaava sosiaalityöntekijä
        if plan.legal_basis is LegalBasis.CHILD_WELFARE_ACT
        else "Omatyöntekijä"
    )
    rows: list[tuple[str, RenderableType]] = [
        ("Tila", _text(f"{fi(plan.status)} {fi_date(plan.closed_on)}" if plan.closed_on
                       else fi(plan.status), "bold")),
    ]
    if plan.closure_reason is not None:
        rows.append(("Päättymisen syy", _text(fi(plan.closure_reason))))
    if plan.successor is not None:
        rows.append(("Jatkuva asiakkuus", _text(fi(plan.successor.kind))))
    rows += [
        ("Lakiperuste", _text(fi(plan.legal_basis))),
        ("Palvelutehtävä", _text(fi(plan.service_task))),
        (worker_role, _text(f"{worker.name} ({fi(worker.profession)})")),
        ("Asiakkuus alkoi", _text(fi_date(plan.opened_on))),
        ("Lapset", _text(", ".join(_person(child) for child in plan.children))),
        ("Huoltajat", _text(", ".join(_person(g) for g in plan.guardians) or "–")),
        ("Suunnitelman versio", _text(
            f"{plan.plan_version} (laadittu {fi_date(plan.plan_agreed_on)})"
            if plan.plan_version else "ei vielä laadittu"
        )),
    ]
    if len(versions) > 1:
        earlier = ", ".join(f"{v.plan_version} ({fi_date(v.agreed_on)})" for v in versions[:-1])
        rows.append(("Aiemmat versiot", _text(earlier)))
    rows.append(("Tarkistetaan viimeistään", _text(fi_date(plan.review_due_on))))
    header = Panel(
        _facts(rows),
        title=f"[bold]Asiakassuunnitelma[/] · asiakkuus {plan.case_id}",
        title_align="left",
        box=box.ROUNDED,
    )
    agreed = Panel(
        Group(
            _bullets(plan.agreements, "ei sovittuja asioita"),
            Text(),
            Text("Eriävät näkemykset", style="bold"),
            _bullets(plan.dissent, "ei eriäviä näkemyksiä"),
        ),
        title=(
            f"Sovitut asiat (versio {plan.plan_version})" if plan.plan_version
            else "Sovitut asiat"
        ),
        title_align="left",
        box=box.ROUNDED,
    )
    return Group(
        header,
        agreed,
        _goals_table(plan, names),
        _services_table(plan, names),
        _meetings_table(plan),
        _views_table(plan),
    )


def _goals_table(plan: CurrentPlan, names: Names) -> RenderableType:
    if not plan.goals:
        return _text("Tavoitteita ei ole asetettu.", "dim")
    table = _table("Tavoitteet", "", "Tavoite", "Tila", "Eteneminen")
    for column in (table.columns[0], table.columns[2], table.columns[3]):
        column.no_wrap = True
    for goal in plan.goals:
        target = f" · tavoitepäivä {fi_date(goal.target_date)}" if goal.target_date else ""
        table.add_row(
            names.of_id(goal.goal_id),
            _lines((goal.description, ""), (f"{names.whose(goal.child_id)}{target}", "dim")),
            _status(goal.status),
            _bar(goal.progress),
        )
    return table


def _services_table(plan: CurrentPlan, names: Names) -> RenderableType:
    if not plan.services:
        return _text("Palveluita ei ole tilattu.", "dim")
    table = _table("Palvelut", "", "Palvelu ja tuottaja", "Tila", "Ajankohdat", "Tavoitteet")
    table.columns[0].no_wrap = True
    for service in plan.services:
        table.add_row(
            names.of_id(service.service_id),
            _lines((fi(service.kind), ""), (service.provider, "dim")),
            _status(service.status),
            _lines(
                (f"tilattu {fi_date(service.ordered_on)}", ""),
                (f"alkoi {fi_date(service.started_on)}" if service.started_on else "", ""),
                (f"päättyi {fi_date(service.ended_on)}" if service.ended_on else "", ""),
            ),
            ", ".join(names.of_id(goal_id) for goal_id in service.goal_ids) or "–",
        )
    return table


def _meetings_table(plan: CurrentPlan) -> RenderableType:
    if not plan.meetings:
        return _text("Tapaamisia ei ole kirjattu.", "dim")
    table = _table("Tapaamiset", "Päivä", "Tapaaminen")
    for meeting in plan.meetings:
        table.add_row(fi_date(meeting.held_on), _text(fi(meeting.kind)))
    return table


def _views_table(plan: CurrentPlan) -> RenderableType:
    table = _table("Lasten näkemykset (viimeisimmät)", "Lapsi", "Näkemys")
    table.columns[0].no_wrap = True
    for child in plan.children:
        view = plan.child_views.get(child.id)
        table.add_row(
            _text(child.display_name),
            _text("ei kirjattu", "dim") if view is None else _text(view),
        )
    return table


def render_goal_progress(progress: Sequence[GoalProgress], names: Names) -> RenderableType:
    """Goal progress (tavoitteiden eteneminen): each goal's timeline of updates."""
    parts: list[RenderableType] = [Text("\nTavoitteiden eteneminen", style="bold")]
    for goal in progress:
        table = _table(
            f"{names.of_id(goal.goal_id)} · {names.whose(goal.child_id)} · {goal.description}",
            "Päivä", "Tila", "Eteneminen", "Muistiinpano",
        )
        table.title_style = ""
        for column in table.columns[:3]:
            column.no_wrap = True
        target = f"; tavoitepäivä {fi_date(goal.target_date)}" if goal.target_date else ""
        table.add_row(
            fi_date(goal.set_on), _status(GoalStatus.NOT_STARTED), _bar(0),
            _text(f"asetettu{target}", "dim"),
        )
        for update in goal.updates:
            table.add_row(
                _lines((fi_date(update.updated_on), ""), (names.actor(update.actor_id), "dim")),
                _status(update.status),
                _bar(update.progress),
                _text(update.note or ""),
            )
        parts.append(table)
    if not progress:
        parts.append(_text("Tavoitteita ei ole asetettu.", "dim"))
    return Group(*parts)


def render_audit_trail(trail: Sequence[AuditEntry], names: Names) -> RenderableType:
    """Audit trail (muutoshistoria): every recorded event in the order recorded, and who."""
    table = _table("Muutoshistoria", "Nro", "Kirjattu", "Tapahtui", "Tapahtuma", "Kirjaaja")
    table.columns[0].justify = "right"
    for column in table.columns[:3]:
        column.no_wrap = True
    for entry in trail:
        table.add_row(
            str(entry.version),
            fi_time(entry.recorded_at),
            fi_date(entry.occurred_on),
            _lines((entry.label_fi, "bold"), (names.shorten(entry.summary), "")),
            _text(names.actor(entry.actor_id)),
        )
    legend = _table("Kirjaajat", "Kirjaaja", "Ammatti", "Organisaatio", "Tunnus")
    for actor in names.actors.values():
        legend.add_row(
            _text(actor.name),
            _text(fi(actor.profession) if actor.profession else "–"),
            _text(actor.organisation or "–"),
            _text(actor.id),
        )
    return Group(table, legend)


# --- 4. the demo story ---------------------------------------------------------------------

_STORY: Final = "perhetyo-demo-2020-v1"
"""Prefix of the story's request ids: the same story is recorded once per store.

Change its version when the story changes: an old demo file then gets a second case instead
of a RequestConflictError.
"""


@dataclass
class StoryClock:
    """Story clock (tarinan kello): the record time of each step, set by the story.

    Each reading moves it one minute on, so that steps recorded together get plausible,
    increasing record times.
    """

    current: datetime = datetime(2020, 8, 12, 9, 0, tzinfo=HELSINKI)

    def __call__(self) -> datetime:
        now = self.current
        self.current += timedelta(minutes=1)
        return now

    def at(self, day: date, hour: int, minute: int = 0) -> None:
        """The next steps are recorded on ``day`` at ``hour:minute`` in Helsinki."""
        self.current = datetime.combine(day, time(hour, minute), tzinfo=HELSINKI)


def _rid(step: str) -> str:
    return f"{_STORY}/{step}"


def demo_case_id() -> UUID:
    """The id of the demo's case (derived from its opening request id)."""
    return case_id_for_request(_rid("open"))


_COUNTY: Final = "Esimerkkikaupunki"
_PRODUCER: Final = "Perhetuki Esimerkki Oy"
_PURCHASER: Final = Actor(
    id="demo-sw-1", name="Laura V.", profession=Profession.SOCIAL_WORKER, organisation=_COUNTY
)
_PRODUCER_SW: Final = Actor(
    id="demo-psw-1", name="Anna T.", profession=Profession.SOCIAL_WORKER, organisation=_PRODUCER
)
_FAMILY_WORKER: Final = Actor(
    id="demo-fw-1", name="Mari L.", profession=Profession.FAMILY_WORKER, organisation=_PRODUCER
)
_EETU: Final = PersonRef(id="demo-child-1", display_name="Eetu K.", birth_date=date(2010, 3, 15))
_IIDA: Final = PersonRef(id="demo-child-2", display_name="Iida K.", birth_date=date(2013, 11, 2))
_GUARDIANS: Final = (
    PersonRef(id="demo-guardian-1", display_name="Sanna K."),
    PersonRef(id="demo-guardian-2", display_name="Mikko K."),
)
_TERM_ENDS: Final = date(2020, 12, 18)
_TEAM: Final = (
    "molemmat huoltajat",
    "vastaava sosiaalityöntekijä (tilaaja)",
    "palveluntuottajan sosiaalityöntekijä",
    "perhetyöntekijät (2)",
    "koulukuraattori",
)


@dataclass
class _Story:
    """The blog post's story in chapters; every step has a request id (see _STORY)."""

    cases: FamilyCases
    clock: StoryClock
    case_id: UUID = field(default_factory=demo_case_id)
    goals: list[UUID] = field(default_factory=list)
    service_id: UUID | None = None

    def beginning(self) -> None:
        """12.8.2020: the case opens; opening meeting; the worker meets the children."""
        cases, case_id = self.cases, self.case_id
        self.clock.at(date(2020, 8, 12), 11, 40)
        self.case_id = case_id = cases.open_case(
            children=[_EETU, _IIDA], guardians=_GUARDIANS,
            legal_basis=LegalBasis.CHILD_WELFARE_ACT,
            named_worker=NamedWorker(id=_PURCHASER.id, name=_PURCHASER.name,
                                     profession=Profession.SOCIAL_WORKER),
            opened_on=date(2020, 8, 12), actor=_PURCHASER, request_id=_rid("open"),
        )
        self.clock.at(date(2020, 8, 12), 14, 5)
        cases.record_meeting(
            case_id, kind=MeetingKind.OPENING, held_on=date(2020, 8, 12),
            participants=["Eetu", "Iida", "molemmat huoltajat", "vastaava sosiaalityöntekijä"],
            summary="Sovittiin, missä asioissa perhettä tuetaan: arjen rytmi, vanhempien "
            "yhteiset kasvatuskäytännöt ja Eetun koulunkäynti. Kerrottiin perhekuntoutuksesta.",
            actor=_PURCHASER, request_id=_rid("opening-meeting"),
        )
        self.clock.at(date(2020, 8, 17), 15, 10)
        cases.record_meeting(
            case_id, kind=MeetingKind.CHILD_MEETING, held_on=date(2020, 8, 17),
            participants=["Eetu", "Iida", "vastaava sosiaalityöntekijä"],
            summary="Sosiaalityöntekijä tapasi Eetun ja Iidan kotona ilman vanhempia.",
            actor=_PURCHASER, request_id=_rid("child-meeting-1"),
        )
        for child, view in (
            (_EETU, "Kotona riidellään liikaa. Toivon, että illat olisivat rauhallisempia."),
            (_IIDA, "Minua jännittää, kun aikuiset riitelevät. Haluan, että joku leikkii "
             "kanssani."),
        ):
            cases.record_child_view(
                case_id, child_id=child.id, view=view, recorded_on=date(2020, 8, 17),
                actor=_PURCHASER, request_id=_rid(f"view-{child.id}"),
            )

    def plan(self) -> None:
        """19.8.2020: goals for the family and for each child; plan version 1, with dissent."""
        self.clock.at(date(2020, 8, 19), 13, 0)
        for n, (description, child_id) in enumerate(
            [
                ("Arkeen palaa säännöllinen päivärytmi: yhteiset ruokailut ja sovitut "
                 "nukkumaanmenoajat.", None),
                ("Vanhemmat sopivat yhteisistä kasvatuskäytännöistä ja pitävät niistä kiinni "
                 "riitelemättä lasten kuullen.", None),
                ("Eetu käy koulua säännöllisesti: poissaoloja enintään yksi kuukaudessa.",
                 _EETU.id),
                ("Iida uskaltaa kertoa huolistaan turvalliselle aikuiselle kotona ja "
                 "esikoulussa.", _IIDA.id),
            ],
            start=1,
        ):
            self.goals.append(self.cases.set_goal(
                self.case_id, description=description, child_id=child_id,
                set_on=date(2020, 8, 19), target_date=_TERM_ENDS, actor=_PURCHASER,
                request_id=_rid(f"goal-{n}"),
            ))
        self.clock.at(date(2020, 8, 19), 13, 20)
        self.cases.agree_plan(
            self.case_id, agreed_on=date(2020, 8, 19),
            agreements=[
                "Perheelle järjestetään perhekuntoutusta syys–joulukuussa 2020; "
                "perhetyöntekijät käyvät kotona kaksi kertaa viikossa.",
                "Perhe ja perhetyöntekijät asettavat viikkotavoitteet maanantaisin ja "
                "arvioivat ne seuraavalla viikolla.",
                "Vastaava sosiaalityöntekijä tapaa Eetua ja Iidaa henkilökohtaisesti "
                "vähintään kerran kahdessa kuukaudessa.",
                "Välipalaveri pidetään lokakuussa.",
            ],
            dissent=["Huoltaja (isä) ei pidä perhekuntoutusta tarpeellisena: hänen "
                     "mielestään perhe selviää omin voimin."],
            review_due_on=date(2020, 10, 21), actor=_PURCHASER, request_id=_rid("plan-1"),
        )

    def rehabilitation(self) -> None:
        """26.8.-1.9.2020: network meeting; family rehabilitation ordered and started."""
        cases, case_id = self.cases, self.case_id
        self.clock.at(date(2020, 8, 26), 14, 45)
        cases.record_meeting(
            case_id, kind=MeetingKind.NETWORK, held_on=date(2020, 8, 26),
            participants=_TEAM,
            summary="Käytiin läpi perheen tilanne ja aloitettavan perhekuntoutuksen raamit. "
            "Uusi palvelu jännittää vanhempia. Sovittiin välipalaverista.",
            actor=_PURCHASER, request_id=_rid("network-meeting"),
        )
        self.clock.at(date(2020, 8, 26), 15, 30)
        self.service_id = service_id = cases.order_service(
            case_id, kind=ServiceKind.FAMILY_REHABILITATION, provider=_PRODUCER,
            ordered_on=date(2020, 8, 26), goal_ids=self.goals, actor=_PURCHASER,
            request_id=_rid("order-rehabilitation"),
        )
        self.clock.at(date(2020, 9, 1), 16, 0)
        cases.start_service(case_id, service_id, started_on=date(2020, 9, 1),
                            actor=_PRODUCER_SW, request_id=_rid("start-rehabilitation"))
        cases.record_meeting(
            case_id, kind=MeetingKind.HOME_VISIT, held_on=date(2020, 9, 1),
            participants=["perhe", "perhetyöntekijät (2)"],
            summary="Ensimmäinen kotikäynti: tutustuttiin perheeseen ja sovittiin käyntiajat.",
            actor=_FAMILY_WORKER, request_id=_rid("home-visit-1"),
        )
        self._update(1, GoalStatus.IN_PROGRESS, 10, "Päivärytmi kartoitettu yhdessä "
                     "vanhempien kanssa.", on=date(2020, 9, 1), actor=_FAMILY_WORKER,
                     step="start")

    def weekly_goals(self) -> None:
        """Weeks 37-39: a weekly goal (viikkotavoite) set each Monday, reviewed the next."""
        weekly = [
            (date(2020, 9, 7), "Viikkotavoite vk 37: yhteinen päivällinen vähintään neljänä "
             "iltana.", GoalStatus.ACHIEVED, 100, "Yhteinen päivällinen viitenä iltana."),
            (date(2020, 9, 14), "Viikkotavoite vk 38: lapset ovat sängyssä klo 21 "
             "arki-iltoina.", GoalStatus.NOT_ACHIEVED, 60, "Onnistui kolmena arki-iltana "
             "viidestä; iltarutiinia harjoitellaan lisää."),
            (date(2020, 9, 21), "Viikkotavoite vk 39: iltarutiini (iltapala, pesut, "
             "iltasatu) toteutuu arki-iltoina.", GoalStatus.ACHIEVED, 100,
             "Toteutui kaikkina arki-iltoina."),
        ]
        for week, (monday, description, status, progress, note) in enumerate(weekly, 37):
            self.clock.at(monday, 10, 5)
            goal_id = self.cases.set_goal(
                self.case_id, description=description, set_on=monday,
                target_date=monday + timedelta(days=6), actor=_FAMILY_WORKER,
                request_id=_rid(f"weekly-{week}"),
            )
            next_monday = monday + timedelta(days=7)
            self.clock.at(next_monday, 10, 0)
            self.cases.update_goal(
                self.case_id, goal_id, status=status, progress=progress, note=note,
                updated_on=next_monday, actor=_FAMILY_WORKER,
                request_id=_rid(f"weekly-{week}-review"),
            )
        self._update(1, GoalStatus.IN_PROGRESS, 40, "Yhteiset ruokailut onnistuvat; "
                     "nukkumaanmenoajoissa vielä vaihtelua.", on=date(2020, 9, 28),
                     actor=_FAMILY_WORKER, step="week-40")

    def review(self) -> None:
        """21.10.2020: the intermediate review (välipalaveri) updates goals; plan version 2."""
        review = date(2020, 10, 21)
        self.clock.at(review, 15, 0)
        self.cases.record_meeting(
            self.case_id, kind=MeetingKind.REVIEW, held_on=review, participants=_TEAM,
            summary="Käytiin läpi tavoitteiden eteneminen ja päivitettiin ne. Työskentely on "
            "käynnistynyt hyvin: perhe luottaa työntekijöihin ja kokee tulleensa kuulluksi.",
            actor=_PURCHASER, request_id=_rid("review-meeting"),
        )
        for n, progress, note in (
            (1, 60, "Ruokailut ja iltarutiini onnistuvat useimpina päivinä."),
            (2, 30, "Vanhemmat ovat sopineet yhteisistä säännöistä; riitoja on edelleen."),
            (3, 70, "Syyskuussa kaksi poissaoloa, lokakuussa yksi."),
            (4, 50, "Iida kertoo huolistaan perhetyöntekijälle; esikoulussa vielä arka."),
        ):
            self._update(n, GoalStatus.IN_PROGRESS, progress, note, on=review,
                         actor=_PRODUCER_SW, step="review")
        self.clock.at(review, 15, 40)
        self.cases.agree_plan(
            self.case_id, agreed_on=review,
            agreements=[
                "Perhekuntoutus jatkuu 18.12.2020 asti; kotikäynnit vähenevät marraskuusta "
                "alkaen yhteen viikossa.",
                "Viikkotavoitteet jatkuvat; painopisteenä iltarutiinit ja vanhempien yhteiset "
                "kasvatuskäytännöt.",
                "Vastaava sosiaalityöntekijä tapaa Eetua ja Iidaa ennen loppupalaveria.",
                "Loppupalaverissa joulukuussa arvioidaan tuen tarve jakson jälkeen.",
            ],
            dissent=["Huoltaja (isä) toivoo kotikäyntien päättyvän jo marraskuussa."],
            review_due_on=date(2020, 12, 16), actor=_PURCHASER, request_id=_rid("plan-2"),
        )
        self.clock.at(date(2020, 11, 18), 16, 0)
        self.cases.record_meeting(
            self.case_id, kind=MeetingKind.CHILD_MEETING, held_on=date(2020, 11, 18),
            participants=["Eetu", "Iida", "vastaava sosiaalityöntekijä"],
            summary="Sosiaalityöntekijä tapasi lapset koulun ja esikoulun jälkeen.",
            actor=_PURCHASER, request_id=_rid("child-meeting-2"),
        )
        self.cases.record_child_view(
            self.case_id, child_id=_EETU.id, recorded_on=date(2020, 11, 18), actor=_PURCHASER,
            view="Nyt on parempi, kun ei tarvitse valvoa myöhään. Kotona huudetaan vähemmän.",
            request_id=_rid("view-eetu-november"),
        )

    def ending(self) -> None:
        """16.-21.12.2020: closing meeting, final goal statuses, the service and case end."""
        closing = date(2020, 12, 16)
        self.clock.at(closing, 14, 30)
        self.cases.record_meeting(
            self.case_id, kind=MeetingKind.CLOSING, held_on=closing,
            participants=("Eetu", *_TEAM[:-1]),
            summary="Arvioitiin perhekuntoutuksen tulokset. Lastensuojelun tarve on "
            "päättynyt; tuki jatkuu sosiaalihuoltolain mukaisena perhesosiaalityönä.",
            actor=_PURCHASER, request_id=_rid("closing-meeting"),
        )
        for n, status, progress, note in (
            (1, GoalStatus.ACHIEVED, 100, "Päivärytmi on vakiintunut."),
            (2, GoalStatus.NOT_ACHIEVED, 70, "Käytännöistä on sovittu, mutta niissä pysyminen "
             "vaatii vielä tukea; jatketaan perhesosiaalityössä."),
            (3, GoalStatus.ACHIEVED, 100, "Ei poissaoloja marras–joulukuussa."),
            (4, GoalStatus.ACHIEVED, 100, "Iida kertoo huolistaan myös esikoulun opettajalle."),
        ):
            self._update(n, status, progress, note, on=closing, actor=_PRODUCER_SW,
                         step="final")
        if self.service_id is not None:
            self.clock.at(_TERM_ENDS, 12, 0)
            self.cases.end_service(
                self.case_id, self.service_id, ended_on=_TERM_ENDS, actor=_PURCHASER,
                reason="Perhekuntoutusjakso päättyi suunnitellusti.",
                request_id=_rid("end-rehabilitation"),
            )
        self.clock.at(date(2020, 12, 21), 10, 15)
        self.cases.close_case(
            self.case_id, closed_on=date(2020, 12, 21), reason=ClosureReason.NO_LONGER_NEEDED,
            child_views={
                _EETU.id: "Hyvä että perhetyöntekijät kävivät. Nyt pärjätään, mutta haluan "
                "tietää, keneen voin ottaa yhteyttä.",
                _IIDA.id: "Oli kivaa kun leikittiin. Nyt ei enää jännitä iltaisin.",
            },
            successor=Successor(kind=SuccessorKind.FAMILY_SOCIAL_WORK),
            actor=_PURCHASER, request_id=_rid("close"),
        )

    def _update(
        self, n: int, status: GoalStatus, progress: int, note: str, *, on: date, actor: Actor,
        step: str,
    ) -> None:
        """Update goal number ``n`` (T1 is 1)."""
        self.cases.update_goal(
            self.case_id, self.goals[n - 1], status=status, progress=progress, note=note,
            updated_on=on, actor=actor, request_id=_rid(f"goal-{n}-{step}"),
        )


def record_demo_story(cases: FamilyCases, clock: StoryClock) -> UUID:
    """Demo story (esittelytarina): family rehabilitation in a child-welfare family, 2020.

    Follows the blog post of ``seeds/``: the case opens on 12.8.2020, goals and a plan are
    agreed, family rehabilitation (perhekuntoutus) is bought from a producer, goals are
    reviewed weekly and at the intermediate review, and the case closes in December with each
    child's view of the ending. Every step carries a request id, so recording the story again
    into the same store changes nothing. All people and organisations are fictional.
    """
    story = _Story(cases, clock)
    story.beginning()
    story.plan()
    story.rehabilitation()
    story.weekly_goals()
    story.review()
    story.ending()
    return story.case_id


# --- commands ------------------------------------------------------------------------------


def _console() -> Console:
    # Data is passed as Text; no emoji codes or automatic highlighting of numbers and ids.
    return Console(highlight=False, emoji=False)


def _shown_url(url: str) -> str:
    """The URL without its password, fit to print."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))


def _events(count: int) -> str:
    return f"{count} tapahtuma" if count == 1 else f"{count} tapahtumaa"


def _count_events(cases: FamilyCases, case_id: UUID, actor: Actor) -> int:
    try:
        return len(cases.history(case_id, actor=actor, purpose="perhetyo demo"))
    except CaseNotFoundError:
        return 0


@app.command()
def demo(url: DemoUrl = DEMO_URL) -> None:
    """Kirjaa blogikirjoituksen tarina (perhekuntoutus 2020) ja tulosta se.

    Tarina kirjataan tallennuspaikkaan --url (oletus sqlite:///perhetyo-demo.db). Ajo on
    toistettavissa: jokaisella kirjauksella on request_id, joten uusi ajo samaan
    tallennuspaikkaan ei kirjaa mitään uudelleen; tiedostoa ei poisteta. Henkilöt ja
    organisaatiot ovat keksittyjä.
    """
    console = _console()
    clock = StoryClock()
    reader = _PURCHASER
    with FamilyCases(url=url, clock=clock) as cases:
        before = _count_events(cases, demo_case_id(), reader)
        case_id = record_demo_story(cases, clock)
        purpose = "perhetyo demo"
        plan = cases.current_plan(case_id, actor=reader, purpose=purpose)
        events = cases.history(case_id, actor=reader, purpose=purpose)
        progress = cases.goal_progress(case_id, actor=reader, purpose=purpose)
        trail = cases.audit_trail(case_id, actor=reader, purpose=purpose)
    recorded = len(events) - before
    console.print(
        Panel(
            _facts(
                [
                    ("Tarina", _text("Perhekuntoutus lastensuojelun asiakasperheessä, "
                                     "elo–joulukuu 2020 (blogikirjoitus 12.8.2020)")),
                    ("Tallennuspaikka", _text(_shown_url(url))),
                    ("Kirjattu nyt", _text(
                        _events(recorded) if recorded else
                        f"ei mitään: tarina oli jo tallessa ({_events(len(events))}; "
                        "request_id estää kaksoiskirjaukset)"
                    )),
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

"""Rendering (esitys): read models as Rich renderables, in Finnish.

Pure functions from read models to Rich renderables: the client plan, goal progress, the
audit trail and the stored projections' status. Enumerations are shown by their Finnish
labels (:func:`perhetyo.values.finnish_label`), dates the Finnish way, record times in
Helsinki. Data is always passed as :class:`~rich.text.Text`, so that brackets in a note are
never read as Rich markup.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Final
from uuid import UUID

from rich import box
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from perhetyo.events import CaseEvent, CaseOpened, NamedWorkerAssigned, PlanAgreed
from perhetyo.projections import AuditEntry, CurrentPlan, GoalProgress
from perhetyo.projections.sql import ProjectionStatus
from perhetyo.time import HELSINKI
from perhetyo.values import (
    Actor,
    GoalStatus,
    LegalBasis,
    NamedWorker,
    PersonRef,
    ServiceStatus,
    finnish_label,
)

__all__ = [
    "HELSINKI",
    "Names",
    "facts",
    "fi",
    "fi_date",
    "fi_time",
    "plain",
    "render_audit_trail",
    "render_goal_progress",
    "render_plan",
    "render_status",
    "titled_table",
    "whole",
]

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


def plain(value: str, style: str = "") -> Text:
    """Data as plain text (pelkkä teksti): brackets in a note are never read as Rich markup."""
    return Text(value, style=style)


def whole(value: object, style: str = "") -> Text:
    """A path, URL, id or table name (kokonaan näytettävä): never cut short with "…".

    In a narrow terminal a value too long for its column folds onto the next line, every
    character kept (a table column would otherwise end it with an ellipsis).
    """
    return Text(str(value), style=style, overflow="fold")


def _lines(*parts: tuple[str, str]) -> Text:
    return Text("\n").join(Text(value, style=style) for value, style in parts if value)


def _status(value: StrEnum) -> Text:
    return plain(fi(value), _STATUS_STYLES.get((type(value), value.value), ""))


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


def facts(rows: Sequence[tuple[str, RenderableType]]) -> Table:
    """Label and value pairs (tiedot) as a two-column grid, labels in bold."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    for label, value in rows:
        grid.add_row(label, value)
    return grid


def _bullets(items: Sequence[str], empty: str) -> RenderableType:
    if not items:
        return plain(empty, "dim")
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column()
    for item in items:
        grid.add_row("•", plain(item))
    return grid


def _person(person: PersonRef) -> str:
    born = f" (s. {fi_date(person.birth_date)})" if person.birth_date else ""
    return f"{person.display_name}{born}"


def titled_table(title: str, *columns: str) -> Table:
    """A table (taulukko) with a bold title on the left and the given column headers."""
    table = Table(title=title, title_justify="left", title_style="bold", box=box.SIMPLE_HEAD)
    for column in columns:
        table.add_column(column)
    return table


def _pending(plan: CurrentPlan) -> str:
    how = f" ({fi(plan.initiated_by)})" if plan.initiated_by is not None else ""
    return f"{fi_date(plan.pending_on)}{how}"


def _assessment(plan: CurrentPlan) -> str:
    """The latest matter's assessment (palvelutarpeen arviointi), in one line."""
    assessment = plan.matters[-1].assessment if plan.matters else None
    if assessment is None:
        return "ei aloitettu"
    if assessment.declined_on is not None:
        return f"ei tarpeen ({fi_date(assessment.declined_on)})"
    done = f", valmis {fi_date(assessment.completed_on)}" if assessment.completed_on else ""
    return f"aloitettu {fi_date(assessment.started_on)}{done}"


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
        ("Tila", plain(f"{fi(plan.status)} {fi_date(plan.closed_on)}" if plan.closed_on
                       else fi(plan.status), "bold")),
    ]
    if plan.closure_reason is not None:
        rows.append(("Päättymisen syy", plain(fi(plan.closure_reason))))
    if plan.successor is not None:
        rows.append(("Jatkuva asiakkuus", plain(fi(plan.successor.kind))))
    rows += [
        ("Lakiperuste", plain(fi(plan.legal_basis))),
        ("Palvelutehtävä", plain(fi(plan.service_task))),
        (worker_role, plain(f"{worker.name} ({fi(worker.profession)})")),
        ("Asiakkuus alkoi", plain(fi_date(plan.opened_on))),
        ("Asia tuli vireille", plain(_pending(plan))),
        ("Palvelutarpeen arviointi", plain(_assessment(plan))),
        ("Lapset", plain(", ".join(_person(child) for child in plan.children))),
        ("Huoltajat", plain(", ".join(_person(g) for g in plan.guardians) or "–")),
        ("Suunnitelman versio", plain(
            f"{plan.plan_version} (laadittu {fi_date(plan.plan_agreed_on)})"
            if plan.plan_version else "ei vielä laadittu"
        )),
    ]
    if len(versions) > 1:
        earlier = ", ".join(f"{v.plan_version} ({fi_date(v.agreed_on)})" for v in versions[:-1])
        rows.append(("Aiemmat versiot", plain(earlier)))
    rows.append(("Tarkistetaan viimeistään", plain(fi_date(plan.review_due_on))))
    header = Panel(
        facts(rows),
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
        return plain("Tavoitteita ei ole asetettu.", "dim")
    table = titled_table("Tavoitteet", "", "Tavoite", "Tila", "Eteneminen")
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
        return plain("Palveluita ei ole tilattu.", "dim")
    table = titled_table(
        "Palvelut", "", "Palvelu ja tuottaja", "Tila", "Ajankohdat", "Tavoitteet"
    )
    table.columns[0].no_wrap = True
    for service in plan.services:
        table.add_row(
            names.of_id(service.service_id),
            _lines((fi(service.kind), ""), (service.provider, "dim")),
            _status(service.status),
            _lines(
                (_decided(plan, service.decision_id), "dim"),
                (f"tilattu {fi_date(service.ordered_on)}", ""),
                (f"alkoi {fi_date(service.started_on)}" if service.started_on else "", ""),
                (f"päättyi {fi_date(service.ended_on)}" if service.ended_on else "", ""),
            ),
            ", ".join(names.of_id(goal_id) for goal_id in service.goal_ids) or "–",
        )
    return table


def _decided(plan: CurrentPlan, decision_id: UUID | None) -> str:
    """The decision a service's order cites (palvelupäätös), in one line; empty if none."""
    decision = next((d for d in plan.decisions if d.decision_id == decision_id), None)
    if decision is None:
        return ""
    return f"päätös {fi_date(decision.decided_on)} ({fi(decision.outcome)})"


def _meetings_table(plan: CurrentPlan) -> RenderableType:
    if not plan.meetings:
        return plain("Tapaamisia ei ole kirjattu.", "dim")
    table = titled_table("Tapaamiset", "Päivä", "Tapaaminen")
    for meeting in plan.meetings:
        table.add_row(fi_date(meeting.held_on), plain(fi(meeting.kind)))
    return table


def _views_table(plan: CurrentPlan) -> RenderableType:
    table = titled_table("Lasten näkemykset (viimeisimmät)", "Lapsi", "Näkemys")
    table.columns[0].no_wrap = True
    for child in plan.children:
        view = plan.child_views.get(child.id)
        table.add_row(
            plain(child.display_name),
            plain("ei kirjattu", "dim") if view is None else plain(view),
        )
    return table


def render_goal_progress(progress: Sequence[GoalProgress], names: Names) -> RenderableType:
    """Goal progress (tavoitteiden eteneminen): each goal's timeline of updates."""
    parts: list[RenderableType] = [Text("\nTavoitteiden eteneminen", style="bold")]
    for goal in progress:
        table = titled_table(
            f"{names.of_id(goal.goal_id)} · {names.whose(goal.child_id)} · {goal.description}",
            "Päivä", "Tila", "Eteneminen", "Muistiinpano",
        )
        table.title_style = ""
        for column in table.columns[:3]:
            column.no_wrap = True
        target = f"; tavoitepäivä {fi_date(goal.target_date)}" if goal.target_date else ""
        table.add_row(
            fi_date(goal.set_on), _status(GoalStatus.NOT_STARTED), _bar(0),
            plain(f"asetettu{target}", "dim"),
        )
        for update in goal.updates:
            table.add_row(
                _lines((fi_date(update.updated_on), ""), (names.actor(update.actor_id), "dim")),
                _status(update.status),
                _bar(update.progress),
                plain(update.note or ""),
            )
        parts.append(table)
    if not progress:
        parts.append(plain("Tavoitteita ei ole asetettu.", "dim"))
    return Group(*parts)


def render_audit_trail(trail: Sequence[AuditEntry], names: Names) -> RenderableType:
    """Audit trail (muutoshistoria): every recorded event in the order recorded, and who."""
    table = titled_table("Muutoshistoria", "Nro", "Kirjattu", "Tapahtui", "Tapahtuma", "Kirjaaja")
    table.columns[0].justify = "right"
    for column in table.columns[:3]:
        column.no_wrap = True
    for entry in trail:
        table.add_row(
            str(entry.version),
            fi_time(entry.recorded_at),
            fi_date(entry.occurred_on),
            _lines((entry.label_fi, "bold"), (names.shorten(entry.summary), "")),
            plain(names.actor(entry.actor_id)),
        )
    legend = titled_table("Kirjaajat", "Kirjaaja", "Ammatti", "Organisaatio", "Tunnus")
    for actor in names.actors.values():
        legend.add_row(
            plain(actor.name),
            plain(fi(actor.profession) if actor.profession else "–"),
            plain(actor.organisation or "–"),
            plain(actor.id),
        )
    return Group(table, legend)



def render_status(statuses: Sequence[ProjectionStatus]) -> RenderableType:
    """Stored projections' status (näkymien tila): position, log head, lag, rows per table."""
    result = titled_table(
        "Raportointinäkymät", "Näkymä", "Kohta", "Lokin pää", "Viive", "Taulu", "Rivejä"
    )
    for column in result.columns[1:4] + result.columns[5:]:
        column.justify = "right"
    for status in statuses:
        lag = plain(str(status.lag), "green" if status.lag == 0 else "yellow")
        for n, (name, rows) in enumerate(status.rows.items()):
            first = n == 0
            result.add_row(
                whole(status.projection if first else "", "bold"),
                str(status.position) if first else "",
                str(status.head) if first else "",
                lag if first else "",
                whole(name),
                str(rows),
            )
    return result

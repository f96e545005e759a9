"""Case report page (asiakasraportti): the client plan as a social worker prints it, in HTML.

:func:`render_case_report` draws a :class:`~perhetyo.projections.CaseReport` (read with
``FamilyCases.case_report``, one logged read) as one self-contained page in Finnish: the
case's basic facts, the plan's content and agreements, the goals with a goal-progress chart,
the services on a timeline with their decisions, the meetings, the children's views, the
statutory deadlines and the audit trail. The CSS is inline, with a print layout (A4); there
is no script and nothing is fetched. The charts are SVG drawn here
(:mod:`perhetyo.reporting.svg`).

Every text from the record goes through :func:`html.escape`: a note holding ``<script>``
prints as that text. The page is also well-formed XML, so a pipeline can parse it. It holds
the client's personal data by nature (names, views, notes): store and destroy it as a
client record. A pure function of the report: the same report gives the same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from enum import StrEnum
from html import escape
from typing import Final
from uuid import UUID

from perhetyo.projections import CaseReport, CurrentPlan
from perhetyo.projections.plan_views import ServiceView
from perhetyo.reporting.svg import (
    Bar,
    Mark,
    Point,
    Series,
    TimelineRow,
    line_chart,
    series_style,
    timeline,
)
from perhetyo.time import HELSINKI
from perhetyo.values import GoalStatus, LegalBasis, ServiceStatus, finnish_label

__all__ = ["render_case_report"]

_CSS: Final = """
@page { size: A4; margin: 14mm 12mm; }
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10.5pt; color: #111;
  max-width: 980px; margin: 24px auto; padding: 0 16px; line-height: 1.35; }
h1 { font-size: 20pt; margin: 4px 0; }
h2 { font-size: 14pt; border-bottom: 2px solid #0072B2; padding-bottom: 2px; margin-top: 28px; }
h3 { font-size: 11.5pt; margin: 16px 0 6px; }
.secret { display: inline-block; border: 2px solid #b00020; color: #b00020; font-weight: bold;
  padding: 2px 8px; letter-spacing: 0.05em; }
.meta, .muted { color: #555; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 3px 18px; margin: 0; }
dl.facts dt { font-weight: bold; }
dl.facts dd { margin: 0; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 10px; }
th, td { border-bottom: 1px solid #ccc; padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #eef3f8; font-weight: bold; }
td.num { text-align: right; white-space: nowrap; }
td.date, td.key { white-space: nowrap; }
td.key { padding-right: 12px; }
.text { white-space: pre-line; }
ul { margin: 4px 0 8px 20px; padding: 0; }
.meter { display: inline-block; width: 80px; height: 9px; background: #e6e6e6;
  margin-right: 6px; }
.meter span { display: block; height: 9px; background: #009E73; }
.status-overdue, .status-not_achieved { color: #b00020; font-weight: bold; }
.status-met, .status-achieved { color: #1b5e4a; }
.status-met_late { color: #8a5a00; font-weight: bold; }
figure { margin: 8px 0; }
figcaption { color: #555; font-size: 9pt; }
svg { max-width: 100%; height: auto; }
footer { margin-top: 28px; color: #555; font-size: 9pt; border-top: 1px solid #ccc; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 9.5pt; }
  h2 { break-after: avoid; page-break-after: avoid; }
  tr, figure, dl.facts, .keep { break-inside: avoid; page-break-inside: avoid; }
  th { background: #eef3f8; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .meter span { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""

_NOT_RECORDED: Final = "–"


def _t(text: str) -> str:
    """Text from the record, escaped (for HTML text and attribute values alike)."""
    return escape(text, quote=True)


def _fi(member: StrEnum) -> str:
    return finnish_label(member)


def _date(value: date | None) -> str:
    return _NOT_RECORDED if value is None else f"{value.day}.{value.month}.{value.year}"


def _time(value: datetime) -> str:
    local = value.astimezone(HELSINKI)
    return f"{_date(local.date())} {local.hour}.{local.minute:02d}"


class _Names:
    """Short keys and names for ids: goals T1, services P1, decisions PP1, matters A1,
    people and workers by name, so that the tables and the trail read easily."""

    def __init__(self, report: CaseReport) -> None:
        plan = report.plan
        self.ids: dict[str, str] = {}
        for person in (*(m.child for m in plan.memberships), *plan.children, *plan.guardians):
            self.ids[person.id] = person.display_name
        for worker in report.workers:
            self.ids.setdefault(worker.id, worker.name)
        for actor in report.actors:
            self.ids.setdefault(actor.id, actor.name)
        self.ids.update({str(g.goal_id): f"T{n}" for n, g in enumerate(report.goals, 1)})
        self.ids.update({str(s.service_id): f"P{n}" for n, s in enumerate(plan.services, 1)})
        self.ids.update({str(d.decision_id): f"PP{n}" for n, d in enumerate(plan.decisions, 1)})
        self.ids.update({str(m.matter_id): f"A{n}" for n, m in enumerate(plan.matters, 1)})
        known = sorted(self.ids, key=len, reverse=True)
        self._pattern = (
            re.compile(rf"(?<![\w.:-])({'|'.join(map(re.escape, known))})(?![\w-])")
            if known else None
        )

    def of(self, any_id: UUID | str | None) -> str:
        return _NOT_RECORDED if any_id is None else self.ids.get(str(any_id), str(any_id))

    def whose(self, child_id: str | None) -> str:
        return "koko perhe" if child_id is None else self.of(child_id)

    def shorten(self, line: str) -> str:
        if self._pattern is None:
            return line
        return self._pattern.sub(lambda match: self.ids[match.group(1)], line)


# --- small pieces -----------------------------------------------------------------------------


def _facts(rows: Iterable[tuple[str, str]]) -> str:
    """Label and text pairs as a definition list (both escaped here)."""
    items = "".join(
        f'<dt>{_t(label)}</dt><dd class="text">{_t(value)}</dd>' for label, value in rows
    )
    return f'<dl class="facts">{items}</dl>'


def _list(items: Sequence[str], empty: str) -> str:
    if not items:
        return f'<p class="muted">{_t(empty)}</p>'
    return "<ul>" + "".join(f'<li class="text">{_t(item)}</li>' for item in items) + "</ul>"


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], empty: str) -> str:
    """A table; ``rows`` hold cells already rendered (``<td>``...)."""
    if not rows:
        return f'<p class="muted">{_t(empty)}</p>'
    head = "".join(f"<th>{_t(header)}</th>" for header in headers)
    body = "".join("<tr>" + "".join(cells) + "</tr>" for cells in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _td(text: str, css: str = "") -> str:
    return f'<td class="{css}">{_t(text)}</td>' if css else f"<td>{_t(text)}</td>"


def _status(member: StrEnum) -> str:
    return f'<td class="status-{_t(member.value)}">{_t(_fi(member))}</td>'


def _progress(value: int) -> str:
    return (
        f'<td class="num"><span class="meter"><span style="width: {max(0, min(value, 100))}%">'
        f"</span></span>{value} %</td>"
    )


def _section(anchor: str, title: str, *parts: str) -> str:
    return f'<section id="{anchor}"><h2>{_t(title)}</h2>{"".join(parts)}</section>'


# --- the sections -----------------------------------------------------------------------------


def _basics(report: CaseReport, names: _Names) -> str:
    plan = report.plan
    worker = plan.named_worker
    role = (
        "Vastaava sosiaalityöntekijä"  # LsL 13 b §: lapsen asioista vastaava sosiaalityöntekijä
        if plan.legal_basis is LegalBasis.CHILD_WELFARE_ACT
        else "Omatyöntekijä"
    )
    status = _fi(plan.status) + (f" {_date(plan.closed_on)}" if plan.closed_on else "")
    rows = [
        ("Tila", status),
        ("Lakiperuste", _fi(plan.legal_basis)),
        ("Palvelutehtävä", _fi(plan.service_task)),
        (role, f"{worker.name} ({_fi(worker.profession)})"),
        ("Asia tuli vireille", _date(plan.pending_on)
         + (f" ({_fi(plan.initiated_by)})" if plan.initiated_by else "")),
        ("Asiakkuus alkoi", _date(plan.opened_on)),
    ]
    if plan.closure_reason is not None:
        rows.append(("Päättymisen syy", _fi(plan.closure_reason)))
    if plan.successor is not None:
        rows.append(("Jatkuva asiakkuus", _fi(plan.successor.kind)))
    rows.append(("Huoltajat", ", ".join(g.display_name for g in plan.guardians) or "–"))
    children = [
        [
            _td(m.child.display_name),
            _td(_date(m.child.birth_date), "date"),
            _td(_date(m.joined_on), "date"),
            _td(_date(m.left_on), "date"),
            _td(m.worker.name if m.worker else "–"),
        ]
        for m in plan.memberships
    ]
    assessments = [
        [
            _td(names.of(m.matter_id), "key"),
            _td(_date(m.pending_on), "date"),
            _td(_fi(m.initiated_by) if m.initiated_by else "–"),
            _td(_date(m.assessment.started_on if m.assessment else None), "date"),
            _td(_date(m.assessment.completed_on if m.assessment else None), "date"),
            _td((m.assessment.conclusions or "") if m.assessment else "", "text"),
        ]
        for m in plan.matters
    ]
    return _section(
        "perustiedot",
        "Perustiedot",
        _facts(rows),
        "<h3>Lapset</h3>",
        _table(["Lapsi", "Syntynyt", "Asiakkaana alkaen", "Päättyi", "Oma työntekijä"],
               children, "Ei lapsia."),
        "<h3>Vireilletulot ja palvelutarpeen arvioinnit</h3>",
        _table(["", "Vireillä", "Tapa", "Arviointi alkoi", "Valmistui", "Johtopäätökset"],
               assessments, "Ei kirjattuja asioita."),
    )


def _plan(plan: CurrentPlan) -> str:
    if plan.plan_version == 0:
        return _section("suunnitelma", "Asiakassuunnitelma",
                        '<p class="muted">Asiakassuunnitelmaa ei ole vielä laadittu.</p>')
    content = plan.plan_content
    rows = [
        ("Versio", f"{plan.plan_version} (laadittu {_date(plan.plan_agreed_on)})"),
        ("Tarkistetaan viimeistään", _date(plan.review_due_on)),
    ]
    for label, value in (
        ("Asiakkaan tilanne", content.situation),
        ("Asiakkaan arvio tuen tarpeesta", content.client_assessment),
        ("Työntekijän arvio tuen tarpeesta", content.professional_assessment),
        ("Vahvuudet ja voimavarat", content.strengths),
        ("Seuranta ja arviointi", content.follow_up),
        ("Arvioitu kesto", content.estimated_duration),
        ("Laadittu (paikka)", content.place),
    ):
        if value:
            rows.append((label, value))
    if content.participants:
        rows.append(("Laatimiseen osallistuivat", ", ".join(content.participants)))
    if content.delivered_to:
        rows.append(("Suunnitelma annettu", ", ".join(content.delivered_to)))
    rows.append(("Oikeudet ja velvollisuudet kerrottu", "kyllä" if content.rights_explained
                 else "ei kirjattu"))
    planned = [
        [
            _td(_fi(service.kind)),
            _td(service.description or "", "text"),
            _td(_date(service.estimated_start), "date"),
            _td(service.estimated_duration or "–"),
        ]
        for service in content.planned_services
    ]
    earlier = ", ".join(
        f"{v.version} ({_date(v.agreed_on)})" for v in plan.plan_versions[:-1]
    )
    return _section(
        "suunnitelma",
        "Asiakassuunnitelma",
        _facts(rows),
        "<h3>Sovitut asiat</h3>",
        _list(plan.agreements, "Ei sovittuja asioita."),
        "<h3>Eriävät näkemykset</h3>",
        _list(plan.dissent, "Ei eriäviä näkemyksiä."),
        "<h3>Suunnitellut palvelut</h3>" if planned else "",
        _table(["Palvelu", "Kuvaus", "Arvioitu alku", "Arvioitu kesto"], planned, "")
        if planned else "",
        f'<p class="muted">Aiemmat versiot: {_t(earlier)}</p>' if earlier else "",
    )


def _span(report: CaseReport) -> tuple[date, date]:
    """The charts' time axis: from the pending or opening day to the closing or report day."""
    plan = report.plan
    days = [plan.opened_on, plan.closed_on or report.on]
    days += [d for d in (plan.pending_on,) if d is not None]
    for goal in report.goals:
        days += [goal.set_on, *(u.updated_on for u in goal.updates)]
    for service in plan.services:
        days += [d for d in (service.ordered_on, service.started_on, service.ended_on) if d]
    days += [m.held_on for m in plan.meetings] + [v.agreed_on for v in plan.plan_versions]
    return min(days), max(days)


def _goals(report: CaseReport, names: _Names) -> str:
    if not report.goals:
        return _section("tavoitteet", "Tavoitteet",
                        '<p class="muted">Tavoitteita ei ole asetettu.</p>')
    start, end = _span(report)
    series = [
        Series(
            key=names.of(goal.goal_id),
            title=goal.description,
            points=(
                Point(goal.set_on, 0, f"{_date(goal.set_on)}: asetettu"),
                *(
                    Point(u.updated_on, u.progress,
                          f"{_date(u.updated_on)}: {_fi(u.status)}, {u.progress} %")
                    for u in goal.updates
                ),
            ),
            hold_until=None if goal.status.is_final else end,
        )
        for goal in report.goals
    ]
    day = report.on if report.plan.closed_on is None else None
    chart = line_chart(series, start=start, end=end, title="Tavoitteiden eteneminen",
                       day=day, day_label="raportin päivä", css_class="goal-chart")
    rows = []
    for index, goal in enumerate(report.goals):
        colour, dash = series_style(index)
        swatch = (
            '<svg xmlns="http://www.w3.org/2000/svg" width="30" height="10" aria-hidden="true">'
            f'<line x1="1" y1="5" x2="29" y2="5" stroke="{colour}" stroke-width="3"'
            + (f' stroke-dasharray="{dash}"' if dash else "") + "/></svg>"
        )
        rows.append([
            f'<td class="key">{swatch} <b>{_t(names.of(goal.goal_id))}</b></td>',
            _td(goal.description, "text"),
            _td(names.whose(goal.child_id)),
            _status(goal.status),
            _progress(goal.progress),
            _td(_date(goal.target_date), "date"),
        ])
    updates = [
        [
            _td(names.of(goal.goal_id), "key"),
            _td(_date(u.updated_on), "date"),
            _status(u.status),
            _progress(u.progress),
            _td(u.note or "", "text"),
            _td(names.of(u.actor_id)),
        ]
        for goal in report.goals
        for u in goal.updates
    ]
    return _section(
        "tavoitteet",
        "Tavoitteet ja niiden eteneminen",
        f"<figure>{chart}<figcaption>Kunkin tavoitteen eteneminen (0–100 %) kirjausten "
        "mukaan; viiva alkaa tavoitteen asettamispäivästä.</figcaption></figure>",
        _table(["", "Tavoite", "Kenen", "Tila", "Eteneminen", "Tavoitepäivä"], rows, ""),
        "<h3>Tavoitteiden kirjaukset</h3>",
        _table(["", "Päivä", "Tila", "Eteneminen", "Muistiinpano", "Kirjaaja"], updates,
               "Tavoitteita ei ole vielä päivitetty."),
    )


def _bars(service: ServiceView, end: date) -> tuple[Bar, ...]:
    kind = _fi(service.kind)
    if service.status is ServiceStatus.CANCELLED:
        return (Bar(service.ordered_on, service.ended_on or end, "cancelled",
                    f"{kind}: peruttu {_date(service.ended_on)}"),)
    bars = []
    until = service.started_on or end
    if until > service.ordered_on or service.started_on is None:
        bars.append(Bar(service.ordered_on, until, "waiting",
                        f"{kind}: tilattu {_date(service.ordered_on)}",
                        open_end=service.started_on is None))
    if service.started_on is not None:
        ended = service.ended_on is not None
        bars.append(Bar(service.started_on, service.ended_on or end,
                        "ended" if ended else "active",
                        f"{kind}: alkoi {_date(service.started_on)}"
                        + (f", päättyi {_date(service.ended_on)}" if ended else ""),
                        open_end=not ended))
    return tuple(bars)


def _services(report: CaseReport, names: _Names) -> str:
    plan = report.plan
    start, end = _span(report)
    rows = [
        TimelineRow(f"{names.of(s.service_id)} {_fi(s.kind)}", _bars(s, end))
        for s in plan.services
    ]
    rows.append(TimelineRow("Tapaamiset", marks=tuple(
        Mark(m.held_on, note=f"{_date(m.held_on)} {_fi(m.kind)}") for m in plan.meetings
    )))
    rows.append(TimelineRow("Asiakassuunnitelma", marks=tuple(
        Mark(v.agreed_on, f"v{v.version}", f"versio {v.version}, laadittu {_date(v.agreed_on)}")
        for v in plan.plan_versions
    )))
    day = report.on if plan.closed_on is None else None
    chart = timeline(rows, start=start, end=end, title="Palvelut ja tapaamiset aikajanalla",
                     day=day, day_label="raportin päivä", css_class="service-timeline")
    table = [
        [
            _td(names.of(s.service_id), "key"),
            _td(_fi(s.kind)),
            _td(s.provider),
            _status(s.status),
            _td(_date(s.ordered_on), "date"),
            _td(_date(s.started_on), "date"),
            _td(_date(s.ended_on), "date"),
            _td(", ".join(names.of(g) for g in s.goal_ids) or "–"),
            _td(names.of(s.decision_id) if s.decision_id else "–", "key"),
        ]
        for s in plan.services
    ]
    decisions = [
        [
            _td(names.of(d.decision_id), "key"),
            _td(_fi(d.kind)),
            _td(_fi(d.outcome)),
            _td(_date(d.decided_on), "date"),
            _td(f"{_date(d.valid_from)}–{_date(d.valid_until)}"
                if d.valid_from or d.valid_until else _NOT_RECORDED),
            _td(", ".join(d.legal_sections)),
            _td(d.reasoning, "text"),
            _td(d.decision_maker.name),
        ]
        for d in plan.decisions
    ]
    return _section(
        "palvelut",
        "Palvelut",
        f"<figure>{chart}<figcaption>Katkoviiva: tilattu, ei vielä alkanut; tumma: "
        "käynnissä; vaalea: päättynyt; harmaa: peruttu. Vihreät merkit: tapaamiset ja "
        "suunnitelman versiot.</figcaption></figure>",
        _table(["", "Palvelu", "Tuottaja", "Tila", "Tilattu", "Alkoi", "Päättyi",
                "Tavoitteet", "Päätös"], table, "Palveluita ei ole tilattu."),
        "<h3>Palvelupäätökset</h3>",
        _table(["", "Palvelu", "Ratkaisu", "Päätetty", "Voimassa", "Lainkohdat",
                "Perustelut", "Päättäjä"], decisions, "Ei palvelupäätöksiä."),
    )


def _meetings_and_views(report: CaseReport) -> str:
    plan = report.plan
    channels = any(m.channel is not None for m in plan.meetings)
    meetings = [
        [_td(_date(m.held_on), "date"), _td(_fi(m.kind))]
        + ([_td(_fi(m.channel) if m.channel else "–")] if channels else [])
        for m in plan.meetings
    ]
    cancelled = [
        [_td(_date(m.planned_on), "date"), _td(_fi(m.kind)),
         _td(_date(m.cancelled_on), "date"), _td(m.reason, "text")]
        for m in plan.cancelled_meetings
    ]
    views = []
    for membership in plan.memberships:
        child = membership.child
        view = plan.child_views.get(child.id) or membership.view
        said = [view] if view else []
        if membership.not_heard_reason:
            said.append(f"Ei kuultu päättymisestä: {membership.not_heard_reason}")
        views.append([_td(child.display_name), _td("\n".join(said) or "ei kirjattu", "text")])
    return (
        _section(
            "tapaamiset",
            "Tapaamiset",
            _table(["Päivä", "Tapaaminen", *(["Tapa"] if channels else [])], meetings,
                   "Tapaamisia ei ole kirjattu."),
            "<h3>Peruuntuneet tapaamiset</h3>" if cancelled else "",
            _table(["Suunniteltu", "Tapaaminen", "Peruttu", "Syy"], cancelled, "")
            if cancelled else "",
        )
        + _section(
            "nakemykset",
            "Lasten näkemykset (viimeisimmät)",
            _table(["Lapsi", "Näkemys"], views, "Ei lapsia."),
        )
    )


def _deadlines(report: CaseReport, names: _Names) -> str:
    rows = [
        [
            _td(_fi(d.kind)),
            _td(names.of(d.matter_id) if d.matter_id else f"suunnitelma v{d.plan_version}"),
            _td(_date(d.due_on), "date"),
            _td(_date(d.met_on), "date"),
            _status(d.status),
        ]
        for d in report.deadlines
    ]
    return _section(
        "maaraajat",
        f"Määräajat (tilanne {_date(report.on)})",
        _table(["Määräaika", "Koskee", "Eräpäivä", "Toteutui", "Tila"], rows,
               "Asiakkuudella ei ole lakisääteisiä määräaikoja."),
    )


def _trail(report: CaseReport, names: _Names) -> str:
    rows = [
        [
            _td(str(entry.version), "num"),
            _td(_time(entry.recorded_at), "date"),
            _td(_date(entry.occurred_on), "date"),
            f"<td><b>{_t(entry.label_fi)}</b><br/>{_t(names.shorten(entry.summary))}</td>",
            _td(names.of(entry.actor_id)),
        ]
        for entry in report.audit_trail
    ]
    actors = [
        [_td(a.name), _td(_fi(a.profession) if a.profession else "–"),
         _td(a.organisation or "–"), _td(a.id)]
        for a in report.actors
    ]
    return _section(
        "muutoshistoria",
        "Muutoshistoria",
        _table(["Nro", "Kirjattu", "Tapahtui", "Kirjaus", "Kirjaaja"], rows, "Ei kirjauksia."),
        "<h3>Kirjaajat</h3>",
        _table(["Nimi", "Ammatti", "Organisaatio", "Tunnus"], actors, ""),
    )


def render_case_report(report: CaseReport) -> str:
    """The case report as one self-contained HTML page (asiakasraportti), in Finnish.

    Inline CSS with a print layout, inline SVG charts, no script; every text escaped.
    """
    plan = report.plan
    names = _Names(report)
    goal_word = "" if not report.goals else (
        f" · tavoitteita {len(report.goals)}, saavutettu "
        f"{sum(g.status is GoalStatus.ACHIEVED for g in report.goals)}"
    )
    header = (
        "<header>"
        '<p class="secret">SALASSA PIDETTÄVÄ · sisältää asiakastietoja</p>'
        "<h1>Asiakassuunnitelma</h1>"
        f'<p class="meta">Asiakkuus {_t(str(plan.case_id))} · tilanne {_t(_date(report.on))}'
        f" · kirjauksia {plan.version}{_t(goal_word)}</p>"
        "</header>"
    )
    body = "".join([
        header,
        _basics(report, names),
        _plan(plan),
        _goals(report, names),
        _services(report, names),
        _meetings_and_views(report),
        _deadlines(report, names),
        _trail(report, names),
        "<footer><p>Raportti on koottu asiakkuuden kirjauksista (perhetyo). Se sisältää "
        "henkilötietoja: säilytä ja hävitä se asiakasasiakirjana.</p></footer>",
    ])
    return (
        "<!DOCTYPE html>\n"
        '<html xmlns="http://www.w3.org/1999/xhtml" lang="fi">\n'
        '<head><meta charset="utf-8"/>'
        '<meta name="viewport" content="width=device-width, initial-scale=1"/>'
        f"<title>Asiakassuunnitelma {_t(str(plan.case_id))}</title>"
        f"<style>{_CSS}</style></head>\n"
        f"<body>{body}</body>\n</html>\n"
    )

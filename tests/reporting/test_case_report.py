"""The case report (asiakasraportti): one logged read, a well-formed page, a chart per goal.

The demo story is rendered and its page parsed as XML: the goal-progress chart has one
line per goal, the timeline one row per service. A case whose every free text and name
holds a ``<script>`` prints them as text. Reading the report is logged once, an erased case
is not readable, and no name or free text reaches the access log or a log line.
"""

from __future__ import annotations

import ast
import logging
import xml.etree.ElementTree as ET
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from uuid import UUID, uuid4

import pytest

from perhetyo import (
    AccessAction,
    Actor,
    CaseErasedError,
    CaseNotFoundError,
    ClosureReason,
    DecisionOutcome,
    FamilyCases,
    GoalStatus,
    InvalidCommandError,
    LegalBasis,
    MeetingKind,
    NamedWorker,
    PersonRef,
    Profession,
    ServiceKind,
    generate_key,
)
from perhetyo.projections import CaseReport
from perhetyo.record_values import PlannedService
from perhetyo.reporting import render_case_report
from perhetyo.reporting.svg import SVG_NAMESPACE
from perhetyo.testing import (
    DEMO_READER,
    FakeClock,
    StoryClock,
    an_actor,
    open_sample_case,
    record_demo_story,
)

SVG = f"{{{SVG_NAMESPACE}}}"
XHTML = "{http://www.w3.org/1999/xhtml}"
READER = an_actor("reader-1")
PLANTED = '<script>alert("Qx")</script> & ]]> "Qx"'
"""Free text and names that would be markup if printed as they are."""


def parse_page(page: str) -> ET.Element:
    """The page as XML (it is well-formed XHTML): the doctype line is HTML's, not XML's."""
    doctype, rest = page.split("\n", 1)
    assert doctype == "<!DOCTYPE html>"
    return ET.fromstring(rest)  # noqa: S314 (our own page, not untrusted input)


def svg_by_class(root: ET.Element, css_class: str) -> ET.Element:
    found = [svg for svg in root.iter(f"{SVG}svg") if svg.get("class") == css_class]
    assert len(found) == 1, css_class
    return found[0]


@pytest.fixture(scope="module")
def demo() -> tuple[CaseReport, str]:
    """The demo story's report and its page."""
    clock = StoryClock()
    with FamilyCases("memory://", clock=clock) as cases:
        case_id = record_demo_story(cases, clock)
        report = cases.case_report(case_id, actor=DEMO_READER)
    return report, render_case_report(report)


# --- the demo story's page ------------------------------------------------------------------


def test_the_demo_story_charts_one_line_per_goal(demo: tuple[CaseReport, str]) -> None:
    report, page = demo
    chart = svg_by_class(parse_page(page), "goal-chart")

    lines = list(chart.iter(f"{SVG}polyline")) + list(chart.iter(f"{SVG}path"))

    assert len(report.goals) == 7
    assert len(lines) == len(report.goals)
    assert [line.get("data-key") for line in lines] == [f"T{n}" for n in range(1, 8)]
    for line, goal in zip(lines, report.goals, strict=True):
        points = (line.get("points") or "").split()
        assert len(points) == 1 + len(goal.updates)  # the setting, then each update


def test_a_goals_line_climbs_with_its_progress(demo: tuple[CaseReport, str]) -> None:
    """T1 goes 0, 10, 40, 60, 100 %: its y falls (SVG's y grows downwards) at each step."""
    _, page = demo
    chart = svg_by_class(parse_page(page), "goal-chart")
    first = next(chart.iter(f"{SVG}polyline"))

    ys = [float(point.split(",")[1]) for point in (first.get("points") or "").split()]
    xs = [float(point.split(",")[0]) for point in (first.get("points") or "").split()]

    assert ys == sorted(ys, reverse=True)
    assert len(set(ys)) == 5
    assert xs == sorted(xs)


def test_the_timeline_has_a_row_per_service_with_its_bars(
    demo: tuple[CaseReport, str],
) -> None:
    report, page = demo
    timeline = svg_by_class(parse_page(page), "service-timeline")

    bars = [rect for rect in timeline.iter(f"{SVG}rect") if "period" in (rect.get("class") or "")]
    labels = [text.text for text in timeline.iter(f"{SVG}text")]

    assert len(report.services) == 1
    assert [bar.get("class") for bar in bars] == ["period waiting", "period ended"]
    assert "P1 perhekuntoutus" in labels
    assert len([m for m in timeline.iter(f"{SVG}path") if m.get("class") == "mark"]) == 7 + 2


def test_the_page_shows_the_plan_goals_services_deadlines_and_trail(
    demo: tuple[CaseReport, str],
) -> None:
    report, page = demo
    root = parse_page(page)
    sections = [section.get("id") for section in root.iter(f"{XHTML}section")]
    text = "".join(root.itertext())

    assert sections == [
        "perustiedot", "suunnitelma", "tavoitteet", "palvelut", "tapaamiset", "nakemykset",
        "maaraajat", "muutoshistoria",
    ]
    assert root.get("lang") == "fi"
    assert "Asiakassuunnitelma" in text
    assert report.plan.agreements[0] in text
    assert report.plan.dissent[0] in text
    assert "Perhetuki Esimerkki Oy" in text
    assert "asiakassuunnitelman tarkistaminen" in text  # a deadline's kind, in Finnish
    assert "Laura V." in text  # who recorded, by name
    assert "Anna T." in text
    trail_rows = root.find(f".//{XHTML}section[@id='muutoshistoria']/{XHTML}table/{XHTML}tbody")
    assert trail_rows is not None
    assert len(trail_rows) == len(report.audit_trail)
    assert str(report.goals[0].goal_id) not in text  # ids read as T1, P1, names


def test_the_page_is_self_contained_and_printable(demo: tuple[CaseReport, str]) -> None:
    _, page = demo
    root = parse_page(page)

    assert not list(root.iter(f"{XHTML}script"))
    assert not list(root.iter(f"{XHTML}link"))
    assert "http://" not in page.replace(SVG_NAMESPACE, "").replace(XHTML[1:-1], "")
    assert "https://" not in page
    style = root.find(f"{XHTML}head/{XHTML}style")
    assert style is not None
    assert "@media print" in (style.text or "")


def test_rendering_is_a_pure_function_of_the_report(demo: tuple[CaseReport, str]) -> None:
    report, page = demo
    assert render_case_report(report) == page
    assert render_case_report(CaseReport.model_validate(report.model_dump())) == page


# --- escaping ---------------------------------------------------------------------------------


def _planted_case(cases: FamilyCases, clock: FakeClock) -> UUID:
    """A case whose every name and free text is ``PLANTED``, through most kinds of event."""
    actor = Actor(id="sw-planted", name=PLANTED, profession=Profession.SOCIAL_WORKER,
                  organisation=PLANTED)
    worker = NamedWorker(id="sw-planted", name=PLANTED, profession=Profession.SOCIAL_WORKER)
    case_id = cases.open_case(
        children=[PersonRef(id="child-p1", display_name=PLANTED, birth_date=date(2012, 5, 1))],
        guardians=[PersonRef(id="guardian-p1", display_name=PLANTED)],
        legal_basis=LegalBasis.CHILD_WELFARE_ACT, named_worker=worker,
        opened_on=date(2020, 8, 12), actor=actor,
    )
    cases.record_meeting(case_id, kind=MeetingKind.OPENING, held_on=date(2020, 8, 13),
                         participants=[PLANTED], summary=PLANTED, actor=actor)
    cases.cancel_meeting(case_id, kind=MeetingKind.HOME_VISIT, planned_on=date(2020, 8, 14),
                         reason=PLANTED, actor=actor)
    cases.record_child_view(case_id, child_id="child-p1", view=PLANTED,
                            recorded_on=date(2020, 8, 14), actor=actor)
    goal_id = cases.set_goal(case_id, description=PLANTED, set_on=date(2020, 8, 15),
                             child_id="child-p1", actor=actor)
    cases.update_goal(case_id, goal_id, status=GoalStatus.IN_PROGRESS, progress=30,
                      note=PLANTED, updated_on=date(2020, 9, 1), actor=actor)
    cases.agree_plan(
        case_id, agreed_on=date(2020, 8, 15), agreements=[PLANTED], dissent=[PLANTED],
        situation=PLANTED, client_assessment=PLANTED, professional_assessment=PLANTED,
        strengths=PLANTED, follow_up=PLANTED, estimated_duration=PLANTED, place=PLANTED,
        participants=[PLANTED], delivered_to=[PLANTED], review_due_on=date(2020, 12, 1),
        planned_services=[PlannedService(kind=ServiceKind.FAMILY_WORK, description=PLANTED,
                                         estimated_duration=PLANTED)],
        actor=actor,
    )
    decision_id = cases.decide_service(
        case_id, kind=ServiceKind.FAMILY_WORK, outcome=DecisionOutcome.GRANTED,
        decided_on=date(2020, 8, 20), legal_sections=[PLANTED], reasoning=PLANTED,
        decision_maker=worker, actor=actor,
    )
    service_id = cases.order_service(case_id, kind=ServiceKind.FAMILY_WORK, provider=PLANTED,
                                     ordered_on=date(2020, 8, 20), goal_ids=[goal_id],
                                     decision_id=decision_id, actor=actor)
    cases.start_service(case_id, service_id, started_on=date(2020, 8, 24), actor=actor)
    cases.end_service(case_id, service_id, ended_on=date(2020, 11, 30), reason=PLANTED,
                      actor=actor)
    cases.close_case(case_id, closed_on=date(2020, 12, 10),
                     reason=ClosureReason.NO_LONGER_NEEDED,
                     child_views={"child-p1": PLANTED}, actor=actor)
    clock.advance()
    return case_id


def test_every_planted_script_prints_as_text(clock: FakeClock) -> None:
    with FamilyCases("memory://", clock=clock) as cases:
        case_id = _planted_case(cases, clock)
        report = cases.case_report(case_id, actor=READER)
    page = render_case_report(report)
    root = parse_page(page)

    assert "<script" not in page.lower()
    assert "&lt;script&gt;" in page
    assert not list(root.iter(f"{XHTML}script"))
    assert not list(root.iter(f"{SVG}script"))
    text = "".join(root.itertext())
    assert text.count(PLANTED) >= 20  # shown, as text, wherever the record has it


class _Strict(HTMLParser):
    """Collects the start tags an HTML parser (not an XML one) sees."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)


def test_an_html_parser_sees_no_script_either(clock: FakeClock) -> None:
    with FamilyCases("memory://", clock=clock) as cases:
        page = render_case_report(
            cases.case_report(_planted_case(cases, clock), actor=READER)
        )
    parser = _Strict()
    parser.feed(page)
    parser.close()

    assert "script" not in parser.tags
    assert parser.tags.count("svg") >= 2


# --- the read ---------------------------------------------------------------------------------


def test_reading_the_report_is_logged_exactly_once(cases: FamilyCases, case_id: UUID) -> None:
    before = cases.access_log(case_id, actor=READER)

    cases.case_report(case_id, actor=READER, purpose="asiakassuunnitelman tulostus")

    after = cases.access_log(case_id, actor=READER)
    new = [e for e in after[len(before):] if e.action is not AccessAction.ACCESS_LOG]
    assert len(new) == 1
    assert new[0].action is AccessAction.REPORT
    assert (new[0].case_id, new[0].actor_id) == (case_id, READER.id)
    assert new[0].purpose == "asiakassuunnitelman tulostus"


def test_a_report_of_an_unknown_case_is_not_found(cases: FamilyCases) -> None:
    unknown = uuid4()
    with pytest.raises(CaseNotFoundError):
        cases.case_report(unknown, actor=READER)


def test_a_report_of_an_erased_case_is_refused(clock: FakeClock) -> None:
    with FamilyCases("memory://", clock=clock, master_key=generate_key()) as cases:
        case_id = open_sample_case(cases)
        cases.close_case(case_id, closed_on=date(2020, 12, 1),
                         reason=ClosureReason.NO_LONGER_NEEDED,
                         child_views={"child-1": "Kiva"}, actor=READER)
        cases.erase_case(case_id, reason="säilytysaika päättyi", actor=READER)

        with pytest.raises(CaseErasedError):
            cases.case_report(case_id, actor=READER)


def test_a_report_on_a_past_day_shows_what_had_happened_by_then(
    cases: FamilyCases, case_id: UUID
) -> None:
    goal_id = cases.set_goal(case_id, description="Tavoite", set_on=date(2020, 9, 1),
                             actor=READER)
    cases.update_goal(case_id, goal_id, status=GoalStatus.IN_PROGRESS, progress=50,
                      updated_on=date(2020, 10, 1), actor=READER)

    then = cases.case_report(case_id, actor=READER, on=date(2020, 9, 15))
    now = cases.case_report(case_id, actor=READER)

    assert then.on == date(2020, 9, 15)
    assert [len(goal.updates) for goal in then.goals] == [0]
    assert [len(goal.updates) for goal in now.goals] == [1]
    assert now.on == date(2020, 12, 31)  # the store's today in Helsinki
    with pytest.raises(CaseNotFoundError):
        cases.case_report(case_id, actor=READER, on=date(2020, 8, 1))  # before the opening


def test_a_report_day_that_is_not_a_date_is_refused(cases: FamilyCases, case_id: UUID) -> None:
    with pytest.raises(InvalidCommandError):
        cases.case_report(case_id, actor=READER, on="2020-09-01")  # type: ignore[arg-type]


def test_the_report_is_equal_on_every_read(cases: FamilyCases, case_id: UUID) -> None:
    first = cases.case_report(case_id, actor=READER, on=date(2020, 12, 1))
    cases.case_report(case_id, actor=an_actor("another-reader"))
    assert cases.case_report(case_id, actor=READER, on=date(2020, 12, 1)) == first


# --- privacy ----------------------------------------------------------------------------------


def test_the_report_holds_the_names_but_no_log_or_access_entry_does(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    """A report is personal data by nature; what is logged about reading it is not."""
    with (
        caplog.at_level(logging.DEBUG, logger="perhetyo"),
        FamilyCases("memory://", clock=clock) as cases,
    ):
        case_id = _planted_case(cases, clock)
        caplog.clear()
        page = render_case_report(
            cases.case_report(case_id, actor=READER, purpose="tulostus")
        )
        entries = cases.access_log(case_id, actor=READER)

    assert "Qx" in page
    assert "Qx" not in repr(entries)
    assert all("Qx" not in record.getMessage() for record in caplog.records)


# --- the rooms --------------------------------------------------------------------------------


def test_the_report_fold_imports_only_events_values_and_other_folds() -> None:
    path = Path(__file__).resolve().parents[2] / "src/perhetyo/projections/case_report.py"
    imported = {
        node.module
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("perhetyo")
    }
    assert imported
    assert all(
        module.startswith(("perhetyo.events", "perhetyo.values", "perhetyo.projections"))
        for module in imported
    ), imported

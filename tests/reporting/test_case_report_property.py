"""Every case renders (jokainen asiakkuus tulostuu): generated lives give well-formed pages.

Any valid life of a case (``perhetyo.testing.command_sequences``) is read as a report and
drawn: the page parses as XML and as HTML, has no script, charts one line per goal, and
draws one timeline row per service (plus the meetings' and the plan's rows).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from html.parser import HTMLParser

from hypothesis import given

from perhetyo import FamilyCases
from perhetyo.reporting import render_case_report
from perhetyo.reporting.svg import SVG_NAMESPACE
from perhetyo.testing import CommandSequence, FakeClock, an_actor, command_sequences

SVG = f"{{{SVG_NAMESPACE}}}"
READER = an_actor("reader-1")


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)


@given(sequence=command_sequences())
def test_every_generated_case_renders_as_a_well_formed_page(sequence: CommandSequence) -> None:
    clock = FakeClock()
    with FamilyCases("memory://", clock=clock) as cases:
        real = sequence.run(cases, clock=clock)
        report = cases.case_report(real[sequence.case_id], actor=READER)
    page = render_case_report(report)

    # Well-formed XML after the doctype line (our own page, not untrusted input).
    root = ET.fromstring(page.split("\n", 1)[1])  # noqa: S314
    parser = _Tags()
    parser.feed(page)
    parser.close()
    assert parser.tags[0] == "html"
    assert "script" not in parser.tags
    charts = {svg.get("class"): svg for svg in root.iter(f"{SVG}svg")}
    if report.goals:
        lines = list(charts["goal-chart"].iter(f"{SVG}polyline"))
        assert len(lines) == len(report.goals)
    else:
        assert "goal-chart" not in charts
    rows = [
        text for text in charts["service-timeline"].iter(f"{SVG}text")
        if text.get("class") == "row"
    ]
    assert len(rows) == len(report.services) + 2

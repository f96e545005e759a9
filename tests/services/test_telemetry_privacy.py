"""Privacy of telemetry: no name or free text of a story reaches a span or a metric.

Markers are planted in every personal field of a story (tests/privacy/stores.py); the
story is told, read, looked up, projected and handed to a subscriber, and commands
carrying markers are refused; then every span (name, attributes, events, links, status)
and every metric (name, description, data-point attributes) is searched for them.
"""

from __future__ import annotations

from datetime import date

import pytest

from perhetyo import FamilyCases, MeetingKind, PerhetyoError
from perhetyo.testing import DEMO_READER, StoryClock
from privacy.stores import MARKERS, tell_marked_stories
from services.conftest import Telemetry

MARKER = "QxTelemetryMarker"


def _everything_recorded(telemetry: Telemetry) -> str:
    parts: list[str] = []
    for span in telemetry.finished():
        parts.append(span.name)
        parts.append(repr(dict(span.attributes or {})))
        parts.append(repr(span.status.description))
        parts.extend(f"{event.name} {dict(event.attributes or {})!r}" for event in span.events)
        parts.extend(repr(dict(link.attributes or {})) for link in span.links)
        parts.append(repr(dict(span.resource.attributes)))
    data = telemetry.reader.get_metrics_data()
    if data is not None:
        for resource in data.resource_metrics:
            for scope in resource.scope_metrics:
                for metric in scope.metrics:
                    parts.append(f"{metric.name} {metric.description} {metric.unit}")
                    parts.extend(
                        repr(dict(point.attributes or {})) for point in metric.data.data_points
                    )
    return "\n".join(parts)


def test_no_name_or_free_text_reaches_a_span_or_a_metric(telemetry: Telemetry) -> None:
    clock = StoryClock()
    with FamilyCases("memory://", clock=clock) as cases:
        case_ids = tell_marked_stories(cases, clock)
        for case_id in case_ids:
            cases.current_plan(case_id, actor=DEMO_READER)
            cases.goal_progress(case_id, actor=DEMO_READER)
            cases.audit_trail(case_id, actor=DEMO_READER)
            cases.history(case_id, actor=DEMO_READER)
        cases.find_cases(actor=DEMO_READER, child_id="marker-child")
        cases.find_cases(actor=DEMO_READER, purpose="palvelutarpeen arviointi")
        cases.subscribe("privacy", lambda event, conn: None)
        cases.catch_up_subscribers()
        closed = case_ids[-1]
        with pytest.raises(PerhetyoError):  # refused by a rule: the case is closed
            cases.record_meeting(
                closed,
                kind=MeetingKind.HOME_VISIT,
                held_on=date(2021, 2, 1),
                summary=MARKER,
                participants=(MARKER,),
                actor=DEMO_READER,
            )
        with pytest.raises(PerhetyoError):  # refused for its shape
            cases.set_goal(
                closed, description=MARKER * 1000, set_on=date(2021, 2, 1), actor=DEMO_READER
            )
    recorded = _everything_recorded(telemetry)
    assert "perhetyo.command.OpenCase" in recorded  # the search looks at real output
    for marker in (*MARKERS, MARKER):
        assert marker not in recorded, marker

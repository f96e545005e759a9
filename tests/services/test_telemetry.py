"""OpenTelemetry: a span per command and read, with the command's name, the case id and
the outcome's code; metrics of command latency, conflicts waited on, projection lag and
batch sizes; nothing when the API is not installed."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from datetime import date
from uuid import UUID, uuid4

import pytest
from opentelemetry.trace import StatusCode

from perhetyo import CaseNotFoundError, FamilyCases
from perhetyo import telemetry as perhetyo_telemetry
from perhetyo.testing import FakeClock, an_actor, open_sample_case
from services.conftest import Telemetry

ME = an_actor("otel-1")


def _spans_named(telemetry: Telemetry, name: str) -> list[dict[str, object]]:
    return [dict(span.attributes or {}) for span in telemetry.finished() if span.name == name]


def test_a_command_has_a_span_with_its_name_case_and_outcome(
    telemetry: Telemetry, cases: FamilyCases
) -> None:
    case_id = open_sample_case(cases)
    cases.set_goal(case_id, description="Arki sujuu", set_on=date(2020, 9, 1), actor=ME)
    (opened,) = _spans_named(telemetry, "perhetyo.command.OpenCase")
    assert opened == {
        "perhetyo.command": "OpenCase",
        "perhetyo.case_id": str(case_id),
        "perhetyo.outcome": "ok",
    }
    (goal,) = _spans_named(telemetry, "perhetyo.command.SetGoal")
    assert goal == {
        "perhetyo.command": "SetGoal",
        "perhetyo.case_id": str(case_id),
        "perhetyo.outcome": "ok",
    }
    assert telemetry.count("perhetyo.command.duration", **{"perhetyo.command": "SetGoal"}) >= 1


def test_a_refused_command_s_span_carries_the_error_code_and_no_exception(
    telemetry: Telemetry, cases: FamilyCases
) -> None:
    unknown = uuid4()
    with pytest.raises(CaseNotFoundError):
        cases.set_goal(unknown, description="x", set_on=date(2020, 9, 1), actor=ME)
    (span,) = [s for s in telemetry.finished() if s.name == "perhetyo.command.SetGoal"]
    assert span.attributes is not None
    assert span.attributes["perhetyo.outcome"] == "case_not_found"
    assert span.attributes["perhetyo.case_id"] == str(unknown)
    assert span.status.status_code is StatusCode.ERROR
    assert span.status.description == "case_not_found"
    assert span.events == ()  # no exception recorded: its message is not ours to vet
    outcome = {"perhetyo.command": "SetGoal", "perhetyo.outcome": "case_not_found"}
    assert telemetry.count("perhetyo.command.duration", **outcome) >= 1


def test_reads_have_spans_and_a_lookup_says_how_many_it_found(
    telemetry: Telemetry, cases: FamilyCases
) -> None:
    case_id = open_sample_case(cases)
    cases.current_plan(case_id, actor=ME)
    with pytest.raises(CaseNotFoundError):
        cases.audit_trail(uuid4(), actor=ME)
    found = cases.find_cases(actor=ME, child_id="child-1")
    (plan,) = _spans_named(telemetry, "perhetyo.read.current_plan")
    assert plan == {
        "perhetyo.read": "current_plan",
        "perhetyo.case_id": str(case_id),
        "perhetyo.outcome": "ok",
    }
    (trail,) = _spans_named(telemetry, "perhetyo.read.audit_trail")
    assert trail["perhetyo.outcome"] == "case_not_found"
    (lookup,) = _spans_named(telemetry, "perhetyo.read.find")
    assert lookup == {
        "perhetyo.read": "find",
        "perhetyo.cases_found": len(found),
        "perhetyo.outcome": "ok",
    }
    assert telemetry.count("perhetyo.read.duration", **{"perhetyo.read": "find"}) >= 1


def test_projection_and_subscriber_batches_record_their_size_and_lag(
    telemetry: Telemetry, cases: FamilyCases
) -> None:
    live = {"perhetyo.view": "live"}
    subscriber = {"perhetyo.view": "subscriber:otel-test"}
    before = (
        telemetry.count("perhetyo.projection.batch_size", **live),
        telemetry.count("perhetyo.projection.lag", **live),
        telemetry.count("perhetyo.projection.batch_size", **subscriber),
    )
    open_sample_case(cases)
    cases.update_projections()
    cases.subscribe("otel-test", lambda event, conn: None)
    cases.catch_up_subscribers()
    after = (
        telemetry.count("perhetyo.projection.batch_size", **live),
        telemetry.count("perhetyo.projection.lag", **live),
        telemetry.count("perhetyo.projection.batch_size", **subscriber),
    )
    assert [b - a for a, b in zip(before, after, strict=True)] == [1, 1, 1]


def test_a_command_that_waits_for_a_busy_case_counts_a_conflict(
    telemetry: Telemetry, clock: FakeClock
) -> None:
    busy = {"perhetyo.conflict": "busy_case"}
    with FamilyCases("memory://", clock=clock) as cases:
        case_id = open_sample_case(cases)
        before = telemetry.count("perhetyo.command.conflicts", **busy)
        held = threading.Event()

        def hold_the_case() -> None:
            with cases._locks.hold(case_id):
                held.set()
                time.sleep(0.2)

        holder = threading.Thread(target=hold_the_case)
        holder.start()
        held.wait(5)
        cases.set_goal(case_id, description="Odottaa vuoroaan", set_on=date(2020, 9, 1), actor=ME)
        holder.join(5)
        assert telemetry.count("perhetyo.command.conflicts", **busy) == before + 1
        assert telemetry.count("perhetyo.command.lock_wait") >= 2


def test_a_lost_append_counts_a_conflict(telemetry: Telemetry) -> None:
    before = telemetry.count("perhetyo.command.conflicts", **{"perhetyo.conflict": "append"})
    perhetyo_telemetry.conflict("append")
    after = telemetry.count("perhetyo.command.conflicts", **{"perhetyo.conflict": "append"})
    assert after == before + 1


_WITHOUT_THE_API = textwrap.dedent(
    """
    import sys
    sys.modules["opentelemetry"] = None  # as if the otel extra were not installed
    from datetime import date
    from perhetyo import FamilyCases, telemetry
    from perhetyo.testing import an_actor, open_sample_case
    assert not telemetry.enabled()
    with FamilyCases("memory://") as cases:
        case_id = open_sample_case(cases)
        cases.set_goal(case_id, description="x", set_on=date(2020, 9, 1), actor=an_actor())
        cases.current_plan(case_id, actor=an_actor())
        assert len(cases.find_cases(actor=an_actor())) == 1
    print("ok")
    """
)


def test_without_the_api_every_hook_is_a_no_op() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _WITHOUT_THE_API],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "ok"


def test_a_span_s_case_id_is_the_uuid_a_command_names(
    telemetry: Telemetry, cases: FamilyCases
) -> None:
    case_id = open_sample_case(cases)
    assert isinstance(case_id, UUID)
    spans = [s for s in telemetry.finished() if s.name.startswith("perhetyo.")]
    assert {str((s.attributes or {}).get("perhetyo.case_id")) for s in spans} == {str(case_id)}

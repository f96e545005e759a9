"""Audit trail (muutoshistoria): one readable row per event, without free text."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from perhetyo import Actor, AuditEntry, FamilyCases, GoalSet, GoalStatus
from perhetyo.testing import FakeClock, an_actor

from .helpers import (
    PERSONAL_TEXT,
    TODAY,
    history,
    order_a_service,
    record_every_kind_of_event,
    set_a_goal,
)

_FREE_TEXT = (
    PERSONAL_TEXT,  # meeting summary
    "Haluan harrastaa",  # child's view
    "Kiva että loppuu",  # child's view at closing
    "Työntekijän vaihdos",  # reason of an assignment
    "Perhetyötä kerran viikossa",  # agreement
    "Isä ei hyväksy",  # dissent
    "Säännöllinen päivärytmi",  # goal description
    "Onnistui",  # goal note
    "Tavoite saavutettu",  # reason a service ended
    "Äiti",  # participant
    "Lapsi A",  # a child's display name
    "Huoltaja A",  # a guardian's display name
    "Aino K.",  # a worker's name
)


def test_every_event_becomes_one_row_in_recorded_order(
    cases: FamilyCases, clock: FakeClock, actor: Actor, case_id: UUID
) -> None:
    clock.advance()
    record_every_kind_of_event(cases, case_id, actor)
    events = history(cases, case_id)

    trail = cases.audit_trail(case_id, actor=actor)

    assert len(trail) == len(events) == 15
    for entry, event in zip(trail, events, strict=True):
        assert isinstance(entry, AuditEntry)
        assert entry.case_id == case_id
        assert entry.version == event.originator_version
        assert entry.recorded_at == event.timestamp
        assert entry.occurred_on == event.occurred_on
        assert entry.actor_id == actor.id
        assert entry.event_type == type(event).__name__
        assert entry.label_fi == type(event).LABEL_FI
        assert entry.label_en == type(event).LABEL_EN
    assert [entry.version for entry in trail] == list(range(1, 16))
    assert [entry.event_type for entry in trail] == [
        "CaseOpened",
        "NamedWorkerAssigned",
        "MeetingHeld",
        "ChildViewRecorded",
        "PlanAgreed",
        "GoalSet",
        "GoalUpdated",
        "ServiceOrdered",
        "ServiceStarted",
        "ServiceEnded",
        "AssessmentDeclined",
        "MatterPending",
        "AssessmentStarted",
        "AssessmentCompleted",
        "CaseClosed",
    ]
    assert (trail[0].label_fi, trail[0].label_en) == ("Asiakkuus alkoi", "Case opened")
    assert trail[-1].label_fi == "Asiakkuus päättyi"


def test_summaries_are_one_line_and_carry_no_free_text(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    record_every_kind_of_event(cases, case_id, actor)
    cases_trail = cases.audit_trail(case_id, actor=actor)

    for entry in cases_trail:
        for summary in (entry.summary, entry.summary_en):
            assert summary
            assert "\n" not in summary
            for text in _FREE_TEXT:
                assert text not in summary, (entry.event_type, text)


def test_summaries_name_kinds_statuses_and_ids(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    record_every_kind_of_event(cases, case_id, actor)
    trail = {entry.event_type: entry for entry in cases.audit_trail(case_id, actor=actor)}
    [goal_set] = [event for event in history(cases, case_id) if isinstance(event, GoalSet)]

    assert "sw-18" in trail["NamedWorkerAssigned"].summary
    assert "aloitustapaaminen" in trail["MeetingHeld"].summary
    assert "opening" in trail["MeetingHeld"].summary_en
    assert "child-1" in trail["ChildViewRecorded"].summary
    assert str(goal_set.goal_id) in trail["GoalSet"].summary
    assert "saavutettu" in trail["GoalUpdated"].summary
    assert "100" in trail["GoalUpdated"].summary


def test_a_cancelled_service_says_so_in_the_trail(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    service_id = order_a_service(cases, case_id, actor=actor)
    cases.end_service(case_id, service_id, ended_on=TODAY, reason="Ei tarvetta", actor=actor)

    entry = cases.audit_trail(case_id, actor=actor)[-1]

    assert entry.event_type == "ServiceEnded"
    assert "peruttu" in entry.summary
    assert "cancelled" in entry.summary_en
    assert "Ei tarvetta" not in entry.summary


def test_a_not_heard_reason_stays_out_of_the_trail(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    cases.record_child_view(
        case_id,
        child_id="child-1",
        not_heard_reason=PERSONAL_TEXT,
        recorded_on=TODAY,
        actor=actor,
    )

    entry = cases.audit_trail(case_id, actor=actor)[-1]

    assert "ei kuultu" in entry.summary
    assert PERSONAL_TEXT not in entry.summary + entry.summary_en


def test_each_row_names_the_actor_who_recorded_it(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    other = an_actor("sw-99")
    goal_id = set_a_goal(cases, case_id, actor=other)
    cases.update_goal(
        case_id,
        goal_id,
        status=GoalStatus.IN_PROGRESS,
        updated_on=date(2020, 9, 2),
        actor=actor,
    )

    assert [entry.actor_id for entry in cases.audit_trail(case_id, actor=actor)] == [
        "sw-17",
        "sw-99",
        "sw-17",
    ]

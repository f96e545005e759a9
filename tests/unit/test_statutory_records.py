"""The full client plan, meetings with their channel, cancellations and children's views
(asiakassuunnitelma, tapaamiset, peruuntumiset, mielipiteen selvittäminen), and their
schema evolution (class version 2)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

import orjson
import pytest
from eventsourcing.persistence import StoredEvent

from perhetyo import (
    Actor,
    CancelledMeetingView,
    CaseEvent,
    ChildViewRecorded,
    ContactChannel,
    DateOutOfRangeError,
    FamilyCases,
    InvalidCommandError,
    MeetingCancelled,
    MeetingHeld,
    MeetingKind,
    NamedWorkerAssigned,
    OutOfOrderError,
    PlanAgreed,
    PlanContent,
    PlannedService,
    ServiceKind,
    ServiceOrdered,
    finnish_label,
    swedish_label,
)
from perhetyo import commands as c
from perhetyo.persistence import OrjsonTranscoder, PydanticMapper
from perhetyo.testing import a_worker

from .helpers import PERSONAL_TEXT, TODAY, TOMORROW, last_event, refused
from .statutory_helpers import record_every_statutory_event

MAPPER = PydanticMapper(transcoder=OrjsonTranscoder())
REHABILITATION = PlannedService(
    kind=ServiceKind.FAMILY_REHABILITATION,
    description="Kuntoutusjakso",
    estimated_start=date(2020, 10, 1),
    estimated_duration="3 kuukautta",
)


# --- the full client plan -------------------------------------------------------------------


def test_a_plan_records_and_shows_its_full_content(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    cases.agree_plan(
        case_id,
        agreed_on=date(2020, 9, 1),
        agreements=["Kotikäynnit"],
        situation="Tilanne",
        client_assessment="Asiakkaan arvio",
        professional_assessment="Ammattilaisen arvio",
        strengths="Vahvuudet",
        planned_services=[REHABILITATION],
        rights_explained=True,
        follow_up="Jatko",
        estimated_duration="puoli vuotta",
        place="Perhekeskus",
        participants=["Äiti", "Sosiaalityöntekijä"],
        delivered_to=["Äiti"],
        actor=actor,
    )

    event = last_event(cases, case_id)
    assert isinstance(event, PlanAgreed)
    assert event.planned_services == (REHABILITATION,)
    assert event.rights_explained is True
    assert "1 planned services" in event.describe().en
    content = cases.current_plan(case_id, actor=actor).plan_content
    assert content == PlanContent(
        situation="Tilanne",
        client_assessment="Asiakkaan arvio",
        professional_assessment="Ammattilaisen arvio",
        strengths="Vahvuudet",
        planned_services=(REHABILITATION,),
        rights_explained=True,
        follow_up="Jatko",
        estimated_duration="puoli vuotta",
        place="Perhekeskus",
        participants=("Äiti", "Sosiaalityöntekijä"),
        delivered_to=("Äiti",),
    )


def test_a_new_plan_version_replaces_the_content_and_an_empty_one_empties_it(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    cases.agree_plan(
        case_id, agreed_on=date(2020, 9, 1), agreements=["A"], situation="Tilanne", actor=actor
    )
    assert cases.current_plan(case_id, actor=actor).plan_content.situation == "Tilanne"

    cases.agree_plan(case_id, agreed_on=date(2020, 10, 1), agreements=["B"], actor=actor)

    assert cases.current_plan(case_id, actor=actor).plan_content == PlanContent()


def test_a_planned_service_may_not_start_before_the_plan_is_agreed(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    early = REHABILITATION.model_copy(update={"estimated_start": date(2020, 8, 31)})

    with refused(cases, case_id, DateOutOfRangeError) as info:
        cases.agree_plan(
            case_id,
            agreed_on=date(2020, 9, 1),
            agreements=["A"],
            planned_services=[early],
            actor=actor,
        )
    assert "estimated_start" in str(info.value)


@pytest.mark.parametrize(
    "change",
    [
        {"situation": " "},
        {"estimated_duration": "x" * 201},
        {"participants": [""]},
        {"planned_services": [{"kind": "babysitting"}]},
        {"planned_services": [{"kind": "family_work", "estimated_start": "2020-10-01"}]},
        {"rights_explained": "yes"},
    ],
)
def test_a_badly_shaped_plan_content_is_refused(
    cases: FamilyCases, actor: Actor, case_id: UUID, change: dict[str, Any]
) -> None:
    with refused(cases, case_id, InvalidCommandError):
        cases.agree_plan(
            case_id, agreed_on=date(2020, 9, 1), agreements=["A"], actor=actor, **change
        )


# --- meetings: channel, place, agreed ----------------------------------------------------


def test_a_meeting_records_its_channel_place_and_agreement(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    meeting_id = cases.record_meeting(
        case_id,
        kind=MeetingKind.NETWORK,
        held_on=date(2020, 9, 1),
        summary="Yhteenveto",
        channel=ContactChannel.VIDEO,
        place=PERSONAL_TEXT,
        agreed=PERSONAL_TEXT,
        actor=actor,
    )

    event = last_event(cases, case_id)
    assert isinstance(event, MeetingHeld)
    assert (event.channel, event.place, event.agreed) == (
        ContactChannel.VIDEO,
        PERSONAL_TEXT,
        PERSONAL_TEXT,
    )
    assert "etäyhteys" in event.describe().fi
    assert PERSONAL_TEXT not in " ".join(event.describe())
    [meeting] = cases.current_plan(case_id, actor=actor).meetings
    assert (meeting.meeting_id, meeting.channel) == (meeting_id, ContactChannel.VIDEO)


def test_channels_have_finnish_and_swedish_labels() -> None:
    assert finnish_label(ContactChannel.PHONE) == "puhelin"
    assert swedish_label(ContactChannel.IN_PERSON) == "personligt möte"


# --- cancelled meetings --------------------------------------------------------------------


def test_a_cancelled_meeting_is_recorded_on_its_planned_date_by_default(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    meeting_id = cases.cancel_meeting(
        case_id,
        kind=MeetingKind.HOME_VISIT,
        planned_on=date(2020, 9, 3),
        reason=PERSONAL_TEXT,
        actor=actor,
    )

    event = last_event(cases, case_id)
    assert isinstance(event, MeetingCancelled)
    assert (event.meeting_id, event.planned_on, event.cancelled_on) == (
        meeting_id,
        date(2020, 9, 3),
        date(2020, 9, 3),
    )
    assert event.occurred_on == date(2020, 9, 3)
    assert PERSONAL_TEXT not in " ".join(event.describe())
    plan = cases.current_plan(case_id, actor=actor)
    assert plan.cancelled_meetings == (
        CancelledMeetingView(
            meeting_id=meeting_id,
            kind=MeetingKind.HOME_VISIT,
            planned_on=date(2020, 9, 3),
            cancelled_on=date(2020, 9, 3),
            reason=PERSONAL_TEXT,
        ),
    )
    assert plan.meetings == ()


def test_a_future_meeting_may_be_cancelled_today_when_the_date_is_given(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    with refused(cases, case_id, DateOutOfRangeError) as info:
        cases.cancel_meeting(
            case_id, kind=MeetingKind.REVIEW, planned_on=TOMORROW, reason="Sairastui", actor=actor
        )
    assert "cancelled_on" in str(info.value)

    cases.cancel_meeting(
        case_id,
        kind=MeetingKind.REVIEW,
        planned_on=TOMORROW,
        cancelled_on=TODAY,
        reason="Sairastui",
        actor=actor,
    )
    [cancelled] = cases.current_plan(case_id, actor=actor).cancelled_meetings
    assert (cancelled.planned_on, cancelled.cancelled_on) == (TOMORROW, TODAY)


@pytest.mark.parametrize(
    "dates_and_error",
    [
        (TOMORROW, TOMORROW, DateOutOfRangeError),  # a cancellation dated in the future
        (date(2020, 8, 11), None, DateOutOfRangeError),  # planned before the opening
        (date(2020, 9, 3), date(2020, 8, 11), DateOutOfRangeError),  # before the opening
        (date(2020, 9, 3), date(2020, 9, 4), OutOfOrderError),  # after the planned date
    ],
)
def test_a_cancellation_out_of_its_dates_is_refused(
    cases: FamilyCases,
    actor: Actor,
    case_id: UUID,
    dates_and_error: tuple[date, date | None, type[Exception]],
) -> None:
    planned_on, cancelled_on, error = dates_and_error
    with refused(cases, case_id, error):
        cases.cancel_meeting(
            case_id,
            kind=MeetingKind.HOME_VISIT,
            planned_on=planned_on,
            cancelled_on=cancelled_on,
            reason="Syy",
            actor=actor,
        )


def test_a_cancellation_needs_a_reason(cases: FamilyCases, actor: Actor, case_id: UUID) -> None:
    with refused(cases, case_id, InvalidCommandError):
        cases.cancel_meeting(
            case_id, kind=MeetingKind.HOME_VISIT, planned_on=TODAY, reason=" ", actor=actor
        )


# --- a child's view: how it was found out, who was present ----------------------------------


def test_a_childs_view_records_how_it_was_found_out_and_who_was_present(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    cases.record_child_view(
        case_id,
        child_id="child-1",
        view="Haluan harrastaa",
        how_found_out=PERSONAL_TEXT,
        present=["Äiti", "Sosiaalityöntekijä"],
        recorded_on=date(2020, 9, 1),
        actor=actor,
    )

    event = last_event(cases, case_id)
    assert isinstance(event, ChildViewRecorded)
    assert event.how_found_out == PERSONAL_TEXT
    assert event.present == ("Äiti", "Sosiaalityöntekijä")
    assert PERSONAL_TEXT not in " ".join(event.describe())


# --- schema evolution --------------------------------------------------------------------------

_V1_STATES: dict[type[CaseEvent], dict[str, Any]] = {
    ServiceOrdered: {
        "service_id": str(uuid4()),
        "kind": "family_work",
        "provider": "Perhetyö Oy",
        "ordered_on": "2020-09-01",
        "goal_ids": [],
    },
    NamedWorkerAssigned: {
        "worker": a_worker().model_dump(mode="json"),
        "assigned_on": "2020-09-01",
        "reason": "Vaihto",
    },
    PlanAgreed: {
        "plan_version": 1,
        "agreed_on": "2020-09-01",
        "agreements": ["Kotikäynnit"],
        "dissent": [],
        "review_due_on": None,
    },
    MeetingHeld: {
        "meeting_id": str(uuid4()),
        "kind": "home_visit",
        "held_on": "2020-09-01",
        "participants": [],
        "summary": "Kotikäynti",
    },
    ChildViewRecorded: {
        "child_id": "child-1",
        "view": "Hyvä",
        "not_heard_reason": None,
        "recorded_on": "2020-09-01",
    },
}


@pytest.mark.parametrize("event_class", list(_V1_STATES), ids=lambda cls: cls.__name__)
def test_an_event_stored_at_version_one_reads_as_version_two_with_defaults(
    actor: Actor, event_class: type[CaseEvent]
) -> None:
    state = {
        **_V1_STATES[event_class],
        "timestamp": "2020-09-01T10:00:00+00:00",
        "actor": actor.model_dump(mode="json", exclude={"title", "unit_oid"}),
        "request_id": None,
        "request_digest": None,
    }
    stored = StoredEvent(
        originator_id=uuid4(),
        originator_version=2,
        topic=event_class.TOPIC,
        state=orjson.dumps(state),
    )

    event = MAPPER.to_domain_event(stored)

    assert type(event) is event_class
    assert event_class.class_version == 2
    added = set(event_class.model_fields) - set(state) - {"originator_id", "originator_version"}
    assert added
    for name in added:
        assert getattr(event, name) == event_class.model_fields[name].default, name
    again = orjson.loads(MAPPER.to_stored_event(event).state)
    assert again["class_version"] == 2


def test_a_version_two_event_keeps_what_it_was_given(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    record_every_statutory_event(cases, case_id, actor)

    for event in cases.history(case_id, actor=actor):
        assert MAPPER.to_domain_event(MAPPER.to_stored_event(event)) == event


# --- request digests across the upgrade --------------------------------------------------------


def _release_0_1_digest(command: c.Command[Any]) -> str:
    """What release 0.1 stored: every field it knew, defaults included."""
    exclude: dict[str, Any] = {
        "request_id": True,
        "actor": {"title", "unit_oid"},
        **dict.fromkeys(command.FIELDS_SINCE_0_1, True),
    }
    return command._fingerprint(exclude=exclude)


def _plan(actor: Actor, **more: Any) -> c.AgreePlan:
    return c.AgreePlan(
        case_id=UUID(int=1), agreed_on=date(2020, 9, 1), agreements=["A"], actor=actor, **more
    )


def test_a_command_left_at_the_new_defaults_still_matches_release_0_1s_digest(
    actor: Actor,
) -> None:
    command = _plan(actor, situation=None, planned_services=(), rights_explained=False)

    assert _release_0_1_digest(command) in command.digests()
    assert command.digest() == _plan(actor).digest()


def test_a_command_that_sets_a_new_field_does_not_match_release_0_1s_digest(
    actor: Actor,
) -> None:
    command = _plan(actor, rights_explained=True)

    assert _release_0_1_digest(command) not in command.digests()
    assert command.digest() != _plan(actor).digest()


def test_every_new_field_of_a_command_is_named_as_added_since_0_1() -> None:
    added: dict[type[c.Command[Any]], set[str]] = {
        c.AgreePlan: {"situation", "planned_services", "rights_explained", "delivered_to"},
        c.RecordMeeting: {"channel", "place", "agreed"},
        c.RecordChildView: {"how_found_out", "present"},
        c.OrderService: {"decision_id"},
        c.AssignNamedWorker: {"child_id"},
    }
    for command_class, names in added.items():
        assert names <= set(command_class.FIELDS_SINCE_0_1), command_class
        assert set(command_class.FIELDS_SINCE_0_1) <= set(command_class.model_fields)


def test_the_audit_summaries_of_the_statutory_events_carry_no_free_text_or_names(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    record_every_statutory_event(cases, case_id, actor)

    trail = cases.audit_trail(case_id, actor=actor)

    assert len(trail) == 10
    for entry in trail:
        for summary in (entry.summary, entry.summary_en):
            assert "\n" not in summary
            for text in (PERSONAL_TEXT, "Sisko S.", "Äiti", a_worker().name, "6 kuukautta"):
                assert text not in summary, (entry.event_type, text)

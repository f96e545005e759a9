"""Meetings and children's views (kohtaamiset): record_meeting and record_child_view."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import pytest

from perhetyo import (
    Actor,
    ChildViewRecorded,
    DateOutOfRangeError,
    FamilyCases,
    InvalidCommandError,
    MeetingHeld,
    MeetingKind,
    UnknownChildError,
)
from perhetyo.testing import FakeClock, a_child, open_sample_case

from .helpers import OPENED_ON, PERSONAL_TEXT, TODAY, TOMORROW, history, last_event, refused


def _meet(
    cases: FamilyCases, case_id: UUID, actor: Actor, *, held_on: date = date(2020, 9, 1)
) -> UUID:
    return cases.record_meeting(
        case_id, kind=MeetingKind.NETWORK, held_on=held_on, summary="Palaveri", actor=actor
    )


# --- record_meeting ---------------------------------------------------------------------


def test_recording_a_meeting_records_meeting_held_and_returns_its_id(
    cases: FamilyCases, clock: FakeClock, actor: Actor, case_id: UUID
) -> None:
    clock.advance()

    meeting_id = cases.record_meeting(
        case_id,
        kind=MeetingKind.HOME_VISIT,
        held_on=date(2020, 9, 1),
        participants=[" Äiti ", "Perhetyöntekijä"],
        summary=f"  {PERSONAL_TEXT}  ",
        actor=actor,
    )

    assert isinstance(meeting_id, UUID)
    events = history(cases, case_id)
    assert len(events) == 2
    event = events[-1]
    assert isinstance(event, MeetingHeld)
    assert event.originator_version == 2
    assert event.meeting_id == meeting_id
    assert event.kind is MeetingKind.HOME_VISIT
    assert event.held_on == date(2020, 9, 1)
    assert event.participants == ("Äiti", "Perhetyöntekijä")
    assert event.summary == PERSONAL_TEXT
    assert event.actor == actor
    assert event.timestamp == clock()


def test_each_meeting_gets_its_own_id(cases: FamilyCases, actor: Actor, case_id: UUID) -> None:
    assert _meet(cases, case_id, actor) != _meet(cases, case_id, actor)


def test_a_meeting_on_the_opening_day_and_today_is_allowed(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    _meet(cases, case_id, actor, held_on=OPENED_ON)
    _meet(cases, case_id, actor, held_on=TODAY)

    assert [event.occurred_on for event in history(cases, case_id)[1:]] == [OPENED_ON, TODAY]


def test_a_meeting_before_the_case_opened_is_refused(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    with refused(cases, case_id, DateOutOfRangeError):
        _meet(cases, case_id, actor, held_on=OPENED_ON - timedelta(days=1))


def test_a_meeting_in_the_future_is_refused(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    with refused(cases, case_id, DateOutOfRangeError):
        _meet(cases, case_id, actor, held_on=TOMORROW)


def test_after_midnight_in_helsinki_the_new_day_is_today_though_utc_is_still_yesterday(
    cases: FamilyCases, clock: FakeClock, actor: Actor, case_id: UUID
) -> None:
    clock.set(datetime(2020, 12, 31, 22, 30, tzinfo=UTC))  # 00:30 on 1 January in Helsinki

    _meet(cases, case_id, actor, held_on=TOMORROW)

    assert last_event(cases, case_id).occurred_on == TOMORROW
    with refused(cases, case_id, DateOutOfRangeError):
        _meet(cases, case_id, actor, held_on=TOMORROW + timedelta(days=1))


def test_just_before_midnight_in_helsinki_the_next_day_is_still_the_future(
    cases: FamilyCases, clock: FakeClock, actor: Actor, case_id: UUID
) -> None:
    clock.set(datetime(2020, 12, 31, 21, 59, tzinfo=UTC))  # 23:59 in Helsinki

    with refused(cases, case_id, DateOutOfRangeError):
        _meet(cases, case_id, actor, held_on=TOMORROW)


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"summary": ""}, id="empty summary"),
        pytest.param({"summary": " \n\t "}, id="blank summary"),
        pytest.param({"summary": "x" * 8001}, id="summary over 8000"),
        pytest.param({"participants": [""]}, id="blank participant"),
        pytest.param({"participants": ["x" * 201]}, id="participant over 200"),
        pytest.param({"participants": ["x"] * 101}, id="over 100 participants"),
        pytest.param({"kind": "coffee"}, id="unknown kind"),
        pytest.param({"held_on": "2020-09-01"}, id="date as string"),
        pytest.param({"held_on": datetime(2020, 9, 1, tzinfo=UTC)}, id="datetime"),
    ],
)
def test_a_badly_shaped_meeting_is_a_shape_error(
    cases: FamilyCases, actor: Actor, case_id: UUID, overrides: dict[str, object]
) -> None:
    arguments: dict[str, object] = {
        "kind": MeetingKind.NETWORK,
        "held_on": date(2020, 9, 1),
        "summary": "Palaveri",
        "actor": actor,
    }
    arguments.update(overrides)

    with refused(cases, case_id, InvalidCommandError):
        cases.record_meeting(case_id, **arguments)  # type: ignore[arg-type]


def test_a_summary_of_exactly_the_limit_is_accepted(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    cases.record_meeting(
        case_id, kind=MeetingKind.REVIEW, held_on=TODAY, summary="x" * 8000, actor=actor
    )

    event = last_event(cases, case_id)
    assert isinstance(event, MeetingHeld)
    assert len(event.summary) == 8000


# --- record_child_view ------------------------------------------------------------------


def test_recording_a_childs_view_records_child_view_recorded(
    cases: FamilyCases, clock: FakeClock, actor: Actor, case_id: UUID
) -> None:
    clock.advance()

    cases.record_child_view(
        case_id, child_id="child-1", view=" Haluan pelata ", recorded_on=TODAY, actor=actor
    )

    event = last_event(cases, case_id)
    assert isinstance(event, ChildViewRecorded)
    assert event.originator_version == 2
    assert event.child_id == "child-1"
    assert event.view == "Haluan pelata"
    assert event.not_heard_reason is None
    assert event.recorded_on == TODAY
    assert event.actor == actor
    assert event.timestamp == clock()


def test_recording_why_a_child_was_not_heard_records_the_reason_only(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    cases.record_child_view(
        case_id,
        child_id="child-1",
        not_heard_reason="Liian nuori",
        recorded_on=TODAY,
        actor=actor,
    )

    event = last_event(cases, case_id)
    assert isinstance(event, ChildViewRecorded)
    assert event.view is None
    assert event.not_heard_reason == "Liian nuori"


def test_a_view_of_a_child_not_in_the_case_is_refused(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    with refused(cases, case_id, UnknownChildError) as info:
        cases.record_child_view(
            case_id, child_id="child-2", view="Hei", recorded_on=TODAY, actor=actor
        )

    assert "child-2" in str(info.value)


@pytest.mark.parametrize(
    ("recorded_on", "error"),
    [(OPENED_ON - timedelta(days=1), DateOutOfRangeError), (TOMORROW, DateOutOfRangeError)],
)
def test_a_view_dated_outside_the_case_is_refused(
    cases: FamilyCases, actor: Actor, case_id: UUID, recorded_on: date, error: type[Exception]
) -> None:
    with refused(cases, case_id, error):
        cases.record_child_view(
            case_id, child_id="child-1", view="Hei", recorded_on=recorded_on, actor=actor
        )


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"view": "Hei", "not_heard_reason": "Nukkui"}, id="both"),
        pytest.param({}, id="neither"),
        pytest.param({"view": "   "}, id="blank view"),
        pytest.param({"view": "x" * 8001}, id="view over 8000"),
        pytest.param({"not_heard_reason": "x" * 2001}, id="reason over 2000"),
        pytest.param({"view": "Hei", "child_id": "131052-308T"}, id="child id is a hetu"),
        pytest.param({"view": "Hei", "child_id": "lapsi 1"}, id="child id with a space"),
        pytest.param({"view": "Hei", "child_id": "c" * 65}, id="child id over 64"),
        pytest.param({"view": "Hei", "recorded_on": "2020-12-31"}, id="date as string"),
    ],
)
def test_a_badly_shaped_child_view_is_a_shape_error(
    cases: FamilyCases, actor: Actor, case_id: UUID, overrides: dict[str, object]
) -> None:
    arguments: dict[str, object] = {"child_id": "child-1", "recorded_on": TODAY, "actor": actor}
    arguments.update(overrides)

    with refused(cases, case_id, InvalidCommandError):
        cases.record_child_view(case_id, **arguments)  # type: ignore[arg-type]


def test_a_second_child_of_the_case_may_give_a_view(cases: FamilyCases, actor: Actor) -> None:

    case_id = open_sample_case(cases, children=(a_child("child-1"), a_child("child-2")))

    cases.record_child_view(case_id, child_id="child-2", view="Hei", recorded_on=TODAY, actor=actor)

    event = last_event(cases, case_id)
    assert isinstance(event, ChildViewRecorded)
    assert event.child_id == "child-2"

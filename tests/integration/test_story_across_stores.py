"""One story, three stores: memory://, a SQLite file and PostgreSQL read back the same."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import pytest

from perhetyo import (
    CaseOpened,
    CaseStatus,
    FamilyCases,
    GoalSet,
    GoalStatus,
    LegalBasis,
    MeetingKind,
    RequestConflictError,
    ServiceKind,
    ServiceStatus,
)
from perhetyo.events import opening_matter_id
from perhetyo.testing import FakeClock, a_child, a_guardian, a_worker, an_actor

from .conftest import STORY_REQUEST_ID, OpenCases, TellStory

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def as_json(models: Any) -> str:
    """Read models (one or a list) as JSON text, field for field."""
    if isinstance(models, list):
        return json.dumps([model.model_dump(mode="json") for model in models], ensure_ascii=False)
    return json.dumps(models.model_dump(mode="json"), ensure_ascii=False)


def reads(cases: Any, case_id: UUID) -> dict[str, str]:
    """Every read of the case, as JSON text."""
    me = an_actor()
    return {
        "current_plan": as_json(cases.current_plan(case_id, actor=me)),
        "plan_as_of": as_json(cases.current_plan(case_id, actor=me, as_of=date(2020, 10, 1))),
        "plan_recorded_before": as_json(
            cases.current_plan(
                case_id, actor=me, recorded_before=datetime(2020, 12, 31, 10, 31, tzinfo=UTC)
            )
        ),
        "goal_progress": as_json(cases.goal_progress(case_id, actor=me)),
        "audit_trail": as_json(cases.audit_trail(case_id, actor=me)),
        "history": as_json(cases.history(case_id, actor=me)),
    }


def translated(text: str, ids: dict[UUID, UUID]) -> str:
    """``text`` with each id of one store replaced by the id of the same thing in another.

    An id the map does not know is left alone, so it makes the comparison fail.
    """
    by_text = {str(mine): str(theirs) for mine, theirs in ids.items()}
    return _UUID.sub(lambda match: by_text.get(match.group(0), match.group(0)), text)


def test_the_story_reads_the_same_on_every_store(
    store_url: str, open_cases: OpenCases, story_teller: TellStory
) -> None:
    reference_clock = FakeClock()
    reference = open_cases("memory://", clock=reference_clock)
    expected = story_teller(reference, reference_clock)

    clock = FakeClock()
    cases = open_cases(store_url, clock=clock)
    story = story_teller(cases, clock)

    # The opening's request id and the store's own key decide the case id.
    assert story.case_id == cases.case_id_for_request(STORY_REQUEST_ID)
    assert story.plan_versions == (1, 2)

    me = an_actor()
    plan = cases.current_plan(story.case_id, actor=me)
    assert plan.status is CaseStatus.CLOSED
    assert plan.closed_on == date(2020, 12, 10)
    assert plan.plan_version == 2
    assert plan.agreements == ("Asiakkuus päätetään joulukuussa",)
    assert plan.dissent == ("Lapsi 1 haluaisi jatkaa perhetyötä",)
    assert plan.child_views == {"child-1": "Nyt menee hyvin", "child-2": "Ihan ok"}
    assert [goal.goal_id for goal in plan.goals] == list(story.goal_ids)
    assert [(goal.status, goal.progress) for goal in plan.goals] == [
        (GoalStatus.ACHIEVED, 100),
        (GoalStatus.IN_PROGRESS, 20),
    ]
    assert [service.service_id for service in plan.services] == list(story.service_ids)
    assert [(service.kind, service.status) for service in plan.services] == [
        (ServiceKind.FAMILY_REHABILITATION, ServiceStatus.ENDED),
        (ServiceKind.SUPPORT_PERSON, ServiceStatus.CANCELLED),
    ]
    assert [(meeting.meeting_id, meeting.kind) for meeting in plan.meetings] == [
        (story.meeting_ids[0], MeetingKind.OPENING),
        (story.meeting_ids[1], MeetingKind.REVIEW),
    ]

    progress = cases.goal_progress(story.case_id, actor=me)
    assert [len(goal.updates) for goal in progress] == [2, 1]
    assert [update.progress for update in progress[0].updates] == [40, 100]

    trail = cases.audit_trail(story.case_id, actor=me)
    assert [entry.event_type for entry in trail] == list(story.event_types)
    assert [entry.version for entry in trail] == list(range(1, len(story.event_types) + 1))
    history = cases.history(story.case_id, actor=me)
    assert [type(event).__name__ for event in history] == list(story.event_types)

    # Field for field equal to the memory:// reference, once each store's own case, goal,
    # service and meeting ids are named by the reference's ids for the same thing.
    ids = dict(
        zip(
            (story.case_id, *story.goal_ids, *story.service_ids, *story.meeting_ids),
            (expected.case_id, *expected.goal_ids, *expected.service_ids, *expected.meeting_ids),
            strict=True,
        )
    )
    assert len(set(ids)) == 7
    ids[opening_matter_id(story.case_id)] = opening_matter_id(expected.case_id)
    got = {name: translated(text, ids) for name, text in reads(cases, story.case_id).items()}
    assert got == reads(reference, expected.case_id)


def test_the_plan_as_of_a_date_reads_the_same_on_every_store(
    store_url: str, open_cases: OpenCases, story_teller: TellStory
) -> None:
    clock = FakeClock()
    cases = open_cases(store_url, clock=clock)
    story = story_teller(cases, clock)

    plan = cases.current_plan(story.case_id, actor=an_actor(), as_of=date(2020, 10, 1))

    assert plan.status is CaseStatus.OPEN
    assert plan.plan_version == 1
    assert plan.dissent == ("Huoltaja ei hyväksy koulupalaveria",)
    assert plan.child_views == {"child-1": "Haluan että kotona riidellään vähemmän"}
    assert [goal.progress for goal in plan.goals] == [40, 0]


def open_with_request(cases: FamilyCases, request_id: str, *, opened_on: date) -> UUID:
    return cases.open_case(
        children=[a_child()],
        guardians=[a_guardian()],
        legal_basis=LegalBasis.SOCIAL_WELFARE_ACT,
        named_worker=a_worker(),
        opened_on=opened_on,
        actor=an_actor(),
        request_id=request_id,
    )


def count_openings(cases: Any, case_id: UUID) -> int:
    history = cases.history(case_id, actor=an_actor())
    return sum(isinstance(event, CaseOpened) for event in history)


def test_a_repeated_open_case_request_returns_the_same_case_once(
    store_url: str, open_cases: OpenCases
) -> None:
    cases = open_cases(store_url, clock=FakeClock())

    first = open_with_request(cases, "open-42", opened_on=date(2020, 8, 12))
    second = open_with_request(cases, "open-42", opened_on=date(2020, 8, 12))

    assert second == first
    assert count_openings(cases, first) == 1
    assert len(cases.history(first, actor=an_actor())) == 1


def test_a_repeated_open_case_request_with_other_arguments_is_refused(
    store_url: str, open_cases: OpenCases
) -> None:
    cases = open_cases(store_url, clock=FakeClock())
    case_id = open_with_request(cases, "open-43", opened_on=date(2020, 8, 12))

    with pytest.raises(RequestConflictError):
        open_with_request(cases, "open-43", opened_on=date(2020, 8, 13))

    history = cases.history(case_id, actor=an_actor())
    assert [type(event).__name__ for event in history] == ["CaseOpened"]
    assert history[0].occurred_on == date(2020, 8, 12)


def test_a_repeated_open_case_request_from_another_instance_finds_the_case(
    shared_store_url: str, open_cases: OpenCases
) -> None:
    first_writer = open_cases(shared_store_url, clock=FakeClock())
    second_writer = open_cases(shared_store_url, clock=FakeClock())

    first = open_with_request(first_writer, "open-44", opened_on=date(2020, 8, 12))
    second = open_with_request(second_writer, "open-44", opened_on=date(2020, 8, 12))

    assert second == first
    assert count_openings(first_writer, first) == 1
    assert count_openings(second_writer, first) == 1


def test_a_repeated_set_goal_request_records_one_goal(
    store_url: str, open_cases: OpenCases
) -> None:
    cases = open_cases(store_url, clock=FakeClock())
    case_id = open_with_request(cases, "open-45", opened_on=date(2020, 8, 12))

    goal_ids = [
        cases.set_goal(
            case_id,
            description="Arjen rytmi toimii",
            set_on=date(2020, 9, 1),
            actor=an_actor(),
            request_id="goal-1",
        )
        for _ in range(2)
    ]

    assert goal_ids[0] == goal_ids[1]
    history = cases.history(case_id, actor=an_actor())
    assert [event.goal_id for event in history if isinstance(event, GoalSet)] == goal_ids[:1]

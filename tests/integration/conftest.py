"""Integration fixtures: real stores (a SQLite file, PostgreSQL) beside memory://.

PostgreSQL tests run when ``PERHETYO_TEST_POSTGRES_URL`` names a server, for example
``postgresql://postgres@127.0.0.1:5432/test``. Without it they are skipped, except in CI
(``CI`` set): there a missing variable or an unreachable server fails the run, because a
skipped database test in CI looks green and proves nothing. A variable that is set but
names an unreachable server fails outside CI too: whoever set it asked for these tests.

Each PostgreSQL test gets a schema of its own (``?schema=perhetyo_test_<random>``, which
perhetyo creates) and the schema is dropped after the test.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

import pytest

from perhetyo import ClosureReason, FamilyCases, GoalStatus, LegalBasis, MeetingKind, ServiceKind
from perhetyo.application import Clock
from perhetyo.testing import FakeClock, a_child, a_guardian, a_worker, an_actor


@pytest.fixture(
    params=[
        pytest.param("memory", id="memory"),
        pytest.param("sqlite", id="sqlite-file"),
        pytest.param("postgres", id="postgresql", marks=pytest.mark.postgres),
    ]
)
def store_url(request: pytest.FixtureRequest) -> str:
    """Each store in turn: memory://, a SQLite file, PostgreSQL (own schema)."""
    if request.param == "memory":
        return "memory://"
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    return str(request.getfixturevalue("postgres_url"))


OpenCases = Callable[..., FamilyCases]


@pytest.fixture
def open_cases() -> Iterator[OpenCases]:
    """Open ``FamilyCases(url, clock=...)``; every store opened is closed after the test.

    Request it after the URL fixture, so the stores close before a schema is dropped.
    """
    with contextlib.ExitStack() as stack:

        def factory(url: str, *, clock: Clock | None = None) -> FamilyCases:
            return stack.enter_context(FamilyCases(url=url, clock=clock))

        yield factory


# --- the story every store tells ------------------------------------------------------


@dataclass(frozen=True)
class Story:
    """The ids a told story returns, and what its reads must show."""

    case_id: UUID
    goal_ids: tuple[UUID, ...]
    service_ids: tuple[UUID, ...]
    meeting_ids: tuple[UUID, ...]
    plan_versions: tuple[int, ...]
    event_types: tuple[str, ...]


STORY_REQUEST_ID = "integration-story-1"
"""The opening's request id: the case id is derived from it, so it is equal on every store."""

STORY_EVENT_TYPES = (
    "CaseOpened",
    "MeetingHeld",
    "ChildViewRecorded",
    "ChildViewRecorded",
    "PlanAgreed",
    "GoalSet",
    "GoalSet",
    "GoalUpdated",
    "GoalUpdated",
    "ServiceOrdered",
    "ServiceStarted",
    "ServiceEnded",
    "ServiceOrdered",
    "ServiceEnded",
    "MeetingHeld",
    "PlanAgreed",
    "GoalUpdated",
    "CaseClosed",
)


def tell_story(cases: FamilyCases, clock: FakeClock) -> Story:
    """A whole client relationship, from the opening to the closing with the children's views.

    The clock moves five minutes before every command, so the record times are equal on
    every store that hears the same story from a clock with the same start (``FakeClock()``
    starts on 2020-12-31, after every business date here).
    """
    me = an_actor()

    def tick() -> None:
        clock.advance(timedelta(minutes=5))

    tick()
    case_id = cases.open_case(
        children=[a_child("child-1"), a_child("child-2", date(2015, 3, 9))],
        guardians=[a_guardian("guardian-1")],
        legal_basis=LegalBasis.SOCIAL_WELFARE_ACT,
        named_worker=a_worker(),
        opened_on=date(2020, 8, 12),
        actor=me,
        request_id=STORY_REQUEST_ID,
    )
    tick()
    opening = cases.record_meeting(
        case_id,
        kind=MeetingKind.OPENING,
        held_on=date(2020, 8, 20),
        participants=["sw-17", "guardian-1", "child-1", "child-2"],
        summary="Aloitustapaaminen kotona",
        actor=me,
    )
    tick()
    cases.record_child_view(
        case_id,
        child_id="child-1",
        view="Haluan että kotona riidellään vähemmän",
        recorded_on=date(2020, 8, 20),
        actor=me,
    )
    tick()
    cases.record_child_view(
        case_id,
        child_id="child-2",
        not_heard_reason="Lapsi oli kuumeessa",
        recorded_on=date(2020, 8, 20),
        actor=me,
    )
    tick()
    first_plan = cases.agree_plan(
        case_id,
        agreed_on=date(2020, 9, 1),
        agreements=["Perhetyötä kerran viikossa", "Koulun kanssa palaveri"],
        dissent=["Huoltaja ei hyväksy koulupalaveria"],
        review_due_on=date(2021, 3, 1),
        actor=me,
    )
    tick()
    routine = cases.set_goal(
        case_id,
        description="Arjen rytmi toimii",
        set_on=date(2020, 9, 1),
        target_date=date(2021, 1, 31),
        actor=me,
    )
    tick()
    school = cases.set_goal(
        case_id,
        description="Koulunkäynti on säännöllistä",
        set_on=date(2020, 9, 1),
        child_id="child-1",
        actor=me,
    )
    tick()
    cases.update_goal(
        case_id,
        routine,
        status=GoalStatus.IN_PROGRESS,
        progress=40,
        note="Aamut sujuvat paremmin",
        updated_on=date(2020, 10, 1),
        actor=me,
    )
    tick()
    cases.update_goal(
        case_id,
        school,
        status=GoalStatus.IN_PROGRESS,
        progress=20,
        updated_on=date(2020, 10, 2),
        actor=me,
    )
    tick()
    rehabilitation = cases.order_service(
        case_id,
        kind=ServiceKind.FAMILY_REHABILITATION,
        provider="Neljä Astetta Oy",
        ordered_on=date(2020, 9, 15),
        goal_ids=[routine],
        actor=me,
    )
    tick()
    cases.start_service(case_id, rehabilitation, started_on=date(2020, 10, 5), actor=me)
    tick()
    cases.end_service(
        case_id, rehabilitation, ended_on=date(2020, 12, 1), reason="Jakso päättyi", actor=me
    )
    tick()
    support = cases.order_service(
        case_id,
        kind=ServiceKind.SUPPORT_PERSON,
        provider="Tukihenkilöpalvelu",
        ordered_on=date(2020, 10, 10),
        goal_ids=[school],
        actor=me,
    )
    tick()
    cases.end_service(case_id, support, ended_on=date(2020, 11, 1), reason="Ei tarvetta", actor=me)
    tick()
    review = cases.record_meeting(
        case_id,
        kind=MeetingKind.REVIEW,
        held_on=date(2020, 12, 2),
        summary="Välipalaveri",
        actor=me,
    )
    tick()
    second_plan = cases.agree_plan(
        case_id,
        agreed_on=date(2020, 12, 2),
        agreements=["Asiakkuus päätetään joulukuussa"],
        dissent=["Lapsi 1 haluaisi jatkaa perhetyötä"],
        actor=me,
    )
    tick()
    cases.update_goal(
        case_id,
        routine,
        status=GoalStatus.ACHIEVED,
        progress=100,
        note="Tavoite saavutettu",
        updated_on=date(2020, 12, 3),
        actor=me,
    )
    tick()
    cases.close_case(
        case_id,
        closed_on=date(2020, 12, 10),
        reason=ClosureReason.NO_LONGER_NEEDED,
        child_views={"child-1": "Nyt menee hyvin", "child-2": "Ihan ok"},
        actor=me,
    )
    return Story(
        case_id=case_id,
        goal_ids=(routine, school),
        service_ids=(rehabilitation, support),
        meeting_ids=(opening, review),
        plan_versions=(first_plan, second_plan),
        event_types=STORY_EVENT_TYPES,
    )


TellStory = Callable[[FamilyCases, FakeClock], Story]


@pytest.fixture
def story_teller() -> TellStory:
    """``tell_story(cases, clock) -> Story``: the whole story on one store."""
    return tell_story

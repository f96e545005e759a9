"""Reads (luku): the current plan and goal progress folded from a case's events."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID, uuid4

import pytest

from perhetyo import (
    Actor,
    CaseNotFoundError,
    CaseStatus,
    ChildMembership,
    ClosureReason,
    CurrentPlan,
    FamilyCases,
    GoalProgress,
    GoalStatus,
    GoalUpdateView,
    GoalView,
    InvalidCommandError,
    LegalBasis,
    MatterView,
    MeetingKind,
    MeetingView,
    ServiceKind,
    ServiceStatus,
    ServiceTask,
    ServiceView,
)
from perhetyo.events import opening_matter_id
from perhetyo.testing import FakeClock, a_child, a_guardian, a_worker, an_actor

from .helpers import OPENED_ON, TODAY, close, history, record_every_kind_of_event, set_a_goal


def test_the_plan_of_a_newly_opened_case(cases: FamilyCases, actor: Actor, case_id: UUID) -> None:
    plan = cases.current_plan(case_id, actor=actor)

    assert plan == CurrentPlan(
        case_id=case_id,
        version=1,
        status=CaseStatus.OPEN,
        legal_basis=LegalBasis.SOCIAL_WELFARE_ACT,
        service_task=ServiceTask.FAMILY_SERVICES,
        children=(a_child(),),
        guardians=(a_guardian(),),
        named_worker=a_worker(),
        opened_on=OPENED_ON,
        memberships=(ChildMembership(child=a_child(), joined_on=OPENED_ON),),
        pending_on=OPENED_ON,
        matters=(MatterView(matter_id=opening_matter_id(case_id), pending_on=OPENED_ON),),
    )
    assert plan.plan_version == 0
    assert plan.plan_agreed_on is None
    assert plan.closed_on is None
    assert plan.goals == ()
    assert plan.services == ()
    assert plan.meetings == ()
    assert plan.child_views == {}
    assert plan.last_meeting is None


def test_the_plan_shows_goals_services_meetings_and_the_latest_plan_version(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    cases.agree_plan(
        case_id,
        agreed_on=date(2020, 9, 1),
        agreements=["Vanha"],
        dissent=["Ei"],
        review_due_on=date(2020, 12, 1),
        actor=actor,
    )
    cases.agree_plan(
        case_id,
        agreed_on=date(2020, 11, 1),
        agreements=["Uusi", "Toinen"],
        review_due_on=date(2021, 5, 1),
        actor=actor,
    )
    goal_id = cases.set_goal(
        case_id,
        description="Koulu",
        set_on=date(2020, 9, 2),
        target_date=date(2021, 6, 1),
        child_id="child-1",
        actor=actor,
    )
    cases.update_goal(
        case_id,
        goal_id,
        status=GoalStatus.IN_PROGRESS,
        progress=30,
        updated_on=date(2020, 10, 1),
        actor=actor,
    )
    service_id = cases.order_service(
        case_id,
        kind=ServiceKind.SUPPORT_PERSON,
        provider="Tuki ry",
        ordered_on=date(2020, 9, 3),
        goal_ids=[goal_id],
        actor=actor,
    )
    cases.start_service(case_id, service_id, started_on=date(2020, 9, 10), actor=actor)
    first = cases.record_meeting(
        case_id, kind=MeetingKind.NETWORK, held_on=date(2020, 9, 4), summary="Ok", actor=actor
    )
    second = cases.record_meeting(
        case_id, kind=MeetingKind.REVIEW, held_on=date(2020, 11, 1), summary="Ok", actor=actor
    )

    plan = cases.current_plan(case_id, actor=actor)

    assert plan.version == len(history(cases, case_id)) == 9
    assert plan.plan_version == 2
    assert plan.plan_agreed_on == date(2020, 11, 1)
    assert plan.review_due_on == date(2021, 5, 1)
    assert plan.agreements == ("Uusi", "Toinen")
    assert plan.dissent == ()
    assert plan.goals == (
        GoalView(
            goal_id=goal_id,
            description="Koulu",
            child_id="child-1",
            status=GoalStatus.IN_PROGRESS,
            progress=30,
            set_on=date(2020, 9, 2),
            target_date=date(2021, 6, 1),
            last_updated_on=date(2020, 10, 1),
        ),
    )
    assert plan.services == (
        ServiceView(
            service_id=service_id,
            kind=ServiceKind.SUPPORT_PERSON,
            provider="Tuki ry",
            status=ServiceStatus.ACTIVE,
            ordered_on=date(2020, 9, 3),
            started_on=date(2020, 9, 10),
            ended_on=None,
            goal_ids=(goal_id,),
        ),
    )
    assert plan.meetings == (
        MeetingView(meeting_id=first, kind=MeetingKind.NETWORK, held_on=date(2020, 9, 4)),
        MeetingView(meeting_id=second, kind=MeetingKind.REVIEW, held_on=date(2020, 11, 1)),
    )
    assert plan.last_meeting is not None
    assert plan.last_meeting.meeting_id == second


def test_child_views_keep_the_latest_view_of_each_child(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    for view in ("Ensimmäinen", "Toinen"):
        cases.record_child_view(
            case_id, child_id="child-1", view=view, recorded_on=TODAY, actor=actor
        )

    assert cases.current_plan(case_id, actor=actor).child_views == {"child-1": "Toinen"}


def test_a_not_heard_reason_does_not_erase_an_earlier_view(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    cases.record_child_view(
        case_id, child_id="child-1", view="Haluan kotiin", recorded_on=TODAY, actor=actor
    )
    cases.record_child_view(
        case_id, child_id="child-1", not_heard_reason="Sairas", recorded_on=TODAY, actor=actor
    )

    assert cases.current_plan(case_id, actor=actor).child_views == {"child-1": "Haluan kotiin"}


def test_a_view_given_at_closing_counts_as_the_latest(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    cases.record_child_view(
        case_id, child_id="child-1", view="Aiempi", recorded_on=TODAY, actor=actor
    )

    close(cases, case_id, actor=actor)

    plan = cases.current_plan(case_id, actor=actor)
    assert plan.child_views == {"child-1": "Kiva että loppuu"}
    assert plan.status is CaseStatus.CLOSED


def test_a_not_heard_reason_at_closing_keeps_the_earlier_view(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    cases.record_child_view(
        case_id, child_id="child-1", view="Aiempi", recorded_on=TODAY, actor=actor
    )

    cases.close_case(
        case_id,
        closed_on=TODAY,
        reason=ClosureReason.OTHER,
        not_heard_reasons={"child-1": "Ei tavoitettu"},
        actor=actor,
    )

    assert cases.current_plan(case_id, actor=actor).child_views == {"child-1": "Aiempi"}


def test_goal_progress_is_each_goals_timeline_in_the_order_recorded(
    cases: FamilyCases, clock: FakeClock, actor: Actor, case_id: UUID
) -> None:
    first = set_a_goal(cases, case_id, set_on=date(2020, 9, 1), actor=actor)
    second = cases.set_goal(
        case_id,
        description="Harrastus",
        set_on=date(2020, 9, 2),
        child_id="child-1",
        actor=actor,
    )
    clock.advance()
    cases.update_goal(
        case_id,
        first,
        status=GoalStatus.IN_PROGRESS,
        progress=20,
        note="Alku",
        updated_on=date(2020, 10, 1),
        actor=actor,
    )
    first_at = clock()
    clock.advance()
    cases.update_goal(
        case_id,
        first,
        status=GoalStatus.ACHIEVED,
        progress=100,
        updated_on=date(2020, 12, 1),
        actor=an_actor("sw-18"),
    )

    progress = cases.goal_progress(case_id, actor=actor)

    assert [goal.goal_id for goal in progress] == [first, second]
    assert isinstance(progress[0], GoalProgress)
    assert progress[0].status is GoalStatus.ACHIEVED
    assert progress[0].progress == 100
    assert progress[0].updates == (
        GoalUpdateView(
            updated_on=date(2020, 10, 1),
            status=GoalStatus.IN_PROGRESS,
            progress=20,
            note="Alku",
            actor_id="sw-17",
            recorded_at=first_at,
        ),
        GoalUpdateView(
            updated_on=date(2020, 12, 1),
            status=GoalStatus.ACHIEVED,
            progress=100,
            note=None,
            actor_id="sw-18",
            recorded_at=clock(),
        ),
    )
    assert progress[1].description == "Harrastus"
    assert progress[1].child_id == "child-1"
    assert progress[1].status is GoalStatus.NOT_STARTED
    assert progress[1].updates == ()


def test_goal_progress_of_a_case_without_goals_is_empty(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    assert cases.goal_progress(case_id, actor=actor) == []


@pytest.mark.parametrize("read", ["current_plan", "goal_progress", "audit_trail", "history"])
def test_reading_an_unknown_case_is_refused(cases: FamilyCases, actor: Actor, read: str) -> None:
    unknown = uuid4()

    with pytest.raises(CaseNotFoundError) as info:
        getattr(cases, read)(unknown, actor=actor)

    assert isinstance(info.value, LookupError)
    assert str(unknown) in str(info.value)


@pytest.mark.parametrize("read", ["current_plan", "goal_progress", "audit_trail", "history"])
@pytest.mark.parametrize(
    "arguments",
    [
        pytest.param({"actor": {"id": "", "name": "Aino"}}, id="blank actor id"),
        pytest.param({"actor": {"id": "131052-308T", "name": "Aino"}}, id="hetu actor id"),
        pytest.param({"actor": "sw-17"}, id="actor as string"),
        pytest.param({"actor": None}, id="no actor"),
        pytest.param({"purpose": "  "}, id="blank purpose"),
        pytest.param({"purpose": "x" * 201}, id="purpose over 200"),
    ],
)
def test_reads_validate_the_actor_and_purpose(
    cases: FamilyCases, case_id: UUID, read: str, arguments: dict[str, object]
) -> None:
    keywords: dict[str, object] = {"actor": an_actor()}
    keywords.update(arguments)

    with pytest.raises(InvalidCommandError) as info:
        getattr(cases, read)(case_id, **keywords)

    assert info.value.command == "ReadCase"


@pytest.mark.parametrize("read", ["current_plan", "goal_progress", "audit_trail", "history"])
def test_a_read_with_a_purpose_gives_the_same_answer(
    cases: FamilyCases, actor: Actor, case_id: UUID, read: str
) -> None:
    record_every_kind_of_event(cases, case_id, actor)

    with_purpose = getattr(cases, read)(case_id, actor=actor, purpose="Asiakassuunnitelma")

    assert with_purpose == getattr(cases, read)(case_id, actor=actor)


@pytest.mark.parametrize("read", ["current_plan", "goal_progress", "audit_trail", "history"])
def test_reading_twice_gives_equal_answers_however_much_later(
    cases: FamilyCases, clock: FakeClock, actor: Actor, case_id: UUID, read: str
) -> None:
    record_every_kind_of_event(cases, case_id, actor)
    first = getattr(cases, read)(case_id, actor=actor)

    clock.advance(timedelta(days=400))
    second = getattr(cases, read)(case_id, actor=an_actor("auditor-1"))

    assert first == second
    assert len(history(cases, case_id)) == 15


def test_reading_records_nothing(cases: FamilyCases, actor: Actor, case_id: UUID) -> None:
    cases.current_plan(case_id, actor=actor, purpose="Tarkastus")
    cases.goal_progress(case_id, actor=actor)
    cases.audit_trail(case_id, actor=actor)

    assert len(history(cases, case_id)) == 1

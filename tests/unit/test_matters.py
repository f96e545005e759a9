"""The matter and its needs assessment (asia ja palvelutarpeen arviointi): given a case ->
when a matter becomes pending, or its assessment starts, completes or is declined -> then
one event, or a clear refusal with nothing recorded."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

import pytest

from perhetyo import (
    Actor,
    AssessmentCompleted,
    AssessmentDeclined,
    AssessmentLifecycleError,
    AssessmentStarted,
    CaseClosedError,
    CaseNotFoundError,
    CaseOpened,
    ChildWelfareConflictError,
    DateOutOfRangeError,
    FamilyCases,
    Initiation,
    InvalidCommandError,
    LegalBasis,
    MatterNotFoundError,
    MatterPending,
    OutOfOrderError,
    Profession,
    ServiceTask,
    UnknownChildError,
    WorkerNotQualifiedError,
)
from perhetyo.events import opening_matter_id
from perhetyo.testing import a_child, a_worker, open_sample_case

from .helpers import OPENED_ON, PERSONAL_TEXT, TODAY, TOMORROW, close, history, last_event, refused


def _complete(cases: FamilyCases, case_id: UUID, actor: Actor, **overrides: Any) -> None:
    arguments: dict[str, Any] = {
        "completed_on": date(2020, 9, 1),
        "conclusions": "Tukea tarvitaan arkeen",
        "relationship_continues": True,
        "special_support": False,
        "child_welfare_begins": False,
        "needs_named_worker": True,
        "plan_needed": True,
        "actor": actor,
    }
    arguments.update(overrides)
    cases.complete_assessment(case_id, **arguments)


# --- the opening is the first matter -----------------------------------------------------


def test_an_opening_is_pending_on_its_opening_date_unless_told(
    cases: FamilyCases, case_id: UUID
) -> None:
    [opened] = history(cases, case_id)
    assert isinstance(opened, CaseOpened)
    assert (opened.pending_on, opened.initiated_by) == (OPENED_ON, None)
    assert (opened.special_support, opened.urgent) == (False, False)


def test_an_opening_records_when_and_how_the_matter_became_pending(
    cases: FamilyCases, actor: Actor
) -> None:
    case_id = cases.open_case(
        children=[a_child()],
        legal_basis=LegalBasis.SOCIAL_WELFARE_ACT,
        named_worker=a_worker(),
        opened_on=OPENED_ON,
        pending_on=date(2020, 8, 5),
        initiated_by=Initiation.APPLICATION,
        special_support=True,
        urgent=True,
        actor=actor,
    )

    plan = cases.current_plan(case_id, actor=actor)
    assert (plan.pending_on, plan.initiated_by) == (date(2020, 8, 5), Initiation.APPLICATION)
    assert (plan.special_support, plan.urgent) == (True, True)
    [matter] = plan.matters
    assert matter.matter_id == opening_matter_id(case_id)
    assert (matter.pending_on, matter.assessment) == (date(2020, 8, 5), None)


def test_a_pending_date_after_the_opening_is_refused(cases: FamilyCases, actor: Actor) -> None:
    with pytest.raises(DateOutOfRangeError, match="pending_on"):
        cases.open_case(
            children=[a_child()],
            legal_basis=LegalBasis.SOCIAL_WELFARE_ACT,
            named_worker=a_worker(),
            opened_on=OPENED_ON,
            pending_on=date(2020, 8, 13),
            actor=actor,
            request_id="open-late-pending",
        )
    with pytest.raises(CaseNotFoundError):
        cases.history(cases.case_id_for_request("open-late-pending"), actor=actor)


def test_the_opening_matter_id_is_derived_from_the_case_id() -> None:
    case_id = uuid4()
    assert opening_matter_id(case_id) == opening_matter_id(UUID(str(case_id)))
    assert opening_matter_id(case_id) != opening_matter_id(uuid4())
    assert opening_matter_id(case_id) != case_id


# --- a later matter ----------------------------------------------------------------------


def test_a_later_matter_becomes_pending_with_an_id_of_its_own(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    matter_id = cases.record_pending(
        case_id,
        pending_on=date(2020, 10, 1),
        initiated_by=Initiation.CHILD_WELFARE_NOTIFICATION,
        special_support=True,
        actor=actor,
    )

    event = last_event(cases, case_id)
    assert isinstance(event, MatterPending)
    assert (event.matter_id, event.pending_on) == (matter_id, date(2020, 10, 1))
    assert event.initiated_by is Initiation.CHILD_WELFARE_NOTIFICATION
    plan = cases.current_plan(case_id, actor=actor)
    assert [m.matter_id for m in plan.matters] == [opening_matter_id(case_id), matter_id]
    assert plan.special_support is True


@pytest.mark.parametrize(
    ("pending_on", "error"),
    [
        (date(2020, 8, 11), DateOutOfRangeError),  # before the opening
        (TOMORROW, DateOutOfRangeError),
        (date(2020, 9, 30), OutOfOrderError),  # before the latest matter
    ],
)
def test_a_matter_pending_out_of_range_or_order_is_refused(
    cases: FamilyCases, actor: Actor, case_id: UUID, pending_on: date, error: type[Exception]
) -> None:
    cases.record_pending(
        case_id, pending_on=date(2020, 10, 1), initiated_by=Initiation.OTHER, actor=actor
    )
    with refused(cases, case_id, error):
        cases.record_pending(
            case_id, pending_on=pending_on, initiated_by=Initiation.OTHER, actor=actor
        )


def test_a_matter_on_a_closed_case_is_refused(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    close(cases, case_id, actor=actor)
    with refused(cases, case_id, CaseClosedError):
        cases.record_pending(case_id, pending_on=TODAY, initiated_by=Initiation.OTHER, actor=actor)


# --- the assessment ------------------------------------------------------------------------


def test_an_assessment_starts_and_completes_on_the_latest_matter(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    cases.start_assessment(case_id, started_on=date(2020, 8, 14), special_support=True, actor=actor)
    started = last_event(cases, case_id)
    _complete(
        cases,
        case_id,
        actor,
        conclusions=PERSONAL_TEXT,
        child_views={"child-1": PERSONAL_TEXT},
    )
    completed = last_event(cases, case_id)

    assert isinstance(started, AssessmentStarted)
    assert started.matter_id == opening_matter_id(case_id)
    assert isinstance(completed, AssessmentCompleted)
    assert completed.child_views == {"child-1": PERSONAL_TEXT}
    for event in (started, completed):
        assert PERSONAL_TEXT not in " ".join(event.describe())
    assessment = cases.current_plan(case_id, actor=actor).matters[0].assessment
    assert assessment is not None
    assert (assessment.started_on, assessment.completed_on) == (date(2020, 8, 14), date(2020, 9, 1))
    assert (assessment.special_support, assessment.conclusions) == (True, PERSONAL_TEXT)


def test_each_matter_has_its_own_assessment(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    later = cases.record_pending(
        case_id, pending_on=date(2020, 10, 1), initiated_by=Initiation.OTHER, actor=actor
    )
    cases.start_assessment(case_id, started_on=date(2020, 10, 2), actor=actor)  # the latest
    cases.start_assessment(
        case_id, started_on=date(2020, 10, 3), matter_id=opening_matter_id(case_id), actor=actor
    )

    matters = cases.current_plan(case_id, actor=actor).matters
    assert [(m.matter_id, m.assessment.started_on if m.assessment else None) for m in matters] == [
        (opening_matter_id(case_id), date(2020, 10, 3)),
        (later, date(2020, 10, 2)),
    ]


def test_an_assessment_is_declined_with_a_reason_kept_out_of_the_trail(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    cases.decline_assessment(
        case_id, decided_on=date(2020, 8, 13), reason=PERSONAL_TEXT, actor=actor
    )

    event = last_event(cases, case_id)
    assert isinstance(event, AssessmentDeclined)
    assert PERSONAL_TEXT not in " ".join(event.describe())
    assessment = cases.current_plan(case_id, actor=actor).matters[0].assessment
    assert assessment is not None
    assert (assessment.declined_on, assessment.decline_reason) == (date(2020, 8, 13), PERSONAL_TEXT)


@pytest.mark.parametrize("step", ["start", "decline"])
def test_an_assessment_started_or_declined_takes_no_second_start_or_decline(
    cases: FamilyCases, actor: Actor, case_id: UUID, step: str
) -> None:
    if step == "start":
        cases.start_assessment(case_id, started_on=date(2020, 8, 14), actor=actor)
    else:
        cases.decline_assessment(case_id, decided_on=date(2020, 8, 14), reason="Ei", actor=actor)
    with refused(cases, case_id, AssessmentLifecycleError):
        cases.start_assessment(case_id, started_on=date(2020, 8, 15), actor=actor)
    with refused(cases, case_id, AssessmentLifecycleError):
        cases.decline_assessment(case_id, decided_on=date(2020, 8, 15), reason="Ei", actor=actor)


def test_a_completion_before_the_start_twice_or_without_a_start_is_refused(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    with refused(cases, case_id, AssessmentLifecycleError):
        _complete(cases, case_id, actor)
    cases.start_assessment(case_id, started_on=date(2020, 8, 20), actor=actor)
    with refused(cases, case_id, OutOfOrderError):
        _complete(cases, case_id, actor, completed_on=date(2020, 8, 19))
    _complete(cases, case_id, actor)
    with refused(cases, case_id, AssessmentLifecycleError):
        _complete(cases, case_id, actor)


def test_an_assessment_started_before_its_matter_became_pending_is_refused(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    cases.record_pending(
        case_id, pending_on=date(2020, 10, 1), initiated_by=Initiation.OTHER, actor=actor
    )
    with refused(cases, case_id, OutOfOrderError):
        cases.start_assessment(case_id, started_on=date(2020, 9, 30), actor=actor)
    with refused(cases, case_id, OutOfOrderError):
        cases.decline_assessment(case_id, decided_on=date(2020, 9, 30), reason="Ei", actor=actor)
    with refused(cases, case_id, DateOutOfRangeError):
        cases.start_assessment(case_id, started_on=TOMORROW, actor=actor)


def test_an_unknown_matter_or_child_is_refused(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    with refused(cases, case_id, MatterNotFoundError):
        cases.start_assessment(
            case_id, started_on=date(2020, 8, 14), matter_id=uuid4(), actor=actor
        )
    cases.start_assessment(case_id, started_on=date(2020, 8, 14), actor=actor)
    with refused(cases, case_id, UnknownChildError):
        _complete(cases, case_id, actor, not_heard_reasons={"child-9": "Ei tavoitettu"})


def test_a_child_heard_and_not_heard_at_once_is_a_shape_error(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    cases.start_assessment(case_id, started_on=date(2020, 8, 14), actor=actor)
    with refused(cases, case_id, InvalidCommandError):
        _complete(
            cases,
            case_id,
            actor,
            child_views={"child-1": "Hyvä"},
            not_heard_reasons={"child-1": "Ei"},
        )


# --- child welfare begins -------------------------------------------------------------------


def test_child_welfare_begins_and_the_case_is_under_the_child_welfare_act_from_then(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    cases.start_assessment(
        case_id, started_on=date(2020, 8, 14), child_welfare_need_assessed=True, actor=actor
    )
    _complete(cases, case_id, actor, child_welfare_begins=True)

    plan = cases.current_plan(case_id, actor=actor)
    assert plan.legal_basis is LegalBasis.CHILD_WELFARE_ACT
    assert plan.service_task is ServiceTask.CHILD_WELFARE
    assert plan.child_welfare_from == date(2020, 9, 1)
    before = cases.current_plan(case_id, actor=actor, as_of=date(2020, 8, 31))
    assert before.legal_basis is LegalBasis.SOCIAL_WELFARE_ACT
    counsellor = a_worker("ssc-1", Profession.SPECIAL_SOCIAL_COUNSELLOR)
    with refused(cases, case_id, WorkerNotQualifiedError):
        cases.assign_named_worker(
            case_id, worker=counsellor, assigned_on=TODAY, reason="Vaihto", actor=actor
        )
    later = cases.record_pending(
        case_id, pending_on=date(2020, 10, 1), initiated_by=Initiation.OTHER, actor=actor
    )
    cases.start_assessment(case_id, started_on=date(2020, 10, 2), actor=actor)
    with refused(cases, case_id, ChildWelfareConflictError):
        _complete(
            cases, case_id, actor, matter_id=later, completed_on=TODAY, child_welfare_begins=True
        )


def test_child_welfare_does_not_begin_without_a_social_worker_as_the_named_worker(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    counsellor = a_worker("ssc-1", Profession.SPECIAL_SOCIAL_COUNSELLOR)
    cases.assign_named_worker(
        case_id, worker=counsellor, assigned_on=date(2020, 8, 13), reason="Vaihto", actor=actor
    )
    cases.start_assessment(case_id, started_on=date(2020, 8, 14), actor=actor)
    with refused(cases, case_id, WorkerNotQualifiedError) as info:
        _complete(cases, case_id, actor, child_welfare_begins=True)
    assert "assign" in str(info.value)
    cases.assign_named_worker(
        case_id, worker=a_worker(), assigned_on=date(2020, 8, 20), reason="LsL", actor=actor
    )
    _complete(cases, case_id, actor, child_welfare_begins=True)
    assert cases.current_plan(case_id, actor=actor).legal_basis is LegalBasis.CHILD_WELFARE_ACT


def test_child_welfare_does_not_begin_while_a_child_s_own_worker_is_not_a_social_worker(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    counsellor = a_worker("ssc-1", Profession.SPECIAL_SOCIAL_COUNSELLOR)
    cases.assign_named_worker(
        case_id,
        worker=counsellor,
        assigned_on=date(2020, 8, 13),
        reason="Oma työntekijä",
        child_id="child-1",
        actor=actor,
    )
    cases.start_assessment(case_id, started_on=date(2020, 8, 14), actor=actor)
    with refused(cases, case_id, WorkerNotQualifiedError) as info:
        _complete(cases, case_id, actor, child_welfare_begins=True)
    assert "child-1" in str(info.value)
    cases.assign_named_worker(
        case_id,
        worker=a_worker(),
        assigned_on=date(2020, 8, 20),
        reason="LsL",
        child_id="child-1",
        actor=actor,
    )
    _complete(cases, case_id, actor, child_welfare_begins=True)
    assert cases.current_plan(case_id, actor=actor).legal_basis is LegalBasis.CHILD_WELFARE_ACT


def test_a_child_welfare_act_case_cannot_begin_child_welfare_again(
    cases: FamilyCases, actor: Actor
) -> None:
    case_id = open_sample_case(cases, legal_basis=LegalBasis.CHILD_WELFARE_ACT)
    cases.start_assessment(case_id, started_on=date(2020, 8, 14), actor=actor)
    with refused(cases, case_id, ChildWelfareConflictError):
        _complete(cases, case_id, actor, child_welfare_begins=True)

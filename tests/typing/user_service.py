"""A user's service (käyttäjän palvelu), typed: the public API as a host service uses it.

mypy checks this module with ``--strict`` (it is under ``tests/``, in mypy's files):
every call below must type-check without a cast or an ignore, and ``assert_type`` pins
what each call returns, so that a signature that loses its types (``Any``, a missing
overload, a ``py.typed`` gone) fails the type check, not a user's build.
``test_user_service.py`` runs it, so it is also correct at run time.
"""

from __future__ import annotations

from datetime import date
from typing import assert_type
from uuid import UUID

from perhetyo import (
    Actor,
    AuditEntry,
    CaseEvent,
    CaseStatus,
    ClosureReason,
    CurrentPlan,
    Deadline,
    FamilyCases,
    GoalProgress,
    GoalStatus,
    LegalBasis,
    MeetingKind,
    NamedWorker,
    PerhetyoError,
    PersonRef,
    Profession,
    RuleViolationError,
    ServiceKind,
)
from perhetyo import commands as c

WORKER = NamedWorker(id="sw-17", name="Aino K.", profession=Profession.SOCIAL_WORKER)
ME = Actor(id="sw-17", name="Aino K.", profession=Profession.SOCIAL_WORKER)


def open_family(cases: FamilyCases, referral_id: str, child_ids: list[str]) -> UUID:
    """Open a case for a referral (idempotent by its id)."""
    case_id = cases.open_case(
        children=[PersonRef(id=child_id, display_name="Lapsi") for child_id in child_ids],
        guardians=[PersonRef(id="guardian-1", display_name="Huoltaja")],
        legal_basis=LegalBasis.SOCIAL_WELFARE_ACT,
        named_worker=WORKER,
        opened_on=date(2020, 8, 12),
        actor=ME,
        request_id=f"referral:{referral_id}",
    )
    assert_type(case_id, UUID)
    return case_id


def plan_the_work(cases: FamilyCases, case_id: UUID) -> tuple[UUID, UUID, int]:
    """A meeting, a goal, a service for it and a plan: the ids and the plan's version."""
    meeting_id = cases.record_meeting(
        case_id,
        kind=MeetingKind.OPENING,
        held_on=date(2020, 8, 12),
        participants=["huoltaja"],
        summary="Aloitustapaaminen",
        actor=ME,
    )
    assert_type(meeting_id, UUID)
    goal_id = cases.execute(
        c.SetGoal(case_id=case_id, description="Arki sujuu", set_on=date(2020, 8, 19), actor=ME)
    )
    assert_type(goal_id, UUID)
    service_id = cases.order_service(
        case_id,
        kind=ServiceKind.FAMILY_WORK,
        provider="Perhetyö Oy",
        ordered_on=date(2020, 8, 20),
        goal_ids=[goal_id],
        actor=ME,
    )
    version = cases.agree_plan(
        case_id, agreed_on=date(2020, 8, 19), agreements=["Perhetyötä viikoittain"], actor=ME
    )
    assert_type(version, int)
    return goal_id, service_id, version


def weekly_summary(cases: FamilyCases, case_id: UUID) -> dict[str, int]:
    """What a host's weekly report counts for one case (ids and numbers only)."""
    plan = cases.current_plan(case_id, actor=ME, purpose="weekly report")
    assert_type(plan, CurrentPlan)
    progress = cases.goal_progress(case_id, actor=ME)
    assert_type(progress, list[GoalProgress])
    trail = cases.audit_trail(case_id, actor=ME, as_of=date(2020, 12, 31))
    assert_type(trail, list[AuditEntry])
    events = cases.history(case_id, actor=ME)
    assert_type(events, list[CaseEvent])
    deadlines = cases.deadlines(case_id, actor=ME, on=date(2020, 12, 31))
    assert_type(deadlines, list[Deadline])
    return {
        "open": int(plan.status is CaseStatus.OPEN),
        "goals": len(plan.goals),
        "achieved": sum(goal.status is GoalStatus.ACHIEVED for goal in progress),
        "events": len(events),
        "audit_entries": len(trail),
        "deadlines": len(deadlines),
    }


def close_if_done(cases: FamilyCases, case_id: UUID, service_id: UUID) -> str | None:
    """End the service and close the case; the refusal's code when the rules say no."""
    cases.end_service(
        case_id, service_id, ended_on=date(2020, 12, 18), reason="Jakso päättyi", actor=ME
    )
    try:
        cases.close_case(
            case_id,
            closed_on=date(2020, 12, 21),
            reason=ClosureReason.NO_LONGER_NEEDED,
            child_views={},
            actor=ME,
        )
    except RuleViolationError as refusal:
        code: str = refusal.code
        return code
    except PerhetyoError:
        raise
    return None


def run(cases: FamilyCases) -> dict[str, int]:
    """The whole service, on any store: open, plan, report, try to close."""
    case_id = open_family(cases, "ref-1", ["child-1"])
    assert open_family(cases, "ref-1", ["child-1"]) == case_id  # a redelivery
    _goal_id, service_id, _version = plan_the_work(cases, case_id)
    summary = weekly_summary(cases, case_id)
    refusal = close_if_done(cases, case_id, service_id)  # the child was not heard
    summary["refused"] = int(refusal is not None)
    return summary

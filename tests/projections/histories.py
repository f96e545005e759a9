"""Random case histories for the stored-projection tests, driven by a seeded ``Random``.

Commands are drawn at random, mostly valid; a refused command records nothing and is
simply skipped, so every history is a real, accepted sequence of events.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from uuid import UUID

from perhetyo import (
    ClosureReason,
    FamilyCases,
    GoalStatus,
    LegalBasis,
    MeetingKind,
    PerhetyoError,
    Profession,
    ServiceKind,
)
from perhetyo.testing import FakeClock, a_child, a_guardian, a_worker, an_actor

START = date(2020, 1, 6)


def _day(rng: random.Random, case_day: date) -> date:
    return case_day + timedelta(days=rng.randint(0, 6))


def grow(
    cases: FamilyCases,
    clock: FakeClock,
    rng: random.Random,
    case_ids: list[UUID],
    steps: int,
    *,
    new_case_weight: float = 0.15,
) -> int:
    """Apply ``steps`` random commands to ``case_ids`` (opening new cases too); returns
    how many were accepted. Dates move forward per case, so most commands are valid."""
    actor = an_actor(rng.choice(["sw-1", "sw-2", "sw-3"]))
    accepted = 0
    days: dict[UUID, date] = {}
    for _ in range(steps):
        clock.advance(timedelta(minutes=rng.randint(1, 90)))
        if not case_ids or rng.random() < new_case_weight:
            children = tuple(a_child(f"child-{n}") for n in range(rng.randint(1, 3)))
            case_id = cases.open_case(
                children=children,
                guardians=(a_guardian(),),
                legal_basis=rng.choice(list(LegalBasis)),
                named_worker=a_worker(f"sw-{rng.randint(1, 5)}"),
                opened_on=START + timedelta(days=rng.randint(0, 30)),
                actor=actor,
            )
            case_ids.append(case_id)
            accepted += 1
            continue
        case_id = rng.choice(case_ids)
        try:
            _random_command(cases, rng, case_id, days, actor)
        except PerhetyoError:
            continue
        accepted += 1
    return accepted


def _random_command(  # noqa: PLR0912 (one branch per command kind)
    cases: FamilyCases, rng: random.Random, case_id: UUID, days: dict[UUID, date], actor: object
) -> None:
    plan = cases.current_plan(case_id, actor=an_actor())
    day = days.get(case_id, plan.opened_on)
    when = _day(rng, day)
    days[case_id] = when
    kind = rng.randrange(11)
    children = [child.id for child in plan.children]
    if kind == 0:
        cases.record_meeting(
            case_id, kind=rng.choice(list(MeetingKind)), held_on=when,
            participants=["perhe"], summary="Tapaaminen.", actor=an_actor(),
        )
    elif kind == 1:
        cases.record_child_view(
            case_id, child_id=rng.choice(children), view=f"Näkemys {rng.randint(1, 9)}",
            recorded_on=when, actor=an_actor(),
        )
    elif kind == 2:
        cases.agree_plan(
            case_id, agreed_on=when, agreements=["Sovittu."], dissent=rng.choice([[], ["Eri."]]),
            review_due_on=when + timedelta(days=rng.randint(0, 90)), actor=an_actor(),
        )
    elif kind in (3, 4):
        cases.set_goal(
            case_id, description="Tavoite.", set_on=when,
            child_id=rng.choice([None, *children]), actor=an_actor(),
        )
    elif kind in (5, 6) and plan.goals:
        goal = rng.choice(plan.goals)
        cases.update_goal(
            case_id, goal.goal_id, status=rng.choice(list(GoalStatus)),
            progress=rng.randint(0, 100), note=rng.choice([None, "Huom."]),
            updated_on=when, actor=an_actor(),
        )
    elif kind == 7:
        set_by_then = [goal.goal_id for goal in plan.goals if goal.set_on <= when]
        goal_ids = set_by_then[: rng.randint(0, 2)]
        cases.order_service(
            case_id, kind=rng.choice(list(ServiceKind)), provider="Tuottaja Oy",
            ordered_on=when, goal_ids=goal_ids, actor=an_actor(),
        )
    elif kind == 8 and plan.services:
        service = rng.choice(plan.services)
        if rng.random() < 0.6:
            cases.start_service(case_id, service.service_id, started_on=when, actor=an_actor())
        else:
            cases.end_service(
                case_id, service.service_id, ended_on=when, reason="Päättyi.", actor=an_actor()
            )
    elif kind == 9:
        cases.assign_named_worker(
            case_id, worker=a_worker(f"sw-{rng.randint(1, 5)}", Profession.SOCIAL_WORKER),
            assigned_on=when, reason="Vaihto.", actor=an_actor(),
        )
    else:
        for service in plan.services:
            if service.status.value in ("ordered", "active"):
                cases.end_service(
                    case_id, service.service_id, ended_on=when, reason="Loppu.", actor=an_actor()
                )
        half = len(children) // 2
        cases.close_case(
            case_id, closed_on=when, reason=rng.choice(list(ClosureReason)),
            child_views=dict.fromkeys(children[:half], "Hyvä."),
            not_heard_reasons=dict.fromkeys(children[half:], "Ei tavoitettu."),
            actor=an_actor(),
        )


def assert_stored_equals_live(cases: FamilyCases, case_ids: list[UUID]) -> None:
    """Row for row, the stored tables hold what the live folds give, for every case."""
    views = cases.stored_views
    me = an_actor()
    for case_id in case_ids:
        assert views.current_plan(case_id) == cases.current_plan(case_id, actor=me)
        assert views.goal_progress(case_id) == cases.goal_progress(case_id, actor=me)
        assert views.audit_trail(case_id) == cases.audit_trail(case_id, actor=me)
    counts = {status.projection: status.rows for status in views.status()}
    assert counts["CurrentPlan"]["perhetyo_cases"] == len(case_ids)
    total_events = sum(len(cases.history(case_id, actor=me)) for case_id in case_ids)
    assert counts["AuditTrail"]["perhetyo_audit_entries"] == total_events

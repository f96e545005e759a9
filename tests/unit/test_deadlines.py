"""Statutory deadlines (lakisääteiset määräajat): given a case's matters, assessments and
plans -> when deadlines() or overdue() is asked on a day -> then the due dates on the Finnish
working-day calendar, and each deadline's status on that day."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import pytest

from perhetyo import (
    Actor,
    ClosureReason,
    ConfigurationError,
    Deadline,
    DeadlineKind,
    DeadlinePolicy,
    DeadlineStatus,
    FamilyCases,
    Initiation,
    InvalidCommandError,
    LegalBasis,
)
from perhetyo.events import opening_matter_id
from perhetyo.testing import FakeClock, a_child, a_worker

START, COMPLETION, REVIEW = (
    DeadlineKind.ASSESSMENT_START,
    DeadlineKind.ASSESSMENT_COMPLETION,
    DeadlineKind.PLAN_REVIEW,
)
MET, MET_LATE, OPEN, OVERDUE, VOID = (
    DeadlineStatus.MET,
    DeadlineStatus.MET_LATE,
    DeadlineStatus.OPEN,
    DeadlineStatus.OVERDUE,
    DeadlineStatus.VOID,
)


@pytest.fixture
def late_cases() -> Iterator[FamilyCases]:
    """A store whose today is 2021-12-31 (Helsinki)."""
    clock = FakeClock(datetime(2021, 12, 31, 10, 0, tzinfo=UTC))
    with FamilyCases("memory://", clock=clock) as store:
        yield store


def _open(cases: FamilyCases, actor: Actor, pending_on: date, **extra: Any) -> UUID:
    arguments: dict[str, Any] = {
        "children": [a_child()],
        "legal_basis": LegalBasis.SOCIAL_WELFARE_ACT,
        "named_worker": a_worker(),
        "opened_on": pending_on,
        "pending_on": pending_on,
        "actor": actor,
    }
    arguments.update(extra)
    return cases.open_case(**arguments)


def _due(deadlines: list[Deadline]) -> list[tuple[DeadlineKind, date]]:
    return [(d.kind, d.due_on) for d in deadlines]


def _status(deadlines: list[Deadline]) -> list[tuple[DeadlineKind, DeadlineStatus]]:
    return [(d.kind, d.status) for d in deadlines]


# --- due dates on the working-day calendar ------------------------------------------------


@pytest.mark.parametrize(
    ("pending_on", "start_due", "completion_due"),
    [
        # Christmas Eve and Christmas Day are not working days; 17.3.2021 is a Wednesday.
        (date(2020, 12, 17), date(2020, 12, 30), date(2021, 3, 17)),
        # Good Friday and Easter Monday; June has no 31st, so its last day.
        (date(2021, 3, 31), date(2021, 4, 13), date(2021, 6, 30)),
        # Midsummer Eve (Friday 25.6.2021) is not a working day.
        (date(2021, 6, 22), date(2021, 7, 2), date(2021, 9, 22)),
        # 28.2.2021 is a Sunday: the completion moves to Monday.
        (date(2020, 11, 30), date(2020, 12, 9), date(2021, 3, 1)),
    ],
)
def test_the_assessment_deadlines_are_pinned_across_holidays_and_month_ends(
    late_cases: FamilyCases, actor: Actor, pending_on: date, start_due: date, completion_due: date
) -> None:
    case_id = _open(late_cases, actor, pending_on, special_support=True)

    deadlines = late_cases.deadlines(case_id, actor=actor, on=pending_on)

    assert _due(deadlines) == [(START, start_due), (COMPLETION, completion_due)]
    assert {d.matter_id for d in deadlines} == {opening_matter_id(case_id)}
    assert _status(deadlines) == [(START, OPEN), (COMPLETION, OPEN)]


# --- which matters have day counts ------------------------------------------------------------


def test_a_matter_without_special_support_or_child_welfare_has_no_deadlines(
    late_cases: FamilyCases, actor: Actor
) -> None:
    case_id = _open(late_cases, actor, date(2021, 3, 1), initiated_by=Initiation.APPLICATION)
    late_cases.start_assessment(case_id, started_on=date(2021, 6, 1), actor=actor)
    late_cases.complete_assessment(
        case_id,
        completed_on=date(2021, 9, 1),
        conclusions="Ei erityisen tuen tarvetta",
        relationship_continues=True,
        special_support=True,  # found at completion: too late to add deadlines
        child_welfare_begins=False,
        needs_named_worker=True,
        plan_needed=False,
        actor=actor,
    )

    assert late_cases.deadlines(case_id, actor=actor, on=date(2021, 12, 31)) == []


@pytest.mark.parametrize(
    "opening",
    [
        {"legal_basis": LegalBasis.CHILD_WELFARE_ACT},
        {"initiated_by": Initiation.CHILD_WELFARE_NOTIFICATION},
        {"special_support": True},
    ],
    ids=["child welfare act", "child welfare notification", "special support"],
)
def test_a_child_welfare_or_special_support_matter_has_both_deadlines(
    late_cases: FamilyCases, actor: Actor, opening: dict[str, Any]
) -> None:
    case_id = _open(late_cases, actor, date(2021, 3, 1), **opening)

    deadlines = late_cases.deadlines(case_id, actor=actor, on=date(2021, 12, 31))

    assert _status(deadlines) == [(START, OVERDUE), (COMPLETION, OVERDUE)]


@pytest.mark.parametrize(
    "start", [{"special_support": True}, {"child_welfare_need_assessed": True}]
)
def test_what_is_known_at_the_start_adds_the_deadlines(
    late_cases: FamilyCases, actor: Actor, start: dict[str, Any]
) -> None:
    case_id = _open(late_cases, actor, date(2021, 3, 1))
    assert late_cases.deadlines(case_id, actor=actor, on=date(2021, 3, 2)) == []

    late_cases.start_assessment(case_id, started_on=date(2021, 3, 15), actor=actor, **start)

    deadlines = late_cases.deadlines(case_id, actor=actor, on=date(2021, 3, 15))
    assert [(d.kind, d.due_on, d.met_on, d.status) for d in deadlines] == [
        (START, date(2021, 3, 10), date(2021, 3, 15), MET_LATE),
        (COMPLETION, date(2021, 6, 1), None, OPEN),
    ]


def test_the_policy_decides_which_matters_count_and_how_many_days(actor: Actor) -> None:
    policy = DeadlinePolicy(child_welfare_need_assessed=False, start_working_days=10)
    clock = FakeClock(datetime(2021, 12, 31, 10, 0, tzinfo=UTC))
    with FamilyCases("memory://", clock=clock, deadline_policy=policy) as cases:
        assessed = _open(cases, actor, date(2021, 3, 1))
        cases.start_assessment(
            assessed, started_on=date(2021, 3, 2), child_welfare_need_assessed=True, actor=actor
        )
        special = _open(cases, actor, date(2021, 3, 1), special_support=True)

        assert cases.deadlines(assessed, actor=actor, on=date(2021, 3, 2)) == []
        due = _due(cases.deadlines(special, actor=actor, on=date(2021, 3, 2)))
        assert due[0] == (START, date(2021, 3, 15))


def test_a_policy_of_the_wrong_shape_is_refused() -> None:
    with pytest.raises(InvalidCommandError):
        DeadlinePolicy(start_working_days=0)
    with pytest.raises(ConfigurationError):
        FamilyCases("memory://", deadline_policy={"start_working_days": 7})  # type: ignore[arg-type]


# --- met, late, void, overdue ----------------------------------------------------------------


def test_each_deadline_is_open_until_due_then_overdue_until_met_late(
    late_cases: FamilyCases, actor: Actor
) -> None:
    case_id = _open(late_cases, actor, date(2021, 3, 31), special_support=True)
    late_cases.start_assessment(case_id, started_on=date(2021, 4, 15), actor=actor)

    def on(day: date) -> list[tuple[DeadlineKind, DeadlineStatus]]:
        return _status(late_cases.deadlines(case_id, actor=actor, on=day))

    assert on(date(2021, 4, 13)) == [(START, OPEN), (COMPLETION, OPEN)]
    assert on(date(2021, 4, 14)) == [(START, OVERDUE), (COMPLETION, OPEN)]
    assert on(date(2021, 4, 15)) == [(START, MET_LATE), (COMPLETION, OPEN)]
    assert on(date(2021, 7, 1)) == [(START, MET_LATE), (COMPLETION, OVERDUE)]


def test_a_declined_assessment_meets_the_start_and_voids_the_completion(
    late_cases: FamilyCases, actor: Actor
) -> None:
    case_id = _open(late_cases, actor, date(2021, 3, 31), special_support=True)
    late_cases.decline_assessment(case_id, decided_on=date(2021, 4, 1), reason="Ei", actor=actor)

    deadlines = late_cases.deadlines(case_id, actor=actor, on=date(2021, 12, 31))

    assert [(d.kind, d.met_on, d.voided_on, d.status) for d in deadlines] == [
        (START, date(2021, 4, 1), None, MET),
        (COMPLETION, None, date(2021, 4, 1), VOID),
    ]


def test_closing_voids_only_the_deadlines_not_yet_due(
    late_cases: FamilyCases, actor: Actor
) -> None:
    case_id = _open(late_cases, actor, date(2021, 3, 31), special_support=True)
    late_cases.close_case(
        case_id,
        closed_on=date(2021, 4, 20),
        reason=ClosureReason.MOVED_AWAY,
        child_views={"child-1": "Muutamme"},
        actor=actor,
    )

    deadlines = late_cases.deadlines(case_id, actor=actor, on=date(2021, 12, 31))

    assert [(d.kind, d.voided_on, d.status) for d in deadlines] == [
        (START, None, OVERDUE),  # missed on 13.4.: supervision still sees it
        (COMPLETION, date(2021, 4, 20), VOID),
    ]


def test_a_plan_review_is_met_by_the_next_plan_version(
    late_cases: FamilyCases, actor: Actor
) -> None:
    case_id = _open(late_cases, actor, date(2021, 1, 4))
    for agreed_on, review_due_on in (
        (date(2021, 1, 10), date(2021, 3, 1)),
        (date(2021, 2, 20), date(2021, 5, 1)),  # before 1.3.: met
        (date(2021, 6, 1), date(2021, 12, 1)),  # after 1.5.: met late
    ):
        late_cases.agree_plan(
            case_id,
            agreed_on=agreed_on,
            agreements=["Sovittu"],
            review_due_on=review_due_on,
            actor=actor,
        )

    deadlines = late_cases.deadlines(case_id, actor=actor, on=date(2021, 12, 31))

    assert [(d.kind, d.plan_version, d.matter_id, d.status) for d in deadlines] == [
        (REVIEW, 1, None, MET),
        (REVIEW, 2, None, MET_LATE),
        (REVIEW, 3, None, OVERDUE),
    ]


# --- across all cases, from the stored tables ---------------------------------------------------


def test_overdue_lists_every_case_s_overdue_deadlines_and_sees_every_returned_command(
    late_cases: FamilyCases, actor: Actor
) -> None:
    first = _open(late_cases, actor, date(2021, 3, 31), special_support=True)
    second = _open(late_cases, actor, date(2021, 6, 22), legal_basis=LegalBasis.CHILD_WELFARE_ACT)
    _open(late_cases, actor, date(2021, 6, 22))  # no day counts

    overdue = late_cases.overdue(actor=actor, on=date(2021, 7, 5))
    assert [(d.case_id, d.kind, d.due_on) for d in overdue] == [
        (first, START, date(2021, 4, 13)),
        (first, COMPLETION, date(2021, 6, 30)),
        (second, START, date(2021, 7, 2)),
    ]
    assert {d.status for d in overdue} == {OVERDUE}

    late_cases.start_assessment(second, started_on=date(2021, 7, 5), actor=actor)  # no update
    overdue = late_cases.overdue(actor=actor, on=date(2021, 7, 5))
    assert [(d.case_id, d.kind) for d in overdue] == [(first, START), (first, COMPLETION)]
    assert late_cases.overdue(actor=actor, on=date(2021, 4, 13)) == []

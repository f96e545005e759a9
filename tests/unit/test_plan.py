"""Client plan (asiakassuunnitelma): given an open case -> when agree_plan -> then PlanAgreed."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

import pytest

from perhetyo import (
    Actor,
    DateOutOfRangeError,
    FamilyCases,
    InvalidCommandError,
    OutOfOrderError,
    PlanAgreed,
)
from perhetyo.testing import FakeClock

from .helpers import OPENED_ON, TODAY, TOMORROW, history, last_event, refused


def _agree(
    cases: FamilyCases,
    case_id: UUID,
    actor: Actor,
    *,
    agreed_on: date = date(2020, 9, 1),
    review_due_on: date | None = None,
) -> int:
    return cases.agree_plan(
        case_id,
        agreed_on=agreed_on,
        agreements=["Perhetyötä kerran viikossa"],
        review_due_on=review_due_on,
        actor=actor,
    )


def test_agreeing_a_plan_records_plan_agreed_and_returns_version_one(
    cases: FamilyCases, clock: FakeClock, actor: Actor, case_id: UUID
) -> None:
    clock.advance()

    version = cases.agree_plan(
        case_id,
        agreed_on=date(2020, 9, 1),
        agreements=[" Perhetyötä kerran viikossa ", "Koulupalaveri"],
        dissent=["Isä ei hyväksy perhetyötä"],
        review_due_on=date(2021, 3, 1),
        actor=actor,
    )

    assert version == 1
    events = history(cases, case_id)
    assert len(events) == 2
    event = events[-1]
    assert isinstance(event, PlanAgreed)
    assert event.originator_version == 2
    assert event.plan_version == 1
    assert event.agreed_on == date(2020, 9, 1)
    assert event.agreements == ("Perhetyötä kerran viikossa", "Koulupalaveri")
    assert event.dissent == ("Isä ei hyväksy perhetyötä",)
    assert event.review_due_on == date(2021, 3, 1)
    assert event.actor == actor
    assert event.timestamp == clock()


def test_each_plan_agreed_is_the_next_version(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    assert _agree(cases, case_id, actor, agreed_on=date(2020, 9, 1)) == 1
    assert _agree(cases, case_id, actor, agreed_on=date(2020, 9, 1)) == 2
    assert _agree(cases, case_id, actor, agreed_on=date(2020, 12, 1)) == 3

    event = last_event(cases, case_id)
    assert isinstance(event, PlanAgreed)
    assert event.plan_version == 3


def test_a_plan_without_dissent_or_review_date_records_none(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    _agree(cases, case_id, actor)

    event = last_event(cases, case_id)
    assert isinstance(event, PlanAgreed)
    assert event.dissent == ()
    assert event.review_due_on is None


def test_a_plan_agreed_before_the_case_opened_is_refused(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    with refused(cases, case_id, DateOutOfRangeError):
        _agree(cases, case_id, actor, agreed_on=OPENED_ON - timedelta(days=1))


def test_a_plan_agreed_in_the_future_is_refused(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    with refused(cases, case_id, DateOutOfRangeError):
        _agree(cases, case_id, actor, agreed_on=TOMORROW)


def test_a_review_may_be_due_in_the_future(cases: FamilyCases, actor: Actor, case_id: UUID) -> None:
    _agree(cases, case_id, actor, agreed_on=TODAY, review_due_on=date(2022, 6, 30))

    event = last_event(cases, case_id)
    assert isinstance(event, PlanAgreed)
    assert event.review_due_on == date(2022, 6, 30)


def test_a_review_may_be_due_on_the_day_the_plan_is_agreed(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    _agree(cases, case_id, actor, agreed_on=date(2020, 9, 1), review_due_on=date(2020, 9, 1))

    assert len(history(cases, case_id)) == 2


def test_a_review_due_before_the_plan_was_agreed_is_refused(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    with refused(cases, case_id, DateOutOfRangeError):
        _agree(cases, case_id, actor, agreed_on=date(2020, 9, 1), review_due_on=date(2020, 8, 31))


def test_a_plan_agreed_before_the_previous_version_is_refused(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    _agree(cases, case_id, actor, agreed_on=date(2020, 10, 1))

    with refused(cases, case_id, OutOfOrderError):
        _agree(cases, case_id, actor, agreed_on=date(2020, 9, 30))

    assert _agree(cases, case_id, actor, agreed_on=date(2020, 10, 2)) == 2


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"agreements": []}, id="no agreements"),
        pytest.param({"agreements": ["  "]}, id="blank agreement"),
        pytest.param({"agreements": ["x" * 2001]}, id="agreement over 2000"),
        pytest.param({"agreements": ["x"] * 101}, id="over 100 agreements"),
        pytest.param({"dissent": [""]}, id="empty dissent"),
        pytest.param({"review_due_on": "2021-03-01"}, id="review date as string"),
        pytest.param({"agreed_on": None}, id="no date"),
    ],
)
def test_a_badly_shaped_plan_is_a_shape_error(
    cases: FamilyCases, actor: Actor, case_id: UUID, overrides: dict[str, object]
) -> None:
    arguments: dict[str, object] = {
        "agreed_on": date(2020, 9, 1),
        "agreements": ["Perhetyötä"],
        "actor": actor,
    }
    arguments.update(overrides)

    with refused(cases, case_id, InvalidCommandError):
        cases.agree_plan(case_id, **arguments)  # type: ignore[arg-type]

"""Service decisions (palvelupäätökset): decided, shown, and cited by the orders they grant."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import pytest

from perhetyo import (
    Actor,
    CaseClosedError,
    DateOutOfRangeError,
    DecisionNotApplicableError,
    DecisionNotFoundError,
    DecisionOutcome,
    FamilyCases,
    InvalidCommandError,
    OutOfOrderError,
    ServiceDecided,
    ServiceKind,
    ServiceOrdered,
    finnish_label,
    swedish_label,
)
from perhetyo.testing import FakeClock, a_worker, open_sample_case

from .helpers import PERSONAL_TEXT, TOMORROW, close, last_event, refused
from .statutory_helpers import decide_rehabilitation


def _order(
    cases: FamilyCases,
    case_id: UUID,
    decision_id: UUID | None,
    actor: Actor,
    *,
    on: date = date(2020, 9, 1),
    kind: ServiceKind = ServiceKind.FAMILY_REHABILITATION,
) -> UUID:
    return cases.order_service(
        case_id,
        kind=kind,
        provider="Perhekuntoutus Oy",
        ordered_on=on,
        decision_id=decision_id,
        actor=actor,
    )


# --- decide_service ----------------------------------------------------------------------


def test_a_decision_records_service_decided_and_returns_its_id(
    cases: FamilyCases, clock: FakeClock, actor: Actor, case_id: UUID
) -> None:
    clock.advance()

    decision_id = decide_rehabilitation(cases, case_id, actor=actor)

    event = last_event(cases, case_id)
    assert isinstance(event, ServiceDecided)
    assert event.decision_id == decision_id
    assert event.kind is ServiceKind.FAMILY_REHABILITATION
    assert event.outcome is DecisionOutcome.GRANTED
    assert event.decided_on == date(2020, 8, 24)
    assert event.legal_sections == ("SHL 18 §", "SHL 45 §")
    assert event.reasoning == PERSONAL_TEXT
    assert event.decision_maker == a_worker()
    assert (event.valid_from, event.valid_until) == (date(2020, 9, 1), date(2021, 2, 28))
    assert event.hours_per_month == 20
    assert event.timestamp == clock()
    assert event.occurred_on == event.decided_on


def test_the_plan_shows_each_decision_and_the_order_that_cites_it(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    denied = decide_rehabilitation(cases, case_id, actor=actor, outcome=DecisionOutcome.DENIED)
    granted = decide_rehabilitation(cases, case_id, actor=actor)
    service_id = _order(cases, case_id, granted, actor)

    plan = cases.current_plan(case_id, actor=actor)

    assert [d.decision_id for d in plan.decisions] == [denied, granted]
    assert [d.outcome for d in plan.decisions] == [DecisionOutcome.DENIED, DecisionOutcome.GRANTED]
    assert plan.decisions[1].reasoning == PERSONAL_TEXT
    assert plan.decisions[1].decision_maker == a_worker()
    [service] = plan.services
    assert (service.service_id, service.decision_id) == (service_id, granted)


def test_the_summary_names_kind_outcome_and_id_never_the_reasoning(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    decision_id = decide_rehabilitation(cases, case_id, actor=actor)

    entry = cases.audit_trail(case_id, actor=actor)[-1]

    assert "perhekuntoutus" in entry.summary
    assert "myönteinen" in entry.summary
    assert str(decision_id) in entry.summary_en
    assert "granted" in entry.summary_en
    assert PERSONAL_TEXT not in entry.summary + entry.summary_en
    assert a_worker().name not in entry.summary + entry.summary_en


def test_outcomes_have_finnish_and_swedish_labels() -> None:
    assert finnish_label(DecisionOutcome.PARTLY_GRANTED) == "osittain myönteinen"
    assert swedish_label(DecisionOutcome.DENIED) == "negativt"
    assert [outcome.grants for outcome in DecisionOutcome] == [True, True, False]


def test_validity_may_be_open_at_either_end(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    decision_id = decide_rehabilitation(
        cases, case_id, actor=actor, valid_from=None, valid_until=None
    )

    [decision] = cases.current_plan(case_id, actor=actor).decisions
    assert decision.decision_id == decision_id
    assert (decision.valid_from, decision.valid_until) == (None, None)


def test_valid_until_before_valid_from_is_a_shape_error_and_records_nothing(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    with refused(cases, case_id, InvalidCommandError) as info:
        decide_rehabilitation(
            cases, case_id, actor=actor, valid_from=date(2020, 9, 1), valid_until=date(2020, 8, 31)
        )
    assert isinstance(info.value, InvalidCommandError)
    assert "valid_until" in info.value.errors[0]["msg"]


@pytest.mark.parametrize(
    "change",
    [
        {"legal_sections": []},
        {"legal_sections": [" "]},
        {"reasoning": ""},
        {"hours_per_month": 0},
        {"hours_per_month": 745},
        {"hours_per_month": 2.5},
        {"outcome": "maybe"},
        {"decided_on": "2020-08-24"},
        {"decision_maker": {"id": "w", "name": "W", "profession": "boss"}},
    ],
)
def test_a_badly_shaped_decision_is_refused(
    cases: FamilyCases, actor: Actor, case_id: UUID, change: dict[str, object]
) -> None:
    arguments: dict[str, object] = {
        "kind": ServiceKind.FAMILY_WORK,
        "outcome": DecisionOutcome.GRANTED,
        "decided_on": date(2020, 9, 1),
        "legal_sections": ["SHL 18 §"],
        "reasoning": "Perusteltu",
        "decision_maker": a_worker(),
        "actor": actor,
        **change,
    }
    with refused(cases, case_id, InvalidCommandError):
        cases.decide_service(case_id, **arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize("decided_on", [date(2020, 8, 11), TOMORROW])
def test_a_decision_dated_before_the_opening_or_in_the_future_is_refused(
    cases: FamilyCases, actor: Actor, case_id: UUID, decided_on: date
) -> None:
    with refused(cases, case_id, DateOutOfRangeError):
        decide_rehabilitation(cases, case_id, actor=actor, decided_on=decided_on)


def test_a_closed_case_takes_no_decision(cases: FamilyCases, actor: Actor, case_id: UUID) -> None:
    close(cases, case_id, actor=actor)

    with refused(cases, case_id, CaseClosedError):
        decide_rehabilitation(cases, case_id, actor=actor)


# --- order_service citing a decision ---------------------------------------------------------


def test_an_order_citing_a_granted_decision_records_it(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    decision_id = decide_rehabilitation(cases, case_id, actor=actor)

    _order(cases, case_id, decision_id, actor)

    event = last_event(cases, case_id)
    assert isinstance(event, ServiceOrdered)
    assert event.decision_id == decision_id
    assert str(decision_id) in event.describe().en


def test_a_partly_granted_decision_may_be_cited_on_its_first_and_last_valid_day(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    decision_id = decide_rehabilitation(
        cases, case_id, actor=actor, outcome=DecisionOutcome.PARTLY_GRANTED
    )

    _order(cases, case_id, decision_id, actor, on=date(2020, 9, 1))
    _order(cases, case_id, decision_id, actor, on=date(2020, 12, 31))

    assert len(cases.current_plan(case_id, actor=actor).services) == 2


def test_an_order_citing_a_denied_decision_is_refused(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    decision_id = decide_rehabilitation(
        cases, case_id, actor=actor, outcome=DecisionOutcome.DENIED
    )

    with refused(cases, case_id, DecisionNotApplicableError) as info:
        _order(cases, case_id, decision_id, actor)
    assert "denied" in str(info.value)


def test_an_order_of_another_kind_than_decided_is_refused(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    decision_id = decide_rehabilitation(cases, case_id, actor=actor)

    with refused(cases, case_id, DecisionNotApplicableError):
        _order(cases, case_id, decision_id, actor, kind=ServiceKind.FAMILY_WORK)


def test_an_order_after_the_decision_expired_is_refused(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    decision_id = decide_rehabilitation(cases, case_id, actor=actor, valid_until=date(2020, 10, 31))

    with refused(cases, case_id, DecisionNotApplicableError) as info:
        _order(cases, case_id, decision_id, actor, on=date(2020, 11, 1))
    assert "expired" in str(info.value)


def test_an_order_before_the_decision_is_valid_is_refused(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    decision_id = decide_rehabilitation(cases, case_id, actor=actor)  # valid from 2020-09-01

    with refused(cases, case_id, DecisionNotApplicableError):
        _order(cases, case_id, decision_id, actor, on=date(2020, 8, 31))


def test_an_order_dated_before_the_decision_was_made_is_out_of_order(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    decision_id = decide_rehabilitation(
        cases, case_id, actor=actor, decided_on=date(2020, 9, 10), valid_from=None
    )

    with refused(cases, case_id, OutOfOrderError):
        _order(cases, case_id, decision_id, actor, on=date(2020, 9, 9))


def test_an_order_citing_an_unknown_or_another_cases_decision_is_refused(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    other_case = open_sample_case(cases)
    others = decide_rehabilitation(cases, other_case, actor=actor)

    for decision_id in (uuid4(), others):
        with refused(cases, case_id, DecisionNotFoundError) as info:
            _order(cases, case_id, decision_id, actor)
        assert str(case_id) in str(info.value)


def test_an_order_citing_no_decision_still_works_as_before(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    _order(cases, case_id, None, actor)

    event = last_event(cases, case_id)
    assert isinstance(event, ServiceOrdered)
    assert event.decision_id is None

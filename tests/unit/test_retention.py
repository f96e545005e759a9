"""Retention (säilytysaika): the policy's dates and ``retention_due`` over stored tables."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from perhetyo import (
    ClosureReason,
    ConfigurationError,
    FamilyCases,
    InvalidCommandError,
    LegalBasis,
    RetentionDue,
    RetentionPolicy,
)
from perhetyo.testing import FakeClock, a_child, a_worker, an_actor

SHL = LegalBasis.SOCIAL_WELFARE_ACT
LSL = LegalBasis.CHILD_WELFARE_ACT


def test_the_default_policy_keeps_family_services_30_years_and_child_welfare_until_told() -> None:
    policy = RetentionPolicy()

    assert policy.due_on(SHL, date(2020, 12, 10)) == date(2050, 12, 10)
    assert policy.due_on(SHL, date(2024, 2, 29)) == date(2054, 3, 1)
    assert policy.due_on(LSL, date(2020, 12, 10)) is None


def test_a_policy_is_configurable_and_refuses_what_is_not_whole_years() -> None:
    policy = RetentionPolicy({SHL: 5, LSL: 12})

    assert policy.due_on(LSL, date(2020, 1, 1)) == date(2032, 1, 1)
    assert RetentionPolicy({SHL: 1}).due_on(LSL, date(2020, 1, 1)) is None  # not named: never
    for bad in ({SHL: -1}, {SHL: 2.5}, {"social_welfare_act": 3}):
        with pytest.raises(ConfigurationError):
            RetentionPolicy(bad)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError):
        FamilyCases("memory://", retention_policy={SHL: 3})  # type: ignore[arg-type]


def _closed_case(cases: FamilyCases, basis: LegalBasis, opened_on: date, closed_on: date) -> UUID:
    me = an_actor()
    case_id = cases.open_case(
        children=[a_child("child-1")],
        legal_basis=basis,
        named_worker=a_worker(),
        opened_on=opened_on,
        actor=me,
    )
    cases.close_case(
        case_id,
        closed_on=closed_on,
        reason=ClosureReason.NO_LONGER_NEEDED,
        child_views={"child-1": "Hyvä"},
        actor=me,
    )
    return case_id


def test_retention_due_lists_closed_cases_whose_retention_ended_and_reads_its_writes() -> None:
    clock = FakeClock()  # 2020-12-31
    with FamilyCases("memory://", clock=clock, retention_policy=RetentionPolicy({SHL: 2})) as cases:
        early = _closed_case(cases, SHL, date(2018, 1, 5), date(2018, 6, 1))
        late = _closed_case(cases, SHL, date(2019, 1, 5), date(2019, 6, 2))
        _closed_case(cases, LSL, date(2015, 1, 5), date(2016, 1, 1))  # never due
        open_id = cases.open_case(
            children=[a_child("child-1")],
            legal_basis=SHL,
            named_worker=a_worker(),
            opened_on=date(2015, 1, 5),
            actor=an_actor(),
        )

        due = cases.retention_due(actor=an_actor(), on=date(2021, 6, 1))
        later = cases.retention_due(actor=an_actor(), on=date(2021, 6, 2))

    assert due == [RetentionDue(early, SHL, date(2018, 6, 1), date(2020, 6, 1))]
    assert [row.case_id for row in later] == [early, late]
    assert open_id not in {row.case_id for row in later}


def test_retention_due_checks_its_arguments_and_a_policy_that_keeps_all_lists_none() -> None:
    with FamilyCases("memory://", clock=FakeClock(), retention_policy=RetentionPolicy({})) as cases:
        _closed_case(cases, SHL, date(2018, 1, 5), date(2018, 6, 1))
        with pytest.raises(InvalidCommandError):
            cases.retention_due(actor=an_actor(), on="2050-01-01")  # type: ignore[arg-type]
        assert cases.retention_due(actor=an_actor(), on=date(2090, 1, 1)) == []

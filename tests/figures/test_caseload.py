"""Caseloads (asiakasmäärät): each child under their own worker, the limit, the day asked."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from figures.helpers import READER, assert_caseload_equals_fold, open_case, worker
from perhetyo import Caseload, ClosureReason, FamilyCases, InvalidCommandError, LegalBasis
from perhetyo.testing import an_actor

ME = an_actor()


def _by_worker(loads: list[Caseload]) -> dict[str, tuple[int, int, int, bool]]:
    return {
        load.worker_id: (load.children, load.child_welfare_children, load.cases, load.over_limit)
        for load in loads
    }


def test_each_child_counts_under_their_own_worker_else_the_familys(cases: FamilyCases) -> None:
    family = open_case(cases, opened_on=date(2020, 3, 2), children=("a", "b", "c"))
    cases.assign_named_worker(
        family, worker=worker("sw-2"), assigned_on=date(2020, 4, 1), reason="Oma työntekijä.",
        child_id="b", actor=ME,
    )
    other = open_case(
        cases, opened_on=date(2020, 5, 4), children=("d",), worker_id="sw-2",
        legal_basis=LegalBasis.SOCIAL_WELFARE_ACT,
    )
    loads = assert_caseload_equals_fold(cases, [family, other], date(2020, 6, 1))
    assert [load.worker_id for load in loads] == ["sw-1", "sw-2"]
    assert _by_worker(loads) == {"sw-1": (2, 2, 1, False), "sw-2": (2, 1, 2, False)}


def test_a_child_counts_from_joining_until_the_day_they_leave(cases: FamilyCases) -> None:
    case_id = open_case(cases, opened_on=date(2020, 3, 2), children=("a", "b"))
    cases.remove_child(
        case_id, child_id="a", left_on=date(2020, 6, 1), reason=ClosureReason.MOVED_AWAY,
        view="Muutin.", actor=ME,
    )
    assert assert_caseload_equals_fold(cases, [case_id], date(2020, 3, 1)) == []
    assert _by_worker(assert_caseload_equals_fold(cases, [case_id], date(2020, 3, 2))) == {
        "sw-1": (2, 2, 1, False)
    }
    assert _by_worker(assert_caseload_equals_fold(cases, [case_id], date(2020, 5, 31)))[
        "sw-1"
    ][0] == 2
    assert _by_worker(assert_caseload_equals_fold(cases, [case_id], date(2020, 6, 1)))[
        "sw-1"
    ][0] == 1


def test_over_limit_is_more_child_welfare_children_than_the_limit(cases: FamilyCases) -> None:
    welfare = open_case(cases, opened_on=date(2020, 3, 2), children=("a", "b", "c"))
    family = open_case(
        cases, opened_on=date(2020, 3, 2), children=("d", "e"),
        legal_basis=LegalBasis.SOCIAL_WELFARE_ACT,
    )
    on = date(2020, 6, 1)
    at_limit = assert_caseload_equals_fold(cases, [welfare, family], on, limit=3)
    assert _by_worker(at_limit) == {"sw-1": (5, 3, 2, False)}  # 3 is not over 3
    over = assert_caseload_equals_fold(cases, [welfare, family], on, limit=2)
    assert _by_worker(over) == {"sw-1": (5, 3, 2, True)}


def test_the_default_limit_is_thirty_child_welfare_children(cases: FamilyCases) -> None:
    children = tuple(f"child-{n}" for n in range(16))
    ids = [
        open_case(cases, opened_on=date(2020, 3, 2), children=children[:8]),
        open_case(cases, opened_on=date(2020, 3, 2), children=children[8:]),
    ]
    assert not assert_caseload_equals_fold(cases, ids, date(2020, 6, 1))[0].over_limit
    ids.append(open_case(cases, opened_on=date(2020, 3, 2), children=tuple(
        f"more-{n}" for n in range(15)
    )))
    load = assert_caseload_equals_fold(cases, ids, date(2020, 6, 1))[0]
    assert (load.child_welfare_children, load.over_limit) == (31, True)


def test_a_case_counts_as_child_welfare_from_the_assessment_that_began_it(
    cases: FamilyCases,
) -> None:
    case_id = open_case(
        cases, opened_on=date(2020, 3, 2), legal_basis=LegalBasis.SOCIAL_WELFARE_ACT
    )
    cases.start_assessment(case_id, started_on=date(2020, 3, 3), actor=ME)
    cases.complete_assessment(
        case_id, completed_on=date(2020, 5, 4), conclusions="Lastensuojelun tarve.",
        relationship_continues=True, special_support=False, child_welfare_begins=True,
        needs_named_worker=True, plan_needed=True, actor=ME,
    )
    before = assert_caseload_equals_fold(cases, [case_id], date(2020, 5, 3))
    after = assert_caseload_equals_fold(cases, [case_id], date(2020, 5, 4))
    assert (before[0].child_welfare_children, after[0].child_welfare_children) == (0, 1)


def test_a_closed_case_counts_until_its_closing_day(cases: FamilyCases) -> None:
    case_id = open_case(cases, opened_on=date(2020, 3, 2))
    cases.close_case(
        case_id, closed_on=date(2020, 9, 1), reason=ClosureReason.NO_LONGER_NEEDED,
        child_views={"child-1": "Kiitos."}, not_heard_reasons={}, actor=ME,
    )
    assert len(assert_caseload_equals_fold(cases, [case_id], date(2020, 8, 31))) == 1
    assert assert_caseload_equals_fold(cases, [case_id], date(2020, 9, 1)) == []


@pytest.mark.parametrize(
    "changes", [{"limit": -1}, {"limit": "30"}, {"limit": 1.5}, {"on": "2020-06-01"}]
)
def test_a_bad_day_or_limit_is_refused(cases: FamilyCases, changes: dict[str, Any]) -> None:
    arguments: dict[str, Any] = {"on": date(2020, 6, 1), "actor": READER, **changes}
    with pytest.raises(InvalidCommandError):
        cases.caseload(**arguments)

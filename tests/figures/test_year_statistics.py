"""Year statistics (vuositilasto): each figure's definition, on small stories.

Every scenario also checks the stored figures equal the fold of all events.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from figures.helpers import READER, assert_stored_equals_fold, open_case, worker
from perhetyo import (
    AccessAction,
    ClosureReason,
    DeadlinePolicy,
    DecisionOutcome,
    FamilyCases,
    InvalidCommandError,
    LegalBasis,
    PersonRef,
    ServiceKind,
    generate_key,
    month_deadline,
    working_day_deadline,
)
from perhetyo.testing import FakeClock, an_actor

ME = an_actor()


def _figures_of(cases: FamilyCases, case_ids: list[Any], year: int = 2020) -> Any:
    return assert_stored_equals_fold(cases, case_ids, year)


def test_a_year_with_no_cases_gives_zero_figures(cases: FamilyCases) -> None:
    empty = _figures_of(cases, [])
    case_id = open_case(cases, opened_on=date(2020, 3, 2))
    before = _figures_of(cases, [case_id], year=2019)
    for figures in (empty, before):
        assert figures.children == figures.new_relationships == figures.cases_opened == 0
        assert set(figures.ended_by_reason.values()) == {0}
        assert [service.kind for service in figures.services] == list(ServiceKind)
        assert all(service.ordered == service.decided == 0 for service in figures.services)
        assert [half.half for half in figures.assessments] == [1, 2]
        assert all(half.matters == 0 and half.start_share is None for half in figures.assessments)
        assert figures.median_relationship_days is None


@pytest.mark.parametrize("year", [0, 1899, 3000, "2020", True, 2020.0, None])
def test_a_bad_year_is_refused_as_an_invalid_command(cases: FamilyCases, year: Any) -> None:
    with pytest.raises(InvalidCommandError) as refused:
        cases.statistics(year=year, actor=READER)
    assert refused.value.errors[0]["loc"] == ("year",)


def test_a_year_not_yet_begun_is_refused_and_this_year_gives_its_figures_so_far(
    cases: FamilyCases,
) -> None:
    with pytest.raises(InvalidCommandError, match="future_year"):
        cases.statistics(year=2021, actor=READER)  # the clock is on 31 December 2020
    assert cases.statistics(year=2020, actor=READER).year == 2020


def test_a_matter_counts_in_the_half_year_it_became_pending_30_june_and_1_july(
    cases: FamilyCases,
) -> None:
    june = open_case(cases, opened_on=date(2020, 6, 30), children=("a",))
    july = open_case(cases, opened_on=date(2020, 7, 1), children=("b",))
    # Pending on 30 June: due on its 7th working day; started that day: in time.
    cases.start_assessment(june, started_on=working_day_deadline(date(2020, 6, 30)), actor=ME)
    # Pending on 1 July: started the day after its due date: late.
    late = working_day_deadline(date(2020, 7, 1)) + timedelta(days=1)
    cases.start_assessment(july, started_on=late, actor=ME)
    first, second = _figures_of(cases, [june, july]).assessments
    assert (first.matters, first.started_in_time, first.started_late) == (1, 1, 0)
    assert (second.matters, second.started_in_time, second.started_late) == (1, 0, 1)
    assert (first.start_share, second.start_share) == (1.0, 0.0)


def test_a_matter_pending_before_the_opening_counts_by_its_pending_date(
    cases: FamilyCases,
) -> None:
    case_id = open_case(cases, opened_on=date(2020, 7, 2), pending_on=date(2020, 6, 30))
    first, second = _figures_of(cases, [case_id]).assessments
    assert (first.matters, second.matters) == (1, 0)


def test_completion_in_time_late_and_a_declined_assessment_voiding_it(
    cases: FamilyCases,
) -> None:
    pending = date(2020, 2, 3)
    on_time, late, declined = (
        open_case(cases, opened_on=pending, children=(child,)) for child in ("a", "b", "c")
    )
    due = month_deadline(pending)
    for case_id, completed_on in ((on_time, due), (late, due + timedelta(days=1))):
        cases.start_assessment(case_id, started_on=pending + timedelta(days=1), actor=ME)
        cases.complete_assessment(
            case_id, completed_on=completed_on, conclusions="Arvioitu.",
            relationship_continues=True, special_support=False, child_welfare_begins=False,
            needs_named_worker=True, plan_needed=True, actor=ME,
        )
    cases.decline_assessment(
        declined, decided_on=pending + timedelta(days=2), reason="Ei tarvetta.", actor=ME
    )
    first = _figures_of(cases, [on_time, late, declined]).assessments[0]
    assert (first.matters, first.start_applicable, first.started_in_time) == (3, 3, 3)
    assert first.completion_applicable == 2  # the declined assessment's deadline is void
    assert (first.completed_in_time, first.completed_late, first.completion_share) == (1, 1, 0.5)


def test_a_case_closed_before_its_deadlines_fell_due_leaves_them_out_of_the_shares(
    cases: FamilyCases,
) -> None:
    case_id = open_case(cases, opened_on=date(2020, 11, 20))
    cases.close_case(
        case_id, closed_on=date(2020, 11, 23), reason=ClosureReason.MOVED_AWAY,
        child_views={"child-1": "Muutimme."}, not_heard_reasons={}, actor=ME,
    )
    second = _figures_of(cases, [case_id]).assessments[1]
    assert (second.matters, second.start_applicable, second.completion_applicable) == (1, 0, 0)
    assert second.start_share is second.completion_share is None


def test_a_matter_without_day_counts_is_not_counted(cases: FamilyCases) -> None:
    case_id = open_case(
        cases, opened_on=date(2020, 3, 2), legal_basis=LegalBasis.SOCIAL_WELFARE_ACT
    )
    special = open_case(
        cases, opened_on=date(2020, 3, 2), legal_basis=LegalBasis.SOCIAL_WELFARE_ACT,
        children=("b",), special_support=True,
    )
    first = _figures_of(cases, [case_id, special]).assessments[0]
    assert first.matters == 1  # only the child who needs special support


def test_the_stores_deadline_policy_decides_the_day_counts(clock: FakeClock) -> None:
    policy = DeadlinePolicy(start_working_days=1)
    with FamilyCases("memory://", clock=clock, deadline_policy=policy) as cases:
        case_id = open_case(cases, opened_on=date(2020, 3, 2))  # a Monday
        cases.start_assessment(case_id, started_on=date(2020, 3, 4), actor=ME)
        first = _figures_of(cases, [case_id]).assessments[0]
    assert (first.started_in_time, first.started_late) == (0, 1)


def test_relationships_begin_and_end_per_child_with_reasons_and_a_median_length(
    cases: FamilyCases,
) -> None:
    old = open_case(cases, opened_on=date(2019, 5, 1), children=("a", "b"))
    cases.remove_child(
        old, child_id="a", left_on=date(2020, 1, 31), reason=ClosureReason.CAME_OF_AGE,
        view="Olen aikuinen.", actor=ME,
    )
    new = open_case(cases, opened_on=date(2020, 3, 2), children=("c",))
    baby = PersonRef(id="d", display_name="Vauva")
    cases.add_child(new, child=baby, joined_on=date(2020, 4, 1), actor=ME)
    cases.close_case(
        new, closed_on=date(2020, 5, 1), reason=ClosureReason.NO_LONGER_NEEDED,
        child_views={"c": "Hyvä.", "d": "Hyvä."}, not_heard_reasons={}, actor=ME,
    )
    last_year = _figures_of(cases, [old, new], year=2019)
    figures = _figures_of(cases, [old, new])
    assert (last_year.children, last_year.new_relationships, last_year.cases_opened) == (2, 2, 1)
    assert (figures.children, figures.new_relationships, figures.ended_relationships) == (4, 2, 3)
    assert figures.ended_by_reason[ClosureReason.CAME_OF_AGE] == 1
    assert figures.ended_by_reason[ClosureReason.NO_LONGER_NEEDED] == 2
    assert (figures.cases_opened, figures.cases_closed) == (1, 1)
    # 275 days (a: 1.5.2019-31.1.2020), 60 (c), 30 (d): the median is 60.
    assert figures.median_relationship_days == 60.0


def test_a_child_in_two_cases_is_one_child(cases: FamilyCases) -> None:
    first = open_case(cases, opened_on=date(2020, 2, 3), children=("same",))
    second = open_case(cases, opened_on=date(2020, 9, 1), children=("same",), worker_id="sw-2")
    figures = _figures_of(cases, [first, second])
    assert (figures.children, figures.new_relationships) == (1, 2)


def test_child_welfare_children_count_from_the_day_the_case_came_under_the_act(
    cases: FamilyCases,
) -> None:
    case_id = open_case(
        cases, opened_on=date(2019, 10, 1), legal_basis=LegalBasis.SOCIAL_WELFARE_ACT,
        children=("a", "b"),
    )
    cases.remove_child(
        case_id, child_id="a", left_on=date(2020, 2, 3), reason=ClosureReason.MOVED_AWAY,
        view="Muutin.", actor=ME,
    )
    cases.start_assessment(case_id, started_on=date(2019, 10, 2), actor=ME)
    cases.complete_assessment(
        case_id, completed_on=date(2020, 3, 2), conclusions="Lastensuojelun tarve.",
        relationship_continues=True, special_support=False, child_welfare_begins=True,
        needs_named_worker=True, plan_needed=True, actor=ME,
    )
    welfare_only = open_case(cases, opened_on=date(2020, 5, 4), children=("c",))
    figures = _figures_of(cases, [case_id, welfare_only])
    assert (figures.children, figures.child_welfare_children) == (3, 2)  # b and c, not a
    assert _figures_of(cases, [case_id, welfare_only], year=2019).child_welfare_children == 0


def test_services_are_counted_by_the_date_of_each_step(cases: FamilyCases) -> None:
    case_id = open_case(cases, opened_on=date(2019, 11, 4))
    kind = ServiceKind.FAMILY_REHABILITATION
    for outcome, decided_on in (
        (DecisionOutcome.GRANTED, date(2019, 12, 2)),
        (DecisionOutcome.DENIED, date(2020, 1, 7)),
        (DecisionOutcome.PARTLY_GRANTED, date(2020, 2, 3)),
    ):
        cases.decide_service(
            case_id, kind=kind, outcome=outcome, decided_on=decided_on,
            legal_sections=("LsL 417/2007 36 §",), reasoning="Perustelu.",
            decision_maker=worker(), actor=ME,
        )
    ran = cases.order_service(
        case_id, kind=kind, provider="Tuottaja", ordered_on=date(2019, 12, 9), actor=ME
    )
    cases.start_service(case_id, ran, started_on=date(2020, 1, 13), actor=ME)
    cases.end_service(case_id, ran, ended_on=date(2020, 6, 1), reason="Valmis.", actor=ME)
    never = cases.order_service(
        case_id, kind=kind, provider="Tuottaja", ordered_on=date(2020, 2, 10), actor=ME
    )
    cases.end_service(case_id, never, ended_on=date(2020, 3, 2), reason="Peruttu.", actor=ME)
    by_kind = {s.kind: s for s in _figures_of(cases, [case_id]).services}
    rehab = by_kind[kind]
    assert (rehab.decided, rehab.granted) == (2, 1)
    assert (rehab.ordered, rehab.started, rehab.ended, rehab.cancelled) == (1, 1, 1, 1)
    assert by_kind[ServiceKind.FAMILY_WORK].ordered == 0
    earlier = {s.kind: s for s in _figures_of(cases, [case_id], year=2019).services}[kind]
    assert (earlier.decided, earlier.granted, earlier.ordered, earlier.started) == (1, 1, 1, 0)


def test_statistics_and_caseloads_leave_no_access_log_entry(cases: FamilyCases) -> None:
    case_id = open_case(cases, opened_on=date(2020, 3, 2))
    cases.statistics(year=2020, actor=READER)
    cases.caseload(on=date(2020, 6, 1), actor=READER)
    logged = cases.access_log(case_id, actor=an_actor("auditor-1"))
    assert [entry.action for entry in logged] == [AccessAction.ACCESS_LOG]



def test_an_erased_case_keeps_its_dates_and_services_in_the_figures_not_its_children(
    clock: FakeClock,
) -> None:
    with FamilyCases("memory://", clock=clock, master_key=generate_key()) as cases:
        case_id = open_case(cases, opened_on=date(2020, 3, 2))
        service = cases.order_service(
            case_id, kind=ServiceKind.SUPPORT_FAMILY, provider="Tukiperhe",
            ordered_on=date(2020, 3, 9), actor=ME,
        )
        cases.end_service(case_id, service, ended_on=date(2020, 3, 10), reason="Ei.", actor=ME)
        cases.close_case(
            case_id, closed_on=date(2020, 4, 1), reason=ClosureReason.OTHER,
            child_views={"child-1": "Selvä."}, not_heard_reasons={}, actor=ME,
        )
        before = assert_stored_equals_fold(cases, [case_id], 2020)
        cases.erase_case(case_id, reason="Säilytysaika päättyi.", actor=ME)
        after = cases.statistics(year=2020, actor=READER)
    assert (before.children, before.ended_relationships) == (1, 1)
    assert (after.children, after.ended_relationships) == (0, 0)
    assert (after.cases_opened, after.cases_closed) == (1, 1)
    support = {s.kind: s for s in after.services}[ServiceKind.SUPPORT_FAMILY]
    assert (support.ordered, support.cancelled) == (1, 1)

"""Case lookup: find_cases answers by child, worker, status and opening date, reads its
writes, logs one access entry per case found, and equals a fold over every case."""

from __future__ import annotations

import random
from datetime import date
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given
from hypothesis import strategies as st

from conftest import NewPostgresUrl
from perhetyo import (
    AccessAction,
    CaseFilter,
    CaseStatus,
    CaseSummary,
    ClosureReason,
    FamilyCases,
    InvalidCommandError,
    NamedWorker,
    PersonRef,
    Profession,
    generate_key,
)
from perhetyo.testing import FakeClock, a_child, an_actor, open_sample_case
from projections.histories import READER, Histories, expensive_examples, grow, histories
from unit.helpers import close

ME = an_actor("lookup-1")
CHILD_WORKER = NamedWorker(id="sw-99", name="Oma T.", profession=Profession.SOCIAL_WORKER)


def _all_summaries(cases: FamilyCases, case_ids: list[UUID]) -> list[CaseSummary]:
    """The fold's answer: every case's summary from its live CurrentPlan, in lookup order."""
    summaries = [CaseSummary.of(cases.current_plan(case_id, actor=READER)) for case_id in case_ids]
    return sorted(summaries, key=lambda s: (s.opened_on, str(s.case_id)))


def test_a_case_is_found_by_its_child_its_worker_and_its_status(cases: FamilyCases) -> None:
    first = open_sample_case(cases)
    second = open_sample_case(
        cases, opened_on=date(2020, 9, 1), children=(PersonRef(id="child-2", display_name="B"),)
    )
    found = cases.find_cases(actor=ME, child_id="child-1")
    assert [s.case_id for s in found] == [first]
    assert found[0] == CaseSummary(
        case_id=first,
        status=CaseStatus.OPEN,
        opened_on=date(2020, 8, 12),
        child_ids=("child-1",),
        worker_ids=("sw-17",),
    )
    assert [s.case_id for s in cases.find_cases(actor=ME, worker_id="sw-17")] == [first, second]
    assert cases.find_cases(actor=ME, worker_id="nobody") == []
    assert [s.case_id for s in cases.find_cases(actor=ME, status=CaseStatus.OPEN)] == [
        first,
        second,
    ]
    between = cases.find_cases(actor=ME, opened_between=(date(2020, 8, 13), date(2020, 9, 1)))
    assert [s.case_id for s in between] == [second]


def test_a_child_s_own_worker_finds_the_case(cases: FamilyCases) -> None:
    case_id = open_sample_case(cases)
    cases.assign_named_worker(
        case_id,
        worker=CHILD_WORKER,
        assigned_on=date(2020, 9, 1),
        reason="oma työntekijä",
        child_id="child-1",
        actor=ME,
    )
    (found,) = cases.find_cases(actor=ME, worker_id="sw-99")
    assert found.worker_ids == ("sw-17", "sw-99")


def test_a_lookup_reads_its_writes(cases: FamilyCases) -> None:
    case_id = open_sample_case(cases)
    assert cases.find_cases(actor=ME, status=CaseStatus.CLOSED) == []
    close(cases, case_id, closed_on=date(2020, 12, 1), actor=ME)
    (found,) = cases.find_cases(actor=ME, status=CaseStatus.CLOSED)  # no update called
    assert (found.case_id, found.closed_on) == (case_id, date(2020, 12, 1))


def test_a_lookup_logs_one_find_entry_for_each_case_found(cases: FamilyCases) -> None:
    first = open_sample_case(cases)
    second = open_sample_case(cases)
    cases.find_cases(actor=ME, purpose="palvelutarpeen arviointi", worker_id="sw-17")
    cases.find_cases(actor=ME, child_id="nobody")  # finds nothing, logs nothing
    for case_id in (first, second):
        entries = cases.access_log(case_id, actor=READER)
        finds = [e for e in entries if e.action is AccessAction.FIND]
        assert len(finds) == 1
        assert (finds[0].actor_id, finds[0].purpose) == (ME.id, "palvelutarpeen arviointi")


def test_an_erased_case_is_never_found(clock: FakeClock) -> None:
    with FamilyCases("memory://", clock=clock, master_key=generate_key()) as cases:
        erased = open_sample_case(cases)
        kept = open_sample_case(cases)
        close(cases, erased, actor=ME)
        cases.erase_case(erased, reason="säilytysaika päättyi", actor=ME)
        assert [s.case_id for s in cases.find_cases(actor=ME)] == [kept]
        assert cases.find_cases(actor=ME, status=CaseStatus.CLOSED) == []


def test_a_lookup_works_the_same_on_an_encrypted_store(clock: FakeClock) -> None:
    """The encrypted store's tables keep no names: a lookup reads only ids and dates."""
    with FamilyCases("memory://", clock=clock, master_key=generate_key()) as cases:
        case_id = open_sample_case(cases)
        (found,) = cases.find_cases(actor=ME, child_id="child-1")
        assert found == CaseSummary.of(cases.current_plan(case_id, actor=READER))


@pytest.mark.parametrize(
    "conditions",
    [
        {"opened_between": (date(2020, 2, 1), date(2020, 1, 1))},
        {"child_id": "has space"},
        {"worker_id": ""},
        {"status": "half-open"},
        {"opened_between": (date(2020, 1, 1), "2020-02-01")},
    ],
)
def test_a_malformed_lookup_is_refused_and_logs_nothing(
    cases: FamilyCases, conditions: dict[str, object]
) -> None:
    case_id = open_sample_case(cases)
    with pytest.raises(InvalidCommandError):
        cases.find_cases(actor=ME, **conditions)  # type: ignore[arg-type]  # wrong on purpose
    entries = cases.access_log(case_id, actor=READER)
    assert [e for e in entries if e.action is AccessAction.FIND] == []


# --- lookups equal a fold over every case ------------------------------------------------


@st.composite
def _filters(draw: st.DrawFn, summaries: list[CaseSummary]) -> CaseFilter:
    """Conditions that mostly hit something: ids and dates taken from the cases, or not."""
    children = [*sorted({c for s in summaries for c in s.child_ids}), "no-such-child"]
    workers = [*sorted({w for s in summaries for w in s.worker_ids}), "no-such-worker"]
    days = sorted({s.opened_on for s in summaries})
    between = None
    if draw(st.booleans()):
        first, last = sorted(draw(st.lists(st.sampled_from(days), min_size=2, max_size=2)))
        between = (first, last)
    return CaseFilter(
        child_id=draw(st.none() | st.sampled_from(children)),
        worker_id=draw(st.none() | st.sampled_from(workers)),
        status=draw(st.none() | st.sampled_from(CaseStatus)),
        opened_between=between,
    )


@given(history=histories(min_cases=2, max_cases=4), data=st.data())
def test_lookups_equal_a_fold_over_every_case(history: Histories, data: st.DataObject) -> None:
    clock = FakeClock()
    with FamilyCases("memory://", clock=clock) as cases:
        case_ids = history.run(cases, clock)
        every = _all_summaries(cases, case_ids)
        assert cases.find_cases(actor=READER) == every
        for _ in range(4):
            wanted = data.draw(_filters(every))
            found = cases.find_cases(actor=READER, **dict(wanted))
            assert found == [s for s in every if wanted.matches(s)], wanted


def _check_every_filter_of_the_cases(cases: FamilyCases, case_ids: list[UUID]) -> None:
    every = _all_summaries(cases, case_ids)
    assert cases.find_cases(actor=READER) == every
    for summary in every:
        for wanted in (
            CaseFilter(child_id=summary.child_ids[0]) if summary.child_ids else CaseFilter(),
            CaseFilter(worker_id=summary.worker_ids[-1], status=summary.status),
            CaseFilter(opened_between=(summary.opened_on, summary.opened_on)),
        ):
            found = cases.find_cases(actor=READER, **dict(wanted))
            assert found == [s for s in every if wanted.matches(s)], wanted


@pytest.mark.postgres
@expensive_examples(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1))
def test_lookups_equal_the_fold_on_postgresql(new_postgres_url: NewPostgresUrl, seed: int) -> None:
    clock = FakeClock()
    with FamilyCases(new_postgres_url(), clock=clock) as cases:
        case_ids: list[UUID] = []
        grow(cases, clock, random.Random(seed), case_ids, 30, new_case_weight=0.3)
        _check_every_filter_of_the_cases(cases, case_ids)


def test_lookups_equal_the_fold_on_a_sqlite_file(sqlite_url: str) -> None:
    clock = FakeClock()
    with FamilyCases(sqlite_url, clock=clock) as cases:
        case_ids: list[UUID] = []
        grow(cases, clock, random.Random(11), case_ids, 30, new_case_weight=0.3)
        _check_every_filter_of_the_cases(cases, case_ids)


def test_a_child_who_left_no_longer_finds_the_case(cases: FamilyCases) -> None:
    second = PersonRef(id="child-2", display_name="B")
    case_id = open_sample_case(cases, children=(a_child(), second))
    cases.remove_child(
        case_id,
        child_id="child-2",
        left_on=date(2020, 9, 1),
        reason=ClosureReason.MOVED_AWAY,
        not_heard_reason="muutti pois",
        actor=ME,
    )
    assert cases.find_cases(actor=ME, child_id="child-2") == []
    assert [s.child_ids for s in cases.find_cases(actor=ME)] == [("child-1",)]

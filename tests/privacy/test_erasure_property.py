"""Erasing some cases changes no other case's projections (hävittäminen ja muut asiakkuudet).

Random histories (:mod:`projections.histories`), then random erasures of the closed cases:
every case not erased keeps exactly the stored projections it had (and they still equal
its live folds); every erased one holds what its ``CaseErased`` summary folds to, and reads
refuse it. A rebuild afterwards gives the same tables. The property runs on memory:// and
SQLite files; the same check runs on PostgreSQL with a seeded bulk load (one example, as
the other PostgreSQL tests of stored projections do).
"""

from __future__ import annotations

import contextlib
import random
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from perhetyo import CaseErasedError, ClosureReason, FamilyCases, ServiceStatus, generate_key
from perhetyo.projections import audit_trail, current_plan, goal_progress
from perhetyo.testing import FakeClock
from perhetyo.time import today_in
from projections.histories import (
    READER,
    Histories,
    assert_case_stored_equals_live,
    grow,
    histories,
)

KEY = generate_key()


def _stored(cases: FamilyCases, case_id: UUID) -> tuple[Any, ...]:
    views = cases.stored_views
    return (
        views.current_plan(case_id),
        list(views.goal_progress(case_id)),
        list(views.audit_trail(case_id)),
    )


def _erase_and_check(cases: FamilyCases, case_ids: list[UUID], erased: list[UUID]) -> None:
    """Erase ``erased``; every other case's stored projections stay as they were."""
    cases.update_projections()
    kept = [case_id for case_id in case_ids if case_id not in erased]
    before = {case_id: _stored(cases, case_id) for case_id in kept}
    for case_id in erased:
        cases.erase_case(case_id, reason="retention period ended", actor=READER)
    cases.update_projections()
    for rebuilt in (False, True):
        if rebuilt:
            cases.rebuild_projections()
        assert {case_id: _stored(cases, case_id) for case_id in kept} == before
        assert_erased(cases, erased)
    for case_id in kept:
        assert_case_stored_equals_live(cases, case_id)


def assert_erased(cases: FamilyCases, erased: list[UUID]) -> None:
    """An erased case: reads refuse it; its stored rows are its summary's fold."""
    for case_id in erased:
        erasure = cases.erasure(case_id, actor=READER)
        assert _stored(cases, case_id) == (
            current_plan.apply(None, erasure),
            list(goal_progress.apply((), erasure)),
            list(audit_trail.apply((), erasure)),
        )
        with pytest.raises(CaseErasedError):
            cases.current_plan(case_id, actor=READER)


def _close(cases: FamilyCases, clock: FakeClock, case_id: UUID) -> None:
    """Close an open case today: its running services ended, every child heard."""
    today = today_in(clock())
    plan = cases.current_plan(case_id, actor=READER)
    for service in plan.services:
        if service.status in (ServiceStatus.ORDERED, ServiceStatus.ACTIVE):
            cases.end_service(
                case_id, service.service_id, ended_on=today, reason="loppui", actor=READER
            )
    cases.close_case(
        case_id,
        closed_on=today,
        reason=ClosureReason.NO_LONGER_NEEDED,
        child_views={child.id: "Hyvä näin." for child in plan.children},
        actor=READER,
    )


def _closed(cases: FamilyCases, case_ids: list[UUID]) -> list[UUID]:
    return [
        case_id
        for case_id in case_ids
        if cases.current_plan(case_id, actor=READER).closed_on is not None
    ]


@contextlib.contextmanager
def _store(kind: str, clock: FakeClock) -> Iterator[FamilyCases]:
    if kind == "memory":
        with FamilyCases("memory://", clock=clock, master_key=KEY) as cases:
            yield cases
        return
    with (
        tempfile.TemporaryDirectory() as tmp,
        FamilyCases(f"sqlite:///{Path(tmp) / 'cases.db'}", clock=clock, master_key=KEY) as cases,
    ):
        yield cases


@given(
    kind=st.sampled_from(["memory", "sqlite"]),
    drawn=histories(min_cases=2, max_cases=3, max_size=6),
    data=st.data(),
)
def test_erasing_closed_cases_leaves_every_other_case_s_projections_unchanged(
    kind: str, drawn: Histories, data: st.DataObject
) -> None:
    clock = FakeClock()
    with _store(kind, clock) as cases:
        case_ids = drawn.run(cases, clock)
        stay_open = data.draw(st.sets(st.sampled_from(case_ids)), label="stay open")
        for case_id in case_ids:  # the histories seldom reach a closing: close the others
            if case_id not in stay_open and case_id not in _closed(cases, [case_id]):
                _close(cases, clock, case_id)
        closed = _closed(cases, case_ids)
        erased = data.draw(
            st.lists(
                st.sampled_from(closed),
                unique=True,
                min_size=1,
                max_size=len(case_ids) - 1,  # at least one case is kept to compare
            )
            if closed
            else st.just([]),
            label="erased",
        )
        _erase_and_check(cases, case_ids, erased)
        event(f"erased {len(erased)} of {len(case_ids)}")


def test_erasing_on_postgresql_leaves_every_other_case_s_projections_unchanged(
    postgres_url: str,
) -> None:
    clock = FakeClock()
    rng = random.Random(11)
    with FamilyCases(postgres_url, clock=clock, master_key=KEY) as cases:
        case_ids: list[UUID] = []
        grow(cases, clock, rng, case_ids, 30)
        for case_id in case_ids[::2]:
            if cases.current_plan(case_id, actor=READER).closed_on is None:
                _close(cases, clock, case_id)
        closed = _closed(cases, case_ids)
        _erase_and_check(cases, case_ids, rng.sample(closed, max(1, len(closed) // 2)))

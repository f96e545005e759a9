"""Helpers of the figures' tests (tilastotestien apuvälineet): cases opened in one line.

Every figure read from the stored tables is checked against the fold of every event in
the store (:func:`assert_stored_equals_fold`), so each scenario also tests the SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Final
from uuid import UUID

from perhetyo import (
    Caseload,
    FamilyCases,
    Initiation,
    LegalBasis,
    NamedWorker,
    PersonRef,
    Profession,
    YearStatistics,
)
from perhetyo.events import CaseEvent
from perhetyo.projections import caseload_from_events, statistics_from_events
from perhetyo.testing import an_actor

READER: Final = an_actor("statistician-1")


def worker(worker_id: str = "sw-1") -> NamedWorker:
    """A social worker (qualified for child welfare too)."""
    return NamedWorker(id=worker_id, name="Työntekijä", profession=Profession.SOCIAL_WORKER)


def open_case(
    cases: FamilyCases,
    *,
    opened_on: date,
    children: Sequence[str] = ("child-1",),
    legal_basis: LegalBasis = LegalBasis.CHILD_WELFARE_ACT,
    pending_on: date | None = None,
    worker_id: str = "sw-1",
    special_support: bool = False,
) -> UUID:
    """A case with ``children`` (ids), its worker a social worker."""
    return cases.open_case(
        children=[PersonRef(id=child, display_name="Lapsi") for child in children],
        legal_basis=legal_basis,
        named_worker=worker(worker_id),
        opened_on=opened_on,
        pending_on=pending_on,
        initiated_by=Initiation.APPLICATION,
        special_support=special_support,
        actor=an_actor(),
    )


def all_events(cases: FamilyCases, case_ids: Sequence[UUID]) -> list[CaseEvent]:
    """Every event of ``case_ids``, case after case."""
    return [event for case_id in case_ids for event in cases.history(case_id, actor=READER)]


def assert_stored_equals_fold(
    cases: FamilyCases, case_ids: Sequence[UUID], year: int
) -> YearStatistics:
    """The year's figures from the stored tables, checked equal to the fold; returned."""
    stored = cases.statistics(year=year, actor=READER)
    folded = statistics_from_events(
        all_events(cases, case_ids), year=year, policy=cases.stored_views.deadline_policy
    )
    assert stored == folded
    return stored


def assert_caseload_equals_fold(
    cases: FamilyCases, case_ids: Sequence[UUID], on: date, limit: int = 30
) -> list[Caseload]:
    """The caseloads from the stored tables, checked equal to the fold; returned."""
    stored = cases.caseload(on=on, actor=READER, limit=limit)
    assert stored == caseload_from_events(all_events(cases, case_ids), on=on, limit=limit)
    return stored

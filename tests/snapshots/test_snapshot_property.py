"""Every read gives the same with snapshots as without, across random histories.

A random valid life of a case (:func:`perhetyo.testing.command_sequences`) runs on a store
whose snapshot interval is drawn (1..20), reading the current plan after each command so
that plan snapshots are written between the commands' state snapshots. Then every read
(now, as of each business date, recorded before each record time) is compared with the
same read folded from the first event, and the decision state a command would load with
the one folded from the first event.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import cast
from uuid import UUID

from hypothesis import given
from hypothesis import strategies as st

from perhetyo import FamilyCases
from perhetyo.errors import CaseNotFoundError
from perhetyo.loading import CaseLoader
from perhetyo.projections import CurrentPlan
from perhetyo.testing import (
    CommandSequence,
    FakeClock,
    an_actor,
    command_sequences,
    with_real_ids,
)

READER = an_actor("reader-1")


def plan_or_missing(
    loader: CaseLoader,
    case_id: UUID,
    *,
    as_of: date | None = None,
    recorded_before: datetime | None = None,
) -> CurrentPlan | str:
    try:
        return loader.plan(case_id, as_of=as_of, recorded_before=recorded_before)
    except CaseNotFoundError:
        return "not found"


@given(
    sequence=command_sequences(max_size=40),
    interval=st.integers(1, 20),
    reads_between=st.booleans(),
)
def test_reads_with_snapshots_equal_reads_without(
    sequence: CommandSequence, interval: int, *, reads_between: bool
) -> None:
    clock = FakeClock()
    with FamilyCases("memory://", clock=clock, snapshot_interval=interval) as cases:
        real: dict[UUID, UUID] = {}
        for command, placeholder in sequence.steps:
            clock.advance()
            result = cases.execute(with_real_ids(command, real))
            if placeholder is not None:
                real[placeholder] = cast(UUID, result)
            if reads_between:
                cases.current_plan(real[sequence.case_id], actor=READER)
        case_id = real[sequence.case_id]
        store = cases._store  # the two loaders are compared on one store
        with_snapshots = CaseLoader(store, interval)
        without = CaseLoader(store, 0)
        assert with_snapshots.state(case_id) == without.state(case_id)
        assert with_snapshots.plan(case_id) == without.plan(case_id)
        history = cases.history(case_id, actor=READER)
        days = sorted({event.occurred_on for event in history})
        days = [days[0] - timedelta(days=1), *days]
        for day in days:
            assert plan_or_missing(with_snapshots, case_id, as_of=day) == plan_or_missing(
                without, case_id, as_of=day
            )
        for event in history:
            for instant in (event.timestamp, event.timestamp + timedelta(microseconds=1)):
                assert plan_or_missing(
                    with_snapshots, case_id, recorded_before=instant
                ) == plan_or_missing(without, case_id, recorded_before=instant)
                middle = days[len(days) // 2]
                assert plan_or_missing(
                    with_snapshots, case_id, recorded_before=instant, as_of=middle
                ) == plan_or_missing(without, case_id, recorded_before=instant, as_of=middle)
        assert cases.current_plan(case_id, actor=READER) == without.plan(case_id)

"""The one-pass folds give what folding event by event gives, on random histories."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast
from uuid import UUID

from hypothesis import given

from perhetyo import FamilyCases
from perhetyo.events import CaseEvent
from perhetyo.projections import audit_trail, current_plan, fold, goal_progress, plan_fold
from perhetyo.testing import CommandSequence, FakeClock, an_actor, command_sequences

READER = an_actor("reader-1")


def event_by_event(projection: Any, events: Sequence[CaseEvent]) -> object:
    state = projection.initial()
    for event in events:
        state = projection.apply(state, event)
    return cast(object, state)


@given(sequence=command_sequences(max_size=40))
def test_one_pass_folds_equal_event_by_event(sequence: CommandSequence) -> None:
    clock = FakeClock()
    with FamilyCases("memory://", clock=clock) as cases:
        case_id: UUID = sequence.run(cases, clock=clock)[sequence.case_id]
        events = cases.history(case_id, actor=READER)
    for cut in (len(events) // 3, len(events) // 2, len(events)):
        prefix = events[:cut]
        for projection in (audit_trail, goal_progress):
            assert fold(projection, prefix) == event_by_event(projection, prefix)
            assert projection.fold_all(prefix) == event_by_event(projection, prefix)


@given(sequence=command_sequences(max_size=40))
def test_the_plan_folded_in_one_pass_equals_event_by_event(sequence: CommandSequence) -> None:
    clock = FakeClock()
    with FamilyCases("memory://", clock=clock) as cases:
        case_id: UUID = sequence.run(cases, clock=clock)[sequence.case_id]
        events = cases.history(case_id, actor=READER)
    for cut in range(len(events) + 1):
        middle = cut // 2
        start = plan_fold.fold_from(None, events[:middle])
        assert plan_fold.fold_from(start, events[middle:cut]) == event_by_event(
            current_plan, events[:cut]
        )

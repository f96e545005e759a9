"""``case_histories`` draws the lives a test asks for: its pool, bounds, basis and end."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perhetyo import CaseStatus, FamilyCases, LegalBasis
from perhetyo import commands as c
from perhetyo.events import CaseOpened, ChildJoined, ChildLeft
from perhetyo.testing import DEFAULT_TODAY, CaseHistory, FakeClock, an_actor, case_histories

READER = an_actor("reader-1")
POOL = ("child-1", "child-2", "child-3", "guardian-1")


@given(history=case_histories(person_ids=POOL, min_children=2, max_children=3))
def test_children_and_guardians_come_from_the_pool_within_the_bounds(
    history: CaseHistory,
) -> None:
    assert history.person_ids <= set(POOL)
    with FamilyCases("memory://", clock=FakeClock()) as cases:
        case_id = history.apply_to(cases)
        plan = cases.current_plan(case_id, actor=READER)
        counts = _children_counts(cases, case_id)
    assert {child.id for child in plan.children} <= set(POOL)
    assert {guardian.id for guardian in plan.guardians} <= set(POOL)
    assert not {child.id for child in plan.children} & {g.id for g in plan.guardians}
    assert all(2 <= count <= 3 for count in counts)


@given(history=case_histories(closed=True, max_events=12))
def test_closed_true_ends_every_history_closed_within_max_events(history: CaseHistory) -> None:
    assert history.closed
    assert history.events <= 12
    with FamilyCases("memory://", clock=FakeClock()) as cases:
        case_id = history.apply_to(cases)
        plan = cases.current_plan(case_id, actor=READER)
        assert len(cases.history(case_id, actor=READER)) == history.events
    assert plan.status is CaseStatus.CLOSED


@given(history=case_histories(closed=False, max_events=8))
def test_closed_false_leaves_every_case_open(history: CaseHistory) -> None:
    assert not history.closed
    assert history.events <= 8
    with FamilyCases("memory://", clock=FakeClock()) as cases:
        plan = cases.current_plan(history.apply_to(cases), actor=READER)
    assert plan.status is CaseStatus.OPEN


@given(basis=st.sampled_from(LegalBasis), data=st.data())
def test_a_legal_basis_opens_the_case_and_is_kept(basis: LegalBasis, data: st.DataObject) -> None:
    history = data.draw(case_histories(legal_basis=basis, max_events=15))
    assert history.opening.legal_basis is basis
    assert not any(
        isinstance(command, c.CompleteAssessment) and command.child_welfare_begins
        for command in history.commands
    )
    with FamilyCases("memory://", clock=FakeClock()) as cases:
        plan = cases.current_plan(history.apply_to(cases), actor=READER)
    assert plan.legal_basis is basis


@given(history=case_histories(min_children=1, max_children=1, max_events=10))
def test_one_child_bounds_keep_exactly_one_child(history: CaseHistory) -> None:
    assert len(history.opening.children) == 1
    assert not any(isinstance(cmd, c.AddChild | c.RemoveChild) for cmd in history.commands)
    assert history.today == DEFAULT_TODAY


@given(history=case_histories(person_ids=["only-child"], max_events=10))
def test_a_pool_of_one_gives_that_child_and_no_guardian(history: CaseHistory) -> None:
    assert [child.id for child in history.opening.children] == ["only-child"]
    assert history.opening.guardians == ()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"min_children": 0}, "min_children"),
        ({"min_children": 3, "max_children": 2}, "max_children"),
        ({"person_ids": ["child-1"], "min_children": 2}, "fewer ids"),
        ({"person_ids": []}, "empty"),
        ({"person_ids": "child-1"}, "not one id"),
        ({"person_ids": ["131052-308T"]}, r"person_ids\[0\]"),
        ({"max_events": 0}, "max_events"),
        ({"closed": True, "max_events": 1}, "closed=True"),
    ],
)
def test_arguments_that_cannot_be_drawn_are_refused_when_the_strategy_is_made(
    arguments: dict[str, Any], message: str
) -> None:
    with pytest.raises((ValueError, TypeError), match=message) as info:
        case_histories(**arguments)
    assert "131052-308T" not in str(info.value)  # an id that looks like a hetu is not shown


def _children_counts(cases: FamilyCases, case_id: UUID) -> list[int]:
    """How many children the case held after each event (joins and leaves counted)."""
    counts = []
    children: set[str] = set()
    for event in cases.history(case_id, actor=READER):
        if isinstance(event, CaseOpened):
            children = {child.id for child in event.children}
        elif isinstance(event, ChildJoined):
            children.add(event.child.id)
        elif isinstance(event, ChildLeft):
            children.discard(event.child_id)
        counts.append(len(children))
    return counts

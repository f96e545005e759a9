"""The intake's property tests, written with perhetyo.testing only.

- ``case_histories`` puts cases of any history in the store, their children drawn from
  the same few ids the referrals name, so that referrals meet open and closed cases;
- ``IntakeMachine`` (a ``CaseStateMachine``) lets referrals arrive between the kit's own
  commands, and holds the intake to its promises with the library's invariants around;
- ``scenario()`` pins the two promises down as given/when/then examples.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import invariant, rule

from intake.service import ChildHasOpenCaseError, Intake, Referral
from perhetyo import CaseStatus, FamilyCases, Initiation, LegalBasis
from perhetyo import commands as c
from perhetyo.events import CaseOpened
from perhetyo.testing import (
    DEFAULT_TODAY,
    CaseHistory,
    CaseStateMachine,
    FakeClock,
    a_child,
    a_worker,
    an_actor,
    case_histories,
    person_refs,
    scenario,
)

POOL = ("child-1", "child-2", "child-3", "child-4")
"""The children's ids the county's registry gives: cases and referrals draw from them."""
INTAKE = an_actor("intake-bot")


def intake_for(cases: FamilyCases) -> Intake:
    return Intake(cases, worker=a_worker(), actor=INTAKE)


def referrals(
    children: tuple[str, ...] | list[str], referral_id: str = "ref-1"
) -> st.SearchStrategy[Referral]:
    """Referrals for children with these ids (a name and birth date drawn for each)."""
    return st.builds(
        Referral,
        referral_id=st.just(referral_id),
        children=st.lists(
            person_refs(person_ids=children), min_size=1, max_size=2, unique_by=lambda p: p.id
        ).map(tuple),
        guardians=st.just(()),
        received_on=st.dates(date(2020, 1, 1), DEFAULT_TODAY),
        initiated_by=st.sampled_from(Initiation),
    )


def open_children(cases: FamilyCases, case_id: UUID) -> set[str]:
    plan = cases.current_plan(case_id, actor=INTAKE)
    return {child.id for child in plan.children} if plan.status is CaseStatus.OPEN else set()


@given(history=case_histories(person_ids=POOL, closed=False, max_events=12), data=st.data())
def test_a_referral_for_a_child_with_an_open_case_is_refused(
    history: CaseHistory, data: st.DataObject
) -> None:
    with FamilyCases("memory://", clock=FakeClock()) as cases:
        case_id = history.apply_to(cases)
        busy = sorted(open_children(cases, case_id))
        referral = data.draw(referrals(busy))
        with pytest.raises(ChildHasOpenCaseError) as refused:
            intake_for(cases).receive(referral)
        assert (refused.value.child_id, refused.value.case_id) in {
            (child.id, case_id) for child in referral.children
        }
        assert cases.case_id_for_request("intake:ref-1") != case_id


@given(history=case_histories(person_ids=POOL, closed=True, max_events=12), data=st.data())
def test_a_closed_case_does_not_block_a_new_referral(
    history: CaseHistory, data: st.DataObject
) -> None:
    with FamilyCases("memory://", clock=FakeClock()) as cases:
        closed_id = history.apply_to(cases)
        referral = data.draw(referrals(sorted(history.person_ids & set(POOL))))
        opened = intake_for(cases).receive(referral)
        assert opened != closed_id
        assert open_children(cases, opened) == {child.id for child in referral.children}


@given(history=case_histories(person_ids=POOL, max_events=12), data=st.data())
def test_a_referral_received_twice_opens_one_case(
    history: CaseHistory, data: st.DataObject
) -> None:
    with FamilyCases("memory://", clock=FakeClock()) as cases:
        case_id = history.apply_to(cases)
        free = [child for child in POOL if child not in open_children(cases, case_id)]
        referral = data.draw(referrals(free))
        intake = intake_for(cases)
        first = intake.receive(referral)
        events = len(cases.history(first, actor=INTAKE))
        assert intake.receive(referral) == first
        assert len(cases.history(first, actor=INTAKE)) == events
        assert first == cases.case_id_for_request(f"intake:{referral.referral_id}")


class IntakeMachine(CaseStateMachine):
    """Referrals arrive between the kit's commands (which open, run and close cases of
    the same children); the kit checks that every refusal recorded nothing."""

    person_ids = POOL

    def __init__(self) -> None:
        super().__init__()
        self.intake = intake_for(self.cases)
        self.received: dict[str, tuple[Referral, UUID]] = {}

    @rule(data=st.data())
    def a_referral_arrives(self, data: st.DataObject) -> None:
        referral_id = data.draw(st.sampled_from(["ref-1", "ref-2", "ref-3"]), label="referral")
        if referral_id in self.received:  # redelivered: the same referral again
            referral, case_id = self.received[referral_id]
            assert self.intake.receive(referral) == case_id
            return
        referral = data.draw(referrals(POOL, referral_id))
        busy = {
            (child, case_id)
            for case_id in self.known_cases()
            for child in open_children(self.cases, case_id)
        }
        wanted = {child.id for child in referral.children}
        blocking = {(child, case_id) for child, case_id in busy if child in wanted}
        if blocking:
            with pytest.raises(ChildHasOpenCaseError) as refused, self.recording():
                self.intake.receive(referral)
            assert (refused.value.child_id, refused.value.case_id) in blocking
            return
        with self.recording():
            case_id = self.intake.receive(referral)
        self.touch(case_id)
        self.received[referral_id] = (referral, case_id)

    @invariant()
    def each_referral_has_its_own_case(self) -> None:
        case_ids = [case_id for _, case_id in self.received.values()]
        assert len(set(case_ids)) == len(case_ids)
        for referral_id, (_, case_id) in self.received.items():
            assert self.cases.case_id_for_request(f"intake:{referral_id}") == case_id


# Twenty steps a run: enough for referrals to meet open, closed and redelivered cases.
IntakeMachine.TestCase.settings = settings(stateful_step_count=20)
TestIntakeMachine = IntakeMachine.TestCase


OPEN_FOR_CHILD_1 = c.OpenCase(
    children=[a_child("child-1")],
    legal_basis=LegalBasis.SOCIAL_WELFARE_ACT,
    named_worker=a_worker(),
    opened_on=date(2020, 9, 1),
    actor=an_actor(),
)


def referral_for(child_id: str) -> Referral:
    return Referral(
        referral_id=f"ref-{child_id}",
        children=(a_child(child_id),),
        guardians=(),
        received_on=date(2020, 10, 1),
        initiated_by=Initiation.NOTIFICATION,
    )


def test_scenario_a_child_with_an_open_case_gets_no_second_one() -> None:
    error = (
        scenario()
        .given(OPEN_FOR_CHILD_1)
        .when(lambda cases, case_id: intake_for(cases).receive(referral_for("child-1")))
        .then_raises(ChildHasOpenCaseError)
    )
    assert error.child_id == "child-1"


def test_scenario_a_referral_for_another_child_opens_a_case() -> None:
    scenario().given(OPEN_FOR_CHILD_1).when(
        lambda cases, case_id: intake_for(cases).receive(referral_for("child-2"))
    ).then_events(
        [
            (
                CaseOpened,
                {
                    "pending_on": date(2020, 10, 1),
                    "initiated_by": Initiation.NOTIFICATION,
                    "request_id": "intake:ref-child-2",
                },
            )
        ]
    )

"""The public strategies of ``perhetyo.testing`` draw only what the library accepts."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter

from perhetyo import (
    Actor,
    CaseStatus,
    ClosureReason,
    FamilyCases,
    LegalBasis,
    NamedWorker,
    PersonRef,
    Profession,
    WorkerNotQualifiedError,
)
from perhetyo.commands import (
    CancelMeeting,
    CloseCase,
    DecideService,
    OpenCase,
    OrderService,
    RecordDisclosure,
    RecordMeeting,
    RecordPending,
    SetGoal,
)
from perhetyo.testing import (
    DEFAULT_TODAY,
    CommandSequence,
    FakeClock,
    a_child,
    actors,
    an_actor,
    case_commands,
    command_sequences,
    ids,
    named_workers,
    open_case_commands,
    person_refs,
    texts,
    with_real_ids,
)
from perhetyo.values import (
    SHORT_TEXT_MAX_LENGTH,
    Id,
    Text,
    looks_like_personal_identity_code,
)

READER = an_actor("reader-1")
ID = TypeAdapter(Id)
TEXT = TypeAdapter(Text)


@given(value=ids())
def test_ids_are_valid_opaque_ids_kept_as_drawn(value: str) -> None:
    assert ID.validate_python(value) == value
    assert not looks_like_personal_identity_code(value)


@given(max_length=st.integers(1, 50), data=st.data())
def test_texts_are_kept_as_drawn_and_fit_their_length(max_length: int, data: st.DataObject) -> None:
    value = data.draw(texts(max_length))
    assert 1 <= len(value) <= max_length
    assert TEXT.validate_python(value) == value


def test_texts_refuse_a_length_below_one() -> None:
    with pytest.raises(ValueError, match="max_length"):
        texts(0)


@given(actor=actors(), person=person_refs())
def test_actors_and_people_are_valid_models(actor: Actor, person: PersonRef) -> None:
    assert Actor.model_validate(actor.model_dump()) == actor
    assert PersonRef.model_validate(person.model_dump()) == person
    assert person.birth_date is None or person.birth_date <= DEFAULT_TODAY
    assert len(actor.name) <= SHORT_TEXT_MAX_LENGTH


@given(
    legal_basis=st.sampled_from(LegalBasis),
    qualified=st.booleans(),
    data=st.data(),
)
def test_named_workers_are_accepted_exactly_when_drawn_as_qualified(
    legal_basis: LegalBasis, qualified: bool, data: st.DataObject
) -> None:
    worker: NamedWorker = data.draw(named_workers(qualified, legal_basis=legal_basis))
    opening = OpenCase(
        children=[a_child()],
        legal_basis=legal_basis,
        named_worker=worker,
        opened_on=date(2020, 8, 12),
        actor=an_actor(),
    )
    with FamilyCases("memory://", clock=FakeClock()) as cases:
        if qualified:
            case_id = cases.execute(opening)
            assert cases.current_plan(case_id, actor=READER).named_worker == worker
        else:
            with pytest.raises(WorkerNotQualifiedError):
                cases.execute(opening)


@given(opening=open_case_commands(today=date(2021, 3, 1)))
def test_openings_are_accepted_on_their_today(opening: OpenCase) -> None:
    assert opening.opened_on <= date(2021, 3, 1)
    clock = FakeClock(datetime(2021, 3, 1, 10, 0, tzinfo=UTC))
    with FamilyCases("memory://", clock=clock) as cases:
        case_id = cases.execute(opening)
        plan = cases.current_plan(case_id, actor=READER)
    assert plan.opened_on == opening.opened_on
    assert plan.children == opening.children


@given(sequence=command_sequences())
def test_every_command_of_a_sequence_is_accepted_and_recorded_once(
    sequence: CommandSequence,
) -> None:
    with FamilyCases("memory://", clock=FakeClock()) as cases:
        real = sequence.run(cases)
        history = cases.history(real[sequence.case_id], actor=READER)
        plan = cases.current_plan(real[sequence.case_id], actor=READER)
    assert [type(event).__name__ for event in history[1:]] == [
        _event_name(command) for command in sequence.commands
    ]
    assert all(event.occurred_on <= sequence.today for event in history)
    created = [placeholder for placeholder in sequence.results if placeholder is not None]
    assert set(real) == {sequence.case_id, *created}
    goals = [
        real[placeholder]
        for placeholder, command in zip(sequence.results, sequence.commands, strict=True)
        if isinstance(command, SetGoal) and placeholder is not None
    ]
    assert [goal.goal_id for goal in plan.goals] == goals
    closed = any(isinstance(command, CloseCase) for command in sequence.commands)
    assert plan.status is (CaseStatus.CLOSED if closed else CaseStatus.OPEN)
    if closed:
        assert isinstance(sequence.commands[-1], CloseCase)


@given(sequence=command_sequences())
def test_a_sequence_names_the_case_and_what_its_commands_create_by_numbered_placeholders(
    sequence: CommandSequence,
) -> None:
    assert sequence.case_id == UUID(int=1)
    created = [placeholder for placeholder in sequence.results if placeholder is not None]
    assert created == [UUID(int=n) for n in range(2, len(created) + 2)]
    creating = (
        RecordMeeting,
        SetGoal,
        OrderService,
        RecordDisclosure,
        DecideService,
        CancelMeeting,
        RecordPending,
    )
    assert [isinstance(command, creating) for command in sequence.commands] == [
        placeholder is not None for placeholder in sequence.results
    ]
    assert [command for command, _ in sequence.steps] == [sequence.opening, *sequence.commands]


def test_with_real_ids_swaps_the_placeholders_it_is_given_and_keeps_other_ids() -> None:
    case, goal, other = UUID(int=1), UUID(int=2), UUID(int=99)
    real_case, real_goal = uuid4(), uuid4()
    order = OrderService(
        case_id=case,
        kind="family_work",
        provider="Perhetyö Oy",
        ordered_on=date(2020, 9, 1),
        goal_ids=[goal, other],
        actor=an_actor(),
    )
    swapped = with_real_ids(order, {case: real_case, goal: real_goal})
    assert (swapped.case_id, swapped.goal_ids) == (real_case, (real_goal, other))
    assert swapped.model_copy(update={"case_id": case, "goal_ids": (goal, other)}) == order
    decision, real_decision = UUID(int=3), uuid4()
    citing = order.model_copy(update={"decision_id": decision})
    swapped = with_real_ids(citing, {case: real_case, decision: real_decision})
    assert (swapped.case_id, swapped.decision_id) == (real_case, real_decision)
    opening = OpenCase(
        children=[a_child()],
        legal_basis=LegalBasis.SOCIAL_WELFARE_ACT,
        named_worker=NamedWorker(id="sw-1", name="A", profession=Profession.SOCIAL_WORKER),
        opened_on=date(2020, 8, 12),
        actor=an_actor(),
    )
    assert with_real_ids(opening, {case: real_case}) is opening


_EVENT_NAMES = {
    "AssignNamedWorker": "NamedWorkerAssigned",
    "RecordMeeting": "MeetingHeld",
    "RecordChildView": "ChildViewRecorded",
    "AgreePlan": "PlanAgreed",
    "SetGoal": "GoalSet",
    "UpdateGoal": "GoalUpdated",
    "OrderService": "ServiceOrdered",
    "StartService": "ServiceStarted",
    "EndService": "ServiceEnded",
    "CloseCase": "CaseClosed",
    "RecordDisclosure": "DataDisclosed",
    "RecordDisclosureBan": "DisclosureBanRecorded",
    "CorrectEntry": "EntryCorrected",
    "DecideService": "ServiceDecided",
    "AddChild": "ChildJoined",
    "RemoveChild": "ChildLeft",
    "CancelMeeting": "MeetingCancelled",
    "RecordPending": "MatterPending",
    "StartAssessment": "AssessmentStarted",
    "CompleteAssessment": "AssessmentCompleted",
    "DeclineAssessment": "AssessmentDeclined",
}


def _event_name(command: object) -> str:
    return _EVENT_NAMES[type(command).__name__]


@given(sequence=command_sequences(closing=False, max_size=10), data=st.data())
def test_a_command_drawn_for_a_case_history_is_accepted_on_that_case(
    sequence: CommandSequence, data: st.DataObject
) -> None:
    clock = FakeClock()
    with FamilyCases("memory://", clock=clock) as cases:
        case_id = sequence.run(cases)[sequence.case_id]
        before = cases.history(case_id, actor=READER)
        assert cases.current_plan(case_id, actor=READER).status is CaseStatus.OPEN
        clock.advance(timedelta(days=3))
        today = DEFAULT_TODAY + timedelta(days=3)
        command = data.draw(case_commands(before, today=today))
        cases.execute(command)
        after = cases.history(case_id, actor=READER)
    assert after[: len(before)] == before
    assert len(after) == len(before) + 1
    assert type(after[-1]).__name__ == _event_name(command)


def test_case_commands_refuse_a_closed_case_and_a_today_before_its_history() -> None:
    clock = FakeClock()
    with FamilyCases("memory://", clock=clock) as cases:
        case_id = cases.open_case(
            children=[a_child()],
            legal_basis=LegalBasis.SOCIAL_WELFARE_ACT,
            named_worker=NamedWorker(id="sw-1", name="A", profession=Profession.SOCIAL_WORKER),
            opened_on=date(2020, 8, 12),
            actor=an_actor(),
        )
        history = cases.history(case_id, actor=READER)
        with pytest.raises(ValueError, match="before a business date"):
            case_commands(history, today=date(2020, 8, 11))
        cases.close_case(
            case_id,
            closed_on=date(2020, 12, 1),
            reason=ClosureReason.NO_LONGER_NEEDED,
            child_views={"child-1": "Hyvä"},
            actor=an_actor(),
        )
        with pytest.raises(ValueError, match="closed"):
            case_commands(cases.history(case_id, actor=READER))


def test_the_testing_kit_imports_without_hypothesis_and_says_what_is_missing() -> None:
    script = """
import sys

class NoHypothesis:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "hypothesis":
            raise ImportError(name)

sys.meta_path.insert(0, NoHypothesis())
from perhetyo.testing import FakeClock, texts

FakeClock()
try:
    texts()
except ImportError as exc:
    print(exc)
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert "install perhetyo[testing]" in done.stdout

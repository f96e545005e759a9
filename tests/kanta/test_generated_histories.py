"""Every document of a generated history validates, and a plan names its goals."""

from __future__ import annotations

from hypothesis import given

from perhetyo import FamilyCases, PlanAgreed
from perhetyo.kanta import documents_for_events, validate
from perhetyo.kanta.produce import BUILDERS
from perhetyo.projections import current_plan, fold
from perhetyo.testing import CommandSequence, FakeClock, an_actor, command_sequences

from .support import CODES, CONTEXT, Everyone


@given(sequence=command_sequences())
def test_every_document_of_a_generated_history_validates_and_plans_name_their_goals(
    sequence: CommandSequence,
) -> None:
    clock = FakeClock()
    with FamilyCases("memory://", clock=clock) as cases:
        case_id = sequence.run(cases, clock=clock)[sequence.case_id]
        documents = cases.kanta_documents(
            case_id, actor=an_actor(), people=Everyone(), codes=CODES, context=CONTEXT
        )
        events = cases.history(case_id, actor=an_actor())

    for document in documents:
        validate(document)
        assert document.case_id == case_id
    with_structures = [e for e in events if type(e) in BUILDERS]
    assert {max(d.source_versions) for d in documents} <= {
        e.originator_version for e in with_structures
    }
    plans = [d for d in documents if d.short_name == "LPS"]
    agreed = [e for e in events if isinstance(e, PlanAgreed)]
    assert len(plans) == len(agreed)
    for document, event in zip(plans, agreed, strict=True):
        state = fold(current_plan, events[: event.originator_version])
        assert state is not None
        content = document.body[document.structure.root]["suunnitelma"]
        named = [goal["nimi"] for goal in content.get("asetettavat_tavoitteet", [])]
        assert named == [goal.description for goal in state.goals]


@given(sequence=command_sequences(max_size=12))
def test_documents_of_the_events_equal_the_logged_read(sequence: CommandSequence) -> None:
    clock = FakeClock()
    with FamilyCases("memory://", clock=clock) as cases:
        case_id = sequence.run(cases, clock=clock)[sequence.case_id]
        read = cases.kanta_documents(
            case_id, actor=an_actor(), people=Everyone(), codes=CODES, context=CONTEXT
        )
        events = cases.history(case_id, actor=an_actor())

    assert documents_for_events(events, people=Everyone(), codes=CODES, context=CONTEXT) == read

"""The demo story's Kanta documents: one per fact with a structure, each valid."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from uuid import UUID

import pytest

from perhetyo import AccessAction, FamilyCases, KantaDocument
from perhetyo.events import PlanAgreed
from perhetyo.kanta import STRUCTURES, validate
from perhetyo.projections import current_plan, fold
from perhetyo.testing import DEMO_READER, StoryClock, record_demo_story

from .support import CODES, CONTEXT, Everyone, short_names


@pytest.fixture(scope="module")
def demo() -> Iterator[tuple[FamilyCases, UUID]]:
    clock = StoryClock()
    with FamilyCases("memory://", clock=clock) as cases:
        yield cases, record_demo_story(cases, clock)


@pytest.fixture(scope="module")
def documents(demo: tuple[FamilyCases, UUID]) -> list[KantaDocument]:
    cases, case_id = demo
    return cases.kanta_documents(
        case_id, actor=DEMO_READER, people=Everyone(), codes=CODES, context=CONTEXT
    )


def test_the_demo_story_gives_one_document_per_fact_with_a_structure(
    documents: list[KantaDocument],
) -> None:
    assert Counter(short_names(documents)) == {
        "VT": 1,  # the school's notification
        "PTA": 1,  # the assessment, completed 19.8.
        "LPS": 2,  # plan versions 1 and 2
        "PP": 1,  # family rehabilitation granted
        "SA": 1,
        "SP": 1,
        "NEU": 3,  # network meeting, intermediate review, closing meeting
        "TAP": 4,  # opening, two meetings with the children, a home visit
        "MIE": 6,  # three views during the case, three at its closing (one not heard)
    }


def test_every_document_of_the_demo_validates_against_its_schema(
    documents: list[KantaDocument],
) -> None:
    for document in documents:
        validate(document)
        assert document.structure_oid in STRUCTURES
        assert document.title == STRUCTURES[document.structure_oid].title
        assert list(document.body) == [document.structure.root]


def test_documents_come_in_recorded_order_with_their_source_versions(
    documents: list[KantaDocument],
) -> None:
    lasts = [max(document.source_versions) for document in documents]
    assert lasts == sorted(lasts)
    assert all(document.source_versions == tuple(sorted(document.source_versions))
               for document in documents)


def test_each_plan_document_names_every_goal_of_its_version(
    demo: tuple[FamilyCases, UUID], documents: list[KantaDocument]
) -> None:
    cases, case_id = demo
    events = cases.history(case_id, actor=DEMO_READER)
    plans = [d for d in documents if d.short_name == "LPS"]
    agreed = [e for e in events if isinstance(e, PlanAgreed)]
    for document, event in zip(plans, agreed, strict=True):
        state = fold(current_plan, events[: event.originator_version])
        assert state is not None
        goals = state.goals
        named = [
            goal["nimi"]
            for goal in document.body["lapsiperheiden_palvelujen_asiakassuunnitelma"][
                "suunnitelma"
            ]["asetettavat_tavoitteet"]
        ]
        assert named == [goal.description for goal in goals]
    assert len(named) == 7  # version 2: four goals and three weekly goals


def test_producing_documents_is_one_logged_read_of_the_case(
    demo: tuple[FamilyCases, UUID],
) -> None:
    cases, case_id = demo
    before = len(cases.access_log(case_id, actor=DEMO_READER))
    cases.kanta_documents(
        case_id, actor=DEMO_READER, people=Everyone(), codes=CODES, context=CONTEXT,
        purpose="Kanta-arkistointi",
    )
    entries = cases.access_log(case_id, actor=DEMO_READER)
    kanta = [entry for entry in entries if entry.action is AccessAction.KANTA]
    assert len(entries) == before + 2  # the read above and the access-log read itself
    assert kanta[-1].purpose == "Kanta-arkistointi"
    assert kanta[-1].actor_id == DEMO_READER.id

"""Producing documents (asiakirjojen muodostaminen): a case's events -> Kanta documents.

:func:`documents_for_events` walks a case's events in recorded order, folding the current
plan as it goes, and hands each event that has a structure to its builder (:data:`BUILDERS`,
one module per group of structures). Every document is validated against its schema
before it is returned: a document that does not validate is a bug in perhetyo, and raises
:class:`~perhetyo.errors.InvalidKantaDocumentError` rather than being handed out.

A case with no event of a structure simply has no document of it; bad input (a person the
resolver does not know, a missing code value, a client without the identity code a
structure requires) raises before any document is returned.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from perhetyo.events import (
    AssessmentCompleted,
    CaseClosed,
    CaseEvent,
    CaseOpened,
    ChildLeft,
    ChildViewRecorded,
    DataDisclosed,
    MatterPending,
    MeetingCancelled,
    MeetingHeld,
    PlanAgreed,
    ServiceDecided,
    ServiceEnded,
    ServiceStarted,
)
from perhetyo.kanta import decisions, disclosures, encounters, matters, plans, services
from perhetyo.kanta.codes import KantaCodes
from perhetyo.kanta.context import KantaContext
from perhetyo.kanta.document import KantaDocument
from perhetyo.kanta.parts import Parts
from perhetyo.kanta.people import PeopleResolver
from perhetyo.kanta.validation import validate
from perhetyo.kanta.walk import Builder, Walk
from perhetyo.projections import current_plan

__all__ = ["BUILDERS", "documents_for_events"]

BUILDERS: Final[dict[type[CaseEvent], Builder]] = {
    CaseOpened: matters.opening,
    MatterPending: matters.pending,
    AssessmentCompleted: matters.assessment,
    PlanAgreed: plans.plan,
    ServiceDecided: decisions.decision,
    ServiceStarted: services.started,
    ServiceEnded: services.ended,
    MeetingHeld: encounters.meeting,
    MeetingCancelled: encounters.cancelled,
    ChildViewRecorded: encounters.view,
    ChildLeft: encounters.left_view,
    CaseClosed: encounters.closing_views,
    DataDisclosed: disclosures.disclosure,
}
"""The builder of each event class that has a structure (the others have none)."""


def documents_for_events(
    events: Sequence[CaseEvent],
    *,
    people: PeopleResolver,
    codes: KantaCodes,
    context: KantaContext,
) -> list[KantaDocument]:
    """Every Kanta document of a case's events, in recorded order, each validated.

    ``events`` are one case's, in recorded order, from its opening. ``people`` resolves
    a person's id to their identity, ``codes`` gives the code values of the national code
    sets and ``context`` the organisation's facts (see docs/kanta.md).
    """
    parts = Parts(people, codes, context)
    documents: list[KantaDocument] = []
    plan = current_plan.initial()
    plans = {}
    so_far: list[CaseEvent] = []
    for event in events:
        before = plan
        plan = current_plan.apply(plan, event)
        so_far.append(event)
        if plan is None:
            continue
        if isinstance(event, PlanAgreed):
            plans[event.plan_version] = plan
        builder = BUILDERS.get(type(event))
        if builder is None:
            continue
        walk = Walk(before, plan, so_far, plans)
        for draft in builder(event, walk, parts):
            document = KantaDocument.trusted(
                case_id=plan.case_id,
                structure_oid=draft.structure.oid,
                title=draft.structure.title,
                occurred_on=draft.occurred_on,
                source_versions=draft.source_versions,
                body=draft.body,
            )
            validate(document)
            documents.append(document)
    return documents

"""A scenario of the statutory steps (lakisääteiset vaiheet) shared by the unit tests.

Decisions, each child's own relationship, the full client plan, meetings with their channel
and cancellations: one event of each new kind, with personal free text everywhere it can
go, so that the tests can check it stays out of summaries and errors.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from perhetyo import (
    Actor,
    ClosureReason,
    ContactChannel,
    DecisionOutcome,
    FamilyCases,
    MeetingKind,
    PersonRef,
    PlannedService,
    ServiceKind,
)
from perhetyo.testing import a_worker

from .helpers import PERSONAL_TEXT

SIBLING = PersonRef(id="child-2", display_name="Sisko S.", birth_date=date(2015, 3, 1))
"""A second child who joins the sample case (and may leave it)."""


def decide_rehabilitation(
    cases: FamilyCases,
    case_id: UUID,
    *,
    actor: Actor,
    outcome: DecisionOutcome = DecisionOutcome.GRANTED,
    decided_on: date = date(2020, 8, 24),
    valid_from: date | None = date(2020, 9, 1),
    valid_until: date | None = date(2021, 2, 28),
    kind: ServiceKind = ServiceKind.FAMILY_REHABILITATION,
) -> UUID:
    """A decision on family rehabilitation, granted for six months by default."""
    return cases.decide_service(
        case_id,
        kind=kind,
        outcome=outcome,
        decided_on=decided_on,
        legal_sections=["SHL 18 §", "SHL 45 §"],
        reasoning=PERSONAL_TEXT,
        decision_maker=a_worker(),
        valid_from=valid_from,
        valid_until=valid_until,
        hours_per_month=20,
        actor=actor,
    )


def record_every_statutory_event(cases: FamilyCases, case_id: UUID, actor: Actor) -> None:
    """One event of each kind this release added, on an open case opened 2020-08-12 with
    child-1 (the case stays open; child-2 joins and leaves)."""
    cases.add_child(case_id, child=SIBLING, joined_on=date(2020, 8, 20), actor=actor)
    cases.assign_named_worker(
        case_id,
        worker=a_worker("sw-19"),
        assigned_on=date(2020, 8, 21),
        reason=PERSONAL_TEXT,
        child_id="child-2",
        actor=actor,
    )
    cases.record_meeting(
        case_id,
        kind=MeetingKind.NETWORK,
        held_on=date(2020, 8, 22),
        summary=PERSONAL_TEXT,
        participants=["Äiti"],
        channel=ContactChannel.VIDEO,
        place=PERSONAL_TEXT,
        agreed=PERSONAL_TEXT,
        actor=actor,
    )
    cases.cancel_meeting(
        case_id,
        kind=MeetingKind.HOME_VISIT,
        planned_on=date(2020, 8, 23),
        reason=PERSONAL_TEXT,
        actor=actor,
    )
    cases.record_child_view(
        case_id,
        child_id="child-2",
        view=PERSONAL_TEXT,
        how_found_out=PERSONAL_TEXT,
        present=["Äiti"],
        recorded_on=date(2020, 8, 23),
        actor=actor,
    )
    decision_id = decide_rehabilitation(cases, case_id, actor=actor)
    cases.agree_plan(
        case_id,
        agreed_on=date(2020, 8, 25),
        agreements=[PERSONAL_TEXT],
        situation=PERSONAL_TEXT,
        client_assessment=PERSONAL_TEXT,
        professional_assessment=PERSONAL_TEXT,
        strengths=PERSONAL_TEXT,
        planned_services=[
            PlannedService(
                kind=ServiceKind.FAMILY_REHABILITATION,
                description=PERSONAL_TEXT,
                estimated_start=date(2020, 9, 1),
                estimated_duration="6 kuukautta",
            )
        ],
        rights_explained=True,
        follow_up=PERSONAL_TEXT,
        estimated_duration="1 vuosi",
        place=PERSONAL_TEXT,
        participants=["Äiti"],
        delivered_to=["Äiti"],
        actor=actor,
    )
    cases.order_service(
        case_id,
        kind=ServiceKind.FAMILY_REHABILITATION,
        provider="Perhekuntoutus Oy",
        ordered_on=date(2020, 9, 1),
        decision_id=decision_id,
        actor=actor,
    )
    cases.remove_child(
        case_id,
        child_id="child-2",
        left_on=date(2020, 9, 2),
        reason=ClosureReason.MOVED_AWAY,
        view=PERSONAL_TEXT,
        actor=actor,
    )

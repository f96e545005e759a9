"""Small helpers shared by the unit tests: dates, a "nothing was recorded" check, scenarios."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from uuid import UUID

import pytest

from perhetyo import (
    Actor,
    CaseEvent,
    ClosureReason,
    FamilyCases,
    GoalStatus,
    Initiation,
    MeetingKind,
    Recipient,
    ServiceKind,
)
from perhetyo.testing import a_worker, an_actor

OPENED_ON = date(2020, 8, 12)
"""The opening date of the ``case_id`` fixture's case."""

TODAY = date(2020, 12, 31)
"""The fake clock's date in Helsinki (2020-12-31 10:00 UTC is 12:00 there)."""

TOMORROW = date(2021, 1, 1)

PERSONAL_TEXT = "Äiti kertoi isän juovan paljon"
"""Free text about a family: it must never appear in an error message or a summary."""


def history(cases: FamilyCases, case_id: UUID) -> list[CaseEvent]:
    """The case's events, read as the sample actor."""
    return cases.history(case_id, actor=an_actor())


def last_event(cases: FamilyCases, case_id: UUID) -> CaseEvent:
    """The event recorded last on the case."""
    return history(cases, case_id)[-1]


@contextmanager
def refused(
    cases: FamilyCases, case_id: UUID, error: type[BaseException]
) -> Iterator[pytest.ExceptionInfo[BaseException]]:
    """Expect ``error`` from the block and check that the case's history did not change."""
    before = history(cases, case_id)
    with pytest.raises(error) as info:
        yield info
    after = history(cases, case_id)
    assert after == before
    assert len(after) == len(before)


def set_a_goal(
    cases: FamilyCases, case_id: UUID, *, set_on: date = date(2020, 9, 1), actor: Actor
) -> UUID:
    """A goal for the whole family, set on ``set_on``."""
    return cases.set_goal(
        case_id, description="Säännöllinen päivärytmi", set_on=set_on, actor=actor
    )


def order_a_service(
    cases: FamilyCases, case_id: UUID, *, ordered_on: date = date(2020, 9, 1), actor: Actor
) -> UUID:
    """Family work ordered from a provider on ``ordered_on``."""
    return cases.order_service(
        case_id,
        kind=ServiceKind.FAMILY_WORK,
        provider="Perhetyö Oy",
        ordered_on=ordered_on,
        actor=actor,
    )


def close(cases: FamilyCases, case_id: UUID, *, closed_on: date = TODAY, actor: Actor) -> None:
    """Close the sample case (one child, child-1, gives a view)."""
    cases.close_case(
        case_id,
        closed_on=closed_on,
        reason=ClosureReason.NO_LONGER_NEEDED,
        child_views={"child-1": "Kiva että loppuu"},
        actor=actor,
    )


def record_every_kind_of_event(cases: FamilyCases, case_id: UUID, actor: Actor) -> None:
    """Record one event of every type after the opening, ending with the closing."""
    cases.assign_named_worker(
        case_id,
        worker=a_worker("sw-18"),
        assigned_on=date(2020, 8, 20),
        reason="Työntekijän vaihdos",
        actor=actor,
    )
    cases.record_meeting(
        case_id,
        kind=MeetingKind.OPENING,
        held_on=date(2020, 8, 21),
        participants=["Äiti", "Sosiaalityöntekijä"],
        summary=PERSONAL_TEXT,
        actor=actor,
    )
    cases.record_child_view(
        case_id,
        child_id="child-1",
        view="Haluan harrastaa",
        recorded_on=date(2020, 8, 22),
        actor=actor,
    )
    cases.agree_plan(
        case_id,
        agreed_on=date(2020, 8, 25),
        agreements=["Perhetyötä kerran viikossa"],
        dissent=["Isä ei hyväksy"],
        review_due_on=date(2021, 2, 1),
        actor=actor,
    )
    goal_id = set_a_goal(cases, case_id, set_on=date(2020, 8, 25), actor=actor)
    cases.update_goal(
        case_id,
        goal_id,
        status=GoalStatus.ACHIEVED,
        progress=100,
        note="Onnistui",
        updated_on=date(2020, 11, 1),
        actor=actor,
    )
    service_id = order_a_service(cases, case_id, ordered_on=date(2020, 8, 26), actor=actor)
    cases.start_service(case_id, service_id, started_on=date(2020, 9, 1), actor=actor)
    cases.end_service(
        case_id,
        service_id,
        ended_on=date(2020, 12, 1),
        reason="Tavoite saavutettu",
        actor=actor,
    )
    record_matter_events(cases, case_id, actor)
    close(cases, case_id, closed_on=date(2020, 12, 15), actor=actor)


BANNED_PERSON = "guardian-1"
"""The person the sample child's disclosure ban covers (the sample guardian's id)."""


def a_recipient(person_id: str | None = "police-7") -> Recipient:
    """A recipient of disclosed data (sample): a named officer of an organisation."""
    return Recipient(
        surname="Virtanen",
        first_names="Ville",
        organisation="Poliisi",
        title="rikoskomisario",
        person_id=person_id,
    )


def ban_a_disclosure(
    cases: FamilyCases, case_id: UUID, *, decided_on: date = date(2020, 8, 13), actor: Actor
) -> None:
    """child-1 forbids disclosing their data to guardian-1 (an open case's event)."""
    cases.record_disclosure_ban(
        case_id,
        child_id="child-1",
        banned_person_ids=[BANNED_PERSON],
        decided_on=decided_on,
        reason=PERSONAL_TEXT,
        actor=actor,
    )


def disclose(
    cases: FamilyCases,
    case_id: UUID,
    *,
    person_id: str | None = "police-7",
    disclosed_on: date = TODAY,
    actor: Actor,
) -> UUID:
    """Disclose the plan to a recipient (sample grounds, purpose and content)."""
    return cases.record_disclosure(
        case_id,
        disclosed_on=disclosed_on,
        recipient=a_recipient(person_id),
        grounds="SHL 1301/2014 § 25 ilmoitusvelvollisuus",
        purpose="Esitutkinta",
        content=PERSONAL_TEXT,
        actor=actor,
    )


def record_the_record_keeping_events(cases: FamilyCases, case_id: UUID, actor: Actor) -> None:
    """A correction and a disclosure: the events a closed case still takes."""
    cases.correct_entry(
        case_id, version=2, correction=PERSONAL_TEXT, reason="Väärä päivämäärä", actor=actor
    )
    disclose(cases, case_id, actor=actor)
def record_matter_events(cases: FamilyCases, case_id: UUID, actor: Actor) -> None:
    """The opening matter's assessment declined; a new matter pending, assessed (December)."""
    cases.decline_assessment(
        case_id, decided_on=date(2020, 12, 2), reason=PERSONAL_TEXT, actor=actor
    )
    cases.record_pending(
        case_id,
        pending_on=date(2020, 12, 3),
        initiated_by=Initiation.NOTIFICATION,
        special_support=True,
        actor=actor,
    )
    cases.start_assessment(case_id, started_on=date(2020, 12, 4), actor=actor)
    cases.complete_assessment(
        case_id,
        completed_on=date(2020, 12, 10),
        conclusions=PERSONAL_TEXT,
        relationship_continues=False,
        special_support=True,
        child_welfare_begins=False,
        needs_named_worker=True,
        plan_needed=False,
        child_views={"child-1": PERSONAL_TEXT},
        actor=actor,
    )

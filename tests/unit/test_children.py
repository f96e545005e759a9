"""Each child's own relationship (lapsen oma asiakkuus): joining, leaving, an own worker."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from perhetyo import (
    Actor,
    CaseClosedError,
    ChildAlreadyInCaseError,
    ChildJoined,
    ChildLeft,
    ChildMembership,
    ClosureIncompleteError,
    ClosureReason,
    DateOutOfRangeError,
    FamilyCases,
    InvalidCommandError,
    LastChildError,
    LegalBasis,
    NamedWorkerAssigned,
    OutOfOrderError,
    Profession,
    UnknownChildError,
    WorkerNotQualifiedError,
)
from perhetyo.aggregates.case import FamilyCase
from perhetyo.testing import FakeClock, a_child, a_worker, open_sample_case

from .helpers import OPENED_ON, PERSONAL_TEXT, TODAY, TOMORROW, close, history, last_event, refused
from .statutory_helpers import SIBLING

JOINED_ON = date(2020, 9, 1)


def _join(cases: FamilyCases, case_id: UUID, actor: Actor, on: date = JOINED_ON) -> None:
    cases.add_child(case_id, child=SIBLING, joined_on=on, actor=actor)


def _leave(
    cases: FamilyCases,
    case_id: UUID,
    actor: Actor,
    *,
    child_id: str = "child-2",
    on: date = date(2020, 10, 1),
    view: str | None = "Muutan isälle",
    not_heard_reason: str | None = None,
) -> None:
    cases.remove_child(
        case_id,
        child_id=child_id,
        left_on=on,
        reason=ClosureReason.MOVED_AWAY,
        view=view,
        not_heard_reason=not_heard_reason,
        actor=actor,
    )


def _assign(
    cases: FamilyCases,
    case_id: UUID,
    actor: Actor,
    *,
    child_id: str = "child-2",
    on: date = date(2020, 9, 2),
    profession: Profession = Profession.SOCIAL_WORKER,
) -> None:
    worker = a_worker("sw-19").model_copy(update={"profession": profession})
    cases.assign_named_worker(
        case_id, worker=worker, assigned_on=on, reason="Oma työntekijä", child_id=child_id,
        actor=actor,
    )


# --- add_child ---------------------------------------------------------------------------


def test_a_child_joining_records_child_joined_and_becomes_a_child_of_the_case(
    cases: FamilyCases, clock: FakeClock, actor: Actor, case_id: UUID
) -> None:
    clock.advance()

    _join(cases, case_id, actor)

    event = last_event(cases, case_id)
    assert isinstance(event, ChildJoined)
    assert (event.child, event.joined_on, event.timestamp) == (SIBLING, JOINED_ON, clock())
    assert event.describe().en == "child child-2 joined"
    plan = cases.current_plan(case_id, actor=actor)
    assert plan.children == (a_child(), SIBLING)
    assert plan.memberships == (
        ChildMembership(child=a_child(), joined_on=OPENED_ON),
        ChildMembership(child=SIBLING, joined_on=JOINED_ON),
    )


def test_a_child_who_joined_takes_goals_and_views_like_any_child(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    _join(cases, case_id, actor)

    cases.set_goal(
        case_id, description="Koulu", set_on=JOINED_ON, child_id="child-2", actor=actor
    )
    cases.record_child_view(
        case_id, child_id="child-2", view="Hyvä", recorded_on=JOINED_ON, actor=actor
    )

    assert cases.current_plan(case_id, actor=actor).child_views["child-2"] == "Hyvä"


def test_a_child_already_in_the_case_cannot_join_again(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    with refused(cases, case_id, ChildAlreadyInCaseError) as info:
        cases.add_child(case_id, child=a_child(), joined_on=JOINED_ON, actor=actor)
    assert "child-1" in str(info.value)
    assert a_child().display_name not in str(info.value)


@pytest.mark.parametrize("joined_on", [date(2020, 8, 11), TOMORROW])
def test_joining_before_the_opening_or_in_the_future_is_refused(
    cases: FamilyCases, actor: Actor, case_id: UUID, joined_on: date
) -> None:
    with refused(cases, case_id, DateOutOfRangeError):
        _join(cases, case_id, actor, on=joined_on)


def test_a_child_with_a_personal_identity_code_for_an_id_is_a_shape_error(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    with refused(cases, case_id, InvalidCommandError):
        cases.add_child(
            case_id,
            child={"id": "131052-308T", "display_name": "Hetu"},  # type: ignore[arg-type]
            joined_on=JOINED_ON,
            actor=actor,
        )


def test_a_child_who_left_may_join_again_later_but_not_before_leaving(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    _join(cases, case_id, actor)
    _leave(cases, case_id, actor, on=date(2020, 10, 1))

    with refused(cases, case_id, OutOfOrderError):
        _join(cases, case_id, actor, on=date(2020, 9, 30))
    _join(cases, case_id, actor, on=date(2020, 11, 1))

    memberships = cases.current_plan(case_id, actor=actor).memberships
    assert [(m.child.id, m.joined_on, m.left_on) for m in memberships] == [
        ("child-1", OPENED_ON, None),
        ("child-2", JOINED_ON, date(2020, 10, 1)),
        ("child-2", date(2020, 11, 1), None),
    ]


# --- remove_child ------------------------------------------------------------------------


def test_a_child_leaving_records_child_left_with_the_childs_view(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    _join(cases, case_id, actor)
    _assign(cases, case_id, actor)

    _leave(cases, case_id, actor, view=PERSONAL_TEXT)

    event = last_event(cases, case_id)
    assert isinstance(event, ChildLeft)
    assert (event.child_id, event.left_on, event.reason) == (
        "child-2",
        date(2020, 10, 1),
        ClosureReason.MOVED_AWAY,
    )
    assert (event.view, event.not_heard_reason) == (PERSONAL_TEXT, None)
    assert PERSONAL_TEXT not in " ".join(event.describe())
    plan = cases.current_plan(case_id, actor=actor)
    assert plan.children == (a_child(),)
    assert plan.child_views["child-2"] == PERSONAL_TEXT
    assert plan.child_workers == {}
    left = plan.memberships[1]
    assert (left.left_on, left.left_reason, left.view) == (
        date(2020, 10, 1),
        ClosureReason.MOVED_AWAY,
        PERSONAL_TEXT,
    )
    assert left.worker is not None  # kept for the record
    assert left.worker.id == "sw-19"


def test_a_child_may_leave_unheard_with_a_reason(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    _join(cases, case_id, actor)

    _leave(cases, case_id, actor, view=None, not_heard_reason="Vauva")

    membership = cases.current_plan(case_id, actor=actor).memberships[1]
    assert (membership.view, membership.not_heard_reason) == (None, "Vauva")
    assert "child-2" not in cases.current_plan(case_id, actor=actor).child_views


@pytest.mark.parametrize(
    ("view", "reason"), [(None, None), ("Näkemys", "Syy")], ids=["neither", "both"]
)
def test_leaving_needs_exactly_one_of_a_view_and_a_not_heard_reason(
    cases: FamilyCases, actor: Actor, case_id: UUID, view: str | None, reason: str | None
) -> None:
    _join(cases, case_id, actor)

    with refused(cases, case_id, InvalidCommandError):
        _leave(cases, case_id, actor, view=view, not_heard_reason=reason)


def test_the_last_child_cannot_leave(cases: FamilyCases, actor: Actor, case_id: UUID) -> None:
    with refused(cases, case_id, LastChildError) as info:
        _leave(cases, case_id, actor, child_id="child-1")
    assert "close the case" in str(info.value)


def test_a_child_not_in_the_case_cannot_leave(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    _join(cases, case_id, actor)
    _leave(cases, case_id, actor)

    for child_id in ("child-2", "child-9"):  # left already, never there
        with refused(cases, case_id, UnknownChildError):
            _leave(cases, case_id, actor, child_id=child_id)


def test_leaving_before_joining_is_out_of_order(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    _join(cases, case_id, actor)

    with refused(cases, case_id, OutOfOrderError):
        _leave(cases, case_id, actor, on=date(2020, 8, 31))


def test_leaving_in_the_future_is_refused(cases: FamilyCases, actor: Actor, case_id: UUID) -> None:
    _join(cases, case_id, actor)

    with refused(cases, case_id, DateOutOfRangeError):
        _leave(cases, case_id, actor, on=TOMORROW)


def test_a_child_who_left_takes_no_more_views_or_goals(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    _join(cases, case_id, actor)
    _leave(cases, case_id, actor)

    with refused(cases, case_id, UnknownChildError):
        cases.record_child_view(
            case_id, child_id="child-2", view="x", recorded_on=TODAY, actor=actor
        )


# --- closing asks only the children still in the case ----------------------------------------


def test_closing_asks_views_only_of_the_children_still_in_the_case(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    _join(cases, case_id, actor)
    _leave(cases, case_id, actor)

    with refused(cases, case_id, UnknownChildError):
        cases.close_case(
            case_id,
            closed_on=TODAY,
            reason=ClosureReason.NO_LONGER_NEEDED,
            child_views={"child-1": "Hyvä", "child-2": "Hyvä"},
            actor=actor,
        )
    close(cases, case_id, actor=actor)  # child-1 only

    plan = cases.current_plan(case_id, actor=actor)
    assert [(m.child.id, m.left_on, m.left_reason) for m in plan.memberships] == [
        ("child-1", TODAY, ClosureReason.NO_LONGER_NEEDED),
        ("child-2", date(2020, 10, 1), ClosureReason.MOVED_AWAY),
    ]
    assert plan.memberships[0].view == "Kiva että loppuu"


def test_closing_still_asks_a_child_who_joined(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    _join(cases, case_id, actor)

    with refused(cases, case_id, ClosureIncompleteError) as info:
        close(cases, case_id, actor=actor)
    assert "child-2" in str(info.value)


def test_a_closed_case_takes_no_child(cases: FamilyCases, actor: Actor, case_id: UUID) -> None:
    close(cases, case_id, actor=actor)

    with refused(cases, case_id, CaseClosedError):
        _join(cases, case_id, actor, on=TODAY)


# --- each child's own named worker --------------------------------------------------------------


def test_a_childs_own_worker_is_recorded_and_shown_per_child(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    _join(cases, case_id, actor)

    _assign(cases, case_id, actor)

    event = last_event(cases, case_id)
    assert isinstance(event, NamedWorkerAssigned)
    assert event.child_id == "child-2"
    assert "child-2" in event.describe().en
    plan = cases.current_plan(case_id, actor=actor)
    assert plan.named_worker == a_worker()  # the case's worker is unchanged
    assert list(plan.child_workers) == ["child-2"]
    assert plan.child_workers["child-2"].id == "sw-19"
    case = FamilyCase.project(None, history(cases, case_id))
    assert case is not None
    assert case.child_workers == {"child-2": plan.child_workers["child-2"]}


def test_a_childs_worker_must_be_qualified_for_the_case(
    cases: FamilyCases, actor: Actor
) -> None:
    case_id = open_sample_case(cases, legal_basis=LegalBasis.CHILD_WELFARE_ACT)

    with refused(cases, case_id, WorkerNotQualifiedError):
        _assign(
            cases, case_id, actor, child_id="child-1",
            profession=Profession.SPECIAL_SOCIAL_COUNSELLOR,
        )
    _assign(cases, case_id, actor, child_id="child-1")


def test_a_childs_worker_needs_the_child_in_the_case(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    with refused(cases, case_id, UnknownChildError):
        _assign(cases, case_id, actor, child_id="child-2")


def test_a_childs_worker_is_not_assigned_before_the_child_joined_or_was_last_assigned(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    _join(cases, case_id, actor)

    with refused(cases, case_id, OutOfOrderError):
        _assign(cases, case_id, actor, on=date(2020, 8, 31))
    _assign(cases, case_id, actor, on=date(2020, 9, 10))
    with refused(cases, case_id, OutOfOrderError):
        _assign(cases, case_id, actor, on=date(2020, 9, 9))


def test_a_childs_worker_does_not_move_the_floor_of_the_cases_worker(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    _assign(cases, case_id, actor, child_id="child-1", on=date(2020, 10, 1))

    cases.assign_named_worker(
        case_id, worker=a_worker("sw-20"), assigned_on=date(2020, 9, 1), reason="Vaihto",
        actor=actor,
    )

    assert cases.current_plan(case_id, actor=actor).named_worker.id == "sw-20"

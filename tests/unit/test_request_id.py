"""Request ids (pyyntötunnus): a retried command records nothing and returns the first result."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid5

import pytest

from perhetyo import (
    Actor,
    ClosureReason,
    DateOutOfRangeError,
    FamilyCases,
    GoalStatus,
    LegalBasis,
    MeetingKind,
    RequestConflictError,
    RuleViolationError,
    ServiceKind,
)
from perhetyo.persistence.identity import LEGACY_REQUEST_NAMESPACE
from perhetyo.testing import a_child, a_guardian, a_worker, an_actor

from .helpers import TODAY, close, history, refused, set_a_goal


def _open(cases: FamilyCases, actor: Actor, request_id: str, opened_on: date) -> UUID:
    return cases.open_case(
        children=[a_child()],
        guardians=[a_guardian()],
        legal_basis=LegalBasis.SOCIAL_WELFARE_ACT,
        named_worker=a_worker(),
        opened_on=opened_on,
        actor=actor,
        request_id=request_id,
    )


def _goal(cases: FamilyCases, case_id: UUID, actor: Actor, description: str = "Tavoite") -> UUID:
    return cases.set_goal(
        case_id,
        description=description,
        set_on=date(2020, 9, 1),
        actor=actor,
        request_id="goal-1",
    )


def test_an_opening_with_a_request_id_gets_a_case_id_derived_from_it(
    cases: FamilyCases, actor: Actor
) -> None:
    case_id = _open(cases, actor, "open-1", date(2020, 8, 12))

    assert case_id == cases.case_id_for_request("open-1")
    assert case_id != uuid5(LEGACY_REQUEST_NAMESPACE, "open-1")  # keyed by the store
    [event] = history(cases, case_id)
    assert event.request_id == "open-1"


def test_a_repeated_opening_returns_the_same_case_and_records_nothing(
    cases: FamilyCases, actor: Actor
) -> None:
    first = _open(cases, actor, "open-1", date(2020, 8, 12))

    again = _open(cases, actor, "open-1", date(2020, 8, 12))

    assert again == first
    assert len(history(cases, first)) == 1


def test_a_repeated_opening_with_other_arguments_is_a_conflict(
    cases: FamilyCases, actor: Actor
) -> None:
    case_id = _open(cases, actor, "open-1", date(2020, 8, 12))

    with refused(cases, case_id, RequestConflictError) as info:
        _open(cases, actor, "open-1", date(2020, 8, 13))

    assert isinstance(info.value, RuleViolationError)


def test_a_repeated_command_returns_the_first_result_and_records_nothing(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    first = _goal(cases, case_id, actor)
    before = history(cases, case_id)

    again = _goal(cases, case_id, actor)

    assert again == first
    assert history(cases, case_id) == before
    assert before[-1].request_id == "goal-1"
    assert before[-1].request_digest is not None


def test_a_repeated_request_id_with_other_arguments_is_a_conflict(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    _goal(cases, case_id, actor)

    with refused(cases, case_id, RequestConflictError):
        _goal(cases, case_id, actor, description="Toinen tavoite")


def test_a_request_id_reused_by_another_kind_of_command_is_a_conflict(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    _goal(cases, case_id, actor)

    with refused(cases, case_id, RequestConflictError):
        cases.record_meeting(
            case_id,
            kind=MeetingKind.NETWORK,
            held_on=TODAY,
            summary="Ok",
            actor=actor,
            request_id="goal-1",
        )


def test_a_repeat_by_another_actor_is_a_conflict(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    _goal(cases, case_id, actor)

    with refused(cases, case_id, RequestConflictError):
        _goal(cases, case_id, an_actor("sw-99"))


def test_the_same_request_id_on_another_case_is_a_new_request(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    other = _open(cases, actor, "open-2", date(2020, 8, 12))

    assert _goal(cases, case_id, actor) != _goal(cases, other, actor)
    assert len(history(cases, other)) == 2


@pytest.mark.parametrize(
    ("method", "expected"),
    [("record_meeting", UUID), ("agree_plan", int), ("order_service", UUID)],
)
def test_each_command_repeats_its_own_result(
    cases: FamilyCases, actor: Actor, case_id: UUID, method: str, expected: type
) -> None:
    arguments: dict[str, dict[str, object]] = {
        "record_meeting": {"kind": MeetingKind.NETWORK, "held_on": TODAY, "summary": "Ok"},
        "agree_plan": {"agreed_on": TODAY, "agreements": ["Ok"]},
        "order_service": {"kind": ServiceKind.OTHER, "provider": "Oy", "ordered_on": TODAY},
    }
    command = getattr(cases, method)

    first = command(case_id, actor=actor, request_id="r-1", **arguments[method])
    length = len(history(cases, case_id))
    again = command(case_id, actor=actor, request_id="r-1", **arguments[method])

    assert isinstance(first, expected)
    assert again == first
    assert len(history(cases, case_id)) == length


def test_a_repeated_update_records_nothing(cases: FamilyCases, actor: Actor, case_id: UUID) -> None:
    goal_id = set_a_goal(cases, case_id, actor=actor)
    for _ in range(2):
        cases.update_goal(
            case_id,
            goal_id,
            status=GoalStatus.ACHIEVED,
            updated_on=TODAY,
            actor=actor,
            request_id="update-1",
        )

    assert len(history(cases, case_id)) == 3


def test_a_repeat_on_a_since_closed_case_still_returns_the_first_result(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    goal_id = _goal(cases, case_id, actor)
    close(cases, case_id, actor=actor)
    before = history(cases, case_id)

    assert _goal(cases, case_id, actor) == goal_id
    assert history(cases, case_id) == before


def test_a_repeated_closing_records_nothing(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    for _ in range(2):
        cases.close_case(
            case_id,
            closed_on=TODAY,
            reason=ClosureReason.OTHER,
            child_views={"child-1": "Ok"},
            actor=actor,
            request_id="close-1",
        )

    assert len(history(cases, case_id)) == 2


def test_a_refused_command_leaves_its_request_id_free(
    cases: FamilyCases, actor: Actor, case_id: UUID
) -> None:
    with refused(cases, case_id, DateOutOfRangeError):
        cases.set_goal(
            case_id,
            description="Tavoite",
            set_on=date(2021, 1, 1),
            actor=actor,
            request_id="goal-1",
        )

    goal_id = _goal(cases, case_id, actor)
    assert len(history(cases, case_id)) == 2
    assert isinstance(goal_id, UUID)

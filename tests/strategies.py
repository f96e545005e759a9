"""Test-only hypothesis strategies: events built directly, for the codec's properties.

The public strategies (valid commands, people, texts) are in :mod:`perhetyo.testing`; these
build events without going through the rules, so they reach values the rules never produce
(any text, any date, any plan version) and show that the codec does not depend on the rules.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from hypothesis import strategies as st

from perhetyo.events import (
    AssessmentCompleted,
    AssessmentDeclined,
    AssessmentStarted,
    CaseClosed,
    CaseErased,
    CaseEvent,
    CaseOpened,
    ChildJoined,
    ChildLeft,
    ChildViewRecorded,
    DataDisclosed,
    DisclosureBanRecorded,
    EntryCorrected,
    ErasedGoal,
    ErasedMeeting,
    ErasedService,
    ErasureSummary,
    GoalSet,
    GoalUpdated,
    MatterPending,
    MeetingCancelled,
    MeetingHeld,
    NamedWorkerAssigned,
    PlanAgreed,
    ServiceDecided,
    ServiceEnded,
    ServiceOrdered,
    ServiceStarted,
)
from perhetyo.record_values import ContactChannel, DecisionOutcome, PlannedService
from perhetyo.testing import actors, ids, named_workers, person_refs, texts
from perhetyo.values import (
    ClosureReason,
    GoalStatus,
    Initiation,
    LegalBasis,
    MeetingKind,
    Profession,
    Recipient,
    ServiceKind,
    ServiceStatus,
    ServiceTask,
    Successor,
    SuccessorKind,
)

# Events keep free text as the commands passed it, and the codec must keep any of it:
# hypothesis' default alphabet (all of Unicode but lone surrogates, which no Python str
# from a command can hold: the commands refuse them) with whitespace and controls.
any_text = st.text(max_size=40)
some_text = st.text(min_size=1, max_size=40)
any_date = st.dates()
people = st.lists(person_refs(), max_size=3)
string_maps = st.dictionaries(ids(), any_text, max_size=3)
texts_or_none = st.none() | any_text
planned_services = st.lists(
    st.builds(
        PlannedService,
        kind=st.sampled_from(ServiceKind),
        description=st.none() | some_text.map(str.strip).filter(lambda t: t and "\x00" not in t),
        estimated_start=st.none() | any_date,
        estimated_duration=st.none() | st.just("3 kuukautta"),
    ),
    max_size=2,
).map(tuple)

_FIELDS: dict[type[CaseEvent], dict[str, st.SearchStrategy[Any]]] = {
    CaseOpened: {
        "children": people,
        "guardians": people,
        "legal_basis": st.sampled_from(LegalBasis),
        "service_task": st.sampled_from(ServiceTask),
        "opened_on": any_date,
        "named_worker": named_workers(qualified=None),
        "previous_case_id": st.none() | st.uuids(),
        "pending_on": any_date,
        "initiated_by": st.none() | st.sampled_from(Initiation),
        "special_support": st.booleans(),
        "urgent": st.booleans(),
    },
    NamedWorkerAssigned: {
        "worker": named_workers(qualified=None),
        "assigned_on": any_date,
        "reason": any_text,
        "child_id": st.none() | ids(),
    },
    ChildJoined: {"child": person_refs(), "joined_on": any_date},
    ChildLeft: {
        "child_id": ids(),
        "left_on": any_date,
        "reason": st.sampled_from(ClosureReason),
        "view": texts_or_none,
        "not_heard_reason": texts_or_none,
    },
    ServiceDecided: {
        "decision_id": st.uuids(),
        "kind": st.sampled_from(ServiceKind),
        "outcome": st.sampled_from(DecisionOutcome),
        "decided_on": any_date,
        "legal_sections": st.lists(any_text, max_size=3).map(tuple),
        "reasoning": any_text,
        "decision_maker": named_workers(qualified=None),
        "valid_from": st.none() | any_date,
        "valid_until": st.none() | any_date,
        "hours_per_month": st.none() | st.integers(1, 744),
    },
    MeetingCancelled: {
        "meeting_id": st.uuids(),
        "kind": st.sampled_from(MeetingKind),
        "planned_on": any_date,
        "cancelled_on": any_date,
        "reason": any_text,
    },
    MeetingHeld: {
        "meeting_id": st.uuids(),
        "kind": st.sampled_from(MeetingKind),
        "held_on": any_date,
        "participants": st.lists(any_text, max_size=3),
        "summary": any_text,
        "channel": st.none() | st.sampled_from(ContactChannel),
        "place": texts_or_none,
        "agreed": texts_or_none,
    },
    ChildViewRecorded: {
        "child_id": ids(),
        "view": st.none() | some_text,
        "not_heard_reason": st.none() | some_text,
        "recorded_on": any_date,
        "how_found_out": texts_or_none,
        "present": st.lists(any_text, max_size=2).map(tuple),
    },
    PlanAgreed: {
        "plan_version": st.integers(1, 10**6),
        "agreed_on": any_date,
        "agreements": st.lists(any_text, max_size=3),
        "dissent": st.lists(any_text, max_size=3),
        "review_due_on": st.none() | any_date,
        "situation": texts_or_none,
        "strengths": texts_or_none,
        "planned_services": planned_services,
        "rights_explained": st.booleans(),
        "estimated_duration": texts_or_none,
        "participants": st.lists(any_text, max_size=2).map(tuple),
    },
    GoalSet: {
        "goal_id": st.uuids(),
        "description": any_text,
        "child_id": st.none() | ids(),
        "set_on": any_date,
        "target_date": st.none() | any_date,
    },
    GoalUpdated: {
        "goal_id": st.uuids(),
        "status": st.sampled_from(GoalStatus),
        "progress": st.integers(0, 100),
        "note": st.none() | any_text,
        "updated_on": any_date,
    },
    ServiceOrdered: {
        "service_id": st.uuids(),
        "kind": st.sampled_from(ServiceKind),
        "provider": any_text,
        "ordered_on": any_date,
        "goal_ids": st.lists(st.uuids(), max_size=3).map(tuple),
        "decision_id": st.none() | st.uuids(),
    },
    ServiceStarted: {"service_id": st.uuids(), "started_on": any_date},
    ServiceEnded: {
        "service_id": st.uuids(),
        "ended_on": any_date,
        "reason": any_text,
        "cancelled": st.booleans(),
    },
    CaseClosed: {
        "closed_on": any_date,
        "reason": st.sampled_from(ClosureReason),
        "child_views": string_maps,
        "not_heard_reasons": string_maps,
        "successor": st.none()
        | st.builds(Successor, kind=st.sampled_from(SuccessorKind), case_id=st.none() | st.uuids()),
    },
    MatterPending: {
        "matter_id": st.uuids(),
        "pending_on": any_date,
        "initiated_by": st.sampled_from(Initiation),
        "special_support": st.booleans(),
        "urgent": st.booleans(),
    },
    AssessmentStarted: {
        "matter_id": st.uuids(),
        "started_on": any_date,
        "special_support": st.none() | st.booleans(),
        "child_welfare_need_assessed": st.booleans(),
    },
    AssessmentCompleted: {
        "matter_id": st.uuids(),
        "completed_on": any_date,
        "conclusions": any_text,
        "relationship_continues": st.booleans(),
        "special_support": st.booleans(),
        "child_welfare_begins": st.booleans(),
        "needs_named_worker": st.booleans(),
        "plan_needed": st.booleans(),
        "child_views": string_maps,
        "not_heard_reasons": string_maps,
    },
    AssessmentDeclined: {"matter_id": st.uuids(), "decided_on": any_date, "reason": any_text},
    CaseErased: {
        "erased_on": any_date,
        "reason": some_text.filter(lambda text: text.strip() != "" and "\x00" not in text),
        "summary": st.builds(
            ErasureSummary,
            legal_basis=st.sampled_from(LegalBasis),
            service_task=st.sampled_from(ServiceTask),
            opened_on=any_date,
            closed_on=any_date,
            closure_reason=st.sampled_from(ClosureReason),
            successor_kind=st.none() | st.sampled_from(SuccessorKind),
            successor_case_id=st.none() | st.uuids(),
            previous_case_id=st.none() | st.uuids(),
            child_ids=st.lists(ids(), max_size=3).map(tuple),
            named_worker_id=ids(),
            named_worker_profession=st.sampled_from(Profession),
            plan_version=st.integers(0, 10**6),
            plan_agreed_on=st.none() | any_date,
            review_due_on=st.none() | any_date,
            goals=st.lists(
                st.builds(
                    ErasedGoal,
                    goal_id=st.uuids(),
                    child_id=st.none() | ids(),
                    status=st.sampled_from(GoalStatus),
                    progress=st.integers(0, 100),
                    set_on=any_date,
                    target_date=st.none() | any_date,
                    last_updated_on=st.none() | any_date,
                ),
                max_size=2,
            ).map(tuple),
            services=st.lists(
                st.builds(
                    ErasedService,
                    service_id=st.uuids(),
                    kind=st.sampled_from(ServiceKind),
                    status=st.sampled_from(ServiceStatus),
                    ordered_on=any_date,
                    started_on=st.none() | any_date,
                    ended_on=st.none() | any_date,
                    goal_ids=st.lists(st.uuids(), max_size=2).map(tuple),
                ),
                max_size=2,
            ).map(tuple),
            meetings=st.lists(
                st.builds(
                    ErasedMeeting,
                    meeting_id=st.uuids(),
                    kind=st.sampled_from(MeetingKind),
                    held_on=any_date,
                ),
                max_size=2,
            ).map(tuple),
            events=st.integers(1, 10**6),
        ),
    },
    DataDisclosed: {
        "disclosure_id": st.uuids(),
        "disclosed_on": any_date,
        # A recipient is a value model: valid names only (the free text is in the others).
        "recipient": st.builds(
            Recipient,
            surname=texts(200),
            first_names=texts(200),
            organisation=st.none() | texts(200),
            title=st.none() | texts(200),
            person_id=st.none() | ids(),
        ),
        "grounds": any_text,
        "purpose": any_text,
        "content": any_text,
    },
    DisclosureBanRecorded: {
        "child_id": ids(),
        "banned_person_ids": st.lists(ids(), max_size=3).map(tuple),
        "decided_on": any_date,
        "reason": any_text,
    },
    EntryCorrected: {
        "version": st.integers(1, 2**31),
        "corrected_on": any_date,
        "correction": any_text,
        "reason": any_text,
    },
}


def event_classes_with_strategies() -> set[type[CaseEvent]]:
    """The event classes :func:`events` builds (a test holds it equal to the catalogue)."""
    return set(_FIELDS)


def _common() -> dict[str, st.SearchStrategy[Any]]:
    return {
        "originator_id": st.uuids(),
        "originator_version": st.integers(1, 2**31),
        # Record times are set by the library, always in UTC (design section 3).
        "timestamp": st.datetimes(timezones=st.just(UTC)),
        "actor": actors(),
        "request_id": st.none() | some_text,
        "request_digest": st.none() | st.text("0123456789abcdef", min_size=64, max_size=64),
    }


def events() -> st.SearchStrategy[CaseEvent]:
    """Any event of the v1 catalogue, with any values its fields accept."""
    return st.one_of([st.builds(cls, **_common(), **fields) for cls, fields in _FIELDS.items()])

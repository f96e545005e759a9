"""Seeding (testiaineisto): large stores written through the recorder in bulk.

Two realistic cases of 25 events are decided through the aggregate once, one closed and
one still open (two more goal updates in place of the service's end and the closing);
every case is a copy of one of them under a new case id, closed and open in turn (case
``i`` is :func:`case_id_of` ``(i)``, open when ``i`` is odd). The stored events go to
eventsourcing's own recorder in chunks, as an import would, not through 500,000 commands.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4, uuid5

import orjson
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteDatastore

from perhetyo.aggregates.case import FamilyCase
from perhetyo.commands import (
    AgreePlan,
    CloseCase,
    EndService,
    OpenCase,
    OrderService,
    RecordChildView,
    RecordMeeting,
    SetGoal,
    StartService,
    UpdateGoal,
)
from perhetyo.events import CaseEvent
from perhetyo.persistence.chain import Head, body_of
from perhetyo.testing import a_child, a_guardian, a_worker, an_actor
from perhetyo.values import ClosureReason, GoalStatus, LegalBasis, MeetingKind, ServiceKind

EVENTS_PER_CASE = 25
NOW = datetime(2021, 6, 1, 9, 0, tzinfo=UTC)
_IDS = UUID("5b2d6f3e-0c1a-4f7e-9a42-7d1c2b3e4f50")


def case_id_of(index: int) -> UUID:
    """The id of the seeded case number ``index`` (open when ``index`` is odd)."""
    return uuid5(_IDS, f"case-{index}")


def template_case(*, closed: bool = True) -> list[CaseEvent]:
    """One case of exactly 25 events: the blog post's story, compressed (``closed=False``:
    still open, two more goal updates in place of the service's end and the closing)."""
    me = an_actor()
    day = date(2020, 8, 12)
    case = FamilyCase.open(
        OpenCase(
            children=(a_child("child-1"), a_child("child-2")),
            guardians=(a_guardian("guardian-1"), a_guardian("guardian-2")),
            legal_basis=LegalBasis.CHILD_WELFARE_ACT,
            named_worker=a_worker(),
            opened_on=day,
            actor=me,
        ),
        case_id=uuid4(),
        now=NOW,
    )
    cid = case.id
    case.record_meeting(
        RecordMeeting(
            case_id=cid,
            kind=MeetingKind.OPENING,
            held_on=day,
            participants=("perhe", "sosiaalityöntekijä"),
            summary="Aloitus.",
            actor=me,
        ),
        NOW,
    )
    case.record_child_view(
        RecordChildView(
            case_id=cid,
            child_id="child-1",
            view="Haluan että kotona on rauhallista.",
            recorded_on=day,
            actor=me,
        ),
        NOW,
    )
    goals = [
        case.set_goal(
            SetGoal(
                case_id=cid,
                description=f"Viikkotavoite {n}",
                set_on=day,
                target_date=day + timedelta(days=90),
                actor=me,
            ),
            NOW,
        )
        for n in range(3)
    ]
    case.agree_plan(
        AgreePlan(
            case_id=cid,
            agreed_on=day,
            agreements=("Perhekuntoutus alkaa.",),
            dissent=("Huoltaja ei pidä tarpeellisena.",),
            review_due_on=day + timedelta(days=60),
            actor=me,
        ),
        NOW,
    )
    service = case.order_service(
        OrderService(
            case_id=cid,
            kind=ServiceKind.FAMILY_REHABILITATION,
            provider="Neljä Astetta Oy",
            ordered_on=day,
            goal_ids=tuple(goals),
            actor=me,
        ),
        NOW,
    )
    case.start_service(
        StartService(case_id=cid, service_id=service, started_on=day + timedelta(days=7), actor=me),
        NOW,
    )
    for week in range(1, 14 if closed else 16):
        case.update_goal(
            UpdateGoal(
                case_id=cid,
                goal_id=goals[week % 3],
                status=GoalStatus.IN_PROGRESS,
                progress=min(week * 8, 100),
                note="Viikkopalaveri.",
                updated_on=day + timedelta(days=7 * week),
                actor=me,
            ),
            NOW,
        )
    case.record_meeting(
        RecordMeeting(
            case_id=cid,
            kind=MeetingKind.REVIEW,
            held_on=day + timedelta(days=84),
            participants=("perhe", "verkosto"),
            summary="Välipalaveri.",
            actor=me,
        ),
        NOW,
    )
    if not closed:
        events = case.collect_events()
        assert len(events) == EVENTS_PER_CASE, len(events)
        return events
    case.end_service(
        EndService(
            case_id=cid,
            service_id=service,
            ended_on=day + timedelta(days=120),
            reason="Tavoitteet saavutettu.",
            actor=me,
        ),
        NOW,
    )
    case.close_case(
        CloseCase(
            case_id=cid,
            closed_on=day + timedelta(days=121),
            reason=ClosureReason.NO_LONGER_NEEDED,
            child_views={"child-1": "Hyvä että loppui."},
            not_heard_reasons={"child-2": "Liian pieni kuultavaksi."},
            actor=me,
        ),
        NOW,
    )
    events = case.collect_events()
    assert len(events) == EVENTS_PER_CASE, len(events)
    return events


def copies(templates: list[list[CaseEvent]], first: int, n_cases: int) -> list[list[CaseEvent]]:
    """Cases ``first`` to ``first + n_cases - 1``: copies of the templates in turn."""
    result = []
    for index in range(first, first + n_cases):
        case_id = case_id_of(index)
        template = templates[index % len(templates)]
        result.append([e.model_copy(update={"originator_id": case_id}) for e in template])
    return result


def seed(store: object, n_cases: int, *, chunk_cases: int = 40) -> int:
    """Append ``n_cases`` cases to ``store`` (a perhetyo ``_EventStore``) through its recorder."""
    templates = [template_case(), template_case(closed=False)]
    mapper = store.mapper  # type: ignore[attr-defined]
    recorder = store.recorder  # type: ignore[attr-defined]
    written = 0
    for start in range(0, n_cases, chunk_cases):
        batch = copies(templates, start, min(chunk_cases, n_cases - start))
        # Sealed as the command path seals them (the tamper-evident chain, no key).
        stored = [s for events in batch for s in mapper.to_stored_events(events, Head())]
        recorder.insert_events(stored)
        written += len(stored)
    return written


def bare_recorder(db: Path) -> SQLiteApplicationRecorder:
    """eventsourcing's own SQLite recorder on ``db`` (the floors': never perhetyo's subclass
    of it, whose reads are faster), with a datastore of its own."""
    return SQLiteApplicationRecorder(SQLiteDatastore(str(db)))


def floor_rows(page: Sequence[Any]) -> list[tuple[Any, ...]]:
    """The floors' one narrow row per notification: the chain header dropped, the payload
    decoded with orjson alone (no pydantic), five values taken."""
    rows = []
    for notification in page:
        state = orjson.loads(body_of(notification.state))
        rows.append(
            (
                str(notification.originator_id),
                notification.originator_version,
                notification.topic,
                state["timestamp"],
                state["actor"]["id"],
            )
        )
    return rows

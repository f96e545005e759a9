"""What a store holds, raw (tallennuspaikan raakatavut): for the tests of encryption at rest.

A SQLite store's bytes are its file and its WAL, read as they are on disk; a PostgreSQL
store's are every row of every table of its schema, read back through SQL as text (bytea
columns then show as hex, so a marker is searched for both as text and as hex).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Final
from uuid import UUID

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from conftest import libpq_conninfo
from perhetyo import (
    ClosureReason,
    FamilyCases,
    GoalStatus,
    MeetingKind,
    NamedWorker,
    PersonRef,
    Profession,
    ServiceKind,
)
from perhetyo.testing import DEMO_READER, StoryClock, an_actor, record_demo_story
from perhetyo.values import LegalBasis

MARKERS: Final = (
    # planted in a case of their own: each personal field a stored table or event holds
    "QxChildNameMarker",
    "QxGuardianNameMarker",
    "QxWorkerNameMarker",
    "QxActorNameMarker",
    "QxMeetingSummaryMarker",
    "QxParticipantMarker",
    "QxChildViewMarker",
    "QxAgreementMarker",
    "QxDissentMarker",
    "QxGoalDescriptionMarker",
    "QxGoalNoteMarker",
    "QxProviderMarker",
    "QxClosingViewMarker",
    # the demo story's own names, views and notes
    "Eetu K.",
    "Sanna K.",
    "Laura V.",
    "Nyt on parempi",
    "Perhetuki Esimerkki Oy",
    "vakiintunut",
)
"""Personal text that must never reach an encrypted store's bytes (ASCII, so that the
search does not depend on how each database encodes text)."""


def tell_marked_stories(cases: FamilyCases, clock: StoryClock) -> list[UUID]:
    """The demo story, and a closed case whose every personal field holds a marker."""
    demo = record_demo_story(cases, clock)
    clock.at(date(2021, 2, 1), 10)
    actor = an_actor().evolve(name="QxActorNameMarker")
    child = PersonRef(id="marker-child", display_name="QxChildNameMarker")
    case_id = cases.open_case(
        children=[child],
        guardians=[PersonRef(id="marker-guardian", display_name="QxGuardianNameMarker")],
        legal_basis=LegalBasis.SOCIAL_WELFARE_ACT,
        named_worker=NamedWorker(
            id="marker-sw", name="QxWorkerNameMarker", profession=Profession.SOCIAL_WORKER
        ),
        opened_on=date(2021, 2, 1),
        actor=actor,
    )
    cases.record_meeting(
        case_id,
        kind=MeetingKind.OPENING,
        held_on=date(2021, 2, 1),
        participants=("QxParticipantMarker",),
        summary="QxMeetingSummaryMarker",
        actor=actor,
    )
    cases.record_child_view(
        case_id, child_id=child.id, recorded_on=date(2021, 2, 1), view="QxChildViewMarker",
        actor=actor,
    )
    cases.agree_plan(
        case_id,
        agreed_on=date(2021, 2, 1),
        agreements=("QxAgreementMarker",),
        dissent=("QxDissentMarker",),
        actor=actor,
    )
    goal = cases.set_goal(
        case_id, description="QxGoalDescriptionMarker", set_on=date(2021, 2, 1), actor=actor
    )
    cases.update_goal(
        case_id, goal, status=GoalStatus.ACHIEVED, progress=100, note="QxGoalNoteMarker",
        updated_on=date(2021, 2, 1), actor=actor,
    )
    service = cases.order_service(
        case_id, kind=ServiceKind.FAMILY_WORK, provider="QxProviderMarker",
        ordered_on=date(2021, 2, 1), actor=actor,
    )
    cases.end_service(
        case_id, service, ended_on=date(2021, 2, 1), reason="cancelled", actor=actor
    )
    cases.close_case(
        case_id, closed_on=date(2021, 2, 1), reason=ClosureReason.NO_LONGER_NEEDED,
        child_views={child.id: "QxClosingViewMarker"}, actor=actor,
    )
    cases.update_projections()
    return [demo, case_id]


def raw_bytes(url: str) -> bytes:
    """Everything the store holds, raw: a SQLite file and its WAL, or every PostgreSQL row
    of the store's schema as text (bytea as hex)."""
    parsed = make_url(url)
    if parsed.drivername == "sqlite":
        path = Path(str(parsed.database))
        return b"".join(
            file.read_bytes() for file in (path, Path(f"{path}-wal")) if file.exists()
        )
    schema = parsed.query["schema"]
    assert isinstance(schema, str)
    parts: list[bytes] = []
    with psycopg.connect(libpq_conninfo(url), autocommit=True) as conn:
        tables = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            (schema,),
        ).fetchall()
        for (table,) in tables:
            query = sql.SQL("SELECT t::text FROM {}.{} AS t").format(
                sql.Identifier(schema), sql.Identifier(table)
            )
            parts.extend(row[0].encode() for row in conn.execute(query))
    return b"\n".join(parts)


def found(marker: str | bytes, raw: bytes) -> bool:
    """Whether ``marker`` is in ``raw`` as it is, or hex-encoded (PostgreSQL's bytea)."""
    data = marker.encode() if isinstance(marker, str) else marker
    return data in raw or data.hex().encode() in raw


READER: Final = DEMO_READER

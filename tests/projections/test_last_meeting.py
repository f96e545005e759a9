"""The last meeting is the latest held, live and stored alike (defect 14)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from uuid import UUID

from sqlalchemy import select

from perhetyo import FamilyCases, MeetingKind
from perhetyo.testing import an_actor, open_sample_case


def _meet(cases: FamilyCases, case_id: UUID, held_on: date) -> UUID:
    return cases.record_meeting(
        case_id, kind=MeetingKind.HOME_VISIT, held_on=held_on, summary="Kotikäynti",
        actor=an_actor(),
    )


def _stored_last_meeting_on(cases: FamilyCases, case_id: UUID) -> date | None:
    views = cases.stored_views
    t = views.tables.cases
    with views.engine.connect() as conn:
        value: date | None = conn.execute(
            select(t.c.last_meeting_on).where(t.c.case_id == str(case_id))
        ).scalar_one()
    return value


def test_the_last_meeting_is_the_latest_held_live_and_stored_alike(tmp_path: Path) -> None:
    with FamilyCases(f"sqlite:///{tmp_path / 'cases.db'}") as cases:
        case_id = open_sample_case(cases)
        later = _meet(cases, case_id, date(2020, 10, 1))
        _meet(cases, case_id, date(2020, 9, 1))  # recorded after, held before
        cases.update_projections()

        live = cases.current_plan(case_id, actor=an_actor())
        stored = cases.stored_views.current_plan(case_id)

        assert live.last_meeting is not None
        assert live.last_meeting.meeting_id == later
        assert stored is not None
        assert stored.last_meeting == live.last_meeting
        assert _stored_last_meeting_on(cases, case_id) == date(2020, 10, 1)


def test_of_meetings_held_the_same_day_the_last_meeting_is_the_one_recorded_last(
    tmp_path: Path,
) -> None:
    with FamilyCases(f"sqlite:///{tmp_path / 'cases.db'}") as cases:
        case_id = open_sample_case(cases)
        _meet(cases, case_id, date(2020, 9, 1))
        last = _meet(cases, case_id, date(2020, 9, 1))
        _meet(cases, case_id, date(2020, 8, 20))
        cases.update_projections()

        live = cases.current_plan(case_id, actor=an_actor())
        assert live.last_meeting is not None
        assert live.last_meeting.meeting_id == last
        assert cases.stored_views.current_plan(case_id) == live
        assert _stored_last_meeting_on(cases, case_id) == date(2020, 9, 1)

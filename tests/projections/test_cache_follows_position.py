"""The runner's cache (välimuisti) survives another writer moving the position.

Two ``FamilyCases`` on one SQLite file stand for two processes that both update the stored
views. When one of them folds new events, the other forgets only the cases those events
touched, keeps the rest of its cache, and its next update still leaves the tables equal to
the live folds.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from uuid import UUID

from perhetyo import FamilyCases, MeetingKind
from perhetyo.testing import FakeClock, an_actor, open_sample_case
from projections.histories import assert_stored_equals_live

ME = an_actor()


def _meeting(cases: FamilyCases, case_id: UUID, day: int) -> None:
    cases.record_meeting(
        case_id,
        kind=MeetingKind.HOME_VISIT,
        held_on=date(2020, 9, day),
        participants=("perhe",),
        summary="Kotikäynti.",
        actor=ME,
    )


def test_another_writer_moving_the_position_forgets_only_the_cases_it_folded() -> None:
    clock = FakeClock()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'cases.db'}"
        with FamilyCases(url, clock=clock) as first, FamilyCases(url, clock=clock) as second:
            case_ids = [open_sample_case(first) for _ in range(4)]
            first.update_projections()
            runner = first.stored_views.live
            assert runner.cached_cases == 4

            _meeting(first, case_ids[0], 1)  # folded by the other writer
            assert second.update_projections() == 1
            _meeting(first, case_ids[1], 2)  # then by the first again
            assert first.update_projections() == 1

            # The three cases the other writer did not touch stayed cached (and case 1
            # was folded again); only case 0 was forgotten.
            assert runner.cached_cases == 3
            _meeting(first, case_ids[0], 3)  # a miss: read back from the other's rows
            assert first.update_projections() == 1
            assert runner.cached_cases == 4
            assert_stored_equals_live(first, case_ids)
            assert_stored_equals_live(second, case_ids)

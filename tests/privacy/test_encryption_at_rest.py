"""Encryption at rest (tietojen salaus levyllä), on a SQLite file and on PostgreSQL.

One story per store, told with and without a master key: with one, no personal text of it
reaches the database's bytes (a SQLite file and its WAL; PostgreSQL's rows read back raw);
without one, every marker does (so the search can fail). Then an erasure: the case can no
longer be read by any means the library has, its wrapped key is gone from the SQLite files,
its stored projections keep only its summary, and the other case reads as before. Then a
rotation: every case reads with the new key, and the old key is refused.
"""

from __future__ import annotations

from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent

from perhetyo import (
    CaseErasedError,
    FamilyCases,
    MasterKeyError,
    generate_key,
)
from perhetyo.events import CaseErased
from perhetyo.projections import audit_trail, current_plan, goal_progress
from perhetyo.testing import StoryClock, open_sample_case
from privacy.stores import MARKERS, READER, found, raw_bytes, tell_marked_stories

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


@pytest.mark.parametrize("encrypted", [True, False], ids=["with-key", "without-key"])
def test_with_a_master_key_no_personal_text_reaches_the_database(
    shared_store_url: str, encrypted: bool
) -> None:
    clock = StoryClock()
    key = generate_key() if encrypted else None
    with FamilyCases(shared_store_url, clock=clock, master_key=key) as cases:
        case_ids = tell_marked_stories(cases, clock)
        while_open = raw_bytes(shared_store_url)
        for case_id in case_ids:  # the live reads still see everything
            assert cases.current_plan(case_id, actor=READER).children[0].display_name
    after_close = raw_bytes(shared_store_url)

    for raw in (while_open, after_close):
        present = [marker for marker in MARKERS if found(marker, raw)]
        if encrypted:
            assert present == []
        else:
            assert present == list(MARKERS)


def _stored_events(cases: FamilyCases, case_id: UUID) -> list[StoredEvent]:
    return list(cases._store.recorder.select_events(case_id))


def test_an_erased_case_cannot_be_read_and_its_projections_keep_only_its_summary(
    shared_store_url: str,
) -> None:
    clock = StoryClock()
    key = generate_key()
    with FamilyCases(shared_store_url, clock=clock, master_key=key) as cases:
        demo, marked = tell_marked_stories(cases, clock)
        wrapped = cases._keyring.wrapped_case_key(marked)
        assert wrapped is not None
        assert found(wrapped, raw_bytes(shared_store_url))
        demo_plan = cases.current_plan(demo, actor=READER)
        demo_trail = cases.audit_trail(demo, actor=READER)
        demo_stored = cases.stored_views.current_plan(demo)
        events_before = len(_stored_events(cases, marked))

        cases.erase_case(marked, reason="retention period ended", actor=READER)
        cases.update_projections()

        erasure = cases.erasure(marked, actor=READER)
        assert isinstance(erasure, CaseErased)
        assert erasure.summary.events == events_before
        assert erasure.summary.child_ids == ("marker-child",)
        stored_after_erasure = cases.stored_views.current_plan(marked)

    if shared_store_url.startswith("sqlite"):  # secure_delete and a WAL checkpoint
        assert not found(wrapped, raw_bytes(shared_store_url))

    # A fresh instance, as any later process: no means the library has reads the case.
    with FamilyCases(shared_store_url, clock=clock, master_key=key) as cases:
        for read in (cases.current_plan, cases.goal_progress, cases.audit_trail, cases.history):
            with pytest.raises(CaseErasedError):
                read(marked, actor=READER)
        with pytest.raises(CaseErasedError):
            cases.erase_case(marked, reason="again", actor=READER)
        assert cases._keyring.wrapped_case_key(marked) is None
        stored = _stored_events(cases, marked)
        assert len(stored) == events_before + 1
        for event in stored[:-1]:
            with pytest.raises(CaseErasedError):
                cases._store.mapper.to_domain_event(event)

        # Every other case reads as before.
        assert cases.current_plan(demo, actor=READER) == demo_plan
        assert cases.audit_trail(demo, actor=READER) == demo_trail
        assert cases.stored_views.current_plan(demo) == demo_stored

        # The stored projections hold what the summary holds, and a rebuild agrees.
        views = cases.stored_views
        for rebuilt in (False, True):
            if rebuilt:
                cases.rebuild_projections()
            assert views.current_plan(marked) == current_plan.apply(None, erasure)
            assert list(views.goal_progress(marked)) == list(goal_progress.apply((), erasure))
            assert list(views.audit_trail(marked)) == list(audit_trail.apply((), erasure))
            assert views.current_plan(marked) == stored_after_erasure

    raw = raw_bytes(shared_store_url)
    assert [marker for marker in MARKERS if found(marker, raw)] == []


def test_rotation_keeps_every_case_readable_and_retires_the_old_key(
    shared_store_url: str,
) -> None:
    clock = StoryClock()
    old, new = generate_key(), generate_key()
    with FamilyCases(shared_store_url, clock=clock, master_key=old) as cases:
        case_ids = tell_marked_stories(cases, clock)
        plans = [cases.current_plan(case_id, actor=READER) for case_id in case_ids]
        chain_key = cases._keyring.chain_key()
        wrapped = [cases._keyring.wrapped_case_key(case_id) for case_id in case_ids]
        assert cases.rotate_master_key(new) == len(case_ids) + 2  # and the two secrets
        # The same instance goes on with the new key: reads, then a new case.
        assert [cases.current_plan(case_id, actor=READER) for case_id in case_ids] == plans
        case_ids.append(open_sample_case(cases))
        plans.append(cases.current_plan(case_ids[-1], actor=READER))
        wrapped.append(None)

    with pytest.raises(MasterKeyError):
        FamilyCases(shared_store_url, clock=clock, master_key=old)
    with FamilyCases(shared_store_url, clock=clock, master_key=new) as cases:
        assert [cases.current_plan(case_id, actor=READER) for case_id in case_ids] == plans
        assert cases._keyring.chain_key() == chain_key  # re-wrapped, not replaced
        assert [cases._keyring.wrapped_case_key(case_id) for case_id in case_ids] != wrapped
    if shared_store_url.startswith("sqlite"):
        raw = raw_bytes(shared_store_url)
        assert not any(found(value, raw) for value in wrapped if value is not None)

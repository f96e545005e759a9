"""The access log (käyttöloki, 703/2023 § 11): every read of a case leaves one entry."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from perhetyo import (
    AccessAction,
    AccessEntry,
    Actor,
    CaseNotFoundError,
    FamilyCases,
    InvalidCommandError,
)
from perhetyo.testing import FakeClock, an_actor, open_sample_case

from .helpers import OPENED_ON, a_recipient, disclose, history, set_a_goal

READS = {
    "current_plan": AccessAction.CURRENT_PLAN,
    "goal_progress": AccessAction.GOAL_PROGRESS,
    "audit_trail": AccessAction.AUDIT_TRAIL,
    "history": AccessAction.HISTORY,
}


def _entries(cases: FamilyCases, case_id: UUID) -> list[AccessEntry]:
    """The stored entries, read without logging a read (the store's own view)."""
    return cases._access.entries(case_id, None, None)


@pytest.mark.parametrize("read", list(READS))
def test_every_read_kind_leaves_exactly_one_entry_with_its_action(
    cases: FamilyCases, clock: FakeClock, case_id: UUID, read: str
) -> None:
    reader = an_actor("auditor-1")
    before = _entries(cases, case_id)

    getattr(cases, read)(case_id, actor=reader, purpose="Laillisuusvalvonta")

    [entry] = _entries(cases, case_id)[len(before) :]
    assert entry == AccessEntry(
        case_id=case_id,
        actor_id="auditor-1",
        accessed_at=clock(),
        action=READS[read],
        purpose="Laillisuusvalvonta",
    )


def test_reading_the_log_is_logged_and_returns_that_entry_too(
    cases: FamilyCases, clock: FakeClock, case_id: UUID, actor: Actor
) -> None:
    cases.current_plan(case_id, actor=actor)
    clock.advance()

    log = cases.access_log(case_id, actor=an_actor("dpo-1"))

    assert [(e.action, e.actor_id) for e in log] == [
        (AccessAction.CURRENT_PLAN, actor.id),
        (AccessAction.ACCESS_LOG, "dpo-1"),
    ]
    assert log == _entries(cases, case_id)


def test_a_disclosure_is_in_the_log_beside_the_reads(
    cases: FamilyCases, case_id: UUID, actor: Actor
) -> None:
    cases.history(case_id, actor=actor)
    disclosure_id = disclose(cases, case_id, actor=actor)

    actions = [(e.action, e.disclosure_id, e.purpose) for e in _entries(cases, case_id)]

    assert actions == [
        (AccessAction.HISTORY, None, None),
        (AccessAction.DISCLOSURE, disclosure_id, None),
    ]


def test_a_repeated_disclosure_writes_its_entry_once(
    cases: FamilyCases, case_id: UUID, actor: Actor
) -> None:
    kwargs = {
        "disclosed_on": date(2020, 12, 1),
        "grounds": "Suostumus",
        "purpose": "Koulun tukitoimet",
        "content": "Suunnitelma",
        "actor": actor,
        "request_id": "disclose-1",
    }
    first = cases.record_disclosure(case_id, recipient=a_recipient(), **kwargs)  # type: ignore[arg-type]
    again = cases.record_disclosure(case_id, recipient=a_recipient(), **kwargs)  # type: ignore[arg-type]

    assert first == again
    assert [e.disclosure_id for e in _entries(cases, case_id)] == [first]


def test_reading_never_changes_the_case_version(
    cases: FamilyCases, case_id: UUID, actor: Actor
) -> None:
    set_a_goal(cases, case_id, actor=actor)
    version = cases.current_plan(case_id, actor=actor).version

    for read in READS:
        getattr(cases, read)(case_id, actor=actor)
    cases.access_log(case_id, actor=actor)

    assert cases.current_plan(case_id, actor=actor).version == version == 2
    assert len(history(cases, case_id)) == 2
    assert len(_entries(cases, case_id)) == 8  # the reads above (and history's own)


def test_a_read_of_an_unknown_case_leaves_no_entry(cases: FamilyCases, actor: Actor) -> None:
    unknown = uuid4()

    for read in READS:
        with pytest.raises(CaseNotFoundError):
            getattr(cases, read)(unknown, actor=actor)
    with pytest.raises(CaseNotFoundError):
        cases.access_log(unknown, actor=actor)

    assert _entries(cases, unknown) == []


def test_a_read_as_of_before_the_opening_finds_nothing_and_leaves_no_entry(
    cases: FamilyCases, case_id: UUID, actor: Actor
) -> None:
    with pytest.raises(CaseNotFoundError):
        cases.current_plan(case_id, actor=actor, as_of=OPENED_ON - timedelta(days=1))

    assert _entries(cases, case_id) == []


def test_the_log_can_be_read_for_a_window_of_time(
    cases: FamilyCases, clock: FakeClock, case_id: UUID, actor: Actor
) -> None:
    cases.current_plan(case_id, actor=actor)
    middle = clock.advance(timedelta(hours=1))
    cases.goal_progress(case_id, actor=actor)
    end = clock.advance(timedelta(hours=1))

    window = cases.access_log(case_id, actor=actor, since=middle, until=end)

    assert [e.action for e in window] == [AccessAction.GOAL_PROGRESS]
    assert [e.action for e in cases.access_log(case_id, actor=actor, since=end)] == [
        AccessAction.ACCESS_LOG,
        AccessAction.ACCESS_LOG,
    ]


def test_a_naive_window_is_refused(cases: FamilyCases, case_id: UUID, actor: Actor) -> None:
    with pytest.raises(InvalidCommandError):
        cases.access_log(case_id, actor=actor, since=datetime(2020, 1, 1))  # noqa: DTZ001


def test_a_purpose_holding_a_personal_identity_code_is_refused_and_logs_nothing(
    cases: FamilyCases, case_id: UUID, actor: Actor
) -> None:
    with pytest.raises(InvalidCommandError) as info:
        cases.current_plan(case_id, actor=actor, purpose="Tarkistus 131052-308T")

    assert "131052-308T" not in str(info.value)
    assert _entries(cases, case_id) == []


def test_the_host_logs_its_own_reads_of_several_cases(
    cases: FamilyCases, clock: FakeClock, case_id: UUID, actor: Actor
) -> None:
    other = open_sample_case(cases)

    cases.record_access([case_id, other], actor=actor, purpose="Asiakaskirje")

    for each in (case_id, other):
        assert _entries(cases, each) == [
            AccessEntry(
                case_id=each,
                actor_id=actor.id,
                accessed_at=clock(),
                action=AccessAction.HOST_READ,
                purpose="Asiakaskirje",
            )
        ]


def test_entries_hold_the_actor_id_and_never_the_name(
    cases: FamilyCases, case_id: UUID
) -> None:
    reader = Actor(id="sw-99", name="Maija Meikäläinen", organisation="Hyvinvointialue X")

    cases.current_plan(case_id, actor=reader)

    [entry] = _entries(cases, case_id)
    assert entry.actor_id == "sw-99"
    assert "Maija" not in entry.model_dump_json()


def test_an_entry_time_is_utc(cases: FamilyCases, clock: FakeClock, case_id: UUID) -> None:
    clock.set(datetime(2021, 6, 1, 9, 0, tzinfo=UTC))

    cases.history(case_id, actor=an_actor())

    assert _entries(cases, case_id)[0].accessed_at.utcoffset() == timedelta(0)


def test_threads_reading_an_in_memory_sqlite_store_each_leave_their_entries(
    clock: FakeClock,
) -> None:
    """Its one shared connection takes one transaction at a time (no interleaved BEGINs)."""
    with FamilyCases("sqlite:///:memory:", clock=clock) as store:
        case_id = open_sample_case(store)
        failures: list[BaseException] = []

        def read() -> None:
            try:
                for _ in range(50):
                    store.current_plan(case_id, actor=an_actor())
            except BaseException as exc:
                failures.append(exc)

        threads = [threading.Thread(target=read) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

        assert failures == []
        assert len(_entries(store, case_id)) == 200

"""Regression tests (regressiotestit) for defects of release 0.1 found in the restructure.

Each test failed on release 0.1 and names the defect it guards (issue "Restructure the
house", section 2).
"""

from __future__ import annotations

import os
import sqlite3
import stat
import traceback
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid5

import orjson
import pytest

from perhetyo import (
    Actor,
    AgreePlan,
    CorruptRecordError,
    FamilyCases,
    InvalidCommandError,
    LegalBasis,
    MeetingKind,
    NamedWorker,
    OutOfOrderError,
    PerhetyoError,
    PersonRef,
    ServiceKind,
    StoreClosedError,
    Successor,
)
from perhetyo.persistence import settings_for_url
from perhetyo.persistence.chain import body_of
from perhetyo.persistence.identity import LEGACY_REQUEST_NAMESPACE
from perhetyo.testing import FakeClock, a_child, a_guardian, a_worker, an_actor, open_sample_case

TODAY = date(2020, 12, 31)


def _open(cases: FamilyCases, request_id: str) -> UUID:
    return cases.open_case(
        children=[a_child()],
        guardians=[a_guardian()],
        legal_basis=LegalBasis.SOCIAL_WELFARE_ACT,
        named_worker=a_worker(),
        opened_on=date(2020, 8, 12),
        actor=an_actor(),
        request_id=request_id,
    )


# --- defect 3: identity codes ------------------------------------------------------------


@pytest.mark.parametrize(
    "request_id",
    [
        "open-131052-308T",
        "131052-308T",
        "open-131052-308A",  # any check character
        "x/010101A123N/1",
        "open-\x00-1",
    ],
)
def test_a_request_id_holding_an_identity_code_or_nul_is_refused_and_nothing_recorded(
    cases: FamilyCases, actor: Actor, request_id: str
) -> None:
    with pytest.raises(InvalidCommandError) as raised:
        _open(cases, request_id)

    assert "131052" not in str(raised.value)
    assert "010101" not in str(raised.value)
    assert raised.value.errors[0]["loc"] == ("request_id",)
    with pytest.raises(InvalidCommandError):
        cases.case_id_for_request(request_id)


def test_a_case_id_from_a_request_id_is_keyed_by_the_store_and_reveals_nothing(
    tmp_path: Path, clock: FakeClock
) -> None:
    with FamilyCases(f"sqlite:///{tmp_path / 'a.db'}", clock=clock) as first:
        opened = _open(first, "open-1")
    with FamilyCases(f"sqlite:///{tmp_path / 'b.db'}", clock=clock) as second:
        other = _open(second, "open-1")

    assert opened != uuid5(LEGACY_REQUEST_NAMESPACE, "open-1")
    assert opened != other  # each store has its own key
    with FamilyCases(f"sqlite:///{tmp_path / 'a.db'}", clock=clock) as reopened:
        assert _open(reopened, "open-1") == opened  # a retry finds its case after a restart
        assert reopened.case_id_for_request("open-1") == opened


def test_a_store_opened_by_release_0_1_finds_its_cases_by_the_old_derivation(
    tmp_path: Path, clock: FakeClock
) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    with FamilyCases(url, clock=clock) as cases:
        new_id = _open(cases, "seed")
    legacy_id = uuid5(LEGACY_REQUEST_NAMESPACE, "open-1")
    _copy_case_as(tmp_path / "old.db", new_id, legacy_id, request_id="open-1")

    with FamilyCases(url, clock=clock) as cases:
        assert _open(cases, "open-1") == legacy_id  # the retry is answered, nothing new
        assert len(cases.history(legacy_id, actor=an_actor())) == 1


def _copy_case_as(db: Path, source: UUID, target: UUID, *, request_id: str) -> None:
    """Store a copy of ``source``'s first event as ``target``'s, as release 0.1 wrote it."""
    with sqlite3.connect(db) as conn:
        (state,) = conn.execute(
            "SELECT state FROM stored_events WHERE originator_id = ? AND originator_version = 1",
            (source.hex,),
        ).fetchone()
        fields: dict[str, Any] = orjson.loads(body_of(state))  # unchained, as 0.1 wrote it
        fields["request_id"] = request_id
        conn.execute(
            "INSERT INTO stored_events (originator_id, originator_version, topic, state) "
            "VALUES (?, 1, 'perhetyo.CaseOpened.v1', ?)",
            (target.hex, orjson.dumps(fields)),
        )


def test_a_stored_id_that_todays_rules_refuse_stays_readable(
    tmp_path: Path, clock: FakeClock
) -> None:
    url = f"sqlite:///{tmp_path / 'cases.db'}"
    with FamilyCases(url, clock=clock) as cases:
        case_id = open_sample_case(cases)
    with sqlite3.connect(tmp_path / "cases.db") as conn:
        (state,) = conn.execute("SELECT state FROM stored_events").fetchone()
        conn.execute(
            "UPDATE stored_events SET state = ?",
            # as an older version stored it: unchained, so the chain has nothing to check
            (body_of(state).replace(b'"child-1"', b'"c-131052-308A"'),),
        )

    with FamilyCases(url, clock=clock) as cases:
        plan = cases.current_plan(case_id, actor=an_actor())
        assert plan.children[0].id == "c-131052-308A"
        cases.record_meeting(
            case_id, kind=MeetingKind.NETWORK, held_on=TODAY, summary="Ok", actor=an_actor()
        )


# --- defect 4: value objects raise perhetyo's error ----------------------------------------


@pytest.mark.parametrize(
    ("model", "fields"),
    [
        (PersonRef, {"id": "131052-308T", "display_name": "SECRETNAME"}),
        (Actor, {"id": "sw 1", "name": "SECRETNAME"}),
        (NamedWorker, {"id": "w-1", "name": "SECRETNAME", "profession": "boss"}),
        (Successor, {"kind": "SECRETNAME"}),
    ],
)
def test_value_objects_raise_invalid_command_error_without_their_input(
    model: type[Any], fields: dict[str, Any]
) -> None:
    with pytest.raises(InvalidCommandError) as raised:
        model(**fields)

    error = raised.value
    assert isinstance(error, PerhetyoError)
    assert isinstance(error, ValueError)
    assert "SECRETNAME" not in str(error)
    assert "SECRETNAME" not in repr(error.errors)
    assert all("input" not in item for item in error.errors)


# --- defect 9: no free text in summaries --------------------------------------------------


def test_the_service_order_summary_does_not_name_the_provider(
    cases: FamilyCases, case_id: UUID, actor: Actor
) -> None:
    cases.order_service(
        case_id,
        kind=ServiceKind.SUPPORT_FAMILY,
        provider="Tukiperhe SECRETNAME",
        ordered_on=TODAY,
        actor=actor,
    )

    entry = cases.audit_trail(case_id, actor=actor)[-1]
    assert "SECRETNAME" not in entry.summary
    assert "SECRETNAME" not in entry.summary_en


# --- defect 12: record times never go backwards ---------------------------------------------


def test_a_record_time_is_never_before_the_previous_events(
    cases: FamilyCases, case_id: UUID, actor: Actor, clock: FakeClock
) -> None:
    first = cases.history(case_id, actor=actor)[-1].timestamp
    clock.set(first - timedelta(hours=2))  # another server's clock is behind

    cases.record_meeting(
        case_id, kind=MeetingKind.NETWORK, held_on=date(2020, 12, 30), summary="Ok", actor=actor
    )

    history = cases.history(case_id, actor=actor)
    assert [event.timestamp for event in history] == sorted(event.timestamp for event in history)
    middle = first - timedelta(hours=1)
    before = cases.current_plan(case_id, actor=actor, recorded_before=middle + timedelta(hours=2))
    assert before.version == len(history)


# --- defect 13: a service's goals exist on its order date -------------------------------------


def test_a_service_may_not_name_a_goal_set_after_its_order_date(
    cases: FamilyCases, case_id: UUID, actor: Actor
) -> None:
    goal_id = cases.set_goal(case_id, description="Ok", set_on=date(2020, 10, 1), actor=actor)
    before = len(cases.history(case_id, actor=actor))

    with pytest.raises(OutOfOrderError):
        cases.order_service(
            case_id,
            kind=ServiceKind.FAMILY_WORK,
            provider="Oy",
            ordered_on=date(2020, 9, 1),
            goal_ids=[goal_id],
            actor=actor,
        )

    assert len(cases.history(case_id, actor=actor)) == before
    service_id = cases.order_service(
        case_id,
        kind=ServiceKind.FAMILY_WORK,
        provider="Oy",
        ordered_on=date(2020, 10, 1),
        goal_ids=[goal_id],
        actor=actor,
    )
    plan = cases.current_plan(case_id, actor=actor, as_of=date(2020, 10, 1))
    assert {goal.goal_id for goal in plan.goals} >= set(plan.services[0].goal_ids)
    assert plan.services[0].service_id == service_id


# --- defect 15: after close() -----------------------------------------------------------------


def test_a_closed_memory_store_refuses_every_call_with_a_perhetyo_error(clock: FakeClock) -> None:
    cases = FamilyCases("memory://", clock=clock)
    case_id = open_sample_case(cases)
    cases.close()

    for call in (
        lambda: open_sample_case(cases),
        lambda: cases.current_plan(case_id, actor=an_actor()),
        lambda: cases.execute(
            AgreePlan(case_id=case_id, agreed_on=TODAY, agreements=["Ok"], actor=an_actor())
        ),
        cases.update_projections,
    ):
        with pytest.raises(StoreClosedError) as raised:
            call()
        assert str(raised.value)


def test_the_typed_execute_returns_what_the_method_returns(
    cases: FamilyCases, case_id: UUID, actor: Actor
) -> None:
    version: int = cases.execute(
        AgreePlan(case_id=case_id, agreed_on=TODAY, agreements=["Ok"], actor=actor)
    )
    assert version == 1


# --- defect 6 (store files): a SQLite store is readable by its owner only -----------------------


def test_a_new_sqlite_store_and_its_journal_are_created_readable_by_the_owner_only(
    tmp_path: Path, clock: FakeClock
) -> None:
    previous = os.umask(0o022)  # a typical umask would leave them readable by everyone
    try:
        with FamilyCases(f"sqlite:///{tmp_path / 'cases.db'}", clock=clock) as cases:
            open_sample_case(cases)
            cases.update_projections()
            modes = {
                path.name: stat.S_IMODE(path.stat().st_mode)
                for path in tmp_path.iterdir()
                if path.name.startswith("cases.db")
            }
    finally:
        os.umask(previous)

    assert {"cases.db", "cases.db-wal"} <= set(modes)
    assert all(mode == 0o600 for mode in modes.values()), modes


# --- defect 10: a corrupted stored event ------------------------------------------------


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(b"{not json SECRETNAME", id="not-json"),
        pytest.param(b'{"opened_on": "2012-05-01 SECRETNAME"}', id="bad-date"),
    ],
)
def test_a_corrupted_event_names_its_case_and_version_and_other_cases_stay_readable(
    tmp_path: Path, clock: FakeClock, damage: bytes
) -> None:
    url = f"sqlite:///{tmp_path / 'cases.db'}"
    with FamilyCases(url, clock=clock) as cases:
        damaged = open_sample_case(cases)
        healthy = open_sample_case(cases)
    with sqlite3.connect(tmp_path / "cases.db") as conn:
        conn.execute(
            "UPDATE stored_events SET state = ? WHERE originator_id = ?", (damage, damaged.hex)
        )

    with FamilyCases(url, clock=clock) as cases:
        for call in (
            lambda: cases.current_plan(damaged, actor=an_actor()),
            lambda: cases.record_meeting(
                damaged, kind=MeetingKind.NETWORK, held_on=TODAY, summary="Ok", actor=an_actor()
            ),
        ):
            with pytest.raises(CorruptRecordError) as raised:
                call()
            error = raised.value
            assert (error.case_id, error.version) == (damaged, 1)
            text = "".join(traceback.format_exception(error))
            assert "SECRETNAME" not in text
            assert "2012-05-01" not in text
            assert error.__context__ is None
        assert cases.current_plan(healthy, actor=an_actor()).case_id == healthy
        cases.record_meeting(
            healthy, kind=MeetingKind.NETWORK, held_on=TODAY, summary="Ok", actor=an_actor()
        )


# --- the URL never shows a password ------------------------------------------------------


def test_the_store_url_shown_by_family_cases_hides_the_password() -> None:
    settings_url = "postgresql://worker:s3cretPW@127.0.0.1:1/db?connect_timeout=1"
    with pytest.raises(PerhetyoError) as raised:
        FamilyCases(settings_url)
    assert "s3cretPW" not in "".join(traceback.format_exception(raised.value))
    with FamilyCases("memory://") as cases:
        assert cases.url == "memory://"
    assert settings_for_url(settings_url).shown_url == (
        "postgresql://worker:***@127.0.0.1:1/db?connect_timeout=1"
    )

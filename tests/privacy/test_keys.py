"""The master key, the key ring and the payload cipher (pääavain, avainrengas, salain).

Start-up refuses a missing, malformed or wrong key before anything is written; a payload
is bound to its row (case id, version, topic), so a swapped, edited or plain payload reads
as a corrupt record; erasing is refused on an open case, on a store without a key, and
twice. SQLite files and memory:// only: the PostgreSQL runs are in test_encryption_at_rest.
"""

from __future__ import annotations

import base64
import logging
import sqlite3
from datetime import date
from pathlib import Path
from uuid import UUID

import pytest

from perhetyo import (
    CaseErasedError,
    ClosureReason,
    ConfigurationError,
    CorruptRecordError,
    EraseCase,
    ErasureRefusedError,
    FamilyCases,
    MasterKeyError,
    TamperedRecordError,
    generate_key,
)
from perhetyo.persistence.keyring import MASTER_KEY_VARIABLE
from perhetyo.testing import FakeClock, a_child, an_actor, open_sample_case

ME = an_actor()


def _close(cases: FamilyCases, case_id: UUID) -> None:
    cases.close_case(
        case_id,
        closed_on=date(2020, 9, 1),
        reason=ClosureReason.NO_LONGER_NEEDED,
        child_views={a_child().id: "Kiva että loppuu"},
        actor=ME,
    )


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as db:
        return {name for (name,) in db.execute("SELECT name FROM sqlite_master")}


def _events(path: Path) -> int:
    with sqlite3.connect(path) as db:
        (count,) = db.execute("SELECT count(*) FROM stored_events").fetchone()
    return int(count)


# --- the key itself ---------------------------------------------------------------------------


def test_generate_key_makes_url_safe_base64_of_32_random_bytes() -> None:
    keys = {generate_key() for _ in range(20)}
    assert len(keys) == 20
    for key in keys:
        assert isinstance(key, str)
        assert len(base64.urlsafe_b64decode(key)) == 32


@pytest.mark.parametrize(
    "key", ["", "not base64 at all!", base64.urlsafe_b64encode(b"short").decode(), "ä" * 44]
)
def test_a_malformed_key_is_refused_without_showing_it(key: str) -> None:
    with pytest.raises(MasterKeyError) as raised:
        FamilyCases("memory://", master_key=key)
    if key:
        assert key not in str(raised.value)
    assert raised.value.__cause__ is None


def test_the_key_comes_from_the_environment_when_not_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(MASTER_KEY_VARIABLE, generate_key())
    with FamilyCases("memory://") as cases:
        assert cases.encrypted
        assert cases._keyring.chain_key() is not None
    monkeypatch.setenv(MASTER_KEY_VARIABLE, "nonsense")
    with pytest.raises(MasterKeyError):
        FamilyCases("memory://")


def test_without_a_key_the_store_works_unencrypted_and_says_so_once(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(MASTER_KEY_VARIABLE, raising=False)
    caplog.set_level(logging.INFO, logger="perhetyo")
    with FamilyCases("memory://", clock=FakeClock()) as cases:
        case_id = open_sample_case(cases)
        cases.current_plan(case_id, actor=ME)
        assert not cases.encrypted
        assert cases._keyring.chain_key() is None
    said = [r.getMessage() for r in caplog.records if "not encrypted" in r.getMessage()]
    assert said == ["perhetyo store is not encrypted: no master key was given"]


# --- start-up refusals, before anything is written -------------------------------------------


def test_an_encrypted_store_refuses_no_key_and_a_wrong_key_and_writes_nothing(
    tmp_path: Path,
) -> None:
    path = tmp_path / "cases.db"
    key = generate_key()
    with FamilyCases(f"sqlite:///{path}", clock=FakeClock(), master_key=key) as cases:
        case_id = open_sample_case(cases)
        chain_key = cases._keyring.chain_key()
    events, tables = _events(path), _tables(path)
    for wrong in (None, generate_key()):
        with pytest.raises(MasterKeyError):
            FamilyCases(f"sqlite:///{path}", master_key=wrong)
    assert (_events(path), _tables(path)) == (events, tables)
    with FamilyCases(f"sqlite:///{path}", clock=FakeClock(), master_key=key) as cases:
        assert cases.current_plan(case_id, actor=ME).case_id == case_id
        assert cases._keyring.chain_key() == chain_key
        assert chain_key is not None
        assert len(chain_key) == 32


def test_a_key_is_refused_on_a_store_that_holds_unencrypted_events(tmp_path: Path) -> None:
    path = tmp_path / "plain.db"
    with FamilyCases(f"sqlite:///{path}", clock=FakeClock()) as cases:
        open_sample_case(cases)
    tables = _tables(path)
    with pytest.raises(MasterKeyError, match="unencrypted events"):
        FamilyCases(f"sqlite:///{path}", master_key=generate_key())
    assert _tables(path) == tables  # no key table was made
    with FamilyCases(f"sqlite:///{path}", clock=FakeClock()) as cases:  # still works as it was
        assert not cases.encrypted


# --- a payload is bound to its row -------------------------------------------------------------


def _store_with_two_cases(path: Path, key: str) -> tuple[UUID, UUID]:
    with FamilyCases(f"sqlite:///{path}", clock=FakeClock(), master_key=key) as cases:
        first, second = open_sample_case(cases), open_sample_case(cases)
        cases.set_goal(first, description="Tavoite", set_on=date(2020, 8, 20), actor=ME)
    return first, second


def _state(path: Path, case_id: UUID, version: int) -> bytes:
    with sqlite3.connect(path) as db:
        (state,) = db.execute(
            "SELECT state FROM stored_events WHERE originator_id = ? AND originator_version = ?",
            (case_id.hex, version),
        ).fetchone()
    return bytes(state)


def _set_state(path: Path, case_id: UUID, version: int, state: bytes) -> None:
    with sqlite3.connect(path) as db:
        db.execute(
            "UPDATE stored_events SET state = ? WHERE originator_id = ? AND originator_version = ?",
            (state, case_id.hex, version),
        )


@pytest.mark.parametrize("edit", ["swap-cases", "swap-versions", "one-byte", "plain-json"])
def test_a_moved_edited_or_plain_payload_reads_as_a_corrupt_record(
    tmp_path: Path, edit: str
) -> None:
    path = tmp_path / "cases.db"
    key = generate_key()
    first, second = _store_with_two_cases(path, key)
    if edit == "swap-cases":
        _set_state(path, first, 1, _state(path, second, 1))
    elif edit == "swap-versions":
        _set_state(path, first, 1, _state(path, first, 2))
    elif edit == "one-byte":
        state = bytearray(_state(path, first, 1))
        state[len(state) // 2] ^= 0x01
        _set_state(path, first, 1, bytes(state))
    else:
        _set_state(path, first, 1, b'{"children": []}')
    with FamilyCases(f"sqlite:///{path}", clock=FakeClock(), master_key=key) as cases:
        with pytest.raises(CorruptRecordError) as raised:
            cases.current_plan(first, actor=ME)
        # A plain-JSON payload looks like an event from before the chain; the chain then
        # finds version 2 sealed over a tag that version 1 no longer has, and the case is
        # refused there, before anything of it is decoded.
        expected_version = 2 if edit == "plain-json" else 1
        assert (raised.value.case_id, raised.value.version) == (first, expected_version)
        assert cases.current_plan(second, actor=ME).case_id == second


def test_a_wrapped_key_moved_to_another_case_does_not_open(tmp_path: Path) -> None:
    path = tmp_path / "cases.db"
    key = generate_key()
    first, second = _store_with_two_cases(path, key)
    with sqlite3.connect(path) as db:
        (wrapped,) = db.execute(
            "SELECT wrapped FROM perhetyo_case_keys WHERE case_id = ?", (str(second),)
        ).fetchone()
        db.execute(
            "UPDATE perhetyo_case_keys SET wrapped = ? WHERE case_id = ?", (wrapped, str(first))
        )
    with (
        FamilyCases(f"sqlite:///{path}", clock=FakeClock(), master_key=key) as cases,
        pytest.raises(CorruptRecordError),
    ):
        cases.current_plan(first, actor=ME)


# --- erasing: what is refused -----------------------------------------------------------------


def test_erasing_an_open_case_is_refused_and_records_nothing() -> None:
    with FamilyCases("memory://", clock=FakeClock(), master_key=generate_key()) as cases:
        case_id = open_sample_case(cases)
        version = cases.current_plan(case_id, actor=ME).version
        with pytest.raises(ErasureRefusedError, match="open"):
            cases.erase_case(case_id, reason="retention ended", actor=ME)
        assert cases.current_plan(case_id, actor=ME).version == version


def test_erasing_on_a_store_without_a_key_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MASTER_KEY_VARIABLE, raising=False)
    with FamilyCases("memory://", clock=FakeClock()) as cases:
        case_id = open_sample_case(cases)
        _close(cases, case_id)
        version = cases.current_plan(case_id, actor=ME).version
        with pytest.raises(ErasureRefusedError, match="no master key"):
            cases.erase_case(case_id, reason="retention ended", actor=ME)
        assert cases.current_plan(case_id, actor=ME).version == version


def test_erasing_twice_is_refused_and_an_unknown_case_is_not_found() -> None:
    with FamilyCases("memory://", clock=FakeClock(), master_key=generate_key()) as cases:
        case_id = open_sample_case(cases)
        _close(cases, case_id)
        cases.execute(EraseCase(case_id=case_id, reason="retention ended", actor=ME))
        with pytest.raises(CaseErasedError):
            cases.erase_case(case_id, reason="again", actor=ME)
        assert cases.erasure(case_id, actor=ME).reason == "retention ended"
        with pytest.raises(LookupError):
            cases.erase_case(UUID(int=7), reason="no such case", actor=ME)


def test_an_erasure_stopped_before_its_key_was_destroyed_is_finished_by_a_retry() -> None:
    with FamilyCases("memory://", clock=FakeClock(), master_key=generate_key()) as cases:
        case_id = open_sample_case(cases)
        _close(cases, case_id)
        keyring = cases._keyring
        destroy = keyring.destroy
        keyring.destroy = lambda case_id: None  # type: ignore[method-assign]
        cases.erase_case(case_id, reason="retention ended", actor=ME)
        assert keyring.wrapped_case_key(case_id) is not None  # the key survived the stop
        with pytest.raises(CaseErasedError):  # reads refuse it already
            cases.current_plan(case_id, actor=ME)
        keyring.destroy = destroy  # type: ignore[method-assign]
        with pytest.raises(CaseErasedError):
            cases.erase_case(case_id, reason="retention ended", actor=ME)
        assert keyring.wrapped_case_key(case_id) is None


def test_with_a_master_key_the_chain_is_keyed_and_catches_one_flipped_byte(
    tmp_path: Path,
) -> None:
    path = tmp_path / "cases.db"
    key = generate_key()
    first, second = _store_with_two_cases(path, key)
    state = bytearray(_state(path, first, 2))
    state[-1] ^= 0x01  # the last byte of the ciphertext
    _set_state(path, first, 2, bytes(state))
    with FamilyCases(f"sqlite:///{path}", clock=FakeClock(), master_key=key) as cases:
        report = cases.verify_integrity()
        assert report.keyed
        assert report.broken == [(first, 2)]
        with pytest.raises(TamperedRecordError) as raised:
            cases.current_plan(first, actor=ME)
        assert (raised.value.case_id, raised.value.version) == (first, 2)
        assert cases.current_plan(second, actor=ME).case_id == second


def test_a_master_key_and_a_chain_key_together_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "cases.db"
    with pytest.raises(ConfigurationError, match="not both"):
        FamilyCases(f"sqlite:///{path}", master_key=generate_key(), chain_key=bytes(32))
    assert not path.exists()  # refused before anything was opened

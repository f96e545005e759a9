"""Case locks (asiakkuuden lukitus): a command waits its turn, and fails only on timeout.

The lock is held by another process (``lock_holder.py``, which takes it exactly as every
command does) or by another thread of the same ``FamilyCases``, stopped between its load
and its save by a clock that waits for the test.
"""

from __future__ import annotations

import os
import select
import stat
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from uuid import UUID, uuid4

import pytest

from integration.conftest import OpenCases
from integration.subprocesses import lock_held_by_another_process
from perhetyo import (
    CaseNotFoundError,
    ConcurrentUpdateError,
    ConfigurationError,
    FamilyCases,
    LegalBasis,
    StorageError,
    StoreClosedError,
)
from perhetyo.persistence import advisory_key, postgres_connection, settings_for_url
from perhetyo.persistence.locks import LOCK_FILE_SUFFIX, case_locks
from perhetyo.testing import FakeClock, a_child, a_worker, an_actor, open_sample_case

MARKER = "Salainen-Merkkijono-4471"
"""Planted in a command's free text: no lock error may repeat it."""

JOIN_SECONDS = 30.0
"""The longest a test waits for one of its threads."""


def set_a_goal(cases: FamilyCases, case_id: UUID, description: str = "Tavoite") -> UUID:
    return cases.set_goal(
        case_id, description=description, set_on=date(2020, 9, 1), actor=an_actor()
    )


def versions(cases: FamilyCases, case_id: UUID) -> list[int]:
    return [event.originator_version for event in cases.history(case_id, actor=an_actor())]


def store_of_kind(kind: str, request: pytest.FixtureRequest) -> str:
    """The URL of a store of each kind: a SQLite file, PostgreSQL, memory, SQLite in memory."""
    if kind == "sqlite-file":
        return str(request.getfixturevalue("sqlite_url"))
    if kind == "postgresql":
        return str(request.getfixturevalue("postgres_url"))
    return {"memory": "memory://", "sqlite-in-memory": "sqlite:///:memory:"}[kind]


ALL_KINDS = [
    "sqlite-file",
    pytest.param("postgresql", marks=pytest.mark.postgres),
    "memory",
    "sqlite-in-memory",
]
PER_CASE_KINDS = [
    pytest.param("postgresql", marks=pytest.mark.postgres),
    "memory",
    "sqlite-in-memory",
]


@pytest.fixture
def open_store() -> Iterator[Callable[..., FamilyCases]]:
    """``FamilyCases(url, **options)``; every store opened is closed after the test."""
    opened: list[FamilyCases] = []

    def factory(url: str, **options: object) -> FamilyCases:
        cases = FamilyCases(url, **options)  # type: ignore[arg-type]
        opened.append(cases)
        return cases

    yield factory
    for cases in opened:
        cases.close()


OpenStore = Callable[..., FamilyCases]


# --- another process holds the case ------------------------------------------------------


def test_a_command_on_a_case_another_process_holds_fails_with_concurrent_update_error_after_the_timeout(  # noqa: E501 (a behaviour sentence)
    shared_store_url: str, open_store: OpenStore
) -> None:
    case_id = open_sample_case(open_store(shared_store_url, clock=FakeClock()))
    cases = open_store(shared_store_url, clock=FakeClock(), lock_timeout=0.5)

    with lock_held_by_another_process(shared_store_url, case_id) as holder:
        started = time.monotonic()
        with pytest.raises(ConcurrentUpdateError) as caught:
            set_a_goal(cases, case_id, MARKER)
        waited = time.monotonic() - started
        assert versions(cases, case_id) == [1]  # nothing recorded
        holder.release()
        set_a_goal(cases, case_id)  # the same store writes again once the case is free

    assert 0.5 <= waited < 5
    assert str(case_id) in str(caught.value)
    assert "0.5 s" in str(caught.value)
    assert MARKER not in str(caught.value)
    assert versions(cases, case_id) == [1, 2]


def test_a_command_waits_for_a_lock_held_shorter_than_the_timeout_and_then_succeeds(
    shared_store_url: str, open_store: OpenStore
) -> None:
    case_id = open_sample_case(open_store(shared_store_url, clock=FakeClock()))
    cases = open_store(shared_store_url, clock=FakeClock(), lock_timeout=20)
    failures: list[BaseException] = []

    def command() -> None:
        try:
            set_a_goal(cases, case_id)
        except BaseException as exc:  # reported by the test, not lost on the thread
            failures.append(exc)

    writer = threading.Thread(target=command)
    with lock_held_by_another_process(shared_store_url, case_id) as holder:
        writer.start()
        writer.join(timeout=0.5)
        still_waiting = writer.is_alive()
        recorded_while_held = versions(cases, case_id)
        holder.release()
        writer.join(timeout=JOIN_SECONDS)

    assert still_waiting
    assert recorded_while_held == [1]
    assert not writer.is_alive()
    assert failures == []
    assert versions(cases, case_id) == [1, 2]


@pytest.mark.postgres
def test_on_postgresql_a_held_case_leaves_the_other_cases_free(
    postgres_url: str, open_store: OpenStore
) -> None:
    setup = open_store(postgres_url, clock=FakeClock())
    busy, free = open_sample_case(setup), open_sample_case(setup)
    cases = open_store(postgres_url, clock=FakeClock(), lock_timeout=2)

    with lock_held_by_another_process(postgres_url, busy):
        set_a_goal(cases, free)

    assert versions(cases, free) == [1, 2]


def test_on_a_sqlite_file_a_held_lock_holds_every_case_of_the_database(
    sqlite_url: str, open_store: OpenStore
) -> None:
    setup = open_store(sqlite_url, clock=FakeClock())
    busy, other = open_sample_case(setup), open_sample_case(setup)
    cases = open_store(sqlite_url, clock=FakeClock(), lock_timeout=0.3)

    with lock_held_by_another_process(sqlite_url, busy), pytest.raises(ConcurrentUpdateError):
        set_a_goal(cases, other)

    set_a_goal(cases, other)
    assert versions(cases, other) == [1, 2]


# --- another thread of the same FamilyCases holds the case -------------------------------


class StoppingClock:
    """A fake clock that stops the thread named ``stopped`` until ``go`` is set."""

    def __init__(self) -> None:
        self.fake = FakeClock()
        self.inside = threading.Event()
        self.go = threading.Event()

    def __call__(self) -> datetime:
        if threading.current_thread().name == "stopped":
            self.inside.set()
            self.go.wait(timeout=JOIN_SECONDS)
        return self.fake()


def stopped_between_load_and_save(cases: FamilyCases, case_id: UUID) -> threading.Thread:
    """A thread whose command on ``case_id`` holds the lock until the clock's ``go``."""
    thread = threading.Thread(target=set_a_goal, args=(cases, case_id), name="stopped")
    thread.start()
    return thread


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_a_command_behind_another_thread_of_the_same_store_fails_only_after_the_timeout(
    kind: str, request: pytest.FixtureRequest, open_store: OpenStore
) -> None:
    clock = StoppingClock()
    cases = open_store(store_of_kind(kind, request), clock=clock, lock_timeout=0.3)
    case_id = open_sample_case(cases)

    holder = stopped_between_load_and_save(cases, case_id)
    try:
        assert clock.inside.wait(timeout=JOIN_SECONDS)
        started = time.monotonic()
        with pytest.raises(ConcurrentUpdateError):
            set_a_goal(cases, case_id)
        waited = time.monotonic() - started
    finally:
        clock.go.set()
        holder.join(timeout=JOIN_SECONDS)
    set_a_goal(cases, case_id)

    assert not holder.is_alive()
    assert 0.3 <= waited < 5
    assert versions(cases, case_id) == [1, 2, 3]  # the holder's goal, then the last one


@pytest.mark.parametrize("kind", PER_CASE_KINDS)
def test_commands_on_two_cases_of_one_store_do_not_wait_for_each_other(
    kind: str, request: pytest.FixtureRequest, open_store: OpenStore
) -> None:
    clock = StoppingClock()
    cases = open_store(store_of_kind(kind, request), clock=clock, lock_timeout=0.3)
    busy, free = open_sample_case(cases), open_sample_case(cases)

    holder = stopped_between_load_and_save(cases, busy)
    try:
        assert clock.inside.wait(timeout=JOIN_SECONDS)
        set_a_goal(cases, free)
    finally:
        clock.go.set()
        holder.join(timeout=JOIN_SECONDS)

    assert versions(cases, free) == [1, 2]
    assert versions(cases, busy) == [1, 2]


# --- the timeout and closing ----------------------------------------------------------------


@pytest.mark.parametrize("timeout", [0, -1, float("nan"), float("inf"), True, "30"])
def test_a_lock_timeout_that_is_not_a_positive_number_of_seconds_is_refused(
    timeout: object,
) -> None:
    with pytest.raises(ConfigurationError, match="lock timeout"):
        FamilyCases("memory://", lock_timeout=timeout)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="lock timeout"):
        case_locks(settings_for_url("memory://"), timeout=timeout)  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_closed_case_locks_refuse_to_hold_with_store_closed_error(
    kind: str, request: pytest.FixtureRequest
) -> None:
    locks = case_locks(settings_for_url(store_of_kind(kind, request)))
    with locks.hold(uuid4()):
        pass

    locks.close()

    with pytest.raises(StoreClosedError), locks.hold(uuid4()):
        pass


# --- the SQLite lock file ---------------------------------------------------------------------


def lock_file(tmp_path: Path) -> Path:
    """The lock file of the ``sqlite_url`` fixture's database."""
    return tmp_path / f"cases.db{LOCK_FILE_SUFFIX}"


def test_the_sqlite_lock_file_is_created_beside_the_database_readable_by_its_owner_only(
    sqlite_url: str, tmp_path: Path, open_store: OpenStore
) -> None:
    open_sample_case(open_store(sqlite_url))

    mode = lock_file(tmp_path).lstat().st_mode
    assert stat.S_ISREG(mode)
    assert stat.S_IMODE(mode) == 0o600
    assert lock_file(tmp_path).read_bytes() == b""


def open_42(cases: FamilyCases) -> UUID:
    return cases.open_case(
        children=[a_child()],
        legal_basis=LegalBasis.SOCIAL_WELFARE_ACT,
        named_worker=a_worker(),
        opened_on=date(2020, 8, 12),
        actor=an_actor(),
        request_id="lock-file-42",
    )


@pytest.mark.parametrize("target_exists", [False, True], ids=["dangling", "to-a-file"])
def test_a_symbolic_link_in_place_of_the_sqlite_lock_file_is_refused_and_not_followed(
    target_exists: bool, sqlite_url: str, tmp_path: Path, open_store: OpenStore
) -> None:
    target = tmp_path / "elsewhere"
    if target_exists:
        target.write_bytes(b"keep")
        target.chmod(0o644)
    lock_file(tmp_path).symlink_to(target)
    cases = open_store(sqlite_url)

    with pytest.raises(StorageError, match="symbolic link"):
        open_42(cases)

    if target_exists:
        assert target.read_bytes() == b"keep"
        assert stat.S_IMODE(target.stat().st_mode) == 0o644
    else:
        assert not target.exists()
    with pytest.raises(CaseNotFoundError):  # nothing recorded
        cases.history(cases.case_id_for_request("lock-file-42"), actor=an_actor())


def test_a_fifo_in_place_of_the_sqlite_lock_file_is_refused(
    sqlite_url: str, tmp_path: Path, open_store: OpenStore
) -> None:
    os.mkfifo(lock_file(tmp_path), 0o600)

    with pytest.raises(StorageError, match="not a regular file"):
        open_42(open_store(sqlite_url))


def test_a_store_that_only_reads_creates_no_lock_file(
    sqlite_url: str, tmp_path: Path, open_store: OpenStore
) -> None:
    writer = open_store(sqlite_url)
    case_id = open_sample_case(writer)
    writer.close()
    lock_file(tmp_path).unlink()

    reader = open_store(sqlite_url)
    reader.history(case_id, actor=an_actor())
    reader.current_plan(case_id, actor=an_actor())

    assert not lock_file(tmp_path).exists()


def test_a_lock_file_deleted_while_a_store_has_it_open_is_created_again_and_shared(
    sqlite_url: str, tmp_path: Path, open_store: OpenStore
) -> None:
    cases = open_store(sqlite_url, clock=FakeClock(), lock_timeout=0.5)
    case_id = open_sample_case(cases)  # the store has the lock file open from now on
    lock_file(tmp_path).unlink()

    # The other process creates a new lock file and holds it: the store takes turns on it.
    with lock_held_by_another_process(sqlite_url, case_id), pytest.raises(ConcurrentUpdateError):
        set_a_goal(cases, case_id)
    set_a_goal(cases, case_id)

    assert versions(cases, case_id) == [1, 2]
    assert stat.S_IMODE(lock_file(tmp_path).lstat().st_mode) == 0o600


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc/self/fd")
def test_closing_the_store_closes_its_lock_file(
    sqlite_url: str, tmp_path: Path, open_store: OpenStore
) -> None:
    def open_descriptors() -> int:
        target = str(lock_file(tmp_path))
        return sum(
            1
            for fd in os.listdir("/proc/self/fd")
            if os.path.realpath(f"/proc/self/fd/{fd}") == target
        )

    cases = open_store(sqlite_url)
    open_sample_case(cases)
    while_open = open_descriptors()
    cases.close()

    assert while_open == 1
    assert open_descriptors() == 0


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_takes_the_sqlite_lock_as_a_process_of_its_own(sqlite_url: str) -> None:
    locks = case_locks(settings_for_url(sqlite_url), timeout=0.3)
    case_id = uuid4()
    with locks.hold(case_id):  # the lock file is open in the parent before the fork
        pass
    held_r, held_w = os.pipe()
    done_r, done_w = os.pipe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads: child is brief
        pid = os.fork()
    if pid == 0:  # the child: hold the lock until the parent has tried
        status = 1
        try:
            with locks.hold(case_id):
                os.write(held_w, b"h")
                select.select([done_r], [], [], JOIN_SECONDS)
            status = 0
        finally:
            os._exit(status)
    try:
        ready, _, _ = select.select([held_r], [], [], JOIN_SECONDS)
        assert ready
        with pytest.raises(ConcurrentUpdateError), locks.hold(case_id):
            pass
    finally:
        os.write(done_w, b"d")
        _, status = os.waitpid(pid, 0)
        for fd in (held_r, held_w, done_r, done_w):
            os.close(fd)
    assert status == 0
    deadline = time.monotonic() + JOIN_SECONDS
    while True:  # the parent's own turn comes back once the child has let go
        try:
            with locks.hold(case_id):
                break
        except ConcurrentUpdateError:
            assert time.monotonic() < deadline
    locks.close()


# --- PostgreSQL lock connections --------------------------------------------------------------


@pytest.mark.postgres
def test_a_lock_connection_the_server_closed_is_replaced_by_a_new_one(
    postgres_url: str, open_cases: OpenCases
) -> None:
    settings = settings_for_url(postgres_url)
    locks = case_locks(settings, timeout=5)
    case_id = uuid4()
    namespace = advisory_key("perhetyo.case", settings.schema_or_public) & 0xFFFFFFFF
    key = advisory_key(str(case_id)) & 0xFFFFFFFF
    with postgres_connection(settings) as admin:
        with locks.hold(case_id):
            row = admin.execute(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 2"
                " AND classid = %s AND objid = %s AND granted",
                (namespace, key),
            ).fetchone()
        assert row is not None
        terminated = admin.execute("SELECT pg_terminate_backend(%s, 5000)", (row[0],)).fetchone()
        assert terminated == (True,)

    with locks.hold(case_id):  # the idle connection is gone: a new one takes the lock
        pass
    locks.close()

    cases = open_cases(postgres_url, clock=FakeClock())
    assert versions(cases, open_sample_case(cases)) == [1]

"""The runner logs counts and positions (never client data) and leaves the host's state alone."""

from __future__ import annotations

import gc
import logging
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from perhetyo import FamilyCases, LegalBasis, MeetingKind, PersonRef
from perhetyo.projections.sql.rebuild import REBUILD_PROGRESS_EVERY
from perhetyo.testing import a_worker, an_actor

_MARKER = "SECRETNAME"
_LOGGER = "perhetyo.projections"


def _open_cases_naming(cases: FamilyCases, marker: str, count: int) -> None:
    for n in range(count):
        case_id = cases.open_case(
            children=[PersonRef(id=f"child-{n}", display_name=marker)],
            guardians=[PersonRef(id=f"guardian-{n}", display_name=marker)],
            legal_basis=LegalBasis.SOCIAL_WELFARE_ACT,
            named_worker=a_worker(),
            opened_on=date(2020, 8, 12),
            actor=an_actor(),
        )
        cases.record_meeting(
            case_id, kind=MeetingKind.HOME_VISIT, held_on=date(2020, 9, 1),
            participants=[marker], summary=f"{marker} kotona", actor=an_actor(),
        )


def _gc_seen_by_statements(cases: FamilyCases) -> list[bool]:
    seen: list[bool] = []

    @event.listens_for(cases.stored_views.engine, "before_cursor_execute")
    def _record(*_args: Any) -> None:
        seen.append(gc.isenabled())

    return seen


def test_an_update_leaves_the_garbage_collector_running_and_a_rebuild_pauses_it(
    tmp_path: Path,
) -> None:
    assert gc.isenabled()
    with FamilyCases(f"sqlite:///{tmp_path / 'cases.db'}") as cases:
        _open_cases_naming(cases, "Lapsi", 3)
        cases.projection_status()  # the views exist before the listener is added
        seen = _gc_seen_by_statements(cases)
        assert cases.update_projections() == 6
        assert seen
        assert all(seen)

        cases.stored_views.update(pause_gc=True)  # asked for: a process of its own
        assert gc.isenabled()

        on_rebuild: list[bool] = []

        def during_a_batch(_applied: int) -> None:
            on_rebuild.append(gc.isenabled())  # between batches it runs again

        cases.rebuild_projections(during_a_batch)
        assert on_rebuild == [True]
        assert gc.isenabled()


def test_updates_and_rebuilds_log_counts_and_positions_never_client_data(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="perhetyo")
    url = f"sqlite:///{tmp_path / 'cases.db'}"
    with FamilyCases(url, batch_size=4) as cases:
        _open_cases_naming(cases, _MARKER, 6)
        assert cases.update_projections() == 12
        cases.stored_views.rebuild_batch_size = 1
        cases.rebuild_projections()

    messages = [
        (r.name, r.levelname, r.getMessage()) for r in caplog.records if r.name == _LOGGER
    ]
    assert _MARKER not in caplog.text  # the application's own lines included
    assert (_LOGGER, "INFO", "stored views are 12 behind the log (position 0, head 12)") in (
        messages
    )
    batches = [m for _, level, m in messages if level == "DEBUG" and "applied" in m]
    assert batches[:3] == [
        "live: applied 4 events of 2 cases; position 0 -> 4",
        "live: applied 4 events of 2 cases; position 4 -> 8",
        "live: applied 4 events of 2 cases; position 8 -> 12",
    ]
    assert (_LOGGER, "INFO", "stored views caught up: 12 events applied") in messages
    rebuild = [m for _, level, m in messages if level == "INFO" and "rebuild" in m]
    assert rebuild == [
        "rebuild started (batches of 1 events)",
        f"rebuild: {REBUILD_PROGRESS_EVERY} events folded in {REBUILD_PROGRESS_EVERY} batches",
        "rebuild switched over: 12 events folded, position 12",
    ]
    told = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert _MARKER not in told
    assert str(tmp_path) not in told  # no database URL or path


def test_a_sqlite_worker_logs_its_start_and_stop(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=_LOGGER)
    with FamilyCases(f"sqlite:///{tmp_path / 'cases.db'}") as cases:
        _open_cases_naming(cases, _MARKER, 1)
        stop = threading.Event()
        stop.set()  # stops before its first batch
        cases.run_projections(stop, poll_interval=0.5)
    assert [r.getMessage() for r in caplog.records] == [
        "worker started at position 0, 2 behind the log; polling every 0.5 s",
        "worker stopped: 0 events applied in this run",
    ]


@pytest.mark.postgres
def test_a_standby_worker_on_postgresql_says_once_that_it_stands_by(
    postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=_LOGGER)
    with FamilyCases(postgres_url) as first, FamilyCases(postgres_url) as second:
        first.projection_status()  # the tables exist before two workers start
        stop = threading.Event()
        workers = [
            threading.Thread(target=first.run_projections, args=(stop,)),
            threading.Thread(
                target=second.run_projections, args=(stop,), kwargs={"poll_interval": 0.02}
            ),
        ]
        workers[0].start()
        try:
            _wait_for(caplog, "worker holds the lock of these views")
            workers[1].start()
            _wait_for(caplog, "standby: another worker holds the lock")
            stop.wait(0.3)  # about fifteen more tries of the lock, all refused
        finally:
            stop.set()
            for worker in workers:
                if worker.ident is not None:  # started
                    worker.join(timeout=10)
        assert not any(worker.is_alive() for worker in workers)
    messages = [r.getMessage() for r in caplog.records]
    assert sum("standby" in m for m in messages) == 1
    assert sum(m.startswith("worker holds the lock") for m in messages) == 1


def _wait_for(caplog: pytest.LogCaptureFixture, text: str) -> None:
    deadline = time.monotonic() + 10
    while not any(text in r.getMessage() for r in caplog.records):
        assert time.monotonic() < deadline, f"no log line {text!r} in 10 s"
        time.sleep(0.01)

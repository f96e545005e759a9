"""Commands in threads and a projection thread share one SQLite file (defect 1).

A batch once held SQLite's write lock and then asked eventsourcing's pool for a reader,
while command threads held the pool's writer waiting for that same lock: most commands
failed with ``pool_exhausted`` and the projection thread died.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from uuid import UUID

import pytest

from perhetyo import ConcurrentUpdateError, FamilyCases, MeetingKind
from perhetyo.testing import an_actor, open_sample_case
from projections.histories import assert_stored_equals_live

_THREADS = 3
_COMMANDS = 60
_CONFLICT_RETRIES = 20
_JOIN_SECONDS = 60.0


def _commands(
    cases: FamilyCases, case_id: UUID, errors: list[BaseException]
) -> Callable[[], None]:
    def run() -> None:
        try:
            for n in range(_COMMANDS):
                for _ in range(_CONFLICT_RETRIES):
                    try:
                        cases.record_meeting(
                            case_id,
                            kind=MeetingKind.HOME_VISIT,
                            held_on=date(2020, 9, 1) + timedelta(days=n % 30),
                            summary=f"Kotikäynti {n}",
                            actor=an_actor(),
                        )
                        break
                    except ConcurrentUpdateError:
                        continue  # not this defect: the per-case lock is another change
        except BaseException as exc:
            errors.append(exc)

    return run


@pytest.mark.parametrize("projecting", ["update_projections", "run_projections"])
def test_command_threads_and_a_projection_thread_share_a_sqlite_file_without_errors(
    tmp_path: Path, projecting: str
) -> None:
    with FamilyCases(f"sqlite:///{tmp_path / 'cases.db'}", batch_size=5) as cases:
        case_ids = [open_sample_case(cases) for _ in range(_THREADS)]
        errors: list[BaseException] = []
        projection_errors: list[BaseException] = []
        commands_done = threading.Event()
        batches = 0

        def count(_applied: int) -> None:
            nonlocal batches
            batches += 1

        def project() -> None:
            try:
                if projecting == "run_projections":
                    cases.run_projections(commands_done, poll_interval=0.005, on_batch=count)
                while not commands_done.is_set():
                    cases.update_projections(count)
                cases.update_projections()
            except BaseException as exc:
                projection_errors.append(exc)

        writers = [
            threading.Thread(target=_commands(cases, case_id, errors)) for case_id in case_ids
        ]
        projector = threading.Thread(target=project)
        projector.start()
        for writer in writers:
            writer.start()
        for writer in writers:
            writer.join(timeout=_JOIN_SECONDS)
        commands_done.set()
        projector.join(timeout=_JOIN_SECONDS)

        assert not any(writer.is_alive() for writer in writers), "a command thread hung"
        assert not projector.is_alive(), "the projection thread hung"
        assert errors == []
        assert projection_errors == []
        assert batches > 0  # the projection ran while the commands did
        me = an_actor()
        assert all(len(cases.history(c, actor=me)) == _COMMANDS + 1 for c in case_ids)
        assert cases.update_projections() == 0
        assert_stored_equals_live(cases, case_ids)

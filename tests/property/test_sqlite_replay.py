"""A command sequence stored in a SQLite file reads, after a restart, as it did in memory.

The same random sequence of accepted commands runs on ``memory://`` and on a real SQLite
file, each with its own fake clock started at the same instant. The file's store is closed
and opened again; its reads (current plan, goal progress, audit trail, also as of a date)
then equal the reads it gave before closing and, once the random ids the stores made are
matched by their placeholders, the reads of the memory store.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any
from uuid import UUID

import orjson
import pytest
from hypothesis import given

from perhetyo import FamilyCases
from perhetyo.events import opening_matter_id
from perhetyo.testing import CommandSequence, FakeClock, an_actor, command_sequences

READER = an_actor("reader-1")


def reads(cases: FamilyCases, case_id: UUID) -> dict[str, Any]:
    """Every read of the case, as JSON-ready data."""
    history = cases.history(case_id, actor=READER)
    middle = sorted(event.occurred_on for event in history)[len(history) // 2]
    return {
        "history": [event.model_dump(mode="json") for event in history],
        "plan": cases.current_plan(case_id, actor=READER).model_dump(mode="json"),
        "plan_as_of": cases.current_plan(case_id, actor=READER, as_of=middle).model_dump(
            mode="json"
        ),
        "progress": [
            goal.model_dump(mode="json") for goal in cases.goal_progress(case_id, actor=READER)
        ],
        "trail": [
            entry.model_dump(mode="json") for entry in cases.audit_trail(case_id, actor=READER)
        ],
    }


def with_ids_replaced(data: dict[str, Any], ids: dict[UUID, UUID]) -> dict[str, Any]:
    """``data`` with every id in ``ids`` swapped for its counterpart (in summaries too)."""
    text = orjson.dumps(data).decode()
    for old, new in ids.items():
        text = text.replace(str(old), str(new))
    replaced: dict[str, Any] = orjson.loads(text)
    return replaced


@pytest.fixture(scope="module")
def directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sqlite-replay")


@given(sequence=command_sequences(max_size=15))
def test_a_sequence_read_back_from_a_reopened_sqlite_file_reads_as_in_memory(
    directory: Path, sequence: CommandSequence
) -> None:
    memory_clock = FakeClock()
    with FamilyCases("memory://", clock=memory_clock) as memory:
        in_memory = sequence.run(memory, clock=memory_clock)
        memory_reads = reads(memory, in_memory[sequence.case_id])

    with tempfile.TemporaryDirectory(dir=directory) as folder:
        url = f"sqlite:///{Path(folder) / 'cases.db'}"
        clock = FakeClock()
        with FamilyCases(url, clock=clock) as store:
            in_file = sequence.run(store, clock=clock)
            before_closing = reads(store, in_file[sequence.case_id])
        with FamilyCases(url, clock=FakeClock()) as reopened:
            after_reopening = reads(reopened, in_file[sequence.case_id])

    assert set(in_file) == set(in_memory)
    assert after_reopening == before_closing
    same_ids = {in_memory[placeholder]: in_file[placeholder] for placeholder in in_memory}
    # The opening matter's id is derived from the case id (uuid5), so it differs too.
    same_ids[opening_matter_id(in_memory[sequence.case_id])] = opening_matter_id(
        in_file[sequence.case_id]
    )
    assert with_ids_replaced(memory_reads, same_ids) == after_reopening

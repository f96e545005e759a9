"""Many OS processes append to shared cases: no event lost or doubled; views equal replay."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from perhetyo import FamilyCases, LegalBasis
from perhetyo.testing import a_child, a_worker, an_actor
from projections.histories import assert_stored_equals_live

WRITER = Path(__file__).with_name("writer_process.py")


def _run_writers(url: str, case_ids: list[str], processes: int, commands: int) -> list[dict]:  # type: ignore[type-arg]
    running = [
        subprocess.Popen(
            [sys.executable, str(WRITER), url, json.dumps(case_ids), str(commands), str(n), str(n)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(processes)
    ]
    results = []
    for process in running:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err[-2000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


@pytest.mark.slow
@pytest.mark.parametrize(
    ("processes", "commands", "shared"),
    [pytest.param(4, 200, 20, id="4x200-on-20-cases")],
)
def test_writers_in_many_processes_lose_and_double_nothing(
    shared_store_url: str, processes: int, commands: int, shared: int
) -> None:
    me = an_actor()
    with FamilyCases(shared_store_url) as cases:
        case_ids = [
            str(
                cases.open_case(
                    children=[a_child()],
                    legal_basis=LegalBasis.SOCIAL_WELFARE_ACT,
                    named_worker=a_worker(),
                    opened_on=date(2020, 8, 1),
                    actor=me,
                )
            )
            for _ in range(shared)
        ]
    results = _run_writers(shared_store_url, case_ids, processes, commands)
    accepted = {rid: case for result in results for rid, case in result["accepted"].items()}
    assert [code for result in results for code in result["refusals"]] == []
    assert sum(len(r["repeated"]) for r in results) >= processes * commands // 10 // 2
    with FamilyCases(shared_store_url) as cases:
        seen: Counter[str] = Counter()
        from uuid import UUID  # noqa: PLC0415

        all_ids = [UUID(case) for case in case_ids]
        for case_id in all_ids:
            history = cases.history(case_id, actor=me)
            assert [e.originator_version for e in history] == list(range(1, len(history) + 1))
            for event in history[1:]:
                assert event.request_id is not None
                assert accepted.get(event.request_id) == str(case_id)
                seen[event.request_id] += 1
        assert set(seen) == set(accepted)  # every accepted command is in the log...
        assert set(seen.values()) == {1}  # ...exactly once, repeats included
        assert cases.update_projections() == sum(
            len(cases.history(c, actor=me)) for c in all_ids
        )
        assert_stored_equals_live(cases, all_ids)

"""Encryption on / off (salaus päällä / pois): the same work with and without a master key.

Two workloads, each run once with a master key and once without, in fresh processes:

- ``commands``: 200 commands through ``FamilyCases`` (10 cases of 20: opened, a plan,
  meetings, goals set and updated): every command loads its case (decrypting every event
  of it when encrypted), decides and saves one event (encrypting it);
- ``rebuild``: ``rebuild_projections()`` of a seeded store (the encrypted one decrypts every
  event and leaves the personal columns empty).

``commands-cpu`` is ``commands`` on ``memory://``: no disk, so the cipher's own cost shows.
Run one side in a process of its own:
``python -m benchmarks.encryption commands|commands-cpu|rebuild on|off URL [CASES]`` (CASES
cases of 20 commands; 10 by default). It prints
one JSON line: work (commands or events), seconds, per_second.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import date, timedelta
from typing import Final

from perhetyo import FamilyCases, GoalStatus, MeetingKind
from perhetyo.testing import FakeClock, a_child, an_actor, open_sample_case

KEY: Final = "cGVyaGV0eW8tYmVuY2htYXJrLWtleS0zMi1ieXRlcyE="
"""A fixed master key for the benchmark's stores (32 bytes; never a real store's)."""
CASES: Final = 10
COMMANDS_PER_CASE: Final = 20


def commands(url: str, key: str | None, n_cases: int = CASES) -> int:
    """20 commands per case (200 by default): an opening, a plan, then meetings, goals and
    updates."""
    me = an_actor()
    clock = FakeClock()
    done = 0
    with FamilyCases(url, clock=clock, master_key=key) as cases:
        for _ in range(n_cases):
            case_id = open_sample_case(cases, opened_on=date(2020, 8, 12))
            day = date(2020, 8, 12)
            cases.agree_plan(
                case_id, agreed_on=day, agreements=("Päivärytmi", "Koulunkäynti"), actor=me
            )
            done += 2
            goals = []
            while done % COMMANDS_PER_CASE:
                day += timedelta(days=1)
                step = done % 3
                if step == 0 or not goals:
                    goals.append(
                        cases.set_goal(
                            case_id,
                            description="Perhe syö yhdessä ainakin kerran päivässä.",
                            set_on=day,
                            child_id=a_child().id,
                            actor=me,
                        )
                    )
                elif step == 1:
                    cases.update_goal(
                        case_id,
                        goals[-1],
                        status=GoalStatus.IN_PROGRESS,
                        progress=50,
                        note="Sujuu jo useimpina päivinä; iltaisin vielä vaikeaa.",
                        updated_on=day,
                        actor=me,
                    )
                else:
                    cases.record_meeting(
                        case_id,
                        kind=MeetingKind.HOME_VISIT,
                        held_on=day,
                        participants=("äiti", "perhetyöntekijä"),
                        summary="Kotikäynti: käytiin läpi viikon tavoitteet ja sovittiin uusista.",
                        actor=me,
                    )
                done += 1
    return done


def rebuild(url: str, key: str | None, _n_cases: int = CASES) -> int:
    """``rebuild_projections()`` of the store at ``url``."""
    with FamilyCases(url, master_key=key) as cases:
        return cases.rebuild_projections()


def main(argv: list[str]) -> None:
    """Run one side and print its figures as JSON."""
    workload, encryption, url = argv[:3]
    n_cases = int(argv[3]) if len(argv) > 3 else CASES
    run = {"commands": commands, "commands-cpu": commands, "rebuild": rebuild}[workload]
    key = KEY if encryption == "on" else None
    started = time.perf_counter()
    work = run(url, key, n_cases)
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "workload": workload,
                "encryption": encryption,
                "work": work,
                "seconds": round(seconds, 3),
                "per_second": round(work / seconds, 1),
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1:])

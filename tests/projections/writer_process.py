"""One writer process of the concurrency tests: N random commands on shared cases.

Usage: python writer_process.py URL CASE_IDS_JSON N SEED WORKER
Prints one JSON object: the request ids of accepted commands with their results, the
request ids sent twice, and the codes of refused commands (none are expected: a
busy case waits its turn). Every command carries a request id.
"""

from __future__ import annotations

import json
import random
import sys
from datetime import date, timedelta
from uuid import UUID

from perhetyo import FamilyCases, GoalStatus, MeetingKind, PerhetyoError
from perhetyo.testing import an_actor


def main() -> None:
    url, case_ids_json, count, seed, worker = sys.argv[1:6]
    case_ids = [UUID(value) for value in json.loads(case_ids_json)]
    rng = random.Random(int(seed))
    me = an_actor(f"sw-{worker}")
    accepted: dict[str, str] = {}
    repeated: list[str] = []
    refusals: list[str] = []
    with FamilyCases(url) as cases:
        for n in range(int(count)):
            case_id = rng.choice(case_ids)
            request_id = f"w{worker}-{n}"
            day = date(2020, 9, 1) + timedelta(days=rng.randint(0, 30))
            kind = "meeting" if rng.random() < 0.5 else "goal"

            def send(kind: str = kind, n: int = n, case_id: UUID = case_id, day: date = day,
                     request_id: str = request_id) -> UUID:
                if kind == "meeting":
                    return cases.record_meeting(
                        case_id, kind=MeetingKind.HOME_VISIT, held_on=day,
                        summary=f"Kotikäynti {n}", actor=me, request_id=request_id,
                    )
                return cases.set_goal(
                    case_id, description=f"Tavoite {worker}-{n}", set_on=day,
                    actor=me, request_id=request_id,
                )

            try:
                result = send()
            except PerhetyoError as exc:
                refusals.append(exc.code)
                continue
            accepted[request_id] = str(case_id)
            if kind == "goal" and rng.random() < 0.5:
                try:
                    cases.update_goal(
                        case_id, result, status=GoalStatus.IN_PROGRESS,
                        progress=rng.randint(0, 100), updated_on=day, actor=me,
                        request_id=f"{request_id}-u",
                    )
                except PerhetyoError as exc:
                    refusals.append(exc.code)
                else:
                    accepted[f"{request_id}-u"] = str(case_id)
            if n % 10 == 0:  # at-least-once delivery: the same request again
                again = send()
                assert again == result, (again, result)
                repeated.append(request_id)
    report = {"accepted": accepted, "repeated": repeated, "refusals": refusals}
    sys.stdout.write(json.dumps(report) + "\n")


if __name__ == "__main__":
    main()

"""The access log's cost per read (käyttölokin hinta): ``python -m benchmarks.access_log``.

Reads per second of ``current_plan`` on one case of 25 events, with the access log (every
read commits an entry before it returns) and without it (the same store with its log
swapped for one that keeps nothing: possible only here, the library has no switch), in
the same run, the two sides alternating, medians reported. Stores: ``memory://``, a
SQLite file (``synchronous=FULL``: one fsync per read), and PostgreSQL when ``--postgres``
names a server.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from uuid import UUID

from perhetyo import FamilyCases, GoalStatus
from perhetyo.access import AccessEntry
from perhetyo.testing import an_actor, open_sample_case


class _NoLog:
    """An access log that keeps nothing (the "without" side of the comparison)."""

    def record(self, entries: Sequence[AccessEntry]) -> None:
        """Keep nothing."""

    def entries(
        self, case_id: UUID, since: datetime | None, until: datetime | None
    ) -> list[AccessEntry]:
        """Nothing kept."""
        return []

    def close(self) -> None:
        """Nothing to release."""


def _case(cases: FamilyCases) -> UUID:
    case_id = open_sample_case(cases, opened_on=date(2020, 1, 2))
    actor = an_actor()
    for day in range(1, 13):
        goal_id = cases.set_goal(
            case_id, description=f"Tavoite {day}", set_on=date(2020, 2, day), actor=actor
        )
        cases.update_goal(
            case_id,
            goal_id,
            status=GoalStatus.IN_PROGRESS,
            progress=day,
            updated_on=date(2020, 3, day),
            actor=actor,
        )
    return case_id


def _rate(cases: FamilyCases, case_id: UUID, reads: int) -> float:
    reader = an_actor("reader-1")
    start = time.perf_counter()
    for _ in range(reads):
        cases.current_plan(case_id, actor=reader, purpose="Mittaus")
    return reads / (time.perf_counter() - start)


def measure(url: str, reads: int, repeat: int) -> tuple[float, float]:
    """Median reads/s with and without the access log, on one store."""
    with FamilyCases(url) as cases:
        case_id = _case(cases)
        logged, plain = [], []
        real = cases._access
        for _ in range(repeat):
            cases._access = real
            logged.append(_rate(cases, case_id, reads))
            cases._access = _NoLog()
            plain.append(_rate(cases, case_id, reads))
        cases._access = real
    return statistics.median(logged), statistics.median(plain)


def _drop_schema(server: str) -> None:
    """Leave the server as found: the benchmark's schema goes."""
    import psycopg  # noqa: PLC0415 (only with --postgres)

    conninfo = server.split("?", maxsplit=1)[0].replace("+psycopg", "")
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS perhetyo_bench_access CASCADE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reads", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--postgres", default=None, help="postgresql://user@host/db")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        stores = {
            "memory://": "memory://",
            "SQLite file": f"sqlite:///{Path(tmp) / 'bench.db'}",
        }
        if args.postgres:
            stores["PostgreSQL"] = f"{args.postgres}?schema=perhetyo_bench_access"
        print(f"current_plan reads/s, 25 events, median of {args.repeat} x {args.reads} reads")
        print(f"  {'store':<12} {'with log':>10} {'without':>10} {'ratio':>6} {'cost/read':>10}")
        for name, url in stores.items():
            try:
                logged, plain = measure(url, args.reads, args.repeat)
            finally:
                if name == "PostgreSQL":
                    _drop_schema(args.postgres)
            cost_ms = (1 / logged - 1 / plain) * 1000
            print(
                f"  {name:<12} {logged:>10,.0f} {plain:>10,.0f} {logged / plain:>6.2f} "
                f"{cost_ms:>8.3f}ms"
            )


if __name__ == "__main__":
    main()

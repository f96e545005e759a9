"""The chain's cost (ketjun hinta): commands per second with and without it, same run.

``python -m benchmarks.chain [--cases N] [--commands M] [--repeat R]`` opens N cases on a
fresh SQLite file, then sends M commands round-robin to them (each case grows, so each
load checks more events), three ways in turn, R rounds, medians reported:

- ``off``: the chain neither sealed nor checked (a stand-in chain that passes bytes
  through; the stored events are plain JSON), as before the chain;
- ``sha256``: the chain with plain SHA-256 tags (no chain key);
- ``hmac``: the chain with HMAC-SHA-256 under a chain key.

``--rebuild-cases K`` also times ``rebuild_projections()`` of K seeded 25-event cases with
the runner's chain check and without it (the same log, sealed without a key).

It also counts the event store's reads per command (``select_events`` calls): one, with
and without the chain. And it times the chain's own work per event (seal, check) apart
from the store, to show what a command pays for it.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from benchmarks.seed import EVENTS_PER_CASE, seed
from perhetyo import FamilyCases, MeetingKind
from perhetyo.persistence.chain import Chain, ChainFollower, Head
from perhetyo.testing import FakeClock, an_actor, open_sample_case

KEY = bytes(range(32))
MODES = ("off", "sha256", "hmac")


class _NoChain(Chain):
    """A chain that seals nothing and checks nothing: the store as it was before."""

    def seal_all(self, head: Head, stored: Sequence[StoredEvent]) -> list[StoredEvent]:
        return list(stored)

    def verified(self, case_id: UUID, stored: Iterable[StoredEvent]) -> Head:
        return Head()


def _open(path: Path | None, mode: str) -> FamilyCases:
    url = "sqlite:///:memory:" if path is None else f"sqlite:///{path}"
    cases = FamilyCases(url, clock=FakeClock(), chain_key=KEY if mode == "hmac" else None)
    if mode == "off":
        cases._store.mapper.chain = _NoChain()
    return cases


def run(
    directory: Path | None, mode: str, n_cases: int, n_commands: int
) -> tuple[float, float, float]:
    """Commands per second, this process's CPU microseconds per command (the machine's
    other load and the disk's fsyncs move the first, much less the second), and the
    store's reads per command, for one mode."""
    path = None if directory is None else directory / f"{mode}-{time.monotonic_ns()}.db"
    me = an_actor()
    with _open(path, mode) as cases:
        ids = [open_sample_case(cases) for _ in range(n_cases)]
        recorder: Any = cases._store.recorder
        reads = 0
        select_events = recorder.select_events

        def counted(*args: Any, **kwargs: Any) -> Any:
            nonlocal reads
            reads += 1
            return select_events(*args, **kwargs)

        recorder.select_events = counted
        start, cpu = time.perf_counter(), time.process_time()
        for number in range(n_commands):
            cases.record_meeting(
                ids[number % n_cases],
                kind=MeetingKind.HOME_VISIT,
                held_on=date(2020, 9, 1) + timedelta(days=number % 90),
                summary="Kotikäynti",
                actor=me,
            )
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        if mode != "off":
            assert cases.verify_integrity().ok
    if path is not None:
        path.unlink()
    return n_commands / seconds, cpu / n_commands * 1e6, reads / n_commands


def chain_work(events: int = 50, rounds: int = 200) -> dict[str, float]:
    """Microseconds per event of sealing and of checking, apart from the store."""
    case_id = UUID(int=7)
    body = b'{"kind":"home_visit","summary":"' + b"x" * 300 + b'"}'
    plain = [StoredEvent(case_id, v, "perhetyo.MeetingHeld.v1", body) for v in range(1, events + 1)]
    figures = {}
    for name, key in (("sha256", None), ("hmac", KEY)):
        chain = Chain(key)
        start = time.perf_counter()
        for _ in range(rounds):
            sealed = chain.seal_all(Head(), plain)
        figures[f"seal {name}"] = (time.perf_counter() - start) / (rounds * events) * 1e6
        start = time.perf_counter()
        for _ in range(rounds):
            chain.verified(case_id, sealed)
        figures[f"check {name}"] = (time.perf_counter() - start) / (rounds * events) * 1e6
    return figures


def rebuild(directory: Path, n_cases: int, repeat: int) -> list[str]:
    """A rebuild's events per second (wall and CPU) with and without the chain check."""
    db = directory / "rebuild.db"
    with FamilyCases(f"sqlite:///{db}") as cases:
        seed(cases._store, n_cases)
    checking = ChainFollower.check
    figures: dict[str, list[tuple[float, float]]] = {"off": [], "check": []}
    try:
        for _ in range(repeat):
            for mode, runs in figures.items():
                ChainFollower.check = (  # type: ignore[method-assign]
                    checking if mode == "check" else (lambda _self, _stored: {})
                )
                with FamilyCases(f"sqlite:///{db}") as cases:
                    start, cpu = time.perf_counter(), time.process_time()
                    events = cases.rebuild_projections()
                    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
                runs.append((events / wall, events / cpu))
    finally:
        ChainFollower.check = checking  # type: ignore[method-assign]
    lines = [f"\nRebuild on SQLite, {n_cases * EVENTS_PER_CASE:,} events, median of {repeat}"]
    base = statistics.median(cpu for _, cpu in figures["off"])
    for mode, runs in figures.items():
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        lines.append(
            f"  {mode:<7} {wall:>8,.0f} events/s  CPU {cpu:>8,.0f} events/s "
            f"(ratio {cpu / base:.3f})"
        )
    return lines


def _commands(store: str, where: Path | None, n_cases: int, n_commands: int, repeat: int) -> None:
    """Run and print the three modes on one kind of store, alternating, medians."""
    rates: dict[str, list[float]] = {mode: [] for mode in MODES}
    cpus: dict[str, list[float]] = {mode: [] for mode in MODES}
    reads: dict[str, float] = {}
    for _ in range(repeat):
        for mode in MODES:  # the modes alternate, so drift hits each alike
            rate, cpu, per_command = run(where, mode, n_cases, n_commands)
            rates[mode].append(rate)
            cpus[mode].append(cpu)
            reads[mode] = per_command
    events = n_commands // n_cases + 1
    print(
        f"\nCommands on {store}: {n_commands} commands over {n_cases} cases "
        f"(up to {events} events each), median of {repeat} rounds"
    )
    off, off_cpu = statistics.median(rates["off"]), statistics.median(cpus["off"])
    for mode in MODES:
        median, cpu = statistics.median(rates[mode]), statistics.median(cpus[mode])
        print(
            f"  {mode:<7} {median:>8,.1f} commands/s (ratio {median / off:.3f})  "
            f"CPU {cpu:>7,.0f} us/command (ratio {off_cpu / cpu:.3f})  "
            f"store reads/command {reads[mode]:.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10)
    parser.add_argument("--commands", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rebuild-cases", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        for store, where in (
            ("a SQLite file, synchronous=FULL", Path(directory)),
            ("in-memory SQLite (no fsync: the CPU's share)", None),
        ):
            _commands(store, where, args.cases, args.commands, args.repeat)
        rebuilt = (
            rebuild(Path(directory), args.rebuild_cases, args.repeat) if args.rebuild_cases else []
        )
    for line in rebuilt:
        print(line)
    print("\nThe chain's own work per event (microseconds, 50-event case, ~330-byte body)")
    for name, micros in chain_work().items():
        print(f"  {name:<13} {micros:6.2f}")


if __name__ == "__main__":
    main()

"""Commands' cost (komentojen hinta): ``update_goal`` beside bare eventsourcing, in one run.

``python -m benchmarks.commands [--cases N] [--commands M] [--repeat R]`` prints one JSON
line per figure: ``{figure, value, floor, ratio, bar, goal, pass, ...}`` (the harness in
``benchmarks/__main__.py`` calls :func:`run` instead). Each figure is measured beside its
floor in the same run, the two sides alternating, ``repeat`` rounds (min / median / max).

- ``update_goal CPU per command vs bare eventsourcing``: CPU time (``process_time``) of
  ``cases.update_goal`` on 50-event cases in ``memory://``, against eventsourcing's own
  ``Aggregate`` and ``Application`` doing the same (load the aggregate, trigger one event,
  save it) on its POPO store. Bar <= 0.5, goal <= 0.33.
- ``update_goal commands/s vs bare eventsourcing, SQLite file``: the same work on a fresh
  SQLite file per round each. Bar >= 1.5, goal >= 3.0. Beside it, with no bar, the ceiling
  the disk sets: bare's time per command over one ``fdatasync`` of the same disk (both
  sides wait for one per command, so no command can take less).
- ``update_goal at 5,000 events / at 100 events``: CPU per command on a SQLite file (CPU
  time: the sync's wait is the same for both and the machine is shared), a case of 5,000
  events against one of 100 (snapshots at their default interval; the first command,
  which writes the long case's snapshot, is not timed). Bar <= 2, goal <= 1.3.
- ``encryption on / off, commands``: commands/s on a SQLite file with a master key against
  without one. Bar >= 0.7, goal >= 0.9.

Stores are seeded in bulk: each case is decided through the aggregate in memory and its
events appended through the store, not through thousands of commands.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Final
from uuid import UUID, uuid4

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from perhetyo import FamilyCases, GoalStatus, MeetingKind
from perhetyo import commands as c
from perhetyo.aggregates.case import FamilyCase
from perhetyo.events import CaseEvent
from perhetyo.persistence.chain import Head
from perhetyo.testing import FakeClock, a_child, a_guardian, a_worker, an_actor
from perhetyo.values import LegalBasis

__all__ = ["Figure", "build_case", "figure", "rounds", "run"]

Figure = dict[str, Any]
"""One figure: figure, value, floor, ratio, bar, goal, pass (and the rounds behind them)."""

KEY: Final = "cGVyaGV0eW8tYmVuY2htYXJrLWtleS0zMi1ieXRlcyE="
"""A fixed master key for the benchmark's stores (never a real store's)."""
SEEDED_AT: Final = datetime(2021, 6, 1, 9, 0, tzinfo=UTC)
OPENED_ON: Final = date(2020, 8, 12)
ME: Final = an_actor()


# --- measuring ------------------------------------------------------------------------


def rounds(sides: dict[str, Callable[[], float]], repeat: int) -> dict[str, list[float]]:
    """Run each side once per round, alternating, ``repeat`` rounds; each side's results."""
    results: dict[str, list[float]] = {name: [] for name in sides}
    for _ in range(repeat):
        for name, side in sides.items():
            gc.collect()
            results[name].append(side())
    return results


def figure(
    name: str,
    values: list[float],
    floors: list[float],
    *,
    bar: float,
    goal: float,
    higher_is_better: bool,
    unit: str,
) -> Figure:
    """A figure from its rounds: the median value and floor, their ratio, and the verdict."""
    value, floor = statistics.median(values), statistics.median(floors)
    ratio = value / floor
    ratios = sorted(v / f for v, f in zip(values, floors, strict=True))
    passed = ratio >= bar if higher_is_better else ratio <= bar
    return {
        "figure": name,
        "value": round(value, 6),
        "floor": round(floor, 6),
        "ratio": round(ratio, 3),
        "bar": bar,
        "goal": goal,
        "pass": passed,
        "unit": unit,
        "higher_is_better": higher_is_better,
        "ratio_min_median_max": [round(ratios[0], 3), round(ratio, 3), round(ratios[-1], 3)],
        "values": [round(v, 6) for v in values],
        "floors": [round(f, 6) for f in floors],
    }


# --- perhetyo's side ----------------------------------------------------------------


def build_case(cases: FamilyCases, n_events: int) -> tuple[UUID, UUID]:
    """A case of ``n_events`` events appended to ``cases``'s store; (case id, a goal id).

    Decided through the aggregate in memory: an opening, a plan, then per 25 events a new
    goal and two meetings, the rest goal updates (the case's latest goal is never final).
    """
    case = FamilyCase.open(
        c.OpenCase(
            children=(a_child("child-1"),),
            guardians=(a_guardian("guardian-1"),),
            legal_basis=LegalBasis.SOCIAL_WELFARE_ACT,
            named_worker=a_worker(),
            opened_on=OPENED_ON,
            actor=ME,
        ),
        case_id=uuid4(),
        now=SEEDED_AT,
    )
    cid = case.id
    case.agree_plan(
        c.AgreePlan(case_id=cid, agreed_on=OPENED_ON, agreements=("Arki sujuu.",), actor=ME),
        SEEDED_AT,
    )
    goal = case.set_goal(
        c.SetGoal(case_id=cid, description="Perhe syö yhdessä.", set_on=OPENED_ON, actor=ME),
        SEEDED_AT,
    )
    while case.version < n_events:
        day = min(OPENED_ON + timedelta(days=case.version // 20), SEEDED_AT.date())
        step = case.version % 25
        if step == 0:
            goal = case.set_goal(
                c.SetGoal(case_id=cid, description="Uusi tavoite.", set_on=day, actor=ME),
                SEEDED_AT,
            )
        elif step in {7, 17}:
            case.record_meeting(
                c.RecordMeeting(
                    case_id=cid,
                    kind=MeetingKind.HOME_VISIT,
                    held_on=day,
                    participants=("äiti", "perhetyöntekijä"),
                    summary="Kotikäynti.",
                    actor=ME,
                ),
                SEEDED_AT,
            )
        else:
            case.update_goal(
                c.UpdateGoal(
                    case_id=cid,
                    goal_id=goal,
                    status=GoalStatus.IN_PROGRESS,
                    progress=case.version % 100,
                    note="Viikkopalaveri.",
                    updated_on=day,
                    actor=ME,
                ),
                SEEDED_AT,
            )
    events: list[CaseEvent] = case.collect_events()
    store = cases._store
    for start in range(0, len(events), 500):  # sealed in order, as the command path does
        chunk = events[start : start + 500]
        store.append(chunk, _head_of(cases, cid) if start else Head())
    return cid, goal


def _head_of(cases: FamilyCases, case_id: UUID) -> Head:
    return cases._store.case_events(case_id)[1]


def _open(url: str, *, key: str | None = None, interval: int | None = 100) -> FamilyCases:
    return FamilyCases(
        url, clock=FakeClock(SEEDED_AT + timedelta(hours=1)), master_key=key,
        snapshot_interval=interval,
    )


def _update(cases: FamilyCases, case_id: UUID, goal_id: UUID, n: int) -> None:
    cases.update_goal(
        case_id,
        goal_id,
        status=GoalStatus.IN_PROGRESS,
        progress=n % 100,
        note="Viikkopalaveri.",
        updated_on=SEEDED_AT.date(),
        actor=ME,
    )


def perhetyo_commands(
    url: str, n_cases: int, n_commands: int, *, key: str | None = None, cpu: bool = False
) -> float:
    """Seconds (CPU or wall) per ``update_goal`` over ``n_cases`` 50-event cases."""
    with _open(url, key=key) as cases:
        targets = [build_case(cases, 50) for _ in range(n_cases)]
        clock = time.process_time if cpu else time.perf_counter
        started = clock()
        for n in range(n_commands):
            case_id, goal_id = targets[n % n_cases]
            _update(cases, case_id, goal_id, n)
        return (clock() - started) / n_commands


# --- bare eventsourcing's side ------------------------------------------------------


class BareCase(Aggregate):
    """A case as eventsourcing's own aggregate: the goals' latest status."""

    @event("Opened")
    def __init__(self, opened_on: str) -> None:
        self.opened_on = opened_on
        self.goals: dict[str, tuple[str, int, str]] = {}

    @event("GoalUpdated")
    def update_goal(  # noqa: PLR0917 (the event's fields, as perhetyo's)
        self,
        goal_id: str,
        status: str,
        progress: int,
        note: str,
        updated_on: str,
        actor: dict[str, Any],
    ) -> None:
        self.goals[goal_id] = (status, progress, updated_on)


def _bare_app(url: str) -> Application[UUID]:
    env = {"PERSISTENCE_MODULE": "eventsourcing.popo"}
    if url.startswith("sqlite:///"):
        env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": url[10:]}
    return Application(env=env)


def _bare_update(case: BareCase, goal_id: str, n: int) -> None:
    case.update_goal(
        goal_id, "in_progress", n % 100, "Viikkopalaveri.", SEEDED_AT.date().isoformat(),
        ME.model_dump(mode="json"),
    )


def bare_commands(url: str, n_cases: int, n_commands: int, *, cpu: bool = False) -> float:
    """Seconds (CPU or wall) per command of bare eventsourcing: get, trigger, save."""
    app = _bare_app(url)
    try:
        targets = []
        for _ in range(n_cases):
            case = BareCase(OPENED_ON.isoformat())
            goal_id = str(uuid4())
            for n in range(49):
                _bare_update(case, goal_id, n)
            app.save(case)
            targets.append((case.id, goal_id))
        clock = time.process_time if cpu else time.perf_counter
        started = clock()
        for n in range(n_commands):
            case_id, goal_id = targets[n % n_cases]
            loaded: BareCase = app.repository.get(case_id)
            _bare_update(loaded, goal_id, n)
            app.save(loaded)
        return (clock() - started) / n_commands
    finally:
        app.close()


# --- the figures --------------------------------------------------------------------


def _files(directory: Path) -> Callable[[str], str]:
    counter = iter(range(1_000_000))
    return lambda side: f"sqlite:///{directory / f'{side}-{next(counter)}.db'}"


def cpu_vs_bare(n_cases: int, n_commands: int, repeat: int) -> Figure:
    """CPU per ``update_goal`` on 50-event cases (memory://) against bare eventsourcing."""
    results = rounds(
        {
            "perhetyo": lambda: perhetyo_commands("memory://", n_cases, n_commands, cpu=True),
            "bare": lambda: bare_commands("memory://", n_cases, n_commands, cpu=True),
        },
        repeat,
    )
    return figure(
        "update_goal CPU per command vs bare eventsourcing (50-event cases)",
        results["perhetyo"],
        results["bare"],
        bar=0.5,
        goal=0.33,
        higher_is_better=False,
        unit="CPU s/command",
    )


def throughput_vs_bare(
    directory: Path, n_cases: int, n_commands: int, repeat: int
) -> list[Figure]:
    """``update_goal`` commands/s on a SQLite file against bare eventsourcing's, and beside
    it the ceiling this disk sets: both sides wait for one ``fdatasync`` per command (the
    same pages written: strace), so even a command of no CPU at all could not be faster
    than one fsync. The ceiling is bare's time per command over one fsync of the same
    disk, measured in the same rounds (no bar: it is the disk's, not ours)."""
    url = _files(directory)
    results = rounds(
        {
            "perhetyo": lambda: 1 / perhetyo_commands(url("p"), n_cases, n_commands),
            "bare": lambda: 1 / bare_commands(url("b"), n_cases, n_commands),
            "fsync": lambda: _fdatasync_seconds(directory),
        },
        repeat,
    )
    bare_seconds = 1 / statistics.median(results["bare"])
    fsync = statistics.median(results["fsync"])
    return [
        figure(
            "update_goal commands/s vs bare eventsourcing, SQLite file",
            results["perhetyo"],
            results["bare"],
            bar=1.5,
            goal=3.0,
            higher_is_better=True,
            unit="commands/s",
        ),
        {
            "figure": "  its ceiling here: bare's time per command / one fdatasync (no bar)",
            "value": round(bare_seconds, 6),
            "floor": round(fsync, 6),
            "ratio": round(bare_seconds / fsync, 3),
            "bar": None,
            "goal": None,
            "pass": None,
        },
    ]


def _fdatasync_seconds(directory: Path, syncs: int = 50) -> float:
    """One synced append on this disk, as a command's commit makes: the median time of an
    ``fdatasync`` after a 4 kB write at the file's end."""
    times = []
    with (directory / "fsync-probe").open("wb") as probe:
        fd = probe.fileno()
        for n in range(syncs):
            os.pwrite(fd, bytes(4096), n * 4096)
            started = time.perf_counter()
            os.fdatasync(fd)
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def long_case_commands(
    url: str, n_events: int, n_commands: int, interval: int | None = 100
) -> float:
    """CPU seconds per ``update_goal`` on one case of ``n_events`` (after one warm
    command); CPU time, as the machine is shared."""
    with _open(url, interval=interval) as cases:
        case_id, goal_id = build_case(cases, n_events)
        _update(cases, case_id, goal_id, 0)  # the first load writes the case's snapshot
        started = time.process_time()
        for n in range(n_commands):
            _update(cases, case_id, goal_id, n)
        return (time.process_time() - started) / n_commands


def long_vs_short(  # noqa: PLR0917 (sizes, as the other figures take them)
    directory: Path,
    long: int,
    short: int,
    n_commands: int,
    repeat: int,
    interval: int | None = 100,
) -> Figure:
    """CPU per ``update_goal`` at ``long`` events against at ``short`` events, each on a
    SQLite file of its own (indexed reads, as in production; ``memory://``'s recorder scans
    a case's every event on each read, which is not what is measured here)."""
    url = _files(directory)
    results = rounds(
        {
            "long": lambda: long_case_commands(url("l"), long, n_commands, interval),
            "short": lambda: long_case_commands(url("s"), short, n_commands, interval),
        },
        repeat,
    )
    return figure(
        f"update_goal at {long:,} events / at {short:,} events",
        results["long"],
        results["short"],
        bar=2.0,
        goal=1.3,
        higher_is_better=False,
        unit="CPU s/command",
    )


def encryption(directory: Path, n_cases: int, n_commands: int, repeat: int) -> Figure:
    """``update_goal`` commands/s on a SQLite file with a master key against without."""
    url = _files(directory)
    results = rounds(
        {
            "on": lambda: 1 / perhetyo_commands(url("on"), n_cases, n_commands, key=KEY),
            "off": lambda: 1 / perhetyo_commands(url("off"), n_cases, n_commands),
        },
        repeat,
    )
    return figure(
        "encryption on / off, update_goal commands/s (SQLite file)",
        results["on"],
        results["off"],
        bar=0.7,
        goal=0.9,
        higher_is_better=True,
        unit="commands/s",
    )


def run(
    *,
    cases: int = 20,
    commands: int = 200,
    long: int = 5_000,
    short: int = 100,
    repeat: int = 3,
    snapshot_interval: int | None = 100,
) -> list[Figure]:
    """Every command figure, each beside its floor in the same run."""
    with tempfile.TemporaryDirectory(prefix="perhetyo-bench-commands-") as tmp:
        directory = Path(tmp)
        return [
            cpu_vs_bare(cases, commands, repeat),
            *throughput_vs_bare(directory, cases, commands, repeat),
            long_vs_short(directory, long, short, commands // 2, repeat, snapshot_interval),
            encryption(directory, cases, commands, repeat),
        ]



SIZES: Final[dict[str, dict[str, Any]]] = {
    "smoke": {"cases": 2, "commands": 10, "long": 300, "short": 50, "repeat": 1},
    "small": {"cases": 10, "commands": 100, "long": 2_000, "short": 100, "repeat": 3},
    "default": {},
}
"""The harness's sizes (``python -m benchmarks --size ...``); default: :func:`run`'s own."""


def figures(size: str) -> list[Figure]:
    """The harness's figures at ``size`` (encryption on / off is the harness's own)."""
    params = SIZES[size]
    with tempfile.TemporaryDirectory(prefix="perhetyo-bench-commands-") as tmp:
        directory = Path(tmp)
        cases, commands = params.get("cases", 20), params.get("commands", 200)
        repeat = params.get("repeat", 3)
        return [
            cpu_vs_bare(cases, commands, repeat),
            *throughput_vs_bare(directory, cases, commands, repeat),
            long_vs_short(
                directory,
                params.get("long", 5_000),
                params.get("short", 100),
                commands // 2,
                repeat,
                100,
            ),
        ]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.commands")
    parser.add_argument("--cases", type=int, default=20, help="50-event cases")
    parser.add_argument("--commands", type=int, default=200, help="commands per round")
    parser.add_argument("--long", type=int, default=5_000, help="events in the long case")
    parser.add_argument("--short", type=int, default=100, help="events in the short case")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--snapshot-interval", type=int, default=100, help="0: off")
    args = parser.parse_args()
    for result in run(
        cases=args.cases,
        commands=args.commands,
        long=args.long,
        short=args.short,
        repeat=args.repeat,
        snapshot_interval=args.snapshot_interval,
    ):
        print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()

"""Benchmarks (suorituskykymittaukset): every figure of issue 10 beside its floor, same run.

``python -m benchmarks [--size smoke|small|default] [flags]`` (``make bench``) measures, each
side beside its floor, in alternating rounds, medians taken:

- rebuild vs floor at two log sizes (50k and 200k events by default), fresh processes;
- incremental update of 100 events on the larger log vs floor (:mod:`benchmarks.incremental`);
- peak RSS of a rebuild, 500k / 50k events (fresh processes);
- PostgreSQL, 4 writer processes / 1 (and bare eventsourcing's same, its floor);
- encryption on / off, commands and rebuild (:mod:`benchmarks.encryption`);
- the command, read and fold figures of :mod:`benchmarks.commands`, :mod:`benchmarks.reads`
  and :mod:`benchmarks.folds` when they are there (each ``figures(size) -> list[dict]``).

It prints a table and writes ``benchmarks/results/latest.json``: a list of
``{figure, value, floor, ratio, bar, goal, pass}``. ``--strict`` exits 1 when a bar is
missed; ``--size smoke`` runs everything at the smallest sizes (CI: it must run, not meet a
target). Benchmarks never run in ``make test``.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from benchmarks import writers
from benchmarks.encryption import KEY
from benchmarks.figures import KEYS, LATEST, Target, figure, median, table, unmeasured, valid, write
from benchmarks.seed import EVENTS_PER_CASE, seed
from perhetyo import FamilyCases

REBUILD = Target(bar=0.4, goal=0.8)
INCREMENTAL = Target(bar=0.1, goal=0.3)
MEMORY = Target(bar=1.5, goal=1.1, higher=False)
POSTGRES = Target(bar=1.5, goal=2.0)
ENCRYPTION = Target(bar=0.7, goal=0.9)
REFERENCE = Target(bar=None)
OTHERS = ("commands", "reads", "folds")
"""Modules of the other figures; each, when present, has ``figures(size) -> list[dict]``."""


@dataclass(frozen=True)
class Size:
    """How big each benchmark runs (cases of 25 events)."""

    rebuild_cases: tuple[int, ...]
    repeat: int
    incremental_rounds: int
    memory_cases: tuple[int, int]
    pg_commands: int
    pg_rounds: int
    encryption_cases: int
    encryption_repeat: int
    command_cases: int = 10
    """Cases of 20 commands in the encryption benchmark's command workload."""


SIZES = {
    "smoke": Size((40, 80), 1, 1, (40, 80), 5, 1, 40, 1, command_cases=1),
    "small": Size((400, 1_600), 3, 5, (400, 4_000), 100, 2, 400, 3),
    # Encryption on / off: 5 rounds, as a command's time on a file is mostly its fsync.
    "default": Size((2_000, 8_000), 3, 5, (2_000, 20_000), 200, 3, 2_000, 5),
}


def _events(n_cases: int) -> str:
    events = n_cases * EVENTS_PER_CASE
    return f"{events // 1000}k" if events >= 10_000 else f"{events:,}"


def seeded(directory: Path, n_cases: int, key: str | None = None) -> Path:
    """A SQLite store of ``n_cases`` x 25 events, seeded through the recorder (encrypted
    when ``key`` is given)."""
    db = directory / f"bench-{n_cases}{'-encrypted' if key else ''}.db"
    if not db.exists():
        with FamilyCases(f"sqlite:///{db}", master_key=key) as cases:
            seed(cases._store, n_cases)
    return db


def _json_run(*argv: str) -> Any:
    """Run ``python -m <argv>`` in a fresh process; its last stdout line as JSON."""
    output = subprocess.run(  # noqa: S603 (fixed arguments)
        [sys.executable, "-m", *argv], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


# --- the figures ------------------------------------------------------------------------


def rebuild(directory: Path, size: Size, rss: dict[int, float]) -> list[dict[str, Any]]:
    """Rebuild vs floor at each size: fresh processes, floor and perhetyo in turn."""
    rows = []
    for n_cases in size.rebuild_cases:
        db = seeded(directory, n_cases)
        floors, ours, floor_cpu, our_cpu = [], [], [], []
        for _ in range(size.repeat):
            theirs = _json_run("benchmarks.rebuild", "floor", str(db))
            mine = _json_run("benchmarks.rebuild", "perhetyo", str(db))
            floors.append(theirs["events_per_second"])
            ours.append(mine["events_per_second"])
            floor_cpu.append(theirs["events"] / max(theirs["cpu_seconds"], 1e-3))
            our_cpu.append(mine["events"] / max(mine["cpu_seconds"], 1e-3))
            rss[n_cases] = max(rss.get(n_cases, 0.0), mine["peak_rss_mb"])
        events = _events(n_cases)
        rows.append(
            figure(
                f"rebuild {events} events, events/s vs floor", median(ours), median(floors), REBUILD
            )
        )
        rows.append(
            figure(
                "  the same, events per CPU second (no bar: steadier on a shared machine)",
                median(our_cpu),
                median(floor_cpu),
                REFERENCE,
            )
        )
    return rows


def incremental(directory: Path, size: Size) -> list[dict[str, Any]]:
    """100 events on the larger log: the floor's seconds over ours (higher is better)."""
    n_cases = max(size.rebuild_cases)
    db = seeded(directory, n_cases)
    result = _json_run(
        "benchmarks.incremental", str(db), str(size.incremental_rounds), str(n_cases)
    )
    ours, floor = median(result["ours"]), median(result["floor"])
    return [
        figure(
            f"incremental update, 100 events on a {_events(n_cases)} log, events/s vs floor",
            100 / ours,
            100 / floor,
            INCREMENTAL,
        ),
        figure(
            "  the same, events per CPU second (no bar; the floor's fsync wait is not CPU)",
            100 / max(median(result["ours_cpu"]), 1e-6),
            100 / max(median(result["floor_cpu"]), 1e-6),
            REFERENCE,
        ),
    ]


def memory(directory: Path, size: Size, rss: dict[int, float]) -> list[dict[str, Any]]:
    """Peak RSS of a rebuild at the two memory sizes, each in a fresh process."""
    peaks = {}
    for n_cases in size.memory_cases:
        if n_cases in rss:
            peaks[n_cases] = rss[n_cases]
            continue
        db = seeded(directory, n_cases)
        peaks[n_cases] = _json_run("benchmarks.rebuild", "perhetyo", str(db))["peak_rss_mb"]
        if n_cases not in size.rebuild_cases:
            db.unlink()
    small, large = size.memory_cases
    return [
        figure(
            f"peak RSS of a rebuild, MB, {_events(large)} vs {_events(small)} events",
            peaks[large],
            peaks[small],
            MEMORY,
        )
    ]


DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


def _postgres_url(url: str | None) -> str | None:
    """The server's URL if it answers, else None (the figure is then not measured)."""
    url = url or os.environ.get("PERHETYO_TEST_POSTGRES_URL") or DEFAULT_POSTGRES
    with contextlib.suppress(Exception):
        import psycopg  # noqa: PLC0415 (PostgreSQL only)

        with psycopg.connect(url.split("?")[0], connect_timeout=3):
            return url
    return None


def postgres(size: Size, url: str | None) -> list[dict[str, Any]]:
    """4 writer processes / 1 on PostgreSQL, perhetyo and bare eventsourcing."""
    name = "PostgreSQL update_goal, commands/s, 4 writer processes vs 1"
    bare_name = "bare eventsourcing on PostgreSQL, commands/s, 4 writer processes vs 1"
    reachable = _postgres_url(url)
    if reachable is None:
        return [
            unmeasured(name, POSTGRES, "no PostgreSQL server"),
            unmeasured(bare_name, REFERENCE, "no PostgreSQL server"),
        ]
    result = writers.scaling(reachable, size.pg_commands, size.pg_rounds)
    return [
        figure(name, median(result["perhetyo"]["4"]), median(result["perhetyo"]["1"]), POSTGRES),
        figure(bare_name, median(result["bare"]["4"]), median(result["bare"]["1"]), REFERENCE),
    ]


def encryption(directory: Path, size: Size) -> list[dict[str, Any]]:
    """Encryption on / off: 200 commands on a SQLite file, and a rebuild; fresh processes."""
    plain = seeded(directory, size.encryption_cases)
    encrypted = seeded(directory, size.encryption_cases, KEY)
    rows = []
    for workload in ("commands", "rebuild"):
        off, on = [], []
        for round_ in range(size.encryption_repeat):
            if workload == "commands":
                urls = {
                    side: f"sqlite:///{directory / f'commands-{side}-{round_}.db'}"
                    for side in ("off", "on")
                }
            else:
                urls = {"off": f"sqlite:///{plain}", "on": f"sqlite:///{encrypted}"}
            sides = (("off", off), ("on", on))
            # The side that goes first alternates: a slow spell of the disk (each command
            # waits for one fsync) must not always fall on the same side.
            for side, values in sides if round_ % 2 == 0 else reversed(sides):
                result = _json_run(
                    "benchmarks.encryption", workload, side, urls[side], str(size.command_cases)
                )
                values.append(result["per_second"])
        what = (
            f"{20 * size.command_cases} commands/s on a SQLite file"
            if workload == "commands"
            else f"rebuild {_events(size.encryption_cases)} events/s"
        )
        rows.append(figure(f"encryption on vs off, {what}", median(on), median(off), ENCRYPTION))
    return rows


def _as_harness_row(row: dict[str, Any]) -> dict[str, Any]:
    """The seven keys of latest.json; a numeric bar or goal written with its direction."""
    sign = ">=" if row.get("higher_is_better", True) else "<="
    shown = {key: row.get(key) for key in KEYS}
    for key in ("bar", "goal"):
        if isinstance(shown[key], int | float):
            shown[key] = f"{sign} {shown[key]:g}"
    return shown


def others(name: str, size_name: str) -> list[dict[str, Any]]:
    """The figures of ``benchmarks.<name>``, if that module is there."""
    try:
        module = importlib.import_module(f"benchmarks.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"benchmarks.{name}":
            raise
        return []
    produced = module.figures(size_name)
    # Rows may carry their rounds and units too; latest.json keeps the seven keys.
    rows = [
        _as_harness_row(row)
        for row in ([produced] if isinstance(produced, dict) else list(produced))
    ]
    for row in rows:
        if not valid(row):
            raise ValueError(f"benchmarks.{name} returned a row that is not a figure: {row!r}")
    return rows


# --- the run ---------------------------------------------------------------------------


GROUPS = ("rebuild", "incremental", "memory", "postgres", "encryption", *OTHERS)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--size", choices=tuple(SIZES), default="default")
    parser.add_argument("--only", nargs="+", choices=GROUPS, help="only these figures")
    parser.add_argument("--skip", nargs="+", choices=GROUPS, default=(), help="not these")
    parser.add_argument(
        "--rebuild-cases", type=int, nargs="+", help="cases of 25 events per rebuild size"
    )
    parser.add_argument("--repeat", type=int, help="alternating rounds per rebuild figure")
    parser.add_argument("--incremental-rounds", type=int)
    parser.add_argument("--memory-cases", type=int, nargs=2, metavar=("SMALL", "LARGE"))
    parser.add_argument(
        "--pg-url",
        help=f"PostgreSQL server (default $PERHETYO_TEST_POSTGRES_URL, else {DEFAULT_POSTGRES})",
    )
    parser.add_argument("--pg-commands", type=int, help="commands per writer process")
    parser.add_argument("--pg-rounds", type=int)
    parser.add_argument("--encryption-cases", type=int)
    parser.add_argument("--encryption-repeat", type=int)
    parser.add_argument("--output", type=Path, default=LATEST, help="the JSON file written")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a bar is missed")
    return parser


def _size(args: argparse.Namespace) -> Size:
    size = SIZES[args.size]
    changes = {
        field: getattr(args, field)
        for field in (
            "repeat",
            "incremental_rounds",
            "pg_commands",
            "pg_rounds",
            "encryption_cases",
            "encryption_repeat",
        )
        if getattr(args, field) is not None
    }
    if args.rebuild_cases:
        changes["rebuild_cases"] = tuple(args.rebuild_cases)
    if args.memory_cases:
        changes["memory_cases"] = tuple(args.memory_cases)
    return replace(size, **changes)


@contextlib.contextmanager
def _timed(group: str) -> Iterator[None]:
    started = time.perf_counter()
    print(f"[bench] {group} ...", file=sys.stderr, flush=True)
    yield
    print(f"[bench] {group}: {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    """Measure, print the table, write the JSON; the exit status (see ``--strict``)."""
    args = _parser().parse_args(argv)
    size = _size(args)
    wanted = [g for g in (args.only or GROUPS) if g not in args.skip]
    rows: list[dict[str, Any]] = []
    failures = []
    rss: dict[int, float] = {}
    with tempfile.TemporaryDirectory(prefix="perhetyo-bench-") as tmp:
        directory = Path(tmp)
        runs: dict[str, Callable[[], list[dict[str, Any]]]] = {
            "rebuild": lambda: rebuild(directory, size, rss),
            "incremental": lambda: incremental(directory, size),
            "memory": lambda: memory(directory, size, rss),
            "postgres": lambda: postgres(size, args.pg_url),
            "encryption": lambda: encryption(directory, size),
            **{name: (lambda name=name: others(name, args.size)) for name in OTHERS},
        }
        for group in wanted:
            try:
                with _timed(group):
                    rows.extend(runs[group]())
            except Exception:  # one failing benchmark must not hide the others' figures
                traceback.print_exc()
                failures.append(group)
    path = write(rows, args.output)
    print(table(rows))
    print(f"\nsize {args.size}: {size}\nwritten to {path}")
    if failures:
        print(f"FAILED to run: {', '.join(failures)}", file=sys.stderr)
        return 2
    if args.strict and any(row["pass"] is False for row in rows):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

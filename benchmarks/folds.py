"""Live folds (elävät näkymät): each fold's cost at 5,000 events against at 1,000.

The current plan is folded as reads fold it (``plan_fold.fold_from``, one pass); goal
progress and the audit trail as ``fold`` folds them (their ``fold_all``).

``python -m benchmarks.folds [--long N] [--short M] [--repeat R]`` prints one JSON line
per fold (the harness calls :func:`run`): ``{figure, value, floor, ratio, bar, goal, pass,
...}``. Each fold (the current plan, goal progress, the audit trail, and the decision
state a command loads) folds one case's decoded events, as a read does after decoding:
``value`` is the seconds for the long case, ``floor`` for the short one, the two sides
alternating, ``repeat`` rounds. A linear fold gives about ``long / short`` (5); the bar is
6, the goal 5.5.
"""

from __future__ import annotations

import argparse
import functools
import gc
import json
import time
from collections.abc import Callable, Sequence
from typing import Any, Final

from benchmarks.commands import ME, Figure, _open, build_case, figure, rounds
from perhetyo.aggregates.case import FamilyCase
from perhetyo.events import CaseEvent
from perhetyo.projections import audit_trail, fold, goal_progress, plan_fold

__all__ = ["FOLDS", "run"]

FOLDS: dict[str, Callable[[Sequence[CaseEvent]], Any]] = {
    "current_plan": lambda events: plan_fold.fold_from(None, events),
    "goal_progress": lambda events: fold(goal_progress, events),
    "audit_trail": lambda events: fold(audit_trail, events),
    "decision state (FamilyCase.project)": lambda events: FamilyCase.project(None, events),
}


def case_events(n_events: int) -> list[CaseEvent]:
    """The decoded events of one case of ``n_events`` (see ``benchmarks.commands``)."""
    with _open("memory://") as cases:
        case_id, _ = build_case(cases, n_events)
        return cases.history(case_id, actor=ME)


def timed(fold_events: Callable[[Sequence[CaseEvent]], Any], events: list[CaseEvent]) -> float:
    """The best of five folds of ``events``, in CPU seconds (the machine is shared: CPU
    time leaves out the time other processes ran), the cyclic collector paused (a
    fold makes no cycles; the collector's passes over the benchmark's own heap of decoded
    events are not the fold's cost, and they made single runs vary 5x)."""
    best = float("inf")
    gc.collect()
    gc.disable()
    try:
        for _ in range(5):
            started = time.process_time()
            fold_events(events)
            best = min(best, time.process_time() - started)
    finally:
        gc.enable()
    return best


def run(*, long: int = 5_000, short: int = 1_000, repeat: int = 3) -> list[Figure]:
    """Every live fold at ``long`` events against at ``short``."""
    long_events, short_events = case_events(long), case_events(short)
    figures = []
    for name, fold_events in FOLDS.items():
        results = rounds(
            {
                "long": functools.partial(timed, fold_events, long_events),
                "short": functools.partial(timed, fold_events, short_events),
            },
            repeat,
        )
        figures.append(
            figure(
                f"live fold {name}, {long:,} / {short:,} events",
                results["long"],
                results["short"],
                bar=6.0,
                goal=5.5,
                higher_is_better=False,
                unit="s/fold",
            )
        )
    return figures



SIZES: Final[dict[str, dict[str, Any]]] = {
    "smoke": {"long": 500, "short": 100, "repeat": 1},
    "small": {"long": 5_000, "short": 1_000, "repeat": 3},
    "default": {},
}
"""The harness's sizes (``python -m benchmarks --size ...``); default: :func:`run`'s own."""


def figures(size: str) -> list[Figure]:
    """The harness's figures at ``size``."""
    return run(**SIZES[size])


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.folds")
    parser.add_argument("--long", type=int, default=5_000)
    parser.add_argument("--short", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for result in run(long=args.long, short=args.short, repeat=args.repeat):
        print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()

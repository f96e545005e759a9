"""Figures (mittaustulokset): each measurement beside its floor, as a ratio with its bar and goal.

A figure is one row of the issue's table: ``value`` (perhetyo's measurement), ``floor``
(the same work done by the floor, in the same run), ``ratio = value / floor``, the ``bar``
that must be met and the ``goal`` aimed at, and ``pass`` (whether the bar is met; None when
the figure could not be measured, e.g. no PostgreSQL server). Every module that measures
returns its figures as plain dicts with exactly these keys; :func:`write` saves them as
``benchmarks/results/latest.json`` and :func:`table` prints them.
"""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

KEYS: Final = ("figure", "value", "floor", "ratio", "bar", "goal", "pass")
RESULTS: Final = Path(__file__).parent / "results"
LATEST: Final = RESULTS / "latest.json"


@dataclass(frozen=True)
class Target:
    """A bar and a goal for a ratio; ``higher`` says which way is better."""

    bar: float | None
    goal: float | None = None
    higher: bool = True

    def met(self, ratio: float, limit: float | None) -> bool | None:
        if limit is None:
            return None
        return ratio >= limit if self.higher else ratio <= limit


def figure(name: str, value: float, floor: float, target: Target) -> dict[str, Any]:
    """A figure's dict: ``value`` against ``floor``, with its bar and goal."""
    ratio = value / floor if floor else math.nan
    return {
        "figure": name,
        "value": round(value, 3),
        "floor": round(floor, 3),
        "ratio": round(ratio, 3),
        "bar": _bound(target.bar, target.higher),
        "goal": _bound(target.goal, target.higher),
        "pass": target.met(ratio, target.bar),
    }


def _bound(limit: float | None, higher: bool) -> str | None:
    return None if limit is None else f"{'>=' if higher else '<='} {limit:g}"


def unmeasured(name: str, target: Target, why: str) -> dict[str, Any]:
    """A figure that could not be measured in this run (``pass`` None; ``why`` printed)."""
    return {
        "figure": f"{name} (not measured: {why})",
        "value": None,
        "floor": None,
        "ratio": None,
        "bar": _bound(target.bar, target.higher),
        "goal": _bound(target.goal, target.higher),
        "pass": None,
    }


def median(values: Sequence[float]) -> float:
    """The median of alternating rounds (the figure a ratio is taken of)."""
    return float(statistics.median(values))


def valid(row: Any) -> bool:
    """Whether ``row`` is a figure's dict: exactly the keys, numbers where numbers go."""
    if not isinstance(row, dict) or set(row) != set(KEYS):
        return False
    numbers = (row["value"], row["floor"], row["ratio"])
    return (
        isinstance(row["figure"], str)
        and all(n is None or isinstance(n, int | float) for n in numbers)
        and all(b is None or isinstance(b, str | int | float) for b in (row["bar"], row["goal"]))
        and row["pass"] in (True, False, None)
    )


def write(rows: Iterable[dict[str, Any]], path: Path = LATEST) -> Path:
    """Save the figures as a JSON list (the file CI and the docs read)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(list(rows), indent=2, ensure_ascii=False) + "\n")
    return path


def _number(value: Any, digits: int = 2) -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}"


def table(rows: Sequence[dict[str, Any]]) -> str:
    """The figures as a plain-text table, one line each."""
    width = max([len("figure"), *(len(row["figure"]) for row in rows)])
    lines = [
        f"{'figure':<{width}}  {'value':>12}  {'floor':>12}  {'ratio':>6}  "
        f"{'bar':>7}  {'goal':>7}  pass",
    ]
    lines.append("-" * len(lines[0]))
    for row in rows:
        verdict = {True: "yes", False: "NO", None: "-"}[row["pass"]]
        lines.append(
            f"{row['figure']:<{width}}  {_number(row['value']):>12}  "
            f"{_number(row['floor']):>12}  {_number(row['ratio']):>6}  "
            f"{row['bar'] or '-':>7}  {row['goal'] or '-':>7}  {verdict}"
        )
    return "\n".join(lines)

"""Charts (kaaviot): line charts and timelines as plain SVG text, drawn by the library.

Two drawings, each a string holding one ``<svg>`` element, for pasting into an HTML page
(the case report) or saving as a file of its own:

- :func:`line_chart`: one ``<polyline>`` per series over a time axis, values 0-100 %
  (each goal's progress over time), with a circle at each point and the series' key
  beside its last point;
- :func:`timeline`: one row per item, each a set of bars (from day to day) and marks (on
  one day) over the same kind of time axis (the services, meetings and plan versions).

Nothing but the standard library: every text and attribute value is escaped
(:func:`html.escape`, which is also XML's escaping), so free text cannot become markup;
the output is well-formed XML (the tests parse it with :mod:`xml.etree`). No script.
Colours follow Okabe and Ito's palette, which colour-blind readers can tell apart, and each
series also has its own dash pattern, so that a black-and-white print tells them apart too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import Final

__all__ = [
    "COLOURS",
    "SVG_NAMESPACE",
    "Bar",
    "Mark",
    "Point",
    "Series",
    "TimelineRow",
    "line_chart",
    "series_style",
    "timeline",
]

SVG_NAMESPACE: Final = "http://www.w3.org/2000/svg"

COLOURS: Final = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
"""Okabe and Ito's colour-blind-safe palette (its yellow left out: too pale on paper)."""

_DASHES: Final = ("", "7 3", "2 3", "9 3 2 3")
_MONTHS_FI: Final = (
    "tammi", "helmi", "maalis", "huhti", "touko", "kesä",
    "heinä", "elo", "syys", "loka", "marras", "joulu",
)
_FONT: Final = 'font-family="DejaVu Sans, Arial, sans-serif"'
_WIDTH: Final = 960


@dataclass(frozen=True)
class Point:
    """A point of a series (havainto): its day, value (0-100) and a note for its tooltip."""

    day: date
    value: int
    note: str = ""


@dataclass(frozen=True)
class Series:
    """A line of the chart (sarja): its short key (``T1``), a title and its points in order.

    ``hold_until`` carries the last value on, unmarked, to that day (a goal not yet final
    keeps its progress until the report's day).
    """

    key: str
    title: str
    points: tuple[Point, ...]
    hold_until: date | None = None


@dataclass(frozen=True)
class Bar:
    """A bar on a timeline row (jakso): from ``start`` to ``end``, in one of four styles.

    ``style`` is ``"waiting"`` (ordered, not yet started), ``"active"``, ``"ended"`` or
    ``"cancelled"``; ``open_end`` draws the right end as still going on.
    """

    start: date
    end: date
    style: str
    note: str = ""
    open_end: bool = False


@dataclass(frozen=True)
class Mark:
    """A mark on a timeline row (merkintä): one day, with a short label and a note."""

    day: date
    label: str = ""
    note: str = ""


@dataclass(frozen=True)
class TimelineRow:
    """A row of the timeline (rivi): its label, its bars and its marks."""

    label: str
    bars: tuple[Bar, ...] = ()
    marks: tuple[Mark, ...] = ()


_BAR_STYLES: Final = {
    "waiting": 'fill="#ffffff" stroke="#0072B2" stroke-width="1.5" stroke-dasharray="4 2"',
    "active": 'fill="#0072B2" stroke="#0072B2" stroke-width="1.5"',
    "ended": 'fill="#8fb9d6" stroke="#0072B2" stroke-width="1.5"',
    "cancelled": 'fill="#e6e6e6" stroke="#777777" stroke-width="1.5" stroke-dasharray="2 2"',
}


def _e(text: str) -> str:
    return escape(text, quote=True)


def _n(value: float) -> str:
    """A coordinate, short: 12.5, 12, never 12.500000001."""
    return f"{value:.1f}".removesuffix(".0")


class _TimeAxis:
    """Days to x coordinates between ``left`` and ``right``, and the month ticks."""

    def __init__(self, start: date, end: date, left: float, right: float) -> None:
        self.start = start
        self.days = max((end - start).days, 1)
        self.left, self.right = left, right

    def x(self, day: date) -> float:
        share = (day - self.start).days / self.days
        return self.left + min(max(share, 0.0), 1.0) * (self.right - self.left)

    def ticks(self) -> list[tuple[date, str]]:
        """First days of months in range (every 1, 2, 3, 6 or 12 months), labelled."""
        first = self.start.replace(day=1)
        months = (self.days // 30) + 1
        step = next((s for limit, s in ((12, 1), (24, 2), (48, 3), (96, 6)) if months <= limit), 12)
        ticks: list[tuple[date, str]] = []
        index = first.year * 12 + first.month - 1
        if first < self.start:
            index += 1
        while True:
            year, month0 = divmod(index, 12)
            day = date(year, month0 + 1, 1)
            if (day - self.start).days > self.days:
                return ticks
            if month0 % step == 0:
                label = _MONTHS_FI[month0]
                if not ticks or month0 == 0:
                    label = f"{label} {year}"
                ticks.append((day, label))
            index += 1

    def draw(self, top: float, bottom: float) -> list[str]:
        """Vertical grid lines at the ticks, labelled below ``bottom``."""
        parts = [
            f'<line x1="{_n(self.left)}" y1="{_n(bottom)}" x2="{_n(self.right)}" '
            f'y2="{_n(bottom)}" stroke="#333333" stroke-width="1"/>'
        ]
        for day, label in self.ticks():
            x = _n(self.x(day))
            parts.append(
                f'<line x1="{x}" y1="{_n(top)}" x2="{x}" y2="{_n(bottom)}" stroke="#dddddd" '
                f'stroke-width="1"/>'
            )
            parts.append(
                f'<text x="{x}" y="{_n(bottom + 16)}" font-size="11" text-anchor="middle" '
                f'fill="#333333">{_e(label)}</text>'
            )
        return parts

    def day_line(self, day: date, top: float, bottom: float, label: str) -> list[str]:
        """A dashed vertical line on ``day`` (the report's day), labelled at the top."""
        at = self.x(day)
        x = _n(at)
        anchor = "end" if at > (self.left + self.right) / 2 else "start"
        return [
            f'<line x1="{x}" y1="{_n(top)}" x2="{x}" y2="{_n(bottom)}" stroke="#D55E00" '
            f'stroke-width="1" stroke-dasharray="3 3"/>',
            f'<text x="{x}" y="{_n(top - 4)}" font-size="10" text-anchor="{anchor}" '
            f'fill="#D55E00">{_e(label)}</text>',
        ]


def _svg(height: float, title: str, css_class: str, parts: Sequence[str]) -> str:
    return "\n".join(
        [
            f'<svg xmlns="{SVG_NAMESPACE}" class="{_e(css_class)}" width="{_WIDTH}" '
            f'height="{_n(height)}" viewBox="0 0 {_WIDTH} {_n(height)}" role="img" '
            f'aria-label="{_e(title)}" {_FONT}>',
            f"<title>{_e(title)}</title>",
            *parts,
            "</svg>",
        ]
    )


def series_style(index: int) -> tuple[str, str]:
    """The colour and dash pattern of the series at ``index`` (the legend draws the same)."""
    return COLOURS[index % len(COLOURS)], _DASHES[index % len(_DASHES)]


def line_chart(
    series: Sequence[Series],
    *,
    start: date,
    end: date,
    title: str,
    day: date | None = None,
    day_label: str = "",
    css_class: str = "line-chart",
) -> str:
    """A line chart (viivakaavio) of values 0-100 % over ``start``..``end``.

    One ``<polyline class="series">`` per series (with ``data-key``), circles at its points
    with tooltips, and its key beside its last point; ``day`` adds a dashed line there.
    """
    top, bottom, left, right = 24.0, 264.0, 52.0, _WIDTH - 56.0
    axis = _TimeAxis(start, end, left, right)

    def y(value: int) -> float:
        return bottom - max(0, min(value, 100)) / 100 * (bottom - top)

    parts = axis.draw(top, bottom)
    for value in (0, 25, 50, 75, 100):
        parts.append(
            f'<line x1="{_n(left)}" y1="{_n(y(value))}" x2="{_n(right)}" y2="{_n(y(value))}" '
            f'stroke="{"#333333" if value == 0 else "#dddddd"}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{_n(left - 6)}" y="{_n(y(value) + 4)}" font-size="11" '
            f'text-anchor="end" fill="#333333">{value} %</text>'
        )
    if day is not None:
        parts += axis.day_line(day, top, bottom, day_label)
    placed: list[tuple[float, float]] = []
    for index, one in enumerate(series):
        colour, dash = series_style(index)
        coords = [(axis.x(point.day), y(point.value)) for point in one.points]
        line = list(coords)
        if coords and one.hold_until is not None and axis.x(one.hold_until) > coords[-1][0]:
            line.append((axis.x(one.hold_until), coords[-1][1]))
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<polyline class="series" data-key="{_e(one.key)}" fill="none" stroke="{colour}" '
            f'stroke-width="2.5"{dashed} points="'
            + " ".join(f"{_n(px)},{_n(py)}" for px, py in line)
            + f'"><title>{_e(one.key)}: {_e(one.title)}</title></polyline>'
        )
        for (px, py), point in zip(coords, one.points, strict=True):
            parts.append(
                f'<circle cx="{_n(px)}" cy="{_n(py)}" r="3.5" fill="#ffffff" stroke="{colour}" '
                f'stroke-width="2"><title>{_e(f"{one.key} {point.note}")}</title></circle>'
            )
        if line:
            label_x, label_y = line[-1][0] + 6, line[-1][1] + 4
            while any(abs(label_x - x) < 26 and abs(label_y - ly) < 11 for x, ly in placed):
                label_y += 11
            placed.append((label_x, label_y))
            parts.append(
                f'<text x="{_n(label_x)}" y="{_n(label_y)}" font-size="11" font-weight="bold" '
                f'fill="{colour}">{_e(one.key)}</text>'
            )
    return _svg(bottom + 28, title, css_class, parts)


def timeline(
    rows: Sequence[TimelineRow],
    *,
    start: date,
    end: date,
    title: str,
    day: date | None = None,
    day_label: str = "",
    css_class: str = "timeline",
) -> str:
    """A timeline (aikajana): one row per item, bars and marks over ``start``..``end``."""
    row_height, top, left, right = 30.0, 24.0, 230.0, _WIDTH - 24.0
    bottom = top + row_height * max(len(rows), 1)
    axis = _TimeAxis(start, end, left, right)
    parts = axis.draw(top, bottom)
    if day is not None:
        parts += axis.day_line(day, top, bottom, day_label)
    for index, row in enumerate(rows):
        middle = top + row_height * index + row_height / 2
        parts.append(
            f'<text class="row" x="{_n(left - 8)}" y="{_n(middle + 4)}" font-size="12" '
            f'text-anchor="end" fill="#222222">{_e(row.label)}</text>'
        )
        for bar in row.bars:
            x0, x1 = axis.x(bar.start), axis.x(bar.end)
            width = max(x1 - x0, 3.0)
            parts.append(
                f'<rect class="period {_e(bar.style)}" x="{_n(x0)}" y="{_n(middle - 8)}" '
                f'width="{_n(width)}" height="16" rx="2" {_BAR_STYLES[bar.style]}>'
                f"<title>{_e(bar.note)}</title></rect>"
            )
            if bar.open_end:
                tip = x0 + width
                parts.append(
                    f'<path d="M{_n(tip)},{_n(middle - 8)} l8,8 l-8,8 z" '
                    f'{_BAR_STYLES[bar.style]}/>'
                )
        for mark in row.marks:
            x = axis.x(mark.day)
            parts.append(
                f'<path class="mark" d="M{_n(x)},{_n(middle - 7)} l6,7 l-6,7 l-6,-7 z" '
                f'fill="#009E73" stroke="#1b5e4a" stroke-width="1">'
                f"<title>{_e(mark.note)}</title></path>"
            )
            if mark.label:
                parts.append(
                    f'<text x="{_n(x)}" y="{_n(middle - 9)}" font-size="9" '
                    f'text-anchor="middle" fill="#1b5e4a">{_e(mark.label)}</text>'
                )
    return _svg(bottom + 28, title, css_class, parts)

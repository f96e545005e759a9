"""Time (aika): the clock a store runs on, and Helsinki's "today".

Record times come from a :data:`Clock` (a callable returning an aware datetime), never
from a command's arguments; business dates are compared with the date in Helsinki, a
social worker's day rather than UTC's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

__all__ = ["HELSINKI", "Clock", "today_in", "utc_now"]

HELSINKI = ZoneInfo("Europe/Helsinki")
"""'Today' is the date in Helsinki: a social worker's day, not UTC's."""

Clock = Callable[[], datetime]
"""A callable returning the current time as an aware datetime."""


def utc_now() -> datetime:
    """The system clock (järjestelmän kello), in UTC: the default :data:`Clock`."""
    return datetime.now(UTC)


def today_in(now: datetime) -> date:
    """Today (tänään): the business date of ``now`` in Europe/Helsinki."""
    return now.astimezone(HELSINKI).date()

"""Working days (työpäivät): the Finnish calendar that statutory deadlines are counted on.

Saturdays, Sundays and Finnish public holidays, Midsummer Eve and Christmas Eve included,
are not working days; the holidays come from the ``holidays`` package, never from a table
of our own. Two reckonings are used by the service-needs assessment (SHL 36 §, LsL 26 §):

- :func:`working_day_deadline`: the nth working day after a date (day 1 is the working day
  after it): the assessment starts by the 7th;
- :func:`month_deadline`: the same day number some months later, or that month's last day
  when it has no such day; a deadline that falls on a day that is not a working day moves
  to the next working day (the act on reckoning time limits, 150/1930, 5 §): the
  assessment completes within 3 months.
"""

from __future__ import annotations

import calendar
import functools
from datetime import date, timedelta
from typing import Annotated, Final

import holidays
from pydantic import Field

from perhetyo.values import BusinessDate, ValueModel

__all__ = ["is_working_day", "month_deadline", "next_working_day", "working_day_deadline"]

_SATURDAY: Final = 5
_MAX_DAYS: Final = 1_000
_REMEMBERED: Final = 8_192
"""Deadlines remembered per reckoning."""


@functools.cache
def _public_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("FI", years=year))


def is_working_day(day: date) -> bool:
    """Whether ``day`` is a working day (työpäivä): Monday to Friday, not a public holiday."""
    return day.weekday() < _SATURDAY and day not in _public_holidays(day.year)


class _Reckoning(ValueModel):
    """The arguments of a deadline (määräajan laskenta), shape-checked like a command's."""

    start: BusinessDate
    count: Annotated[int, Field(ge=1, le=_MAX_DAYS, strict=True)]


def next_working_day(day: date) -> date:
    """``day`` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def working_day_deadline(pending_on: date, working_days: int = 7) -> date:
    """The ``working_days``-th working day after ``pending_on`` (määräpäivä työpäivinä).

    Day 1 is the first working day after ``pending_on``, whatever day that is.
    """
    if type(pending_on) is date and type(working_days) is int:
        return _remembered_working_day_deadline(pending_on, working_days)
    return _working_day_deadline(pending_on, working_days)  # refused, or an odd date type


def _working_day_deadline(pending_on: date, working_days: int) -> date:
    _Reckoning(start=pending_on, count=working_days)
    day, counted = pending_on, 0
    while counted < working_days:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def month_deadline(start: date, months: int = 3) -> date:
    """The deadline ``months`` months after ``start`` (määräpäivä kuukausina), 150/1930.

    The same day number ``months`` later, or that month's last day when it has no such
    day (30 November + 3 months is 28 or 29 February); a deadline on a Saturday, Sunday or
    public holiday moves to the next working day.
    """
    if type(start) is date and type(months) is int:
        return _remembered_month_deadline(start, months)
    return _month_deadline(start, months)  # refused, or an odd date type


def _month_deadline(start: date, months: int) -> date:
    _Reckoning(start=start, count=months)
    month_index = start.year * 12 + start.month - 1 + months
    year, month = divmod(month_index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return next_working_day(date(year, month + 1, min(start.day, last)))


# Remembered for plain dates and whole numbers only (the wrappers check): a pure function
# of its arguments, and a rebuild reckons the same few thousand days for every case.
_remembered_working_day_deadline = functools.lru_cache(maxsize=_REMEMBERED)(_working_day_deadline)
_remembered_month_deadline = functools.lru_cache(maxsize=_REMEMBERED)(_month_deadline)

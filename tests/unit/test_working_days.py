"""Working days (työpäivät): deadlines on the Finnish calendar, across its holidays."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perhetyo import InvalidCommandError, is_working_day, month_deadline, working_day_deadline


@pytest.mark.parametrize(
    ("pending_on", "deadline"),
    [
        pytest.param(date(2020, 4, 8), date(2020, 4, 21), id="easter"),
        pytest.param(date(2020, 12, 22), date(2021, 1, 5), id="christmas-and-new-year"),
        pytest.param(date(2021, 6, 22), date(2021, 7, 2), id="midsummer"),
        pytest.param(date(2021, 12, 30), date(2022, 1, 11), id="year-end-and-epiphany"),
        pytest.param(date(2020, 8, 14), date(2020, 8, 25), id="pending-on-a-friday"),
        pytest.param(date(2020, 8, 15), date(2020, 8, 25), id="pending-on-a-saturday"),
    ],
)
def test_the_seventh_working_day_skips_weekends_and_holidays(
    pending_on: date, deadline: date
) -> None:
    assert working_day_deadline(pending_on) == deadline


def test_midsummer_eve_and_christmas_eve_are_not_working_days() -> None:
    assert not is_working_day(date(2021, 6, 25))  # juhannusaatto
    assert not is_working_day(date(2020, 12, 24))  # jouluaatto
    assert is_working_day(date(2020, 12, 23))


@pytest.mark.parametrize(
    ("start", "deadline"),
    [
        pytest.param(date(2020, 8, 12), date(2020, 11, 12), id="same-day-number"),
        pytest.param(date(2020, 11, 30), date(2021, 3, 1), id="no-30-february-then-a-sunday"),
        pytest.param(date(2019, 11, 30), date(2020, 3, 2), id="leap-year-last-day-is-a-saturday"),
        pytest.param(date(2020, 9, 24), date(2020, 12, 28), id="christmas-eve-moves-on"),
        pytest.param(date(2020, 10, 31), date(2021, 2, 1), id="january-has-no-31-february"),
    ],
)
def test_three_months_is_the_same_day_number_moved_to_a_working_day(
    start: date, deadline: date
) -> None:
    assert month_deadline(start) == deadline


@given(
    pending_on=st.dates(date(2000, 1, 1), date(2040, 12, 31)),
    working_days=st.integers(1, 40),
)
def test_a_working_day_deadline_has_exactly_that_many_working_days_before_it(
    pending_on: date, working_days: int
) -> None:
    deadline = working_day_deadline(pending_on, working_days)

    assert is_working_day(deadline)
    days = [pending_on + timedelta(days=n) for n in range(1, (deadline - pending_on).days + 1)]
    assert sum(is_working_day(day) for day in days) == working_days


@given(start=st.dates(date(2000, 1, 1), date(2040, 12, 31)), months=st.integers(1, 24))
def test_a_month_deadline_is_the_first_working_day_from_the_calendar_date(
    start: date, months: int
) -> None:
    deadline = month_deadline(start, months)

    year, month = divmod(start.year * 12 + start.month - 1 + months, 12)
    month_days = (date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1) - timedelta(days=1)).day
    calendar_date = date(year, month + 1, min(start.day, month_days))
    assert is_working_day(deadline)
    # The longest run of days off: Saturday 22 December to Wednesday 26 December.
    assert 0 <= (deadline - calendar_date).days <= 5
    assert all(
        not is_working_day(calendar_date + timedelta(days=n))
        for n in range((deadline - calendar_date).days)
    )


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "7"])
def test_a_count_that_is_not_a_positive_whole_number_is_refused(bad: object) -> None:
    with pytest.raises(InvalidCommandError):
        working_day_deadline(date(2020, 8, 12), bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidCommandError):
        month_deadline(date(2020, 8, 12), bad)  # type: ignore[arg-type]


def test_a_datetime_is_refused_as_a_date() -> None:
    from datetime import datetime  # noqa: PLC0415 (only this test needs it)

    with pytest.raises(InvalidCommandError):
        working_day_deadline(datetime(2020, 8, 12, 12))  # noqa: DTZ001 (a naive one is refused too)


def test_a_remembered_deadline_does_not_let_an_equal_but_wrong_count_through() -> None:
    """Deadlines are remembered per date and count; True equals 1 and hashes alike, and
    is still refused after 1 was reckoned (and a remembered result is the same again)."""
    day = date(2020, 8, 12)
    first = working_day_deadline(day, 1)
    assert working_day_deadline(day, 1) == first
    assert month_deadline(day, 1) == month_deadline(day, 1)
    for reckon in (working_day_deadline, month_deadline):
        with pytest.raises(InvalidCommandError):
            reckon(day, True)
        with pytest.raises(InvalidCommandError):
            reckon(day, 1.0)  # type: ignore[arg-type]

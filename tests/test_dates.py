"""Dates, durations and birthdays as the vault writes them (SPEC 2)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reljournal.dates import (
    Birthday,
    month_days,
    parse_birthday,
    parse_date,
    parse_date_or_datetime,
    parse_date_or_duration,
    parse_duration,
)

D = dt.date


@pytest.mark.parametrize(("text", "amount", "unit", "days"), [
    ("10d", 10, "d", 10), ("2w", 14, "d", 14), ("3m", 3, "m", 90), ("1y", 12, "m", 365), ("45", 45, "d", 45),
    ("weekly", 7, "d", 7), ("fortnightly", 14, "d", 14), ("monthly", 1, "m", 30), ("quarterly", 3, "m", 90),
    ("yearly", 12, "m", 365), ("Monthly", 1, "m", 30), (" 30d ", 30, "d", 30), ("18m", 18, "m", 365 + 180),
])
def test_durations(text: str, amount: int, unit: str, days: int) -> None:
    d = parse_duration(text)
    assert (d.amount, d.unit, d.days) == (amount, unit, days)


@pytest.mark.parametrize("text", ["sometimes", "", "d", "3x", "-2d", "1.5m", "2 weeks", "none"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


def test_integer_duration_is_days() -> None:
    assert parse_duration(30).add_to(D(2026, 1, 1)) == D(2026, 1, 31)


@pytest.mark.parametrize(("start", "spec", "expected"), [
    (D(2026, 1, 31), "1m", D(2026, 2, 28)),  # month ends clamp
    (D(2024, 1, 31), "1m", D(2024, 2, 29)),  # leap year
    (D(2024, 2, 29), "1y", D(2025, 2, 28)),  # 29 February
    (D(2024, 2, 29), "4y", D(2028, 2, 29)),
    (D(2026, 3, 31), "quarterly", D(2026, 6, 30)),
    (D(2026, 12, 15), "2w", D(2026, 12, 29)),
])
def test_calendar_arithmetic(start: dt.date, spec: str, expected: dt.date) -> None:
    assert parse_duration(spec).add_to(start) == expected


def test_dates_and_impossible_dates() -> None:
    assert parse_date("2026-11-20") == D(2026, 11, 20)
    for bad in ("2026-02-30", "2026-13-45", "20-11-2026", "2026-1-2", "tomorrow"):
        with pytest.raises(ValueError):
            parse_date(bad)


def test_date_times() -> None:
    floating = parse_date_or_datetime("2026-03-14T23:30:00")
    assert floating == dt.datetime(2026, 3, 14, 23, 30)
    zoned = parse_date_or_datetime("2026-03-14 23:30+01:00")
    assert isinstance(zoned, dt.datetime) and zoned.utcoffset() == dt.timedelta(hours=1)
    assert parse_date_or_datetime("2026-03-14T23:30Z").tzinfo == dt.timezone.utc  # type: ignore[union-attr]
    assert parse_date_or_datetime("2026-03-14") == D(2026, 3, 14)
    with pytest.raises(ValueError):
        parse_date_or_datetime("2026-03-14T25:00")


def test_date_or_duration_counts_from_base() -> None:
    base = D(2026, 3, 15)
    assert parse_date_or_duration("2w", base) == D(2026, 3, 29)
    assert parse_date_or_duration("2026-04-01", base) == D(2026, 4, 1)
    with pytest.raises(ValueError, match="neither a date"):
        parse_date_or_duration("soon", base)


def test_birthdays() -> None:
    assert parse_birthday("1980-04-12") == Birthday(4, 12, 1980)
    assert parse_birthday("--02-29") == Birthday(2, 29)
    assert parse_birthday("--02-29").in_year(2026) == D(2026, 2, 28)
    assert parse_birthday("--02-29").in_year(2028) == D(2028, 2, 29)
    assert parse_birthday("--12-31").next_on_or_after(D(2026, 12, 31)) == D(2026, 12, 31)
    assert parse_birthday("--01-01").next_on_or_after(D(2026, 12, 31)) == D(2027, 1, 1)
    for bad in ("April", "--02-30", "--13-01", "1980-02-30"):
        with pytest.raises(ValueError):
            parse_birthday(bad)


@given(st.integers(min_value=0, max_value=100), st.sampled_from("dwmy"))
def test_written_durations_parse_back(amount: int, unit: str) -> None:
    d = parse_duration(f"{amount}{unit}")
    assert d.spec == f"{amount}{unit}"
    assert d.days >= 0


@given(st.dates(min_value=D(1900, 1, 1), max_value=D(2200, 1, 1)), st.integers(0, 100), st.sampled_from("dwmy"))
def test_adding_a_duration_never_goes_back(start: dt.date, amount: int, unit: str) -> None:
    d = parse_duration(f"{amount}{unit}")
    assert d.add_to(start) >= start
    assert d.subtract_from(d.add_to(start)) <= start


@given(st.text(max_size=20))
def test_duration_parser_only_raises_value_error(text: str) -> None:
    try:
        parse_duration(text)
    except ValueError:
        pass


@given(month=st.integers(1, 12), day=st.integers(1, 31), year=st.none() | st.integers(1900, 2030),
       first=st.dates(D(2023, 1, 1), D(2030, 12, 31)), span=st.integers(-2, 800))
def test_the_month_days_of_a_span_hold_every_birthday_in_it(month: int, day: int, year: int | None, first: dt.date,
                                                             span: int) -> None:
    """The index keeps the birthdays whose stored `MM-DD` is among `month_days` and judges those alone: a birthday
    in the span (29 February on the 28th in other years) is never left out."""
    try:
        birthday = Birthday(month, day, year) if year is None or dt.date(year, month, day) else None
        dt.date(2000, month, day)
    except ValueError:
        return
    assert birthday is not None
    last = first + dt.timedelta(days=span)
    if birthday.next_on_or_after(first) <= last:
        assert str(birthday)[-5:] in month_days(first, last)
    if span >= 365:  # a year's span: every day of the year, 29 February too
        assert len(month_days(first, last)) == 366

"""Dates, date-times, durations and birthdays as the vault writes them. Pure functions, no clock.

Each parser raises `ValueError` with a message fit for the user; callers turn it into a `Problem`.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DATETIME = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[Tt]|[ \t]+)(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?"
    r"[ \t]*(Z|z|[+-]\d{1,2}(?::?\d{2})?)?"
)
_DURATION = re.compile(r"(\d+)\s*([dwmy]?)")
_BIRTHDAY_NO_YEAR = re.compile(r"--(\d{2})-?(\d{2})")

# The years a date may have. Date arithmetic (a duration of up to a century, an all-day event's end, an
# hour-long meeting) must never leave the years Python can hold, whatever a note or --today says: a note
# dated 9999-12-31 in a shared vault would otherwise stop the feed for everyone.
MIN_YEAR, MAX_YEAR = 1000, 8999

NAMED_DURATIONS = {
    "daily": "1d",
    "weekly": "1w",
    "fortnightly": "2w",
    "biweekly": "2w",
    "monthly": "1m",
    "quarterly": "3m",
    "yearly": "1y",
    "annually": "1y",
}


def iso(day: dt.date | None) -> str | None:
    """A date as the index stores it (ISO 8601), None as None."""
    return day.isoformat() if day is not None else None


def day_reader() -> Callable[[str | None], dt.date | None]:
    """Stored text (`iso`) -> date, None or empty -> None, each text parsed once: 10,000 people or 100,000
    rows share a few hundred days."""
    days: dict[str | None, dt.date | None] = {None: None, "": None}

    def day(text: str | None) -> dt.date | None:
        try:
            return days[text]
        except KeyError:
            found = days[text] = dt.date.fromisoformat(text) if text else None
            return found

    return day


@functools.lru_cache(maxsize=1 << 12)
def parse_date(text: str) -> dt.date:
    """`2026-11-20` → date. Impossible dates (`2026-02-30`) are errors. Cached: a vault's notes share a few
    thousand dates, and indexing reads two or three a note. (Errors are not cached: each raises afresh.)"""
    text = text.strip()
    m = _DATE.fullmatch(text)
    if not m:
        raise ValueError(f"{text!r} is not a date; write YYYY-MM-DD")
    try:
        day = dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a real date ({exc})") from None
    _check_year(text, day.year)
    return day


def _check_year(text: str, year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"{text!r} is out of range: write a year from {MIN_YEAR} to {MAX_YEAR}")


@functools.lru_cache(maxsize=1 << 12)
def parse_date_or_datetime(text: str) -> dt.date | dt.datetime:
    """A date, or a date-time with an optional `Z` / `+01:00` offset (naive = floating)."""
    text = text.strip()
    if _DATE.fullmatch(text):
        return parse_date(text)
    m = _DATETIME.fullmatch(text)
    if not m:
        raise ValueError(f"{text!r} is not a date or date-time; write YYYY-MM-DD or YYYY-MM-DDTHH:MM")
    year, month, day, hour, minute = (int(m[i]) for i in range(1, 6))
    second = int(m[6] or 0)
    micro = int((m[7] or "0")[:6].ljust(6, "0"))
    tz: dt.tzinfo | None = None
    if m[8]:
        tz = _offset(m[8])
    try:
        value = dt.datetime(year, month, day, hour, minute, second, micro, tzinfo=tz)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a real date-time ({exc})") from None
    _check_year(text, year)
    return value


def _offset(text: str) -> dt.tzinfo:
    if text in ("Z", "z"):
        return dt.timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    if len(digits) <= 2:
        hours, minutes = int(digits), 0
    else:
        hours, minutes = int(digits[:-2]), int(digits[-2:])
    if hours > 23 or minutes > 59:
        raise ValueError(f"{text!r} is not a time-zone offset")
    return dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))


def local_date(value: dt.date | dt.datetime, tz: dt.tzinfo | None) -> dt.date:
    """The calendar date a date or date-time falls on in the vault's zone (SPEC 2 rule 6)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None and tz is not None:
            return value.astimezone(tz).date()
        return value.date()
    return value


@dataclass(frozen=True)
class Duration:
    """A count of days or of calendar months; `spec` keeps what the user wrote."""

    amount: int
    unit: str  # "d" or "m"
    spec: str

    def add_to(self, day: dt.date) -> dt.date:
        if self.unit == "m":
            return day + relativedelta(months=self.amount)  # month ends clamp: 01-31 + 1m = 02-28
        return day + dt.timedelta(days=self.amount)

    def subtract_from(self, day: dt.date) -> dt.date:
        if self.unit == "m":
            return day - relativedelta(months=self.amount)
        return day - dt.timedelta(days=self.amount)

    @property
    def every(self) -> str:
        """As a person says it: `every day`, `every 2 weeks`, `every 30 days`, `every month`, `every 3 months`,
        `every year` (whatever was written: `monthly`, `1m` and `4w` read the same as they mean)."""
        if self.unit == "m":
            count, word = (self.amount // 12, "year") if self.amount % 12 == 0 else (self.amount, "month")
        elif self.amount % 7 == 0:
            count, word = self.amount // 7, "week"
        else:
            count, word = self.amount, "day"
        return f"every {word}" if count == 1 else f"every {count} {word}s"

    @property
    def days(self) -> int:
        """Approximate length in days: a month counts 30, a year 365 (SPEC 3 `cadence_days`)."""
        if self.unit == "m":
            years, months = divmod(self.amount, 12)
            return years * 365 + months * 30
        return self.amount


def parse_duration(text: str | int) -> Duration:
    """`10d 2w 3m 1y`, a bare number (days), or `weekly fortnightly monthly quarterly yearly`."""
    if isinstance(text, bool):
        raise ValueError(f"{text!r} is not a duration")
    spec = str(text).strip()
    word = NAMED_DURATIONS.get(spec.lower(), spec.lower())
    m = _DURATION.fullmatch(word)
    if not m:
        raise ValueError(
            f"{spec!r} is not a duration; write 10d, 2w, 3m, 1y, a number of days, "
            "or weekly, fortnightly, monthly, quarterly, yearly"
        )
    amount, unit = int(m[1]), m[2] or "d"
    if unit == "w":
        amount, unit = amount * 7, "d"
    elif unit == "y":
        amount, unit = amount * 12, "m"
    if amount > (100 * 12 if unit == "m" else 100 * 366):  # in every unit: `2000y` too
        raise ValueError(f"{spec!r} is longer than a century")
    return Duration(amount, unit, spec)


def parse_date_or_duration(text: str, base: dt.date) -> dt.date:
    """A command-line `DATE-OR-DURATION`: a date as written, or a duration counted from `base`."""
    text = text.strip()
    if _DATE.fullmatch(text):
        return parse_date(text)
    try:
        return parse_duration(text).add_to(base)
    except ValueError:
        raise ValueError(f"{text!r} is neither a date (YYYY-MM-DD) nor a duration (10d, 2w, 3m, 1y)") from None


@dataclass(frozen=True)
class Birthday:
    month: int
    day: int
    year: int | None = None

    def in_year(self, year: int) -> dt.date:
        """This year's birthday; 29 February falls on 28 February in other years."""
        if self.month == 2 and self.day == 29:
            try:
                return dt.date(year, 2, 29)
            except ValueError:
                return dt.date(year, 2, 28)
        return dt.date(year, self.month, self.day)

    def next_on_or_after(self, day: dt.date) -> dt.date:
        this_year = self.in_year(day.year)
        return this_year if this_year >= day else self.in_year(day.year + 1)

    def __str__(self) -> str:
        if self.year is None:
            return f"--{self.month:02d}-{self.day:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"


def month_days(first: dt.date, last: dt.date) -> list[str]:
    """The `MM-DD` ends of the stored birthdays (`str(Birthday)`) that may fall from `first` to `last`: each day's,
    and 29 February's where 28 February is among them (its day in other years). Every day of the year from a
    year's span on. What the index narrows birthdays by (`Index.core_paths_dated_until`) before they are judged."""
    days = min((last - first).days + 1, 366)
    found = {f"{d.month:02d}-{d.day:02d}" for d in (first + dt.timedelta(days=n) for n in range(max(days, 0)))}
    if "02-28" in found:
        found.add("02-29")
    return sorted(found)


def parse_birthday(text: str) -> Birthday:
    """`1980-04-12`, or `--04-12` when the year is unknown."""
    text = text.strip()
    m = _BIRTHDAY_NO_YEAR.fullmatch(text)
    if m:
        month, day = int(m[1]), int(m[2])
        try:
            dt.date(2000, month, day)  # a leap year, so --02-29 is allowed
        except ValueError:
            raise ValueError(f"{text!r} is not a real day of the year") from None
        return Birthday(month, day)
    year = _DATE.fullmatch(text)
    if year:
        _check_year(text, int(year[1]))
    try:
        d = parse_date(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a birthday; write YYYY-MM-DD or --MM-DD") from None
    return Birthday(d.month, d.day, d.year)

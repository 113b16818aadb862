"""`week`: this ISO week's relationship interactions against the weekly target (SPEC 3).

What counts, on its date, when that date is no later than today:
- each interaction note (any kind but `note`), once however many people it names (nobody included);
- each Log entry (any kind but `note`);
- each `last_contact`, unless the same person already has an interaction note or a Log entry on that
  date (then it is that contact, recorded twice).
Dormant and archived people's contacts count too: the week measures what you did, not who is due.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from reljournal.model import PERSON
from reljournal.queries import View

WEEKS_SHOWN = 12
TOP_TIER_SHOWN = 5


@dataclass(frozen=True)
class WeekCount:
    start: dt.date  # the Monday
    count: int

    @property
    def week(self) -> str:
        return iso_week(self.start)

    def as_json(self) -> dict[str, Any]:
        return {"week": self.week, "start": self.start.isoformat(), "count": self.count}


@dataclass(frozen=True)
class Overdue:
    name: str
    path: str
    days: int  # days overdue, positive


@dataclass(frozen=True)
class WeekReport:
    start: dt.date
    target: int
    count: int
    streak: int
    weeks: tuple[WeekCount, ...]  # oldest first, this week last
    top_tier: str | None  # None when the vault has no [tiers]
    overdue_top_tier: tuple[Overdue, ...]

    @property
    def week(self) -> str:
        return iso_week(self.start)

    @property
    def end(self) -> dt.date:
        return self.start + dt.timedelta(days=6)

    @property
    def on_target(self) -> bool:
        return self.count >= self.target

    def as_json(self) -> dict[str, Any]:
        return {
            "week": self.week,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "target": self.target,
            "count": self.count,
            "on_target": self.on_target,
            "streak": self.streak,
            "weeks": [w.as_json() for w in self.weeks],
            "overdue_top_tier": [{"name": o.name, "days": o.days} for o in self.overdue_top_tier],
        }


def iso_week(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def contact_days(view: View) -> Counter[dt.date]:
    """How many interactions happened on each day up to today (see the module's rules), counted by SQLite:
    interaction notes, Log entries, and each `last_contact` without a Log entry on its day is looked for
    among the interaction notes of its day only. No record is read (tests/test_week.py holds this to the
    records)."""
    today = view.today
    counts: Counter[dt.date] = Counter()
    for day, n in (*view.index.contacts_by_day(today), *view.index.log_contacts_by_day(today)):
        counts[dt.date.fromisoformat(day)] += n
    pending = dict(view.index.lone_last_contacts(today))  # person path -> a last_contact recorded nowhere else?
    for target, folder, day in view.index.contacts_on(set(pending.values())) if pending else ():
        path = view.path_named(target, folder, PERSON)  # as the note's `with:` link resolves
        if path is not None and pending.get(path) == day:
            del pending[path]  # that interaction note is this contact, recorded twice
    for day in pending.values():
        counts[dt.date.fromisoformat(day)] += 1
    return counts


def week(view: View) -> WeekReport:
    today, target = view.today, view.settings.week_target
    this_monday = monday(today)
    per_week: Counter[dt.date] = Counter()
    for day, n in contact_days(view).items():
        per_week[monday(day)] += n
    weeks = tuple(WeekCount(this_monday - dt.timedelta(weeks=k), per_week[this_monday - dt.timedelta(weeks=k)])
                  for k in reversed(range(WEEKS_SHOWN)))
    count = per_week[this_monday]

    # The streak runs back from last week; with a target of 0 every week is on target, so stop at the
    # first week that had anything at all.
    first = min(per_week, default=this_monday)
    streak, start = 0, this_monday - dt.timedelta(weeks=1)
    while start >= first and per_week[start] >= target:
        streak += 1
        start -= dt.timedelta(weeks=1)
    if count >= target:
        streak += 1

    top = next(iter(view.settings.tiers), None)
    late = []
    if top is not None:
        for a in view.answers_overdue():  # their rows alone
            if a.tier == top and a.rule is not None:  # (as answers_overdue gives them)
                late.append(Overdue(a.title, a.path, a.rule.overdue_days(today)))
    late.sort(key=lambda o: (-o.days, o.name.casefold(), o.path))
    return WeekReport(this_monday, target, count, streak, weeks, top, tuple(late[:TOP_TIER_SHOWN]))

"""The date rules of SPEC section 2, as pure functions of records and `today`.

`Contact` is one dated interaction with a person: an interaction note naming them or a Log entry
(kind `note` is never a contact; the caller leaves those out). A contact dated after today is an
arranged meeting.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from reljournal.dates import Duration
from reljournal.model import NO_CADENCE, Person

PLANNED, CADENCE, NEVER, SNOOZED = "planned", "cadence", "never", "snoozed"

# What a later day can change of an answer besides its contacts dated up to that day: rule 5's `never` is the day
# itself, and a snooze may hold one off only until its date (`next_contact`; the index carries every other answer
# to the next day, `Index.carry_answers`).
TODAY_REASONS = (NEVER,)
UNTIL_NEXT_REASONS = (SNOOZED,)


@dataclass(frozen=True)
class Contact:
    date: dt.date
    next: dt.date | None = None  # the next interaction this one agreed (interaction notes only)


def days_until(day: dt.date | None, today: dt.date) -> int | None:
    """`days` of SPEC 3: the next date − today (negative when overdue); None without a next date."""
    return None if day is None else (day - today).days


class NextContact(NamedTuple):
    """What the rules say about one active person on one day. A named tuple: 10,000 are made from their
    stored rows by every listing (a third of a frozen dataclass's cost)."""

    last: dt.date | None
    planned: dt.date | None
    meeting: dt.date | None  # the earliest arranged meeting, if any
    cadence: Duration | None
    next: dt.date | None
    reason: str | None

    def days(self, today: dt.date) -> int | None:
        return days_until(self.next, today)

    def overdue_days(self, today: dt.date) -> int:
        return max(0, (today - self.next).days) if self.next is not None else 0

    def due(self, today: dt.date, within_days: int) -> bool:
        return self.next is not None and self.next <= today + dt.timedelta(days=within_days)

    @property
    def next_is_meeting(self) -> bool:
        """The person's next date is an arranged meeting: that meeting is their reminder."""
        return self.reason == PLANNED and self.next is not None and self.next == self.meeting


def cadence_of(person: Person, tiers: Mapping[str, Duration], default: Duration | None) -> Duration | None:
    """Rule 3: own cadence (`none` wins), else the tier's, else the vault default, else none."""
    if person.cadence == NO_CADENCE:
        return None
    if isinstance(person.cadence, Duration):
        return person.cadence
    if person.tier is not None and person.tier in tiers:
        return tiers[person.tier]
    return default


def has_unknown_tier(person: Person, tiers: Mapping[str, Duration]) -> bool:
    return bool(tiers) and person.tier is not None and person.tier not in tiers and person.cadence is None


def last_contact(person: Person, contacts: Iterable[Contact], today: dt.date) -> dt.date | None:
    """Rule 1: the latest contact no later than today; a `last_contact` after today is ignored."""
    dates = [c.date for c in contacts if c.date <= today]
    if person.last_contact is not None and person.last_contact <= today:
        dates.append(person.last_contact)
    return max(dates, default=None)


def next_contact(person: Person, contacts: Iterable[Contact], today: dt.date, cadence: Duration | None) -> NextContact:
    contacts = list(contacts)
    last = last_contact(person, contacts, today)
    later = lambda day: last is None or day > last  # noqa: E731  (not yet fulfilled)

    # Rule 2: planned = the earliest of an arranged meeting, the person's own `next`, and the `next`
    # of the latest past interaction that sets one.
    meeting = min((c.date for c in contacts if c.date > today), default=None)
    candidates = [meeting] if meeting is not None else []
    if person.next is not None and later(person.next):
        candidates.append(person.next)
    setters = [c for c in contacts if c.date <= today and c.next is not None]
    if setters:
        latest = max(c.date for c in setters)
        agreed = min(c.next for c in setters if c.date == latest and c.next is not None)
        if later(agreed):
            candidates.append(agreed)
    planned = min(candidates, default=None)

    # Rule 4, then rule 5.
    if planned is not None:
        nxt, reason = planned, PLANNED
    elif cadence is not None and last is not None:
        nxt, reason = cadence.add_to(last), CADENCE
    elif cadence is not None:
        nxt, reason = today, NEVER
    else:
        nxt, reason = None, None
    if nxt is not None and person.snooze is not None and person.snooze > nxt:
        nxt, reason = person.snooze, SNOOZED
    return NextContact(last, planned, meeting, cadence, nxt, reason)

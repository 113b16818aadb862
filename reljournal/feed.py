"""The iCalendar feed (SPEC 4): `events.events(view)` → one deterministic, private `.ics` document.

- No wall clock: `DTSTAMP` is the start of `today` in the vault's zone (UTC when none is set), written
  in UTC; events are sorted; the same vault and `today` give the same bytes on any machine and in any
  local time zone.
- UIDs are stateless: a hash of what an event is about (see `Uids`), so they survive edits of other
  fields, moves between folders, and clones; an `id:` field pins them across a change of title.
- Privacy: `detail` decides how much note text leaves the vault, and `Privacy` keeps every note tagged
  with one of `exclude_tags` out, together with anything that would reveal it.
- Birthdays repeat yearly. 29 February uses `FREQ=YEARLY;BYMONTHDAY=-1;BYMONTH=2` (the last day of
  February: the 29th in leap years, the 28th in others) rather than a plain yearly rule from a 29th,
  which RFC 5545 skips in non-leap years; calcurse, khal (dateutil), libical and Outlook all read it.
  `DTSTART` is this year's birthday, so the feed never reveals a birth year (an age).
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import operator
import os
import re
import sqlite3
import stat
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import NamedTuple, Protocol
from urllib.parse import quote

from reljournal import __version__, ics
from reljournal.atomic import write_atomic
from reljournal.config import SETTINGS_FILE, Settings
from reljournal.errors import UserError
from reljournal.events import BIRTHDAY, DUE, MEETING, OBJECTIVE, TASK, Event, meeting_title, names, note_events
from reljournal.index.sync import digest, settings_fingerprint
from reljournal.model import ORG, PERSON, Interaction, Named, Person, Record
from reljournal.names import name_key
from reljournal.parse.links import link_text, links_in_text
from reljournal.queries import View
from reljournal.rules import CADENCE, NEVER, PLANNED, SNOOZED, NextContact

OUR_PRODID = "-//reljournal//reljournal "  # what every version's PRODID starts with: a feed reljournal wrote
PRODID = f"{OUR_PRODID}{__version__}//EN"
END = b"END:VCALENDAR\r\n"  # the calendar's last line, after its events
REFRESH = dt.timedelta(hours=1)  # how often a subscribed client should fetch again (clients may ignore it)
MEETING_LENGTH = dt.timedelta(hours=1)  # a meeting with a time and no `end:`
UID_DOMAIN = "reljournal"
CATEGORY = {MEETING: "meeting", DUE: "reach-out", TASK: "follow-up", OBJECTIVE: "objective",
            BIRTHDAY: "birthday"}  # also the order of events on one day
RANK = {kind: n for n, kind in enumerate(CATEGORY)}  # an event kind's place in that order (`Entry.sort_key`)


# ---- privacy -----------------------------------------------------------------------------------------
class NoteNames(Protocol):
    """What privacy and UIDs read of every note: a record has it, and so has `store.NoteFacts`, read from
    the index without building records (`reljournal.livefeed`)."""

    @property
    def path(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def id(self) -> str | None: ...
    @property
    def aliases(self) -> tuple[str, ...]: ...
    @property
    def tags(self) -> tuple[str, ...]: ...


class Privacy:
    """What must never reach the feed: notes tagged with one of `exclude_tags`, and any text that names
    one of them (by title, alias, or a link that resolves to one). Built from every note; `for_view` binds
    it to the view whose links it resolves."""

    def __init__(self, exclude_tags: Iterable[str], notes: Iterable[NoteNames]) -> None:
        is_excluded = self.excluding(exclude_tags)
        hidden = [r for r in notes if is_excluded(r.tags)]
        self.excluded: frozenset[str] = frozenset(r.path for r in hidden)
        spoken = sorted({n for r in hidden if r.kind in (PERSON, ORG) for n in (r.title, *r.aliases) if n.strip()},
                        key=lambda n: (-len(n), n))  # longest first: the regex prefers the full name
        self.spoken = tuple(spoken)
        self._names = (re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in spoken) + r")(?!\w)", re.I)
                       if spoken else None)
        self.view: View | None = None

    @staticmethod
    def excluding(exclude_tags: Iterable[str]) -> Callable[[Iterable[str]], bool]:
        """Whether a note with these tags is excluded (`#private` and `Private` name the same tag)."""
        wanted = {t.lstrip("#").casefold() for t in exclude_tags}
        return lambda tags: bool(wanted) and not wanted.isdisjoint(t.casefold() for t in tags)

    @classmethod
    def of_view(cls, view: View) -> Privacy:
        return cls(view.settings.exclude_tags, view.records).for_view(view)

    def for_view(self, view: View) -> Privacy:
        bound = copy.copy(self)
        bound.view = view
        return bound

    def hides(self, record: Named | None) -> bool:
        return record is not None and record.path in self.excluded

    def hides_path(self, path: str) -> bool:
        return path in self.excluded

    def reveals(self, text: str | None) -> bool:
        """Does this text name an excluded note, by a link to it or by its name or alias?"""
        if not text or not self.excluded:
            return False
        assert self.view is not None
        for link in links_in_text(text, 0):
            target = self.view.resolver.resolve(link)
            if target is not None and target.path in self.excluded:
                return True
        return self._names is not None and self._names.search(link_text(text)) is not None

    def shown(self, text: str | None) -> str | None:
        """The text as the feed shows it (link markup as the link's text), or None when it would reveal an
        excluded note or is empty."""
        if not text or not text.strip() or self.reveals(text):
            return None
        return link_text(text).strip()


# ---- UIDs ----------------------------------------------------------------------------------------------
class Uids:
    """Stable, stateless UIDs: a hash of what an event is about (SPEC 4).

    A note is known by its `id:` when it has one, else by its title (case-insensitive, as links match);
    the path joins in only when two notes share that identity. Nothing in a UID can be read back.
    Everything a UID hashes names its note, so numbering the same thing twice (`make`) is per note."""

    def __init__(self, shared: Collection[str]) -> None:
        self.shared = shared  # the identities two notes or more have
        self._seen: Counter[str] = Counter()

    @classmethod
    def of_notes(cls, notes: Iterable[NoteNames]) -> Uids:
        counts = Counter(cls.identity(r) for r in notes)
        return cls(frozenset(key for key, n in counts.items() if n > 1))

    def new_note(self) -> None:
        self._seen.clear()

    @staticmethod
    def identity(record: NoteNames) -> str:
        return name_key(record.id) if record.id else name_key(record.title)

    def of_note(self, record: Record) -> str:
        identity = self.identity(record)
        return f"{identity}\x1f{record.path}" if identity in self.shared else identity

    def make(self, *parts: str) -> str:
        key = "\x1e".join(parts)
        self._seen[key] += 1
        if self._seen[key] > 1:  # the same thing twice (two identical tasks in one note): number them
            key += f"\x1e{self._seen[key]}"
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32] + "@" + UID_DOMAIN


# ---- owners ----------------------------------------------------------------------------------------------
def owners(view: View) -> list[str]:
    """Every owner name the vault knows: people's (or their org's) `owner`, orgs' `owner` and `team`."""
    found = {view.owner_of(p) for p in view.people} | {o.owner for o in view.orgs}
    found |= {member for o in view.orgs for member in o.team}
    return sorted((n for n in found if n), key=lambda n: (n.casefold(), n))


class Whose(NamedTuple):
    """Whom an event is about, as `--owner` judges it: an objective by its organisation, anything else by
    the people it involves (a task also by its note: the person whose note it is, or the interaction's
    people). Kept beside each event of the watcher's feed, so that an owner's feed is filtered from it."""

    org: str | None  # an objective's organisation (path)
    people: tuple[str, ...]  # the paths of the people involved, and for a task its note's path


def whose(view: View, event: Event) -> Whose:
    if event.kind == OBJECTIVE:
        return Whose(event.org.path if event.org is not None else None, ())
    involved = [p.path for p in event.people]
    if event.kind == TASK:  # a task in a note about someone is theirs, whoever its text names
        if event.interaction is not None:
            involved += [p.path for p in view.participants_of(event.interaction)]
        involved.append(event.path)
    return Whose(None, tuple(involved))


@dataclass(frozen=True)
class OwnerScope:
    """SPEC 4 `--owner`: the people NAME owns (their own `owner`, else their org's), their meetings and
    tasks, and the objectives of orgs NAME owns or is on the team of."""

    people: frozenset[str]
    orgs: frozenset[str]

    @classmethod
    def of(cls, view: View, owner: str) -> OwnerScope:
        """Unknown names are an error (exit 1)."""
        known = owners(view)
        wanted = owner.casefold()
        if wanted not in {n.casefold() for n in known}:
            hint = f"; owners: {', '.join(known)}" if known else "; no note has an `owner`"
            raise UserError(f"no owner named {owner!r}{hint}")
        return cls(frozenset(p.path for p in view.people if (view.owner_of(p) or "").casefold() == wanted),
                   frozenset(o.path for o in view.orgs
                             if (o.owner or "").casefold() == wanted or wanted in {m.casefold() for m in o.team}))

    def keeps(self, about: Whose) -> bool:
        if about.org is not None:
            return about.org in self.orgs
        return any(p in self.people for p in about.people)


def owner_filter(view: View, owner: str) -> Callable[[Event], bool]:
    scope = OwnerScope.of(view, owner)
    return lambda event: scope.keeps(whose(view, event))


def feed_head(settings: Settings, owner: str | None) -> bytes:
    """The calendar's lines before its events (`END` follows them)."""
    name = ics.text(settings.name + (f" ({owner})" if owner else ""))
    return ics.content(["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{ics.text(PRODID)}", "CALSCALE:GREGORIAN",
                        "METHOD:PUBLISH", f"NAME:{name}", f"X-WR-CALNAME:{name}",
                        f"REFRESH-INTERVAL;VALUE=DURATION:{ics.duration(REFRESH)}",
                        f"X-PUBLISHED-TTL:{ics.duration(REFRESH)}"])


SortKey = tuple[str, int, str, str]  # an event's place in the feed: start, kind, summary, UID
# The order of (sort key, bytes, ...) entries: by key, then bytes, as pairs sort; never by what follows
PLACE = operator.itemgetter(0, 1)


# ---- one event ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Entry:
    """An event as the feed writes it."""

    uid: str
    kind: str
    start: dt.date | dt.datetime  # a date: all-day
    end: dt.date | dt.datetime
    summary: str
    description: str
    url: str | None
    rrule: str | None = None  # an RRULE value: `FREQ=YEARLY`
    alarm: dt.timedelta | None = None

    def sort_key(self) -> SortKey:
        if isinstance(self.start, dt.datetime):
            start = self.start.strftime("%Y-%m-%dT%H:%M:%S")
        else:
            start = self.start.isoformat()
        return (start, RANK[self.kind], self.summary.casefold(), self.uid)

    def to_ical(self, stamp: dt.datetime) -> bytes:
        """The VEVENT's lines, properties in icalendar's order (its canonical ones, then by name)."""
        summary = ics.text(self.summary)
        lines = ["BEGIN:VEVENT", f"SUMMARY:{summary}", ics.date_property("DTSTART", self.start),
                 ics.date_property("DTEND", self.end), f"DTSTAMP:{ics.date_time(stamp)}", f"UID:{ics.text(self.uid)}",
                 f"SEQUENCE:{revision(stamp)}"]
        if self.rrule:
            lines.append(f"RRULE:{self.rrule}")
        lines.append(f"CATEGORIES:{ics.text(CATEGORY[self.kind])}")
        # Reminders and birthdays do not make you busy; arranged meetings do.
        transp = "TRANSP:OPAQUE" if isinstance(self.start, dt.datetime) else "TRANSP:TRANSPARENT"
        return ics.content([*lines, *self._rest(summary, [f"LAST-MODIFIED:{ics.date_time(stamp)}", transp]),
                            "END:VEVENT"])

    def to_todo(self, stamp: dt.datetime) -> bytes:
        """The item as a task (VTODO) due on its day, for a phone's reminders app (SPEC 8, `todos = true`):
        the same UID, summary, text and link; starting and due on its date, with the same alarm."""
        summary = ics.text(self.summary)
        day = self.start.date() if isinstance(self.start, dt.datetime) else self.start
        lines = ["BEGIN:VTODO", f"SUMMARY:{summary}", ics.date_property("DTSTART", day), ics.date_property("DUE", day),
                 f"DTSTAMP:{ics.date_time(stamp)}", f"UID:{ics.text(self.uid)}",
                 f"CATEGORIES:{ics.text(CATEGORY[self.kind])}"]
        return ics.content([*lines, *self._rest(summary, ["STATUS:NEEDS-ACTION"]), "END:VTODO"])

    def _rest(self, summary: str, between: list[str]) -> list[str]:
        """After the categories: the description, `between`, the link and the alarm (icalendar's order)."""
        lines = [f"DESCRIPTION:{ics.text(self.description)}"] if self.description else []
        lines += between
        if self.url:
            lines.append(f"URL:{self.url}")
        if self.alarm is not None:
            lines += ["BEGIN:VALARM", "ACTION:DISPLAY", f"DESCRIPTION:{summary}", f"TRIGGER:{ics.duration(self.alarm)}",
                      "END:VALARM"]
        return lines

    @staticmethod
    def restamper(old: dt.datetime, new: dt.datetime) -> Callable[[bytes], bytes]:
        """What turns `to_ical(old)`'s bytes into `to_ical(new)`'s: the stamp's three lines replaced, for a new
        day's feed of events whose fields did not move (`reljournal.livefeed`). A property line follows a CRLF
        without a space (a folded line's rest starts with one), so no text of a note can match."""
        pairs = [(f"\r\n{name}:{before}\r\n".encode(), f"\r\n{name}:{after}\r\n".encode())
                 for name, before, after in (("DTSTAMP", ics.date_time(old), ics.date_time(new)),
                                             ("SEQUENCE", revision(old), revision(new)),
                                             ("LAST-MODIFIED", ics.date_time(old), ics.date_time(new)))]

        def restamp(data: bytes) -> bytes:
            for before, after in pairs:
                data = data.replace(before, after, 1)
            return data
        return restamp

    @staticmethod
    def relater(before: dt.date, after: dt.date, placed: bool) -> Callable[[bytes], tuple[bytes, str] | None]:
        """What turns `to_ical`'s bytes of an event overdue on `before` into those of the same event on `after`, a
        later day, when nothing else about it moved: the days in its overdue line and, when overdue events are
        `placed` on the feed's day, its DTSTART and DTEND; beside them its new start (`sort_key`). None for the
        bytes of an event that was not overdue on `before` (it becomes overdue, or was made another day): the
        caller builds that one again. The stamp's lines are `restamper`'s to move."""
        spans: dict[dt.date, bytes] = {}

        def span(day: dt.date) -> bytes:
            """DTSTART and DTEND of an all-day event on `day`: never folded, never a text's (after a CRLF), and one
            after the other (`to_ical`)."""
            if day not in spans:
                spans[day] = "".join(f"\r\n{ics.date_property(name, day + dt.timedelta(days=days))}"
                                     for name, days in (("DTSTART", 0), ("DTEND", 1))).encode() + b"\r\n"
            return spans[day]

        def relate(data: bytes) -> tuple[bytes, str] | None:
            # the description's line, unfolded; the event's own comes before its alarm's
            at = data.find(b"\r\nDESCRIPTION:") + 2
            if at < 2:
                return None
            end = data.find(b"\r\n", at)
            while data[end + 2:end + 3] == b" ":  # folded: its rest follows
                end = data.find(b"\r\n", end + 2)
            line = data[at:end].replace(b"\r\n ", b"").decode()
            found = OVERDUE_OPENING.match(line)
            if found is None:
                return None
            due = dt.date.fromisoformat(found[1])
            if not due < before or found[2] != days_ago((before - due).days):
                return None
            line = line[:found.start(2)] + days_ago((after - due).days) + line[found.end(2):]
            was, now = (span(before), span(after)) if placed else (span(due), span(due))
            where = data.find(was)
            if not 0 <= where < at:
                return None
            moved = b"".join((data[:where], now, data[where + len(was):at], ics.fold(line).encode(), data[end:]))
            return moved, (after if placed else due).isoformat()
        return relate


# An overdue event's description opens with its overdue line (`FeedBuilder.overdue_line`), a reach-out's after its
# reason (`reason_text`, which holds no escaped character): what `Entry.relater` finds in its unfolded line.
OVERDUE_OPENING = re.compile(r"DESCRIPTION:(?:Why: [^\\]*\\n)?Overdue: (?:since|due) (\d{4}-\d{2}-\d{2}) "
                             r"(\(\d+ days? ago\))")


def places_overdue_on_today(settings: Settings) -> bool:
    """Whether the feed shows overdue reach-outs, tasks and objectives on today (`[feed] overdue`), not their date."""
    return settings.overdue == "today"


def days_ago(days: int) -> str:
    """`(3 days ago)`, `(1 day ago)`: how late an overdue event is, in its overdue line."""
    return f"({days} day{'s' if days != 1 else ''} ago)"


REVISIONS_FROM = dt.date(2020, 1, 1)


def day_stamp(today: dt.date, settings: Settings) -> dt.datetime:
    """Every event's `DTSTAMP` on `today`: the start of the day in the vault's zone, in UTC (derived from the
    data, never the clock)."""
    midnight = dt.datetime.combine(today, dt.time(0), settings.tz or dt.timezone.utc)
    return midnight.astimezone(dt.timezone.utc)


def revision(stamp: dt.datetime) -> int:
    """An event's `SEQUENCE`: the days from 2020-01-01 to the feed's day. Google and Outlook take an event's
    new content only when its SEQUENCE grows; one derived from the day grows with each new day's feed,
    and stays the same on every clone (nothing stored), as the rest of the feed does."""
    return (stamp.date() - REVISIONS_FROM).days


class EventBytes:
    """Events' bytes by their fields (an `Entry` and its stamp), kept by a long-running process that builds the
    feed again and again (`LiveFeed` for `watch`, the server's own for `serve`), where almost every event is
    as it was. Pure: an event's bytes are a function of its fields, so a builder with a warm one writes what a
    cold one does (tests/test_feed.py). Bounded: past `limit` events it starts again. A one-off `feed` keeps
    none, and so does not hold every event twice."""

    def __init__(self, limit: int = 250_000) -> None:
        self.limit = limit
        self._bytes: dict[tuple[object, ...], bytes] = {}

    def of(self, entry: Entry, stamp: dt.datetime) -> bytes:
        key = (entry, stamp)
        found = self._bytes.get(key)
        if found is None:
            if len(self._bytes) >= self.limit:
                self._bytes.clear()
            found = self._bytes[key] = entry.to_ical(stamp)
        return found

    def __len__(self) -> int:
        return len(self._bytes)


class FeedBuilder:
    """The feed of a view. `privacy` and `uids` depend on every note: `reljournal.livefeed` passes them in
    when the view holds only the notes an update touched."""

    def __init__(self, view: View, owner: str | None = None, *, privacy: Privacy | None = None,
                 uids: Uids | None = None, overdue: str | None = None, kept: EventBytes | None = None) -> None:
        """`overdue`: instead of the `[feed] overdue` setting (`keep` for tasks on a phone, which show
        themselves as overdue). `kept`: the events' bytes a long-running caller keeps between builds."""
        self.view = view
        self.settings = view.settings if overdue is None else replace(view.settings, overdue=overdue)
        self.today = view.today
        self.privacy = privacy.for_view(view) if privacy is not None else Privacy.of_view(view)
        self.uids = uids if uids is not None else Uids.of_notes(view.records)
        self.keep = owner_filter(view, owner) if owner else (lambda e: True)
        self.owner = owner
        self.detail = self.settings.detail
        self.kept = kept

    # -- the calendar --
    def build(self) -> bytes:
        return b"".join(self.parts())

    def parts(self) -> list[bytes]:
        """The calendar in pieces: its head, each event, its end (write them with `write_atomic` rather than
        joining 70 MB at 111,000 notes). Each event is serialised as soon as it is made (`Entry.to_ical`), so a
        feed of 100,000 events holds their bytes, never 100,000 `Entry` objects."""
        made = sorted(event for record in self.view.records for event in self.note_serialised(record))
        events = [data for _, data in made]
        del made  # the sort keys: a fifth of the events' size
        return [self.head(), *events, END]

    def head(self) -> bytes:
        return feed_head(self.settings, self.owner)

    @cached_property
    def dtstamp(self) -> dt.datetime:
        return day_stamp(self.today, self.settings)

    def serialised(self, entry: Entry, stamp: dt.datetime) -> bytes:
        """The event's bytes; those the caller keeps (`kept`) when it keeps them."""
        return entry.to_ical(stamp) if self.kept is None else self.kept.of(entry, stamp)

    # -- the events --
    def note_serialised(self, record: Record) -> list[tuple[SortKey, bytes]]:
        """One note's events as the feed writes them, each with its place in the feed (`Entry.sort_key`),
        sorted: bytes only, so that a feed of 100,000 events never holds 100,000 `Entry` objects."""
        stamp = self.dtstamp
        return sorted((entry.sort_key(), self.serialised(entry, stamp)) for entry in self.note_entries(record))

    def note_owned(self, record: Record) -> list[tuple[SortKey, bytes, Whose]]:
        """`note_serialised`, each event with whom it is about (`Whose`): the watcher's feed keeps them, so
        that an owner's feed is filtered from it (`reljournal.livefeed`)."""
        stamp = self.dtstamp
        made = [(entry.sort_key(), self.serialised(entry, stamp), whose(self.view, event))
                for event, entry in self.note_made(record)]
        return sorted(made, key=PLACE)

    def note_entries(self, record: Record) -> list[Entry]:
        """The entries of one note's events (none for an excluded note)."""
        return [entry for _, entry in self.note_made(record)]

    def note_made(self, record: Record) -> list[tuple[Event, Entry]]:
        """The entries of one note's events, each beside its event (none for an excluded note)."""
        if self.privacy.hides_path(record.path):
            return []
        makers = {MEETING: self.meeting, DUE: self.reach_out, TASK: self.task, OBJECTIVE: self.objective,
                  BIRTHDAY: self.birthday}
        self.uids.new_note()
        out = []
        for event in note_events(self.view, record):
            if self.keep(event):
                entry = makers[event.kind](event)
                if entry is not None:
                    out.append((event, entry))
        return out

    def placed(self, event: Event) -> dt.date:
        """Overdue reach-outs, tasks and objectives go on today unless `overdue = "keep"`."""
        if event.overdue_days(self.today) and places_overdue_on_today(self.settings):
            return self.today
        return event.date

    def visible(self, people: Iterable[Named]) -> tuple[Named, ...]:
        return tuple(p for p in people if not self.privacy.hides(p))

    def all_day(self, event: Event, summary: str, lines: list[str], uid: str, *,
                involves_hidden: bool = False, rrule: str | None = None,
                start: dt.date | None = None) -> Entry:
        day = start or self.placed(event)
        alarm = None
        if self.settings.alarm is not None:
            at = self.settings.alarm
            alarm = dt.timedelta(hours=at.hour, minutes=at.minute)
        return Entry(uid, event.kind, day, day + dt.timedelta(days=1), summary,
                     self.description(lines, event.path, involves_hidden),
                     self.url(event.path, involves_hidden), rrule, alarm)

    def description(self, lines: list[str], path: str, involves_hidden: bool) -> str:
        out = [line for line in lines if line]
        if not involves_hidden:
            out.append(f"Note: {path}")
            if self.detail == "full":
                body = self.privacy.shown(self.view.body(path))
                if body:
                    out += ["", body]
        return "\n".join(out)

    def url(self, path: str, involves_hidden: bool) -> str | None:
        if involves_hidden:
            return None
        vault = quote(self.settings.root.name, safe="")
        return f"obsidian://open?vault={vault}&file={quote(path.removesuffix('.md'), safe='')}"

    def overdue_line(self, event: Event, what: str) -> str:
        days = event.overdue_days(self.today)
        if not days:
            return ""
        return f"Overdue: {what} {event.date.isoformat()} {days_ago(days)}"

    def reach_out(self, event: Event) -> Entry | None:
        person, status = event.person, event.status
        assert person is not None and status is not None
        org = self.view.org_of(person)
        org_name = None if self.privacy.hides(org) else self.privacy.shown(self.view.org_name(person))
        bracket = ", ".join(x for x in (self.privacy.shown(person.role), org_name) if x)
        summary = f"Reach out: {person.title}" + (f" ({bracket})" if bracket else "")
        lines = [f"Why: {reason_text(status)}",
                 self.overdue_line(event, "since")]
        if self.detail != "minimal":
            lines += self.last_and_next(person)
        uid = self.uids.make("reach-out", self.uids.of_note(person))
        return self.all_day(event, summary, lines, uid)

    def last_and_next(self, person: Person) -> list[str]:
        """The last interaction (date, kind, outcome) and the latest agreed next action, as far as they can
        be shown."""
        past = [h for h in self.view.history.get(person.path, [])
                if h.date <= self.today and h.counts and not self.privacy.hides_path(h.path)]
        lines = []
        if past:
            last = past[-1]
            kind = last.kind or ("last contact" if last.source == "last_contact" else "interaction")
            text = self.privacy.shown(last.text) if last.source != "last_contact" else None
            lines.append(f"Last: {last.date.isoformat()} {kind}" + (f": {text}" if text else ""))
        actions = [h.interaction.next_action for h in past
                   if h.interaction is not None and h.interaction.next_action]
        action = self.privacy.shown(actions[-1]) if actions else None
        if action:
            lines.append(f"Next action: {action}")
        return lines

    def meeting(self, event: Event) -> Entry | None:
        people = self.visible(event.people)
        involves_hidden = len(people) < len(event.people)
        if event.people and not people:
            return None  # only excluded people: the meeting itself would reveal them
        i, log = event.interaction, event.log_entry
        kind = i.interaction_kind if i is not None else (log.kind if log is not None else None)
        fallback = event.title if not self.privacy.reveals(event.title) else "Meeting"
        summary = meeting_title(kind, people, fallback)
        lines = []
        if self.detail != "minimal":
            if i is not None:
                outcome, action = self.privacy.shown(i.outcome), self.privacy.shown(i.next_action)
                lines += [f"Outcome: {outcome}" if outcome else "",
                          f"Next action: {action}" if action else ""]
            if log is not None:
                text = self.privacy.shown(log.text)
                lines.append(text or "")
        if i is not None:
            uid = self.uids.make("meeting", self.uids.of_note(i))
        else:
            assert log is not None and event.person is not None
            uid = self.uids.make("log-meeting", self.uids.of_note(event.person), log.date.isoformat(),
                                 log.text)
        if i is not None and i.at is not None:
            return self.timed(event, i, summary, lines, uid, involves_hidden)
        return self.all_day(event, summary, lines, uid, involves_hidden=involves_hidden)

    def timed(self, event: Event, i: Interaction, summary: str, lines: list[str], uid: str,
              involves_hidden: bool) -> Entry:
        """A meeting with a time: in UTC when the note or the vault gives a zone, else floating."""
        assert i.at is not None
        tz = self.settings.tz
        zone = i.at.tzinfo or tz
        start_local = i.at.replace(tzinfo=zone) if i.at.tzinfo is None else i.at
        end_local = start_local + MEETING_LENGTH
        if i.end is not None:
            end = i.end if i.end.tzinfo is not None or zone is None else i.end.replace(tzinfo=zone)
            if (end.tzinfo is None) == (start_local.tzinfo is None) and end > start_local:
                end_local = end
        if zone is None:
            start, end_out = start_local, end_local  # floating: no zone anywhere
        else:
            start, end_out = start_local.astimezone(dt.timezone.utc), end_local.astimezone(dt.timezone.utc)
        alarm = None
        if self.settings.alarm is not None:
            # the configured time of day on the meeting's day, or the start when that time comes later
            wall = start_local.astimezone(tz) if (tz is not None and zone is not None) else start_local
            remind = dt.datetime.combine(wall.date(), self.settings.alarm, wall.tzinfo)
            alarm = min(remind - wall, dt.timedelta(0))
        return Entry(uid, event.kind, start, end_out, summary,
                     self.description(lines, event.path, involves_hidden),
                     self.url(event.path, involves_hidden), None, alarm)

    def task(self, event: Event) -> Entry | None:
        task = event.task
        assert task is not None
        people = self.visible(event.people)
        involves_hidden = len(people) < len(event.people) or self.privacy.reveals(task.text)
        if event.interaction is not None:
            present = self.view.participants.get(event.path, [])
            involves_hidden |= len(self.visible(present)) < len(present)
            if not people:  # the task names only excluded people: say whose note it is instead
                people = self.visible(present)
        text = self.privacy.shown(task.text) if self.detail != "minimal" else None
        unnamed = [p for p in people if not text or p.title.casefold() not in text.casefold()]
        who = f" ({names(tuple(unnamed))})" if unnamed else ""
        if text:
            summary = f"Follow-up: {text}{who}"
        else:
            summary = f"Follow-up with {names(people)}" if people else "Follow-up"
        lines = [self.overdue_line(event, "due")]
        record = self.view.by_path.get(event.path)
        uid = self.uids.make("task", self.uids.of_note(record) if record else event.path, task.text)
        return self.all_day(event, summary, lines, uid, involves_hidden=involves_hidden)

    def objective(self, event: Event) -> Entry | None:
        org, obj = event.org, event.objective
        assert org is not None and obj is not None
        title = self.privacy.shown(obj.title)
        summary = f"Objective: {title} ({org.title})" if title else f"Objective ({org.title})"
        lines = [self.overdue_line(event, "due")]
        if self.detail != "minimal" and obj.measure:
            measure = self.privacy.shown(obj.measure)
            lines.append(f"Measure: {measure}" if measure else "")
        uid = self.uids.make("objective", self.uids.of_note(org), name_key(obj.title))
        return self.all_day(event, summary, lines, uid)

    def birthday(self, event: Event) -> Entry | None:
        person = event.person
        assert person is not None and person.birthday is not None
        b = person.birthday
        rule = "FREQ=YEARLY;BYMONTHDAY=-1;BYMONTH=2" if (b.month, b.day) == (2, 29) else "FREQ=YEARLY"
        uid = self.uids.make("birthday", self.uids.of_note(person))
        return self.all_day(event, f"Birthday: {person.title}", [], uid, rrule=rule,
                            start=b.in_year(self.today.year))


def reason_text(status: NextContact) -> str:
    every = status.cadence.every if status.cadence else ""
    return {
        PLANNED: "planned: the next interaction agreed",
        CADENCE: f"cadence: {every} since the last contact",
        NEVER: f"never contacted (keep in touch {every})",
        SNOOZED: "snoozed until this day",
    }.get(status.reason or "", status.reason or "")


# ---- the API -------------------------------------------------------------------------------------------
def build_feed(view: View, *, owner: str | None = None, kept: EventBytes | None = None) -> bytes:
    """The feed of `view` as iCalendar bytes (CRLF lines); `owner` keeps one owner's part (SPEC 4)."""
    return FeedBuilder(view, owner, kept=kept).build()


FEED_HEAD_BYTES = 4096  # read from an existing file to find its PRODID


def unfit_feed_path(settings: Settings, path: Path) -> str | None:
    """Why the feed must not be written to `path` (SPEC 10), or None: a path that does not exist yet, or a
    file holding a feed reljournal wrote; never a folder, a note, the settings or anything under `.git/`."""
    real = Path(os.path.realpath(path))
    root = Path(os.path.realpath(settings.root))
    if real.is_dir():
        return "it is a folder"
    if real == root / SETTINGS_FILE:
        return "it is the settings file"
    inside = real == root or root in real.parents
    if inside and ".git" in real.relative_to(root).parts:
        return "it is inside .git/"
    if inside and real.suffix.casefold() == ".md":
        return "it would be a note (a Markdown file in the vault)"
    try:
        mode = os.stat(real).st_mode
    except FileNotFoundError:
        return None  # new (a dangling link's target is made where the link points: its folder is checked above)
    except OSError as exc:
        return f"it cannot be read ({exc.strerror or exc})"
    if not stat.S_ISREG(mode):
        return "it is not a regular file"  # a FIFO would block the open below
    try:
        with open(real, "rb") as f:
            head = f.read(FEED_HEAD_BYTES)
    except OSError as exc:
        return f"it cannot be read ({exc.strerror or exc})"
    if b"PRODID:" + OUR_PRODID.encode() not in head:
        return "it is a file reljournal did not write (no reljournal PRODID in it)"
    return None


def check_feed_path(settings: Settings, path: Path, shown: str) -> None:
    """UserError (exit 2) when `unfit_feed_path`: before anything is written."""
    why = unfit_feed_path(settings, path)
    if why is not None:
        raise UserError(f"will not write the feed to {shown}: {why}", exit_code=2)


class FeedWritten(NamedTuple):
    written: bool  # False: the file already held this feed
    events: int


def write_feed(view: View, path: Path, *, owner: str | None = None,
               build: Callable[[View], Sequence[bytes]] | None = None) -> FeedWritten:
    """Write the feed to `path` atomically, only when its content changed: from its pieces, never joined.

    Building it reads every note (10 s at 111,000 notes), so the last write to each path is remembered in
    the index (`FeedStamp`): when nothing it was made from has changed since and the file still holds what
    was written, it is left as it is without building anything. `build`: what makes the feed's pieces (the
    head, one per event, the end) instead of a `FeedBuilder` (`livefeed.kept_feed`, for the whole feed)."""
    path = Path(path)
    stamp = FeedStamp.of(view, path, owner)
    kept = stamp.kept()
    if kept is not None:
        return FeedWritten(False, kept)
    parts = build(view) if build is not None else FeedBuilder(view, owner).parts()
    written = FeedWritten(write_atomic(path, parts, only_if_changed=True), len(parts) - 2)
    stamp.remember(parts, written.events)
    return written


@dataclass(frozen=True)
class FeedStamp:
    """What a feed file was made from, kept in the index's `meta` under the file's absolute path: the
    index's content token (replaced by every sync that changes it), today, the vault's place and settings,
    the owner and this code's version, beside the number of events and a hash of the bytes written."""

    path: Path  # absolute
    made_from: str
    view: View

    @classmethod
    def of(cls, view: View, path: Path, owner: str | None) -> FeedStamp:
        token = view.index.content_token()  # read before the feed is built: a change meanwhile shows next time
        made_from = "\0".join([token or "-", view.today.isoformat(), str(view.settings.root),
                               settings_fingerprint(view.settings), owner or "", PRODID])
        return cls(path.resolve(), digest(made_from.encode()), view)

    @property
    def key(self) -> str:
        return f"feed {self.path}"

    def kept(self) -> int | None:
        """The number of events when the file holds the feed this stamp stands for."""
        kept = (self.view.index.meta(self.key) or "").split()
        if len(kept) != 3 or kept[0] != self.made_from:
            return None
        try:
            with open(self.path, "rb") as file:
                held = digest(iter(lambda: file.read(1 << 20), b""))
        except OSError:
            return None
        return int(kept[1]) if held == kept[2] else None

    def remember(self, parts: Iterable[bytes], events: int) -> None:
        try:
            with self.view.index.transaction():
                self.view.index.set_meta(self.key, f"{self.made_from} {events} {digest(parts)}")
        except sqlite3.OperationalError:
            pass  # a locked or read-only index: the feed is written, and the next run builds it again


def event_count(data: bytes) -> int:
    return data.count(b"\r\nBEGIN:VEVENT\r\n")

"""Which calendar occurrences become interaction notes, and what changes in notes already imported (SPEC 7).

A pure function (`plan`) from what the calendar holds (`Reading`s), what the vault knows (`Known`: people
by e-mail and by name, the notes imported before, the sources imported before) and the options (window,
today, zone, your addresses) to a `Plan`: notes to add, people to add, dates to move, meetings to mark
cancelled, and counts for the summary. `calendars.importing` reads the inputs and applies the plan.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from reljournal.calendars.reading import Attendee, Occurrence, Reading
from reljournal.lognote import ID_ALPHABET, ID_LENGTH, NewInteraction
from reljournal.model import CANCELLED
from reljournal.names import clean, name_key, safe_title

ALL_DAY, TOO_MANY, FREE, DECLINED_OR_CANCELLED, UNREADABLE = (
    "all-day", "too many attendees", "free time", "declined or cancelled", "unreadable")
SKIP_ORDER = (DECLINED_OR_CANCELLED, TOO_MANY, ALL_DAY, FREE, UNREADABLE)

# Words of a summary that say the kind (the first found wins); else `video` for a video link, else `meeting`.
KIND_WORDS = {
    "coffee": "coffee", "lunch": "lunch", "dinner": "dinner", "call": "call", "phone": "call",
    "video": "video", "intro": "intro", "introduction": "intro",
}
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


@dataclass(frozen=True)
class ImportedNote:
    """An interaction note with a `source:` from a calendar, as the index knows it."""

    path: str
    source: str
    at: dt.datetime | None
    end: dt.datetime | None
    status: str | None


@dataclass(frozen=True)
class Known:
    """What the plan needs of the vault."""

    by_email: dict[str, tuple[str, ...]]  # address (case-folded) -> titles of the people who have it
    by_name: dict[str, tuple[str, ...]]  # name key (title or alias) -> titles of the people called so
    notes: dict[str, ImportedNote]  # source -> the note imported from it
    imported: frozenset[str]  # every source imported before, by anyone (the vault's record of them)
    taken: frozenset[str]  # people's paths as names compare (`name_key`): a new person's note never takes one


@dataclass(frozen=True)
class Options:
    first: dt.date  # the window, both days included
    last: dt.date
    today: dt.date
    tz: dt.tzinfo | None  # the vault's zone; None: the machine's, and date-times keep their offset
    me: frozenset[str]  # your addresses, case-folded
    max_attendees: int = 15
    new_people: bool = False
    people_folder: str = "people"


@dataclass(frozen=True)
class NewPerson:
    title: str
    name: str  # as the calendar wrote it (CN, else the address)
    email: str

    def path(self, folder: str) -> str:
        return f"{folder}/{self.title}.md"


@dataclass(frozen=True)
class NewMeeting:
    entry: NewInteraction
    note_id: str  # the file name's id, from the source: two clones importing one calendar write one file


@dataclass(frozen=True)
class Move:
    path: str
    date: dt.datetime
    end: dt.datetime | None
    was: dt.datetime | None


@dataclass
class Plan:
    new: list[NewMeeting] = field(default_factory=list)
    people: list[NewPerson] = field(default_factory=list)
    moves: list[Move] = field(default_factory=list)
    cancels: list[str] = field(default_factory=list)  # paths of notes to mark `status: cancelled`
    already: int = 0
    nobody: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    seen: dict[str, str] = field(default_factory=dict)  # every occurrence source read -> its day (ISO)

    def summary(self) -> str:
        """`12 added, 2 moved, 1 cancelled, 340 already there, 518 with nobody you know, 41 skipped (23
        declined or cancelled, 12 too many attendees, 6 all-day)`."""
        text = (f"{len(self.new)} added, {len(self.moves)} moved, {len(self.cancels)} cancelled, "
                f"{self.already} already there, {self.nobody} with nobody you know, "
                f"{sum(self.skipped.values())} skipped")
        parts = [f"{self.skipped[k]} {k}" for k in SKIP_ORDER if self.skipped[k]]
        text += f" ({', '.join(parts)})" if parts else ""
        if self.people:
            text += f"; {len(self.people)} {'person' if len(self.people) == 1 else 'people'} added"
        return text


def local(when: dt.datetime, tz: dt.tzinfo | None) -> dt.datetime:
    """A date-time as the vault writes it: in its zone, without an offset (a floating time stays as it
    is); without a zone, in the machine's, with its offset."""
    if when.tzinfo is None:
        return when
    return when.astimezone(tz).replace(tzinfo=None) if tz is not None else when.astimezone()


def guess_me(readings: Iterable[Reading], known: Known) -> frozenset[str]:
    """Without `[vault] me`: your address is the calendar's name when that is an address (Google names a
    primary calendar so), else the one address on most of its events with attendees, when that is more
    than half of them (a tie guesses nothing); never a person's address in the vault."""
    out: set[str] = set()
    for reading in readings:
        name = (reading.name or "").strip().casefold()
        if "@" in name and " " not in name and name not in known.by_email:
            out.add(name)
            continue
        candidates = sorted(((n, a) for a, n in reading.addresses.items() if a not in known.by_email),
                            key=lambda x: (-x[0], x[1]))
        clear = len(candidates) == 1 or (len(candidates) > 1 and candidates[0][0] > candidates[1][0])
        if candidates and clear and candidates[0][0] * 2 > reading.with_attendees:
            out.add(candidates[0][1])
    return frozenset(out)


def note_id(source: str) -> str:
    """Four characters from the source: the same file name on every clone for the same occurrence."""
    number = int.from_bytes(hashlib.blake2b(source.encode(), digest_size=8).digest(), "big")
    return "".join(ID_ALPHABET[(number >> (6 * i)) % len(ID_ALPHABET)] for i in range(ID_LENGTH))


def kind_of(o: Occurrence) -> str:
    for word in _WORD.findall(o.summary.casefold()):
        if word in KIND_WORDS:
            return KIND_WORDS[word]
    return "video" if o.video else "meeting"


def body_of(o: Occurrence) -> str:
    """The event's summary (what `show` and `prep` say of the meeting until it has an outcome), its place
    and its description."""
    parts = [o.summary] if o.summary else []
    if o.location:
        parts.append(f"Location: {o.location}")
    if o.description:
        parts.append(o.description)
    return "\n\n".join(parts)


def plan(readings: Iterable[Reading], known: Known, options: Options, seen_before: dict[str, str]) -> Plan:
    out = Plan()
    new_people: dict[str, NewPerson] = {}  # address -> the person to add
    names_taken = set(known.by_name)
    for reading in readings:
        out.skipped[UNREADABLE] += reading.broken
        for o in reading.occurrences:
            _one(o, known, options, out, new_people, names_taken)
    for source, day in sorted(seen_before.items()):  # gone from the calendar since the last read
        note = known.notes.get(source)
        if (source not in out.seen and note is not None and note.status != CANCELLED
                and options.first <= dt.date.fromisoformat(day) <= options.last
                and dt.date.fromisoformat(day) > options.today):
            out.cancels.append(note.path)
    out.people = list(new_people.values())
    out.cancels = sorted(set(out.cancels))
    return out


def _one(o: Occurrence, known: Known, options: Options, out: Plan, new_people: dict[str, NewPerson],
         names_taken: set[str]) -> None:
    if o.all_day:
        if options.first <= o.start <= options.last:  # type: ignore[operator]
            out.skipped[ALL_DAY] += 1
        return
    assert isinstance(o.start, dt.datetime)
    start = local(o.start, options.tz)
    day = start.date()
    if not options.first <= day <= options.last:
        return
    end = local(o.end, options.tz) if isinstance(o.end, dt.datetime) else None
    source = o.source
    out.seen[source] = day.isoformat()
    note = known.notes.get(source)
    if o.cancelled or _declined_by_me(o, options.me):
        if note is not None and day > options.today and note.status != CANCELLED:
            out.cancels.append(note.path)
        else:
            out.skipped[DECLINED_OR_CANCELLED] += 1
        return
    people = [a for a in o.attendees if a.is_a_person and not _is_me(a, options.me)]
    skipped = _skipped(o, people, end, day, options)
    if skipped is not None:
        out.skipped[skipped] += 1
        return
    titles, unknown = _who(tuple(people), known)
    if not titles and options.new_people:
        for a in unknown:
            added = _new_person(a, known, options, new_people, names_taken)
            if added is not None and added.title not in titles:
                titles.append(added.title)
    if not titles:
        out.nobody += 1
        return
    if note is not None:
        if note.at != start or (end is not None and note.end != end):
            out.moves.append(Move(note.path, start, end, note.at))
        else:
            out.already += 1
        return
    if source in known.imported:  # imported before and deleted since: the user's choice stands
        out.already += 1
        return
    entry = NewInteraction(when=start, people=tuple(titles), kind=kind_of(o), note=body_of(o) or None, end=end,
                           title=o.summary or None, source=source)
    out.new.append(NewMeeting(entry, note_id(source)))


def _skipped(o: Occurrence, people: list[Attendee], end: dt.datetime | None, day: dt.date, options: Options
             ) -> str | None:
    """Why a meeting on `day` that was neither cancelled nor declined is no interaction, if it is not."""
    if end is not None and (end - dt.timedelta(microseconds=1)).date() > day:
        return ALL_DAY  # multi-day: a conference, travel, out of office
    if o.transparent and not people:
        return FREE
    if len({a.email.casefold() if a.email else a.name for a in o.attendees if a.is_a_person}) > options.max_attendees:
        return TOO_MANY
    return None


def _is_me(a: Attendee, me: frozenset[str]) -> bool:
    return a.email is not None and a.email.casefold() in me


def _declined_by_me(o: Occurrence, me: frozenset[str]) -> bool:
    return any(_is_me(a, me) and a.partstat == "DECLINED" for a in o.attendees)


def _who(attendees: tuple[Attendee, ...], known: Known) -> tuple[list[str], list[Attendee]]:
    """The people of the vault among the attendees (by e-mail, else by a display name that fits exactly
    one person), and the attendees matched to nobody. One who declined was not there."""
    titles: list[str] = []
    unknown: list[Attendee] = []
    for a in attendees:
        if a.partstat == "DECLINED":
            continue
        found = known.by_email.get(a.email.casefold(), ()) if a.email else ()
        if len(found) != 1 and a.name:
            by_name = known.by_name.get(name_key(a.name), ())
            found = by_name if len(by_name) == 1 else found
        if len(found) == 1:
            if found[0] not in titles:
                titles.append(found[0])
        elif not found:
            unknown.append(a)
    return titles, unknown


def _new_person(a: Attendee, known: Known, options: Options, new_people: dict[str, NewPerson],
                names_taken: set[str]) -> NewPerson | None:
    """`--new-people`: the person note an unknown attendee gets (by e-mail: one per address)."""
    if not a.email:
        return None
    address = a.email.casefold()
    if address in new_people:
        return new_people[address]
    name = clean(a.name) or a.email
    title = safe_title(name)
    if not title or name_key(title) in names_taken \
            or name_key(f"{options.people_folder}/{title}.md") in known.taken:
        return None
    names_taken.add(name_key(title))
    new_people[address] = NewPerson(title, name, a.email)
    return new_people[address]

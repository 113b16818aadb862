"""iCalendar text → the occurrences of its events in a window (SPEC 7). Pure: no vault, no network.

`icalendar` parses (and maps the Windows zone names Outlook writes, `W. Europe Standard Time`, to IANA
zones); `recurring-ical-events` expands `RRULE`, `RDATE`, `EXDATE` and `RECURRENCE-ID` overrides and honours
Google's `X-WR-TIMEZONE`. Each occurrence keeps what the importer needs: who was there and how they
answered, whether it was cancelled, free time or all day, its summary, place and text (HTML made plain).
An event that cannot be read is skipped and counted; the rest of the calendar is read.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

MAX_TEXT = 20_000  # characters of a description kept in a note's body


class NotACalendar(Exception):
    """The data is not iCalendar (an HTML login page, JSON, an empty file): one line saying what it looks like."""


@dataclass(frozen=True)
class Attendee:
    email: str | None  # without `mailto:`
    name: str | None  # CN
    partstat: str | None  # ACCEPTED, DECLINED, TENTATIVE, NEEDS-ACTION
    cutype: str | None  # INDIVIDUAL (default), ROOM, RESOURCE, GROUP
    organizer: bool = False

    @property
    def is_a_person(self) -> bool:
        return (self.cutype or "INDIVIDUAL").upper() in ("INDIVIDUAL", "UNKNOWN")


@dataclass(frozen=True)
class Occurrence:
    uid: str
    recurrence_id: str | None  # the occurrence of a series, in UTC (`20260202T070000Z`); None for a single event
    summary: str
    start: dt.datetime | dt.date  # a date: an all-day event
    end: dt.datetime | dt.date | None
    cancelled: bool
    transparent: bool  # TRANSP:TRANSPARENT: shown as free time
    attendees: tuple[Attendee, ...]  # the organiser first, when there is one
    location: str = ""
    description: str = ""  # plain text
    video: bool = False  # carries a video-call link

    @property
    def source(self) -> str:
        """What the note's `source:` says: `ics:UID`, or `ics:UID/RECURRENCE-ID` for one of a series."""
        return f"ics:{self.uid}" + (f"/{self.recurrence_id}" if self.recurrence_id else "")

    @property
    def all_day(self) -> bool:
        return not isinstance(self.start, dt.datetime)


@dataclass
class Reading:
    occurrences: list[Occurrence] = field(default_factory=list)
    broken: int = 0  # events that could not be read
    name: str | None = None  # X-WR-CALNAME
    addresses: dict[str, int] = field(default_factory=dict)  # e-mail (case-folded) -> events it is on
    with_attendees: int = 0  # events with an organiser or attendees


def looks_like_icalendar(data: bytes) -> None:
    """Raise `NotACalendar` unless `data` starts as an iCalendar stream does."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").decode("utf-8", "replace")
    if head[:15].upper() == "BEGIN:VCALENDAR":
        return
    lowered = head.lower()
    if not head:
        raise NotACalendar("it is empty")
    if lowered.startswith(("<!doctype html", "<html")) or "<html" in lowered[:500]:
        raise NotACalendar("it is a web page (a login page?), not a calendar")
    if head[:1] in "{[":
        raise NotACalendar("it is JSON, not a calendar")
    raise NotACalendar("it does not start with BEGIN:VCALENDAR")


def read(data: bytes, first: dt.date, last: dt.date) -> Reading:
    """The occurrences of `data`'s events that start from `first` to `last` (both included)."""
    import icalendar

    looks_like_icalendar(data)
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except Exception as exc:  # icalendar raises ValueError and friends for a stream it cannot parse at all
        raise NotACalendar(f"it cannot be read as iCalendar ({type(exc).__name__})") from None
    reading = Reading(name=_text(calendar.get("X-WR-CALNAME")) or None)
    groups: dict[str, list[Any]] = defaultdict(list)
    for component in calendar.walk("VEVENT"):
        uid = _text(component.get("UID"))
        if not uid:
            reading.broken += 1
            continue
        groups[uid].append(component)
    series = {uid for uid, parts in groups.items()
              if len(parts) > 1 or any(p.get("RRULE") or p.get("RDATE") for p in parts)}
    memo = _Memo()
    for occurrence in _expand(calendar, groups, first, last, reading):
        uid = _text(dict.get(occurrence, "UID"))
        try:
            reading.occurrences.append(_occurrence(occurrence, uid, uid in series, memo))
        except (ValueError, KeyError, TypeError, AttributeError):
            reading.broken += 1
    reading.occurrences.sort(key=lambda o: (_sort_key(o.start), o.source))
    _count_addresses(reading)
    return reading


def _count_addresses(reading: Reading) -> None:
    """How many events (a series counts once) each address is on, among those read: who you are, when
    `[vault] me` does not say (`meetings.guess_me`)."""
    by_uid: dict[str, set[str]] = {}
    seen: dict[int, frozenset[str]] = {}  # attendees are shared by the occurrences of an event: once each
    for o in reading.occurrences:
        if id(o.attendees) not in seen:
            seen[id(o.attendees)] = frozenset(a.email.casefold() for a in o.attendees if a.email)
        by_uid.setdefault(o.uid, set()).update(seen[id(o.attendees)])
    for addresses in by_uid.values():
        reading.with_attendees += bool(addresses)
        for address in addresses:
            reading.addresses[address] = reading.addresses.get(address, 0) + 1


def _expand(calendar: Any, groups: dict[str, list[Any]], first: dt.date, last: dt.date,
            reading: Reading) -> Iterable[Any]:
    """Every occurrence in the window. When one event breaks the expansion, each event is expanded on its
    own (with the calendar's zones), so that only the broken ones are lost."""
    import recurring_ical_events

    end = last + dt.timedelta(days=1)
    try:
        return list(recurring_ical_events.of(calendar).between(first, end))
    except Exception:  # noqa: BLE001 - the library raises many kinds; one bad event must not lose the rest
        pass
    import icalendar

    zones = list(calendar.walk("VTIMEZONE"))
    out: list[Any] = []
    for parts in groups.values():
        one = icalendar.Calendar()
        for key in ("VERSION", "PRODID", "X-WR-TIMEZONE"):
            if key in calendar:
                one.add(key, calendar[key])
        for zone in zones:
            one.add_component(zone)
        for part in parts:
            one.add_component(part)
        try:
            out.extend(recurring_ical_events.of(one).between(first, end))
        except Exception:  # noqa: BLE001
            reading.broken += 1
    return out


class _Memo:
    """The occurrences of a series share their property objects with the event they come from: what is
    read from those (attendees, a description made plain) is read once per object. The objects are kept
    here, so that an id is never reused while the memo lives (one `read`)."""

    def __init__(self) -> None:
        self.values: dict[tuple[object, ...], Any] = {}
        self.kept: list[Any] = []

    def get(self, what: str, sources: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        """`compute()`, once for each set of property objects it is computed from."""
        key = (what, *map(id, sources))
        if key not in self.values:
            self.kept.append(sources)
            self.values[key] = compute()
        return self.values[key]


# What an occurrence shares with the event it comes from (the same property objects): read once per event.
_SHARED = ("SUMMARY", "STATUS", "TRANSP", "ORGANIZER", "ATTENDEE", "LOCATION", "DESCRIPTION")


def _occurrence(event: Any, uid: str, in_series: bool, memo: _Memo) -> Occurrence:
    # the component's own keys, upper case: without icalendar's case-folding lookup (a third of the time)
    raw: Callable[[Any, str], Any] = dict.get
    start = raw(event, "DTSTART").dt
    end_prop = raw(event, "DTEND")
    end = end_prop.dt if end_prop is not None else None
    if end is None and raw(event, "DURATION") is not None:
        end = start + raw(event, "DURATION").dt
    recurrence = raw(event, "RECURRENCE-ID")
    recurrence_id = _utc_id(recurrence.dt if recurrence is not None else start) if in_series else None
    summary, cancelled, transparent, attendees, location, description, video = memo.get(
        "shared", tuple(raw(event, key) for key in (*_SHARED, *_VIDEO_KEYS)), lambda: _shared(event))
    return Occurrence(uid=uid, recurrence_id=recurrence_id, summary=summary, start=start, end=end, cancelled=cancelled,
                      transparent=transparent, attendees=attendees, location=location, description=description,
                      video=video)


def _shared(event: Any) -> tuple[str, bool, bool, tuple[Attendee, ...], str, str, bool]:
    description = _plain(_text(event.get("DESCRIPTION")))
    location = " ".join(_text(event.get("LOCATION")).split())
    return (" ".join(_text(event.get("SUMMARY")).split()), _text(event.get("STATUS")).upper() == "CANCELLED",
            _text(event.get("TRANSP")).upper() == "TRANSPARENT", tuple(_attendees(event)), location,
            description[:MAX_TEXT], _has_video(event, location, description))


def _attendees(event: Any) -> list[Attendee]:
    out: list[Attendee] = []
    organizer = event.get("ORGANIZER")
    if organizer is not None:
        out.append(_attendee(organizer, organizer=True))
    raw = event.get("ATTENDEE")
    for value in raw if isinstance(raw, list) else [raw] if raw is not None else []:
        out.append(_attendee(value))
    return out


def _attendee(value: Any, organizer: bool = False) -> Attendee:
    params = getattr(value, "params", {}) or {}
    address = str(value).strip()
    email = address[7:] if address[:7].casefold() == "mailto:" else address if "@" in address else None
    return Attendee(email=email.strip() or None if email else None, name=_param(params, "CN"),
                    partstat=(_param(params, "PARTSTAT") or "").upper() or None,
                    cutype=(_param(params, "CUTYPE") or "").upper() or None, organizer=organizer)


def _param(params: Any, key: str) -> str | None:
    value = params.get(key)
    if isinstance(value, list):
        value = value[0] if value else None
    text = " ".join(str(value).strip().strip('"').split()) if value is not None else ""
    return text or None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value).strip()


def _utc_id(when: dt.datetime | dt.date) -> str:
    """A recurrence id as the source names it: `20260202T070000Z` (UTC), `20260202` for a day; a floating
    time as written."""
    if not isinstance(when, dt.datetime):
        return when.strftime("%Y%m%d")
    if when.tzinfo is None:
        return when.strftime("%Y%m%dT%H%M%S")
    return when.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def _sort_key(when: dt.datetime | dt.date) -> tuple[dt.date, str]:
    if isinstance(when, dt.datetime):
        utc = when.astimezone(dt.timezone.utc) if when.tzinfo else when
        return utc.date(), utc.strftime("%H%M%S")
    return when, ""


_VIDEO = re.compile(r"https?://(?:[\w-]+\.)*(?:meet\.google\.com|zoom\.us|zoom\.com|teams\.microsoft\.com|"
                    r"teams\.live\.com|webex\.com|whereby\.com|meet\.jit\.si|gotomeeting\.com|chime\.aws|"
                    r"facetime\.apple\.com)/", re.IGNORECASE)


_VIDEO_KEYS = ("X-GOOGLE-CONFERENCE", "X-MICROSOFT-SKYPETEAMSMEETINGURL", "X-MICROSOFT-ONLINEMEETINGCONFLINK",
               "CONFERENCE", "URL")


def _has_video(event: Any, location: str, description: str) -> bool:
    if any(event.get(key) for key in _VIDEO_KEYS[:4]):
        return True
    return bool(_VIDEO.search(location) or _VIDEO.search(description) or _VIDEO.search(_text(event.get("URL"))))


# ---- HTML descriptions (Google writes them) as plain text ------------------------------------------------
_LOOKS_HTML = re.compile(r"<(?:br|p|div|a|b|i|u|ul|ol|li|span|strong|em|html)\b", re.IGNORECASE)
_BREAKS = {"br", "p", "div", "li", "ul", "ol", "tr", "h1", "h2", "h3", "h4", "h5", "h6"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in _BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        elif tag in _BREAKS and tag != "li":
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def _plain(text: str) -> str:
    """A description as plain text: HTML tags removed (line breaks kept), entities decoded, blank runs
    made one blank line."""
    if _LOOKS_HTML.search(text):
        parser = _Text()
        parser.feed(text)
        parser.close()
        text = "".join(parser.parts)
    else:
        text = html.unescape(text) if "&" in text and ";" in text else text
    lines = [" ".join(line.split()) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()

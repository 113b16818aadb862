"""The feed writes its content lines itself (`reljournal.ics`, `Entry.to_ical`): they must be the bytes
icalendar gives for the same event, on any text a note can hold, but for a backslash before an `N`."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import icalendar
from conftest import TODAY, VAULTS, copy_vault
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar.parser.string import _escape_char, _foldline, _unescape_char

from reljournal import ics
from reljournal.app import Journal
from reljournal.feed import CATEGORY, PRODID, REFRESH, Entry, FeedBuilder, revision

# Text with everything TEXT escaping and folding care about: escapes, carets, line breaks, multi-byte
# characters (folding counts octets) and long runs.
SPECIAL = st.sampled_from(["\\", "^", ";", ",", "\n", "\r", "\r\n", "\\N", "é", "€", "😀", "ß", "中", " ", ":", '"'])
TEXT = st.lists(st.one_of(st.text(min_size=1, max_size=12), SPECIAL), max_size=40).map("".join)
ASCII = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=300)


def oracle_event(entry: Entry, stamp: dt.datetime) -> bytes:
    """The event as icalendar 7.3 writes it (the way the feed wrote it before `Entry.to_ical`)."""
    ev = icalendar.Event()
    ev.add("uid", entry.uid)
    ev.add("dtstamp", stamp)
    ev.add("sequence", revision(stamp))
    ev.add("last-modified", stamp)
    ev.add("dtstart", entry.start)
    ev.add("dtend", entry.end)
    if entry.rrule:
        ev.add("rrule", icalendar.vRecur.from_ical(entry.rrule))
    ev.add("summary", entry.summary)
    if entry.description:
        ev.add("description", entry.description)
    if entry.url:
        ev.add("url", entry.url)
    ev.add("categories", [CATEGORY[entry.kind]])
    ev.add("transp", "OPAQUE" if isinstance(entry.start, dt.datetime) else "TRANSPARENT")
    if entry.alarm is not None:
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", entry.summary)
        alarm.add("trigger", entry.alarm)
        ev.add_component(alarm)
    return bytes(ev.to_ical())


DAYS = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31))
UTC_TIMES = st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 1, 1),
                         timezones=st.just(dt.timezone.utc))
FLOATING = st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 1, 1))


@st.composite
def entries(draw: Any) -> Entry:
    start: dt.date | dt.datetime = draw(st.one_of(DAYS, UTC_TIMES, FLOATING))
    end = start + (dt.timedelta(days=1) if not isinstance(start, dt.datetime) else
                   draw(st.timedeltas(dt.timedelta(minutes=1), dt.timedelta(days=3))))
    alarm = draw(st.one_of(st.none(), st.timedeltas(dt.timedelta(days=-2), dt.timedelta(days=2))))
    return Entry(draw(st.one_of(st.text(max_size=40), TEXT)), draw(st.sampled_from(list(CATEGORY))), start, end,
                 draw(TEXT), draw(TEXT), draw(st.one_of(st.none(), ASCII.filter(bool))),
                 draw(st.sampled_from([None, "FREQ=YEARLY", "FREQ=YEARLY;BYMONTHDAY=-1;BYMONTH=2"])), alarm)


def no_backslash_n(entry: Entry) -> bool:
    """icalendar reads `\\N` in a value as an escaped line break; the feed keeps the backslash (below)."""
    return not any("\\N" in text for text in (entry.uid, entry.summary, entry.description))


def no_leading_bom(entry: Entry) -> bool:
    """icalendar's writer drops a value's leading U+FEFF (it decodes values as UTF-8 with a signature); the
    feed keeps the note's text whole, and a client reads it back (`test_a_client_reads_back...`)."""
    return not any(text.startswith("\ufeff") for text in (entry.uid, entry.summary, entry.description))


def no_control(value: str) -> str:
    """What of a text reaches the feed: control characters but tab and line ends left out (RFC 5545)."""
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", "", value)


def control_free(entry: Entry) -> bool:
    return all(no_control(v) == v for v in (entry.summary, entry.description or "", entry.uid))


@given(st.text(max_size=30))
def test_no_control_character_reaches_the_feed(value: str) -> None:
    entry = Entry("uid", "task", dt.date(2026, 3, 15), dt.date(2026, 3, 16), "x" + value, value, None)
    data = entry.to_ical(dt.datetime(2026, 3, 15, tzinfo=dt.timezone.utc)).decode()
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", data)


@given(entries().filter(no_backslash_n).filter(no_leading_bom).filter(control_free), UTC_TIMES)
@settings(max_examples=400, deadline=None)
def test_an_event_is_the_bytes_icalendar_writes(entry: Entry, stamp: dt.datetime) -> None:
    assert entry.to_ical(stamp) == oracle_event(entry, stamp)


@given(st.one_of(TEXT, ASCII))
@settings(max_examples=400, deadline=None)
def test_text_is_escaped_and_folded_as_icalendar_does(value: str) -> None:
    if "\\N" not in no_control(value):  # icalendar reads a `\N` as a line break (see ics.text)
        assert ics.text(value) == _escape_char(no_control(value))
    line = "DESCRIPTION:" + ics.text(value)
    assert ics.fold(line) == _foldline(line)


@given(TEXT)
@settings(max_examples=300, deadline=None)
def test_a_client_reads_back_the_text_of_the_note(value: str) -> None:
    """Every character comes back, a `\\N` included (`C:\\Notes`); line ends come back as \\n."""
    entry = Entry("uid", "task", dt.date(2026, 3, 15), dt.date(2026, 3, 16), value or "x", value, None)
    event = icalendar.Event.from_ical(entry.to_ical(dt.datetime(2026, 3, 15, tzinfo=dt.timezone.utc)))
    want = no_control(value).replace("\r\n", "\n").replace("\r", "\n")
    if want:
        assert str(event["DESCRIPTION"]) == want
    assert str(event.get("SUMMARY", "")) == (want if value else "x")


def test_a_leading_byte_order_mark_is_kept_and_read_back() -> None:
    entry = Entry("\ufeffuid", "task", dt.date(2026, 3, 15), dt.date(2026, 3, 16), "\ufeffJane", "", None)
    data = entry.to_ical(dt.datetime(2026, 3, 15, tzinfo=dt.timezone.utc))
    assert "SUMMARY:\ufeffJane\r\n".encode() in data and "UID:\ufeffuid\r\n".encode() in data
    assert str(icalendar.Event.from_ical(data)["SUMMARY"]) == "\ufeffJane"


def test_a_windows_path_in_a_note_keeps_its_backslashes() -> None:
    line = ics.text("see C:\\Notes\\new, or \\N")
    assert line == "see C:\\\\Notes\\\\new\\, or \\\\N"
    assert _escape_char("C:\\Notes") == "C:\\notes"  # icalendar's reading of it: a line break, then "otes"


@given(st.timedeltas(dt.timedelta(days=-400), dt.timedelta(days=400)))
def test_durations_are_written_as_icalendar_writes_them(span: dt.timedelta) -> None:
    assert ics.duration(span).encode() == icalendar.vDuration(span).to_ical()


def test_a_zone_other_than_utc_is_refused_rather_than_written_wrong() -> None:
    zoned = dt.datetime(2026, 3, 15, 10, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    try:
        ics.date_time(zoned)
    except ValueError as exc:
        assert "UTC" in str(exc)
    else:
        raise AssertionError("a +02:00 time was written as if it were UTC")


def head_of(name: str, owner: str | None = None) -> bytes:
    class Named:  # FeedBuilder.head reads the settings' name and the owner only
        settings = type("S", (), {"name": name})()

    builder = FeedBuilder.__new__(FeedBuilder)
    builder.settings, builder.owner = Named.settings, owner  # type: ignore[assignment]
    return builder.head()


PLAIN = TEXT.map(lambda s: "".join(c for c in s if c not in "\\;,\r\n")).filter(lambda s: s.strip())


@given(PLAIN, st.one_of(st.none(), PLAIN))
@settings(max_examples=200, deadline=None)
def test_the_calendar_head_is_the_one_icalendar_writes(name: str, owner: str | None) -> None:
    cal = icalendar.Calendar()
    shown = no_control(name + (f" ({owner})" if owner else ""))  # RFC 5545: no control characters
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("name", shown)
    cal.add("x-wr-calname", shown)
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", icalendar.vDuration(REFRESH))
    assert head_of(name, owner) == bytes(cal.to_ical()).removesuffix(b"END:VCALENDAR\r\n")


def test_a_calendar_name_is_escaped_as_text_where_icalendar_7_3_writes_it_raw() -> None:
    """icalendar 7.3 writes NAME and X-WR-CALNAME unescaped (and fails on a line break); RFC 7986 makes
    them TEXT, so a comma is escaped, and a client reads the name back as it was set."""
    head = head_of("Clients, 2026; partners\nand friends")
    cal = icalendar.Calendar.from_ical(head + b"END:VCALENDAR\r\n")
    for key in ("NAME", "X-WR-CALNAME"):
        assert _unescape_char(cal[key].to_ical().decode()) == "Clients, 2026; partners\nand friends"
    assert b"NAME:Clients\\, 2026\\; partners\\nand friends\r\n" in head


def test_every_event_of_the_test_vaults_is_what_icalendar_writes(tmp_path: Path) -> None:
    seen = 0
    for name in sorted(p.name for p in VAULTS.iterdir()):
        vault = copy_vault(name, tmp_path)
        view = Journal.open(vault, TODAY, tolerate_bad_settings=True).view()
        builder = FeedBuilder(view)
        stamp = builder.dtstamp
        entries_seen = [entry for record in view.records for entry in builder.note_entries(record)]
        for entry in entries_seen:
            assert entry.to_ical(stamp) == oracle_event(entry, stamp), entry
        seen += len(entries_seen)
    assert seen > 50

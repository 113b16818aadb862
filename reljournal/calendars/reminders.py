"""What a phone's calendar holds for the vault, and what it did with it (SPEC 8). No network here.

`reminders(view, …)` gives the items to push: the feed's events (its UIDs, its content; the owner's part
when `owner` is set), each as a calendar object of its own; with `todos`, reach-outs and follow-up tasks
are tasks (`VTODO`) due on their own day (a reminders app shows what is overdue itself).

`read_back(pushed, found)` says what the phone did with an item we pushed, from what the server holds now:
done (a task completed: `STATUS:COMPLETED`, a `COMPLETED` time, or `PERCENT-COMPLETE:100`), moved (its
day changed), deleted (dismissed), or nothing that concerns the vault.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from reljournal.events import DUE, TASK
from reljournal.feed import PRODID, FeedBuilder
from reljournal.ics import content, text
from reljournal.queries import View

DONE, MOVED, DISMISSED = "done", "moved", "dismissed"
_DAILY = (b"DTSTAMP:", b"SEQUENCE:", b"LAST-MODIFIED:")


@dataclass(frozen=True)
class Reminder:
    uid: str
    kind: str  # the feed's: due (a reach-out), task, meeting, objective, birthday
    day: dt.date  # its own day (a reach-out's next date, a task's due date)
    data: bytes  # the calendar object the server is to hold
    digest: str  # of `data` but its DTSTAMP: what decides whether it changed
    summary: str = ""  # for messages
    person: str | None = None  # a reach-out: the person's note
    task: tuple[str, int, str] | None = None  # a follow-up: its note, line and text


def reminders(view: View, *, owner: str | None = None, todos: bool = False) -> Iterator[Reminder]:
    """The items of the feed, as they are to be pushed (sorted by UID)."""
    builder = FeedBuilder(view, owner, overdue="keep" if todos else None)
    stamp = builder.dtstamp
    head = content(["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{text(PRODID)}", "CALSCALE:GREGORIAN"])
    out = []
    for record in view.records:
        for event, entry in builder.note_made(record):
            as_todo = todos and event.kind in (DUE, TASK)
            component = entry.to_todo(stamp) if as_todo else entry.to_ical(stamp)
            person = event.person.path if event.kind == DUE and event.person is not None else None
            ref = (event.path, event.line, event.task.text) if event.kind == TASK and event.task is not None else None
            out.append(Reminder(entry.uid, event.kind, event.date, head + component + b"END:VCALENDAR\r\n",
                                digest(component), entry.summary, person, ref))
    yield from sorted(out, key=lambda r: r.uid)


def digest(component: bytes) -> str:
    """What an item's content is, its DTSTAMP, SEQUENCE and LAST-MODIFIED aside (they move every day: not
    a change worth a request)."""
    lines = [line for line in component.split(b"\r\n") if not line.startswith(_DAILY)]
    return hashlib.blake2b(b"\r\n".join(lines), digest_size=16).hexdigest()


@dataclass(frozen=True)
class Found:
    """An item as the server holds it now, as far as the vault cares."""

    uid: str | None
    day: dt.date | None  # DUE of a task, DTSTART of an event
    completed: bool
    completed_at: dt.datetime | dt.date | None
    digest: str | None  # of the component as it is, `digest` above: equal when the phone changed nothing


def found_in(data: str) -> Found:
    """What the server's copy of an item says (the first VTODO or VEVENT in it)."""
    import icalendar

    try:
        calendar = icalendar.Calendar.from_ical(data)
    except Exception:  # noqa: BLE001 - a copy we cannot read: nothing to learn from it
        return Found(None, None, False, None, None)
    for component in calendar.walk():
        if component.name not in ("VTODO", "VEVENT"):
            continue
        day = _day(component.get("DUE") if component.name == "VTODO" else None) or _day(component.get("DTSTART"))
        status = str(component.get("STATUS", "")).upper()
        completed_at = component.get("COMPLETED")
        percent = component.get("PERCENT-COMPLETE")
        completed = status == "COMPLETED" or completed_at is not None or str(percent or "").strip() == "100"
        raw = _component_bytes(data, component.name)
        return Found(str(component.get("UID", "")) or None, day, completed,
                     completed_at.dt if completed_at is not None else None, digest(raw) if raw else None)
    return Found(None, None, False, None, None)


def _day(prop: Any) -> dt.date | None:
    if prop is None:
        return None
    value = prop.dt
    return value.date() if isinstance(value, dt.datetime) else value


def _component_bytes(data: str, name: str) -> bytes | None:
    """The component's lines as the server returned them (CRLF, as we wrote them), for `digest`."""
    normal = data.replace("\r\n", "\n").replace("\n", "\r\n")
    start, end = normal.find(f"BEGIN:{name}\r\n"), normal.find(f"END:{name}\r\n")
    if start < 0 or end < 0:
        return None
    return normal[start:end + len(f"END:{name}\r\n")].encode("utf-8")


@dataclass(frozen=True)
class Outcome:
    """What the phone did with one item (None: nothing the vault needs to know)."""

    what: str  # DONE, MOVED, DISMISSED
    uid: str
    kind: str
    pushed_day: dt.date
    summary: str = ""
    day: dt.date | None = None  # MOVED: the new day; DONE: the day it was done
    person: str | None = None
    task: tuple[str, int, str] | None = None


def read_back(pushed: dict[str, Any], found: Found | None, today: dt.date, tz: dt.tzinfo | None) -> Outcome | None:
    """`pushed`: what the state remembers of the item (`uid`, `kind`, `day`, `digest`, `person`, `task`);
    `found`: the server's copy now (None: deleted on the phone)."""
    day = dt.date.fromisoformat(pushed["day"])
    task = tuple(pushed["task"]) if pushed.get("task") else None
    common = {"uid": pushed["uid"], "kind": pushed["kind"], "pushed_day": day, "person": pushed.get("person"),
              "task": task, "summary": pushed.get("summary", "")}
    if found is None:
        return Outcome(DISMISSED, **common)  # type: ignore[arg-type]
    if found.digest is not None and found.digest == pushed.get("digest"):
        return None  # as we left it
    if found.completed and pushed["kind"] in (DUE, TASK):
        return Outcome(DONE, day=done_day(found.completed_at, today, tz), **common)  # type: ignore[arg-type]
    if found.day is not None and found.day != day and pushed["kind"] in (DUE, TASK):
        return Outcome(MOVED, day=found.day, **common)  # type: ignore[arg-type]
    return None


def done_day(when: dt.datetime | dt.date | None, today: dt.date, tz: dt.tzinfo | None) -> dt.date:
    """The day a reminder was done, in the vault's zone; today when the phone gave no time."""
    if when is None:
        return today
    if isinstance(when, dt.datetime):
        if when.tzinfo is not None:
            return when.astimezone(tz).date() if tz is not None else when.astimezone().date()
        return when.date()
    return when

"""`import ics` and `sync`'s calendars: read a source, plan against the vault, apply the plan (SPEC 7).

Reading and planning change nothing; `apply` writes new notes as `log` writes them (created exclusively,
named by the occurrence so that two clones write the same file), edits `date`, `end` and `status` as `set`
edits (one line each, every other byte kept), and adds the sources imported to the vault's record of them
(`.reljournal-imported`: one per line, versioned, merged by git as a union) so that a note the user
deleted is never imported again, on any clone. Only then is the source's state remembered.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reljournal.atomic import check_inside, flush, write_atomic
from reljournal.calendars.meetings import ImportedNote, Known, Options, Plan, guess_me, plan
from reljournal.calendars.reading import NotACalendar, Reading, read
from reljournal.calendars.source import Fetched, Source, SourceError, State, fetch, remember
from reljournal.config import CalendarSettings, Settings
from reljournal.edit import edit_note
from reljournal.errors import UserError
from reljournal.importers import Contact, person_note
from reljournal.lognote import planned_path, random_id, write_interaction
from reljournal.model import PERSON
from reljournal.names import name_key
from reljournal.queries import View

IMPORTED_FILE = ".reljournal-imported"
GITATTRIBUTES_LINE = f"/{IMPORTED_FILE} merge=union"
STATE_FOLDER = "calendars"


@dataclass(frozen=True)
class Window:
    first: dt.date
    last: dt.date
    max_attendees: int = 15

    @classmethod
    def of(cls, calendar: CalendarSettings, today: dt.date) -> Window:
        first, last = calendar.window(today)
        return cls(first, last, calendar.max_attendees)


@dataclass
class Outcome:
    plan: Plan
    me: frozenset[str]
    me_guessed: bool
    settings: Settings
    added: list[str] = field(default_factory=list)  # paths written: people, then meetings
    changed: list[str] = field(default_factory=list)  # notes moved or cancelled
    refused: list[str] = field(default_factory=list)  # edits `set` refuses (a note edited into another shape)

    def lines(self, dry_run: bool) -> Iterator[str]:
        """`+ path` for each note added, `~ path: moved from …` and `x path: cancelled` for each changed
        (`would add …` and so on for a dry run: the paths are those the run then writes)."""
        p, s = self.plan, self.settings
        if dry_run:
            yield from (f"would add {person.path(s.people)}" for person in p.people)
            yield from (f"would add {planned_path(s, m.entry, m.note_id)}" for m in p.new)
            yield from (f"would move {m.path}: {_when(m.was)} -> {_when(m.date)}" for m in p.moves)
            yield from (f"would cancel {path}" for path in p.cancels)
            return
        yield from (f"+ {path}" for path in self.added)
        moved = {m.path: m for m in p.moves}
        for path in self.changed:
            yield f"~ {path}: moved from {_when(moved[path].was)} to {_when(moved[path].date)}" if path in moved \
                else f"x {path}: cancelled"


def known_of(view: View) -> Known:
    """People by e-mail and by name, and the notes imported before: from the index's rows, without
    building a record of each person (at 10,000 people that is most of a re-import's own time)."""
    by_email: dict[str, list[str]] = {}
    by_name: dict[str, list[str]] = {}
    for title, aliases, emails in view.index.people_addresses():
        for address in emails:
            by_email.setdefault(address.strip().casefold(), []).append(title)
        for n in (title, *aliases):
            by_name.setdefault(name_key(n), []).append(title)
    notes = {source: ImportedNote(path, source, at, end, status)
             for path, source, at, end, status in view.index.sourced("ics:")}
    return Known(by_email={k: tuple(dict.fromkeys(v)) for k, v in by_email.items()},
                 by_name={k: tuple(dict.fromkeys(v)) for k, v in by_name.items()},
                 notes=notes, imported=read_imported(view.settings.root),
                 taken=frozenset(name_key(t.path) for t in view.targets_of((PERSON,))))


def read_imported(root: Path) -> frozenset[str]:
    try:
        text = (root / IMPORTED_FILE).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return frozenset()
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def readings_of(fetched: Fetched, window: Window) -> list[Reading]:
    """Each calendar text read in the window. A file that is not a calendar fails the whole source when
    it is the source; in a folder it is counted as unreadable and the rest is read."""
    out = []
    for where, data in fetched.texts:
        try:
            out.append(read(data, window.first, window.last))
        except NotACalendar as exc:
            if not fetched.from_folder:
                raise SourceError(f"{where}: not a calendar: {exc}") from None
            out.append(Reading(broken=1))
    return out


PARALLEL_BYTES = 1 << 20  # a calendar this large is read in a second process while this one opens the vault


@contextmanager
def reading(fetched: Fetched, window: Window, *, parallel: bool | None = None
            ) -> Iterator[Callable[[], list[Reading]]]:
    """`readings_of` the fetched texts, as a function to call for the result. A large calendar is read in a
    forked process meanwhile (its parsing and expansion are most of an import's time, and bringing the
    index up to date and reading the people can go on beside them: 1.3 -> 1.1 x the expansion alone, at
    111,000 notes). Only from a process with one thread (forking one with more is not safe); `parallel`
    forces the choice (tests hold both ways to give the same)."""
    import multiprocessing as mp
    import threading

    size = sum(len(data) for _, data in fetched.texts)
    if parallel is None:
        parallel = (size >= PARALLEL_BYTES and (os.cpu_count() or 1) > 1 and threading.active_count() == 1
                    and "fork" in mp.get_all_start_methods())
    if not parallel:
        yield lambda: readings_of(fetched, window)
        return
    # A plain forked process and a pipe: no thread starts here (a pool's would make the index's own worker
    # pool, should the vault need a large sync meanwhile, start afresh instead of forking).
    context = mp.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_read_into, args=(send, fetched, window), daemon=True)
    child.start()
    send.close()

    def result() -> list[Reading]:
        try:
            ok, value = receive.recv()
        except EOFError:
            raise SourceError("the calendar could not be read (its reader stopped)") from None
        if not ok:
            raise value
        return value  # type: ignore[no-any-return]

    try:
        yield result
    finally:
        receive.close()
        child.join(timeout=10)
        if child.is_alive():
            child.terminate()


def _read_into(send: Any, fetched: Fetched, window: Window) -> None:
    """In the forked reader: the readings, or the error, sent back whole."""
    try:
        send.send((True, readings_of(fetched, window)))
    except (SourceError, NotACalendar) as exc:
        send.send((False, exc))
    finally:
        send.close()


def import_calendar(settings: Settings, view_of: Callable[[], View], source: Source, window: Window, *,
                    new_people: bool = False, dry_run: bool = False, timeout: float | None = None,
                    parallel: bool | None = None) -> Outcome:
    """Read `source`, plan against the vault `view_of()` gives (brought up to date meanwhile), and (unless
    `dry_run`) apply. `SourceError` when the source cannot be read: then nothing in the vault has changed."""
    folder = settings.state_dir / STATE_FOLDER
    state = State.load(folder, source)
    fetched = fetch(source, folder, state, timeout=timeout)
    with reading(fetched, window, parallel=parallel) as readings_now:
        view = view_of()
        known = known_of(view)
        readings = readings_now()
    me = frozenset(a.strip().casefold() for a in settings.me)
    guessed = not me
    if guessed:
        me = guess_me(readings, known)
    options = Options(first=window.first, last=window.last, today=view.today, tz=settings.tz, me=me,
                      max_attendees=window.max_attendees, new_people=new_people,
                      people_folder=view.writing_settings.people)
    the_plan = plan(readings, known, options, state.seen)
    outcome = Outcome(the_plan, me, guessed, settings)
    if dry_run:
        return outcome
    apply(view.writing_settings, the_plan, outcome)
    state.seen = the_plan.seen
    try:
        folder.mkdir(parents=True, exist_ok=True)
        remember(folder, source, fetched, state)
    except OSError:
        pass  # derived state only: the next read is a full one
    return outcome


def apply(settings: Settings, the_plan: Plan, outcome: Outcome) -> None:
    """People first (so that no note links to nobody), then new notes, moves and cancellations; the sources
    imported are recorded once the notes are written."""
    root = Path(settings.root)
    # every note's folder checked to stay in the vault before any is written
    for person in the_plan.people:
        check_inside(root, root / person.path(settings.people))
    for year in sorted({m.entry.day.year for m in the_plan.new}):
        check_inside(root, root / settings.interactions / f"{year:04d}")
    for person in the_plan.people:
        path = person.path(settings.people)
        text = person_note(Contact(name=person.name, line=0, emails=(person.email,)), person.title, None)
        try:
            write_atomic(root / path, text.encode("utf-8"), exclusive=True, durable=False, inside=root)
            outcome.added.append(path)
        except FileExistsError:
            pass  # appeared meanwhile: the attendee is matched by name on the next run
    for meeting in the_plan.new:
        outcome.added.append(write_interaction(settings, meeting.entry, _ids(meeting.note_id), durable=False))
    flush([root / path for path in outcome.added])  # all on disk before the record says they were imported
    for move in the_plan.moves:
        _edit(settings, move.path, [("date", move.date), *([("end", move.end)] if move.end else [])], outcome)
    for path in the_plan.cancels:
        _edit(settings, path, [("status", "cancelled")], outcome)
    add_imported(root, [m.entry.source for m in the_plan.new if m.entry.source])


def _ids(first: str) -> Callable[[], str]:
    """The occurrence's own id first; a random one only if that name is taken by another file."""
    drawn = iter([first])
    return lambda: next(drawn, None) or random_id()


def _edit(settings: Settings, path: str, fields: list[tuple[str, dt.datetime | str]], outcome: Outcome) -> None:
    for key, value in fields:
        try:
            edit_note(settings, path, key, value)
        except UserError as exc:
            outcome.refused.append(exc.message)
            return
    outcome.changed.append(path)


def _when(value: dt.datetime | None) -> str:
    return value.isoformat(timespec="minutes") if value is not None else "(no time)"


def add_imported(root: Path, sources: list[str]) -> None:
    """Add `sources` to the vault's record (sorted, one per line), and have git merge it as a union."""
    if not sources:
        return
    known = read_imported(root)
    lines = sorted(known | set(sources))
    header = "# Calendar events imported into this vault (reljournal import ics / sync); never imported again.\n"
    write_atomic(root / IMPORTED_FILE, (header + "".join(f"{s}\n" for s in lines)).encode("utf-8"),
                 only_if_changed=True)
    attributes = root / ".gitattributes"
    try:
        text = attributes.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    except (OSError, UnicodeDecodeError):
        return  # not ours to fix: the record still works, merges may just conflict
    if GITATTRIBUTES_LINE not in text.splitlines():
        text += ("" if not text or text.endswith("\n") else "\n") + GITATTRIBUTES_LINE + "\n"
        write_atomic(attributes, text.encode("utf-8"))


"""Every dated thing the journal knows, in one place: the agenda and the feed both read from here.

- `meeting`: an interaction dated today or later (any kind but `note`), or a Log entry dated after today;
- `due`: an active person with a next date, unless that date is an arranged meeting (the meeting is the
  reminder then);
- `task`: an open task (`- [ ]`) with a due date;
- `objective`: an open objective with a due date;
- `birthday`: a person's next birthday on or after today.

Events carry their original date; placing overdue items on today is the caller's choice (`agenda` always
does it, the feed per its `overdue` setting).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

from reljournal.model import NOT_A_CONTACT, Interaction, Link, LogEntry, Named, Objective, Org, Person, Record, Task
from reljournal.parse.links import link_text
from reljournal.queries import View
from reljournal.rules import NextContact

MEETING, DUE, TASK, OBJECTIVE, BIRTHDAY = "meeting", "due", "task", "objective", "birthday"
KIND_ORDER = {MEETING: 0, DUE: 1, TASK: 2, OBJECTIVE: 3, BIRTHDAY: 4}


class Event(NamedTuple):
    """One dated thing. A named tuple: an agenda of a neglected journal makes 100,000 of them, and a frozen
    dataclass took three times as long to make (1.4 us each, 0.1 s)."""

    kind: str
    date: dt.date  # the date it belongs on (an overdue item keeps its own date here)
    title: str  # as SPEC 3 titles it: `Lunch with Jane Doe`, `Jane Doe`, a task's text, `Birthday: Jane Doe`
    people: tuple[Named, ...]  # records; in the agenda, the answers of the people its tasks and reach-outs name
    path: str  # the note it comes from
    line: int
    interaction: Interaction | None = None
    log_entry: LogEntry | None = None
    person: Person | None = None  # due, birthday: whose; a Log meeting: whose Log (None: due made from an answer)
    status: NextContact | None = None  # due: the rules' answer
    task: Task | None = None
    org: Org | None = None  # objective: whose
    objective: Objective | None = None

    def overdue_days(self, today: dt.date) -> int:
        """Days overdue: reach-outs, tasks and objectives whose date has passed (meetings never are)."""
        if self.kind in (DUE, TASK, OBJECTIVE) and self.date < today:
            return (today - self.date).days
        return 0

    def sort_key(self) -> tuple[dt.date, int, str, str, int]:
        return (self.date, KIND_ORDER[self.kind], self.title.casefold(), self.path, self.line)


def names_phrase(names: Sequence[str], most: int | None = None) -> str:
    """`Ann`, `Ann and Bo`, `Ann, Bo and Cy`; with `most`, past that many: `Ann, Bo and 3 others`."""
    if len(names) <= 1:
        return "".join(names)
    if most is not None and len(names) > most:
        return f"{names[0]}, {names[1]} and {len(names) - 2} others"
    return ", ".join(names[:-1]) + " and " + names[-1]


def names(people: Sequence[Named]) -> str:
    """The people's titles as a phrase: `Lunch with Ann, Bo and Cy`."""
    return names_phrase([p.title for p in people])


def meeting_title(kind: str | None, people: Sequence[Named], fallback: str) -> str:
    what = (kind or "meeting").capitalize()
    return f"{what} with {names(people)}" if people else fallback


def events(view: View, until: dt.date | None = None, *, tasks_keep_notes: bool = True) -> list[Event]:
    """All events, in no particular order: the agenda, their one reader, sorts its items by its own key
    (overdue ones moved to today), and a sort here too took 0.1 s of 100,000 tasks. With `until`, those
    dated up to that day (overdue ones included): of the interactions and plain notes, only those with a
    meeting from today to `until` are read (`View.meetings_until`), and the open tasks due by then come from
    the index's rows (`View.open_tasks_until`); of the people and organisations, those with something dated by
    then besides a next contact (`View.core_dated_until`) and those their own tasks name (`View.read_linked`).
    The other people due, and those the meetings and the open tasks name, are their stored answers
    (`Event.people`). Unless the view holds every record already: then all are records.
    `tasks_keep_notes=False`: a task's event does not keep its interaction note (`Event.interaction`, which
    the agenda does not read), so that the notes read are let go part by part."""
    if until is None or not view.from_rows:
        out = [e for record in view.records for e in note_events(view, record, tasks_keep_notes=tasks_keep_notes)
               if until is None or e.date <= until]
    else:  # the people and organisations with something by `until`, the meetings by then, the open tasks
        core = view.core_dated_until(until)
        view.read_linked(link for record in core for t in record.tasks for link in t.links)
        out = [e for record in core for e in note_events(view, record) if e.date <= until]
        # The others due by then are shown by their answers: no record of theirs is read (10,000 in a neglected
        # journal: 0.7 s to read); nor of the people the open tasks name (`answers_linked`).
        read = {record.path for record in core}
        out += [e for a in view.answers_next_by(until) if a.path not in read
                if (e := due_event(a, a.rule)) is not None]
        # The people the meetings and the open tasks name are their answers too: found by their links' names
        paths: dict[tuple[str, str | None], str] = {}
        answers: dict[str, Named] = {}

        def learn(links: Iterable[Link]) -> None:
            found = view.person_paths(links)
            paths.update(found)
            answers.update(view.answers_at(set(found.values())))  # a note that never parsed has none: no one

        def answers_linked(links: Sequence[Link]) -> list[Named]:
            """The answers of the people these links name, in their order, once each."""
            named: list[Named] = []
            for link in links:
                a = answers.get(paths.get((link.target, link.folder), ""))
                if a is not None and a not in named:
                    named.append(a)
            return named

        for part in view.meetings_until(until):
            learn(link for record in part if isinstance(record, Interaction) for link in record.with_)
            out += [e for record in part for e in note_events(view, record, with_tasks=False, people_of=answers_linked)
                    if e.date <= until]
        tasks = view.open_tasks_until(until)
        learn(link for t in tasks for link in t.task.links)
        # An interaction's task that names nobody is about its `with:` people: their links read for those alone
        # (every interaction's were 127,000 rows of an agenda of 100,000 tasks that each name someone).
        with_ = view.index.with_links({t.path for t in tasks if t.in_interaction and not answers_linked(t.task.links)})
        learn(link for links in with_.values() for link in links)
        out += [task_event(view, t.path, t.task, with_.get(t.path, ()) if t.in_interaction else None, None,
                           people_of=answers_linked) for t in tasks]
    return out


def due_event(person: Named, status: NextContact | None, record: Person | None = None) -> Event | None:
    """The reach-out to `person` (their record, or their answer) on their next date, if any: none when that date
    is an arranged meeting (the meeting is the reminder then)."""
    if status is None or status.next is None or status.next_is_meeting:
        return None
    return Event(DUE, status.next, person.title, (person,), person.path, 1, person=record, status=status)


def task_event(view: View, path: str, task: Task, with_: tuple[Link, ...] | None, person: Person | None,
               note: Interaction | None = None, *,
               people_of: Callable[[Sequence[Link]], Sequence[Named]] | None = None) -> Event:
    """An open task's event (`task.due` set): about the people linked in its text, else those of its note
    (`with_` of an interaction, or `person` whose note it is). `people_of`: whom links name (their records,
    `View.people_linked`, unless given)."""
    assert task.due is not None
    named = people_of or view.people_linked
    people = named(task.links)
    if not people and with_ is not None:
        people = named(with_)
    if not people and person is not None:
        people = [person]
    return Event(TASK, task.due, link_text(task.text), tuple(people), path, task.line, task=task, interaction=note)


def note_events(view: View, record: Record, *, tasks_keep_notes: bool = True, with_tasks: bool = True,
                people_of: Callable[[Sequence[Link]], Sequence[Named]] | None = None) -> list[Event]:
    """The events one note gives, sorted: every event belongs to exactly one note (`Event.path`), so the
    feed can be rebuilt one note at a time (see `reljournal.livefeed`). `with_tasks=False`: without its
    open tasks' (which `events` has from the index's rows). `people_of`: whom a meeting's `with:` links name
    (their records, `View.participants_of`, unless given)."""
    today = view.today
    out: list[Event] = []
    if isinstance(record, Interaction):
        i = record
        if i.date is not None and i.date >= today and i.counts:
            people = tuple(people_of(i.with_) if people_of is not None else view.participants_of(i))
            out.append(Event(MEETING, i.date, meeting_title(i.interaction_kind, people, i.title), people, i.path,
                             1, interaction=i))
    elif isinstance(record, Person) and record.active:
        p = record
        for e in p.log:
            if e.date > today and e.kind != NOT_A_CONTACT:
                out.append(Event(MEETING, e.date, meeting_title(e.kind, (p,), p.title), (p,), p.path, e.line,
                                 log_entry=e, person=p))
        due = due_event(p, view.status_of(p.path), p)
        if due is not None:
            out.append(due)
        if p.birthday is not None:
            out.append(Event(BIRTHDAY, p.birthday.next_on_or_after(today), f"Birthday: {p.title}", (p,), p.path,
                             p.line_of("birthday"), person=p))
    elif isinstance(record, Org):
        for obj in record.objectives:
            if obj.status == "open" and obj.due is not None:
                out.append(Event(OBJECTIVE, obj.due, obj.title, (), record.path, obj.line, org=record,
                                 objective=obj))
    for t in record.tasks if with_tasks else ():
        if t.open and t.due is not None:
            interaction = record if isinstance(record, Interaction) else None
            out.append(task_event(view, record.path, t, interaction.with_ if interaction is not None else None,
                                  record if isinstance(record, Person) else None,
                                  interaction if tasks_keep_notes else None))
    out.sort(key=Event.sort_key)
    return out

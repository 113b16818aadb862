"""The vault's records: frozen dataclasses that carry their source. No I/O here.

A note parses to exactly one of `Person`, `Org`, `Interaction` or `Note`; all share `NoteBase`.
Field line numbers (`lines`) let later checks (links, tiers, future contacts) point at the right line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from reljournal.dates import Birthday, Duration
from reljournal.names import name_key

PERSON, ORG, INTERACTION, NOTE = "person", "org", "interaction", "note"
KINDS = (PERSON, ORG, INTERACTION, NOTE)

INTERACTION_KINDS = (
    "coffee", "lunch", "dinner", "call", "video", "meeting", "email",
    "message", "event", "intro", "gift", "note",
)
NOT_A_CONTACT = "note"  # an interaction of kind `note` counts nowhere in the date rules or `week`
CANCELLED = "cancelled"  # `status:` of a meeting that will not happen: it counts nowhere at all
INTERACTION_STATUSES = (CANCELLED,)
RELATIONSHIPS = ("client", "prospect", "referrer", "peer", "mentor", "internal", "partner", "other")
STATUSES = ("active", "dormant", "archived")
OBJECTIVE_STATUSES = ("open", "done", "dropped")
NO_CADENCE = "none"


@dataclass(frozen=True, slots=True)
class Link:
    """A reference to a note by name: `[[people/Jane Doe#Log|Jane]]` or a bare `Jane Doe`."""

    target: str  # the name part: `Jane Doe`
    folder: str | None  # `people` for `[[people/Jane Doe]]`
    display: str  # what the link shows: the alias, else the name
    line: int

    @property
    def key(self) -> str:
        return name_key(self.target)


@dataclass(frozen=True, slots=True)
class Task:
    text: str  # without the status box and the due-date marker
    status: str  # the character in the box: " " open, "x" done, "-" cancelled, ...
    due: dt.date | None
    links: tuple[Link, ...]
    line: int

    @property
    def open(self) -> bool:
        return self.status == " "


@dataclass(frozen=True, slots=True)
class LogEntry:
    """A dated list item in a person's `## Log` section: an interaction with that person."""

    date: dt.date
    kind: str | None
    text: str
    line: int


@dataclass(frozen=True, slots=True)
class Objective:
    title: str
    measure: str | None
    due: dt.date | None
    status: str
    line: int


@dataclass(frozen=True, slots=True)
class NoteBase:
    path: str  # relative to the vault, forward slashes
    title: str
    aliases: tuple[str, ...] = ()
    id: str | None = None  # pins feed UIDs across a change of title
    tags: tuple[str, ...] = ()
    tasks: tuple[Task, ...] = ()
    links: tuple[Link, ...] = ()  # links in the body
    lines: Mapping[str, int] = field(default_factory=dict)  # front-matter key -> line

    kind = NOTE

    def line_of(self, key: str) -> int:
        return self.lines.get(key, 1)


@dataclass(frozen=True, slots=True)
class Note(NoteBase):
    kind = NOTE


@dataclass(frozen=True, slots=True)
class Person(NoteBase):
    org: Link | None = None
    role: str | None = None
    relationship: str | None = None
    tier: str | None = None
    cadence: Duration | str | None = None  # a Duration, NO_CADENCE, or None when unset
    next: dt.date | None = None
    snooze: dt.date | None = None
    last_contact: dt.date | None = None
    status: str = "active"
    owner: str | None = None
    birthday: Birthday | None = None
    email: tuple[str, ...] = ()  # e-mail addresses, the preferred first
    phone: str | None = None
    linkedin: str | None = None
    motivations: tuple[str, ...] = ()
    priorities: tuple[str, ...] = ()
    common_ground: tuple[str, ...] = ()
    log: tuple[LogEntry, ...] = ()

    kind = PERSON

    @property
    def active(self) -> bool:
        return self.status == "active"


@dataclass(frozen=True, slots=True)
class Org(NoteBase):
    tier: str | None = None
    key_account: bool = False
    owner: str | None = None
    team: tuple[str, ...] = ()
    revenue: float | None = None
    budget: float | None = None
    exposure: float | None = None
    objectives: tuple[Objective, ...] = ()

    kind = ORG


@dataclass(frozen=True, slots=True)
class Interaction(NoteBase):
    date: dt.date | None = None  # the calendar date in the vault's zone
    at: dt.datetime | None = None  # the date-time when one was given (naive = floating)
    end: dt.datetime | None = None
    with_: tuple[Link, ...] = ()
    interaction_kind: str | None = None  # `kind:` in front matter
    outcome: str | None = None
    next: dt.date | None = None
    next_action: str | None = None
    gave: tuple[str, ...] = ()
    received: tuple[str, ...] = ()
    by: str | None = None  # the team member who had it (`by:`); accounts fall back to the person's owner
    status: str | None = None  # CANCELLED, or None
    source: str | None = None  # where an imported note came from: `ics:UID`, `ics:UID/RECURRENCE-ID`, `caldav:...`

    kind = INTERACTION

    @property
    def counts(self) -> bool:
        """Whether it is a contact (rules, `week`) and a meeting (agenda, feed): not kind `note`, not cancelled."""
        return self.interaction_kind != NOT_A_CONTACT and self.status != CANCELLED


Record = Person | Org | Interaction | Note


# Front-matter keys each kind reads (the README's table documents each; tests/test_docs.py keeps it so).
FRONT_MATTER_KEYS: dict[str, tuple[str, ...]] = {
    "any": ("type", "aliases", "id", "tags"),
    PERSON: ("org", "role", "relationship", "tier", "cadence", "next", "snooze", "last_contact", "status", "owner",
             "birthday", "email", "phone", "linkedin", "motivations", "priorities", "common_ground"),
    ORG: ("tier", "key_account", "owner", "team", "revenue", "budget", "exposure", "objectives"),
    INTERACTION: ("date", "end", "with", "kind", "outcome", "next", "next_action", "gave", "received", "by",
                  "status", "source"),
}

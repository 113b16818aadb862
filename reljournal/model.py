"""The vault's records: frozen dataclasses that carry their source. No I/O here. Links and tasks are named
tuples: an agenda or a feed of 100,000 interactions makes as many of each (0.4 us each, a dataclass 1 us).

A note parses to exactly one of `Person`, `Org`, `Interaction` or `Note`; all share `NoteBase`.
Field line numbers (`lines`) let later checks (links, tiers, future contacts) point at the right line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

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


class Link(NamedTuple):
    """A reference to a note by name: `[[people/Jane Doe#Log|Jane]]` or a bare `Jane Doe`."""

    target: str  # the name part: `Jane Doe`
    folder: str | None  # `people` for `[[people/Jane Doe]]`
    display: str  # what the link shows: the alias, else the name
    line: int

    @property
    def key(self) -> str:
        return name_key(self.target)


class Task(NamedTuple):
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


class Named(Protocol):
    """Whom an event names, as the agenda and the feed show them: a person's record, or (the agenda of many
    people) their stored answer (`queries.PersonAnswer`). Both have the note's path and title."""

    @property
    def path(self) -> str: ...

    @property
    def title(self) -> str: ...


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


# ---- the field tables: one place for each field of each kind ----------------------------------------------
# How a field is read from front matter and stored in the index (`parse.note`, `index.store`, `index.schema`),
# and what `set` writes for it (`edit`).
TEXT, CHOICE, STRINGS, DATE, WHEN, DATETIME, NUMBER, FLAG, CADENCE, BIRTHDAY = (
    "text", "choice", "strings", "date", "when", "datetime", "number", "flag", "cadence", "birthday")
LINK, LINKS, LOG, OBJECTIVES = "link", "links", "log", "objectives"  # kept in tables of their own


@dataclass(frozen=True)
class Field:
    """One field of a record kind: the record's attribute (`name`), the front-matter key it is read from
    (`key`; None: from the body), how it is read (`read`), its column in the kind's table (`column`; None:
    in a table of its own: links, Log entries, objectives), and what it means (`doc`: docs/schema.md's
    column and the README's key say the same). `choices`: the values a CHOICE admits; `default`: when the
    key is absent."""

    name: str
    key: str | None
    read: str
    doc: str
    column: str | None = ""  # "": the same as `name`
    choices: tuple[str, ...] = ()
    default: object = None
    set_as: str | None = None  # how `set` writes it, when not as its reading says (`edit.FIELDS`)

    @property
    def stored_in(self) -> str | None:
        if self.read in (LINK, LINKS, LOG, OBJECTIVES):
            return None
        return self.column or self.name


PERSON_FIELDS: tuple[Field, ...] = (
    Field("org", "org", LINK, "a person's `org:` is a row in `links` with `field = 'org'`"),
    Field("role", "role", TEXT, "`role:`"),
    Field("relationship", "relationship", CHOICE,
          "`client`, `prospect`, `referrer`, `peer`, `mentor`, `internal`, `partner`, `other`", choices=RELATIONSHIPS),
    Field("tier", "tier", TEXT, "`tier:` as written (`1` becomes `\"1\"`)"),
    Field("cadence", "cadence", CADENCE, "`cadence:` as written (`30d`, `monthly`), `none`, or NULL"),
    Field("next", "next", DATE, "`next:` date (the agreed next interaction; not the computed next date)"),
    Field("snooze", "snooze", DATE, "`snooze:` date"),
    Field("last_contact", "last_contact", DATE, "`last_contact:` date"),
    Field("status", "status", CHOICE, "`active` (also when absent), `dormant` or `archived`", choices=STATUSES,
          default="active"),
    Field("owner", "owner", TEXT, "`owner:` (the person's own; the org's owner is in `orgs`)"),
    Field("birthday", "birthday", BIRTHDAY, "`1980-04-12`, or `--04-12` without a year"),
    Field("email", "email", STRINGS, "`email:` addresses, a JSON list (the preferred first)", set_as=TEXT),
    Field("phone", "phone", TEXT, "`phone:`"),
    Field("linkedin", "linkedin", TEXT, "`linkedin:`"),
    Field("motivations", "motivations", STRINGS, "JSON list"),
    Field("priorities", "priorities", STRINGS, "JSON list"),
    Field("common_ground", "common_ground", STRINGS, "JSON list"),
    Field("log", None, LOG, "a person's `## Log` entries are rows of `log_entries`"),
)
ORG_FIELDS: tuple[Field, ...] = (
    Field("tier", "tier", TEXT, "`tier:`"),
    Field("key_account", "key_account", FLAG, "1 or 0 (absent)"),
    Field("owner", "owner", TEXT, "`owner:`"),
    Field("team", "team", STRINGS, "JSON list of owner names"),
    Field("revenue", "revenue", NUMBER, "`revenue:`"),
    Field("budget", "budget", NUMBER, "`budget:`"),
    Field("exposure", "exposure", NUMBER, "`exposure:`"),
    Field("objectives", "objectives", OBJECTIVES, "an org's `objectives:` are rows of `objectives`"),
)
INTERACTION_FIELDS: tuple[Field, ...] = (
    Field("date", "date", WHEN, "the calendar date in the vault's zone (NULL when missing: a `no-date` error)"),
    Field("at", "date", DATETIME, "the date-time, when `date:` gave one"),
    Field("end", "end", DATETIME, "`end:` date-time", column="end_at"),
    Field("with_", "with", LINKS, "the people an interaction is with are rows in `links` with `field = 'with'`"),
    Field("interaction_kind", "kind", CHOICE, "`coffee`, `lunch`, `call`, …, `note`", column="kind",
          choices=INTERACTION_KINDS),
    Field("outcome", "outcome", TEXT, "`outcome:`"),
    Field("next", "next", DATE, "`next:` date agreed at this interaction"),
    Field("next_action", "next_action", TEXT, "`next_action:`"),
    Field("gave", "gave", STRINGS, "JSON list of what you gave"),
    Field("received", "received", STRINGS, "JSON list of what you received"),
    Field("by", "by", TEXT, "`by:`: the team member who had the interaction (NULL when not said)", column="by_member"),
    Field("status", "status", CHOICE, "`cancelled` for a meeting that will not happen (it counts nowhere), else NULL",
          choices=INTERACTION_STATUSES),
    Field("source", "source", TEXT,
          "`source:`: where an imported note came from (`ics:UID`, `ics:UID/RECURRENCE-ID`), else NULL"),
)
FIELDS_OF: dict[str, tuple[Field, ...]] = {PERSON: PERSON_FIELDS, ORG: ORG_FIELDS, INTERACTION: INTERACTION_FIELDS}


def front_matter_keys(fields: tuple[Field, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(f.key for f in fields if f.key is not None))


# Front-matter keys each kind reads (the README's table documents each; tests/test_docs.py keeps it so).
FRONT_MATTER_KEYS: dict[str, tuple[str, ...]] = {
    "any": ("type", "aliases", "id", "tags"),
    **{kind: front_matter_keys(fields) for kind, fields in FIELDS_OF.items()},
}

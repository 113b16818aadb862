"""Questions answered from the index: who is due, who is who, what is wrong.

`View` is the vault as the index knows it on one day: records, resolved links, contacts per person and
the rule results. Every listing is a function of a `View` and typed options, returning typed rows that
`output` renders as a table or as the JSON of SPEC 3.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, NamedTuple, TypeVar

from reljournal.config import Settings
from reljournal.dates import Duration, day_reader, iso, parse_duration
from reljournal.errors import Problem, warning
from reljournal.index.store import AnswerText, Index, Loaded, StoredAnswer, Target, TaskOf, json_strings
from reljournal.jsontext import json_item
from reljournal.model import (
    INTERACTION,
    NOT_A_CONTACT,
    NOTE,
    ORG,
    PERSON,
    Interaction,
    Link,
    Named,
    Note,
    Org,
    Person,
    Record,
)
from reljournal.names import name_key
from reljournal.rules import (
    TODAY_REASONS,
    UNTIL_NEXT_REASONS,
    Contact,
    NextContact,
    cadence_of,
    days_until,
    has_unknown_tier,
    last_contact,
    next_contact,
)


# ---- link resolution --------------------------------------------------------------------------------
class Resolver:
    """Names resolve like Obsidian: case-insensitive; a title beats an alias, then the kind the field
    expects, then the shortest path."""

    def __init__(self, targets: Iterable[Target], *, fetch: Callable[[list[str]], Iterable[Target]] | None = None,
                 known: Iterable[str] = ()) -> None:
        """`targets`: every note; or, with `fetch`, every note called by one of the `known` name keys, and
        `fetch([key])` gives those called by another key when a link asks for it (a `Scope`d view)."""
        self.by_key: dict[str, list[tuple[Target, bool]]] = defaultdict(list)
        self._fetch = fetch
        self._known = set(known)
        for t in targets:
            self._add(t)

    def _add(self, t: Target, only: Collection[str] | None = None) -> None:
        for name, alias in ((t.title, False), *((a, True) for a in t.aliases)):
            key = name_key(name)
            if only is None or key in only:
                self.by_key[key].append((t, alias))

    def _named(self, key: str) -> list[tuple[Target, bool]]:
        self.fetch_names([key])
        return self.by_key.get(key, [])

    def fetch_names(self, keys: Iterable[str]) -> None:
        """With `fetch`: the notes called by these name keys, fetched at once, so that resolving links by
        those names asks for nothing more."""
        if self._fetch is None:
            return
        new = {key for key in keys if key not in self._known}
        if new:
            self._known.update(new)
            for t in self._fetch(sorted(new)):
                self._add(t, only=new)

    def candidates(self, name: str, folder: str | None = None) -> list[tuple[Target, bool]]:
        found = self._named(name_key(name))
        if folder:  # `[[people/Jane Doe]]`: the note's path ends so (compared as names are: NFC, any case)
            suffix = name_key(f"{folder}/{name}")
            found = [(t, a) for t, a in found if not a and name_key(t.path[:-3]).endswith(suffix)]
        return found

    def resolve(self, link: Link, expect: str | None = None) -> Target | None:
        found = self.candidates(link.target, link.folder)
        if not found:
            return None
        return min(found, key=lambda c: (c[1], c[0].kind != expect, len(c[0].path), c[0].path))[0]



# ---- the view ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class HistoryItem:
    """One dated thing that happened with a person: an interaction note, a Log entry or `last_contact`."""

    date: dt.date
    kind: str | None
    text: str  # the outcome or the Log text
    path: str
    line: int
    source: str  # "interaction" | "log" | "last_contact"
    interaction: Interaction | None = None

    @property
    def counts(self) -> bool:
        """A contact (or, dated ahead, an arranged meeting): not kind `note`, not a cancelled meeting."""
        return self.interaction.counts if self.interaction is not None else self.kind != NOT_A_CONTACT


@dataclass(frozen=True)
class Scope:
    """A part of the vault: the notes to load, and the name keys (titles, aliases) whose notes links can
    resolve to. Links to other names resolve to nothing, so a scope must hold every key its notes' links
    use (see `reljournal.livefeed`)."""

    paths: frozenset[str]
    keys: frozenset[str]


@dataclass
class View:
    """The vault on `today`, from the index. Records load lazily and by kind: people and organisations
    first (all `due` needs), interactions and plain notes only when a command asks for them. With a
    `scope`, only part of the vault."""

    settings: Settings
    today: dt.date
    index: Index
    scope: Scope | None = None
    _resolved: dict[tuple[str, str | None, str | None], Record | None] = field(default_factory=dict, repr=False)
    # people and organisations read by path before all of them were (`core_at`); None: no record there
    _core_read: dict[str, Record | None] = field(default_factory=dict, repr=False)
    _answers_read: dict[str, PersonAnswer | None] = field(default_factory=dict, repr=False)  # `answers_at`
    _names_by_need: bool = field(default=False, repr=False)  # `resolver`: see `read_linked`

    @cached_property
    def _core(self) -> Loaded:
        loaded = self._load((PERSON, ORG))
        if not self._core_read:
            return loaded
        # those read already stay the records of their paths: one record per path (`people_linked`)
        return Loaded(tuple(self._core_read.get(r.path) or r for r in loaded.records), loaded.problems)

    @cached_property
    def _rest(self) -> Loaded:
        return self._load((INTERACTION, NOTE))

    def _load(self, kinds: tuple[str, ...]) -> Loaded:
        return self.index.load(kinds=kinds, paths=None if self.scope is None else self.scope.paths)

    @cached_property
    def _core_by_path(self) -> dict[str, Record]:
        return {r.path: r for r in self._core.records}

    @cached_property
    def _rest_by_path(self) -> dict[str, Record]:
        return {r.path: r for r in self._rest.records}

    @cached_property
    def records(self) -> tuple[Record, ...]:
        """Every record: people and organisations, then interactions and plain notes."""
        return self._core.records + self._rest.records

    @cached_property
    def targets(self) -> tuple[Target, ...]:
        """Every note (of the scope's names) as a link target. Resolving links does not need them all."""
        return tuple(self.index.targets(None if self.scope is None else self.scope.keys))

    @property
    def problems(self) -> tuple[Problem, ...]:
        return self._core.problems

    @cached_property
    def by_path(self) -> dict[str, Record]:
        return {**self._core_by_path, **self._rest_by_path}

    def by_path_of(self, kinds: Collection[str]) -> Mapping[str, Record]:
        """Records by path, those of `kinds` at least: people and organisations alone are read without the
        interactions and plain notes (nine in ten notes of a large vault) unless those are loaded already;
        organisations alone without the people (ten times as many)."""
        if "_rest" not in self.__dict__ and "_core" not in self.__dict__ and set(kinds) <= {ORG}:
            return {o.path: o for o in self.orgs}
        if "_rest" not in self.__dict__ and set(kinds) <= {PERSON, ORG}:
            return self._core_by_path
        return self.by_path

    def records_at(self, paths: Collection[str]) -> dict[str, Record]:
        """The records of these paths (of those that have one, in the view). Interactions and plain notes not
        loaded yet are read by path: a query matching 1,000 notes of 111,000 reads those, not the 100,000
        interactions (0.06 s against 3.2; 30 µs a record either way, so many by path cost no more than all)."""
        if "_rest" in self.__dict__:
            by_path = self.by_path
            return {p: by_path[p] for p in paths if p in by_path}
        if self.scope is not None:
            paths = [p for p in paths if p in self.scope.paths]
        if "_core" in self.__dict__:
            core = self._core_by_path
            others = [p for p in paths if p not in core]
        else:  # people and organisations among them are read by path too (`core_at`), not all of them
            core, others = {}, list(paths)
        read = {r.path: r for r in self.index.load(kinds=(INTERACTION, NOTE), paths=others).records} if others else {}
        if "_core" not in self.__dict__ and (rest := [p for p in paths if p not in read]):
            core = self.core_at(rest)
        return {p: r for p in paths if (r := core.get(p) or read.get(p)) is not None}

    def targets_of(self, kinds: Collection[str]) -> list[Target]:
        """The notes of these kinds (of the scope's names) as link targets."""
        if self.scope is not None:
            return [t for t in self.targets if t.kind in kinds]
        return self.index.targets_of_kinds(kinds)

    @cached_property
    def resolver(self) -> Resolver:
        """Links resolve among the notes called by the link's name. Those sharing a name with a person or an
        organisation (what most links name) are read in one query; others when a link asks for them: at
        111,000 notes, reading every note's names for `due` cost more than the rules themselves. A view that
        resolves few links says so first (`read_linked`): the names are then fetched as its links ask."""
        if self.scope is not None:
            return Resolver(self.targets, fetch=self.index.targets, known=self.scope.keys)
        if self._names_by_need:
            return Resolver((), fetch=self.index.targets)
        keys = self.index.name_keys_of_kinds((PERSON, ORG))  # not from the records: they need not be read
        return Resolver(self.index.targets(keys), fetch=self.index.targets, known=keys)

    @cached_property
    def people(self) -> list[Person]:
        return sorted((r for r in self._core.records if isinstance(r, Person)), key=by_name)

    @cached_property
    def orgs(self) -> list[Org]:
        """Organisations by name: read alone (a tenth of the people's cost) unless the people are read already."""
        records = self._core.records if "_core" in self.__dict__ else self._load((ORG,)).records
        return sorted((r for r in records if isinstance(r, Org)), key=by_name)

    @cached_property
    def interactions(self) -> list[Interaction]:
        return sorted((r for r in self._rest.records if isinstance(r, Interaction)), key=lambda i: (
            i.date or dt.date.min, i.path))

    @cached_property
    def notes(self) -> list[Note]:
        return sorted((r for r in self._rest.records if isinstance(r, Note)), key=by_name)

    def record_of(self, link: Link | None, expect: str | None = None) -> Record | None:
        if link is None:
            return None
        key = (link.target, link.folder, expect)  # all a resolution depends on: 130,000 links, 10,000 names
        try:
            return self._resolved[key]
        except KeyError:
            target = self.resolver.resolve(link, expect)
            found: Record | None = None
            if target is not None and target.kind in (PERSON, ORG):
                found = self._core_record(target.path)
            elif target is not None and expect not in (PERSON, ORG):  # else no answer, and nothing to read
                found = self.records_at([target.path]).get(target.path)
            self._resolved[key] = found
            return found

    def _core_record(self, path: str) -> Record | None:
        """A person's or organisation's record: one `core_at` read, else from all of them (read if need be)."""
        if "_core" not in self.__dict__ and path in self._core_read:
            return self._core_read[path]
        return self._core_by_path.get(path)

    def core_at(self, paths: Collection[str]) -> dict[str, Record]:
        """The people and organisations of these paths (those that have a record): from all of them when
        those are read, else read by path and kept, so that links to them resolve without reading the
        others (`_core_record`)."""
        if "_core" in self.__dict__:
            by_path = self._core_by_path
            return {p: by_path[p] for p in paths if p in by_path}
        missing = sorted({p for p in paths if p not in self._core_read
                          and (self.scope is None or p in self.scope.paths)})
        if missing:
            read = {r.path: r for r in self.index.load(kinds=(PERSON, ORG), paths=missing).records}
            self._core_read.update((p, read.get(p)) for p in missing)
        return {p: r for p in paths if (r := self._core_read.get(p)) is not None}

    def read_linked(self, links: Iterable[Link]) -> None:
        """Reads at once the people these links name (`core_at`, by `person_paths`), so that resolving them one
        by one reads no more: what the agenda does for the few notes it shows."""
        if "_core" in self.__dict__:
            return  # all read already
        self.core_at(set(self.person_paths(links).values()))

    def person_paths(self, links: Iterable[Link]) -> dict[tuple[str, str | None], str]:
        """(target, folder) -> the person's path, for those of these links that name a person: their names
        fetched at once when no link was resolved yet (`Resolver.fetch_names`, instead of every person's and
        organisation's). No record is read."""
        if "resolver" not in self.__dict__:
            self._names_by_need = True  # no link resolved yet: not every person's and organisation's names
        named = {(link.target, link.folder) for link in links}  # all a resolution depends on, each once
        resolver = self.resolver
        resolver.fetch_names({name_key(target) for target in {target for target, _ in named}})
        return {(target, folder): t.path for target, folder in named
                if (t := resolver.resolve(Link(target, folder, target, 0), PERSON)) is not None and t.kind == PERSON}

    def core_dated_until(self, last: dt.date) -> tuple[Record, ...]:
        """The people and organisations with something dated from today to `last` besides their next contact
        (a Log entry after today, a birthday, an objective or task due): those only, read by path, unless most
        of them are or all are read already. Every one of them has its events; the others' next contacts come
        from their answers (`answers_next_by`)."""
        if "_core" in self.__dict__:
            return self._core.records
        paths = self.index.core_paths_dated_until(self.today, last)
        if len(paths) > CORE_SHARE * max(1, self.index.people_count()):
            return self._core.records
        found = self.core_at(paths)
        self.answers_at([p for p, r in found.items() if isinstance(r, Person)])  # their next contacts
        return tuple(found[p] for p in sorted(found))

    def person_of(self, link: Link | None) -> Person | None:
        record = self.record_of(link, PERSON)
        return record if isinstance(record, Person) else None

    def person_named(self, target: str, folder: str | None) -> Person | None:
        """The person a link to `target` (in `folder`) names: what the index's link rows resolve to."""
        return self.person_of(Link(target, folder, target, 0))

    def path_named(self, target: str, folder: str | None, expect: str) -> str | None:
        """The note a link to `target` (in `folder`) resolves to, expecting a note of the kind `expect`: its
        path, without reading any record (it may be a note of another kind, or one that never parsed)."""
        found = self.resolver.resolve(Link(target, folder, target, 0), expect)
        return found.path if found is not None else None

    @property
    def from_rows(self) -> bool:
        """Whether what a command asks of the interactions and plain notes (nine notes in ten) comes from the
        index's rows rather than their records: unless those are read already, or the view is scoped (the
        rows are the whole vault's)."""
        return "_rest" not in self.__dict__ and self.scope is None

    def meetings_until(self, last: dt.date) -> Iterator[Sequence[Record]]:
        """The records of the interactions with a meeting from today to `last`, found in the index's rows
        (`from_rows`) and read DATED_PART at a time, so that a caller keeping less than the records need not
        hold many at once."""
        paths = sorted(self.index.meetings_until(self.today, last))
        for start in range(0, len(paths), DATED_PART):
            found = self.records_at(paths[start:start + DATED_PART])
            yield tuple(found[path] for path in paths[start:start + DATED_PART] if path in found)

    def open_tasks_until(self, last: dt.date) -> list[TaskOf]:
        """The open tasks due by `last` in the interactions and plain notes, from the index's rows, not the
        notes' records (100,000 overdue tasks are 100,000 interactions, 3.5 s to read at 111,000 notes)."""
        return self.index.open_tasks_until(last)

    @cached_property
    def with_links(self) -> Mapping[tuple[str, str | None], list[tuple[str, int]]]:
        """Every `with:` link by what it names, (target, folder) -> [(interaction path, line)]: from the
        index's link rows (`from_rows`), so that checking every link need not read 100,000 records."""
        if self.from_rows:
            return self.index.links_in("with")
        out: dict[tuple[str, str | None], list[tuple[str, int]]] = defaultdict(list)
        for i in self.interactions:
            for link in i.with_:
                out[link.target, link.folder].append((i.path, link.line))
        return out

    def org_of(self, person: Person) -> Org | None:
        record = self.record_of(person.org, ORG)
        return record if isinstance(record, Org) else None

    def org_name(self, person: Person) -> str | None:
        org = self.org_of(person)
        if org is not None:
            return org.title
        return person.org.display if person.org else None

    @cached_property
    def stakeholders(self) -> dict[str, tuple[PersonAnswer, ...]]:
        """Organisation path → the answers of the active people whose `org` links to it, by name (from the
        answers: the people's records are not read)."""
        return by_organisation((a, a.active, a.org_path) for a in self.answers.values())

    def owner_of(self, person: Person) -> str | None:
        if person.owner:
            return person.owner
        org = self.org_of(person)
        return org.owner if org else None

    @cached_property
    def participants(self) -> dict[str, list[Person]]:
        """Interaction path → the people it names (resolved, in the order written, once each)."""
        return {i.path: self._named_people(i) for i in self.interactions}

    def participants_of(self, interaction: Interaction) -> list[Person]:
        """`participants[interaction.path]`, without resolving every interaction's people first."""
        if "participants" in self.__dict__:
            return self.participants.get(interaction.path, [])
        return self._named_people(interaction)

    def _named_people(self, interaction: Interaction) -> list[Person]:
        return self.people_linked(interaction.with_)

    def people_linked(self, links: Iterable[Link]) -> list[Person]:
        """The people these links name, in their order, once each."""
        people: list[Person] = []
        for link in links:
            p = self.person_of(link)
            if p is not None and not (people and any(p is q for q in people)):  # identity: one record per path
                people.append(p)
        return people

    @cached_property
    def history(self) -> dict[str, list[HistoryItem]]:
        """Person path → their dated interactions, oldest first (kind `note` included, marked as such)."""
        out: dict[str, list[HistoryItem]] = defaultdict(list)
        for i in self.interactions:
            if i.date is None:
                continue
            for p in self.participants[i.path]:
                out[p.path].append(_interaction_item(i))
        for p in self.people:
            out[p.path] += _own_items(p)
        for items in out.values():
            items.sort(key=_in_time)
        return out

    def history_of(self, person: Person) -> list[HistoryItem]:
        """`history[person.path]`. Unless every interaction is read already, only those whose `with:` names
        one of the person's names are (a link resolves only among the notes called by its name): `show` and
        `prep` of one person at 111,000 notes read a dozen interactions, not 100,000."""
        if "history" in self.__dict__ or "_rest" in self.__dict__ or self.scope is not None:
            return self.history.get(person.path, [])
        items = _own_items(person)
        for i in self.linking_to(person, ["with"]):
            if isinstance(i, Interaction) and i.date is not None \
                    and any(p is person for p in self.participants_of(i)):
                items.append(_interaction_item(i))
        return sorted(items, key=_in_time)

    def linking_to(self, person: Person, fields: Sequence[str]) -> list[Record]:
        """The records with a link, in these fields, to one of the person's names: every record whose link
        could resolve to the person, and maybe others of the same name (check with `person_of`)."""
        keys = {name_key(n) for n in (person.title, *person.aliases)}
        return [r for path, r in sorted(self.records_at(self.index.linking(keys, fields)).items())]

    @cached_property
    def _contacts(self) -> dict[str, list[Contact]]:
        """Person path → what the rules need of their contacts (interaction notes and Log entries; never kind
        `note`): for interaction notes, SQLite's summary per name (the latest contact, the earliest arranged
        meeting, the latest agreed `next`), which gives the rules the same answer as every contact would."""
        out: dict[str, list[Contact]] = defaultdict(list)
        day = day_reader()
        for target, folder, last, meeting, agreed_on, agreed in self.index.contact_summary(
                self.today, None if self.scope is None else self.scope.keys):
            person = self.person_named(target, folder)
            if person is None:
                continue
            found = out[person.path]
            for when, nxt in ((last, None), (meeting, None), (agreed_on, agreed)):
                if when is not None:
                    found.append(Contact(day(when) or dt.date.min, day(nxt)))
        for p in self.people:
            out[p.path].extend(Contact(e.date) for e in p.log if e.kind != NOT_A_CONTACT)
        return out

    def contacts(self, person: Person) -> list[Contact]:
        return self._contacts.get(person.path, [])

    @cached_property
    def status(self) -> dict[str, NextContact]:
        """Person path → the rules' answer, for active people."""
        return {path: a.rule for path, a in self.answers.items() if a.rule is not None}

    def status_of(self, path: str) -> NextContact | None:
        """`status.get(path)`: from the person's answer when it was read alone (`answers_at`), else all are read."""
        if "status" not in self.__dict__ and path in self._answers_read:
            answer = self._answers_read[path]
            return answer.rule if answer is not None else None
        return self.status.get(path)

    def answers_at(self, paths: Collection[str]) -> dict[str, PersonAnswer]:
        """`answers` of these people: their stored rows alone (read once) while the whole vault's are not read,
        the day's being all stored (`keep_answers`); what the agenda asks of the few people it shows."""
        if not self._answers_by_path:
            answers = self.answers
            return {p: a for p in paths if (a := answers.get(p)) is not None}
        missing = sorted({p for p in paths if p not in self._answers_read})
        if missing:
            read = {a.path for a in self._answers_where(paths=missing)}
            self._answers_read.update((p, None) for p in missing if p not in read)  # no answer: asked once
        return {p: a for p in paths if (a := self._answers_read.get(p)) is not None}

    def _answers_where(self, **where: Any) -> list[PersonAnswer]:
        """The stored answers `Index.answer_rows(today, **where)` gives, kept for `answers_at`."""
        found = self._read_answers(self.index.answer_rows(self.today, **where))
        self._answers_read.update((a.path, a) for a in found)
        return found

    @property
    def _answers_by_path(self) -> bool:
        """Whether answers are read person by person (`answers_at`): not once all are, nor in a scoped view or a
        read-only index (which work them out)."""
        return "answers" not in self.__dict__ and self.scope is None and self._answers_stored

    @cached_property
    def _answers_stored(self) -> bool:
        """The day's answers all stored (`keep_answers`: two counts when none is missing); False in a
        read-only index."""
        try:
            self.keep_answers()
        except sqlite3.OperationalError:  # read-only: `answers` works them out without storing
            return False
        return True

    @cached_property
    def answers(self) -> dict[str, PersonAnswer]:
        """Person path → what the rules say of them today, by path. The whole vault's come from the index's
        `answers` table, brought up to date first (`_stored_answers`); a scoped view works its own out."""
        if self.scope is not None:
            return {p.path: self.computed_answer(p) for p in sorted(self.people, key=lambda p: p.path)}
        return self._stored_answers()

    def answer_texts(self) -> list[AnswerText] | None:
        """The day's stored answers with their `people --json` objects as list items; None where answers or their
        texts are not stored (a scoped view, a read-only index). Those not written yet are written first
        (`keep_answer_texts`)."""
        if self.scope is not None or not self._answers_stored:
            return None
        rows = self.index.answer_texts(self.today)
        if all(row.json is not None for row in rows):
            return rows
        try:
            self.keep_answer_texts()
        except sqlite3.OperationalError:  # read-only (the answers were all stored): made, not stored
            return None
        return self.index.answer_texts(self.today)

    def keep_answer_texts(self) -> None:
        """Write the `people --json` text of the day's stored answers that have none (`PersonAnswer.json_item`):
        a command stores the answers without them, for on a new day that would slow every listing's first run
        (0.2 s at 10,000 people) for `people --json` alone. The watcher writes them with the answers."""
        with self.index.transaction():  # the answers read inside: another process may change them meanwhile
            self._write_missing_texts()

    def _write_missing_texts(self) -> None:
        """In the caller's transaction: the texts of the day's stored answers that have none."""
        missing = self.index.answers_without_text(self.today)
        if missing:
            self.index.put_answer_texts((a.path, a.json_item()) for a in self._answers_where(paths=missing))

    def stored_lines(self) -> list[tuple[PersonLine, bool, str | None]] | None:
        """`PersonLine.of` every stored answer, beside whether the person is active and the organisation `org:`
        resolves to, in no order: from just the columns they have (`Index.people_rows`). None where the answers
        are read whole anyway (`_answers_by_path`)."""
        if not self._answers_by_path:
            return None
        day, today = day_reader(), self.today
        return [(PersonLine(title, path, tier, org, day(last), nxt, days_until(nxt, today), status), bool(active),
                 org_path)
                for title, path, tier, org, last, next_text, status, active, org_path in self.index.people_rows(today)
                for nxt in (day(next_text),)]

    def stakeholder_lines(self) -> dict[str, tuple[PersonLine, ...]]:
        """`stakeholders` as `PersonLine`s (what `orgs` shows of them), from just those columns while the answers
        are not all read (`stored_lines`)."""
        lines = self.stored_lines()
        if lines is None:
            return {path: tuple(map(PersonLine.of, found)) for path, found in self.stakeholders.items()}
        return by_organisation(lines)

    def answers_next_by(self, last: dt.date) -> list[PersonAnswer]:
        """The answers with a next contact by `last` (overdue ones too), by path: `due` reads only those rows
        while the answers are not all read (`_answers_by_path`)."""
        if self._answers_by_path:
            return self._answers_where(next_by=last)
        return [a for a in self.answers.values() if a.rule is not None and a.rule.next is not None
                and a.rule.next <= last]

    def answers_overdue(self) -> list[PersonAnswer]:
        """The answers with a next contact before today: `answers_next_by` yesterday."""
        return self.answers_next_by(self.today - dt.timedelta(days=1))

    def answers_maybe_with(self, field: str, value: str) -> Iterable[PersonAnswer]:
        """The answers whose `field` (tier, owner, relationship, status) may case-fold to `value` (case-folded),
        for the caller to judge: while the answers are not all read (`_answers_by_path`), only those rows
        (`query tier:A` reads a third of the people); else every answer."""
        if self._answers_by_path:
            return self._answers_where(folded=(field, value))
        return self.answers.values()

    def computed_answer(self, p: Person) -> PersonAnswer:
        """The rules run on one person's contacts: what the stored answers are held equal to."""
        s = self.settings
        rule = next_contact(p, self.contacts(p), self.today, cadence_of(p, s.tiers, s.default_cadence)) \
            if p.active else None
        last = rule.last if rule is not None else last_contact(p, self.contacts(p), self.today)
        org = self.org_of(p)
        return PersonAnswer(p.path, p.title, p.tags, p.tier, p.status, p.relationship, p.role, self.org_name(p),
                            self.owner_of(p), last, rule, self.today, org.path if org is not None else None)

    def _stored_answers(self) -> dict[str, PersonAnswer]:
        """The answers for today from the index. The people without one for today (new or changed since, as
        `reindex` leaves them: `Index.forget_answers`; everyone on a new day) are worked out and stored first,
        in one transaction: a few by a view of just them and what their answers read (`answer_scope`), many
        by this view. With the index read-only, they are worked out and not stored."""
        index, today = self.index, self.today
        if not self._answers_stored:  # a read-only index: answer without storing
            found = [*self._read_answers(index.answer_rows(today)), *self._answers_of(index.stale_answers(today))]
            return {a.path: a for a in sorted(found, key=lambda a: a.path)}
        return {a.path: a for a in self._read_answers(index.answer_rows(today))}

    def keep_answers(self, *, texts: bool = False) -> int:
        """Work out and store the answers missing for today (none missing: two counts); how many there were. On a
        new day, the answers the day cannot change are carried to it first (`Index.carry_answers`), so that only
        the people with a contact dated since (or a next date that is the day itself) are worked out again.
        What the watcher does after each update, so that commands find them ready; it stores their `people
        --json` objects too (`texts`), which a command leaves to the first listing that needs them
        (`keep_answer_texts`)."""
        index, today = self.index, self.today
        if index.answer_count(today) == index.people_count():
            return 0
        with index.transaction():
            carried = index.carry_answers(today, TODAY_REASONS, UNTIL_NEXT_REASONS)
            stale = index.stale_answers(today)  # in the transaction: another process may have stored them
            if stale:
                found = self._answers_of(stale)
                index.put_answers(today, (a.stored() for a in found))
                if texts:
                    index.put_answer_texts((a.path, a.json_item()) for a in found)
            if texts and carried:
                self._write_missing_texts()  # the carried answers': their `days` moved
        return len(stale)

    def _answers_of(self, paths: list[str]) -> list[PersonAnswer]:
        if "_core" in self.__dict__ or len(paths) > STORED_SHARE * self.index.people_count():
            wanted = set(paths)
            return [self.computed_answer(p) for p in self.people if p.path in wanted]
        view = View(self.settings, self.today, self.index, answer_scope(self.index, paths))
        return [view.answers[p] for p in paths if p in view.answers]

    def _read_answers(self, rows: Iterable[Sequence[Any]]) -> list[PersonAnswer]:
        """`Index.answer_rows` as `PersonAnswer`s (10,000 in about 50 ms)."""
        durations: dict[str | None, Duration | None] = {None: None}
        day = day_reader()
        today = self.today
        out = []
        for (path, title, tags, tier, status, relationship, role, active, last, planned, meeting, spec, nxt, reason,
             org, owner, org_path) in rows:
            if spec not in durations:
                durations[spec] = parse_duration(spec)
            rule = NextContact(day(last), day(planned), day(meeting), durations[spec], day(nxt), reason) \
                if active else None
            out.append(PersonAnswer(path, title, json_strings(tags), tier, status, relationship, role, org, owner,
                                    day(last), rule, today, org_path))
        return out

    def body(self, path: str) -> str:
        return self.index.body(path)

    @cached_property
    def writing_settings(self) -> Settings:
        """The settings new notes are written by (`add`, `log`, meetings from a calendar). In a vault whose notes
        say their kind in a property of their own (`[kinds]`), a kind whose folder is not there is written where
        most of its notes are: SPEC 11's "in the folder where that kind lives", with no folder made needlessly."""
        s = self.settings
        if s.kind_property is None:
            return s
        kinds = ((PERSON, "people"), (ORG, "orgs"), (INTERACTION, "interactions"))
        changes: dict[str, Any] = {}
        for kind, key in kinds:
            folder = self.index.top_folder_of(kind) if not (s.root / getattr(s, key)).is_dir() else None
            if folder:
                changes[key] = folder
        return replace(s, **changes) if changes else s


def by_name(r: Named) -> tuple[str, str]:
    """The order of listings by name: the title case-folded, then the path."""
    return (r.title.casefold(), r.path)


N = TypeVar("N", bound=Named)


def by_organisation(people: Iterable[tuple[N, bool, str | None]]) -> dict[str, tuple[N, ...]]:
    """Organisation path -> its stakeholders, by name: of (person, active, the organisation `org:` resolves to),
    the active people whose `org:` resolves (SPEC 3 `orgs`)."""
    out: dict[str, list[N]] = {}
    for person, active, org_path in people:
        if active and org_path is not None:
            out.setdefault(org_path, []).append(person)
    return {path: tuple(sorted(found, key=by_name)) for path, found in out.items()}


CORE_SHARE = 0.5  # `core_dated_until`: above this share of the people, all are read (in id order, quicker)
DATED_PART = 5000  # interactions and plain notes read at a time by `View.meetings_until`


# Past this share of the people without a stored answer, they are worked out from the whole vault: cheaper
# by then than a view of just them (and on a new day every answer is stale).
STORED_SHARE = 0.2


def answer_scope(index: Index, people: Collection[str]) -> Scope:
    """What working out these people's answers reads: their notes and the people and organisations their
    `org:` names; links resolve among every note called by those notes' names or by a name their links use,
    so that a contact resolves here as it does in the whole vault."""
    org_keys = set().union(*index.link_keys(people, ["org"]).values())
    load = set(people) | (index.named(org_keys, [PERSON, ORG]) if org_keys else set())
    keys = {name_key(n) for f in index.note_facts(load) for n in (f.title, *f.aliases)}
    keys |= set().union(*index.link_keys(load).values())
    return Scope(frozenset(load), frozenset(keys))


# ---- a person's history, item by item ------------------------------------------------------------------
def _interaction_item(i: Interaction) -> HistoryItem:
    assert i.date is not None
    return HistoryItem(i.date, i.interaction_kind, i.outcome or "", i.path, 1, "interaction", i)


def _own_items(p: Person) -> list[HistoryItem]:
    """What a person's own note says happened: Log entries and `last_contact`."""
    items = [HistoryItem(e.date, e.kind, e.text, p.path, e.line, "log") for e in p.log]
    if p.last_contact is not None:
        items.append(HistoryItem(p.last_contact, None, "last contact", p.path, p.line_of("last_contact"),
                                 "last_contact"))
    return items


def _in_time(h: HistoryItem) -> tuple[dt.date, str, int]:
    return h.date, h.path, h.line


# What is not a note's text when it is shown in one line: headings, tasks, an empty list item, a rule.
_NOT_TEXT = re.compile(r"(#|[-*+]\s+\[.\]|[-*+]$|(?:---|\*\*\*|___)\s*$)")
_LIST_MARK = re.compile(r"(?:[-*+]|\d+[.)])\s+")


def first_line(body: str) -> str:
    """The first line of a note's text that says something: blank lines, headings, tasks and Obsidian
    comments (`%% ... %%`, over several lines too) are skipped, a list item's marker dropped."""
    in_comment = False
    for line in body.splitlines():
        text = line.strip()
        opens = text.count("%%") % 2 == 1
        if in_comment or text.startswith("%%"):
            in_comment = in_comment != opens
            continue
        if not text or _NOT_TEXT.match(text):
            continue
        text = _LIST_MARK.sub("", text, count=1).strip()
        if text:
            return text
    return ""


def gist(view: View, item: HistoryItem) -> str:
    """What `show` and `prep` say of one history item: an interaction's outcome, else the first line of its
    text; a Log entry's text."""
    if item.text or item.interaction is None:
        return item.text
    return first_line(view.body(item.path))


def with_gists(view: View, items: Iterable[HistoryItem]) -> tuple[HistoryItem, ...]:
    """The items with `text` their gist (read from the index for those without an outcome)."""
    return tuple(replace(h, text=gist(view, h)) for h in items)


def _folded(values: Iterable[str]) -> set[str]:
    return {v.casefold() for v in values}


# ---- filters shared by listings ----------------------------------------------------------------------
@dataclass(frozen=True)
class Filters:
    """`--tag --tier --org --owner --relationship`: each repeatable (any of its values); all must hold."""

    tags: tuple[str, ...] = ()
    tiers: tuple[str, ...] = ()
    orgs: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    relationships: tuple[str, ...] = ()

    def admits(self, a: PersonAnswer) -> bool:
        if self.tags and not _folded(self.tags) & _folded(a.tags):
            return False
        if self.tiers and (a.tier or "").casefold() not in _folded(self.tiers):
            return False
        if self.orgs and (a.org or "").casefold() not in _folded(self.orgs):
            return False
        if self.owners and (a.owner or "").casefold() not in _folded(self.owners):
            return False
        if self.relationships and (a.relationship or "") not in _folded(self.relationships):
            return False
        return True

    def admits_person(self, view: View, p: Named) -> bool:
        """The filters as they apply to a person: by their answer, which the agenda may hold in place of their
        record (`Event.people`)."""
        if isinstance(p, PersonAnswer):
            return self.admits(p)
        return isinstance(p, Person) and self.admits(person_row(view, p).answer)

    def admits_org(self, org: Org) -> bool:
        """The filters as they apply to an organisation: `--tag` its tags, `--tier` its tier, `--org` its
        name, `--owner` its owner or a member of its team. `--relationship` describes people: it admits none."""
        if self.relationships:
            return False
        if self.tags and not _folded(self.tags) & _folded(org.tags):
            return False
        if self.tiers and (org.tier or "").casefold() not in _folded(self.tiers):
            return False
        if self.orgs and org.title.casefold() not in _folded(self.orgs):
            return False
        if self.owners and not _folded(self.owners) & _folded([*([org.owner] if org.owner else []), *org.team]):
            return False
        return True


# ---- due and people ----------------------------------------------------------------------------------
class PersonAnswer(NamedTuple):
    """What `due` and `people` say of one person on one day: the person's own fields beside the rules'
    answer. The index stores them per day (table `answers`); a change works out again those of the people it
    touches (`Index.forget_answers`), so that the listings read rows instead of running the rules."""

    path: str
    title: str
    tags: tuple[str, ...]
    tier: str | None
    status: str  # the person's `status:` (active, dormant, archived)
    relationship: str | None
    role: str | None
    org: str | None  # the organisation's name as shown: its title when the link resolves, else as written
    owner: str | None  # the person's own, else their organisation's
    last: dt.date | None
    rule: NextContact | None  # the rules' answer: active people only
    today: dt.date
    org_path: str | None = None  # the organisation `org:` resolves to

    @property
    def active(self) -> bool:
        return self.rule is not None

    @property
    def days(self) -> int | None:
        return self.rule.days(self.today) if self.rule else None

    @property
    def next(self) -> dt.date | None:
        return self.rule.next if self.rule else None

    def stored(self) -> StoredAnswer:
        r = self.rule
        return (self.path, int(r is not None), iso(self.last), iso(r.planned) if r else None,
                iso(r.meeting) if r else None, r.cadence.spec if r and r.cadence else None,
                iso(r.next) if r else None, r.reason if r else None, self.org, self.owner, self.org_path)

    def due_json(self) -> dict[str, Any]:
        s = self.rule
        cadence = s.cadence if s else None
        return {
            "name": self.title,
            "path": self.path,
            "next": s.next.isoformat() if s and s.next else None,
            "last": self.last.isoformat() if self.last else None,
            "reason": s.reason if s else None,
            "days": self.days,
            "cadence_days": cadence.days if cadence else None,
            "tier": self.tier,
            "org": self.org,
            "owner": self.owner,
            "tags": list(self.tags),
        }

    def people_json(self) -> dict[str, Any]:
        return {**self.due_json(), "status": self.status, "relationship": self.relationship, "role": self.role}

    def json_item(self) -> str:
        """`people_json` as an item of `people --json`'s list: the index keeps it beside the answer
        (`View.answer_texts`)."""
        return json_item(self.people_json())


@dataclass(frozen=True)
class PersonRow:
    """A person's record beside their answer: what `show`, `prep` and the account views read."""

    person: Person
    answer: PersonAnswer

    @property
    def rule(self) -> NextContact | None:
        """The rules' answer (as `PersonAnswer.rule`; the person's `status:` is `person.status`)."""
        return self.answer.rule

    @property
    def today(self) -> dt.date:
        return self.answer.today

    @property
    def org(self) -> str | None:
        return self.answer.org

    @property
    def owner(self) -> str | None:
        return self.answer.owner

    @property
    def last(self) -> dt.date | None:
        return self.answer.last

    @property
    def days(self) -> int | None:
        return self.answer.days


def person_row(view: View, p: Person) -> PersonRow:
    answer = view.answers.get(p.path) if view.scope is None else None
    return PersonRow(p, answer if answer is not None else view.computed_answer(p))


@dataclass(frozen=True)
class DueOptions:
    within: int = 7
    overdue: bool = False
    all: bool = False
    filters: Filters = Filters()


def due(view: View, options: DueOptions) -> list[PersonAnswer]:
    """Those with a next date by the window's last day (`--overdue`, which wins: before today; `--all`: any),
    overdue first, then by next date, then name (case-folded), then path."""
    today = view.today
    last = (today - dt.timedelta(days=1) if options.overdue else dt.date.max if options.all
            else today + dt.timedelta(days=options.within))
    rows = [a for a in view.answers_next_by(last) if options.filters.admits(a)]
    rows.sort(key=lambda a: (a.rule.next if a.rule else dt.date.max, a.title.casefold(), a.path))
    return rows


def people(view: View, filters: Filters = Filters()) -> list[PersonAnswer]:
    """Every person (active, dormant, archived) by name."""
    return sorted((a for a in view.answers.values() if filters.admits(a)), key=by_name)


class PersonLine(NamedTuple):
    """What `people` shows of one person on one day: the fields of their answer that its table has."""

    title: str
    path: str
    tier: str | None
    org: str | None
    last: dt.date | None
    next: dt.date | None
    days: int | None
    status: str

    @classmethod
    def of(cls, a: PersonAnswer) -> PersonLine:
        return cls(a.title, a.path, a.tier, a.org, a.last, a.next, a.days, a.status)


def people_lines(view: View, filters: Filters = Filters()) -> list[PersonLine]:
    """`people`'s lines, by name. Without filters, and while the answers are not all read, from the columns of
    the stored answers it shows (`View.stored_lines`): 0.03 s less than making 10,000 answers to show a third
    of their fields."""
    lines = view.stored_lines() if filters == Filters() else None
    if lines is None:
        return [PersonLine.of(a) for a in people(view, filters)]
    return sorted((line for line, _, _ in lines), key=by_name)


def people_json_items(view: View, filters: Filters = Filters(), only: Collection[str] | None = None) -> list[str]:
    """`people --json`'s objects as list items (`PersonAnswer.json_item`), those of `people` (and, when given, in
    `only`). The index keeps them beside the answers: the whole vault's listing reads three columns a person
    instead of making and writing 10,000 objects (0.1 s at 10,000 people)."""
    stored = view.answer_texts()
    texts = {row.path: row.json for row in stored or () if row.json is not None}
    if stored is not None and len(texts) == len(stored) and filters == Filters() and only is None:
        return [texts[row.path] for row in sorted(stored, key=by_name)]
    # An answer without a stored text has it made here: in a scoped view or a read-only index, or one that
    # another process stored since the texts were written or read.
    return [texts.get(a.path) or a.json_item() for a in people(view, filters) if only is None or a.path in only]


# ---- check --------------------------------------------------------------------------------------------
def check(view: View, extra: Iterable[Problem] = ()) -> list[Problem]:
    """Every problem: those found while parsing (stored in the index) and those that need the whole vault."""
    problems = list(view.problems) + list(extra)
    s = view.settings
    for (target, folder), places in view.with_links.items():
        if not view.resolver.candidates(target, folder):  # no note at all (a note of another kind is fine)
            problems.extend(warning(path, line, "link", f"with: no note named {target!r}") for path, line in places)
    for record in view.people:
        if record.org is not None and view.resolver.resolve(record.org, ORG) is None:
            problems.append(warning(record.path, record.org.line, "link", f"org: no note named {record.org.target!r}"))
        if has_unknown_tier(record, s.tiers):
            problems.append(warning(record.path, record.line_of("tier"), "unknown-tier",
                                    f"tier {record.tier!r} is not in [tiers] ({', '.join(s.tiers)}); "
                                    "the default cadence applies"))
        if record.last_contact is not None and record.last_contact > view.today:
            problems.append(warning(record.path, record.line_of("last_contact"), "future-contact",
                                    f"last_contact {record.last_contact} is after today; it is ignored"))
    by_title: dict[str, list[Person]] = defaultdict(list)
    for p in view.people:
        by_title[name_key(p.title)].append(p)
    for twins in by_title.values():
        if len(twins) > 1:
            for p in twins:
                others = ", ".join(o.path for o in twins if o is not p)
                problems.append(warning(p.path, 1, "duplicate-name",
                                        f"another person is called {p.title!r}: {others}; "
                                        "links pick the shortest path"))
    return sorted(set(problems), key=Problem.sort_key)


# ---- one person ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FollowUp:
    text: str
    due: dt.date | None
    path: str
    line: int


@dataclass(frozen=True)
class PersonDetail:
    row: PersonRow
    timeline: tuple[HistoryItem, ...]  # newest first, arranged meetings included
    follow_ups: tuple[FollowUp, ...]  # open tasks in their note and in interactions with them
    gave: tuple[str, ...]
    received: tuple[str, ...]


def person_detail(view: View, person: Person) -> PersonDetail:
    history = view.history_of(person)
    follow_ups = [FollowUp(t.text, t.due, person.path, t.line) for t in person.tasks if t.open]
    gave: list[str] = []
    received: list[str] = []
    for h in history:
        if h.interaction is not None:
            follow_ups += [FollowUp(t.text, t.due, h.path, t.line) for t in h.interaction.tasks if t.open]
            gave += h.interaction.gave
            received += h.interaction.received
    follow_ups.sort(key=lambda f: (f.due or dt.date.max, f.path, f.line))
    return PersonDetail(person_row(view, person), tuple(reversed(history)), tuple(follow_ups), tuple(gave),
                        tuple(received))

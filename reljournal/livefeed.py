"""The feed kept current one change at a time, for `watch` and `serve` (SPEC 5).

Building the feed from the whole vault reads every note: about 12 s at 100,000 notes, far too slow to
follow each save. But every event belongs to exactly one note (`events.note_events`), and the feed is
those events sorted. So `LiveFeed` keeps each note's serialised events, and after a change rebuilds only
the notes whose events could differ:

- the notes that changed (added, edited, removed);
- when a note's names changed (title, aliases, kind, path): every note with a link to one of its old or
  new names, since links may now resolve elsewhere;
- when a note's identity became shared or stopped being so: the notes with that identity (their UIDs);
- the people named in the `with:` of those notes' interactions, before and after the change, since their
  last contact, next date and history come from those interactions.

Those notes are read into a `View` limited to them and to what their events read (the people and
organisations they link to, and every interaction with the people among them), with links resolved
against every note of the same name. Privacy and UIDs depend on every note; they are kept here from the
index's `NoteFacts` and rebuilt whole only when an excluded note changes. New settings, a new year, or an
update touching much of the vault rebuild everything, as `reljournal feed` does.

A new day (midnight) rebuilds the notes whose events a day moves (`_day_plan`): those with an event
falling due (placed on today), with a meeting now past, and the people with a contact now past. An event
overdue on both days is moved by its bytes (its "N days ago", and its date when placed on today:
`Entry.relater`); every other event keeps its bytes but the day's stamp (`Entry.restamper`).

A clean stop keeps the events in the index with the notes' facts as they were (`save`); the next start
(`restore`) takes them back and brings them up to date as above: the notes changed meanwhile (by their hash),
then the days passed.

For `serve`, each event is also kept beside whom it is about (`feed.Whose`), and an owner's feed
(`/feeds/OWNER.ics`) is filtered from the live feed (`OwnedEvents`) instead of built from the whole vault.

`tests/test_livefeed.py` holds it to `build_feed` of the whole vault, byte for byte, after each edit, and
each owner's filtered feed to `build_feed(view, owner=...)`.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import json
import os
import threading
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, overload

from reljournal.atomic import holds, write_atomic
from reljournal.config import Settings
from reljournal.events import DUE, MEETING, OBJECTIVE, TASK
from reljournal.feed import (
    END,
    PLACE,
    RANK,
    Entry,
    EventBytes,
    FeedBuilder,
    OwnerScope,
    Privacy,
    SortKey,
    Uids,
    Whose,
    day_stamp,
    feed_head,
    places_overdue_on_today,
)
from reljournal.index.store import Index, NoteFacts
from reljournal.index.sync import settings_fingerprint
from reljournal.model import INTERACTION, ORG, PERSON, Interaction, Record
from reljournal.names import name_key
from reljournal.queries import Scope, View

# An update that touches more than this share of the vault is done as a full build: cheaper by then.
FULL_BUILD_SHARE = 0.2
# Past this many events taken out and put in, `_splice` merges them in one pass instead of one by one.
SPLICE_ONE_BY_ONE = 500
UNKNOWN = Whose(None, ())  # whom an event is about, when owners' feeds are not kept
# kinds as a sort key holds them (`feed.RANK`): those a new day places on today, and meetings
LATE = frozenset(RANK[kind] for kind in (DUE, TASK, OBJECTIVE))


def _names(facts: NoteFacts | None) -> set[str]:
    return set() if facts is None else {name_key(n) for n in (facts.title, *facts.aliases)}


def _day_can_move(before: dt.date, today: dt.date) -> bool:
    """Whether a feed made on `before` can be moved to `today` rather than built again: a later day of the same
    year (birthdays move with the year; an earlier day is a clock set back)."""
    return today >= before and today.year == before.year


def _target(facts: NoteFacts | None) -> tuple[object, ...] | None:
    """What link resolution sees of a note."""
    return None if facts is None else (facts.kind, name_key(facts.title), tuple(name_key(a) for a in facts.aliases))


Placed = tuple[SortKey, bytes, Whose]  # one event: its place in the feed, its bytes, whom it is about
FeedParts = Sequence[bytes]  # the feed in pieces (its head, each event, its end): b"".join() them


class LiveFeed:
    """`rebuild(today)` once, then `update(paths, today)` after each re-index of `paths`; both return the
    feed in parts, whose bytes equal `build_feed(View(settings, today, index))`. An update that changes
    nothing returns the very same parts object.

    Parts, not bytes: joining 70 MB (100,000 notes) took 60 ms a save, and the file can be written from
    the parts; a server joins them only when a client asks."""

    def __init__(self, settings: Settings, index: Index, *, owners: bool = False) -> None:
        """`owners`: keep with each event whom it is about, for owners' feeds (`owned`)."""
        self.settings = settings
        self.index = index
        self.owners = owners
        self._kept = EventBytes()  # a full rebuild (midnight, settings) serialises again only what changed
        self.today: dt.date | None = None
        self.parts: FeedParts | None = None
        self.current: str | None = None  # the index's content token when `parts` was made
        self._head = b""
        self.last_rebuilt = 0  # notes whose events were rebuilt by the last call, for the log
        self.last_related = 0  # notes whose overdue events the last new day moved by their bytes (`_day_plan`)
        self._facts: dict[str, NoteFacts] = {}
        self._with: dict[str, frozenset[str]] = {}  # interaction -> the name keys of its `with:`, as last read
        self._entries: dict[str, list[Placed]] = {}
        # every event of the feed in its order: their sort keys, and beside them their bytes and whom they are
        # about (for owners' feeds)
        self._keys: list[SortKey] = []
        self._chunks: list[bytes] = []
        self._whose: list[Whose] = []
        self.owned: OwnedEvents | None = None  # the feed with whom each event is about, as of `parts`
        self._privacy: Privacy | None = None
        self._by_identity: dict[str, set[str]] = defaultdict(set)  # UID identity -> the parsed notes that have it
        self._shared: set[str] = set()  # the identities of two notes or more
        self._kept_rows: list[tuple[Any, ...]] | None = None  # a restored feed's rows, still to be read (`_read_kept`)
        self._kept_as: str | None = None  # what the restored feed was kept for (`Index.live_stamp`)
        self._rows_unread = False  # restored from the feed's file: its events are still to be read (`_read_kept`)
        self._kept_parts: FeedParts | None = None  # the parts kept in the index (`save`, `restore`): while they
        # are `parts`, a stop has nothing to write

    # ---- a full build ----------------------------------------------------------------------------------
    @property
    def data(self) -> bytes:
        return b"".join(self.parts or ())

    def rebuild(self, today: dt.date) -> FeedParts:
        self.today = today
        self._kept_rows, self._rows_unread = None, False
        self._read_facts()
        view = View(self.settings, today, self.index)
        builder = self._builder(view)
        self._entries = {}
        for record in view.records:
            self._put(builder, record)
        self._with = {i.path: frozenset(link.key for link in i.with_) for i in view.interactions}
        self._order()
        self.last_rebuilt = len(view.records)
        self._head = builder.head()
        return self._assemble()

    def _read_facts(self) -> None:
        """What the feed's privacy and UIDs depend on, from the index's `NoteFacts`."""
        self._set_facts(self.index.note_facts())

    def _set_facts(self, facts: list[NoteFacts]) -> None:
        self._facts = {f.path: f for f in facts}
        parsed = [f for f in facts if f.parsed]
        self._privacy = Privacy(self.settings.exclude_tags, parsed)
        self._by_identity = defaultdict(set)
        for f in parsed:
            self._by_identity[Uids.identity(f)].add(f.path)
        self._shared = {k for k, paths in self._by_identity.items() if len(paths) > 1}

    def _order(self) -> None:
        ordered = sorted((e for entries in self._entries.values() for e in entries), key=PLACE)
        self._keys = [key for key, _, _ in ordered]
        self._chunks = [chunk for _, chunk, _ in ordered]
        self._whose = [about for _, _, about in ordered]

    # ---- kept across a stop: `watch` starts from the feed it left --------------------------------------------
    def _state_key(self) -> str:
        """What the kept events are valid for: the settings, the vault's folder (its name is in every event's
        link), and whether whom each event is about was kept."""
        return json.dumps([settings_fingerprint(self.settings), str(self.settings.root), self.owners])

    def save(self, file: FeedFile | None = None) -> bool:
        """Keep every note's events in the index (table `live_events`), with the notes as they had them
        (`live_notes`), so that the next `watch` with these settings starts from them and builds again only
        the notes changed since and what a new day moves, instead of the whole feed (12 s at 111,000 notes).
        Only a feed current with the index is kept (`current`); returns whether it was. When `file` holds
        these events as this feed wrote them, its stamp is kept with them (`restore`)."""
        if self.parts is None or self.today is None or self.current != self.index.content_token():
            return False
        if not (self.parts is self._kept_parts and self.index.live_kept(self._state_key()) == (self.today, True)):
            # else they are kept already: 1.3 s less at a stop
            self._read_kept()
            path_of = {key: path for path, entries in self._entries.items() for key, _, _ in entries}  # unique keys
            rows = ((path_of[key], *key, chunk, about.org, "\0".join(about.people))
                    for key, chunk, about in zip(self._keys, self._chunks, self._whose, strict=True))
            # in the feed's order: no sort at the start
            if not self.index.keep_live_events(rows, self._state_key(), self.today, self.current):
                return False
            self._kept_parts = self.parts
        self.index.keep_live_file(file.holding(self.parts) if file is not None else None)
        return True

    def restore(self, today: dt.date, file: FeedFile | None = None) -> FeedParts | None:
        """The feed `save` kept, brought to the index as it is now and to `today`: the notes changed since
        are updated as the watcher updates them after a save, and a later day is moved to as at midnight.
        None when nothing was kept for these settings, or a build is due instead (`_day_can_move`; too much
        changed or moves). The kept notes' facts (privacy, UIDs, names, `with:`) come back with the events,
        read when first needed (`_read_kept`). With nothing to bring up to date, and `file` untouched since
        `save` saw it hold these events, the feed is that file's bytes: its events are read from the index
        only when first needed, and the file is neither compared nor written (0.4 s less at 111,000 notes)."""
        self._kept_as = self.index.live_stamp()
        kept = self.index.live_kept(self._state_key())
        if kept is None:
            return None
        day, same_content = kept
        if not _day_can_move(day, today):
            return None
        self.today = day
        changed = [] if same_content else self.index.changed_since_live()
        self._privacy = None  # with the notes' facts, from `_read_kept`
        self._head = feed_head(self.settings, None)
        self.last_rebuilt = 0
        whole = (file.kept(self.index.live_file(), self._kept_bytes) if file is not None and not changed
                 and today == day and not self.owners else None)
        if whole is not None:
            self._rows_unread = True
            self.parts = self._kept_parts = whole
            self.current, self.owned = self.index.content_token(), None
            return whole
        rows = self.index.live_events()
        # a build is quicker when most of the vault changed meanwhile or the day moves it: seen before reading more
        most = FULL_BUILD_SHARE * max(1, self.index.live_note_count())
        events = ((path, start, kind) for path, start, kind, *_ in rows)
        # (events overdue on both days are moved by their bytes, `_day_plan`: not counted here)
        moving = self._day_moving(today, events) if today != day else set()
        if len(changed) > most or len(moving) > most:
            return None
        self._take_rows(rows)
        parts = self._kept_parts = self._assemble()
        return self.update(changed, today) if changed or today != day else parts

    def _kept_bytes(self) -> bytes:
        """The feed of the events kept in the index, as `restore` found them: what a restored file held."""
        return b"".join((self._head, *(row[5] for row in self.index.live_events()), END))

    def _take_rows(self, rows: list[tuple[Any, ...]]) -> None:
        """The kept events' bytes, and whom they are about; the rest of their rows is read at the first update."""
        nobody: tuple[str, ...] = ()
        self._chunks = [row[5] for row in rows]
        self._whose = ([Whose(org, tuple(people.split("\0")) if people else nobody) for *_, org, people in rows]
                       if self.owners else [UNKNOWN] * len(rows))
        self._kept_rows = rows

    def _read_kept(self) -> None:
        """What an update needs of a restored feed, once, when first needed: each note's events and their
        places (`_entries`, `_keys`) from the kept rows, and the notes' facts as those events had them
        (`live_notes`). A start with nothing to bring up to date reads only the events' bytes (1.3 s less
        at 111,000 notes), or nothing (`restore` from the file). When another feed was kept meanwhile (a
        `reljournal feed` while this one ran), those facts are gone: the next update builds the feed whole."""
        if self._rows_unread:
            self._rows_unread = False
            self._take_rows(self.index.live_events())
        rows, self._kept_rows = self._kept_rows, None
        if rows is None:
            return
        self._entries, self._keys = {}, []
        for (path, start, kind, summary, uid, *_), chunk, about in zip(rows, self._chunks, self._whose, strict=True):
            place: SortKey = (start, kind, summary, uid)
            self._entries.setdefault(path, []).append((place, chunk, about))
            self._keys.append(place)
        if self.index.live_stamp() != self._kept_as:
            return  # `_privacy` stays None: `update` builds whole
        notes = self.index.live_notes()
        self._set_facts([facts for facts, _ in notes])
        self._with = {f.path: with_keys for f, with_keys in notes if f.kind == INTERACTION and f.parsed}

    # ---- one change --------------------------------------------------------------------------------------
    def update(self, paths: Collection[str], today: dt.date) -> FeedParts:
        """The feed after the index re-read `paths` (added, changed or removed notes), on `today`: a later day
        of the same year moves only the events a new day can move (`_move_day`)."""
        self._read_kept()
        if self.parts is None or self.today is None or self._privacy is None:
            return self.rebuild(today)
        if today != self.today:
            if paths:
                self.update(paths, self.today)  # first the change, on the day the feed was made for
            return self._move_day(today)
        changed = set(paths)
        old = {p: self._facts.get(p) for p in changed}
        new = {f.path: f for f in self.index.note_facts(changed)}
        if self._privacy_changes(old, new):
            return self.rebuild(today)
        for p in changed:
            if p in new:
                self._facts[p] = new[p]
            else:
                self._facts.pop(p, None)

        affected = self._affected(changed, old, new)
        if len(affected) > FULL_BUILD_SHARE * max(1, len(self._facts)):
            return self.rebuild(today)
        changes = self._rebuild_notes(affected, today)
        self._splice(changes)
        self.last_rebuilt = len(affected)
        if not changes:
            self.current = self.index.content_token()
            return self.parts  # the same object: `FeedFile` need not compare 70 MB to see it
        return self._assemble()

    def _move_day(self, today: dt.date) -> FeedParts:
        """The feed on a later day than it was made for (`_day_plan`): the events overdue then and still overdue
        moved by their bytes (`Entry.relater`), the notes a new day moves otherwise built again as after a
        change, and every other event's stamp moved (`Entry.restamper`)."""
        assert self.today is not None
        before = self.today
        plan = self._day_plan(today)
        if plan is None:
            return self.rebuild(today)
        related, affected = plan
        self.last_related = len(related)
        # the overdue events moved, taken out and put in again in the feed's order (which a day moving all of
        # them keeps among them): a merge of two sorted runs (`_splice`)
        replaced = {id(old[1]): new for path, moved in related.items()
                    for old, new in zip(self._entries[path], moved, strict=True) if new is not old}
        gone = [e for e in zip(self._keys, self._chunks, self._whose, strict=True) if id(e[1]) in replaced]
        self._splice([(gone, [replaced[id(chunk)] for _, chunk, _ in gone])])
        self._entries.update((path, sorted(moved, key=PLACE)) for path, moved in related.items())
        self._restamp(day_stamp(before, self.settings), day_stamp(today, self.settings))
        self.today = today
        changes = self._rebuild_notes(affected, today)
        self._splice(changes)
        self.last_rebuilt = len(affected)
        return self._assemble()

    def _day_plan(self, today: dt.date) -> tuple[dict[str, list[Placed]], set[str]] | None:
        """What a later day than the feed's moves: the notes whose only moving events are overdue on both days,
        with those events moved by their bytes (a neglected journal's tens of thousands of overdue tasks:
        building them took 13 s at 111,000 notes), each note's events in their places in its list; and the notes
        to build again, those a day moves otherwise (`_day_moving`), those with an event overdue or falling due
        only now, and the people their `with:` names. None when a full build is due instead (`_day_can_move`,
        or too many to build again)."""
        assert self.today is not None
        if not _day_can_move(self.today, today):
            return None
        again = self._day_moving(today)
        first_late = today.isoformat()
        relate = Entry.relater(self.today, today, places_overdue_on_today(self.settings))
        related: dict[str, list[Placed]] = {}
        for path, entries in self._entries.items():  # each note's in the feed's order: the earliest first
            if not entries or entries[0][0][0] >= first_late or path in again:
                continue
            moved: list[Placed] = []
            late = False
            for entry in entries:
                key = entry[0]
                if key[1] in LATE and key[0] < first_late:
                    made = relate(entry[1])
                    if made is None:  # not overdue the day before: built again
                        again.add(path)
                        break
                    entry, late = ((made[1], *key[1:]), made[0], entry[2]), True
                moved.append(entry)
            else:
                if late:
                    related[path] = moved
        most = FULL_BUILD_SHARE * max(1, len(self._facts))
        if len(again) > most:
            return None
        affected = again | self._people_named(again)
        return (related, affected) if len(affected) <= most else None

    def _day_moving(self, today: dt.date, events: Iterable[tuple[str, str, int]] | None = None) -> set[str]:
        """The notes to build again for a later day (SPEC 2 and 4), overdue events aside (`_day_plan`): those with
        a meeting now past or a contact now past (a person's last contact, next date and history). `events`:
        (note path, start, kind) of every event, when not yet in the feed's lists."""
        assert self.today is not None
        past = (today + dt.timedelta(days=1)).isoformat()  # a meeting's start in UTC may be a day off its own
        moved = self.index.dated_between(self.today, today)
        if events is None:  # each note's in the feed's order: those up to `past` are the first ones
            events = ((path, start, kind) for path, entries in self._entries.items()
                      for (start, kind, _, _), _, _ in itertools.takewhile(lambda e: e[0][0][:10] <= past, entries))
        meeting = RANK[MEETING]
        moved.update(path for path, start, kind in events if kind == meeting and start[:10] <= past)
        return moved

    def _restamp(self, old: dt.datetime, new: dt.datetime) -> None:
        """Every kept event's bytes with the new day's stamp, in the feed's order and in its note's list."""
        restamp = Entry.restamper(old, new)
        restamped = {id(chunk): restamp(chunk) for chunk in self._chunks}
        self._chunks = [restamped[id(chunk)] for chunk in self._chunks]
        for entries in self._entries.values():
            entries[:] = [(key, restamped[id(chunk)], about) for key, chunk, about in entries]

    def _affected(self, changed: set[str], old: dict[str, NoteFacts | None], new: dict[str, NoteFacts]) -> set[str]:
        """The notes whose events a change of `changed` can move (the module's list)."""
        affected = changed | self._identity_flips(old, new)
        renamed: set[str] = set()  # name keys whose notes changed: links to them may resolve elsewhere
        for p in changed:
            if _target(old[p]) != _target(new.get(p)):
                renamed |= _names(old[p]) | _names(new.get(p))
        if renamed:
            affected |= self.index.linking(renamed)
        return affected | self._people_named(affected)

    def _people_named(self, affected: set[str]) -> set[str]:
        """The people whose contacts or history may change with `affected`: those named in the `with:` of
        those notes, as last read and as now."""
        with_now = self.index.link_keys(affected, ["with"])
        named = set().union(*(with_now.get(p, set()) | self._with.get(p, frozenset()) for p in affected))
        return self.index.named(named, [PERSON]) if named else set()

    def _rebuild_notes(self, affected: set[str], today: dt.date) -> list[tuple[list[Placed], list[Placed]]]:
        """The affected notes' events built again: (before, after) for each note whose events changed."""
        view = View(self.settings, today, self.index, self._scope(affected))
        builder = self._builder(view)
        changes: list[tuple[list[Placed], list[Placed]]] = []
        for p in sorted(affected):
            before = self._entries.pop(p, [])
            record = view.by_path.get(p)
            after = self._put(builder, record) if record is not None else []
            if after != before:
                changes.append((before, after))
            elif before:
                self._entries[p] = before  # equal bytes: keep the objects the feed's order holds (`_splice`)
            if isinstance(record, Interaction):
                self._with[p] = frozenset(link.key for link in record.with_)
            else:
                self._with.pop(p, None)
        return changes

    def _splice(self, changes: list[tuple[list[Placed], list[Placed]]]) -> None:
        """The changed events taken out of the feed's order and the new ones put in their places: all removals
        first, since a note moved to another folder keeps its UIDs, and so its events' sort keys. A few are
        found and put by bisection; many (a new day's overdue events) are taken out in one pass over the feed's
        order and merged in, where moving each one along the lists would take time in the square of their
        number."""
        if sum(len(before) + len(after) for before, after in changes) > SPLICE_ONE_BY_ONE:
            gone = {id(chunk) for before, _ in changes for _, chunk, _ in before}
            kept = [e for e in zip(self._keys, self._chunks, self._whose, strict=True) if id(e[1]) not in gone]
            # the kept events in their order, the new ones after them: a sort that merges what is sorted already
            merged = sorted(itertools.chain(kept, (e for _, after in changes for e in after)), key=PLACE)
            self._keys = [key for key, _, _ in merged]
            self._chunks = [chunk for _, chunk, _ in merged]
            self._whose = [about for _, _, about in merged]
            return
        for before, _ in changes:
            for key, chunk, _ in before:
                at = bisect.bisect_left(self._keys, key)
                while self._chunks[at] is not chunk:
                    at += 1
                del self._keys[at], self._chunks[at], self._whose[at]
        for _, after in changes:
            for key, chunk, about in after:
                at = bisect.bisect_left(self._keys, key)
                self._keys.insert(at, key)
                self._chunks.insert(at, chunk)
                self._whose.insert(at, about)

    def _scope(self, affected: set[str]) -> Scope:
        """The notes the affected notes' events read: themselves, the people and organisations they link to,
        and every interaction with the people among them (their history). Links resolve against every note
        called by the name keys of what is loaded; other names are looked up when a link asks (`Resolver`)."""
        people = [self._facts[p] for p in affected if p in self._facts and self._facts[p].kind == PERSON]
        person_keys = set().union(*(_names(f) for f in people))
        load = set(affected)
        if person_keys:
            load |= self.index.linking(person_keys, ["with"])
        referred = set().union(*self.index.link_keys(affected, ["with", "org", "task"]).values())
        if referred:
            load |= self.index.named(referred, [PERSON, ORG])
        keys = set().union(*(_names(self._facts.get(p)) for p in load))
        keys |= set().union(*self.index.link_keys(load).values())
        return Scope(frozenset(load), frozenset(keys))

    def _privacy_changes(self, old: dict[str, NoteFacts | None], new: dict[str, NoteFacts]) -> bool:
        """Whether what the feed must hide changed: only possible when a changed note is, or was, excluded."""
        assert self._privacy is not None
        is_excluded = Privacy.excluding(self.settings.exclude_tags)

        def excluded(f: NoteFacts | None) -> bool:
            return f is not None and f.parsed and is_excluded(f.tags)

        if not any(excluded(old[p]) or excluded(new.get(p)) for p in old):
            return False
        facts = {**self._facts, **new}
        for p in old:
            if p not in new:
                facts.pop(p, None)
        privacy = Privacy(self.settings.exclude_tags, (f for f in facts.values() if f.parsed))
        return (privacy.excluded, privacy.spoken) != (self._privacy.excluded, self._privacy.spoken)

    def _identity_flips(self, old: dict[str, NoteFacts | None], new: dict[str, NoteFacts]) -> set[str]:
        """Count the changed notes' identities again; the notes of an identity that became shared or stopped
        being shared get other UIDs."""
        touched: set[str] = set()
        for p, before in old.items():
            if before is not None and before.parsed:
                identity = Uids.identity(before)
                self._by_identity[identity].discard(p)
                touched.add(identity)
            after = new.get(p)
            if after is not None and after.parsed:
                identity = Uids.identity(after)
                self._by_identity[identity].add(p)
                touched.add(identity)
        flips: set[str] = set()
        for identity in touched:
            paths = self._by_identity[identity]
            if (identity in self._shared) != (len(paths) > 1):
                flips |= paths
                self._shared ^= {identity}
            if not paths:
                del self._by_identity[identity]
        return flips

    # ---- helpers ------------------------------------------------------------------------------------------
    def _builder(self, view: View) -> FeedBuilder:
        return FeedBuilder(view, privacy=self._privacy, uids=Uids(self._shared), kept=self._kept)

    def _put(self, builder: FeedBuilder, record: Record) -> list[Placed]:
        made = (builder.note_owned(record) if self.owners
                else [(key, chunk, UNKNOWN) for key, chunk in builder.note_serialised(record)])
        if made:
            self._entries[record.path] = made
        return made

    def _assemble(self) -> FeedParts:
        self.current = self.index.content_token()  # the index these parts are the feed of
        self.parts = (self._head, *self._chunks, END)
        self.owned = OwnedEvents(self.parts, tuple(self._whose), self.settings) if self.owners else None
        return self.parts


def kept_feed(view: View) -> FeedParts:
    """The whole feed of `view` for `reljournal feed`: the one kept in the index (by a watcher's stop or the
    last `feed`) brought up to date when there is one (the notes changed since, the days passed), else built;
    kept again for the next time, so that a daily `feed` builds only what changed and what the day moved."""
    live = LiveFeed(view.settings, view.index)
    parts = live.restore(view.today) or live.rebuild(view.today)
    live.save()
    return parts


@dataclass(frozen=True)
class OwnedEvents:
    """The watcher's feed, each event beside whom it is about: one owner's feed (`/feeds/OWNER.ics`) is
    filtered from it instead of built from the whole vault (10 s at 111,000 notes after every change), and
    is byte for byte `build_feed(view, owner=...)` (tests/test_livefeed.py). Immutable: a server thread
    reads it while the watcher makes the next one."""

    parts: FeedParts
    whose: tuple[Whose, ...]  # one per event: `parts` without its head and end
    settings: Settings

    def of_owner(self, view: View, owner: str) -> FeedParts:
        """`owner`'s feed; `view` (the same vault) says whom each owner owns. An unknown owner: UserError."""
        scope = OwnerScope.of(view, owner)
        events = (chunk for chunk, about in zip(itertools.islice(self.parts, 1, len(self.parts) - 1), self.whose,
                                                 strict=True) if scope.keeps(about))
        return (feed_head(self.settings, owner), *events, END)


FileStamp = tuple[int, int, int, int] | None  # a file's inode, size, mtime and ctime (ns); None: no file


class FeedFile:
    """The feed's file, rewritten atomically when its bytes change.

    - It remembers what it wrote, so that it need not read 70 MB back (100,000 notes) to see that nothing
      changed; only a file it did not write itself (at start, or edited by someone) is read and compared.
    - No fsync: the feed is derived data, written again by every start of `watch` (fsync took 0.1 s).
    - Replacing a 70 MB file frees its pages, which took 0.1 s inside `os.replace`: the old file is kept
      under a second name (`.NAME.old`, a hard link) across the replace and unlinked in the background."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._last: tuple[FeedParts, FileStamp] | None = None  # parts written, the file's stamp then

    def write(self, parts: FeedParts) -> bool:
        """Write the feed unless the file holds it already; returns whether it wrote."""
        last = self._as_left()
        if last is not None and (parts is last or parts == last):
            return False
        if last is None and holds(self.path, parts):  # compared before the second name below, which would
            self._last = (parts, self._stamp())  # change the file's change time (`kept`)
            return False
        old = self.path.with_name(f".{self.path.name}.old")
        kept = self._keep_as(old)
        try:
            write_atomic(self.path, parts, durable=False)
        finally:
            if kept:
                threading.Thread(target=_unlink, args=(old,), name="reljournal-old-feed", daemon=True).start()
        self._last = (parts, self._stamp())
        return True

    def _keep_as(self, old: Path) -> bool:
        try:
            if old.exists():
                old.unlink()
            os.link(self.path, old)
        except OSError:  # no feed yet, or a file system without hard links: a plain replace
            return False
        return True

    def holding(self, parts: FeedParts) -> list[Any] | None:
        """Where the file is and its stamp, when it holds `parts` as this object wrote (or found) them: what
        `LiveFeed.save` keeps for `kept`."""
        last = self._last
        if last is None or last[1] is None or self._as_left() is not parts:
            return None
        return [str(self.path), *last[1]]

    def _as_left(self) -> FeedParts | None:
        """The parts this object last wrote (or found), when the file is still as it left it; else None."""
        last = self._last
        if last is None or last[1] is None or last[1] != self._stamp():
            return None
        return last[0]

    def kept(self, held: Any, events: Callable[[], bytes]) -> FeedParts | None:
        """The file's bytes, as one part (`HeldFeed`, read when asked for), when it is where `held` (from
        `holding`) says and untouched since: the same inode, size, modification and change times (the last
        cannot be set back by hand). It is then taken as written by this object, so that writing the same
        parts again does nothing. `events`: the same feed's bytes made otherwise, for when the file has changed
        by the time they are asked for."""
        stamp = self._stamp()
        if not isinstance(held, list) or held[:1] != [str(self.path)] or stamp is None or list(stamp) != held[1:]:
            return None
        parts = HeldFeed(self.path, stamp, events)
        self._last = (parts, stamp)
        return parts

    def _stamp(self) -> FileStamp:
        return _file_stamp(self.path)


class HeldFeed(Sequence[bytes]):
    """The feed a file was found holding (`FeedFile.kept`), as one part, read from the file when first asked
    for. A `watch` restarted on the file it left hands it to `FeedFile.write`, which sees the very object it
    took, and nothing reads it before the next update assembles the feed from the index's events: reading 70 MB
    back took 40 ms of the start at 111,000 notes, and held them in memory. Read after the file changed (its
    stamp), it is `events()` instead: the same feed, made otherwise."""

    def __init__(self, path: Path, stamp: FileStamp, events: Callable[[], bytes]) -> None:
        self._path, self._stamp, self._events = path, stamp, events
        self._data: bytes | None = None
        self._lock = threading.Lock()  # a server thread and the watcher may ask at once

    def _read(self) -> bytes:
        with self._lock:
            if self._data is None:
                data = _read_stamped(self._path, self._stamp)
                self._data = data if data is not None else self._events()
            return self._data

    def __len__(self) -> int:
        return 1

    @overload
    def __getitem__(self, index: int) -> bytes: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[bytes]: ...

    def __getitem__(self, index: int | slice) -> bytes | Sequence[bytes]:
        return (self._read(),)[index]

    def __eq__(self, other: object) -> bool:
        # part by part, as tuples compare: the lengths first, so that the parts of an update are told apart
        # without reading the file
        return other is self or (isinstance(other, Sequence) and len(other) == 1 and other[0] == self[0])

    __hash__ = None  # type: ignore[assignment]


def _read_stamped(path: Path, stamp: FileStamp) -> bytes | None:
    """The file's bytes when its stamp is `stamp` before and after the read; else None."""
    if _file_stamp(path) != stamp:
        return None
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return data if _file_stamp(path) == stamp else None


def _file_stamp(path: Path) -> FileStamp:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass

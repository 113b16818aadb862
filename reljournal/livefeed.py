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
index's `NoteFacts` and rebuilt whole only when an excluded note changes. A new day (midnight), new
settings or an update touching much of the vault rebuild everything, as `reljournal feed` does.

`tests/test_livefeed.py` holds it to `build_feed` of the whole vault, byte for byte, after each edit.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable

from reljournal.config import Settings
from reljournal.feed import Entry, FeedBuilder, Privacy, Uids
from reljournal.index.store import Index, NoteFacts
from reljournal.model import ORG, PERSON, Interaction, name_key
from reljournal.queries import Scope, View

# An update that touches more than this share of the vault is done as a full build: cheaper by then.
FULL_BUILD_SHARE = 0.2

SortKey = tuple[str, int, str, str]


def _names(facts: NoteFacts | None) -> set[str]:
    return set() if facts is None else {name_key(n) for n in (facts.title, *facts.aliases)}


def _target(facts: NoteFacts | None) -> tuple[object, ...] | None:
    """What link resolution sees of a note."""
    return None if facts is None else (facts.kind, name_key(facts.title), tuple(name_key(a) for a in facts.aliases))


class LiveFeed:
    """`rebuild(today)` once, then `update(paths, today)` after each re-index of `paths`; both return the
    feed's bytes, equal to `build_feed(View(settings, today, index))`."""

    def __init__(self, settings: Settings, index: Index) -> None:
        self.settings = settings
        self.index = index
        self.today: dt.date | None = None
        self.data: bytes | None = None
        self.last_rebuilt = 0  # notes whose events were rebuilt by the last call, for the log
        self._facts: dict[str, NoteFacts] = {}
        self._with: dict[str, frozenset[str]] = {}  # interaction -> the name keys of its `with:`, as last read
        self._entries: dict[str, list[tuple[SortKey, bytes]]] = {}
        self._ordered: list[tuple[SortKey, bytes]] = []
        self._privacy: Privacy | None = None
        self._identities: Counter[str] = Counter()  # identity -> how many notes have it
        self._shared: frozenset[str] = frozenset()
        self._by_identity: dict[str, set[str]] = defaultdict(set)

    # ---- a full build ----------------------------------------------------------------------------------
    def rebuild(self, today: dt.date) -> bytes:
        self.today = today
        facts = self.index.note_facts()
        self._facts = {f.path: f for f in facts}
        parsed = [f for f in facts if f.parsed]
        self._privacy = Privacy(self.settings.exclude_tags, parsed)
        self._identities = Counter(Uids.identity(f) for f in parsed)
        self._shared = frozenset(k for k, n in self._identities.items() if n > 1)
        self._by_identity = defaultdict(set)
        for f in parsed:
            self._by_identity[Uids.identity(f)].add(f.path)
        view = View(self.settings, today, self.index)
        builder = self._builder(view)
        self._entries = {}
        for record in view.loaded.records:
            self._put(builder, record.path, builder.note_entries(record))
        self._with = {i.path: frozenset(link.key for link in i.with_) for i in view.interactions}
        self._ordered = sorted(e for entries in self._entries.values() for e in entries)
        self.last_rebuilt = len(view.loaded.records)
        return self._assemble(builder)

    # ---- one change --------------------------------------------------------------------------------------
    def update(self, paths: Collection[str], today: dt.date) -> bytes:
        """The feed after the index re-read `paths` (added, changed or removed notes)."""
        if self.data is None or today != self.today or self._privacy is None:
            return self.rebuild(today)
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

        affected = changed | self._identity_flips(old, new)
        renamed: set[str] = set()  # name keys whose notes changed: links to them may resolve elsewhere
        for p in changed:
            if _target(old[p]) != _target(new.get(p)):
                renamed |= _names(old[p]) | _names(new.get(p))
        if renamed:
            affected |= self.index.linking(renamed)
        # people whose contacts or history may change: those named in the `with:` of the affected notes
        with_now = self.index.link_keys(affected, ["with"])
        named = set().union(*(with_now.get(p, set()) | self._with.get(p, frozenset()) for p in affected))
        if named:
            affected |= self.index.named(named, [PERSON])
        if len(affected) > FULL_BUILD_SHARE * max(1, len(self._facts)):
            return self.rebuild(today)

        view = View(self.settings, today, self.index, self._scope(affected))
        builder = self._builder(view)
        for p in sorted(affected):
            for entry in self._entries.pop(p, []):
                del self._ordered[bisect.bisect_left(self._ordered, entry)]
            record = view.by_path.get(p)
            if record is not None:
                for entry in self._put(builder, p, builder.note_entries(record)):
                    bisect.insort(self._ordered, entry)
            if isinstance(record, Interaction):
                self._with[p] = frozenset(link.key for link in record.with_)
            else:
                self._with.pop(p, None)
        self.last_rebuilt = len(affected)
        return self._assemble(builder)

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
        wanted = {t.lstrip("#").casefold() for t in self.settings.exclude_tags}
        if not wanted:
            return False

        def excluded(f: NoteFacts | None) -> bool:
            return f is not None and f.parsed and bool(wanted & {t.casefold() for t in f.tags})

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
                self._identities[identity] -= 1
                self._by_identity[identity].discard(p)
                touched.add(identity)
            after = new.get(p)
            if after is not None and after.parsed:
                identity = Uids.identity(after)
                self._identities[identity] += 1
                self._by_identity[identity].add(p)
                touched.add(identity)
        flips: set[str] = set()
        for identity in touched:
            if (identity in self._shared) != (self._identities[identity] > 1):
                flips |= self._by_identity[identity]
            if self._identities[identity] <= 0:
                del self._identities[identity]
                self._by_identity.pop(identity, None)
        self._shared = (self._shared - touched) | {k for k in touched if self._identities.get(k, 0) > 1}
        return flips

    # ---- helpers ------------------------------------------------------------------------------------------
    def _builder(self, view: View) -> FeedBuilder:
        return FeedBuilder(view, privacy=self._privacy, uids=Uids.sharing(self._shared))

    def _put(self, builder: FeedBuilder, path: str, entries: Iterable[Entry]) -> list[tuple[SortKey, bytes]]:
        stamp = builder.dtstamp()
        made = sorted((entry.sort_key(), builder.serialised(entry, stamp)) for entry in entries)
        if made:
            self._entries[path] = made
        return made

    def _assemble(self, builder: FeedBuilder) -> bytes:
        self.data = builder.assemble(data for _, data in self._ordered)
        return self.data

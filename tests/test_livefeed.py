"""The watcher's feed, rebuilt one change at a time (`LiveFeed`), is byte for byte the feed a full build
gives (`build_feed` over the whole vault), after every kind of edit a user makes."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from unittest import mock

import pytest
from click.testing import CliRunner
from conftest import TODAY, VAULTS, write_note
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reljournal import livefeed
from reljournal.app import Journal
from reljournal.cli import cli
from reljournal.config import load_settings
from reljournal.feed import FeedBuilder, build_feed, owners
from reljournal.index.sync import reindex
from reljournal.livefeed import FeedFile, LiveFeed
from reljournal.queries import View

NAMES = ["Ada Obi", "Bola Ade", "Chidi Eze", "Efe Private", "Nia New", "Ola Twin", "ola twin", "Effie"]
ORGS = ["Lagos Bank", "Secret Co", "Kano Mills"]
FOLDERS = ["people", "people/clients", "contacts"]
OWNERS = ["alice", "bob", "Carol"]
DAYS = ["2026-02-01", "2026-03-10", "2026-03-15", "2026-03-20", "2026-04-02", "2026-05-01"]


class Vault:
    """A copy of the `feed` test vault, its index, and a live feed kept beside a full build."""

    def __init__(self, root: Path, today: str = TODAY) -> None:
        self.root = root
        self.journal = Journal.open(root, today)
        self.journal.sync()
        self.live = LiveFeed(self.journal.settings, self.journal.index, owners=True)  # as `serve` keeps it
        self.live.rebuild(self.journal.today)
        self.plain = LiveFeed(self.journal.settings, self.journal.index)  # as `watch` keeps it
        self.plain.rebuild(self.journal.today)

    def apply(self, paths: set[str], later: int = 0) -> tuple[bytes, bytes]:
        """Re-index `paths` as the watcher does, `later` days after the last update (midnight passed); the
        live feed and a full build afterwards."""
        self.journal.today += dt.timedelta(days=later)
        settings, index, today = self.journal.settings, self.journal.index, self.journal.today
        stats = reindex(settings, index, paths=paths)
        live = self.live.update([*stats.added, *stats.changed, *stats.removed], today)
        plain = self.plain.update([*stats.added, *stats.changed, *stats.removed], today)
        assert plain == live and self.plain.owned is None
        return b"".join(live), build_feed(View(settings, today, index))

    def owner_feeds(self) -> Iterator[tuple[str, bytes, bytes]]:
        """Each owner's feed filtered from the live feed, and built from the whole vault."""
        view = View(self.journal.settings, self.journal.today, self.journal.index)
        assert self.live.owned is not None
        for owner in owners(view):
            yield owner, b"".join(self.live.owned.of_owner(view, owner)), build_feed(view, owner=owner)


@pytest.fixture
def vault(tmp_path: Path) -> Iterator[Vault]:
    root = tmp_path / "feed"
    shutil.copytree(VAULTS / "feed", root)
    opened = Vault(root)
    try:
        yield opened
    finally:
        opened.journal.close()


def person_text(draw: st.DrawFn) -> str:
    lines = ["---", "type: person"]
    if draw(st.booleans()):
        lines.append(f"aliases: [{draw(st.sampled_from(NAMES))}]")
    if draw(st.booleans()):
        lines.append(f"org: \"[[{draw(st.sampled_from(ORGS))}]]\"")
    lines.append("cadence: " + draw(st.sampled_from(["30d", "1w", "none", "90d"])))
    if draw(st.booleans()):
        lines.append("next: " + draw(st.sampled_from(DAYS)))
    if draw(st.booleans()):
        lines.append("birthday: --" + draw(st.sampled_from(["02-29", "03-20", "12-01"])))
    if draw(st.booleans()):
        lines.append("tags: [private]")
    if draw(st.booleans()):
        lines.append("last_contact: " + draw(st.sampled_from(DAYS)))
    if draw(st.booleans()):
        lines.append("snooze: " + draw(st.sampled_from(DAYS)))  # may put the next contact after a meeting
    lines.append("status: " + draw(st.sampled_from(["active", "active", "dormant"])))
    if draw(st.booleans()):
        lines.append("owner: " + draw(st.sampled_from(OWNERS)))
    lines += ["role: Director", "---", "## Log"]
    for _ in range(draw(st.integers(0, 2))):
        lines.append(f"- {draw(st.sampled_from(DAYS))} {draw(st.sampled_from(['call', 'note', 'coffee']))}: "
                     f"spoke about [[{draw(st.sampled_from(NAMES))}]]")
    if draw(st.booleans()):
        lines.append(f"- [ ] send the deck to [[{draw(st.sampled_from(NAMES))}]] 📅 {draw(st.sampled_from(DAYS))}")
    return "\n".join(lines) + "\n"


def interaction_text(draw: st.DrawFn) -> str:
    with_ = draw(st.lists(st.sampled_from([*NAMES, "people/clients/Ola Twin", "Nobody"]), max_size=3))
    lines = ["---", "type: interaction", f"date: {draw(st.sampled_from(DAYS))}" +
             draw(st.sampled_from(["", "T10:00"])),
             "with: [" + ", ".join(f'"[[{n}]]"' for n in with_) + "]",
             "kind: " + draw(st.sampled_from(["call", "lunch", "note"]))]
    if draw(st.booleans()):
        lines.append(f"outcome: agreed terms with [[{draw(st.sampled_from(NAMES))}]]")
    if draw(st.booleans()):
        lines.append(f"next: {draw(st.sampled_from(DAYS))}")
        lines.append("next_action: send the proposal")
    lines.append("---")
    if draw(st.booleans()):
        lines.append(f"- [ ] follow up 📅 {draw(st.sampled_from(DAYS))}")
    if draw(st.booleans()):
        lines.append(f"- [ ] call [[{draw(st.sampled_from(NAMES))}]] 📅 {draw(st.sampled_from(DAYS))}")
    return "\n".join(lines) + "\n"


def daily_text(draw: st.DrawFn) -> str:
    """A plain note (a daily note) with open tasks: one that links someone, one that links no one."""
    return (f"# Today\n\n- [ ] ping [[{draw(st.sampled_from(NAMES))}]] 📅 {draw(st.sampled_from(DAYS))}\n"
            f"- [{draw(st.sampled_from([' ', 'x']))}] water the plants 📅 {draw(st.sampled_from(DAYS))}\n")


def org_text(draw: st.DrawFn) -> str:
    lines = ["---", "type: org", "objectives:",
             "  - title: Win the mandate", f"    due: {draw(st.sampled_from(DAYS))}", "    status: open"]
    if draw(st.booleans()):
        lines.append("tags: [private]")
    if draw(st.booleans()):
        lines.append("last_contact: " + draw(st.sampled_from(DAYS)))
    if draw(st.booleans()):
        lines.append("owner: " + draw(st.sampled_from(OWNERS)))
    if draw(st.booleans()):
        lines.append("team: [" + ", ".join(draw(st.lists(st.sampled_from(OWNERS), max_size=2))) + "]")
    return "\n".join(lines) + "\n---\n"


@st.composite
def edits(draw: st.DrawFn) -> list[tuple[str, str, str | None]]:
    """A few edits: (action, path, text). Paths are drawn so that edits meet: one person written under
    several folders (a shared name), interactions renamed, notes deleted and broken."""
    out = []
    for _ in range(draw(st.integers(1, 4))):
        action = draw(st.sampled_from(["person", "person", "interaction", "interaction", "org", "daily", "delete",
                                       "break", "move"]))
        if action == "person":
            path = f"{draw(st.sampled_from(FOLDERS))}/{draw(st.sampled_from(NAMES))}.md"
            out.append(("write", path, person_text(draw)))
        elif action == "interaction":
            path = f"interactions/2026/{draw(st.sampled_from(['Call', 'Lunch', 'Chat']))} {draw(st.integers(1, 3))}.md"
            out.append(("write", path, interaction_text(draw)))
        elif action == "daily":
            out.append(("write", f"daily/2026-03-{draw(st.integers(10, 12))}.md", daily_text(draw)))
        elif action == "org":
            out.append(("write", f"orgs/{draw(st.sampled_from(ORGS))}.md", org_text(draw)))
        elif action == "break":
            path = f"{draw(st.sampled_from(FOLDERS))}/{draw(st.sampled_from(NAMES))}.md"
            out.append(("write", path, "---\ntype: person\nnext: [unclosed\n---\n"))
        else:
            out.append((action, draw(st.integers(0, 10_000)).__str__(), None))
    return out


def apply_edits(root: Path, step: list[tuple[str, str, str | None]]) -> set[str]:
    """Make the edits of one step (`edits`) in the vault at `root`; the paths they touched."""
    touched: set[str] = set()
    for action, where, text in step:
        notes = sorted(str(p.relative_to(root)) for p in root.rglob("*.md"))
        if action == "write":
            assert text is not None
            write_note(root, where, text)
            touched.add(where)
        elif notes:
            rel = notes[int(where) % len(notes)]
            touched.add(rel)
            if action == "delete":
                (root / rel).unlink()
            else:  # move: another folder, the same name (links follow it, its UIDs too)
                dest = ("archive/" + rel) if not rel.startswith("archive/") else rel[len("archive/"):]
                (root / dest).parent.mkdir(parents=True, exist_ok=True)
                (root / rel).rename(root / dest)
                touched.add(dest)
    return touched


Step = list[tuple[str, str, str | None]]  # one step of `edits`
LATER = st.sampled_from([0, 0, 0, 1, 2, 5, 17, 60])  # days passed before a step: mostly none


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(st.tuples(edits(), LATER), min_size=1, max_size=4), one_by_one=st.sampled_from([0, 500]))
def test_live_feed_equals_a_full_build_after_every_edit(steps: list[tuple[Step, int]], one_by_one: int) -> None:
    """...and after every midnight, with or without a change since the last update; the changed events put in
    the feed's order one by one, or (`one_by_one` 0) all in one pass."""
    with tempfile.TemporaryDirectory() as tmp, mock.patch.object(livefeed, "SPLICE_ONE_BY_ONE", one_by_one):
        root = Path(tmp) / "feed"
        shutil.copytree(VAULTS / "feed", root)
        vault = Vault(root)
        try:
            for step, later in steps:
                live, full = vault.apply(apply_edits(root, step), later)
                assert live == full
                for owner, filtered, built in vault.owner_feeds():
                    assert filtered == built, owner
        finally:
            vault.journal.close()


def test_an_edit_rebuilds_only_the_notes_it_touches(vault: Vault) -> None:
    root = vault.root
    extras = {f"people/Extra {n}.md" for n in range(40)}  # people the edit below does not touch
    for extra in extras:
        write_note(root, extra, "---\ntype: person\ncadence: 30d\n---\n")
    vault.apply(extras)
    path = "interactions/2026/2026-03-20 Lunch with Chidi.md"
    text = (root / path).read_text(encoding="utf-8")
    (root / path).write_text(text.replace("kind: lunch", "kind: dinner"), encoding="utf-8")
    live, full = vault.apply({path})
    assert live == full and b"Dinner with Chidi Eze" in live
    assert vault.live.last_rebuilt == 2  # the interaction and Chidi (his history), of 53 notes


def test_a_rename_rebuilds_the_notes_that_link_to_either_name(vault: Vault) -> None:
    root = vault.root
    (root / "people/Chidi Eze.md").rename(root / "people/Chidi Okafor.md")
    live, full = vault.apply({"people/Chidi Eze.md", "people/Chidi Okafor.md"})
    assert live == full
    assert b"Chidi Eze" not in live  # meetings with him no longer name him: the link is dangling


def quiet_people(root: Path, count: int = 150) -> set[str]:
    """People not due before June, so a day move before then leaves them alone: most of a vault kept up."""
    extras = {f"people/Extra {n}.md": n for n in range(count)}
    for extra, n in extras.items():
        write_note(root, extra, f"---\ntype: person\ncadence: 90d\nlast_contact: 2026-03-0{n % 9 + 1}\n---\n")
    return set(extras)


@pytest.mark.parametrize("later", [1, 3, 16, 45, 200, 300])
def test_a_later_day_moves_only_what_it_must(vault: Vault, later: int) -> None:
    """Midnight: the feed of the new day, as a full build gives it; within a year only the notes a new day
    moves are built again, the events overdue on both days moved by their bytes (2026-03-15 + 300 days is in
    2027: a full build)."""
    vault.apply(quiet_people(vault.root))
    notes = len(vault.journal.index.note_facts())
    live, full = vault.apply(set(), later)
    assert live == full
    if later <= 45:
        assert vault.live.last_rebuilt < notes / 5 and vault.live.last_related > 0
    else:
        assert vault.live.last_rebuilt == notes


@pytest.mark.parametrize("feed", ['overdue = "keep"', 'detail = "full"', 'detail = "minimal"'])
def test_overdue_events_move_by_their_bytes_whatever_the_feed_shows(tmp_path: Path, feed: str) -> None:
    """Overdue items on their own dates (`overdue = "keep"`), with the notes' whole text, or with none: the
    events overdue on both days are moved by their bytes, and the new day's feed is a full build's."""
    root = tmp_path / "feed"
    shutil.copytree(VAULTS / "feed", root)
    settings = root / ".reljournal.toml"
    settings.write_text(settings.read_text().replace("[feed]\n", f"[feed]\n{feed}\n"))
    quiet_people(root)
    vault = Vault(root)
    try:
        for later in (1, 9, 40):
            live, full = vault.apply(set(), later)
            assert live == full
            assert vault.live.last_related > 0
    finally:
        vault.journal.close()


def test_a_second_note_of_the_same_name_changes_the_first_ones_uids(vault: Vault) -> None:
    root = vault.root
    write_note(root, "people/Zed Solo.md", "---\ntype: person\ncadence: 1w\n---\n")
    first, _ = vault.apply({"people/Zed Solo.md"})
    write_note(root, "contacts/zed solo.md", "---\ntype: person\ncadence: 1w\n---\n")
    live, full = vault.apply({"contacts/zed solo.md"})
    assert live == full  # both reach-outs now hash their paths too
    assert live.count(b"SUMMARY:Reach out: Zed Solo") == 1 and b"SUMMARY:Reach out: zed solo" in live
    (root / "contacts/zed solo.md").unlink()
    live, full = vault.apply({"contacts/zed solo.md"})
    assert live == full == first


def test_a_note_moved_to_another_folder_keeps_its_events(vault: Vault) -> None:
    root = vault.root
    before = vault.live.data
    (root / "archive").mkdir()
    (root / "people/Ada Obi.md").rename(root / "archive/Ada Obi.md")
    live, full = vault.apply({"people/Ada Obi.md", "archive/Ada Obi.md"})
    assert live == full != before
    assert b"Note: archive/Ada Obi.md" in live and b"Note: people/Ada Obi.md" not in live
    # the events of the notes that name her keep their bytes, but are now about her new path: alice's
    # feed still has the task that names her, filtered from the live feed as a full build gives it
    alice = {owner: (filtered, built) for owner, filtered, built in vault.owner_feeds()}["alice"]
    assert alice[0] == alice[1] and b"Follow-up: send the deck to Ada" in alice[0]


def test_the_feed_file_is_written_only_when_its_bytes_change(tmp_path: Path) -> None:
    path = tmp_path / "feed.ics"
    first = (b"BEGIN:VCALENDAR\r\n", b"A\r\n", b"END:VCALENDAR\r\n")
    feed = FeedFile(path)
    assert feed.write(first) is True and path.read_bytes() == b"".join(first)
    assert feed.write(first) is False  # the same parts
    assert feed.write(tuple(first)) is False  # equal parts
    second = (first[0], b"B\r\n", first[2])
    assert feed.write(second) is True and path.read_bytes() == b"".join(second)
    path.unlink()  # someone deleted it: written again
    assert feed.write(second) is True and path.read_bytes() == b"".join(second)
    path.write_bytes(b"edited by hand")  # someone changed it: put right
    assert feed.write(second) is True and path.read_bytes() == b"".join(second)
    # a new process finds the same bytes there: left alone
    assert FeedFile(path).write(second) is False
    wait = 0
    while (tmp_path / ".feed.ics.old").exists() and wait < 100:  # the old file is freed in the background
        threading.Event().wait(0.02)
        wait += 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feed.ics"]


# ---- kept across a stop ------------------------------------------------------------------------------------
def test_a_kept_feed_is_restored_as_built_and_follows_every_edit(vault: Vault) -> None:
    """`save` then `restore` (a watcher stopped and started again) gives the parts a full build gives, and
    the restored feed then follows edits as a rebuilt one does, owners' feeds included."""
    settings, index, today = vault.journal.settings, vault.journal.index, vault.journal.today
    assert vault.live.save()
    restored = LiveFeed(settings, index, owners=True)
    parts = restored.restore(today)
    assert parts is not None and b"".join(parts) == build_feed(View(settings, today, index))
    assert restored.last_rebuilt == 0  # nothing built
    vault.live = restored
    root = vault.root
    for step in ([("write", "people/Ada Obi.md", "---\ntype: person\ncadence: 7d\nrole: Chair\n---\n")],
                 [("delete", "3", None)], [("move", "1", None)]):
        live, full = vault.apply(apply_edits(root, step))
        assert live == full
        for owner, filtered, built in vault.owner_feeds():
            assert filtered == built, owner


def test_a_feed_restored_from_its_untouched_file_follows_every_edit(vault: Vault, tmp_path: Path) -> None:
    """A plain feed (`watch`'s) kept with the file that holds it comes back as that file's bytes, and then
    follows edits, a day and a stop exactly as a built one."""
    settings, index, today = vault.journal.settings, vault.journal.index, vault.journal.today
    path = tmp_path / "feed.ics"
    assert FeedFile(path).write(vault.plain.parts or ()) is True
    assert vault.plain.save(FeedFile(path)) and index.live_file() is None  # that object did not write it
    writer = FeedFile(path)
    assert writer.write(vault.plain.parts or ()) is False and vault.plain.save(writer)
    assert index.live_file() is not None
    restored = LiveFeed(settings, index)
    parts = restored.restore(today, FeedFile(path))
    assert parts == (path.read_bytes(),) and parts[0] == build_feed(View(settings, today, index))
    vault.plain = restored
    for step, later in (([("write", "people/Ada Obi.md", "---\ntype: person\ncadence: 7d\nrole: Chair\n---\n")], 0),
                        ([("delete", "3", None)], 1), ([("move", "1", None)], 0)):
        live, full = vault.apply(apply_edits(vault.root, step), later)
        assert live == full
    assert restored.save(writer)
    assert index.live_file() is None  # the file no longer holds the kept feed: not trusted next time
    assert LiveFeed(settings, index).restore(vault.journal.today, FeedFile(path)) != (path.read_bytes(),)


def test_a_feed_restored_from_its_file_is_read_only_when_asked_for(vault: Vault, tmp_path: Path) -> None:
    """A restart on the untouched file does not read it back (nothing asks for its bytes before the next update);
    asked for after the file changed, the restored feed is still the feed, made from the kept events."""
    settings, index, today = vault.journal.settings, vault.journal.index, vault.journal.today
    path = tmp_path / "feed.ics"
    writer = FeedFile(path)
    writer.write(vault.plain.parts or ())
    assert vault.plain.save(writer)
    built = build_feed(View(settings, today, index))
    for damage in (False, True):
        file = FeedFile(path)
        parts = LiveFeed(settings, index).restore(today, file)
        assert parts is not None and not file.write(parts)  # the same object: neither compared nor written
        assert getattr(parts, "_data", b"") is None  # not read
        if damage:
            path.write_bytes(b"edited by hand")
        assert b"".join(parts) == built and parts == (built,) and parts != (built, b"")
        if not damage:  # read from the file, untouched: the file is taken again by the next start
            assert vault.plain.save(writer)


def test_a_kept_feed_is_refused_for_other_settings_an_earlier_day_another_year_or_a_big_move(vault: Vault) -> None:
    settings, index, today = vault.journal.settings, vault.journal.index, vault.journal.today
    assert vault.live.save()
    assert LiveFeed(settings, index, owners=True).restore(today - dt.timedelta(days=1)) is None
    assert LiveFeed(settings, index, owners=True).restore(dt.date(today.year + 1, 1, 2)) is None
    # by October most of this small vault is overdue: a day move would build most of it again, a build is quicker
    assert LiveFeed(settings, index, owners=True).restore(today + dt.timedelta(days=200)) is None
    assert LiveFeed(settings, index, owners=True).restore(today + dt.timedelta(days=1)) is not None
    assert LiveFeed(settings, index, owners=False).restore(today) is None  # whom events are about not kept
    moved = replace(settings, root=vault.root.with_name("renamed"))  # the vault's name is in every event's link
    assert LiveFeed(moved, index, owners=True).restore(today) is None
    toml = vault.root / ".reljournal.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("[feed]", '[feed]\ndetail = "full"'), encoding="utf-8")
    assert LiveFeed(load_settings(vault.root)[0], index, owners=True).restore(today) is None
    assert LiveFeed(settings, index, owners=True).restore(today) is not None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(edits(), min_size=0, max_size=3), later=LATER)
def test_a_kept_feed_follows_what_changed_while_no_watcher_ran(steps: list[list[tuple[str, str, str | None]]],
                                                               later: int) -> None:
    """A watcher stops (`save`); notes change and days pass with no watcher (the next command re-indexes);
    the next start (`restore`) gives the feed a full build gives, then follows edits as a built one does."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "feed"
        shutil.copytree(VAULTS / "feed", root)
        quiet_people(root)  # so that a day move is not a full build
        vault = Vault(root)
        try:
            settings, index = vault.journal.settings, vault.journal.index
            assert vault.live.save()
            touched = set().union(*(apply_edits(root, step) for step in steps))
            reindex(settings, index, paths=touched)
            vault.journal.today += dt.timedelta(days=later)
            today = vault.journal.today
            restored = LiveFeed(settings, index, owners=True)
            parts = restored.restore(today)
            assert parts is not None  # not too many notes moved
            assert b"".join(parts) == build_feed(View(settings, today, index))
            if not touched and not later:
                assert restored.last_rebuilt == 0
            vault.live = restored
            vault.plain.rebuild(today)  # one feed is kept per index: the plain one is built to compare with
            for owner, filtered, built in vault.owner_feeds():
                assert filtered == built, owner
            live, full = vault.apply(apply_edits(root, [("write", "people/Ada Obi.md", "---\ntype: person\n---\n")]))
            assert live == full
        finally:
            vault.journal.close()


def test_a_restored_feed_builds_whole_when_another_was_kept_meanwhile(vault: Vault) -> None:
    """A watcher restored its feed and has not read the kept notes' facts yet; a `reljournal feed` then keeps
    its own (after an edit): the watcher's first update cannot trust those facts, and builds the feed whole."""
    settings, index, today = vault.journal.settings, vault.journal.index, vault.journal.today
    assert vault.live.save()
    restored = LiveFeed(settings, index, owners=True)
    assert restored.restore(today) is not None
    (vault.root / "people/Chidi Eze.md").rename(vault.root / "people/Chidi Okafor.md")
    reindex(settings, index, paths={"people/Chidi Eze.md", "people/Chidi Okafor.md"})
    other = LiveFeed(settings, index)
    other.rebuild(today)
    assert other.save()
    parts = restored.update(["people/Chidi Eze.md", "people/Chidi Okafor.md"], today)
    assert b"".join(parts) == build_feed(View(settings, today, index))
    assert restored.last_rebuilt == len(index.note_facts())  # whole


def test_a_feed_behind_the_index_is_not_kept(vault: Vault) -> None:
    write_note(vault.root, "people/Nia New.md", "---\ntype: person\ncadence: 7d\n---\n")
    reindex(vault.journal.settings, vault.journal.index, paths={"people/Nia New.md"})  # no update of the feed
    assert not vault.live.save()


def test_the_feed_command_starts_from_the_kept_feed(tmp_path: Path) -> None:
    """`reljournal feed` keeps its feed in the index; the next day's `feed`, after an edit, brings that one up to
    date (no full build) and writes what a full build writes."""
    root = tmp_path / "feed"
    shutil.copytree(VAULTS / "feed", root)
    quiet_people(root)
    runner = CliRunner()
    first = runner.invoke(cli, ["--vault", str(root), "--today", TODAY, "feed"])
    assert first.exit_code == 0, first.output
    write_note(root, "people/Ada Obi.md", "---\ntype: person\ncadence: 7d\nrole: Chair\n---\n")
    tomorrow = (dt.date.fromisoformat(TODAY) + dt.timedelta(days=1)).isoformat()
    built_whole = AssertionError("the whole feed built")
    with mock.patch.object(LiveFeed, "rebuild", side_effect=built_whole), \
            mock.patch.object(FeedBuilder, "parts", side_effect=built_whole):
        second = runner.invoke(cli, ["--vault", str(root), "--today", tomorrow, "feed"])
    assert second.exit_code == 0, second.output
    assert "Wrote .reljournal/feed.ics" in second.output
    full = runner.invoke(cli, ["--vault", str(root), "--today", tomorrow, "feed", "-o", "-"])
    assert (root / ".reljournal/feed.ics").read_bytes() == full.stdout_bytes and b"Chair" in full.stdout_bytes

"""The SQLite index: incremental by stat diff, one transaction per sync, rebuilt by itself when stale."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from conftest import write_note
from hypothesis import given
from hypothesis import strategies as st

from reljournal.app import Journal
from reljournal.index.schema import SCHEMA_VERSION
from reljournal.index.store import Index
from reljournal.index.walked import Walk
from reljournal.queries import people
from reljournal.vault import FileStat

PERSON = "---\ntype: person\ncadence: 30d\n---\n"


def journal(vault: Path) -> Journal:
    return Journal.open(vault, "2026-03-15")


def counts(stats) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    return len(stats.added), len(stats.changed), len(stats.removed)


def test_add_change_remove_counts(empty_vault: Path) -> None:
    j = journal(empty_vault)
    write_note(empty_vault, "people/A.md", PERSON, mtime=1_000_000)
    write_note(empty_vault, "people/B.md", PERSON, mtime=1_000_000)
    assert counts(j.sync()) == (2, 0, 0)
    assert counts(j.sync()) == (0, 0, 0)
    write_note(empty_vault, "people/A.md", PERSON + "Body\n", mtime=2_000_000)
    (empty_vault / "people/B.md").unlink()
    write_note(empty_vault, "people/C.md", PERSON)
    assert counts(j.sync()) == (1, 1, 1)
    assert [p.title for p in j.view(sync=False).people] == ["A", "C"]


def test_only_changed_files_are_read(empty_vault: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    j = journal(empty_vault)
    for name in "ABCDE":
        write_note(empty_vault, f"people/{name}.md", PERSON, mtime=1_000_000)
    j.sync()
    read: list[str] = []
    import reljournal.index.sync as sync

    original = sync.read_and_parse
    monkeypatch.setattr(sync, "read_and_parse", lambda s, rel: read.append(rel) or original(s, rel))
    write_note(empty_vault, "people/C.md", PERSON + "changed\n", mtime=3_000_000)
    j.sync()
    assert read == ["people/C.md"]


def test_a_touch_without_a_change_is_not_a_change(empty_vault: Path) -> None:
    j = journal(empty_vault)
    path = write_note(empty_vault, "people/A.md", PERSON, mtime=1_000_000)
    j.sync()
    os.utime(path, (5_000_000, 5_000_000))
    assert counts(j.sync()) == (0, 0, 0)


def test_broken_note_keeps_its_last_good_version(empty_vault: Path) -> None:
    j = journal(empty_vault)
    write_note(empty_vault, "people/A.md", "---\ntype: person\nrole: CFO\n---\n", mtime=1_000_000)
    j.sync()
    write_note(empty_vault, "people/A.md", "---\ntype: person\nrole: CFO: oops\n---\n", mtime=2_000_000)
    j.sync()
    view = j.view(sync=False)
    assert [p.role for p in view.people] == ["CFO"]
    assert [(p.source.line, p.code) for p in view.problems] == [(3, "yaml")]
    write_note(empty_vault, "people/A.md", "---\ntype: person\nrole: CEO\n---\n", mtime=3_000_000)
    j.sync()
    view = j.view(sync=False)
    assert [p.role for p in view.people] == ["CEO"] and view.problems == ()


def test_a_note_broken_from_the_start_is_only_a_link_target(empty_vault: Path) -> None:
    j = journal(empty_vault)
    write_note(empty_vault, "people/A.md", "---\ntype: person\nrole: a: b\n---\n")
    view = j.view()
    assert view.people == [] and [t.title for t in view.targets] == ["A"]


def test_schema_version_mismatch_rebuilds_by_itself(good_vault: Path) -> None:
    j = journal(good_vault)
    j.sync()
    j.close()
    db = sqlite3.connect(good_vault / ".reljournal/index.sqlite")
    db.execute("PRAGMA user_version = 999")
    db.execute("DROP TABLE people")
    db.commit()
    db.close()
    j = journal(good_vault)
    stats = j.sync()
    assert stats.rebuilt and len(stats.added) == 13
    assert sqlite3.connect(good_vault / ".reljournal/index.sqlite").execute("PRAGMA user_version").fetchone()[0] \
        == SCHEMA_VERSION


def test_a_new_index_has_16_kib_pages_and_an_older_one_is_used_as_it_is(good_vault: Path) -> None:
    j = journal(good_vault)
    j.sync()
    assert j.index.db.execute("PRAGMA page_size").fetchone()[0] == 16384
    expected = [r.due_json() for r in people(j.view())]
    j.close()
    # An index written before pages were 16 KiB: 4 KiB pages, the same tables.
    old = sqlite3.connect(good_vault / ".reljournal/index.sqlite", isolation_level=None)
    old.execute("PRAGMA journal_mode = DELETE")  # a page size changes by VACUUM, and not in WAL mode
    old.execute("PRAGMA page_size = 4096")
    old.execute("VACUUM")
    old.execute("PRAGMA journal_mode = WAL")
    old.close()
    j = journal(good_vault)
    assert counts(j.sync()) == (0, 0, 0) and not j.sync().rebuilt
    assert j.index.db.execute("PRAGMA page_size").fetchone()[0] == 4096  # no silent rewrite of a 250 MB file
    assert [r.due_json() for r in people(j.view())] == expected
    write_note(good_vault, "people/New.md", PERSON)
    assert counts(j.sync()) == (1, 0, 0)


def test_settings_change_rebuilds(good_vault: Path) -> None:
    journal(good_vault).sync()
    settings = good_vault / ".reljournal.toml"
    settings.write_text(settings.read_text() + "\n# a comment\n")
    assert journal(good_vault).sync().rebuilt


def test_deleting_the_state_folder_loses_nothing(good_vault: Path) -> None:
    import shutil

    before = [r.due_json() for r in people(journal(good_vault).view())]
    shutil.rmtree(good_vault / ".reljournal")
    after = [r.due_json() for r in people(journal(good_vault).view())]
    assert before == after and len(after) == 8


def test_wal_mode_and_one_transaction_per_sync(good_vault: Path) -> None:
    j = journal(good_vault)
    j.sync()
    assert j.index.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    # A reader that opened before a sync sees the old state until the sync commits as a whole.
    reader = sqlite3.connect(good_vault / ".reljournal/index.sqlite")
    reader.execute("BEGIN")
    before = reader.execute("SELECT count(*) FROM notes").fetchone()[0]
    write_note(good_vault, "people/New One.md", PERSON)
    j.sync()
    assert reader.execute("SELECT count(*) FROM notes").fetchone()[0] == before
    reader.execute("COMMIT")
    assert reader.execute("SELECT count(*) FROM notes").fetchone()[0] == before + 1


def _many_people(vault: Path, n: int) -> None:
    for i in range(n):
        write_note(vault, f"people/Person {i:04d}.md", PERSON, mtime=1_000_000)


def test_a_cold_index_is_written_through_a_rollback_journal_and_left_in_wal_mode(empty_vault: Path,
                                                                                  monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Filling an empty index writes each page once (no WAL and checkpoint): the journal mode seen while it
    writes is "delete", and afterwards the index is back in WAL mode with no journal left behind."""
    from reljournal.index import store

    _many_people(empty_vault, 250)  # above BATCH_MIN: the large-sync path
    modes: list[str] = []
    put_batch = store.Index.put_batch

    def spying(self, batch, *, fresh=False):  # type: ignore[no-untyped-def]
        modes.append(self.db.execute("PRAGMA journal_mode").fetchone()[0])
        return put_batch(self, batch, fresh=fresh)

    monkeypatch.setattr(store.Index, "put_batch", spying)
    j = journal(empty_vault)
    assert counts(j.sync()) == (250, 0, 0)
    assert modes and set(modes) == {"delete"}
    assert j.index.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert not (empty_vault / ".reljournal/index.sqlite-journal").exists()
    fresh = Journal.open(empty_vault, "2026-03-15")  # another process's view of it
    assert fresh.index.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert len(people(fresh.view())) == 250


def test_a_command_started_during_a_first_index_waits_for_it_instead_of_failing(empty_vault: Path,
                                                                                 monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """While a first index is written through a rollback journal, another process's connection cannot set
    the WAL ("database is locked" at once): it must open all the same and wait for the writer."""
    import threading

    from reljournal.index import store

    _many_people(empty_vault, 250)
    inside, results = threading.Event(), []
    put_batch = store.Index.put_batch

    def slow(self, batch, *, fresh=False):  # type: ignore[no-untyped-def]
        inside.set()
        import time
        time.sleep(0.3)
        return put_batch(self, batch, fresh=fresh)

    monkeypatch.setattr(store.Index, "put_batch", slow)

    def other_command() -> None:
        assert inside.wait(10)
        try:
            results.append(len(people(journal(empty_vault).view())))
        except Exception as exc:  # noqa: BLE001  (the failure this test is about)
            results.append(exc)

    other = threading.Thread(target=other_command)
    other.start()
    try:
        assert counts(journal(empty_vault).sync()) == (250, 0, 0)
    finally:
        other.join(30)
    assert results == [250]


def test_a_rebuild_while_another_connection_reads_keeps_the_wal(empty_vault: Path) -> None:
    """SQLite will not leave WAL mode while another connection has the index open: the rebuild then writes
    through the WAL as before, and the reader is never blocked nor shown half a rebuild."""
    _many_people(empty_vault, 250)
    journal(empty_vault).sync()
    reader = sqlite3.connect(empty_vault / ".reljournal/index.sqlite")
    try:
        reader.execute("BEGIN")
        assert reader.execute("SELECT count(*) FROM notes").fetchone()[0] == 250
        j = journal(empty_vault)
        stats = j.sync(rebuild=True)
        assert stats.rebuilt and counts(stats) == (250, 0, 0)
        assert reader.execute("SELECT count(*) FROM notes").fetchone()[0] == 250
        reader.execute("COMMIT")
        assert j.index.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        reader.close()


def test_a_failed_sync_leaves_the_old_index(good_vault: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    j = journal(good_vault)
    j.sync()
    write_note(good_vault, "people/New One.md", PERSON)
    write_note(good_vault, "people/Zed.md", PERSON)
    import reljournal.index.sync as sync

    original = sync.read_and_parse

    def explode(s, rel):  # type: ignore[no-untyped-def]
        if rel.endswith("Zed.md"):
            raise KeyboardInterrupt
        return original(s, rel)

    monkeypatch.setattr(sync, "read_and_parse", explode)
    try:
        j.sync()
    except KeyboardInterrupt:
        pass
    monkeypatch.undo()
    assert "people/New One.md" not in {t.path for t in Index(good_vault / ".reljournal/index.sqlite").targets()}


def test_ignored_folders_links_and_symlinks(ignored_vault: Path) -> None:
    view = journal(ignored_vault).view()
    assert [t.path for t in view.targets] == ["people/Kept.md"]


def test_links_to_ignored_notes_resolve_to_nothing(ignored_vault: Path) -> None:
    write_note(ignored_vault, "interactions/i.md", '---\ndate: 2026-03-01\nwith: ["[[Old]]", "[[Kept]]"]\n---\n')
    view = journal(ignored_vault).view()
    assert [p.title for p in view.participants["interactions/i.md"]] == ["Kept"]


def test_name_resolution_prefers_title_then_kind_then_shortest_path(empty_vault: Path) -> None:
    write_note(empty_vault, "people/Sam.md", "---\ntype: person\n---\n")
    write_note(empty_vault, "people/deep/down/Sam.md", "---\ntype: person\n---\n")
    write_note(empty_vault, "people/Samuel Long.md", "---\ntype: person\naliases: [Sam]\n---\n")
    write_note(empty_vault, "orgs/Acme.md", "---\ntype: org\n---\n")
    write_note(empty_vault, "people/Acme.md", "---\ntype: person\n---\n")
    write_note(empty_vault, "interactions/i.md",
               '---\ndate: 2026-03-01\nwith: ["[[sam]]", "[[Acme]]", "[[deep/down/Sam]]"]\n---\n')
    view = journal(empty_vault).view()
    assert [p.path for p in view.participants["interactions/i.md"]] == [
        "people/Sam.md", "people/Acme.md", "people/deep/down/Sam.md"]


def test_a_same_size_edit_in_the_same_clock_tick_is_not_missed(empty_vault: Path) -> None:
    """Racily clean files: the stored stat cannot tell two writes in one mtime tick apart; the hash can."""
    j = journal(empty_vault)
    path = write_note(empty_vault, "people/A.md", "---\ntype: person\nrole: CFO\n---\n")
    tick = path.stat().st_mtime_ns
    j.sync()
    path.write_text("---\ntype: person\nrole: CEO\n---\n", encoding="utf-8")
    os.utime(path, ns=(tick, tick))  # same size, same mtime: only the content changed
    assert counts(j.sync()) == (0, 1, 0)
    assert [p.role for p in j.view(sync=False).people] == ["CEO"]
    assert counts(j.sync()) == (0, 0, 0)  # read again at most, never counted again


def test_a_no_op_sync_reads_nothing_and_writes_nothing(empty_vault: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The whole walk equals the one the last full sync stored: no stat comparison, no transaction."""
    j = journal(empty_vault)
    for name in "ABC":
        write_note(empty_vault, f"people/{name}.md", PERSON, mtime=1_000_000)
    j.sync()
    import reljournal.index.sync as sync

    monkeypatch.setattr(j.index, "transaction", lambda: (_ for _ in ()).throw(AssertionError("a write")))
    monkeypatch.setattr(sync, "read_and_parse", lambda s, rel: (_ for _ in ()).throw(AssertionError(rel)))
    assert counts(j.sync()) == (0, 0, 0)


def test_a_full_sync_after_an_edit_reads_the_stored_stats_of_that_file_only(empty_vault: Path,
                                                                            monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The stored walk says what changed: no file's row but the edited one's is read, and none is read twice."""
    from reljournal.index import store

    for i in range(300):
        write_note(empty_vault, f"people/P{i:03d}.md", PERSON, mtime=1_000_000)
    j = journal(empty_vault)
    j.sync()
    path = write_note(empty_vault, "people/P007.md", "---\ntype: person\nrole: CFO\n---\n", mtime=3_000_000)
    gone = empty_vault / "people/P008.md"
    gone.unlink()
    write_note(empty_vault, "people/New.md", PERSON, mtime=3_000_000)
    asked: list[object] = []
    file_stats = store.Index.file_stats
    monkeypatch.setattr(store.Index, "files_walk", lambda self: (_ for _ in ()).throw(AssertionError("all")))
    monkeypatch.setattr(store.Index, "file_stats",
                        lambda self, under=None: asked.append(sorted(under or ["<all>"])) or file_stats(self, under))
    stats = j.sync()
    assert (stats.changed, stats.added, stats.removed) == (["people/P007.md"], ["people/New.md"], ["people/P008.md"])
    assert asked == [["people/New.md", "people/P007.md"]]
    assert path.exists() and [p.role for p in j.view(sync=False).people if p.path == "people/P007.md"] == ["CFO"]


WALKS = st.dictionaries(st.sampled_from([f"n/{c}.md" for c in "abcdefgh"]),
                        st.tuples(st.integers(0, 3), st.integers(0, 3)), max_size=8)


@given(WALKS, WALKS)
def test_the_changes_between_two_walks_are_those_of_their_stats_as_sets(before: dict, after: dict) -> None:  # type: ignore[type-arg]
    """`Walk.changes_since` (in place when the paths are the same, by sets otherwise) against the plain
    definition: a path changed when its (mtime, size) is new, gone when it is no longer there."""
    def walk_of(stats: dict) -> Walk:  # type: ignore[type-arg]
        found = Walk.of([FileStat(p, m, s) for p, (m, s) in sorted(stats.items())])
        assert found is not None
        return found

    old, new = walk_of(before), walk_of(after)
    changed, gone = new.changes_since(old)
    assert changed == {p for p, stat in after.items() if before.get(p) != stat}
    assert gone == sorted(set(before) - set(after))
    assert Walk.from_row(new.to_row()) == new
    assert (changed, gone) == (set(), []) or new != old


def test_a_file_put_back_after_a_watcher_sync_is_read_again(empty_vault: Path) -> None:
    """A watcher's sync of one file moves the index on from the last full walk; a full sync that then finds
    the vault as that walk saw it (the old bytes and mtime put back) must not trust the stored walk."""
    j = journal(empty_vault)
    path = write_note(empty_vault, "people/A.md", "---\ntype: person\nrole: CFO\n---\n", mtime=1_000_000)
    j.sync()
    path.write_text("---\ntype: person\nrole: CEO\n---\n", encoding="utf-8")
    os.utime(path, ns=(2_000_000, 2_000_000))
    assert counts(j.sync(paths=["people/A.md"])) == (0, 1, 0)
    path.write_text("---\ntype: person\nrole: CFO\n---\n", encoding="utf-8")
    os.utime(path, ns=(1_000_000, 1_000_000))  # exactly as the full sync saw it
    assert counts(j.sync()) == (0, 1, 0)
    assert [p.role for p in j.view(sync=False).people] == ["CFO"]


def test_records_read_in_ranges_of_ids_are_the_records_read_at_once(good_vault: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from reljournal.index import store

    j = journal(good_vault)
    j.sync()
    whole = j.index.load()
    monkeypatch.setattr(store, "LOAD_CHUNK", 2)
    assert j.index.load() == whole and len(whole.records) > 4
    assert j.index.load(kinds=("person",)).records == tuple(r for r in whole.records if r.kind == "person")
    every_path = [r.path for r in whole.records]  # by path too: a few ids at a time (the agenda reads 100,000)
    assert j.index.load(paths=every_path).records == whole.records


def test_a_link_to_a_name_no_person_has_resolves_by_name(empty_vault: Path) -> None:
    """Links are resolved among the notes of the link's name, fetched when asked: a task linking an
    interaction note, and `find`'s suggestions, still see every note."""
    write_note(empty_vault, "people/Ann.md", "---\ntype: person\n---\n- [ ] see [[Kickoff]] 📅 2026-03-20\n")
    write_note(empty_vault, "interactions/Kickoff.md", '---\ndate: 2026-03-01\nwith: ["[[Ann]]"]\n---\n')
    view = journal(empty_vault).view()
    link = view.people[0].tasks[0].links[0]
    found = view.record_of(link)
    assert found is not None and found.path == "interactions/Kickoff.md"
    assert [t.path for t in view.targets] == ["interactions/Kickoff.md", "people/Ann.md"]


def test_a_command_with_nothing_to_read_imports_no_parser(good_vault: Path) -> None:
    """Start-up is part of every command's time: with the index current, `due` needs neither the parser
    (PyYAML) nor worker processes nor gitignore matching (0.14 s of imports at every start)."""
    import subprocess
    import sys

    assert journal(good_vault).sync() is not None  # the index is current
    script = ("import sys\nfrom reljournal.cli import main\n"
              f"sys.argv = ['reljournal', '--vault', {str(good_vault)!r}, '--today', '2026-03-15', 'due', '--json']\n"
              "try:\n    main()\nexcept SystemExit:\n    pass\n"
              "print('loaded:', sorted(m for m in ('yaml', 'reljournal.parse', 'multiprocessing', 'pathspec', "
              "'tempfile') if m in sys.modules), file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert '"name"' in done.stdout
    assert "loaded: []" in done.stderr


def test_a_sync_committed_by_another_process_meanwhile_is_not_missed(empty_vault: Path) -> None:
    """The stored walk is read again inside the sync's transaction (the no-op check read it before): when
    another process commits a sync in between, comparing with the older walk would miss a file that process
    saw in another state
    (here: edited with an old mtime, synced by the other process, then put back as it was before this sync
    writes)."""
    note = write_note(empty_vault, "people/Ann.md", PERSON + "first\n")
    first = note.stat()
    journal(empty_vault).sync()
    os.utime(note, ns=(first.st_atime_ns - 10**10, first.st_mtime_ns - 10**10))  # long before: not racily clean
    journal(empty_vault).sync()
    before = note.stat()
    write_note(empty_vault, "people/Bob.md", PERSON)  # something for this sync to do
    mine, other = journal(empty_vault), journal(empty_vault)
    opened = mine.index.transaction

    def other_process_syncs_first():  # type: ignore[no-untyped-def]
        note.write_text(PERSON + "second, longer\n", encoding="utf-8")
        os.utime(note, ns=(before.st_atime_ns - 10**10, before.st_mtime_ns - 10**10))  # not racily clean either
        assert counts(other.sync()) == (1, 1, 0)
        note.write_text(PERSON + "first\n", encoding="utf-8")
        os.utime(note, ns=(before.st_atime_ns, before.st_mtime_ns))
        return opened()

    mine.index.transaction = other_process_syncs_first  # type: ignore[method-assign]
    assert counts(mine.sync()) == (0, 1, 0)  # Bob is the other process's; Ann is read again
    assert "first" in Index(empty_vault / ".reljournal/index.sqlite").body("people/Ann.md")

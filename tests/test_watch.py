"""`watch` with a real observer on a temporary vault (SPEC 5).

Every wait is a bounded polling loop; every watcher is stopped in a `finally` (the `watching` context
manager). No test sleeps for mtimes: what changes is the bytes, and the watcher sees the events.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from unittest import mock

import pytest
from click.testing import CliRunner
from conftest import TODAY, posix, signal_burst, wait_for, write_note
from watchdog.events import DirMovedEvent, FileClosedEvent, FileCreatedEvent, FileModifiedEvent, FileMovedEvent

from reljournal import live, livefeed
from reljournal import watch as watch_module
from reljournal.app import Journal
from reljournal.cli import cli
from reljournal.config import Settings, load_settings
from reljournal.errors import UserError
from reljournal.index.store import Index
from reljournal.vault import ignore_spec
from reljournal.watch import Watcher, classify, polling_interval

TIMEOUT = 15.0
pytestmark = pytest.mark.filterwarnings("ignore:Callback with id")  # watchdog, on a folder moved back in
SETTINGS = '[vault]\ntimezone = "Europe/London"\n'


def person(cadence: str = "30d", role: str | None = None) -> str:
    return "---\ntype: person\ncadence: " + cadence + ("\nrole: " + role if role else "") + "\n---\nNotes.\n"


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    root = tmp_path / "vault"
    write_note(root, ".reljournal.toml", SETTINGS)
    write_note(root, "people/Ann.md", person(role="CFO"))
    write_note(root, "people/team/Cy.md", person())
    return root


class Lines:
    """Collects what the watcher prints: stdout lines and stderr lines apart."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.err: list[str] = []

    def __call__(self, text: str, err: bool) -> None:
        (self.err if err else self.out).append(text)


@contextmanager
def watching(vault: Path, **kwargs: object) -> Iterator[tuple[Watcher, Lines]]:
    lines = Lines()
    journal = Journal.open(vault, TODAY)
    watcher = Watcher(journal, fixed_today=True, echo=lines, **kwargs)  # type: ignore[arg-type]
    try:
        watcher.start()
        yield watcher, lines
    finally:
        watcher.stop()
        journal.close()


def summaries(vault: Path) -> list[str]:
    """The SUMMARY of every event in the vault's feed (unfolded)."""
    try:
        text = (vault / ".reljournal" / "feed.ics").read_bytes().decode()
    except FileNotFoundError:
        return []
    text = text.replace("\r\n ", "")
    return sorted(line[len("SUMMARY:"):] for line in text.splitlines() if line.startswith("SUMMARY:"))


def indexed(vault: Path) -> list[str]:
    journal = Journal.open(vault, TODAY)
    try:
        return sorted(r.path for r in journal.index.load().records)
    finally:
        journal.close()


def save(path: Path, text: str) -> None:
    """Save as editors do: a temporary file renamed over the note (no half-written state is ever seen)."""
    tmp = path.with_name(f".{path.name}.swp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def feed_becomes(vault: Path, expected: list[str]) -> None:
    wait_for(lambda: summaries(vault) == sorted(expected), f"feed {expected}, have {summaries(vault)}")


# ---- saves, deletes, moves --------------------------------------------------------------------------
def test_start_indexes_and_writes_the_feed(vault: Path) -> None:
    with watching(vault) as (watcher, lines):
        assert summaries(vault) == ["Reach out: Ann (CFO)", "Reach out: Cy"]
        assert lines.out[0] == f"watching {vault.resolve()} (events); feed: {vault.resolve()}/.reljournal/feed.ics"
        assert lines.out[1].startswith("start: +2 ~0 -0, feed written, ")
        assert watcher.mode == "events"


def test_atomic_rename_save_counts(vault: Path) -> None:
    """vim / VS Code / Obsidian: write a temporary (dot, or non-.md) file, then rename it over the note."""
    with watching(vault) as (watcher, lines):
        tmp = vault / "people" / ".Bo.md.tmp-1234"
        tmp.write_text(person("10d"), encoding="utf-8")
        os.replace(tmp, vault / "people" / "Bo.md")
        feed_becomes(vault, ["Reach out: Ann (CFO)", "Reach out: Bo", "Reach out: Cy"])
        # an atomic save over an existing note, through a swap file that is not a note
        swap = vault / "people" / "Ann.md.swp"
        swap.write_text(person(role="CEO"), encoding="utf-8")
        os.replace(swap, vault / "people" / "Ann.md")
        feed_becomes(vault, ["Reach out: Ann (CEO)", "Reach out: Bo", "Reach out: Cy"])
        # each update says so after writing the feed: wait for the line, not only for the file
        wait_for(lambda: any(line.startswith("+0 ~1 -0, feed written, ") for line in lines.out), "the line")
        assert "+1 ~0 -0, feed written" in "\n".join(lines.out)


def test_in_place_save(vault: Path) -> None:
    with watching(vault):
        with open(vault / "people" / "Ann.md", "w", encoding="utf-8") as f:
            f.write(person(role="CTO"))
        feed_becomes(vault, ["Reach out: Ann (CTO)", "Reach out: Cy"])


def test_delete(vault: Path) -> None:
    with watching(vault):
        (vault / "people" / "Ann.md").unlink()
        feed_becomes(vault, ["Reach out: Cy"])
        assert indexed(vault) == ["people/team/Cy.md"]


def test_move_of_a_note(vault: Path) -> None:
    with watching(vault):
        os.rename(vault / "people" / "Ann.md", vault / "people" / "Ann Lee.md")
        feed_becomes(vault, ["Reach out: Ann Lee (CFO)", "Reach out: Cy"])
        assert indexed(vault) == ["people/Ann Lee.md", "people/team/Cy.md"]
        # renamed to a backup name (not a note): it goes
        os.rename(vault / "people" / "Ann Lee.md", vault / "people" / "Ann Lee.md~")
        feed_becomes(vault, ["Reach out: Cy"])


def test_move_of_a_folder_inside_and_out_of_the_vault(vault: Path, tmp_path: Path) -> None:
    write_note(vault, "people/team/Dee.md", person())
    with watching(vault):
        os.rename(vault / "people" / "team", vault / "people" / "staff")
        wait_for(lambda: indexed(vault) == ["people/Ann.md", "people/staff/Cy.md", "people/staff/Dee.md"],
                 "the moved folder's notes")
        assert summaries(vault) == ["Reach out: Ann (CFO)", "Reach out: Cy", "Reach out: Dee"]
        # a folder moved out of the vault: its notes must go
        os.rename(vault / "people" / "staff", tmp_path / "elsewhere")
        feed_becomes(vault, ["Reach out: Ann (CFO)"])
        assert indexed(vault) == ["people/Ann.md"]
        # and moved back in (a folder created with notes already inside)
        os.rename(tmp_path / "elsewhere", vault / "people" / "back")
        feed_becomes(vault, ["Reach out: Ann (CFO)", "Reach out: Cy", "Reach out: Dee"])
        # a deleted folder
        shutil.rmtree(vault / "people" / "back")
        feed_becomes(vault, ["Reach out: Ann (CFO)"])


def test_300_files_at_once_are_one_update_or_few(vault: Path) -> None:
    with watching(vault) as (watcher, lines):
        before = watcher.updates
        for i in range(300):
            write_note(vault, f"people/bulk/P{i:03d}.md", person())
        wait_for(lambda: len(summaries(vault)) == 302, "302 events")
        wait_for(lambda: len(indexed(vault)) == 302, "302 notes")
        # each update logs its line after writing the feed: wait for the lines to add up
        wait_for(lambda: sum(int(line.split()[0][1:]) for line in lines.out[2:] if line.startswith("+")) == 300,
                 "the updates logged")
        assert watcher.updates - before <= 5, lines.out


def test_ignored_files_change_nothing(vault: Path) -> None:
    with watching(vault, verbose=True) as (watcher, lines):
        before, logged = watcher.updates, len(lines.out)
        write_note(vault, "people/notes.txt", "not a note")
        write_note(vault, "people/.hidden.md", person())
        write_note(vault, ".obsidian/workspace.json", "{}")
        write_note(vault, "templates/Person.md", person())
        write_note(vault, "people/Zed.md", person())  # the marker: once it is in, the rest was seen
        feed_becomes(vault, ["Reach out: Ann (CFO)", "Reach out: Cy", "Reach out: Zed"])
        wait_for(lambda: any(line == "  + people/Zed.md" for line in lines.out[logged:]), "the update logged")
        assert indexed(vault) == ["people/Ann.md", "people/Zed.md", "people/team/Cy.md"]
        # one update (two when a loaded machine sees Zed's create and write apart), and only for Zed
        assert watcher.updates - before in (1, 2)
        assert {line.split()[-1] for line in lines.out[logged:] if line.startswith("  ")} == {"people/Zed.md"}


# ---- broken notes, settings, robustness --------------------------------------------------------------
def test_a_broken_note_keeps_its_last_good_version_until_fixed(vault: Path) -> None:
    ann = vault / "people" / "Ann.md"
    with watching(vault) as (watcher, lines):
        save(ann, "---\ntype: person\nrole: [CEO\n---\n")
        wait_for(lambda: any(e.startswith("people/Ann.md:4: error: front matter is not valid YAML") for e in lines.err),
                 "the problem on stderr")
        assert summaries(vault) == ["Reach out: Ann (CFO)", "Reach out: Cy"]  # no flicker
        reported = [e for e in lines.err if e.startswith("people/Ann.md:")]
        assert len(reported) == 1  # once per change
        save(ann, person(role="CEO"))
        feed_becomes(vault, ["Reach out: Ann (CEO)", "Reach out: Cy"])
        assert [e for e in lines.err if e.startswith("people/Ann.md:")] == reported
        wait_for(lambda: watcher.updates >= 3, "the update counted")  # the feed is written just before


def test_settings_in_error_keep_the_old_ones(vault: Path) -> None:
    settings = vault / ".reljournal.toml"
    with watching(vault) as (watcher, lines):
        settings.write_text(SETTINGS + "[feed]\ndetail = \"lots\"\n", encoding="utf-8")
        wait_for(lambda: any("keeping the previous settings" in e for e in lines.err), "the settings error")
        assert any(e.startswith(".reljournal.toml:4: error: [feed] detail") for e in lines.err)
        write_note(vault, "people/Bo.md", person())  # the watcher goes on with the old settings
        feed_becomes(vault, ["Reach out: Ann (CFO)", "Reach out: Bo", "Reach out: Cy"])
        settings.write_text(SETTINGS + '[folders]\nignore = ["people/team/**"]\n', encoding="utf-8")
        feed_becomes(vault, ["Reach out: Ann (CFO)", "Reach out: Bo"])
        wait_for(lambda: any(line.startswith("settings: ") for line in lines.out), "the settings update's line")
        assert watcher.settings.ignore == ("people/team/**",)


def test_an_exception_in_the_handler_does_not_kill_the_observer(vault: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    real = watch_module.classify
    calls = {"n": 0}

    def flaky(*args: object, **kwargs: object) -> watch_module.Change:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("boom")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    with watching(vault) as (watcher, lines):
        monkeypatch.setattr(watch_module, "classify", flaky)
        write_note(vault, "people/Bo.md", person())
        wait_for(lambda: calls["n"] > 0, "an event")
        write_note(vault, "people/Eve.md", person())
        wait_for(lambda: "Reach out: Eve" in summaries(vault), "Eve in the feed")
        assert any("boom" in e and "the watcher goes on" in e for e in lines.err)
        assert watcher._observer is not None and watcher._observer.is_alive()


def test_an_exception_in_an_update_is_reported_and_survived(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = watch_module.reindex
    calls = {"n": 0}

    def flaky(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 1:
            raise OSError("disk on fire")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    with watching(vault) as (watcher, lines):
        monkeypatch.setattr(watch_module, "reindex", flaky)
        write_note(vault, "people/Bo.md", person())
        wait_for(lambda: any("disk on fire" in e for e in lines.err), "the error")
        write_note(vault, "people/Eve.md", person())
        feed_becomes(vault, ["Reach out: Ann (CFO)", "Reach out: Bo", "Reach out: Eve", "Reach out: Cy"])


def test_midnight_rewrites_the_feed(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without --today the date follows the clock in the vault's zone; the feed moves with it."""
    write_note(vault, "people/Bo.md", "---\ntype: person\nnext: 2026-03-16\n---\n")
    now = {"date": dt.date(2026, 3, 10)}
    monkeypatch.setattr(Settings, "today", lambda self: now["date"])
    monkeypatch.setattr(watch_module, "TICK", 0.05)
    lines = Lines()
    journal = Journal.open(vault, None)
    watcher = Watcher(journal, echo=lines)
    feed = vault / ".reljournal" / "feed.ics"
    try:
        watcher.start()
        assert b"DTSTAMP:20260310" in feed.read_bytes()
        now["date"] = dt.date(2026, 3, 11)
        # The watcher writes the feed, then says so: wait for what it says (waiting for the file and then
        # reading the lines raced with the second step, and failed about once in two full runs).
        wait_for(lambda: any(line.startswith("midnight: ") for line in lines.out), "the midnight update")
        assert any(line.startswith("midnight: +0 ~0 -0, feed written") for line in lines.out), lines.out
        assert b"DTSTAMP:20260311" in feed.read_bytes()
    finally:
        watcher.stop()
        journal.close()


def test_with_a_fixed_today_midnight_changes_nothing(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Settings, "today", lambda self: dt.date(2030, 1, 1))
    monkeypatch.setattr(watch_module, "TICK", 0.05)
    with watching(vault) as (watcher, lines):
        time.sleep(0.3)  # several ticks: none may move the date (nothing to wait for)
        assert watcher.journal.today.isoformat() == TODAY
        assert not any(line.startswith("midnight") for line in lines.out)


# ---- one watcher per vault; the live index -----------------------------------------------------------
def test_a_second_watcher_is_refused(vault: Path) -> None:
    with watching(vault):
        second = Watcher(Journal.open(vault, TODAY), fixed_today=True, echo=Lines())
        with pytest.raises(UserError) as caught:
            second.start()
        assert caught.value.exit_code == 1
        assert "already watching" in caught.value.message
        result = CliRunner().invoke(cli, ["--vault", str(vault), "--today", TODAY, "watch"])
        assert result.exit_code == 1
        assert f"(pid {os.getpid()}) is already watching" in result.output
    # once stopped, the vault can be watched again
    with watching(vault) as (watcher, _):
        assert watcher.mode == "events"


def test_the_live_index_skips_the_scan_and_still_sees_a_save(vault: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import reljournal.app as app

    scans: list[object] = []
    real = app.reindex

    def counting(*args: object, **kwargs: object) -> object:
        scans.append(kwargs.get("paths"))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(app, "reindex", counting)
    with watching(vault):
        settings = load_settings(vault.resolve())[0]
        assert live.live_mode(settings) == "events"
        for i in range(5):
            write_note(vault, f"people/New{i}.md", person())
            # no wait: the handshake makes the command see the save just made
            journal = Journal.open(vault, TODAY)
            names = sorted(p.title for p in journal.view().people)
            journal.close()
            assert f"New{i}" in names
        assert scans == []  # the watcher did the work; no command scanned
        assert not list((vault / ".reljournal").glob("cookie-*"))
        result = CliRunner().invoke(cli, ["--vault", str(vault), "--today", TODAY, "due", "--json"])
        assert result.exit_code == 0 and "New4" in result.output
        assert scans == []
    # stopped: no live mark, commands scan again
    assert not (vault / ".reljournal" / "live.json").exists()
    journal = Journal.open(vault, TODAY)
    journal.sync()
    journal.close()
    assert scans == [None]


def test_a_dead_watchers_mark_is_not_trusted(vault: Path) -> None:
    """A live.json left behind by a killed watcher means nothing without the lock."""
    settings = load_settings(vault.resolve())[0]
    settings.state_dir.mkdir(exist_ok=True)
    live.mark_live(settings, "events")
    (settings.state_dir / "watch.lock").write_text("99999\n")
    assert live.live_mode(settings) is None
    write_note(vault, "people/Bo.md", person())
    journal = Journal.open(vault, TODAY)
    assert journal.sync().added == ["people/Ann.md", "people/Bo.md", "people/team/Cy.md"]
    journal.close()


def test_an_unanswered_handshake_falls_back_to_a_scan(vault: Path) -> None:
    settings = load_settings(vault.resolve())[0]
    lock = live.VaultLock(settings)
    lock.acquire()
    try:
        live.mark_live(settings, "events")  # a watcher that holds the lock but never answers
        started = time.monotonic()
        assert live.index_is_current(settings, timeout=0.2) is False
        assert time.monotonic() - started < 2
        assert not list(settings.state_dir.glob("cookie-*"))
        live.mark_live(settings, "polling")  # a polling watcher: commands scan for themselves
        assert live.index_is_current(settings) is False
    finally:
        lock.release()


# ---- the watch limit ---------------------------------------------------------------------------------
def test_watch_limit_at_start_falls_back_to_polling(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(watch_module, "watch_limit_reached", lambda path: True)
    with watching(vault, poll_interval=0.1) as (watcher, lines):
        assert watcher.mode == "polling"
        assert any("inotify watch limit is reached" in e and "polling every 0.1 s" in e for e in lines.err)
        assert live.live_mode(watcher.settings) == "polling"
        write_note(vault, "people/Bo.md", person())
        feed_becomes(vault, ["Reach out: Ann (CFO)", "Reach out: Bo", "Reach out: Cy"])


def test_watch_limit_reached_later_as_folders_appear(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reached = {"now": False}
    monkeypatch.setattr(watch_module, "watch_limit_reached", lambda path: reached["now"])
    with watching(vault, poll_interval=0.1) as (watcher, lines):
        assert watcher.mode == "events"
        reached["now"] = True
        write_note(vault, "people/new folder/Bo.md", person())
        wait_for(lambda: watcher.mode == "polling", "the fallback")
        feed_becomes(vault, ["Reach out: Ann (CFO)", "Reach out: Bo", "Reach out: Cy"])
        write_note(vault, "people/Eve.md", person())  # seen by polling now
        feed_becomes(vault, ["Reach out: Ann (CFO)", "Reach out: Bo", "Reach out: Cy", "Reach out: Eve"])
        assert any("falling back to polling" in e for e in lines.err)


def test_an_oserror_enospc_from_the_observer_falls_back(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class Full(watch_module.Observer):  # type: ignore[misc,valid-type]
        def start(self) -> None:
            raise OSError(28, "inotify watch limit reached")

    monkeypatch.setattr(watch_module, "Observer", Full)
    with watching(vault, poll_interval=0.1) as (watcher, lines):
        assert watcher.mode == "polling"


def test_polling_interval_grows_with_the_vault() -> None:
    assert polling_interval(10) == 1.0
    assert polling_interval(100_000) == 20.0
    assert polling_interval(10_000_000) == 60.0


# ---- classify ---------------------------------------------------------------------------------------
def test_classify(vault: Path) -> None:
    root = str(vault.resolve())
    settings = load_settings(vault.resolve())[0]
    spec = ignore_spec(settings)

    def paths(event: object, feed: str | None = ".reljournal/feed.ics") -> set[str]:
        return classify(event, root, settings, spec, feed).paths  # type: ignore[arg-type]

    assert paths(FileModifiedEvent(f"{root}/people/Ann.md")) == {"people/Ann.md"}
    assert paths(FileClosedEvent(f"{root}/people/Ann.md")) == {"people/Ann.md"}
    assert paths(FileCreatedEvent(f"{root}/people/.Ann.md.swp")) == set()
    assert paths(FileCreatedEvent(f"{root}/people/Ann.md~")) == set()
    assert paths(FileCreatedEvent(f"{root}/people/4913")) == set()
    assert paths(FileMovedEvent(f"{root}/people/.Ann.md.tmp", f"{root}/people/Ann.md")) == {"people/Ann.md"}
    assert paths(FileMovedEvent(f"{root}/people/Ann.md", f"{root}/people/Ann.md.bak")) == {"people/Ann.md"}
    assert paths(FileModifiedEvent(f"{root}/.reljournal/index.sqlite-wal")) == set()
    assert paths(FileModifiedEvent(f"{root}/templates/Person.md")) == set()
    assert paths(FileModifiedEvent(f"{root}/people/cal.md"), feed="people/cal.md") == set()
    assert paths(DirMovedEvent(f"{root}/people/a", f"{root}/people/b")) == {"people/a", "people/b"}
    assert paths(DirMovedEvent(f"{root}/people/a", f"{root}/.trash/a")) == {"people/a"}
    assert classify(FileModifiedEvent(f"{root}/.reljournal.toml"), root, settings, spec, None).settings
    cookie = classify(FileCreatedEvent(f"{root}/.reljournal/cookie-1-2"), root, settings, spec, None)
    assert cookie.cookies == {"cookie-1-2"} and not cookie.paths
    assert paths(FileModifiedEvent("/elsewhere/people/Ann.md")) == set()


# ---- the command, in a real process ------------------------------------------------------------------
def stopped_watch_command(vault: Path, stop: Callable[[subprocess.Popen[bytes]], object],
                          between: Callable[[], object] = lambda: None) -> tuple[int, str, str]:
    """`reljournal watch` in its own process, started (its live mark written; the vault's lock free for it),
    `between()` done, then `stop(proc)`: its exit code and its output, the mark gone (a clean stop)."""
    mark = vault / ".reljournal" / "live.json"
    proc = subprocess.Popen([sys.executable, "-m", "reljournal", "--vault", str(vault), "--today", TODAY, "watch"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "NO_COLOR": "1"})
    try:
        wait_for(lambda: mark.exists() or proc.poll() is not None, "the watcher to start")
        assert proc.poll() is None
        between()
        stop(proc)
        out, err = proc.communicate(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert not mark.exists()
    return proc.returncode, out.decode(), err.decode()


@posix
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_the_command_exits_0_on_a_signal(vault: Path, signum: int) -> None:
    def edit() -> None:
        write_note(vault, "people/Bo.md", person())
        feed_becomes(vault, ["Reach out: Ann (CFO)", "Reach out: Bo", "Reach out: Cy"])

    code, out, err = stopped_watch_command(vault, lambda proc: proc.send_signal(signum), edit)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("watching ") and lines[1].startswith("start: +2 ~0 -0, feed written, ")
    assert any(line.startswith("+1 ~0 -0, feed written, ") for line in lines)


@posix
def test_the_command_stops_cleanly_on_a_burst_of_signals(vault: Path) -> None:
    """Ctrl-C passed on by a wrapper (`timeout`, a process manager) arrives twice: the watcher must still stop,
    save what it keeps and give up its lock. Before the fix, 6 runs in 10 hung for good; three runs here, each
    starting only if the last gave its lock up."""
    def burst(proc: subprocess.Popen[bytes]) -> None:
        assert signal_burst(proc.pid) >= 2

    for _ in range(3):
        code, _, err = stopped_watch_command(vault, burst)
        # exit 0 however long the burst lasted
        assert code == 0, err
        assert err.rstrip().endswith("stopped")


@posix
def test_stop_signals_give_the_handlers_back_unless_a_signal_ended_the_program() -> None:
    from reljournal.stopsignal import StopSignals

    before = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with StopSignals() as quiet:
            quiet.stop.set()
            quiet.wait()  # ended by `stop`, another thread's way
        assert not quiet.requested
        assert {sig: signal.getsignal(sig) for sig in before} == before
        with StopSignals() as asked:
            os.kill(os.getpid(), signal.SIGTERM)
            asked.wait()  # returns: the handler only set the flag
        assert asked.requested
        assert signal.getsignal(signal.SIGINT) == signal.getsignal(signal.SIGTERM) == signal.SIG_IGN
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)


def test_an_index_damaged_while_watching_is_rebuilt_and_the_feed_follows(vault: Path) -> None:
    with watching(vault) as (watcher, lines):
        db = vault / ".reljournal" / "index.sqlite"
        with sqlite3.connect(db) as other:  # every page in the main file, none left in the WAL
            other.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = db.stat().st_size
        with open(db, "r+b") as f:  # bit rot under the running watcher: every page but the schema's
            f.seek(4096)
            f.write(random.Random(3).randbytes(max(size - 4096, 4096)))
        save(vault / "people" / "Ann.md", person(role="CEO"))
        feed_becomes(vault, ["Reach out: Ann (CEO)", "Reach out: Cy"])
        assert (vault / ".reljournal" / "index.sqlite.corrupt").exists()
        assert not [e for e in lines.err if "error while" in e], lines.err


def test_verbose_says_in_words_that_a_command_waited(vault: Path) -> None:
    with watching(vault, verbose=True) as (watcher, lines):
        write_note(vault, "people/Zed.md", person())
        journal = Journal.open(vault, TODAY)  # its handshake waits for the watcher to catch up
        try:
            assert "Zed" in [p.title for p in journal.view().people]
        finally:
            journal.close()
        wait_for(lambda: any("waiting for this update" in line for line in lines.out), "the line")
        said = [line for line in lines.out if "waiting" in line]
        assert said[0] in ("1 command was waiting for this update; it goes on",
                           "2 commands were waiting for this update; they go on")
        assert not any("command(s)" in line for line in lines.out)


def test_a_second_start_begins_from_the_feed_the_first_one_kept(vault: Path) -> None:
    with watching(vault) as (first, _):
        assert first._live_feed is not None and first._live_feed.last_rebuilt > 0  # built
    feed = (vault / ".reljournal" / "feed.ics").read_bytes()
    with watching(vault) as (second, _):
        assert second._live_feed is not None and second._live_feed.last_rebuilt == 0  # restored, nothing built
        assert (vault / ".reljournal" / "feed.ics").read_bytes() == feed
    write_note(vault, "people/Nia New.md", "---\ntype: person\ncadence: 7d\n---\n")
    with watching(vault) as (third, _):  # a note changed while no watcher ran: built again
        assert third._live_feed is not None and third._live_feed.last_rebuilt > 0
        assert "Nia New" in (vault / ".reljournal" / "feed.ics").read_text(encoding="utf-8")


def built_feed(vault: Path) -> bytes:
    """The feed a full build gives (`feed -o -`), to compare the watcher's file with."""
    result = CliRunner().invoke(cli, ["--vault", str(vault), "--today", TODAY, "feed", "-o", "-"])
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


@contextmanager
def reading_nothing_kept() -> Iterator[None]:
    """Fails what reads the kept events back or compares the feed file with them."""
    unread = AssertionError("the kept events read back, or the file compared")
    with mock.patch.object(Index, "live_events", side_effect=unread), \
            mock.patch.object(livefeed, "holds", side_effect=unread):
        yield


def test_a_restart_with_nothing_changed_leaves_the_feed_file_alone_and_still_follows_edits(vault: Path) -> None:
    """The file a clean stop left, untouched since, is the feed: the next start neither reads it against the
    kept events nor writes it (same inode and times), and its first change updates it as usual."""
    feed = vault / ".reljournal" / "feed.ics"
    with watching(vault):
        pass
    before = os.stat(feed)
    with ExitStack() as running:
        with reading_nothing_kept():
            second, _ = running.enter_context(watching(vault))
        assert second._live_feed is not None and second._live_feed.last_rebuilt == 0
        after = os.stat(feed)
        assert (after.st_ino, after.st_mtime_ns, after.st_ctime_ns) == (
            before.st_ino, before.st_mtime_ns, before.st_ctime_ns)
        save(vault / "people" / "Ann.md", person(role="CEO"))
        feed_becomes(vault, ["Reach out: Ann (CEO)", "Reach out: Cy"])
    assert feed.read_bytes() == built_feed(vault)
    with watching(vault) as (third, _):  # kept again at the stop, with the file as the second one left it
        assert third._live_feed is not None and third._live_feed.last_rebuilt == 0
        save(vault / "people" / "team" / "Cy.md", person(role="COO"))
        feed_becomes(vault, ["Reach out: Ann (CEO)", "Reach out: Cy (COO)"])
    assert feed.read_bytes() == built_feed(vault)


@pytest.mark.parametrize("meddle", ["same size, times put back", "deleted", "another file in its place"])
def test_a_feed_file_changed_while_no_watcher_ran_is_put_right_at_the_start(vault: Path, meddle: str) -> None:
    feed = vault / ".reljournal" / "feed.ics"
    with watching(vault):
        pass
    good = feed.read_bytes()
    st = os.stat(feed)
    if meddle == "deleted":
        feed.unlink()
    elif meddle == "same size, times put back":  # only the change time, which no one can set, tells
        with open(feed, "r+b") as f:
            f.write(b"X" * 20)
        os.utime(feed, ns=(st.st_atime_ns, st.st_mtime_ns))
        assert os.stat(feed).st_size == st.st_size and os.stat(feed).st_mtime_ns == st.st_mtime_ns
    else:
        other = feed.with_name("other.ics")
        other.write_bytes(good.replace(b"Ann", b"Bob"))
        os.utime(other, ns=(st.st_atime_ns, st.st_mtime_ns))
        os.replace(other, feed)
    with watching(vault) as (again, _):
        assert again._live_feed is not None and again._live_feed.last_rebuilt == 0  # the kept events, not a build
        assert feed.read_bytes() == good == built_feed(vault)
    with reading_nothing_kept(), watching(vault) as (_, lines):  # the file put right is the one kept now; a
        pass  # stop with nothing changed keeps what was kept
    assert lines.err == []

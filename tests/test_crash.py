"""Crash safety: the index survives being killed mid-sync, a damaged index file rebuilds itself, the feed is
never half-written, and commands run side by side with `watch` never fail.

The kill tests run the real command in its own process group and SIGKILL the whole group (the command and
any worker processes it started) at seeded random moments spread over the command's measured run time,
so that some kills land before the sync, some inside its transaction, some after the commit.
"""

from __future__ import annotations

import importlib.util
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from conftest import VAULTS, posix
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reljournal.app import Journal
from reljournal.atomic import write_atomic

pytestmark = posix  # SIGKILL to a process group: POSIX's

ROOT = Path(__file__).parent.parent
TODAY = "2026-03-15"
PEOPLE = 200  # 200 people + 2,000 interactions + 20 orgs = 2,220 notes
SEED = 20260315
KILLS = 6  # attempts per scenario: bounded, seeded


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location("rj_generate", ROOT / "benchmarks" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _env() -> dict[str, str]:
    env = {**os.environ, "NO_COLOR": "1", "RELJOURNAL_TODAY": TODAY}
    for name in ("RELJOURNAL_VAULT", "RELJOURNAL_TOKEN"):
        env.pop(name, None)
    return env


def rj(vault: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "reljournal", "--vault", str(vault), *args],
                          capture_output=True, text=True, timeout=timeout, env=_env())


def start(vault: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "reljournal", "--vault", str(vault), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(),
                            start_new_session=True)


def kill_group(proc: subprocess.Popen[str]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.communicate(timeout=30)


def index_state(vault: Path) -> tuple[str, list[tuple[Any, ...]]]:
    """(integrity_check, every indexed file with its hash and every note) read straight from SQLite."""
    db = sqlite3.connect(vault / ".reljournal" / "index.sqlite")
    try:
        check = db.execute("PRAGMA integrity_check").fetchone()[0]
        rows = db.execute("SELECT path, hash FROM files ORDER BY path").fetchall()
        rows += db.execute("SELECT path, kind, title FROM notes ORDER BY path").fetchall()
        return check, rows
    finally:
        db.close()


def change_vault(vault: Path, rng: random.Random) -> None:
    """Edits that move the answers of `due`: new contacts, removed interactions, new interactions."""
    people = sorted((vault / "people").glob("*.md"))
    for path in rng.sample(people, 60):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("---\n", f"---\nlast_contact: 2026-03-{rng.randint(1, 14):02d}\n", 1) + "\nmore\n",
                        encoding="utf-8")
    interactions = sorted((vault / "interactions").rglob("*.md"))
    for path in rng.sample(interactions, 300):
        path.unlink()
    for i in range(300):
        person = rng.choice(people).stem
        (vault / "interactions" / f"2026-03-{1 + i % 14:02d} Call {i} with {person}.md").write_text(
            f"---\ntype: interaction\ndate: 2026-03-{1 + i % 14:02d}\nwith: [\"[[{person}]]\"]\nkind: call\n---\n",
            encoding="utf-8")


@pytest.fixture(scope="module")
def vaults(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """An indexed vault (the old state), the same vault after edits, and the fresh answers for it."""
    base = tmp_path_factory.mktemp("crash")
    old = base / "old"
    _generator().generate(old, PEOPLE, seed=SEED)
    done = rj(old, "index")
    assert done.returncode == 0, done.stderr
    new = base / "new"
    shutil.copytree(old, new, ignore=shutil.ignore_patterns(".reljournal"))
    change_vault(new, random.Random(SEED))
    fresh = base / "fresh"  # the changed vault indexed from nothing: what every run must agree with
    shutil.copytree(new, fresh)
    started = time.perf_counter()
    assert rj(fresh, "index").returncode == 0
    seconds = time.perf_counter() - started
    due = rj(fresh, "due", "--json", "--all")
    assert due.returncode == 0, due.stderr
    yield {"base": base, "old": old, "new": new, "seconds": seconds, "due": json.loads(due.stdout),
           "old_state": index_state(old), "new_state": index_state(fresh)}


@pytest.mark.slow  # a SIGKILL soak (`pytest -m slow`, which .ci/run runs too)
@pytest.mark.parametrize("command", [("index",), ("index", "--rebuild")], ids=["index", "rebuild"])
def test_an_index_killed_at_random_points_is_old_or_new_never_broken(vaults: dict[str, Any],
                                                                      command: tuple[str, ...]) -> None:
    rng = random.Random(f"{SEED}-{command}")
    outcomes = []
    for attempt in range(KILLS):
        vault = vaults["base"] / f"kill-{'-'.join(command)}-{attempt}"
        shutil.copytree(vaults["new"], vault)
        shutil.copytree(vaults["old"] / ".reljournal", vault / ".reljournal")  # the index before the edits
        proc = start(vault, *command)
        time.sleep(rng.uniform(0.0, vaults["seconds"] * 1.2))
        kill_group(proc)
        check, rows = index_state(vault)
        assert check == "ok"
        # the index as written for the old vault, or as for the new one (a whole sync), nothing in between
        state = "old" if rows == vaults["old_state"][1] else "new" if rows == vaults["new_state"][1] else "broken"
        assert state != "broken", f"attempt {attempt}: a half-written index"
        outcomes.append(state)
        due = rj(vault, "due", "--json", "--all")
        assert due.returncode == 0, due.stderr
        assert json.loads(due.stdout) == vaults["due"]
        shutil.rmtree(vault)
    print(f"{' '.join(command)}: killed {KILLS} times over {vaults['seconds']:.1f} s: {outcomes}")


DAMAGE = {
    "garbage": lambda db: db.write_bytes(random.Random(1).randbytes(64 * 1024)),
    "truncated": lambda db: os.truncate(db, db.stat().st_size // 2),
    "truncated-at-a-page": lambda db: os.truncate(db, db.stat().st_size // 2 // 4096 * 4096),
    "zero-length": lambda db: os.truncate(db, 0),
    "header-only": lambda db: os.truncate(db, 100),
    "pages-overwritten": lambda db: _overwrite_pages(db),
    "garbage-wal": lambda db: db.with_name(db.name + "-wal").write_bytes(random.Random(2).randbytes(8192)),
}


def _overwrite_pages(db: Path) -> None:
    """Bit rot: every page but the first (the schema's root) overwritten with random bytes."""
    size = db.stat().st_size
    with open(db, "r+b") as f:
        f.seek(4096)
        f.write(random.Random(3).randbytes(size - 4096))


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_index_is_detected_and_rebuilt(tmp_path: Path, damage: str) -> None:
    vault = tmp_path / "good"
    shutil.copytree(VAULTS / "good", vault)
    expected = rj(vault, "due", "--json", "--all")
    people = rj(vault, "people", "--json")
    assert expected.returncode == 0, expected.stderr
    db = vault / ".reljournal" / "index.sqlite"
    DAMAGE[damage](db)
    for _ in range(2):  # the first run rebuilds, the second finds a sound index
        after = rj(vault, "due", "--json", "--all")
        assert after.returncode == 0, after.stderr
        assert after.stdout == expected.stdout
        assert rj(vault, "people", "--json").stdout == people.stdout
    assert index_state(vault)[0] == "ok"


def test_a_damaged_file_is_set_aside_not_lost(tmp_path: Path) -> None:
    vault = tmp_path / "good"
    shutil.copytree(VAULTS / "good", vault)
    journal = Journal.open(vault, TODAY)
    people = [p.title for p in journal.view().people]
    journal.close()
    db = vault / ".reljournal" / "index.sqlite"
    db.write_bytes(b"not a database at all" * 100)
    journal = Journal.open(vault, TODAY)
    assert "not a database" in (journal.index.recovered or "")
    assert (vault / ".reljournal" / "index.sqlite.corrupt").read_bytes() == b"not a database at all" * 100
    assert [p.title for p in journal.view().people] == people and "Jane Doe" in people
    journal.close()


def test_a_locked_index_is_not_mistaken_for_damage(tmp_path: Path) -> None:
    """`database is locked` is an OperationalError: the file must be left alone, not set aside."""
    vault = tmp_path / "good"
    shutil.copytree(VAULTS / "good", vault)
    assert rj(vault, "index").returncode == 0
    (vault / "people" / "New Person.md").write_text("---\nrole: Partner\n---\n")  # a sync that must write
    holder = sqlite3.connect(vault / ".reljournal" / "index.sqlite", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        from reljournal.index import store
        journal = Journal.open(vault, TODAY)
        journal._index = store.Index.__new__(store.Index)  # an index that waits 0.1 s, not 30 s
        journal._index.path = str(vault / ".reljournal" / "index.sqlite")
        journal._index.recovered = None
        journal._index.db = sqlite3.connect(journal._index.path, timeout=0.1, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            journal.sync()
        assert not (vault / ".reljournal" / "index.sqlite.corrupt").exists()
        journal.close()
    finally:
        holder.execute("ROLLBACK")
        holder.close()


# ---- the feed --------------------------------------------------------------------------------------------
_WRITER = """
import sys
from pathlib import Path
from reljournal.atomic import write_atomic

target, n = Path(sys.argv[1]), 0
print("ready", flush=True)
while True:
    n += 1
    body = (f"EVENT {n:08d} " * 40 + "\\n").encode() * 2000  # about 1 MB a version
    write_atomic(target, b"BEGIN:VCALENDAR\\n" + body + f"END:VCALENDAR {n:08d}\\n".encode())
"""


def _whole(data: bytes) -> bool:
    if not data.startswith(b"BEGIN:VCALENDAR\n"):
        return False
    last = data.rstrip(b"\n").rsplit(b"\n", 1)[-1]
    n = last.rsplit(b" ", 1)[-1]
    return last.startswith(b"END:VCALENDAR") and data.count(b"EVENT " + n) == 80_000


def test_a_feed_writer_killed_at_random_points_leaves_a_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "feed.ics"
    write_atomic(target, b"BEGIN:VCALENDAR\n" + (b"EVENT 00000000 " * 40 + b"\n") * 2000 + b"END:VCALENDAR 00000000\n")
    rng = random.Random(SEED)
    for _ in range(KILLS * 2):
        proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(target)], stdout=subprocess.PIPE, text=True,
                                start_new_session=True)
        assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
        time.sleep(rng.uniform(0.0, 0.3))
        proc.kill()
        proc.wait(timeout=30)
        assert _whole(target.read_bytes())
    leftovers = [p.name for p in tmp_path.iterdir() if p != target]
    assert all(name.startswith(".feed.ics.") and name.endswith(".tmp") for name in leftovers)  # hidden, never read


@pytest.mark.slow  # a SIGKILL soak
def test_the_feed_command_killed_at_random_points_keeps_the_old_or_new_feed(vaults: dict[str, Any]) -> None:
    vault = vaults["base"] / "feed-kill"
    shutil.copytree(vaults["new"], vault)
    out = vault.parent / "feed-kill.ics"
    assert rj(vault, "feed", "-o", str(out)).returncode == 0
    expected = out.read_bytes()
    rng = random.Random(SEED + 1)
    for attempt in range(KILLS):
        out.write_bytes(b"OLD FEED\n")
        started = time.perf_counter()
        proc = start(vault, "feed", "-o", str(out))
        time.sleep(rng.uniform(0.0, 2.0))
        kill_group(proc)
        seconds = time.perf_counter() - started
        assert out.read_bytes() in (b"OLD FEED\n", expected), f"attempt {attempt} after {seconds:.2f} s"


# ---- commands side by side with `watch` -----------------------------------------------------------------
def test_concurrent_commands_during_watch_do_not_fail(tmp_path: Path) -> None:
    vault = tmp_path / "good"
    shutil.copytree(VAULTS / "good", vault)
    watch = start(vault, "watch", "--quiet")
    code: int | None = None
    try:
        live = vault / ".reljournal" / "live.json"
        deadline = time.monotonic() + 30
        while not live.exists() and time.monotonic() < deadline and watch.poll() is None:
            time.sleep(0.05)
        assert live.exists(), "the watcher never marked the index live"
        stop = threading.Event()

        def churn() -> None:
            n = 0
            while not stop.is_set() and n < 400:
                n += 1
                path = vault / "people" / f"Churn {n % 7}.md"
                tmp = path.with_name(f".{path.name}.swp")
                tmp.write_text(f"---\ntype: person\ncadence: {1 + n % 30}d\n---\n", encoding="utf-8")
                os.replace(tmp, path)  # an editor's save: write aside, rename over
                if n % 5 == 0:
                    (vault / "people" / f"Churn {(n + 3) % 7}.md").unlink(missing_ok=True)
                if n % 11 == 0:
                    (vault / "people" / "Broken Now.md").write_text("---\ntype: [person\n---\n", encoding="utf-8")
                time.sleep(0.005)

        churner = threading.Thread(target=churn)
        churner.start()
        try:
            with ThreadPoolExecutor(max_workers=20) as pool:
                results = list(pool.map(lambda _: rj(vault, "due", "--json", "--all", timeout=90), range(20)))
        finally:
            stop.set()
            churner.join(timeout=30)
        for r in results:
            assert r.returncode == 0, r.stderr
            names = {d["name"] for d in json.loads(r.stdout)}
            assert "Jane Doe" in names
        assert watch.poll() is None, "the watcher died"
    finally:
        watch.send_signal(signal.SIGTERM)
        try:
            code = watch.wait(timeout=30)
        except subprocess.TimeoutExpired:
            kill_group(watch)
            code = None
    assert code == 0, watch.stderr.read() if watch.stderr else ""


@given(st.lists(st.binary(max_size=40), max_size=8), st.lists(st.binary(max_size=40), max_size=8))
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_file_is_rewritten_exactly_when_its_pieces_differ(tmp_path: Path, old: list[bytes], new: list[bytes]) -> None:
    """`only_if_changed` compares the file with the pieces one by one (a 70 MB feed is never joined nor read
    whole): it must write exactly when the joined bytes differ, however the pieces are cut."""
    target = tmp_path / "feed.ics"
    write_atomic(target, old)
    assert target.read_bytes() == b"".join(old)
    wrote = write_atomic(target, new, only_if_changed=True)
    assert wrote == (b"".join(old) != b"".join(new))
    assert target.read_bytes() == b"".join(new)

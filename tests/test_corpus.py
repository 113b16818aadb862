"""The bad-input corpus (tests/data/broken): every kind of broken note is reported as `path:line` with the
right code, the good notes still index, no file is changed, and time and memory stay bounded.

What git cannot hold well is built at test time in a tmp copy: symbolic links (out of the vault, loops,
dangling), a 5 MB note, a sparse file over the 16 MB limit, indentation nested too deep, and unreadable
files. Tests may run as root, where permissions are not enforced: the permission test then runs
`reljournal check` as the `nobody` user (and is skipped, with the reason, only where that fails).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import DATA, Run, posix

pytestmark = posix  # symbolic links and Unix permissions

CORPUS = DATA / "broken"
TODAY = "2026-03-15"
CHECK_SECONDS = 20.0  # the whole corpus, 5 MB and 17 MB notes included; measured at about 1.5 s
CHECK_PEAK_MB = 250  # peak RSS of the `reljournal check` process; measured at about 110 MB
HUGE_BYTES = 5 * 2**20
NOBODY = 65534

# (path, line, severity, code, a fragment of the message the user must see)
EXPECTED: list[tuple[str, int, str, str, str]] = [
    ("interactions/2026/Bad Interaction Date.md", 3, "error", "date", "'2026-03-03T25:61' is not a real date-time"),
    ("interactions/2026/Bad Task.md", 7, "error", "date", "task due date: '2026-99-01' is not a real date"),
    ("interactions/2026/No Date.md", 1, "error", "no-date", "an interaction needs a `date:`"),
    ("interactions/2026/Year 9999.md", 3, "error", "date", "out of range: write a year from 1000 to 8999"),
    ("interactions/2026/With Number.md", 4, "error", "value", "with: expected a name or a [[link]], got the number 42"),
    ("people/Alias Bomb.md", 2, "error", "yaml", "anchors and aliases"),
    ("people/Bad Birthday Day.md", 3, "error", "date", "birthday: '--02-30' is not a real day"),
    ("people/Bad Birthday.md", 3, "error", "date", "birthday: '1980-13-01' is not a birthday"),
    ("people/Bad Cadence.md", 4, "error", "duration", "cadence: 'fortnightlyish' is not a duration"),
    ("people/Bad Date.md", 4, "error", "date", "next: '2026-02-30' is not a real date"),
    ("people/Bad Log Date.md", 5, "error", "date", "Log entry: '2026-02-31' is not a real date"),
    ("people/Bad Snooze.md", 3, "error", "date", "snooze: 'next tuesday' is not a date"),
    ("people/Binary.md", 1, "error", "encoding", "a binary file, not UTF-8 text"),
    ("people/Crlf Bad Date.md", 5, "error", "date", "next: '2026-04-31' is not a real date"),
    ("people/Dangling.md", 1, "error", "unreadable", "cannot read this file"),
    ("people/Deep Block Nesting.md", 132, "error", "yaml", "nested more than 64 levels deep"),
    ("people/Deep Nesting.md", 3, "error", "yaml", "nested more than 64 levels deep"),
    ("people/Dup Name.md", 1, "warning", "duplicate-name",
     "another person is called 'Dup Name': people/team/dup name.md"),
    ("people/Far Future.md", 4, "error", "date", "next: '9999-12-31' is out of range"),
    ("people/Latin1 Body.md", 6, "error", "encoding", "not UTF-8 (byte 0xef)"),
    ("people/Latin1.md", 4, "error", "encoding", "not UTF-8 (byte 0xe9)"),
    ("people/List Front Matter.md", 2, "error", "front-matter", "must be a mapping of `key: value` lines, not a list"),
    ("people/Loop.md", 1, "error", "unreadable", "symbolic links"),
    ("people/Nul In Text.md", 5, "error", "encoding", "a binary file"),
    ("people/Ping.md", 1, "error", "unreadable", "symbolic links"),
    ("people/Pong.md", 1, "error", "unreadable", "symbolic links"),
    ("people/Scalar Front Matter.md", 2, "error", "front-matter", "must be a mapping of `key: value` lines, not text"),
    ("people/Status Maybe.md", 3, "error", "value", "status: 'maybe' is not one of: active, dormant, archived"),
    ("people/Surrogate.md", 3, "error", "encoding", "not UTF-8 (byte 0xed)"),
    ("people/Tab Indent.md", 4, "error", "yaml", "a tab in the indentation"),
    ("people/Tags Number.md", 3, "error", "value", "tags: expected a list of text, got the number 3"),
    ("people/Too Big.md", 1, "error", "unreadable", "larger than 16 MB"),
    ("people/Unhashable Key.md", 3, "error", "yaml", "unhashable key"),
    ("people/Unquoted Links.md", 4, "error", "yaml", 'quote each link: with: ["[[A]]", "[[B]]"]'),
    ("people/Unterminated.md", 1, "error", "yaml", "never closed by a `---` line"),
    ("people/Utf16.md", 1, "error", "encoding", "saved as UTF-16, not UTF-8"),
    ("people/Yaml Syntax.md", 5, "error", "yaml", "front matter is not valid YAML"),
    ("people/team/dup name.md", 1, "warning", "duplicate-name",
     "another person is called 'dup name': people/Dup Name.md"),
]
GOOD_PEOPLE = {"Good Person", "Bom Person", "Crlf Person", "Empty File", "Huge Note", "Secret Friend"}


def build_corpus(dest: Path) -> tuple[Path, Path]:
    """A tmp copy of the corpus plus what git cannot hold; returns (vault, the folder outside it)."""
    vault = dest / "vault"
    shutil.copytree(CORPUS, vault)
    outside = dest / "outside"
    outside.mkdir()
    (outside / "Secret Outside.md").write_text("---\ntype: person\ncadence: 1w\n---\nzanzibarsecret\n")
    people = vault / "people"
    (people / "Outside Link.md").symlink_to(outside / "Secret Outside.md")  # leaves the vault: not followed
    (people / "outside-folder").symlink_to(outside, target_is_directory=True)
    (people / "Loop.md").symlink_to("Loop.md")  # ELOOP
    (people / "Ping.md").symlink_to("Pong.md")
    (people / "Pong.md").symlink_to("Ping.md")
    (people / "loop-folder").symlink_to("..", target_is_directory=True)  # back up to the vault root
    (people / "Dangling.md").symlink_to("Missing Target.md")
    (people / "Good Link.md").symlink_to("Good Person.md")  # the same file twice: read once
    with open(people / "Huge Note.md", "w", encoding="utf-8") as f:
        f.write("---\ntype: person\ntier: B\nlast_contact: 2026-02-20\n---\n## Log\n")
        f.writelines(f"- 2025-{1 + i % 12:02d}-{1 + i % 28:02d} call: entry {i} with [[Good Person]]\n"
                     for i in range(2000))
        line = "Meeting notes, a long paragraph about [[Good Org]] and the plan for next quarter. - [ ] x\n"
        while f.tell() < HUGE_BYTES:
            f.write(line)
    with open(people / "Too Big.md", "wb") as f:  # sparse: 17 MB on paper, nothing on disk
        f.write(b"---\ntype: person\n---\n")
        f.truncate(17 * 2**20)
    nested = "".join(f"{'  ' * k}k{k}:\n" for k in range(300))
    (people / "Deep Block Nesting.md").write_text(f"---\ntype: person\n{nested}  leaf: 1\n---\n")
    return vault, outside


def snapshot(*roots: Path) -> dict[str, tuple[Any, ...]]:
    """Every file and link under the roots (the derived `.reljournal/` aside): bytes, mode, mtime, target."""
    out: dict[str, tuple[Any, ...]] = {}
    for root in roots:
        for folder, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if d != ".reljournal"]
            for name in dirs + files:
                path = Path(folder) / name
                st = path.lstat()
                if stat.S_ISLNK(st.st_mode):
                    out[str(path)] = ("link", os.readlink(path))
                elif stat.S_ISREG(st.st_mode):
                    digest = hashlib.sha256(path.read_bytes()).hexdigest() if st.st_mode & 0o444 else "-"
                    out[str(path)] = ("file", st.st_mode, st.st_mtime_ns, st.st_size, digest)
                else:
                    out[str(path)] = ("dir", st.st_mode)
    return out


_AS_IS = "import sys; from reljournal.cli import main; sys.argv[0] = 'reljournal'; main()"
# Root ignores permissions, and `nobody` may not reach the interpreter (under /root): import everything
# as root, then drop to `nobody` before the command touches the vault.
_AS_NOBODY = (
    "import os, sys, sqlite3, json, zoneinfo, hashlib, importlib, pkgutil\n"
    "import tempfile, multiprocessing, concurrent.futures.process, reljournal\n"  # what modules import lazily
    "for m in pkgutil.walk_packages(reljournal.__path__, 'reljournal.'):\n"
    "    m.name.endswith('__main__') or importlib.import_module(m.name)\n"
    "from reljournal.cli import main\n"
    f"os.setgroups([]); os.setgid({NOBODY}); os.setuid({NOBODY})\n"
    "sys.argv[0] = 'reljournal'; main()\n"
)


def run_measured(vault: Path, *args: str,
                 user: int | None = None) -> tuple[subprocess.CompletedProcess[str], float, float]:
    """`reljournal ARGS` in a fresh child; returns (result, seconds, the child's peak RSS in MB).

    A wrapper process runs it so that RUSAGE_CHILDREN holds this one command and nothing else pytest ran."""
    wrapper = (
        "import resource, subprocess, sys, time, json\n"
        "t = time.perf_counter()\n"
        "p = subprocess.run([sys.executable, '-c', sys.argv[1], *sys.argv[2:]], capture_output=True, text=True)\n"
        "t = time.perf_counter() - t\n"
        "rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(json.dumps([p.returncode, p.stdout, p.stderr, t, rss]))\n"
    )
    cmd = [sys.executable, "-c", wrapper, _AS_NOBODY if user is not None else _AS_IS,
           "--vault", str(vault), "--today", TODAY, *args]
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("RELJOURNAL_VAULT", None)
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    code, out, err, seconds, rss = json.loads(done.stdout)
    return subprocess.CompletedProcess(cmd, code, out, err), seconds, rss


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Build the corpus once, snapshot it, run `check --json` (measured) and the listings over it."""
    base = tmp_path_factory.mktemp("corpus")
    vault, outside = build_corpus(base)
    before = snapshot(vault, outside)
    checked, seconds, peak_mb = run_measured(vault, "check", "--json")
    rj = Run(vault, TODAY)
    results = {name: rj(*args) for name, args in {
        "index": ("index",),
        "people": ("people", "--json"),
        "due": ("due", "--json", "--all"),
        "agenda": ("agenda", "--json", "--days", "30"),
        "query": ("query", "zanzibarsecret", "--json"),
        "sql": ("sql", "SELECT title FROM notes ORDER BY title", "--json"),
        "feed": ("feed", "-o", str(base / "feed.ics")),
    }.items()}
    yield {"vault": vault, "outside": outside, "before": before, "after": snapshot(vault, outside),
           "check": checked, "seconds": seconds, "peak_mb": peak_mb, "results": results,
           "feed": (base / "feed.ics").read_text(encoding="utf-8") if (base / "feed.ics").exists() else ""}


def _problems(corpus: dict[str, Any]) -> list[dict[str, Any]]:
    doc = json.loads(corpus["check"].stdout)
    return ([{**p, "severity": "error"} for p in doc["errors"]]
            + [{**p, "severity": "warning"} for p in doc["warnings"]])


def test_check_exits_1_and_prints_json_only(corpus: dict[str, Any]) -> None:
    assert corpus["check"].returncode == 1, corpus["check"].stderr
    doc = json.loads(corpus["check"].stdout)
    assert set(doc) == {"errors", "warnings"}
    for problems in doc.values():
        assert problems == sorted(problems, key=lambda p: (p["path"], p["line"]))
        for p in problems:
            assert set(p) == {"path", "line", "code", "message"}


@pytest.mark.parametrize(("path", "line", "severity", "code", "fragment"), EXPECTED, ids=[e[0] for e in EXPECTED])
def test_each_broken_note_is_reported_where_it_is_broken(corpus: dict[str, Any], path: str, line: int,
                                                          severity: str, code: str, fragment: str) -> None:
    found = [p for p in _problems(corpus) if p["path"] == path]
    assert [(p["line"], p["severity"], p["code"]) for p in found] == [(line, severity, code)], found
    assert fragment in found[0]["message"]


def test_nothing_else_is_reported(corpus: dict[str, Any]) -> None:
    """The good notes (BOM, CRLF, an empty file, the 5 MB note), links out of the vault, a link to a note
    that is read under its own name, and a folder link back up to the root give no problem at all."""
    reported = {(p["path"], p["line"], p["code"]) for p in _problems(corpus)}
    assert reported == {(path, line, code) for path, line, _, code, _ in EXPECTED}


def test_the_good_notes_still_index(corpus: dict[str, Any]) -> None:
    results = corpus["results"]
    assert results["index"].exit_code == 0, results["index"].output
    people = {p["name"]: p for p in json.loads(results["people"].stdout)}
    assert GOOD_PEOPLE <= set(people)
    assert people["Crlf Person"]["last"] == "2026-03-05"  # its CRLF Log section counted
    assert people["Bom Person"]["tier"] == "B"  # the BOM did not hide the front matter
    assert people["Huge Note"]["last"] == "2026-02-20"
    assert people["Good Person"]["org"] == "Good Org"
    assert people["Good Person"]["reason"] == "planned" and people["Good Person"]["next"] == "2026-03-20"
    due = json.loads(results["due"].stdout)
    assert {d["name"] for d in due} >= {"Good Person", "Bom Person", "Crlf Person", "Secret Friend"}
    agenda = json.loads(results["agenda"].stdout)
    assert ("task", "send the deck") in {(a["kind"], a["title"]) for a in agenda}
    assert ("objective", "Win the mandate") in {(a["kind"], a["title"]) for a in agenda}


def test_links_out_of_the_vault_are_never_read(corpus: dict[str, Any]) -> None:
    results = corpus["results"]
    assert json.loads(results["query"].stdout) == []
    titles = {row["title"] for row in json.loads(results["sql"].stdout)}
    assert "Secret Outside" not in titles and "Outside Link" not in titles
    assert "Good Link" not in titles  # the same file as Good Person.md: read once, under its own name
    assert "zanzibarsecret" not in corpus["feed"] and "Secret Outside" not in corpus["feed"]


def test_private_notes_stay_out_of_the_feed(corpus: dict[str, Any]) -> None:
    assert corpus["results"]["feed"].exit_code == 0, corpus["results"]["feed"].output
    assert "BEGIN:VCALENDAR" in corpus["feed"] and "Good Person" in corpus["feed"]
    assert "Secret Friend" not in corpus["feed"]


def test_no_file_in_the_vault_changes(corpus: dict[str, Any]) -> None:
    assert corpus["after"] == corpus["before"]


def test_time_and_memory_are_bounded(corpus: dict[str, Any]) -> None:
    print(f"check over the corpus: {corpus['seconds']:.2f} s, peak RSS {corpus['peak_mb']:.0f} MB")
    assert corpus["seconds"] < CHECK_SECONDS
    assert corpus["peak_mb"] < CHECK_PEAK_MB


# ---- permissions --------------------------------------------------------------------------------------
def _permissions_enforced() -> str | None:
    """None when a `chmod 000` file is unreadable to the command we run, else why not (a reason to skip)."""
    probe_dir = Path(tempfile.mkdtemp(prefix="rj-probe-"))
    try:
        probe_dir.chmod(0o755)
        locked = probe_dir / "locked"
        locked.write_text("x")
        locked.chmod(0o000)
        drop = f"import os; os.setgroups([]); os.setgid({NOBODY}); os.setuid({NOBODY}); " if os.geteuid() == 0 else ""
        code = drop + f"open({str(locked)!r}).read()"
        probe = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    finally:
        shutil.rmtree(probe_dir)
    if "PermissionError" in probe.stderr:
        return None
    if probe.returncode == 0:
        return "file permissions are not enforced here (root without a way to drop privileges?)"
    return f"cannot run a command as uid {NOBODY}: {probe.stderr.strip()[-200:]}"


def test_unreadable_files_and_folders_are_reported() -> None:
    why_not = _permissions_enforced()
    if why_not is not None:
        pytest.skip(why_not)
    user = NOBODY if os.geteuid() == 0 else None
    base = Path(tempfile.mkdtemp(prefix="rj-perm-"))  # not under pytest's 0700 tmp: `nobody` must get in
    try:
        base.chmod(0o755)
        vault = base / "vault"
        (vault / "people" / "locked-folder").mkdir(parents=True)
        (vault / "people" / "Readable.md").write_text("---\ntype: person\ncadence: 1w\n---\n")
        (vault / "people" / "Locked.md").write_text("---\ntype: person\ncadence: 1w\n---\n")
        (vault / "people" / "locked-folder" / "Hidden.md").write_text("---\ntype: person\n---\n")
        for folder in (base, vault, vault / "people"):
            folder.chmod(0o755)
        (vault / "people" / "Readable.md").chmod(0o644)
        (vault / "people" / "Locked.md").chmod(0o000)
        (vault / "people" / "locked-folder").chmod(0o000)
        before = snapshot(vault)
        checked, _, _ = run_measured(vault, "check", "--json", user=user)
        due, _, _ = run_measured(vault, "due", "--json", user=user)
        after = snapshot(vault)
    finally:
        for parent, dirs, _ in os.walk(base):
            for d in dirs:
                (Path(parent) / d).chmod(0o755)
        shutil.rmtree(base)
    assert checked.returncode == 1, checked.stderr
    errors = json.loads(checked.stdout)["errors"]
    assert [(e["path"], e["line"], e["code"]) for e in errors] == [
        ("people/Locked.md", 1, "unreadable"), ("people/locked-folder", 1, "unreadable")]
    assert "Permission denied" in errors[0]["message"] and "cannot list this folder" in errors[1]["message"]
    assert due.returncode == 0, due.stderr
    assert [d["name"] for d in json.loads(due.stdout)] == ["Readable"]
    assert after == before


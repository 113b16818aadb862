"""Everywhere, and nothing lost (SPEC 9): one answer to "which files are in the vault?", platforms simulated
where they are not here (no `fcntl`, no hard links, a file held open on Windows), names valid on every
disk, tables aligned by display width, edits that never lose a change, and Ctrl-C."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import Run, write_note
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reljournal.config import load_settings
from reljournal.index.sync import _stat_paths
from reljournal.vault import Walked, walk

PATHS = ["a.md", "notes/b.md", "archive/c.md", "archive/keep/d.md", "archive/keep/deep/e.md", "archive/old/f.md",
         "drafts/g.draft.md", "drafts/h.md", "people/archive/i.md", "people/j.md", "x/y/z/k.md"]
PATTERNS = ["archive/", "!archive/keep/", "archive/**", "!archive/keep/**", "*.draft.md", "drafts/", "!drafts/h.md",
            "archive/old", "**/archive/", "people/archive/", "!people/archive/i.md", "x/", "!x/y/", "/a.md", "!a.md",
            "archive/*", "*/", "!*/", "**/keep/", "!**/keep/", "archive/keep/**", "!archive/keep/deep/"]


def git_included(root: Path, paths: list[str]) -> set[str]:
    """The paths git does not ignore, by `git check-ignore` on the same .gitignore."""
    done = subprocess.run(["git", "check-ignore", "--no-index", "--stdin"], cwd=root, input="\n".join(paths),
                          capture_output=True, text=True, check=False)
    return set(paths) - set(done.stdout.split("\n"))


@pytest.mark.skipif(shutil.which("git") is None, reason="git is the reference")
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(patterns=st.lists(st.sampled_from(PATTERNS), max_size=5))
def test_one_answer_to_which_files_are_in_the_vault(patterns: list[str]) -> None:
    """The full walk, the watcher's test of a path, the sync of single paths and git agree."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        subprocess.run(["git", "init", "-q"], cwd=root, check=True)
        quoted = ", ".join('"' + p + '"' for p in patterns)
        (root / ".reljournal.toml").write_text(f"[folders]\nignore = [{quoted}]\n", encoding="utf-8")
        (root / ".gitignore").write_text("".join(p + "\n" for p in patterns), encoding="utf-8")
        for rel in PATHS:
            write_note(root, rel, "plain\n")
        s, problems = load_settings(root)
        assert not problems
        walked = {f.path for f in walk(s)[0]}
        watched = {rel for rel in PATHS if Walked(s).note(rel)}
        stated = {f.path for f in _stat_paths(s, PATHS)}
        folders = {f.path for rel in {p.split("/")[0] for p in PATHS if "/" in p} for f in _stat_paths(s, [rel])}
        folders |= {p for p in PATHS if "/" not in p and Walked(s).note(p)}
        assert walked == watched == stated == folders == git_included(root, PATHS), patterns


def test_a_folder_ignored_keeps_what_is_below_it_out_in_every_path(tmp_path: Path) -> None:
    """git's rule: nothing is re-included below an ignored folder. The full index and the watcher agree."""
    root = tmp_path / "v"
    write_note(root, ".reljournal.toml", '[folders]\nignore = ["archive/", "!archive/keep/"]\n')
    write_note(root, "people/Ann.md", "---\ntype: person\n---\n")
    write_note(root, "archive/keep/people/Bo.md", "---\ntype: person\n---\n")
    rj = Run(root)
    assert [p["name"] for p in json.loads(rj("people", "--json").output)] == ["Ann"]
    s, _ = load_settings(root)
    assert not Walked(s).note("archive/keep/people/Bo.md")
    assert [f.path for f in _stat_paths(s, ["archive/keep", "archive/keep/people/Bo.md"])] == []



# ---- platforms simulated ---------------------------------------------------------------------------------
def run_without(modules: list[str], vault: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`reljournal ARGS` in a Python where these modules do not exist (as `fcntl` on Windows)."""
    script = ("import sys\n" + "".join(f"sys.modules[{m!r}] = None\n" for m in modules)
              + "from reljournal.cli import main\n"
              f"sys.argv = ['reljournal', '--vault', {str(vault)!r}, '--today', '2026-03-15', *{list(args)!r}]\n"
              "main()\n")
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)


def test_every_command_runs_where_there_is_no_fcntl(tmp_path: Path) -> None:
    root = tmp_path / "v"
    write_note(root, "people/Ann Lee.md", "---\ntype: person\ncadence: 30d\n---\n")
    for args in (["due"], ["set", "Ann Lee", "tier", "A"], ["log", "ann lee", "--kind", "call"],
                 ["add", "person", "Bo Chen"], ["check"]):
        done = run_without(["fcntl"], root, *args)
        assert done.returncode == 0, (args, done.stderr)
        assert "Traceback" not in done.stderr
    assert "tier: A" in (root / "people/Ann Lee.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(("module", "args"), [("pathvalidate", ["log", "ann lee", "--kind", "call"]),
                                              ("recurring_ical_events", ["import", "ics", "{calendar}"])])
def test_a_library_missing_from_an_old_installation_is_one_line(tmp_path: Path, module: str, args: list[str]) -> None:
    """A checkout pulled since `pip install -e .` may lack a library the code now needs: one line saying
    which and how to install again, no traceback, nothing written."""
    root = tmp_path / "v"
    write_note(root, "people/Ann Lee.md", "---\ntype: person\ncadence: 30d\nemail: ann@example.com\n---\n")
    calendar = write_note(tmp_path, "work.ics", "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:x\n"
                                               "DTSTART:20260310T100000Z\nSUMMARY:Call\n"
                                               "ATTENDEE:mailto:ann@example.com\nEND:VEVENT\nEND:VCALENDAR\n")
    done = run_without([module], root, *[a.format(calendar=calendar) for a in args])
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith(f"reljournal: the Python package {module!r} is not installed, and this command "
                                  "needs it; install reljournal again") and len(done.stderr.splitlines()) == 1
    assert not (root / "interactions").exists()


def test_twelve_edits_at_once_keep_all_twelve(tmp_path: Path) -> None:
    """Twelve `set` processes on one note, each a different field: every change is there afterwards."""
    root = tmp_path / "v"
    write_note(root, "people/Ann Lee.md", "---\ntype: person\n---\nNotes.\n")
    Run(root)("index")
    fields = [f"field_{n}" for n in range(12)]
    procs = [subprocess.Popen([sys.executable, "-m", "reljournal", "--vault", str(root), "--today", "2026-03-15",
                               "set", "Ann Lee", field, f"value {n}"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for n, field in enumerate(fields)]
    for p in procs:
        assert p.wait(timeout=120) == 0, p.stderr.read() if p.stderr else ""
    text = (root / "people/Ann Lee.md").read_text(encoding="utf-8")
    assert all(f"{field}: value {n}\n" in text for n, field in enumerate(fields)), text
    assert text.endswith("---\nNotes.\n")


def test_notes_are_created_without_hard_links(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """exFAT, SMB shares and some sync folders refuse hard links (EPERM): a new note is made all the same,
    and an existing one is still never replaced."""
    import errno
    import os

    def no_links(src: object, dst: object) -> None:
        raise PermissionError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    root = tmp_path / "v"
    write_note(root, "people/Ann Lee.md", "---\ntype: person\n---\n")
    rj = Run(root)
    logged = rj("log", "Ann Lee", "--kind", "call")
    assert logged.exit_code == 0 and (root / logged.stdout.strip()).read_text(encoding="utf-8").startswith("---")
    assert rj("add", "person", "Bo Chen").exit_code == 0
    from reljournal.atomic import write_atomic

    with pytest.raises(FileExistsError):
        write_atomic(root / "people/Bo Chen.md", b"other", exclusive=True)
    assert (root / "people/Bo Chen.md").read_bytes() != b"other"
    assert not [p for p in (root / "people").iterdir() if p.name.startswith(".")]  # no temporary file left


def test_a_file_held_open_is_replaced_once_it_is_let_go(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows refuses `os.replace` while an editor, an antivirus or a sync client holds the file: the
    write waits a moment and tries again."""
    import os

    real = os.replace
    refused = {"n": 0}

    def held_once(src: object, dst: object) -> None:
        if refused["n"] == 0:
            refused["n"] += 1
            raise PermissionError(13, "The process cannot access the file because it is being used")
        real(src, dst)  # type: ignore[arg-type]

    root = tmp_path / "v"
    write_note(root, "people/Ann Lee.md", "---\ntype: person\n---\n")
    Run(root)("index")
    monkeypatch.setattr(os, "replace", held_once)
    result = Run(root)("set", "Ann Lee", "tier", "A")
    assert result.exit_code == 0 and refused["n"] == 1
    assert "tier: A" in (root / "people/Ann Lee.md").read_text(encoding="utf-8")


# ---- names every disk takes -----------------------------------------------------------------------------------
WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(1, 10)), *(f"LPT{n}" for n in range(1, 10))}


def valid_everywhere(name: str) -> bool:
    """What Windows, macOS and Linux all take as a file name (and what a temporary name beside it needs)."""
    import unicodedata

    stem = name.split(".")[0].upper().strip()
    return (not any(c in name for c in '<>:"/\\|?*') and all(ord(c) >= 32 for c in name)
            and not name.endswith((".", " ")) and stem not in WINDOWS_RESERVED and not name.startswith(".")
            and len(name.encode()) + 14 <= 255 and unicodedata.is_normalized("NFC", name))


def test_names_written_by_log_and_the_imports_are_valid_everywhere(tmp_path: Path) -> None:
    import unicodedata

    root = tmp_path / "v"
    write_note(root, ".reljournal.toml", "")
    (tmp_path / "c.vcf").write_text("".join(
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:{n}\r\nEND:VCARD\r\n"
        for n in ("CON", "Q&A: Bob?", "com1", "Ж" * 120, "王" * 100, "trailing dot.", ". ./x",
                  unicodedata.normalize("NFD", "José Núñez"))), encoding="utf-8")
    (tmp_path / "c.csv").write_text("Name,Company\nNUL,AUX Ltd\nLPT9 ,Acme: the <best>\n", encoding="utf-8")
    rj = Run(root)
    assert rj("import", "vcard", str(tmp_path / "c.vcf")).exit_code == 0
    assert rj("import", "csv", str(tmp_path / "c.csv")).exit_code == 0
    people = sorted(p.name for p in (root / "people").iterdir())
    assert len(people) == 10, people
    for title in ("Q&A: Bob?", "CON", "Ж" * 120):
        done = rj("log", title, "--kind", "call")
        assert done.exit_code == 0, done.output
    written = [p.name for p in root.rglob("*.md")]
    assert written and all(valid_everywhere(n) for n in written), [n for n in written if not valid_everywhere(n)]
    assert rj("show", "con").exit_code == 0 and rj("show", "Q&A: Bob?").exit_code == 0  # found by what was typed


def test_tables_align_by_display_width(tmp_path: Path) -> None:
    """CJK names and emoji take two columns: every column after them still starts where it should."""
    from reljournal.output import clip, display_width

    root = tmp_path / "v"
    write_note(root, ".reljournal.toml", '[tiers]\nA = "30d"\n')
    for name in ("王小明", "Ann Lee", "Zoë 🌻 Ray"):
        write_note(root, f"people/{name}.md", "---\ntype: person\ntier: A\n---\n")
    lines = Run(root)("people").output.splitlines()
    starts = {display_width(line[:line.index(" A ")]) for line in lines[1:]}
    assert len(starts) == 1, lines  # TIER in one column
    assert display_width(lines[0][:lines[0].index("TIER")]) == starts.pop() + 1
    assert display_width("王小明") == 6 and clip("王小明王小明", 5) == "王小…"


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child is a POSIX signal")
def test_ctrl_c_ends_a_runaway_query_at_once(tmp_path: Path) -> None:
    import signal
    import time

    root = tmp_path / "v"
    write_note(root, "people/Ann Lee.md", "---\ntype: person\n---\n")
    Run(root)("index")
    runaway = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"
    proc = subprocess.Popen([sys.executable, "-m", "reljournal", "--vault", str(root), "sql", runaway],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        time.sleep(1.0)  # the query is running (it never ends on its own)
        assert proc.poll() is None
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=10)
        assert time.monotonic() - sent < 2
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130 and b"Traceback" not in err


def test_the_watcher_compares_paths_as_the_disk_does(tmp_path: Path) -> None:
    """On a case-insensitive disk (macOS, Windows) the vault given as `~/relationships` gets events for
    `~/Relationships/...`; macOS may report a path decomposed (NFD). Neither event is dropped."""
    import unicodedata

    from watchdog.events import FileCreatedEvent

    from reljournal.watch import case_insensitive, classify

    root = tmp_path / "Relationships"
    write_note(root, "people/Ann.md", "---\ntype: person\n---\n")
    s, _ = load_settings(root)
    typed = str(root).replace("Relationships", "relationships")
    event = FileCreatedEvent(str(root / "people" / "Zoë.md"))
    assert classify(event, typed, s, None, None, fold=True).paths == {"people/Zoë.md"}
    assert classify(event, typed, s, None, None, fold=False).paths == set()  # a case-sensitive disk: elsewhere
    decomposed = FileCreatedEvent(unicodedata.normalize("NFD", str(tmp_path / "Relationships" / "people" / "Zoë.md")))
    assert classify(decomposed, str(root), s, None, None).paths == {unicodedata.normalize("NFD", "people/Zoë.md")}
    assert case_insensitive(str(root)) is False  # this disk (ext4) keeps case apart


def test_a_rename_that_only_changes_case_is_a_rename(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a case-insensitive disk the old name still opens after `jane doe.md` -> `Jane Doe.md`; the index
    must not keep both (two people). Played here with a stat that ignores case, as such a disk does."""
    import os

    from reljournal.app import Journal
    from reljournal.index import sync as sync_module

    root = tmp_path / "v"
    write_note(root, "people/jane doe.md", "---\ntype: person\n---\n")
    journal = Journal.open(root, "2026-03-15")
    try:
        journal.sync()
        (root / "people/jane doe.md").rename(root / "people/Jane Doe.md")
        real_stat = os.stat

        def stat_without_case(path: object, *args: object, **kwargs: object) -> os.stat_result:
            try:
                return real_stat(path, *args, **kwargs)  # type: ignore[arg-type]
            except FileNotFoundError:
                folder, name = os.path.split(str(path))
                same = [n for n in os.listdir(folder) if n.casefold() == name.casefold()]
                if not same:
                    raise
                return real_stat(os.path.join(folder, same[0]))

        monkeypatch.setattr(sync_module.os, "stat", stat_without_case)
        journal.sync(paths=["people/jane doe.md", "people/Jane Doe.md"])  # the watcher's move event, both ends
        assert [p.title for p in journal.view(sync=False).people] == ["Jane Doe"]
    finally:
        journal.close()

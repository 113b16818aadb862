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
            "archive/old", "**/archive/", "people/archive/", "!people/archive/i.md", "x/", "!x/y/", "/a.md", "!a.md"]


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

"""`reljournal log`: one new interaction note, a name that never collides, no other file touched."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from reljournal import lognote
from reljournal.config import Settings
from reljournal.lognote import NewInteraction, file_stem, names_phrase, render, write_interaction
from reljournal.parse.note import parse_note
from tests.conftest import Run, write_note


def snapshot(vault: Path) -> dict[str, str]:
    return {p.relative_to(vault).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(vault.rglob("*")) if p.is_file() and ".reljournal" not in p.parts and ".git" not in p.parts}


@pytest.fixture
def ids(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Pin the random ids `log` draws: pop them from this list in order."""
    queue = ["k7q2", "zz01", "ab12", "cd34"]
    monkeypatch.setattr(lognote, "random_id", lambda: queue.pop(0))
    return queue


def test_log_writes_one_note_and_prints_its_path(rj: Run, ids: list[str]) -> None:
    before = snapshot(rj.vault)
    result = rj("log", "jane", "Bob Smith", "--kind", "Coffee", "--note", "Talked about the tender.",
                "--next", "2w", "--action", "Send the deck", "--gave", "intro to [[Dan Brown]]",
                "--gave", "advice", "--received", "yes", "--outcome", "Agreed: a pilot")
    assert result.exit_code == 0, result.output
    path = "interactions/2026/2026-03-15 Coffee with Jane Doe and Bob Smith k7q2.md"
    assert result.stdout == path + "\n"
    assert (rj.vault / path).read_text(encoding="utf-8") == (
        "---\n"
        "type: interaction\n"
        "date: 2026-03-15\n"
        'with: ["[[Jane Doe]]", "[[Bob Smith]]"]\n'
        "kind: coffee\n"
        'outcome: "Agreed: a pilot"\n'
        "next: 2026-03-29\n"
        "next_action: Send the deck\n"
        'gave: ["intro to [[Dan Brown]]", advice]\n'
        'received: ["yes"]\n'
        "---\n"
        "Talked about the tender.\n"
    )
    after = snapshot(rj.vault)
    assert {k: v for k, v in after.items() if k != path} == before
    shown = rj("show", "Jane Doe").stdout
    assert "2026-03-15  coffee      Agreed: a pilot" in shown
    assert "next:          2026-03-29 (in 14d, planned)" in shown


def test_log_defaults_and_next_counts_from_the_interaction_date(rj: Run, ids: list[str]) -> None:
    result = rj("log", "Carla Mendes", "--date", "2026-03-01", "--next", "1m")
    assert result.stdout == "interactions/2026/2026-03-01 Interaction with Carla Mendes k7q2.md\n"
    assert (rj.vault / result.stdout.strip()).read_text() == (
        '---\ntype: interaction\ndate: 2026-03-01\nwith: ["[[Carla Mendes]]"]\nnext: 2026-04-01\n---\n')
    timed = rj("log", "Dan Brown", "--kind", "note", "--date", "2025-12-31T18:05+01:00")
    assert timed.stdout == "interactions/2025/2025-12-31 Note about Dan Brown zz01.md\n"
    assert "date: 2025-12-31T18:05+01:00\n" in (rj.vault / timed.stdout.strip()).read_text()
    assert rj("check").exit_code == 0


def test_log_errors(rj: Run) -> None:
    before = snapshot(rj.vault)
    unknown = rj("log", "Jane Dough")
    assert (unknown.exit_code, unknown.stderr) == (
        1, "reljournal: no person named 'Jane Dough'; did you mean: Jane Doe?; "
           'to add them: reljournal add person "Jane Dough"\n')
    org = rj("log", "Acme Corp")
    assert org.exit_code == 1 and org.stderr.startswith("reljournal: no person named 'Acme Corp'")
    bad_date = rj("log", "Jane", "--date", "2026-02-30")
    assert (bad_date.exit_code, bad_date.stderr) == (
        2, "reljournal: --date: '2026-02-30' is not a real date (day is out of range for month)\n")
    backwards = rj("log", "Jane", "--next", "2026-03-01")
    assert (backwards.exit_code, backwards.stderr) == (
        2, "reljournal: --next: 2026-03-01 is not after the interaction's date (2026-03-15)\n")
    assert rj("log", "Jane", "--kind", "brunch").exit_code == 2
    assert rj("log").exit_code == 2
    assert snapshot(rj.vault) == before


def test_a_taken_name_draws_another_id(rj: Run, ids: list[str]) -> None:
    taken = rj.vault / "interactions/2026/2026-03-15 Call with Jane Doe k7q2.md"
    taken.write_text("mine\n")
    result = rj("log", "Jane Doe", "--kind", "call")
    assert result.stdout == "interactions/2026/2026-03-15 Call with Jane Doe zz01.md\n"
    assert taken.read_text() == "mine\n"


def test_names_in_file_names() -> None:
    assert names_phrase(["Ann"]) == "Ann"
    assert names_phrase(["Ann", "Bo"]) == "Ann and Bo"
    assert names_phrase(["Ann", "Bo", "Cy"]) == "Ann, Bo and Cy"
    assert names_phrase(["Ann", "Bo", "Cy", "Di", "Ed"]) == "Ann, Bo and 3 others"
    entry = NewInteraction(dt.date(2026, 1, 2), ('Ann: "the boss"', "Bo#1"), kind="gift")
    assert file_stem(entry, "x1y2") == "2026-01-02 Gift with Ann the boss and Bo 1 x1y2"
    assert len(file_stem(NewInteraction(dt.date(2026, 1, 2), ("N" * 300,)), "abcd")) < 200


_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@given(outcome=_TEXT, action=_TEXT, gave=st.lists(_TEXT, max_size=3), name=_TEXT.filter(str.strip))
def test_rendered_notes_read_back_exactly(outcome: str, action: str, gave: list[str], name: str) -> None:
    entry = NewInteraction(dt.date(2026, 3, 15), (name,), kind="call", outcome=outcome, next_action=action,
                           gave=tuple(gave))
    text = render(entry)
    front = yaml.safe_load(text.split("\n---\n", 1)[0].removeprefix("---\n"))
    assert front["with"] == [f"[[{name}]]"]
    assert front.get("outcome", "") == outcome
    assert front.get("next_action", "") == action
    assert front.get("gave", []) == gave
    assert front["date"] == dt.date(2026, 3, 15)


def test_write_interaction_needs_someone(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="at least one person"):
        write_interaction(Settings(root=tmp_path, name="t"), NewInteraction(dt.date(2026, 1, 1), ()))


def test_written_note_parses_cleanly(tmp_path: Path) -> None:
    settings = Settings(root=tmp_path, name="t")
    rel = write_interaction(settings, NewInteraction(dt.date(2026, 1, 1), ("Ann",), kind="call", note="hi"))
    parsed = parse_note(rel, (tmp_path / rel).read_bytes(), settings)
    assert parsed.kind == "interaction" and not parsed.problems
    assert parsed.body == "hi\n"


# ---- two clones of one git vault -------------------------------------------------------------------------
def git(cwd: Path, *args: str) -> str:
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.invalid", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.invalid", GIT_MERGE_AUTOEDIT="no", GIT_CONFIG_NOSYSTEM="1",
               HOME=str(cwd))
    done = subprocess.run(["git", "-c", "init.defaultBranch=main", "-c", "pull.rebase=false", *args], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stdout}{done.stderr}"
    return done.stdout


@pytest.fixture
def clones(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    git(tmp_path, "init", "-q", "--bare", "origin.git")
    git(tmp_path, "clone", "-q", "origin.git", "alice")
    alice = tmp_path / "alice"
    write_note(alice, "people/Jane Doe.md", "---\ntype: person\ncadence: 30d\n---\n")
    write_note(alice, ".gitignore", ".reljournal/\n")
    (alice / ".reljournal.toml").write_text('[vault]\nname = "Team"\n')
    git(alice, "add", "-A")
    git(alice, "commit", "-q", "-m", "vault")
    git(alice, "push", "-q", "origin", "HEAD:main")
    git(tmp_path, "clone", "-q", "origin.git", "bob")
    yield alice, tmp_path / "bob"


def test_two_clones_log_the_same_person_the_same_day_and_merge(clones: tuple[Path, Path], run_in: Any) -> None:
    alice, bob = clones
    for clone, note in ((alice, "Alice's lunch"), (bob, "Bob's call")):
        result = run_in(clone)("log", "Jane Doe", "--kind", "call", "--note", note)
        assert result.exit_code == 0
        git(clone, "add", "-A")
        git(clone, "commit", "-q", "-m", f"log: {note}")
    git(alice, "push", "-q", "origin", "HEAD:main")
    git(bob, "pull", "-q", "--no-edit", "origin", "main")  # a merge: both added a file the same day
    assert git(bob, "log", "--merges", "--format=%s") != ""  # the histories really diverged and merged
    git(bob, "push", "-q", "origin", "HEAD:main")
    git(alice, "pull", "-q", "--no-edit", "origin", "main")
    assert git(bob, "status", "--porcelain") == "" and git(alice, "status", "--porcelain") == ""
    for clone in (alice, bob):
        notes = sorted(p.name for p in (clone / "interactions/2026").iterdir())
        assert len(notes) == 2 and all(n.startswith("2026-03-15 Call with Jane Doe ") for n in notes)
        bodies = sorted(p.read_text().rsplit("---\n", 1)[1] for p in (clone / "interactions/2026").iterdir())
        assert bodies == ["Alice's lunch\n", "Bob's call\n"]
        assert run_in(clone)("check").exit_code == 0

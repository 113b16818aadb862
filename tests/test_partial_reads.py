"""`show`, `prep` and the account plan read one person's interactions, not the whole vault, and give what
reading everything gives: every person and organisation of the test vaults, and one vault of lookalikes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import DATA, copy_vault, write_note

from reljournal.accounts import account_plan
from reljournal.app import Journal
from reljournal.model import Org, Person
from reljournal.prep import prep
from reljournal.queries import View, find, person_detail

TODAY = "2026-06-18"

LOOKALIKES = {
    # Jane is named by her alias, by a folder-qualified link, and in tasks of other notes.
    "interactions/2026/2026-06-10 Call with Jane.md": """
        ---
        type: interaction
        date: 2026-06-10
        with: ["[[Jane]]", "[[people/Priya Shah]]"]
        kind: call
        ---
        - [ ] [[Jane Doe]] to send the deck 📅 2026-06-30
        """,
    # A plain note called like a person: a link to it, folder-qualified, is no contact with her.
    "notes/Priya Shah.md": "Someone else's notes.\n\n- [ ] ask [[Priya Shah]] about it\n",
    "interactions/2026/2026-06-12 About notes.md": """
        ---
        type: interaction
        date: 2026-06-12
        with: ["[[notes/Priya Shah]]"]
        ---
        Not a meeting with Priya.
        """,
    # A task elsewhere that names Jane, one that names nobody known, and one in a person's note.
    "notes/Plans.md": "- [ ] [[Jane]]: intro to Bob 📅 2026-07-01\n- [ ] call [[Nobody Known]]\n",
    "people/Leo Park.md": """
        ---
        type: person
        tier: B
        ---
        - [ ] remind [[Jane Doe]] of the offsite
        """,
    # Undated, and broken: neither is in anyone's history.
    "interactions/2026/Undated with Jane.md": "---\ntype: interaction\nwith: [\"[[Jane Doe]]\"]\n---\n",
    "interactions/2026/Broken with Jane.md": "---\ntype: interaction\nwith: [[[Jane Doe]]\n---\n",
}


def lookalikes(tmp_path: Path) -> Path:
    vault = copy_vault("views", tmp_path)
    for rel, text in LOOKALIKES.items():
        write_note(vault, rel, text)
    return vault


@pytest.fixture(params=["views", "accounts", "query", "good", "lookalikes"])
def vault(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    return lookalikes(tmp_path) if request.param == "lookalikes" else copy_vault(request.param, tmp_path)


@pytest.fixture
def views(vault: Path) -> Iterator[tuple[View, View]]:
    """(a view that has read nothing yet, a view that has read every record)."""
    lazy, eager = Journal.open(vault, TODAY), Journal.open(vault, TODAY)
    try:
        everything = eager.view()
        assert everything.by_path and everything.history is not None
        yield lazy.view(), everything
    finally:
        lazy.close()
        eager.close()


def test_the_data_folder_holds_the_vaults() -> None:
    assert all((DATA / "vaults" / name).is_dir() for name in ("views", "accounts", "query", "good"))


def test_one_person_or_org_reads_what_reading_everything_gives(views: tuple[View, View]) -> None:
    lazy, eager = views
    people = [p.title for p in eager.people]
    orgs = [o.title for o in eager.orgs]
    assert people
    for title in people:
        if _ambiguous(eager, title):
            continue
        mine, theirs = find(lazy, title), find(eager, title)
        assert isinstance(mine, Person) and isinstance(theirs, Person)
        assert person_detail(lazy, mine) == person_detail(eager, theirs), title
        assert prep(lazy, mine) == prep(eager, theirs), title
        assert prep(lazy, mine).as_json() == prep(eager, theirs).as_json(), title
    for title in orgs:
        if _ambiguous(eager, title):
            continue
        org, theirs_org = find(lazy, title), find(eager, title)
        assert isinstance(org, Org) and isinstance(theirs_org, Org)
        assert account_plan(lazy, org) == account_plan(eager, theirs_org), title
    assert "_rest" not in lazy.__dict__ and "history" not in lazy.__dict__  # no interaction read but theirs


def test_the_lookalikes_are_told_apart(tmp_path: Path) -> None:
    journal = Journal.open(lookalikes(tmp_path), TODAY)
    try:
        view = journal.view()
        jane, priya = find(view, "Jane Doe"), find(view, "Priya Shah")
        assert isinstance(jane, Person) and isinstance(priya, Person)
        brief = prep(view, jane)
        assert "interactions/2026/2026-06-10 Call with Jane.md" in [h.path for h in brief.detail.timeline]
        assert {(f.path, f.text) for f in brief.they_owe + brief.you_owe} >= {
            ("notes/Plans.md", "[[Jane]]: intro to Bob"), ("people/Leo Park.md", "remind [[Jane Doe]] of the offsite"),
            ("interactions/2026/2026-06-10 Call with Jane.md", "[[Jane Doe]] to send the deck")}
        timeline = [h.path for h in person_detail(view, priya).timeline]
        assert "interactions/2026/2026-06-10 Call with Jane.md" in timeline
        assert "interactions/2026/2026-06-12 About notes.md" not in timeline
        assert not any("Undated" in p or "Broken" in p for p in timeline + [h.path for h in brief.detail.timeline])
        assert "_rest" not in view.__dict__
    finally:
        journal.close()


def _ambiguous(view: View, title: str) -> bool:
    """A title two notes share (the lookalike `notes/Priya Shah.md` is a plain note, so `find` is fine)."""
    return sum(1 for r in (*view.people, *view.orgs) if r.title.casefold() == title.casefold()) > 1

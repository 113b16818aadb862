"""`show`, `prep` and the account plan read one person's interactions, not the whole vault, and give what
reading everything gives: every person and organisation of the test vaults, and one vault of lookalikes."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from conftest import DATA, copy_vault, write_note

from reljournal.accounts import account_plan
from reljournal.agenda import agenda
from reljournal.app import Journal
from reljournal.lookup import find
from reljournal.model import Org, Person
from reljournal.prep import prep
from reljournal.queries import View, check, person_detail

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
    # For the agenda of TODAY and 7 days (to 2026-06-24): a task due and a meeting on its last day, a note
    # on a day of it (kind `note`: no meeting), a task done in it, and a task due the day after.
    "notes/Edge.md": "- [ ] on the last day 📅 2026-06-24\n- [x] done 📅 2026-06-20\n- [ ] later 📅 2026-06-25\n",
    "interactions/2026/2026-06-24 Lunch with Jane.md": """
        ---
        type: interaction
        date: 2026-06-24
        kind: lunch
        with: ["[[Jane Doe]]"]
        ---
        - [ ] book the table 📅 2026-06-25
        """,
    "interactions/2026/2026-06-20 Thoughts on Jane.md": "---\ntype: interaction\ndate: 2026-06-20\nkind: note\n"
                                                        "with: [\"[[Jane Doe]]\"]\n---\n",
    # `with:` links naming nobody, one twice on one line, and Jane in a folder she is not in: for `check`.
    "interactions/2026/2026-06-14 Unknowns.md": """
        ---
        type: interaction
        date: 2026-06-14
        with: ["[[Nobody Known]]", "[[nobody known]]", "[[elsewhere/Jane Doe]]", "[[Jane]]"]
        ---
        """,
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
    people = list(same_notes(lazy, eager, eager.people))
    assert people
    for mine, theirs in people:
        assert person_detail(lazy, mine) == person_detail(eager, theirs), mine.title
        assert prep(lazy, mine) == prep(eager, theirs), mine.title
        assert prep(lazy, mine).as_json() == prep(eager, theirs).as_json(), mine.title
    for org, theirs_org in same_notes(lazy, eager, eager.orgs):
        assert isinstance(org, Org) and isinstance(theirs_org, Org)
        assert account_plan(lazy, org) == account_plan(eager, theirs_org), org.title
    assert "_rest" not in lazy.__dict__ and "history" not in lazy.__dict__  # no interaction read but theirs


def same_notes(lazy: View, eager: View, records: Sequence[Person | Org]) -> Iterator[tuple[Any, Any]]:
    """Each person or organisation as `find` gives it in either view (titles two of them share left out)."""
    for r in records:
        if sum(1 for o in (*eager.people, *eager.orgs) if o.title.casefold() == r.title.casefold()) == 1:
            mine, theirs = find(lazy, r.title), find(eager, r.title)
            assert type(mine) is type(theirs) is type(r)
            yield mine, theirs


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


@pytest.mark.parametrize("name", ["views", "accounts", "query", "good", "broken", "lookalikes"])
def test_check_reads_no_interaction_and_finds_the_same(name: str, tmp_path: Path) -> None:
    """`check` finds every problem reading everything finds, from the index's link rows."""
    vault = lookalikes(tmp_path) if name == "lookalikes" else copy_vault(name, tmp_path)
    lazy, eager = Journal.open(vault, TODAY), Journal.open(vault, TODAY)
    try:
        everything = eager.view()
        assert everything.by_path
        view = lazy.view()
        found = check(view)
        assert found == check(everything)
        assert "_rest" not in view.__dict__
        if name == "lookalikes":
            unknown = {(p.source.line, p.message) for p in found if p.source.path.endswith("Unknowns.md")}
            assert unknown == {(4, "with: no note named 'Nobody Known'"), (4, "with: no note named 'nobody known'"),
                               (4, "with: no note named 'Jane Doe'")}
    finally:
        lazy.close()
        eager.close()


@pytest.mark.parametrize("today", ["2026-03-01", TODAY, "2027-01-01"])
@pytest.mark.parametrize("days", [1, 7, 400])
def test_agenda_reads_the_notes_of_its_window_and_shows_the_same(vault: Path, today: str, days: int) -> None:
    """The agenda reads, of the interactions and plain notes, those with a meeting or an open task in its
    window (or overdue): what it shows is what reading every note shows."""
    lazy, eager = Journal.open(vault, today), Journal.open(vault, today)
    try:
        everything = eager.view()
        assert everything.by_path
        view = lazy.view()
        shown = [item.as_json() for item in agenda(view, days)]
        assert shown == [item.as_json() for item in agenda(everything, days)]
        assert "_rest" not in view.__dict__
    finally:
        lazy.close()
        eager.close()

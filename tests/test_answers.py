"""The answers the index stores per person and day (`View.answers`, table `answers`) equal the rules run on
every person's contacts, after any sequence of edits, whether the watcher re-reads single files or a command
walks the vault, whether a few people are worked out again by a view of just them or many by the whole
vault, and across days."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import shutil
import tempfile
from pathlib import Path
from unittest import mock

import pytest
from conftest import VAULTS, write_note
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_livefeed import apply_edits, edits, quiet_people
from test_week import counted_from_records

from reljournal import queries
from reljournal.agenda import agenda
from reljournal.app import Journal
from reljournal.cli.agenda import render
from reljournal.index.sync import reindex
from reljournal.jsontext import json_item
from reljournal.queries import (
    DueOptions,
    Filters,
    PersonAnswer,
    PersonLine,
    View,
    due,
    people,
    people_json_items,
    people_lines,
)
from reljournal.querylang import query
from reljournal.week import contact_days, week

DAYS = [dt.date(2026, 3, 15), dt.date(2026, 3, 16), dt.date(2026, 4, 30), dt.date(2026, 11, 25)]


def reference(journal: Journal, today: dt.date) -> dict[str, PersonAnswer]:
    """Every person's answer (all `people --json` says and their organisation), the rules run on their contacts
    now: nothing stored is read."""
    view = View(journal.settings, today, journal.index)
    return {p.path: view.computed_answer(p) for p in view.people}


def stored(journal: Journal, today: dt.date) -> dict[str, PersonAnswer]:
    view = View(journal.settings, today, journal.index)
    found = dict(view.answers)
    assert journal.index.stale_answers(today) == []  # worked out and kept
    return found


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(st.tuples(edits(), st.sampled_from(DAYS), st.booleans()), min_size=1, max_size=4),
       share=st.sampled_from([0.0, 1.0]))
def test_stored_answers_equal_the_rules_after_every_edit(
        steps: list[tuple[list[tuple[str, str, str | None]], dt.date, bool]], share: float) -> None:
    """`share` 1.0: the people a change touched are worked out by a view of just them; 0.0: by the whole
    vault's view. Each step re-indexes as the watcher does (its paths) or as a command does (a walk)."""
    with tempfile.TemporaryDirectory() as tmp, mock.patch.object(queries, "STORED_SHARE", share):
        root = Path(tmp) / "feed"
        shutil.copytree(VAULTS / "feed", root)
        journal = Journal.open(root, "2026-03-15")
        try:
            journal.sync()
            assert stored(journal, DAYS[0]) == reference(journal, DAYS[0])
            for step, today, walk in steps:
                touched = apply_edits(root, step)
                reindex(journal.settings, journal.index, paths=None if walk else touched)
                assert stored(journal, today) == reference(journal, today)
                assert_rows_agree(journal, today)
        finally:
            journal.close()


def assert_rows_agree(journal: Journal, today: dt.date) -> None:
    """What `orgs` and `week` read from rows (stakeholders from the answers, contacts per day from SQLite)
    equals what the records say."""
    view = View(journal.settings, today, journal.index)
    by_records: dict[str, list[str]] = {}
    for p in sorted(view.people, key=lambda p: (p.title.casefold(), p.path)):
        org = view.org_of(p)
        if p.active and org is not None:
            by_records.setdefault(org.path, []).append(p.path)
    rows = View(journal.settings, today, journal.index)
    assert {o: [a.path for a in found] for o, found in rows.stakeholders.items()} == by_records
    # what `orgs` shows of them, from the columns it reads, as from their answers worked out now
    answers = reference(journal, today)
    assert View(journal.settings, today, journal.index).stakeholder_lines() == {
        o: tuple(PersonLine.of(answers[path]) for path in paths) for o, paths in by_records.items()}
    assert contact_days(View(journal.settings, today, journal.index)) == counted_from_records(view)
    for options in (DueOptions(), DueOptions(within=0), DueOptions(within=40), DueOptions(overdue=True),
                    DueOptions(all=True)):  # the rows due by a day from SQL, as from all the answers
        read = View(journal.settings, today, journal.index)
        read.answers  # noqa: B018
        assert due(View(journal.settings, today, journal.index), options) == due(read, options)
    assert week(View(journal.settings, today, journal.index)) == week(read)  # its overdue top tier: their rows
    for days in (1, 30, 400):  # the agenda's tasks from rows, its meetings from the few records: as from all records
        warm = View(journal.settings, today, journal.index)
        assert warm.records is not None and not warm.from_rows
        assert agenda_json(View(journal.settings, today, journal.index), days) == agenda_json(warm, days)
    # its reach-outs and tasks name people by their answers, not their records: filtered and shown as by the records
    for filters in (Filters(tiers=("a",)), Filters(tags=("client", "private")), Filters(owners=("alice",)),
                    Filters(relationships=("client",)), Filters(orgs=("lagos bank",))):
        warm = View(journal.settings, today, journal.index)
        assert warm.records is not None
        assert agenda_json(View(journal.settings, today, journal.index), 30, filters) == agenda_json(warm, 30, filters)
    assert agenda_text(View(journal.settings, today, journal.index)) == agenda_text(warm)
    # `people --json`'s objects as the index keeps them, as the answers worked out now write them
    by_name = sorted(reference(journal, today).values(), key=lambda a: (a.title.casefold(), a.path))
    # `people`'s lines from the stored columns it shows, as from the answers worked out now
    assert people_lines(View(journal.settings, today, journal.index)) == [PersonLine.of(a) for a in by_name]
    some = frozenset(a.path for a in by_name[::2])
    for filters, only in ((Filters(), None), (Filters(tiers=("a",)), None), (Filters(), some)):
        expected = [json_item(a.people_json()) for a in by_name
                    if filters.admits(a) and (only is None or a.path in only)]
        assert people_json_items(View(journal.settings, today, journal.index), filters, only) == expected


def agenda_text(view: View) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        render(agenda(view, 30), view, 30)
    return out.getvalue()


def agenda_json(view: View, days: int, filters: Filters | None = None) -> list[dict[str, object]]:
    return [{**item.as_json(), "line": item.event.line} for item in agenda(view, days, filters)]


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    root = tmp_path / "feed"
    shutil.copytree(VAULTS / "feed", root)
    opened = Journal.open(root, "2026-03-15")
    opened.sync()
    View(opened.settings, opened.today, opened.index).answers  # noqa: B018  (stored for the day)
    return opened


def test_an_interaction_drops_the_answers_of_the_people_it_names_only(journal: Journal) -> None:
    root = journal.settings.root
    everyone = len(journal.index.stale_answers(dt.date(2030, 1, 1)))
    write_note(root, "interactions/2026/Lunch.md", """
        ---
        type: interaction
        date: 2026-03-14
        with: ["[[Ada Obi]]", "[[Bola Ade]]"]
        ---
    """)
    journal.sync()
    assert journal.index.stale_answers(journal.today) == ["people/Ada Obi.md", "people/Bola Ade.md"]
    assert everyone > 5
    rows = {a.path: a for a in View(journal.settings, journal.today, journal.index).answers.values()}
    assert rows["people/Ada Obi.md"].last == dt.date(2026, 3, 14)
    # Ada taken out: her answer goes too (the names the note named before the change count)
    write_note(root, "interactions/2026/Lunch.md", """
        ---
        type: interaction
        date: 2026-03-14
        with: ["[[Bola Ade]]"]
        ---
    """)
    journal.sync()
    assert journal.index.stale_answers(journal.today) == ["people/Ada Obi.md", "people/Bola Ade.md"]
    assert stored(journal, journal.today) == reference(journal, journal.today)


def test_an_organisation_drops_the_answers_of_its_people(journal: Journal) -> None:
    root = journal.settings.root
    view = View(journal.settings, journal.today, journal.index)
    member_of = {p.path: o.path for p in view.people if p.active and (o := view.org_of(p)) is not None}
    org = next(o for o in view.orgs if o.path in member_of.values())
    members = sorted(p for p, o in member_of.items() if o == org.path)
    text = (root / org.path).read_text(encoding="utf-8")
    (root / org.path).write_text(text.replace("---\n", "---\nowner: zed\n", 1), encoding="utf-8")
    journal.sync()
    stale = journal.index.stale_answers(journal.today)
    assert set(members) <= set(stale) and len(stale) < len(view.people)
    assert stored(journal, journal.today) == reference(journal, journal.today)
    assert {stored(journal, journal.today)[p].owner for p in members} <= {"zed", *(
        a.owner for a in view.answers.values())}


def test_a_new_day_gives_every_answer_as_the_rules_do(journal: Journal) -> None:
    next_day = journal.today + dt.timedelta(days=1)
    assert len(journal.index.stale_answers(next_day)) == len(View(journal.settings, next_day, journal.index).people)
    view = View(journal.settings, next_day, journal.index)
    assert [a.people_json() for a in people(view)] == [
        view.computed_answer(p).people_json() for p in sorted(view.people, key=lambda p: (p.title.casefold(), p.path))]
    assert journal.index.stale_answers(next_day) == []


def test_people_json_writes_the_texts_it_reads_and_a_change_drops_its_people_s(journal: Journal) -> None:
    """The `people --json` objects are kept beside the answers, written by the first listing that needs them
    (or the watcher): a new day's other listings do not pay for them. A change drops them with the answers."""
    index, today = journal.index, journal.today
    everyone = index.answers_without_text(today)
    assert len(everyone) == index.people_count()  # the fixture's answers, stored without their texts
    expected = [json_item(a.people_json()) for a in sorted(reference(journal, today).values(),
                                                           key=lambda a: (a.title.casefold(), a.path))]
    index.db.execute("PRAGMA query_only = ON")  # read-only: the texts made from the stored answers, none stored
    try:
        assert people_json_items(View(journal.settings, today, journal.index)) == expected
    finally:
        index.db.execute("PRAGMA query_only = OFF")
    assert index.answers_without_text(today) == everyone
    assert people_json_items(View(journal.settings, today, journal.index)) == expected
    assert index.answers_without_text(today) == []
    write_note(journal.settings.root, "interactions/2026/Lunch.md", """
        ---
        type: interaction
        date: 2026-03-14
        with: ["[[Ada Obi]]"]
        ---
    """)
    journal.sync()
    View(journal.settings, today, journal.index).keep_answers()
    assert index.answers_without_text(today) == ["people/Ada Obi.md"]
    with mock.patch.object(queries, "next_contact", side_effect=AssertionError("the rules ran")):
        items = people_json_items(View(journal.settings, today, journal.index))  # Ada's text from her stored row
    assert '"last": "2026-03-14"' in next(i for i in items if '"path": "people/Ada Obi.md"' in i)
    assert index.answers_without_text(today) == []
    (journal.settings.root / "interactions/2026/Lunch.md").unlink()
    journal.sync()
    View(journal.settings, today, journal.index).keep_answers(texts=True)  # as the watcher does: with the answers
    assert index.answers_without_text(today) == []
    assert people_json_items(View(journal.settings, today, journal.index)) == expected
    tomorrow = today + dt.timedelta(days=1)
    View(journal.settings, tomorrow, journal.index).keep_answers()  # a new day's answers replace the rows
    assert len(index.answers_without_text(tomorrow)) == len(everyone)  # and their texts go with them
    journal.index.db.execute("PRAGMA query_only = ON")  # read-only: written by none, the same objects
    try:
        after = today + dt.timedelta(days=2)
        assert people_json_items(View(journal.settings, after, journal.index)) == [
            json_item(a.people_json()) for a in people(View(journal.settings, after, journal.index))]
    finally:
        journal.index.db.execute("PRAGMA query_only = OFF")


def test_a_new_day_works_out_again_only_the_answers_it_can_change(journal: Journal) -> None:
    """A meeting with Ada tomorrow becomes her last contact then: her answer is worked out again, as are those
    whose next date is the day itself (`never`); the others are carried to the new day as they were."""
    today, tomorrow = journal.today, journal.today + dt.timedelta(days=1)
    write_note(journal.settings.root, "interactions/2026/Tomorrow.md", f"""
        ---
        type: interaction
        date: {tomorrow.isoformat()}
        with: ["[[Ada Obi]]"]
        ---
    """)
    write_note(journal.settings.root, "people/Nova Nwosu.md", """
        ---
        type: person
        cadence: 30d
        ---
    """)  # never contacted: her next date is each day itself
    journal.sync()
    View(journal.settings, today, journal.index).keep_answers(texts=True)
    before = stored(journal, today)
    with mock.patch.object(queries, "next_contact", wraps=queries.next_contact) as rules:
        assert View(journal.settings, tomorrow, journal.index).keep_answers(texts=True) < len(before)
    ran = {call.args[0].path for call in rules.call_args_list}
    never = {p for p, a in before.items() if a.rule is not None and a.rule.reason == "never"}
    assert "people/Ada Obi.md" in ran and never == {"people/Nova Nwosu.md"} <= ran and len(ran) < len(before)
    after = stored(journal, tomorrow)
    assert after == reference(journal, tomorrow)
    assert after["people/Ada Obi.md"].last == tomorrow != before["people/Ada Obi.md"].last
    assert journal.index.answers_without_text(tomorrow) == []  # the carried ones' texts written again (`days`)
    assert people_json_items(View(journal.settings, tomorrow, journal.index)) == [
        json_item(a.people_json()) for a in sorted(reference(journal, tomorrow).values(),
                                                   key=lambda a: (a.title.casefold(), a.path))]


def test_due_reads_the_stored_rows(journal: Journal) -> None:
    """Once stored, `due` does not run the rules: the answers are read back as they were kept."""
    view = View(journal.settings, journal.today, journal.index)
    with mock.patch.object(queries, "next_contact", side_effect=AssertionError("the rules ran")):
        rows = due(view, DueOptions(all=True))
    assert rows and [r.due_json() for r in rows] == [
        r.due_json() for r in sorted((View(journal.settings, journal.today, journal.index).computed_answer(p)
                                      for p in view.people if p.active),
                                     key=lambda a: (a.rule.next if a.rule and a.rule.next else dt.date.max,
                                                    a.title.casefold(), a.path))
        if r.rule and r.rule.next]


def test_a_read_only_index_answers_without_storing(journal: Journal, tmp_path: Path) -> None:
    next_day = journal.today + dt.timedelta(days=3)
    journal.index.db.execute("PRAGMA query_only = ON")
    try:
        found = dict(View(journal.settings, next_day, journal.index).answers)
    finally:
        journal.index.db.execute("PRAGMA query_only = OFF")
    assert found == reference(journal, next_day)
    assert journal.index.stale_answers(next_day)  # nothing was stored


@pytest.mark.parametrize("name", sorted(p.name for p in VAULTS.iterdir() if p.is_dir()))
def test_every_test_vault_gets_the_same_rows(tmp_path: Path, name: str) -> None:
    shutil.copytree(VAULTS / name, tmp_path / name, symlinks=True)
    opened = Journal.open(tmp_path / name, "2026-03-15", tolerate_bad_settings=True)
    try:
        opened.sync()
        for today in DAYS:
            assert stored(opened, today) == reference(opened, today)
            assert_rows_agree(opened, today)
    finally:
        opened.close()


@pytest.mark.parametrize("name", ["feed", "views", "query", "good"])
@pytest.mark.parametrize("text", ["overdue", "-overdue", "due<=0d", "next<7d", "last>30d", "tier:A", "status:dormant",
                                  "owner:alice OR owner:ana", "tag:client", "type:person", "relationship:client"])
def test_people_terms_from_answers_find_what_the_records_find(tmp_path: Path, name: str, text: str) -> None:
    """`query` answers the terms on people from their stored answers; reading every record says the same."""
    shutil.copytree(VAULTS / name, tmp_path / name, symlinks=True)
    for today in DAYS:
        lazy = Journal.open(tmp_path / name, today.isoformat(), tolerate_bad_settings=True)
        eager = Journal.open(tmp_path / name, today.isoformat(), tolerate_bad_settings=True)
        try:
            everything = eager.view()
            assert everything.by_path  # every record read: the predicates run on records
            lazy.view().answers  # noqa: B018  (worked out and stored for the day)
            rows = lazy.view()
            assert [r.as_json() for r in query(rows, text)] == [r.as_json() for r in query(everything, text)]
            assert "_core" not in rows.__dict__  # no person's record was read to answer
        finally:
            lazy.close()
            eager.close()


def test_the_agenda_reads_only_the_people_it_shows_and_misses_none(journal: Journal) -> None:
    """Of the people and organisations, the agenda reads those with something dated in its days, and those
    its events name: a meeting in a snoozed person's Log (their next contact after it), a birthday, a task
    in a person's note naming someone with nothing dated; each item as from every record."""
    root = journal.settings.root
    quiet_people(root)  # a journal where most people have nothing dated soon
    write_note(root, "people/Snoozed Sam.md", "---\ntype: person\ncadence: 30d\nsnooze: 2026-05-30\n---\n"
               "## Log\n- 2026-03-20 lunch: at the club\n")
    write_note(root, "people/Bday Bo.md", "---\ntype: person\ncadence: none\nbirthday: --03-25\n---\n")
    write_note(root, "people/Tasked Tia.md", "---\ntype: person\ncadence: none\n---\n"
               "- [ ] send [[Quiet Quinn]] the deck 📅 2026-03-18\n")
    write_note(root, "people/Quiet Quinn.md", "---\ntype: person\ncadence: none\n---\n")
    journal.sync()
    View(journal.settings, journal.today, journal.index).answers  # noqa: B018  (stored, as the watcher does)
    rows = View(journal.settings, journal.today, journal.index)
    shown = agenda_json(rows, 30)
    warm = View(journal.settings, journal.today, journal.index)
    assert warm.records is not None
    assert shown == agenda_json(warm, 30)
    said = {(item["title"], tuple(item["people"])) for item in shown}  # type: ignore[arg-type]
    assert {("Lunch with Snoozed Sam", ("Snoozed Sam",)), ("Birthday: Bday Bo", ("Bday Bo",)),
            ("send Quiet Quinn the deck", ("Quiet Quinn",))} <= said
    assert "_core" not in rows.__dict__ and "answers" not in rows.__dict__  # not every person nor answer read
    assert len(rows._core_read) < len(warm.people)

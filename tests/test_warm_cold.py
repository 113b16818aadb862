"""A `View` reads what a command needs and keeps it (people first, interactions when asked, answers from the
index): caches that must not change an answer. Every command's answer from a cold view equals the one from a
view that has read everything first."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import VAULTS

from reljournal.accounts import account_plan, orgs
from reljournal.agenda import agenda
from reljournal.app import Journal
from reljournal.prep import prep
from reljournal.queries import DueOptions, View, check, due, people, person_detail
from reljournal.querylang import query
from reljournal.week import week


def everything(view: View) -> View:
    """The view with every record, the history of every person and every interaction's people read."""
    assert view.by_path is not None and view.history is not None and view.participants is not None
    return view


ANSWERS: dict[str, Callable[[View], Any]] = {
    "due": lambda v: [r.due_json() for r in due(v, DueOptions(all=True))],
    "people": lambda v: [r.people_json() for r in people(v)],
    "orgs": lambda v: [r.as_json() for r in orgs(v)],
    "week": lambda v: week(v).as_json(),
    "agenda": lambda v: [i.as_json() for i in agenda(v, 30)],
    "check": lambda v: [str(p) for p in check(v)],
    "query": lambda v: [r.as_json() for r in query(v, "tier:A OR overdue OR kind:call OR tag:client")],
    "show": lambda v: [(d.row.answer.people_json(), [h.path for h in d.timeline], [f.text for f in d.follow_ups])
                       for p in v.people for d in [person_detail(v, p)]],
    "show org": lambda v: [(plan.row.as_json(), [c.member for c in plan.contributions], plan.interactions)
                           for o in v.orgs for plan in [account_plan(v, o)]],
    "prep": lambda v: [prep(v, p).as_json() for p in v.people],
}


@pytest.mark.parametrize("name", sorted(p.name for p in VAULTS.iterdir() if p.is_dir()))
@pytest.mark.parametrize("today", ["2026-03-15", "2026-06-18"])
def test_a_cold_view_answers_as_a_warm_one(tmp_path: Path, name: str, today: str) -> None:
    shutil.copytree(VAULTS / name, tmp_path / name, symlinks=True)
    journal = Journal.open(tmp_path / name, today, tolerate_bad_settings=True)
    try:
        journal.sync()
        for command, answer in ANSWERS.items():
            cold = answer(View(journal.settings, journal.today, journal.index))
            warm = answer(everything(View(journal.settings, journal.today, journal.index)))
            assert cold == warm, command
    finally:
        journal.close()

"""The rules read a summary of each person's interaction notes from SQLite (latest contact, earliest
meeting, latest agreed `next`). It must give every person the same answer as all their contacts would."""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from pathlib import Path

import pytest
from conftest import VAULTS

from reljournal.app import Journal
from reljournal.queries import View
from reljournal.rules import Contact, cadence_of, next_contact

sys.path.insert(0, str(Path(__file__).parent.parent / "benchmarks"))
from generate import generate  # noqa: E402


def from_every_contact(view: View) -> dict[str, object]:
    """The rules over every contact, from the loaded interactions (the straightforward way)."""
    s = view.settings
    out = {}
    for p in view.people:
        if not p.active:
            continue
        contacts = [Contact(h.date, h.interaction.next if h.interaction else None)
                    for h in view.history.get(p.path, [])
                    if h.source != "last_contact" and h.counts]
        out[p.path] = next_contact(p, contacts, view.today, cadence_of(p, s.tiers, s.default_cadence))
    return out


@pytest.mark.parametrize("name", sorted(p.name for p in VAULTS.iterdir() if p.is_dir()))
@pytest.mark.parametrize("today", ["2025-12-31", "2026-03-01", "2026-03-15", "2026-06-18", "2027-01-01"])
def test_every_test_vault_gets_the_same_answers(tmp_path: Path, name: str, today: str) -> None:
    vault = tmp_path / name
    shutil.copytree(VAULTS / name, vault, symlinks=True)
    journal = Journal.open(vault, today, tolerate_bad_settings=True)
    view = journal.view()
    assert view.status == from_every_contact(View(journal.settings, journal.today, journal.index))


def test_a_generated_vault_gets_the_same_answers(tmp_path: Path) -> None:
    generate(tmp_path / "v", people=60, seed=7)
    for today in ("2025-06-01", "2026-03-15", "2026-12-31"):
        journal = Journal.open(tmp_path / "v", today)
        view = journal.view()
        assert len(view.status) == 60
        assert view.status == from_every_contact(View(journal.settings, dt.date.fromisoformat(today), journal.index))

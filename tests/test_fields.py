"""One place for each field: the field tables (`model.FIELDS_OF`) are what the records, the index's columns,
the rows written and read back, the front-matter keys and docs/schema.md are made from."""

from __future__ import annotations

import dataclasses
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from conftest import VAULTS, write_note
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_livefeed import interaction_text, org_text, person_text

from reljournal.app import Journal
from reljournal.index.rows import TABLE_OF, schema_doc
from reljournal.model import FIELDS_OF, FRONT_MATTER_KEYS, INTERACTION, ORG, PERSON, Interaction, NoteBase, Org, Person
from reljournal.parse.note import parse_note

SCHEMA_DOC = (Path(__file__).parent.parent / "docs/schema.md").read_text(encoding="utf-8")
CLASSES = {PERSON: Person, ORG: Org, INTERACTION: Interaction}


@pytest.mark.parametrize("kind", sorted(FIELDS_OF))
def test_a_record_has_exactly_the_fields_of_its_table(kind: str) -> None:
    own = {f.name for f in dataclasses.fields(CLASSES[kind])} - {f.name for f in dataclasses.fields(NoteBase)}
    assert own == {f.name for f in FIELDS_OF[kind]}
    assert set(FRONT_MATTER_KEYS[kind]) == {f.key for f in FIELDS_OF[kind] if f.key}


@pytest.mark.parametrize("kind", sorted(FIELDS_OF))
def test_the_schema_doc_is_written_from_the_table(kind: str) -> None:
    found = re.search(rf"<!-- fields of {kind}: [^\n]*-->\n(.*?)<!-- end of fields -->", SCHEMA_DOC, re.S)
    assert found is not None and found[1] == schema_doc(kind), f"docs/schema.md: the `{TABLE_OF[kind]}` table"


def read_back(root: Path) -> tuple[dict[str, object], dict[str, object]]:
    """Every record as parsed from its bytes, and as the index gives it back."""
    journal = Journal.open(root, "2026-03-15", tolerate_bad_settings=True)
    try:
        journal.sync()
        stored = {r.path: r for r in journal.index.load().records}
        parsed = {}
        for path in stored:
            parsed[path] = parse_note(path, (root / path).read_bytes(), journal.settings).record
        return parsed, stored
    finally:
        journal.close()


@pytest.mark.parametrize("name", sorted(p.name for p in VAULTS.iterdir() if p.is_dir()))
def test_every_record_reads_back_as_it_was_parsed(tmp_path: Path, name: str) -> None:
    shutil.copytree(VAULTS / name, tmp_path / name, symlinks=True)
    parsed, stored = read_back(tmp_path / name)
    broken = {p for p, r in parsed.items() if r is None}  # kept in the index as their last good version
    assert {p: r for p, r in parsed.items() if p not in broken} == {p: r for p, r in stored.items() if p not in broken}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(["person", "org", "interaction"]), st.data()), min_size=1, max_size=6))
def test_random_notes_read_back_as_they_were_parsed(notes: list[tuple[str, st.DataObject]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / ".reljournal.toml").write_text("", encoding="utf-8")
        for n, (kind, data) in enumerate(notes):
            text = data.draw({"person": st.composite(lambda draw: person_text(draw))(),
                              "org": st.composite(lambda draw: org_text(draw))(),
                              "interaction": st.composite(lambda draw: interaction_text(draw))()}[kind])
            folder = {"person": "people", "org": "orgs", "interaction": "interactions"}[kind]
            write_note(root, f"{folder}/N{n}.md", text)
        parsed, stored = read_back(root)
        assert parsed == stored

"""Obsidian vaults as they are (SPEC 11): a vault in the layout Obsidian's CEO publishes (people and
companies in `References/`, meetings in `Notes/`, the kind in `categories`, attendees in `people:`,
templates full of `{{date}}`, daily notes, Bases files) read through `[kinds]`, `[fields]` and the vault's
own `.obsidian/*.json`, without one note changed."""

from __future__ import annotations

import datetime as dt
import json
import re
import tempfile
import textwrap
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reljournal.cli import cli

TODAY = "2026-03-15"
SETTINGS = """\
[kinds]
property = "categories"
person = "[[People]]"
org = "[[Companies]]"
interaction = "[[Meetings]]"

[fields]
with = "people"
last_contact = "last"

[vault]
default_cadence = "30d"
"""
NOTES = {
    "References/Steph Ango.md": """\
        ---
        categories:
          - "[[People]]"
        type:
          - "[[Authors]]"
        org: "[[Obsidian]]"
        created: 2024-01-02
        ---
        Writes about tools.
        """,
    "References/Ana Lima.md": """\
        ---
        categories: ["[[People]]"]
        last: 2026-01-10
        ---
        """,
    "References/Obsidian.md": """\
        ---
        categories:
          - "[[Companies]]"
        ---
        """,
    "Notes/2026-03-01 Product sync.md": """\
        ---
        categories:
          - "[[Meetings]]"
        date: 2026-03-01
        people:
          - "[[Steph Ango]]"
        ---
        Talked about Bases.
        """,
    "Categories/People.md": "---\ntags: [categories]\n---\n![[People.base]]\n",
    "Templates/People Template.md": "---\ncategories:\n  - \"[[People]]\"\ncreated: {{date}}\n---\n",
    "Templates/Meeting Template.md": "---\ncategories:\n  - \"[[Meetings]]\"\ndate: {{date}}\npeople: []\n---\n",
    "Daily/2026-03-02.md": "---\ncategories:\n  - \"[[Meetings]]\"\n---\nA day.\n",
    "Clippings/Some article.md": "---\nbroken: [\n---\n",
    "Attachments/readme.md": "---\nalso: [broken\n---\n",
}
OBSIDIAN = {"templates.json": {"folder": "Templates", "dateFormat": "YYYY-MM-DD"},
            "daily-notes.json": {"folder": "Daily"},
            "app.json": {"userIgnoreFilters": ["Clippings/"], "attachmentFolderPath": "Attachments"}}


def kepano(root: Path) -> Path:
    for rel, text in NOTES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(textwrap.dedent(text), encoding="utf-8")
    (root / "Categories" / "People.base").write_text("views:\n  - type: table\n", encoding="utf-8")
    (root / ".obsidian").mkdir()
    for name, value in OBSIDIAN.items():
        (root / ".obsidian" / name).write_text(json.dumps(value), encoding="utf-8")
    (root / ".reljournal.toml").write_text(SETTINGS, encoding="utf-8")
    return root


def rj(root: Path, *args: str) -> Any:
    return CliRunner().invoke(cli, ["--vault", str(root), "--today", TODAY, *args])


def files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".reljournal" not in p.parts}


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    return kepano(tmp_path / "kepano")


def test_check_is_clean_and_changes_nothing(vault: Path) -> None:
    before = files(vault)
    done = rj(vault, "check")
    assert done.exit_code == 0, done.output  # templates, ignored folders and attachments are not read
    assert files(vault) == before


def test_people_orgs_and_meetings_are_seen(vault: Path) -> None:
    people = {p["name"]: p for p in json.loads(rj(vault, "people", "--json").output)}
    assert set(people) == {"Ana Lima", "Steph Ango"}  # not the template, not the category note
    assert people["Steph Ango"]["last"] == "2026-03-01"  # the meeting's `people:` names her
    assert people["Steph Ango"]["org"] == "Obsidian"
    assert people["Ana Lima"]["last"] == "2026-01-10"  # `last:` is last_contact
    orgs = json.loads(rj(vault, "orgs", "--json").output)
    assert [o["name"] for o in orgs] == ["Obsidian"]
    shown = rj(vault, "show", "Steph Ango").output
    assert "2026-03-01" in shown and "Talked about Bases" in shown
    due = {r["name"]: r for r in json.loads(rj(vault, "due", "--all", "--json").output)}
    assert due["Steph Ango"]["next"] == "2026-03-31"
    query = [r["title"] for r in json.loads(rj(vault, "query", 'with:"Steph Ango"', "--json").output)]
    assert query == ["2026-03-01 Product sync"]


def test_a_daily_note_is_a_plain_note_whatever_it_says(vault: Path) -> None:
    kinds = {r["title"]: r["kind"] for r in json.loads(rj(vault, "query", "type:note", "--json").output)}
    assert kinds.get("2026-03-02") == "note"


def test_set_writes_the_vaults_name_for_a_field(vault: Path) -> None:
    done = rj(vault, "set", "Ana Lima", "last_contact", "2026-03-02")
    assert done.exit_code == 0, done.output
    text = (vault / "References" / "Ana Lima.md").read_text(encoding="utf-8")
    assert "last: 2026-03-02" in text and "last_contact" not in text


def test_a_bad_value_is_reported_under_the_vaults_name(vault: Path) -> None:
    (vault / "References" / "Ana Lima.md").write_text("---\ncategories: [\"[[People]]\"]\nlast: 2026-13-45\n---\n",
                                                      encoding="utf-8")
    done = rj(vault, "check")
    assert done.exit_code == 1 and "References/Ana Lima.md:3: error: last:" in done.output


def test_unknown_fields_are_refused_in_the_settings(vault: Path) -> None:
    (vault / ".reljournal.toml").write_text(SETTINGS.replace('with = "people"', 'whom = "people"'),
                                            encoding="utf-8")
    done = rj(vault, "check")
    assert done.exit_code == 1 and "[fields] whom: not a field reljournal reads" in done.output


OWN_LAYOUT = {
    "people/Steph Ango.md": '---\ntype: person\norg: "[[Obsidian]]"\n---\nWrites about tools.\n',
    "people/Ana Lima.md": "---\ntype: person\nlast_contact: 2026-01-10\n---\n",
    "orgs/Obsidian.md": "---\ntype: org\n---\n",
    "interactions/2026/2026-03-01 Product sync.md":
        '---\ntype: interaction\ndate: 2026-03-01\nwith:\n  - "[[Steph Ango]]"\n---\nTalked about Bases.\n',
}


@pytest.mark.parametrize("command", [["people", "--json"], ["due", "--all", "--json"], ["orgs", "--json"],
                                     ["week", "--json"], ["agenda", "--json"]])
def test_the_mapped_vault_answers_as_the_same_vault_in_reljournals_layout(vault: Path, tmp_path: Path,
                                                                         command: list[str]) -> None:
    own = tmp_path / "own"
    for rel, text in OWN_LAYOUT.items():
        (own / rel).parent.mkdir(parents=True, exist_ok=True)
        (own / rel).write_text(text, encoding="utf-8")
    (own / ".reljournal.toml").write_text('[vault]\ndefault_cadence = "30d"\n', encoding="utf-8")
    mapped, plain = rj(vault, *command), rj(own, *command)
    assert mapped.exit_code == plain.exit_code == 0, (mapped.output, plain.output)
    assert without_paths(json.loads(mapped.output)) == without_paths(json.loads(plain.output))


def test_add_and_log_write_in_the_vaults_style_and_read_back(vault: Path) -> None:
    settings = vault / ".reljournal.toml"
    settings.write_text(SETTINGS + '\n[folders]\npeople = "References"\norgs = "References"\n'
                        'interactions = "Notes"\n', encoding="utf-8")
    before = files(vault)
    added = rj(vault, "add", "person", "Mo Farah", "--role", "Coach")
    assert added.exit_code == 0, added.output
    made = (vault / "References" / "Mo Farah.md").read_text(encoding="utf-8")
    assert '"[[People]]"' in made and "type:" not in made.split("---")[1].replace("type:\n", "")
    assert "created: 2026-" in made  # the vault's own template (Templates/People Template.md), {{date}} filled
    logged = rj(vault, "log", "Mo Farah", "--date", "2026-03-14", "--kind", "call")
    assert logged.exit_code == 0, logged.output
    note = next((vault / "Notes").rglob("*Mo Farah*.md")).read_text(encoding="utf-8")
    assert "categories:" in note and "[[Meetings]]" in note and "people:" in note and "with:" not in note
    assert note.startswith('---\ncategories:\n  - "[[Meetings]]"\ndate: 2026-03-14\n')  # the vault's template
    people = {p["name"]: p for p in json.loads(rj(vault, "people", "--json").output)}
    assert people["Mo Farah"]["last"] == "2026-03-14" and people["Mo Farah"]["role"] == "Coach"
    assert all(files(vault)[rel] == data for rel, data in before.items() if rel != ".reljournal.toml")


def test_a_template_date_takes_the_vaults_format(vault: Path) -> None:
    (vault / ".obsidian" / "templates.json").write_text(json.dumps({"folder": "Templates",
                                                                    "dateFormat": "DD/MM/YYYY"}), encoding="utf-8")
    from reljournal.addnote import moment

    assert moment(dt.datetime(2026, 3, 5, 14, 7), "DD/MM/YYYY [at] HH:mm") == "05/03/2026 at 14:07"
    added = rj(vault, "add", "person", "Mo Farah")
    assert added.exit_code == 0, added.output
    made = next(vault.rglob("Mo Farah.md")).read_text(encoding="utf-8")
    assert re.search(r"created: \S*\d\d/\d\d/\d{4}", made), made


def test_init_existing_finds_the_vaults_conventions_and_changes_no_note(tmp_path: Path) -> None:
    vault = kepano(tmp_path / "kepano")
    (vault / ".reljournal.toml").unlink()
    (vault / "Readme.md").write_text("# My vault\n", encoding="utf-8")
    before = files(vault)
    done = CliRunner().invoke(cli, ["init", "--existing", str(vault)])
    assert done.exit_code == 0, done.output
    assert "notes say their kind in `categories`" in done.output
    settings = (vault / ".reljournal.toml").read_text(encoding="utf-8")
    for line in ('property = "categories"', 'person = "[[People]]"', 'org = "[[Companies]]"',
                 'interaction = "[[Meetings]]"', 'with = "people"', 'people = "References"', 'orgs = "References"',
                 'interactions = "Notes"'):
        assert line in settings, line
    made = set(files(vault)) - set(before)
    assert made == {".reljournal.toml", ".gitignore"}  # no folders, templates, README or Obsidian settings
    assert all(files(vault)[rel] == data for rel, data in before.items())
    assert not any((vault / name).exists() for name in ("people", "orgs", "interactions", "templates"))
    assert rj(vault, "check").exit_code == 0
    assert {p["name"] for p in json.loads(rj(vault, "people", "--json").output)} == {"Ana Lima", "Steph Ango"}


def test_init_existing_on_a_vault_without_conventions_adds_reljournals_layout(tmp_path: Path) -> None:
    vault = tmp_path / "plain"
    (vault / ".obsidian").mkdir(parents=True)
    (vault / "Ideas.md").write_text("# Ideas\n", encoding="utf-8")
    done = CliRunner().invoke(cli, ["init", "--existing", str(vault)])
    assert done.exit_code == 0, done.output
    assert "\n[kinds]" not in (vault / ".reljournal.toml").read_text(encoding="utf-8")
    assert (vault / "people").is_dir() and (vault / "templates" / "Person.md").exists()


def test_a_query_takes_the_vaults_names_for_fields(vault: Path) -> None:
    ours = json.loads(rj(vault, "query", 'with:"Steph Ango"', "--json").output)
    theirs = json.loads(rj(vault, "query", 'people:"Steph Ango"', "--json").output)
    assert ours == theirs and [r["title"] for r in theirs] == ["2026-03-01 Product sync"]


DAYS = ["2026-01-05", "2026-02-20", "2026-03-10", "2026-03-15", "2026-03-20", "2026-04-30"]


@st.composite
def small_vaults(draw: st.DrawFn) -> dict[str, Any]:
    """People (some with a last contact, a cadence, an org), organisations and interactions among them."""
    people = [f"Person {n}" for n in range(draw(st.integers(1, 4)))]
    orgs = [f"Org {n}" for n in range(draw(st.integers(0, 2)))]
    return {
        "people": [{"name": p, "last": draw(st.one_of(st.none(), st.sampled_from(DAYS))),
                    "cadence": draw(st.sampled_from([None, "7d", "30d", "none"])),
                    "org": draw(st.one_of(st.none(), st.sampled_from(orgs))) if orgs else None} for p in people],
        "orgs": orgs,
        "meetings": [{"date": draw(st.sampled_from(DAYS)), "with": draw(st.lists(st.sampled_from(people), min_size=1,
                                                                                 max_size=3, unique=True)),
                      "kind": draw(st.sampled_from(["call", "lunch", "note"]))}
                     for _ in range(draw(st.integers(0, 4)))],
    }


def write_both(spec: dict[str, Any], mapped: Path, own: Path) -> None:
    def put(root: Path, rel: str, lines: list[str], body: str = "") -> None:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("---\n" + "\n".join(lines) + "\n---\n" + body, encoding="utf-8")

    for p in spec["people"]:
        extra = [f'org: "[[{p["org"]}]]"'] if p["org"] else []
        extra += [f'cadence: {p["cadence"]}'] if p["cadence"] else []
        put(mapped, f'References/{p["name"]}.md', ['categories: ["[[People]]"]', *extra]
            + ([f'last: {p["last"]}'] if p["last"] else []))
        put(own, f'people/{p["name"]}.md', ["type: person", *extra]
            + ([f'last_contact: {p["last"]}'] if p["last"] else []))
    for o in spec["orgs"]:
        put(mapped, f"References/{o}.md", ['categories: ["[[Companies]]"]'])
        put(own, f"orgs/{o}.md", ["type: org"])
    for n, m in enumerate(spec["meetings"]):
        attendees = ", ".join(f'"[[{w}]]"' for w in m["with"])
        put(mapped, f"Notes/Meeting {n}.md", ['categories: ["[[Meetings]]"]', f'date: {m["date"]}',
                                            f"people: [{attendees}]", f'kind: {m["kind"]}'])
        put(own, f"interactions/2026/Meeting {n}.md", ["type: interaction", f'date: {m["date"]}',
                                                      f"with: [{attendees}]", f'kind: {m["kind"]}'])
    (mapped / ".reljournal.toml").write_text(SETTINGS, encoding="utf-8")
    (own / ".reljournal.toml").write_text('[vault]\ndefault_cadence = "30d"\n', encoding="utf-8")


def without_paths(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_paths(v) for k, v in value.items() if k != "path"}
    if isinstance(value, list):
        return [without_paths(v) for v in value]
    return value


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=small_vaults())
def test_random_vaults_answer_alike_in_both_layouts(spec: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        mapped, own = Path(tmp) / "mapped", Path(tmp) / "own"
        write_both(spec, mapped, own)
        for command in (["people", "--json"], ["due", "--all", "--json"], ["orgs", "--json"], ["week", "--json"],
                        ["agenda", "--days", "60", "--json"]):
            a, b = rj(mapped, *command), rj(own, *command)
            assert a.exit_code == b.exit_code == 0, (a.output, b.output)
            assert without_paths(json.loads(a.output)) == without_paths(json.loads(b.output)), command


def test_obsidians_settings_count_without_a_reljournal_toml(vault: Path) -> None:
    """A vault found by its `.obsidian` folder alone reads Obsidian's settings too: its templates (full of
    `{{date}}`) are no notes, its ignored folders are not read."""
    (vault / ".reljournal.toml").unlink()
    done = rj(vault, "check")
    assert done.exit_code == 0, done.output
    assert "Templates/" not in done.output and "Clippings/" not in done.output


def test_add_and_log_write_where_each_kind_lives_without_folders_settings(vault: Path) -> None:
    """[kinds] written by hand, no [folders]: new notes go where that kind's notes are, no folder is made."""
    assert rj(vault, "add", "person", "Bo Kim").exit_code == 0
    assert rj(vault, "log", "Bo Kim", "--kind", "coffee").exit_code == 0
    assert (vault / "References" / "Bo Kim.md").exists()
    assert any((vault / "Notes").rglob("*Bo Kim*.md"))
    assert not (vault / "people").exists() and not (vault / "interactions").exists()

"""The first hour with one's own vault (SPEC 3): vault discovery, `add`, names as people type them, the
gist of an interaction in `show` and `prep`, ages in queries, `-` as standard output, options after the
command, output that fits COLUMNS, and the wording a user reads."""

from __future__ import annotations

import json
import os
import re
import tempfile
import textwrap
import unicodedata
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result
from conftest import TODAY, Run, write_note
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reljournal.app import Journal
from reljournal.cli import cli
from reljournal.cli.common import complete_names, complete_orgs, complete_people
from reljournal.lookup import find
from reljournal.names import accent_free, name_key
from reljournal.queries import first_line

PERSON = "---\ntype: person\n---\n"


def tree(root: Path, *, derived: bool = True) -> dict[str, bytes | None]:
    """Every file (its bytes) and folder (None) under `root`: to show that nothing was written anywhere
    (`derived=False`: the index in `.reljournal/` aside, for commands that read a vault)."""
    out: dict[str, bytes | None] = {}
    for folder, dirs, files in os.walk(root):
        if not derived:
            dirs[:] = [d for d in dirs if d != ".reljournal"]
        for name in dirs:
            out[os.path.relpath(os.path.join(folder, name), root)] = None
        for name in files:
            out[os.path.relpath(os.path.join(folder, name), root)] = Path(folder, name).read_bytes()
    return out


def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    """A small vault as a new user keeps one: settings, a template folder made by `init`, people."""
    root = tmp_path / "Relationships"
    assert invoke("--today", TODAY, "init", str(root)).exit_code == 0
    write_note(root, "people/José Núñez.md", PERSON)
    write_note(root, "people/Renée Müller.md", "---\ntype: person\naliases: [Renée]\ncadence: 30d\n---\n")
    write_note(root, "orgs/Acme Corp.md", "---\ntype: org\n---\n")
    return root


# ---- never index a folder that is not a vault ------------------------------------------------------------
COMMANDS = [
    ["due"], ["people"], ["orgs"], ["check"], ["index"], ["agenda"], ["week"], ["feed"], ["query", "x"],
    ["sql", "SELECT 1"], ["show", "x"], ["prep", "x"], ["log", "x"], ["add", "person", "X"], ["add", "org", "X"],
    ["snooze", "x", "2w"], ["set", "x", "tier", "A"], ["export", "vcard"], ["watch"], ["serve"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_outside_a_vault_every_command_stops_and_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                args: list[str]) -> None:
    """A home folder full of Markdown but no marker: exit 2, one line saying how to start, nothing written."""
    home = tmp_path / "home"
    write_note(home, "notes/Ideas.md", "# ideas\n")
    write_note(home, "people/Jane Doe.md", PERSON)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(home / "notes")
    before = tree(tmp_path)
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "no vault here" in lines[0] and "reljournal init" in lines[0] and "--vault" in lines[0]
    assert tree(tmp_path) == before


def test_an_empty_folder_is_not_a_vault_but_init_makes_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.chdir(empty)
    assert invoke("due").exit_code == 2
    assert not (empty / ".reljournal").exists()
    assert invoke("--today", TODAY, "init").exit_code == 0
    assert invoke("--today", TODAY, "due").output == "Nobody is due.\n"
    assert (empty / ".reljournal" / "index.sqlite").is_file()


def test_a_folder_inside_a_vault_is_refused_naming_the_vault(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = tree(vault)
    by_option = invoke("--vault", str(vault / "people"), "people")
    assert by_option.exit_code == 2
    assert by_option.stderr == (f"reljournal: {(vault / 'people').resolve()} is a folder inside the vault "
                                f"{vault.resolve()}; use --vault {vault.resolve()}\n")
    by_env = invoke("people", env={"RELJOURNAL_VAULT": str(vault / "people")})
    assert (by_env.exit_code, by_env.stderr) == (2, by_option.stderr)
    assert tree(vault) == before  # no index made in the wrong folder
    # from inside the vault, the vault is found upwards as git finds its repository
    monkeypatch.chdir(vault / "people")
    assert [p["name"] for p in json.loads(invoke("--today", TODAY, "people", "--json").output)] == [
        "José Núñez", "Renée Müller"]


def test_an_obsidian_vault_is_found_from_a_subfolder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "Obsidian"
    (root / ".obsidian").mkdir(parents=True)
    write_note(root, "people/Ann Lee.md", "---\ntype: person\ncadence: 30d\n---\n")
    (root / "Daily" / "2026").mkdir(parents=True)
    monkeypatch.chdir(root / "Daily" / "2026")
    result = invoke("--today", TODAY, "due", "--json")
    assert result.exit_code == 0 and [d["name"] for d in json.loads(result.output)] == ["Ann Lee"]
    assert (root / ".reljournal").is_dir() and not (root / "Daily" / ".reljournal").exists()


def test_completion_outside_a_vault_offers_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    ctx = click.Context(cli)
    assert complete_names(ctx, click.Argument(["name"]), "j") == []
    assert tree(tmp_path) == {}


# ---- add person, add org ----------------------------------------------------------------------------------
def test_add_person_with_every_option(vault: Path) -> None:
    rj = Run(vault)
    result = rj("add", "person", "Maria Lopez", "--org", "acme corp", "--role", "CFO", "--tier", "A",
                "--cadence", "monthly", "--email", "maria@acme.example", "--email", "m.lopez@gmail.example",
                "--tag", "client", "--tag", "#finance", "--alias", "Mari", "--relationship", "Client",
                "--owner", "alice")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "people/Maria Lopez.md\n", "")
    text = (vault / "people/Maria Lopez.md").read_text(encoding="utf-8")
    front = text.split("---\n")[1].splitlines()
    # the template's lines, filled in place: its comments stay, in their column (26) where there is room
    assert [line.split("  #")[0].rstrip() for line in front[:7]] == [
        "type: person", "aliases: [Mari]", 'org: "[[Acme Corp]]"', "role: CFO", "relationship: client",
        "tier: A", "cadence: monthly"]
    assert [line.index("# ") for line in front[2:7] if "# " in line] == [26, 26, 26, 26]
    assert "email: [maria@acme.example, m.lopez@gmail.example]" in front
    assert "tags: [client, finance]" in front and "owner: alice" in front
    assert "# Maria Lopez\n" in text and f"- {TODAY} note: added to the journal" in text
    assert f"- {TODAY} call:" not in text  # the template's blank Log line is for Obsidian users to fill, not a contact
    assert rj("check").exit_code == 0
    shown = rj("show", "mari").output
    assert "org:           Acme Corp" in shown and "email:         maria@acme.example, m.lopez@gmail.example" in shown
    due = json.loads(rj("due", "--json").output)
    assert [(d["reason"], d["last"]) for d in due if d["name"] == "Maria Lopez"] == [("never", None)]


def test_add_refuses_a_name_or_alias_already_in_the_vault(vault: Path) -> None:
    rj = Run(vault)
    before = tree(vault, derived=False)
    for args, note in ((["RENÉE MÜLLER"], "people/Renée Müller.md"),
                       (["Renee Mueller", "--alias", "renée"], "people/Renée Müller.md"),
                       ([unicodedata.normalize("NFD", "josé núñez")], "people/José Núñez.md"),
                       (["ACME corp"], "orgs/Acme Corp.md")):
        result = rj("add", "person", *args)
        assert result.exit_code == 1, args
        assert f"is already in the vault: {note}; nothing written" in result.stderr
    refused_org = rj("add", "org", "Renée")
    assert refused_org.exit_code == 1 and "people/Renée Müller.md" in refused_org.stderr
    bad = rj("add", "person", "Ada", "--cadence", "sometimes")
    assert bad.exit_code == 2 and "'sometimes' is not a duration" in bad.stderr
    assert tree(vault, derived=False) == before


def test_add_person_makes_the_org_on_the_way_and_says_so(vault: Path) -> None:
    rj = Run(vault)
    result = rj("add", "person", "Ama Owusu", "--org", "Volta Trading")
    assert result.stdout == "people/Ama Owusu.md\n"
    assert result.stderr == "reljournal: Volta Trading was not in the vault: made orgs/Volta Trading.md too\n"
    org = (vault / "orgs/Volta Trading.md").read_text(encoding="utf-8")
    assert org.startswith("---\ntype: org\n") and "# Volta Trading" in org
    assert "Ama Owusu" in rj("show", "Volta Trading").output  # her org: link resolves to it
    write_note(vault, "orgs/other/Volta Trading.md", "---\ntype: org\n---\n")
    before = tree(vault, derived=False)
    ambiguous = rj("add", "person", "Kofi Mensah", "--org", "volta trading")
    assert ambiguous.exit_code == 2 and "could be 2 notes" in ambiguous.stderr
    assert tree(vault, derived=False) == before
    typo = rj("add", "person", "Efua Asante", "--org", "Acme Corpp")  # made, and the close name said
    assert typo.stderr == ("reljournal: Acme Corpp was not in the vault: made orgs/Acme Corpp.md too "
                           "(did you mean Acme Corp?)\n")


def test_add_uses_the_vaults_own_template_or_the_built_in_one(vault: Path, tmp_path: Path) -> None:
    write_note(vault, "templates/Person.md",
               "---\ntype: person\nmet: {{date}}\nrole:\n---\n# {{title}}\n\nMet at {{time}}.\n")
    Run(vault)("add", "person", "Ada Lovelace", "--role", "Analyst")
    made = (vault / "people/Ada Lovelace.md").read_text(encoding="utf-8")
    assert re.fullmatch(rf"---\ntype: person\nmet: {TODAY}\nrole: Analyst\n---\n# Ada Lovelace\n\nMet at \d\d:\d\d\.\n",
                        made), made
    bare = tmp_path / "bare"
    write_note(bare, ".reljournal.toml", "")  # no templates folder: the built-in template, as `init` lays it down
    assert Run(bare)("add", "org", "Lagos Fintech", "--tier", "B", "--owner", "bo").exit_code == 0
    org = (bare / "orgs/Lagos Fintech.md").read_text(encoding="utf-8")
    assert "tier: B                   # A | B | C" in org and "owner: bo\n" in org and "# Lagos Fintech" in org


def test_add_a_name_no_file_system_takes(vault: Path) -> None:
    rj = Run(vault)
    assert rj("add", "person", "Q&A: Bob?").stdout == "people/Q&A- Bob-.md\n"
    assert 'aliases: ["Q&A: Bob?"]' in (vault / "people/Q&A- Bob-.md").read_text(encoding="utf-8")
    assert rj("show", "q&a: bob?").exit_code == 0
    assert rj("add", "person", "...").exit_code == 2


# ---- names as people type them -----------------------------------------------------------------------------
def test_names_without_case_or_accents_both_ways(vault: Path) -> None:
    rj = Run(vault)
    write_note(vault, "people/Zoe Saldana.md", PERSON)
    assert rj("show", "jose nunez").output.startswith("José Núñez  (people/José Núñez.md)")
    assert rj("show", "ZOË SALDAÑA").output.startswith("Zoe Saldana  (people/Zoe Saldana.md)")
    assert rj("prep", "renee").output.startswith("Prep: Renée Müller")  # an alias, accent-free
    logged = rj("log", "jose nunez", "--kind", "call")
    assert logged.exit_code == 0
    assert 'with: ["[[José Núñez]]"]' in (vault / logged.stdout.strip()).read_text(encoding="utf-8")
    assert [r["path"] for r in json.loads(rj("query", 'with:"jose nunez"', "--json").output)] == [
        logged.stdout.strip()]
    assert rj("snooze", "RENEE MULLER", "2w").exit_code == 0
    write_note(vault, "people/Ann.md", "---\ntype: person\norg: \"[[Acme Corp]]\"\n---\n")
    assert [r["title"] for r in json.loads(rj("query", 'org:"acmé corp"', "--json").output)] == ["Ann"]


def test_an_exact_match_wins_over_an_accent_free_one(vault: Path) -> None:
    rj = Run(vault)
    write_note(vault, "people/Jose Nunez.md", PERSON)
    assert rj("show", "jose nunez").output.startswith("Jose Nunez  (")
    assert rj("show", "josé NÚÑEZ").output.startswith("José Núñez  (")


def test_several_or_none(vault: Path) -> None:
    rj = Run(vault)
    write_note(vault, "people/Rénee Muller.md", PERSON)  # the same as Renée Müller, but for accents
    several = rj("show", "renee muller")
    assert several.exit_code == 2
    assert several.stderr == ("reljournal: 'renee muller' could be 2 notes: people/Renée Müller.md, "
                              "people/Rénee Muller.md; use the full name\n")
    none = rj("prep", "Rene Mueller")
    assert none.exit_code == 1
    assert none.stderr.startswith("reljournal: no person named 'Rene Mueller'; did you mean: Renée Müller")
    unknown = rj("log", "Maria Lopez", "--kind", "coffee")
    assert unknown.exit_code == 1
    assert unknown.stderr.endswith('; to add them: reljournal add person "Maria Lopez"\n')


@pytest.mark.parametrize("args", [["show", "maria typo"], ["prep", "Maria Typo"], ["log", "maria typo"]])
def test_a_note_that_cannot_be_read_is_named_with_its_line_and_what_is_wrong(vault: Path, args: list[str]) -> None:
    write_note(vault, "people/Maria Typo.md", "---\ntype: person\nemail: [maria@example.com\n---\n")
    before = tree(vault, derived=False)
    result = Run(vault)(*args)
    assert result.exit_code == 1
    assert result.stderr.startswith("reljournal: people/Maria Typo.md:4: front matter is not valid YAML")  # as `check`
    assert result.stderr.endswith("; fix the note first (`reljournal check` lists every problem)\n")
    assert tree(vault, derived=False) == before


def test_a_decomposed_file_name_is_found_by_its_composed_name(vault: Path) -> None:
    """macOS stores `Zoë.md` decomposed (NFD); people type it composed (NFC), in links and commands."""
    write_note(vault, unicodedata.normalize("NFD", "people/Zoë Ångström.md"), PERSON)
    write_note(vault, "interactions/2026/Lunch.md",
               '---\ndate: 2026-03-01\nwith: ["[[Zoë Ångström]]"]\nkind: lunch\n---\n')
    rj = Run(vault)
    assert rj("show", "Zoë Ångström").output.splitlines()[-1] == "  2026-03-01  lunch"
    assert "link" not in rj("check").output


LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéèêëàâäáãåçñóòôöõúùûüíìîïýÿÉÈÀÇÑÓÖÜŁłøØßæ"
word = st.text(alphabet=LETTERS, min_size=1, max_size=8)
name = st.lists(word, min_size=1, max_size=3).map(" ".join)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(names=st.lists(name, min_size=1, max_size=5, unique_by=name_key), nfd=st.booleans())
def test_a_unique_name_is_found_from_its_plain_spelling(names: list[str], nfd: bool) -> None:
    """For any names with and without accents: the one person whose accent-free name is unique is found
    from the case-folded, accent-free spelling of that name (whether the file name is NFC or NFD)."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / ".reljournal.toml").write_text("", encoding="utf-8")
        for n in names:
            write_note(root, f"people/{unicodedata.normalize('NFD' if nfd else 'NFC', n)}.md", PERSON)
        journal = Journal.open(root, TODAY)
        try:
            view = journal.view()
            plain = [accent_free(name_key(n)) for n in names]
            for n, typed in zip(names, plain, strict=True):
                if plain.count(typed) == 1:
                    assert name_key(find(view, typed).title) == name_key(n)
                    assert name_key(find(view, typed.upper()).title) == name_key(n)
        finally:
            journal.close()


# ---- what show and prep say of an interaction --------------------------------------------------------------
@pytest.mark.parametrize(("body", "line"), [
    ("Talked about the RFP.\n", "Talked about the RFP."),
    ("# Coffee\n\n## Notes\n- [ ] send the deck\n- [x] done\n\n- asked about Q2\n", "asked about Q2"),
    ("%% a comment\nover two lines %%\n\n1. first point\n", "first point"),
    ("## Notes\n\n## Follow-ups\n%% one task per line %%\n", ""),
])
def test_first_line(body: str, line: str) -> None:
    assert first_line(body) == line


def test_show_and_prep_give_the_first_line_when_there_is_no_outcome(vault: Path) -> None:
    write_note(vault, "interactions/2026/Coffee.md", '---\ndate: 2026-03-03T08:30\nwith: ["[[José Núñez]]"]\n'
               "kind: coffee\n---\n# Coffee\n\n## Notes\nHe moves to Madrid in May.\n")
    write_note(vault, "interactions/2026/Call.md", '---\ndate: 2026-03-20\nwith: ["[[José Núñez]]"]\nkind: call\n---\n')
    rj = Run(vault)
    timeline = rj("show", "José Núñez").output.split("Timeline\n")[1].splitlines()
    assert timeline[:2] == ["  2026-03-20  call        (arranged)",
                            "  2026-03-03  coffee      He moves to Madrid in May."]
    brief = rj("prep", "José Núñez").output
    assert "  2026-03-03  coffee      08:30  He moves to Madrid in May.\n" in brief
    as_json = json.loads(rj("prep", "José Núñez", "--json").output)
    assert as_json["interactions"][0]["text"] == "He moves to Madrid in May."
    assert 'Last time (2026-03-03): "He moves to Madrid in May.". What has happened since?' in as_json["questions"]


def test_a_long_line_is_cut_to_the_width(vault: Path) -> None:
    long = "word " * 40
    write_note(vault, "interactions/2026/Call.md", f'---\ndate: 2026-03-03\nwith: ["[[José Núñez]]"]\nkind: call\n'
               f"outcome: {long.strip()}\n---\n")
    rj = Run(vault)
    line = next(x for x in rj("show", "José Núñez").output.splitlines() if x.startswith("  2026-03-03  call"))
    assert len(line) == 80 and line.endswith("…")
    wide = CliRunner().invoke(cli, ["--vault", str(vault), "--today", TODAY, "show", "José Núñez"],
                              env={"COLUMNS": "250"})
    assert f"  2026-03-03  call        {long.strip()}" in wide.output.splitlines()


# ---- prep: whose task, and the agreed step --------------------------------------------------------------
MEETING = """---
date: 2026-03-10
with: ["[[Maria Lopez]]", "[[Emma Schulz]]"{more}]
kind: meeting
next_action: Send the phase 2 plan
---
- [{mine}] send the phase 2 plan
- [ ] Emma: share the RFP draft
"""


@pytest.mark.parametrize(("more", "theirs"), [("", True), (', "[[Emma Stone]]"', False)])
def test_a_task_starting_with_a_first_name_is_theirs_unless_shared(vault: Path, more: str, theirs: bool) -> None:
    for who in ("Maria Lopez", "Emma Schulz", "Emma Stone"):
        write_note(vault, f"people/{who}.md", PERSON)
    write_note(vault, "interactions/2026/Meeting.md", MEETING.format(more=more, mine=" "))
    brief = json.loads(Run(vault)("prep", "Emma Schulz", "--json").output)
    promised = [f["text"] for f in brief["they_owe"]]
    owed = [f["text"] for f in brief["you_owe"]]
    assert (promised == ["Emma: share the RFP draft"]) is theirs
    assert ("Emma: share the RFP draft" in owed) is not theirs


def test_was_it_useful_only_once_my_task_in_that_note_is_done(vault: Path) -> None:
    for who in ("Maria Lopez", "Emma Schulz"):
        write_note(vault, f"people/{who}.md", PERSON)
    rj = Run(vault)
    write_note(vault, "interactions/2026/Meeting.md", MEETING.format(more="", mine=" "))
    assert not any("was it useful" in q for q in json.loads(rj("prep", "Maria Lopez", "--json").output)["questions"])
    write_note(vault, "interactions/2026/Meeting.md", MEETING.format(more="", mine="x"))
    assert "I was to send the phase 2 plan: was it useful?" in json.loads(
        rj("prep", "Maria Lopez", "--json").output)["questions"]


# ---- ages, `-`, options after the command, widths, wording ---------------------------------------------------
def test_last_is_an_age(vault: Path) -> None:
    write_note(vault, "people/Recent.md", "---\ntype: person\nlast_contact: 2026-03-01\n---\n")
    write_note(vault, "people/Long Ago.md", "---\ntype: person\nlast_contact: 2025-11-01\n---\n")
    rj = Run(vault)
    assert [p["name"] for p in json.loads(rj("people", "last<30d", "--json").output)] == ["Recent"]
    assert [p["name"] for p in json.loads(rj("people", "last>90d", "--json").output)] == ["Long Ago"]


def test_dash_is_standard_output(vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    rj = Run(vault)
    write_note(vault, "people/Bo.md", "---\ntype: person\ncadence: 30d\n---\n")
    assert rj("feed", "-o", str(tmp_path / "feed.ics")).exit_code == 0
    printed = CliRunner().invoke(cli, ["--vault", str(vault), "--today", TODAY, "feed", "-o", "-"])
    assert printed.stdout_bytes == (tmp_path / "feed.ics").read_bytes()
    exported = CliRunner().invoke(cli, ["--vault", str(vault), "--today", TODAY, "export", "vcard", "-o", "-"])
    plain = CliRunner().invoke(cli, ["--vault", str(vault), "--today", TODAY, "export", "vcard"])
    assert exported.stdout_bytes == plain.stdout_bytes and b"BEGIN:VCARD" in plain.stdout_bytes
    assert not (tmp_path / "-").exists() and not (vault / "-").exists()
    refused = rj("watch", "--feed", "-")
    assert refused.exit_code == 2 and "reljournal feed -o -" in refused.output


@pytest.mark.parametrize("args", [["due", "--json"], ["people"], ["agenda", "--days", "30"], ["show", "renee"],
                                  ["query", "type:person"], ["feed", "-o", "-"], ["week", "--json"]])
def test_options_after_the_command_mean_the_same(vault: Path, args: list[str]) -> None:
    before = invoke("--vault", str(vault), "--today", "2026-05-20", *args)
    after = invoke(*args, "--vault", str(vault), "--today", "2026-05-20")
    between = invoke("--vault", str(vault), args[0], "--today", "2026-05-20", *args[1:])
    assert before.exit_code == 0
    assert before.stdout_bytes == after.stdout_bytes == between.stdout_bytes
    late = invoke(*args, "--vault", str(vault), "--today", "2026-05-20",
                  env={"RELJOURNAL_VAULT": str(vault / "people"), "RELJOURNAL_TODAY": "2020-01-01"})
    assert late.stdout_bytes == before.stdout_bytes  # given on the command line, they win over the environment


def test_import_takes_late_options_too(vault: Path, tmp_path: Path) -> None:
    card = tmp_path / "c.vcf"
    card.write_text("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Kofi Mensah\r\nEND:VCARD\r\n", encoding="utf-8")
    result = invoke("import", "vcard", str(card), "--vault", str(vault), "--today", TODAY)
    assert result.exit_code == 0 and (vault / "people/Kofi Mensah.md").is_file()


def test_due_days_and_within_are_one_option(vault: Path) -> None:
    rj = Run(vault)
    assert rj("due", "--days", "40", "--json").output == rj("due", "--within", "40", "--json").output
    assert "Renée Müller" in rj("due", "--days", "40").output


def test_output_fits_columns(vault: Path) -> None:
    title = "send the long and detailed proposal for the treasury transformation programme to José Núñez"
    write_note(vault, "people/José Núñez.md", f"---\ntype: person\n---\n- [ ] {title} 📅 2026-03-16\n")
    narrow = Run(vault)("agenda", "--days", "3").output
    assert title not in narrow and all(len(line) <= 80 for line in narrow.splitlines())
    wide = CliRunner().invoke(cli, ["--vault", str(vault), "--today", TODAY, "agenda", "--days", "3"],
                              env={"COLUMNS": "200"}).output
    assert title in wide


def test_the_due_help_example_is_what_due_prints(tmp_path: Path) -> None:
    root = tmp_path / "v"
    write_note(root, ".reljournal.toml", '[vault]\ntimezone = "Europe/London"\n[tiers]\nA = "14d"\n')
    write_note(root, "orgs/Acme Corp.md", "---\ntype: org\n---\n")
    write_note(root, "people/Ben Okri.md",
               "---\ntype: person\ntier: A\nlast_contact: 2026-01-05\nnext: 2026-03-01\n---\n")
    write_note(root, "people/Mo Farah.md", '---\ntype: person\ntier: A\norg: "[[Acme Corp]]"\n'
               "last_contact: 2026-03-01\n---\n")
    shown = Run(root)("due", "--days", "14", "--tier", "A").output
    help_text = invoke("due", "--help").output
    example = help_text.split("$ reljournal due --days 14 --tier A\n")[1]
    assert textwrap.dedent("\n".join(example.splitlines()[:3])) == shown.rstrip("\n")


def test_wording(vault: Path) -> None:
    write_note(vault, "people/Bo.md", "---\ntype: person\ncadence: monthly\nlast_contact: 2026-03-01\n---\n")
    feed = Run(vault)("feed", "-o", "-").stdout.replace("\r\n ", "")
    assert "cadence: every month since the last contact" in feed and "every monthly" not in feed
    assert "never contacted (keep in touch every 30 days)" in feed  # Renée: cadence 30d, never contacted


def test_completion_completes_names_as_people_type_them(vault: Path) -> None:
    Run(vault)("index")
    ctx = click.Context(cli)
    ctx.params = {"vault": str(vault)}
    offered = [c.value for c in complete_names(ctx, click.Argument(["name"]), "nun")]
    assert offered == ["José Núñez"]
    assert [c.value for c in complete_orgs(ctx, click.Argument(["org"]), "ac")] == ["Acme Corp"]
    assert [c.value for c in complete_people(ctx, click.Argument(["name"]), "ac")] == []

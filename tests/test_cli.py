"""Every issue-2 command through the CLI, with the exact output a user sees."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import Run, write_note

from reljournal.cli import cli


def test_index_counts_then_nothing(rj: Run) -> None:
    assert rj("index").output == "+13 added ~0 changed -0 removed, 0 problems (rebuilt)\n"
    assert rj("index").output == "+0 added ~0 changed -0 removed, 0 problems\n"
    write_note(rj.vault, "people/Zoe New.md", "---\ntype: person\n---\n")
    (rj.vault / "people/Hal None.md").unlink()
    assert rj("index").output == "+1 added ~0 changed -1 removed, 0 problems\n"
    assert rj("index", "--rebuild").output == "+13 added ~0 changed -0 removed, 0 problems (rebuilt)\n"


def test_due_human(rj: Run) -> None:
    result = rj("due")
    assert result.exit_code == 0
    assert result.output == """\
NEXT           WHEN  NAME          WHY      LAST        ORG
2026-03-10  5d late  Carla Mendes  planned  2026-02-01
2026-03-15    today  Eve Private   never    never
2026-03-15    today  Gia Never     never    never
2026-03-18    in 3d  Bob Smith     planned  2026-02-20  Acme Corp
2026-03-18    in 3d  Jane Doe      planned  2026-02-20  Acme Corp
"""


def test_due_json_shape_and_order(rj: Run) -> None:
    items = json.loads(rj("due", "--all", "--json").output)
    assert [(i["name"], i["next"], i["reason"], i["days"]) for i in items] == [
        ("Carla Mendes", "2026-03-10", "planned", -5),
        ("Eve Private", "2026-03-15", "never", 0),
        ("Gia Never", "2026-03-15", "never", 0),
        ("Bob Smith", "2026-03-18", "planned", 3),
        ("Jane Doe", "2026-03-18", "planned", 3),
        ("Dan Brown", "2026-04-01", "snoozed", 17),
    ]
    assert items[4] == {
        "name": "Jane Doe", "path": "people/Jane Doe.md", "next": "2026-03-18", "last": "2026-02-20",
        "reason": "planned", "days": 3, "cadence_days": 30, "tier": "A", "org": "Acme Corp", "owner": "alice",
        "tags": ["key-account", "finance"],
    }


@pytest.mark.parametrize(("args", "names"), [
    (["--overdue"], ["Carla Mendes"]),
    (["--overdue", "--all"], ["Carla Mendes"]),
    (["--within", "0"], ["Carla Mendes", "Eve Private", "Gia Never"]),
    (["--all", "--tier", "A", "--tier", "B"], ["Bob Smith", "Jane Doe"]),
    (["--all", "--org", "acme corp"], ["Bob Smith", "Jane Doe"]),
    (["--all", "--owner", "alice"], ["Jane Doe"]),
    (["--all", "--owner", "bob"], ["Bob Smith"]),
    (["--all", "--tag", "fintech"], ["Carla Mendes"]),
    (["--all", "--relationship", "peer"], ["Dan Brown"]),
])
def test_due_filters(rj: Run, args: list[str], names: list[str]) -> None:
    assert [i["name"] for i in json.loads(rj("due", *args, "--json").output)] == names


def test_due_is_empty_politely(rj: Run) -> None:
    assert rj("due", "--all", "--tag", "nobody-has-this").output == "Nobody is due.\n"


def test_due_bad_usage_exits_2(rj: Run) -> None:
    assert rj("due", "--within", "soon").exit_code == 2
    assert rj("due", today="2026-02-30").exit_code == 2


def test_people_human_and_json(rj: Run) -> None:
    assert rj("people").output == """\
NAME          TIER  ORG        LAST        NEXT           WHEN  STATUS
Bob Smith     B     Acme Corp  2026-02-20  2026-03-18    in 3d  active
Carla Mendes                   2026-02-01  2026-03-10  5d late  active
Dan Brown                      2026-02-10  2026-04-01   in 17d  active
Eve Private                    never       2026-03-15    today  active
Finn Dormant                   never                            dormant
Gia Never                      never       2026-03-15    today  active
Hal None                       2025-01-01                       active
Jane Doe      A     Acme Corp  2026-02-20  2026-03-18    in 3d  active
"""
    finn = next(p for p in json.loads(rj("people", "--json").output) if p["name"] == "Finn Dormant")
    assert finn["status"] == "dormant" and finn["next"] is None and finn["reason"] is None and finn["days"] is None


def test_orgs(rj: Run) -> None:
    assert rj("orgs").output == """\
NAME       TIER  OWNER  COVERAGE    OBJECTIVE DUE  OVERDUE
Acme Corp  A     alice  2/2 (100%)  2026-06-30
"""
    (acme,) = json.loads(rj("orgs", "--json").output)
    assert (acme["stakeholders"], acme["covered"], acme["coverage"], acme["next_objective"]) == (
        2, 2, 1.0, {"title": "Win the cash-management mandate", "due": "2026-06-30"})


def test_show_person_by_alias_in_any_case(rj: Run) -> None:
    result = rj("show", "JANE")
    assert result.exit_code == 0
    assert result.output == """\
Jane Doe  (people/Jane Doe.md)
  role:          CFO
  org:           Acme Corp
  relationship:  client
  tier:          A
  owner:         alice
  cadence:       30d
  birthday:      1980-04-12
  email:         jane@acme.example
  tags:          key-account, finance
  aliases:       Jane
  last:          2026-02-20
  next:          2026-03-18 (in 3d, planned)

Timeline
  2026-02-20  lunch       Agreed to share our Q1 outlook
  2026-01-20  call        asked about the vendor review

Open follow-ups
  2026-03-12  call the treasury team  (interactions/2026/2026-02-20 Lunch with …
  2026-03-16  send the deck to Jane Doe  (interactions/2026/2026-02-20 Lunch wi…

Give and take  gave 1, received 1
  gave      Q1 market outlook
  received  intro to the treasury team
"""


def test_show_org(rj: Run) -> None:
    output = rj("show", "acme corp").output
    assert output.startswith("Acme Corp  (orgs/Acme Corp.md)\n  tier:          A\n  key account:   yes\n")
    assert "  revenue:       120,000 GBP\n" in output
    assert "Stakeholders  coverage 2/2 (100%)\n" in output
    assert "  2026-06-30  in 107d  open    Win the cash-management mandate\n" in output


def test_show_unknown_name_exits_1_with_close_matches(rj: Run) -> None:
    result = rj("show", "Jane Do")
    assert result.exit_code == 1
    assert result.output == "reljournal: no person or organisation named 'Jane Do'; did you mean: Jane Doe?\n"


def test_show_ambiguous_name(rj: Run) -> None:
    write_note(rj.vault, "people/other/Jane Doe.md", "---\ntype: person\n---\n")
    result = rj("show", "Jane Doe")
    assert result.exit_code == 2
    assert "could be 2 notes: people/Jane Doe.md, people/other/Jane Doe.md" in result.output


def test_check_clean(rj: Run) -> None:
    result = rj("check")
    assert result.exit_code == 0
    assert result.output == "0 errors, 0 warnings in 13 notes (today 2026-03-15, Europe/London)\n"


def test_check_broken_vault(broken_vault: Path) -> None:
    result = Run(broken_vault)("check")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines == [
        "interactions/No Date.md:1: error: an interaction needs a `date:` (YYYY-MM-DD)",
        "interactions/Number With.md:4: error: with: expected a name or a [[link]], got the number 42",
        "interactions/Two Links.md:4: error: front matter is not valid YAML: did not find expected key (while "
        'parsing a block mapping); quote each link: with: ["[[A]]", "[[B]]"]',
        "people/Bad Birthday.md:3: error: birthday: 'April' is not a birthday; write YYYY-MM-DD or --MM-DD",
        "people/Bad Cadence.md:3: error: cadence: 'sometimes' is not a duration; write 10d, 2w, 3m, 1y, a number "
        "of days, or weekly, fortnightly, monthly, quarterly, yearly",
        "people/Bad Date.md:3: error: last_contact: '2026-02-30' is not a real date (day is out of range for month)",
        "people/Bad Yaml.md:3: error: front matter is not valid YAML: mapping values are not allowed in this context;"
        ' a value holding ": " needs quotes: role: "CFO: of everything"',
        "people/Binary.md:1: error: a binary file, not UTF-8 text",
        "people/Latin1.md:4: error: not UTF-8 (byte 0xe9); save the file as UTF-8",
        "people/Listy.md:2: error: front matter must be a mapping of `key: value` lines, not a list",
        "people/Scalar.md:2: error: front matter must be a mapping of `key: value` lines, not text",
        "people/Tabs.md:4: error: a tab in the indentation; YAML indents with spaces only",
        "people/Unclosed.md:1: error: the front matter opened by `---` on line 1 is never closed by a `---` line",
        "people/Wrong Types.md:3: error: status: 'maybe' is not one of: active, dormant, archived",
        "people/Wrong Types.md:4: error: tags: expected a list of text, got the number 3",
        "15 errors, 0 warnings in 18 notes (today 2026-03-15, the machine's time zone)",
    ]
    doc = json.loads(Run(broken_vault)("check", "--json").output)
    assert doc["errors"][0] == {"path": "interactions/No Date.md", "line": 1, "code": "no-date",
                                "message": "an interaction needs a `date:` (YYYY-MM-DD)"}


def test_the_rest_of_a_broken_vault_still_works(broken_vault: Path) -> None:
    before = {p: p.read_bytes() for p in broken_vault.rglob("*") if p.is_file()}
    result = Run(broken_vault)("due", "--all", "--json")
    assert result.exit_code == 0
    names = [i["name"] for i in json.loads(result.stdout)]
    assert "Good Person" in names and "Crlf" in names and "Bom" in names
    assert "reljournal: 15 problems in the vault; run `reljournal check`" in result.stderr
    after = {p: p.read_bytes() for p in broken_vault.rglob("*") if p.is_file() and ".reljournal" not in p.parts}
    assert after == before  # no note was modified


def test_cross_file_warnings(empty_vault: Path) -> None:
    write_note(empty_vault, ".reljournal.toml", '[tiers]\nA = "30d"\n')
    write_note(empty_vault, "people/Twin.md", "---\ntype: person\n---\n")
    write_note(empty_vault, "people/b/Twin.md", "---\ntype: person\ntier: Z\nlast_contact: 2027-01-01\n---\n")
    write_note(empty_vault, "interactions/i.md", '---\ndate: 2026-03-01\nwith:\n  - "[[Twin]]"\n  - "[[Ghost]]"\n---\n')
    write_note(empty_vault, "interactions/alone.md", "---\ndate: 2026-03-01\n---\n")
    result = Run(empty_vault)("check")
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        'interactions/alone.md:1: warning: an interaction with nobody: add `with: ["[[Name]]"]`',
        "interactions/i.md:5: warning: with: no note named 'Ghost'",
        "people/Twin.md:1: warning: another person is called 'Twin': people/b/Twin.md; links pick the shortest path",
        "people/b/Twin.md:1: warning: another person is called 'Twin': people/Twin.md; links pick the shortest path",
        "people/b/Twin.md:3: warning: tier 'Z' is not in [tiers] (A); the default cadence applies",
        "people/b/Twin.md:4: warning: last_contact 2027-01-01 is after today; it is ignored",
        "0 errors, 6 warnings in 4 notes (today 2026-03-15, the machine's time zone)",
    ]


def test_bad_settings_stop_every_command_but_check(empty_vault: Path) -> None:
    write_note(empty_vault, ".reljournal.toml", '[vault]\ndefualt_cadence = "30d"\n')
    due = Run(empty_vault)("due")
    assert due.exit_code == 2
    assert ".reljournal.toml:2: error: unknown key 'defualt_cadence' in [vault]" in due.output
    check = Run(empty_vault)("check", "--json")
    assert check.exit_code == 1
    assert [e["code"] for e in json.loads(check.stdout)["errors"]] == ["settings"]


def test_today_from_the_environment(rj: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RELJOURNAL_TODAY", "2026-03-10")
    result = CliRunner().invoke(cli, ["--vault", str(rj.vault), "due", "--overdue", "--json"])
    assert json.loads(result.output) == []


def test_init_into_an_empty_and_a_non_empty_folder(tmp_path: Path) -> None:
    target = tmp_path / "new"
    result = CliRunner().invoke(cli, ["--today", "2026-03-15", "init", str(target)])
    assert result.exit_code == 0, result.output
    assert (target / ".reljournal.toml").is_file() and (target / "templates/Person.md").is_file()
    assert (target / "people").is_dir() and not any((target / "people").iterdir())
    assert ".reljournal/" in (target / ".gitignore").read_text()
    again = CliRunner().invoke(cli, ["init", str(target)])
    assert again.exit_code == 2 and "--existing" in again.output
    assert Run(target)("check").exit_code == 0


def test_init_existing_keeps_files_and_extends_gitignore(tmp_path: Path) -> None:
    write_note(tmp_path, ".gitignore", "*.tmp\n")
    note = write_note(tmp_path, "people/Me.md", "---\ntype: person\n---\nmine\n")
    result = CliRunner().invoke(cli, ["init", str(tmp_path), "--existing"])
    assert result.exit_code == 0
    assert note.read_text() == "---\ntype: person\n---\nmine\n"
    gitignore = (tmp_path / ".gitignore").read_text()
    assert gitignore.startswith("*.tmp\n") and ".reljournal/" in gitignore


def test_demo_makes_a_vault_in_a_new_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RELJOURNAL_VAULT", str(tmp_path / "elsewhere"))
    (tmp_path / "reljournal-demo").mkdir()
    result = CliRunner().invoke(cli, ["--today", "2027-06-01", "demo"])
    assert result.exit_code == 0, result.output
    demo = tmp_path / "reljournal-demo-2"
    assert f"A sample vault is in {demo}" in result.output
    assert "Jane Doe" in result.output and "Due within 7 days of 2027-06-01" in result.output
    assert Run(demo, "2027-06-01")("check").exit_code == 0
    # dates moved with today: the sample means the same thing whatever the date
    assert any("2027-05" in p.name for p in (demo / "interactions").rglob("*.md"))


def test_vault_that_is_not_a_folder(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--vault", str(tmp_path / "nope"), "due"])
    assert result.exit_code == 2


def test_read_only_vault_still_answers(good_vault: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root ignores file permissions")
    for p in [good_vault, *good_vault.rglob("*")]:
        if p.is_dir():
            p.chmod(0o555)
    try:
        assert Run(good_vault)("due", "--json").exit_code == 0
    finally:
        for p in [good_vault, *good_vault.rglob("*")]:
            if p.is_dir():
                p.chmod(0o755)

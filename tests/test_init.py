"""`init`, the starter vault (template, Obsidian settings, sample notes), `demo`, and name completion."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from reljournal.cli import cli
from reljournal.cli.common import complete_names
from reljournal.config import SETTINGS, load_settings
from reljournal.parse.note import parse_note
from reljournal.template import SAMPLE_ANCHOR, shift_dates, template_dir
from tests.conftest import Run, write_note

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

TEMPLATE_FILES = [
    ".gitignore", ".obsidian/app.json", ".obsidian/templates.json", ".obsidian/types.json", ".reljournal.toml",
    "README.md", "templates/Interaction.md", "templates/Organisation.md", "templates/Person.md",
    "templates/Quick log.md",
]


def files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                  if p.is_file() and ".reljournal" not in p.parts)


def snapshot(folder: Path) -> dict[str, str]:
    return {rel: hashlib.sha256((folder / rel).read_bytes()).hexdigest() for rel in files(folder)}


def check_json(vault: Path, today: str = "2026-03-15") -> dict[str, list[object]]:
    result = Run(vault, today)("check", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


# ---- init ----------------------------------------------------------------------------------------------
def test_init_into_an_empty_folder(tmp_path: Path) -> None:
    target = tmp_path / "journal"
    target.mkdir()
    result = CliRunner().invoke(cli, ["--today", "2026-03-15", "init", str(target)])
    assert result.exit_code == 0, result.output
    assert files(target) == TEMPLATE_FILES
    assert sorted(p.name for p in target.iterdir() if p.is_dir()) == [
        ".obsidian", "interactions", "orgs", "people", "templates"]
    assert result.stdout.splitlines()[0] == "  + .gitignore"
    assert f"A vault is ready in {target}." in result.stdout
    assert check_json(target) == {"errors": [], "warnings": []}


def test_init_makes_a_missing_folder_and_defaults_to_vault_option(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b"
    result = CliRunner().invoke(cli, ["--vault", str(target), "init"])
    assert result.exit_code == 0, result.output
    assert files(target) == TEMPLATE_FILES


def test_init_refuses_a_folder_with_files(tmp_path: Path) -> None:
    write_note(tmp_path, "notes/idea.md", "an idea\n")
    before = snapshot(tmp_path)
    result = CliRunner().invoke(cli, ["init", str(tmp_path)])
    assert result.exit_code == 2
    assert "already holds files; use `reljournal init --existing`" in result.stderr
    assert snapshot(tmp_path) == before


def test_init_accepts_a_fresh_git_repository(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    assert CliRunner().invoke(cli, ["init", str(tmp_path)]).exit_code == 0
    assert (tmp_path / ".reljournal.toml").is_file()


def test_init_existing_obsidian_vault_overwrites_nothing(tmp_path: Path) -> None:
    write_note(tmp_path, ".obsidian/templates.json", '{"folder": "My templates"}\n')
    write_note(tmp_path, "README.md", "my own readme\n")
    write_note(tmp_path, ".gitignore", "*.tmp")  # no newline at the end
    before = snapshot(tmp_path)
    result = CliRunner().invoke(cli, ["init", "--existing", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "  (3 files already there, left as they were)" in result.stdout
    assert "  + .gitignore (.reljournal/ added)" in result.stdout
    after = snapshot(tmp_path)
    assert {k: v for k, v in after.items() if k in before and k != ".gitignore"} == {
        k: v for k, v in before.items() if k != ".gitignore"}
    assert (tmp_path / ".gitignore").read_text() == (
        "*.tmp\n# reljournal's index and feed: derived from the notes, never committed\n.reljournal/\n")
    # and a second run changes nothing at all
    assert CliRunner().invoke(cli, ["init", "--existing", str(tmp_path)]).exit_code == 0
    assert snapshot(tmp_path) == after


def test_init_writes_the_machine_time_zone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "America/Toronto")
    CliRunner().invoke(cli, ["init", str(tmp_path / "v")])
    settings, problems = load_settings(tmp_path / "v")
    assert problems == [] and settings.timezone == "America/Toronto"


# ---- the template --------------------------------------------------------------------------------------
def test_template_settings_name_every_setting() -> None:
    """Every setting of config.SETTINGS appears in the template's .reljournal.toml, set or commented."""
    text = (template_dir() / ".reljournal.toml").read_text(encoding="utf-8")
    found, section = set(), ""
    for line in text.splitlines():
        header = re.match(r"(?:#\s*)?\[\[?(\w+)\]\]?\s*(?:#|$)", line)
        if header:
            section = header[1]
        key = re.match(r"#?\s*(\w+)\s*=", line)
        if key:
            found.add((section, key[1]))
    assert {(s.section, s.key) for s in SETTINGS} <= found
    assert tomllib.loads(text)["tiers"] == {"A": "30d", "B": "90d", "C": "180d"}


def test_obsidian_settings_point_at_the_templates() -> None:
    root = template_dir()
    settings, _ = load_settings(root)
    assert json.loads((root / ".obsidian/templates.json").read_text())["folder"] == settings.templates
    types = json.loads((root / ".obsidian/types.json").read_text())["types"]
    assert types["next"] == types["last_contact"] == types["date"] == "date"
    assert types["with"] == "multitext" and types["revenue"] == "number" and types["key_account"] == "checkbox"
    assert set(types.values()) <= {"text", "multitext", "number", "checkbox", "date", "datetime", "aliases", "tags"}


@pytest.mark.parametrize(("template", "folder", "title", "problems"), [
    ("Person", "people", "Jane Doe", []),
    ("Organisation", "orgs", "Acme Corp", []),
    ("Interaction", "interactions/2026", "2026-03-15 Coffee with Jane Doe", ["nobody"]),
])
def test_notes_made_from_the_templates_parse(template: str, folder: str, title: str, problems: list[str]) -> None:
    """What Obsidian's Templates plugin makes ({{title}}, {{date}} filled in) is a valid note."""
    text = (template_dir() / "templates" / f"{template}.md").read_text(encoding="utf-8")
    text = text.replace("{{title}}", title).replace("{{date}}", "2026-03-15")
    settings, _ = load_settings(template_dir())
    parsed = parse_note(f"{folder}/{title}.md", text.encode("utf-8"), settings)
    assert parsed.record is not None
    assert [p.code for p in parsed.problems] == problems


def test_quick_log_line_is_a_log_entry() -> None:
    line = (template_dir() / "templates/Quick log.md").read_text(encoding="utf-8").replace("{{date}}", "2026-03-15")
    text = f"---\ntype: person\n---\n## Log\n{line.rstrip()} asked about Q1\n"
    settings, _ = load_settings(template_dir())
    parsed = parse_note("people/Jane Doe.md", text.encode(), settings)
    assert [(e.date, e.kind) for e in parsed.record.log] == [(dt.date(2026, 3, 15), "call")]  # type: ignore[union-attr]


@pytest.mark.parametrize("today", ["2026-11-24", "2026-03-15", "2028-02-29", "2031-12-31"])
def test_sample_vault_is_clean_and_lively_whatever_today(tmp_path: Path, today: str) -> None:
    target = tmp_path / "v"
    assert CliRunner().invoke(cli, ["--today", today, "init", "--sample", str(target)]).exit_code == 0
    assert check_json(target, today) == {"errors": [], "warnings": []}
    run = Run(target, today)
    due = {d["name"]: (d["days"], d["reason"]) for d in json.loads(run("due", "--json").stdout)}
    assert due == {"Tom Weber": (-56, "cadence"), "Amara Okafor": (-4, "planned"), "Jane Doe": (3, "planned"),
                   "Bob Smith": (3, "planned"), "Priya Shah": (4, "planned")}
    agenda = json.loads(run("agenda", "--json").stdout)
    kinds = {item["kind"] for item in agenda}
    assert kinds == {"due", "task", "meeting", "birthday", "objective"}
    assert [i["title"] for i in agenda if i["kind"] == "meeting"] == ["Coffee with Priya Shah"]


def test_shift_dates_moves_dates_and_yearless_birthdays() -> None:
    assert shift_dates("date: 2026-11-24\nbirthday: --11-26\nid: x-2026-11-240", 10) == (
        "date: 2026-12-04\nbirthday: --12-06\nid: x-2026-11-240")
    assert SAMPLE_ANCHOR == dt.date(2026, 11, 24)


# ---- demo ----------------------------------------------------------------------------------------------
@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("RELJOURNAL_VAULT", str(tmp_path / "elsewhere"))  # demo ignores it
    return work


def test_demo_in_an_empty_folder(in_tmp: Path) -> None:
    result = CliRunner().invoke(cli, ["--today", "2026-03-15", "demo"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    folder = in_tmp / "reljournal-demo"
    lines = result.stdout.splitlines()
    assert lines[:2] == [f"A sample vault is in {folder}",
                         "  5 people, 2 organisations, 3 interactions, dated around 2026-03-15."]
    assert "Agenda, the next 7 days (reljournal agenda):" in lines
    assert "Sun 15 Mar (today)" in lines
    assert any(line.split() == ["56d", "late", "due", "Tom", "Weber", "cadence"] for line in lines)
    assert "Due within 7 days of 2026-03-15 (reljournal due):" in lines
    feed = folder / ".reljournal" / "feed.ics"
    assert feed.read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")
    assert f"Calendar feed: {feed} (11 events)" in lines
    assert "    cd reljournal-demo && reljournal serve" in lines
    assert "    then subscribe to webcal://127.0.0.1:8765/feed.ics (or http://127.0.0.1:8765/feed.ics)" in lines
    assert not (in_tmp.parent / "elsewhere").exists()
    assert check_json(folder) == {"errors": [], "warnings": []}


def test_demo_never_reuses_a_folder(in_tmp: Path) -> None:
    (in_tmp / "reljournal-demo").mkdir()
    (in_tmp / "reljournal-demo" / "keep.md").write_text("mine\n")
    for _ in range(2):
        assert CliRunner().invoke(cli, ["demo"]).exit_code == 0
    assert sorted(p.name for p in in_tmp.iterdir()) == ["reljournal-demo", "reljournal-demo-2", "reljournal-demo-3"]
    assert files(in_tmp / "reljournal-demo") == ["keep.md"]


# ---- completion ----------------------------------------------------------------------------------------
def test_complete_names_from_the_index(rj: Run, good_vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rj("index")
    ctx = click.Context(cli, info_name="reljournal")
    ctx.params["vault"] = str(good_vault)
    names: Callable[[str], list[str]] = lambda typed: [  # noqa: E731
        c.value for c in complete_names(ctx, click.Argument(["name"]), typed)]
    found = names("")
    assert found == sorted(found, key=str.casefold) and len(found) > 3
    assert all("smith" in n.casefold() for n in names("smi"))
    monkeypatch.setenv("_RELJOURNAL_COMPLETE", "bash_complete")
    assert all("\\ " in n for n in names("smi") if " " in n.replace("\\ ", ""))
    ctx.params["vault"] = str(good_vault / "nowhere")
    assert names("") == []

"""Hostile files (SPEC 10): whatever a vault or a contact file holds, reljournal stays inside the vault,
finishes, and keeps every note. Commands run as real processes (with a timeout) on a vault full of traps:
links out of it, a FIFO, names of 240 bytes and more, escape sequences in names and values, a Latin-1
`.gitignore`; and on hostile input files."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import DATA, VAULTS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reljournal.cli import cli
from reljournal.importers import _unclosed_quote
from reljournal.names import clean, name_key, printable

EXPORTS = DATA / "hostile" / "exports"
TODAY = "2026-03-15"
ESCAPED = "Esc\x1b[31mRed\x1b]0;Pwned\x07"  # a colour and a window title, in a note's name
LONG = "Ж" * 118  # 236 bytes: a name that fits only when the temporary name is counted


def run(vault: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """One command in its own process: a hang fails the test instead of stopping the run."""
    done = subprocess.run([sys.executable, "-m", "reljournal", "--vault", str(vault), "--today", TODAY, *args],
                          capture_output=True, text=True, timeout=timeout, errors="surrogateescape",
                          env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"})
    assert "Traceback" not in done.stderr, done.stderr
    return done


def snapshot(folder: Path) -> dict[str, tuple[bytes | str, int]]:
    """Every file below `folder` (links as their target), with its mode: what must not change."""
    out: dict[str, tuple[bytes | str, int]] = {}
    for path in sorted(folder.rglob("*")):
        rel = str(path.relative_to(folder))
        if path.is_symlink():
            out[rel] = (os.readlink(path), 0)
        elif path.is_file() and ".reljournal" not in path.parts:
            out[rel] = (path.read_bytes(), path.stat().st_mode)
    return out


@pytest.fixture
def hostile(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """(vault, outside): the `good` test vault with traps in it, and a folder beside it the traps point at."""
    vault, outside = tmp_path / "vault", tmp_path / "outside"
    shutil.copytree(VAULTS / "good", vault, symlinks=True)
    (outside / "year").mkdir(parents=True)
    (outside / "secret.txt").write_text("not the vault's\n", encoding="utf-8")
    os.symlink(outside / "year", vault / "interactions" / "2027")  # a year folder that leaves the vault
    os.symlink(outside / "secret.txt", vault / "people" / "Leak.md")  # a note that is a link out
    os.mkfifo(vault / "people" / "Fifo.md")
    (vault / "people" / f"{ESCAPED}.md").write_text(
        "---\ntype: person\nrole: \"CFO \\e]0;Title\\a\\e[2J\"\ncadence: 30d\n---\n", encoding="utf-8")
    (vault / "people" / f"{LONG}.md").write_text("---\ntype: person\ncadence: 7d\n---\n", encoding="utf-8")
    (vault / ".gitignore").write_bytes(b"# caf\xe9 (Latin-1)\n*.tmp\n")
    yield vault, outside


LISTINGS = [["check"], ["people"], ["due", "--all"], ["query", "tier:A"], ["agenda"], ["week"], ["orgs"],
            ["index"], ["sql", "select count(*) from notes"], ["feed", "-o", "-"], ["show", "Jane Doe"],
            ["prep", "Jane Doe"], ["export", "vcard", "-o", "-"]]


def test_no_command_hangs_leaves_the_vault_or_changes_a_note(hostile: tuple[Path, Path]) -> None:
    vault, outside = hostile
    before_vault, before_outside = snapshot(vault), snapshot(outside)
    for args in LISTINGS:
        done = run(vault, *args)
        assert done.returncode in (0, 1), (args, done.stderr)
        assert "\x1b" not in done.stdout and "\x07" not in done.stdout, args  # no sequence reaches a terminal
    checked = run(vault, "check").stdout
    assert "people/Fifo.md:1: warning: not a regular file" in checked
    assert snapshot(vault) == before_vault and snapshot(outside) == before_outside


def test_a_name_with_escape_sequences_is_shown_not_sent(hostile: tuple[Path, Path]) -> None:
    vault, _ = hostile
    result = CliRunner().invoke(cli, ["--vault", str(vault), "--today", TODAY, "people"], color=True,
                                env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "\\x1b]0;Pwned\\x07" in result.output and "\x07" not in result.output
    assert "\x1b]" not in result.output and "\x1b[31mRed" not in result.output
    shown = CliRunner().invoke(cli, ["--vault", str(vault), "--today", TODAY, "show", "CFO"], color=True)
    assert "\x1b[2J" not in shown.output


def test_writes_through_a_link_out_of_the_vault_stop_before_anything_is_written(hostile: tuple[Path, Path]
                                                                                 ) -> None:
    vault, outside = hostile
    before_vault, before_outside = snapshot(vault), snapshot(outside)
    done = run(vault, "log", "Jane Doe", "--date", "2027-01-05", "--note", "hi")
    assert done.returncode == 2
    assert "interactions/2027 is a link to" in done.stderr and "outside the vault" in done.stderr
    os.rename(vault / "orgs", vault / "orgs.real")
    os.symlink(outside, vault / "orgs")
    card = vault.parent / "c.vcf"
    card.write_text("BEGIN:VCARD\nVERSION:3.0\nFN:Ola New\nORG:New Org\nEND:VCARD\n", encoding="utf-8")
    done = run(vault, "import", "vcard", str(card))
    assert done.returncode == 2 and "orgs is a link to" in done.stderr
    assert not (vault / "people" / "Ola New.md").exists()  # the person was not written either
    os.unlink(vault / "orgs")
    os.rename(vault / "orgs.real", vault / "orgs")
    assert snapshot(vault) == before_vault and snapshot(outside) == before_outside


def test_init_never_copies_a_file_from_outside_into_the_vault(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("private\n", encoding="utf-8")
    folder = tmp_path / "notes"
    folder.mkdir()
    os.symlink(outside, folder / ".gitignore")
    done = subprocess.run([sys.executable, "-m", "reljournal", "init", "--existing", str(folder)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and ".gitignore is a link to" in done.stderr
    assert sorted(p.name for p in folder.iterdir()) == [".gitignore"]  # nothing else was made
    assert outside.read_text(encoding="utf-8") == "private\n"


def test_init_keeps_a_latin_1_gitignore_byte_for_byte(tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / ".gitignore").write_bytes(b"# caf\xe9\n*.tmp")
    done = subprocess.run([sys.executable, "-m", "reljournal", "init", "--existing", str(folder)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert (folder / ".gitignore").read_bytes().startswith(b"# caf\xe9\n*.tmp\n# reljournal")


@pytest.mark.parametrize("where, why", [
    ("people/Jane Doe.md", "it would be a note"), (".reljournal.toml", "it is the settings file"),
    (".git/config", "it is inside .git/"), (".", "it is a folder"), ("people/new.md", "it would be a note"),
    ("../outside/secret.txt", "a file reljournal did not write")])
def test_the_feed_never_overwrites_a_note_the_settings_or_git(hostile: tuple[Path, Path], where: str,
                                                              why: str) -> None:
    vault, outside = hostile
    (vault / ".git").mkdir()
    (vault / ".git" / "config").write_text("[core]\n", encoding="utf-8")
    before_vault, before_outside = snapshot(vault), snapshot(outside)
    done = run(vault, "feed", "-o", str(vault / where))
    assert done.returncode == 2 and (why in done.stderr or "is a directory" in done.stderr)  # click's own, for -o
    if where.startswith(".."):  # as a setting, a path out of the vault is a settings error of its own
        assert snapshot(vault) == before_vault and snapshot(outside) == before_outside
        return
    settings = vault / ".reljournal.toml"
    settings.write_text(f'[feed]\npath = "{where}"\n', encoding="utf-8")
    assert run(vault, "feed").returncode == 2
    checked = run(vault, "check")
    assert checked.returncode == 1 and "[feed] path" in checked.stdout and why in checked.stdout
    watched = run(vault, "watch", timeout=30)
    assert watched.returncode == 2 and why in watched.stderr
    settings.write_text(before_vault[".reljournal.toml"][0].decode(), encoding="utf-8")  # type: ignore[union-attr]
    assert snapshot(vault) == before_vault and snapshot(outside) == before_outside


def test_a_feed_reljournal_wrote_is_replaced(hostile: tuple[Path, Path]) -> None:
    vault, _ = hostile
    assert run(vault, "feed", "-o", "mine.ics").returncode == 0
    assert run(vault, "feed", "-o", "mine.ics").returncode == 0


def test_set_refuses_type_and_keeps_the_files_mode(hostile: tuple[Path, Path]) -> None:
    vault, _ = hostile
    note = vault / "people" / "Jane Doe.md"
    note.chmod(0o664)
    before = note.read_bytes()
    done = run(vault, "set", "Jane Doe", "type", "interaction")
    assert done.returncode == 2 and "kind changes only by editing" in done.stderr
    assert note.read_bytes() == before
    assert run(vault, "set", "Jane Doe", "role", "Partner").returncode == 0
    assert note.stat().st_mode & 0o777 == 0o664


def test_an_argument_in_another_encoding_gets_one_line(hostile: tuple[Path, Path]) -> None:
    vault, _ = hostile
    done = subprocess.run([sys.executable.encode(), b"-m", b"reljournal", b"--vault", os.fsencode(vault),
                           b"log", b"Jane Doe", b"--note", b"a\xffb"], capture_output=True, timeout=60,
                          env={**os.environ, "LC_ALL": "C.UTF-8"})
    assert done.returncode == 2 and b"Traceback" not in done.stderr
    assert b"is not valid utf-8 text" in done.stderr.lower()


# ---- contact files -------------------------------------------------------------------------------------
EXPORTED = {
    "android.vcf": ["Amara Okafor", "Müller José"], "iphone.vcf": ["Sofia Lindqvist"], "mac.vcf": ["Hiro Tanaka"],
    "gmail.vcf": ["Priya Shah"], "thunderbird.vcf": ["Claire Dubois"],
    "outlook.csv": ["Kwame Mensah", "Renée Fournier"],
    "google.csv": ["Luis García", "Zoë Adams"], "linkedin.csv": ["Mei Chen"],
}


@pytest.mark.parametrize("name", sorted(EXPORTED))
def test_every_named_card_of_a_real_export_arrives(tmp_path: Path, name: str) -> None:
    vault = tmp_path / "v"
    shutil.copytree(VAULTS / "good", vault)
    done = run(vault, "import", "vcard" if name.endswith(".vcf") else "csv", str(EXPORTS / name))
    assert done.returncode == 0, done.stderr
    for person in EXPORTED[name]:
        assert (vault / "people" / f"{person}.md").exists(), (person, done.stdout, done.stderr)
    checked = run(vault, "check")
    assert checked.returncode == 0, checked.stdout
    assert "http\\:" not in "".join(p.read_text(encoding="utf-8") for p in (vault / "people").glob("*.md"))


def test_a_nul_and_a_huge_note_make_notes_check_accepts(tmp_path: Path) -> None:
    vault = tmp_path / "v"
    shutil.copytree(VAULTS / "good", vault)
    card = tmp_path / "big.vcf"
    card.write_bytes(b"BEGIN:VCARD\nVERSION:3.0\nFN:Nul\x00 Person\nNOTE:a\x00b" + b"x" * 3_000_000
                     + b"\nEND:VCARD\n")
    done = run(vault, "import", "vcard", str(card))
    assert done.returncode == 0, done.stderr
    note = vault / "people" / "Nul Person.md"
    assert b"\x00" not in note.read_bytes() and note.stat().st_size < 1_200_000
    assert "(cut: the note was" in note.read_text(encoding="utf-8")
    assert run(vault, "check").returncode == 0


def test_a_csv_with_a_quote_that_never_closes_imports_nothing(tmp_path: Path) -> None:
    vault = tmp_path / "v"
    shutil.copytree(VAULTS / "good", vault)
    path = tmp_path / "q.csv"
    path.write_text('Name,Email\n"Ann, A",a@x.com\n"Bob,b@x.com\nCy,c@x.com\n', encoding="utf-8")
    done = run(vault, "import", "csv", str(path))
    assert done.returncode == 1 and "q.csv:3: a quote opened on this line never closes" in done.stderr
    assert not (vault / "people" / "Ann, A.md").exists() and not (vault / "people" / "Cy.md").exists()


def test_a_csv_in_utf_8_but_for_one_byte_stays_utf_8(tmp_path: Path) -> None:
    vault = tmp_path / "v"
    shutil.copytree(VAULTS / "good", vault)
    path = tmp_path / "m.csv"
    path.write_bytes("Name,Title\nGood Ünï,Boss\nBad\xff Byte,Clerk\n".encode().replace(b"\xc3\xbf", b"\xff"))
    done = run(vault, "import", "csv", str(path))
    assert done.returncode == 0 and "line 3" in done.stderr
    assert (vault / "people" / "Good Ünï.md").exists()


CSV_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                               HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(CSV_TEXT, CSV_TEXT, CSV_TEXT), min_size=1, max_size=4))
def test_any_text_through_a_csv_makes_notes_check_accepts(tmp_path_factory: pytest.TempPathFactory,
                                                          rows: list[tuple[str, str, str]]) -> None:
    """Names, roles and notes of any text: what is imported reads back the same (control characters aside),
    and `check` finds no error in it."""
    vault = tmp_path_factory.mktemp("v")
    (vault / ".reljournal.toml").write_text("", encoding="utf-8")
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["Name", "Title", "Notes"])
    writer.writerows(rows)
    path = vault.parent / f"{vault.name}.csv"
    path.write_text(text.getvalue(), encoding="utf-8")
    runner = CliRunner()
    done = runner.invoke(cli, ["--vault", str(vault), "--today", TODAY, "import", "csv", str(path)])
    assert done.exit_code in (0, 1), done.output
    checked = runner.invoke(cli, ["--vault", str(vault), "--today", TODAY, "check", "--json"])
    assert '"errors": []' in checked.output, checked.output
    roles = {p["role"] for p in json.loads(runner.invoke(cli, ["--vault", str(vault), "--today", TODAY, "people",
                                                               "--json"]).output)}
    first: dict[str, str] = {}
    for name, title, _ in rows:
        first.setdefault(name_key(clean(name)), title)  # a name twice: the first row's person is the one
    for name, title, _ in rows:
        if re.search(r"\w", clean(name)) and clean(title) and first[name_key(clean(name))] == title:
            assert clean(printable(title)) in roles


@given(st.text(alphabet='"ab,\n', max_size=30))
def test_an_unclosed_quote_is_found_as_the_csv_module_reads(text: str) -> None:
    """Where the csv module (strict) ends inside a quoted field, the quote is found; where it reads the whole
    text, none is."""
    try:
        list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            assert _unclosed_quote(text, ",") is not None
        return
    assert _unclosed_quote(text, ",") is None


def test_a_field_too_long_for_a_note_is_cut_and_said(tmp_path: Path) -> None:
    vault = tmp_path / "v"
    shutil.copytree(VAULTS / "good", vault)
    card = tmp_path / "long.vcf"
    card.write_text("BEGIN:VCARD\nVERSION:3.0\nFN:Long Title\nTITLE:" + "Director " * 200_000 + "\nEND:VCARD\n",
                    encoding="utf-8")
    done = run(vault, "import", "vcard", str(card))
    assert done.returncode == 0 and "the role cut to 10,000 characters" in done.stderr
    assert run(vault, "check").returncode == 0


def test_a_calendar_file_over_the_size_limit_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from reljournal.calendars import source

    monkeypatch.setattr(source, "MAX_BYTES", 100)
    big = tmp_path / "big.ics"
    big.write_text("BEGIN:VCALENDAR\n" + "X-PAD:" + "x" * 200 + "\nEND:VCALENDAR\n", encoding="utf-8")
    with pytest.raises(source.SourceError, match="larger than"):
        source._read_file(big, source.Source(str(big), "big.ics"))

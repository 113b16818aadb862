"""`reljournal import vcard|csv`: phone, LinkedIn and generic exports; matching; dry run; round trip."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import vobject
from hypothesis import given
from hypothesis import strategies as st

from reljournal.config import Settings
from reljournal.importers import birthday_of, read_csv, read_vcard, safe_title, yaml_text
from reljournal.parse.note import parse_note
from tests.conftest import Run, write_note

DATA = Path(__file__).parent / "data" / "import"


def snapshot(vault: Path) -> dict[str, str]:
    return {p.relative_to(vault).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(vault.rglob("*")) if p.is_file() and ".reljournal" not in p.parts}


@pytest.fixture
def vault(empty_vault: Path) -> Path:
    """A vault holding one person (matched by e-mail in another case) and one org (matched by alias)."""
    write_note(empty_vault, "people/Lena Vogel-Schmidt.md", """
        ---
        type: person
        aliases: [Lena]
        email: lena@vogel.example
        cadence: 30d
        ---
        """)
    write_note(empty_vault, "orgs/Acme Corp.md", """
        ---
        type: org
        aliases: [Acme]
        ---
        """)
    return empty_vault


@pytest.fixture
def rj_in(vault: Path, run_in: Callable[[Path], Run]) -> Run:
    return run_in(vault)


def test_vcard_import_output_and_summary(rj_in: Run, vault: Path) -> None:
    result = rj_in("import", "vcard", str(DATA / "phone.vcf"))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "+ orgs/Nordbank AG.md",
        "+ people/Jürgen Müller.md",
        "+ people/Siobhán Ní Bhriain.md",
        "+ people/王伟.md",
        "+ people/Ana Lima - Acme.md",
        "+ people/François Dupont.md",
        "= jürgen müller (line 48): same name as people/Jürgen Müller.md",
        "5 added, 1 already there, 1 unreadable card; 1 organisation added",
    ]
    assert result.stderr == "phone.vcf:36: unreadable card: no name (FN or N)\n"


def test_vcard_fields_v3_folded_lines_and_apple_birthday(rj_in: Run, vault: Path) -> None:
    rj_in("import", "vcard", str(DATA / "phone.vcf"))
    assert (vault / "people/Jürgen Müller.md").read_text(encoding="utf-8") == (
        "---\n"
        "type: person\n"
        "aliases: [Jogi, JM]\n"
        'org: "[[Nordbank AG]]"\n'
        "role: Head of Cash Management\n"
        "cadence: none\n"
        'birthday: "--04-12"\n'
        "email: juergen@mail.example\n"
        'phone: "+49 170 5550123"\n'
        "linkedin: https://www.linkedin.com/in/juergenmueller\n"
        "---\n"
        "# Jürgen Müller\n"
        "\n"
        "Met at Sibos in Toronto, 2025. Wants our view on instant payments in the eurozone, and an intro"
        " to our FX desk.\n"
        "\n"
        "- Department: Treasury\n"
        "- E-mail: j.mueller@nordbank.example\n"
        "- Phone: +49 40 5550 100\n"
        "- Web: https://nordbank.example\n"
    )
    assert (vault / "orgs/Nordbank AG.md").read_text(encoding="utf-8") == "---\ntype: org\n---\n# Nordbank AG\n"


def test_vcard_v4_uri_phone_existing_org_and_safe_names(rj_in: Run, vault: Path) -> None:
    rj_in("import", "vcard", str(DATA / "phone.vcf"))
    siobhan = (vault / "people/Siobhán Ní Bhriain.md").read_text(encoding="utf-8")
    assert 'org: "[[Acme Corp]]"\n' in siobhan  # the org already there: no second Acme note
    assert 'phone: "+353-1-555-0199"\n' in siobhan and "birthday: 1981-03-05\n" in siobhan
    assert 'birthday: "--11-02"\n' in (vault / "people/王伟.md").read_text(encoding="utf-8")
    ana = (vault / "people/Ana Lima - Acme.md").read_text(encoding="utf-8")
    assert "aliases: [Ana Lima / Acme]\n" in ana  # the name as written stays findable
    assert 'phone: "+33 6 12 34 56 78"' in (vault / "people/François Dupont.md").read_text(encoding="utf-8")
    assert sorted(p.name for p in (vault / "orgs").iterdir()) == ["Acme Corp.md", "Nordbank AG.md"]


def test_linkedin_connections_csv(rj_in: Run, vault: Path) -> None:
    result = rj_in("import", "csv", str(DATA / "Connections.csv"))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "+ orgs/Nordbank AG.md",
        "+ orgs/Raman, Iyer & Co.md",
        "+ orgs/Bank of Ireland.md",
        "+ people/Jürgen Müller.md",
        "+ people/Priya Raman.md",
        "+ people/Tomás O'Neill.md",
        "= Lena Vogel (line 9): same e-mail as people/Lena Vogel-Schmidt.md",
        "3 added, 1 already there, 1 unreadable row; 3 organisations added",
    ]
    assert result.stderr == "Connections.csv:8: unreadable row: no name\n"
    assert (vault / "people/Tomás O'Neill.md").read_text(encoding="utf-8") == (
        "---\n"
        "type: person\n"
        'org: "[[Bank of Ireland]]"\n'
        "role: Director, Corporate Banking, Dublin\n"
        "cadence: none\n"
        "linkedin: https://www.linkedin.com/in/tomasoneill\n"
        "---\n"
        "# Tomás O'Neill\n"
        "\n"
        "- Connected on LinkedIn on 2024-11-28\n"
    )
    assert 'org: "[[Raman, Iyer & Co]]"' in (vault / "people/Priya Raman.md").read_text(encoding="utf-8")


def test_generic_contacts_csv(rj_in: Run, vault: Path) -> None:
    result = rj_in("import", "csv", str(DATA / "contacts.csv"))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "3 added, 0 already there, 0 unreadable rows; 1 organisation added"
    omar = (vault / "people/Omar Haddad.md").read_text(encoding="utf-8")
    assert "role: COO\n" in omar and "birthday: 1975-09-30\n" in omar and 'phone: "+971 50 555 0142"' in omar
    assert omar.endswith("# Omar Haddad\n\nPrefers WhatsApp; met via Priya, 2024\n")
    assert 'org: "[[Acme Corp]]"' in (vault / "people/Keiko Tanaka.md").read_text(encoding="utf-8")
    zoe = (vault / "people/Zoë -Zo- Adams.md").read_text(encoding="utf-8")
    assert 'aliases: [Zoë "Zo" Adams]\n' in zoe and 'birthday: "--12-24"\n' in zoe


def test_semicolon_csv_and_windows_1252(rj_in: Run, vault: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "outlook.csv"
    sheet.write_bytes("First Name;Last Name;Company;Job Title\r\nRené;Côté;Banque Laurentienne;VP\r\n"
                      .encode("cp1252"))
    result = rj_in("import", "csv", str(sheet))
    assert result.exit_code == 0
    assert result.stderr == "reljournal: outlook.csv:2: not UTF-8; read as Windows-1252\n"
    note = (vault / "people/René Côté.md").read_text(encoding="utf-8")
    assert 'org: "[[Banque Laurentienne]]"\nrole: VP\n' in note


def test_imported_vault_is_clean_and_nobody_new_falls_due(rj_in: Run) -> None:
    for kind, name in (("vcard", "phone.vcf"), ("csv", "Connections.csv"), ("csv", "contacts.csv")):
        assert rj_in("import", kind, str(DATA / name)).exit_code == 0
    check = rj_in("check", "--json")
    assert check.exit_code == 0
    assert json.loads(check.stdout) == {"errors": [], "warnings": []}
    due = json.loads(rj_in("due", "--all", "--json").stdout)
    assert [d["name"] for d in due] == ["Lena Vogel-Schmidt"]


def test_second_import_adds_nothing_and_existing_notes_stay(rj_in: Run, vault: Path) -> None:
    before = (vault / "people/Lena Vogel-Schmidt.md").read_bytes()
    for kind, name in (("vcard", "phone.vcf"), ("csv", "Connections.csv"), ("csv", "contacts.csv")):
        rj_in("import", kind, str(DATA / name))
    after_first = snapshot(vault)
    for kind, name, total in (("vcard", "phone.vcf", 6), ("csv", "Connections.csv", 4), ("csv", "contacts.csv", 3)):
        result = rj_in("import", kind, str(DATA / name))
        assert result.exit_code == 0
        unit = "card" if kind == "vcard" else "row"
        unread = {"phone.vcf": 1, "Connections.csv": 1, "contacts.csv": 0}[name]
        assert result.stdout.splitlines()[-1] == (
            f"0 added, {total} already there, {unread} unreadable {unit}{'' if unread == 1 else 's'}")
    assert snapshot(vault) == after_first
    assert (vault / "people/Lena Vogel-Schmidt.md").read_bytes() == before


def test_match_by_alias_case_folded(rj_in: Run, vault: Path, tmp_path: Path) -> None:
    card = tmp_path / "one.vcf"
    card.write_text("BEGIN:VCARD\nVERSION:3.0\nFN:LENA\nEMAIL:other@example.org\nEND:VCARD\n", encoding="utf-8")
    result = rj_in("import", "vcard", str(card))
    assert result.stdout.splitlines() == ["= LENA (line 1): same name as people/Lena Vogel-Schmidt.md",
                                          "0 added, 1 already there, 0 unreadable cards"]


def test_dry_run_changes_nothing(rj_in: Run, vault: Path) -> None:
    before = snapshot(vault)
    result = rj_in("import", "csv", str(DATA / "Connections.csv"), "--dry-run")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "would add orgs/Nordbank AG.md"
    assert result.stdout.splitlines()[-1] == (
        "3 added, 1 already there, 1 unreadable row; 3 organisations added (dry run: nothing written)")
    assert snapshot(vault) == before


def test_a_file_in_the_way_is_never_overwritten(rj_in: Run, vault: Path, tmp_path: Path) -> None:
    # an ignored file is no person in the index, but it is a file: left alone, counted as there
    write_note(vault, ".reljournal.toml", '[folders]\nignore = ["people/Chen Wei.md"]\n')
    write_note(vault, "people/Chen Wei.md", "mine\n")
    card = tmp_path / "c.vcf"
    card.write_text("BEGIN:VCARD\nVERSION:4.0\nFN:Chen Wei\nEND:VCARD\n", encoding="utf-8")
    result = rj_in("import", "vcard", str(card))
    assert result.stdout.splitlines() == ["= Chen Wei (line 1): a file exists: people/Chen Wei.md",
                                          "0 added, 1 already there, 0 unreadable cards"]
    assert (vault / "people/Chen Wei.md").read_text() == "mine\n"


@pytest.mark.parametrize(("content", "message"), [
    (None, "no such file"),
    (b"hello\n", "not a vCard file"),
    (b"", "no vCard in it"),
])
def test_unreadable_vcard_file_exits_1(rj_in: Run, tmp_path: Path, content: bytes | None, message: str) -> None:
    path = tmp_path / "x.vcf"
    if content is not None:
        path.write_bytes(content)
    result = rj_in("import", "vcard", str(path))
    assert result.exit_code == 1
    assert message in result.stderr


def test_csv_without_a_name_column_exits_1(rj_in: Run, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    result = rj_in("import", "csv", str(path))
    assert result.exit_code == 1
    assert "no header row naming a name column" in result.stderr


def test_a_broken_card_does_not_stop_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "b.vcf"
    path.write_text("BEGIN:VCARD\nVERSION:3.0\nFN:Ok One\nEND:VCARD\n"
                    "BEGIN:VCARD\nVERSION:3.0\nFN:Broken\nthis line has no colon\nEND:VCARD\n"
                    "BEGIN:VCARD\nVERSION:3.0\nFN:Ok Two\nEND:VCARD\n"
                    "BEGIN:VCARD\nVERSION:3.0\nFN:Never ends\n", encoding="utf-8")
    reading, _ = read_vcard(path)
    # SPEC 10: a card with one broken property keeps the rest; the property is left out and said
    assert [c.name for c in reading.contacts] == ["Ok One", "Broken", "Ok Two"]
    assert [(u.line, u.reason.split(" (")[0]) for u in reading.skipped] == [
        (8, "a property that does not parse, left out")]
    assert [(u.line, u.reason.split(" (")[0]) for u in reading.unreadable] == [(14, "the card never ends")]


def test_a_line_made_to_backtrack_is_refused_in_linear_time(tmp_path: Path) -> None:
    """vobject's line regex backtracks exponentially on parameters without a value (`FN;X=a;X=a;...`):
    25 of them took 16 s, 30 never finished. Screened first, the card keeps its other lines."""
    path = tmp_path / "x.vcf"
    path.write_text("BEGIN:VCARD\nVERSION:3.0\nFN:Real Name\nTITLE" + ";X=a" * 5000 + "\n"
                    "NOTE" + ";X=a" * 40 + ":v\nEND:VCARD\n", encoding="utf-8")
    started = time.perf_counter()
    reading, _ = read_vcard(path)
    assert time.perf_counter() - started < 1.0
    assert [c.name for c in reading.contacts] == ["Real Name"]
    assert [u.line for u in reading.skipped] == [4, 5]


def test_round_trip_import_then_export(rj_in: Run, vault: Path) -> None:
    """What a phone exported comes back out as vCard 4.0 that vobject reads, fields intact."""
    rj_in("import", "vcard", str(DATA / "phone.vcf"))
    rj_in("import", "csv", str(DATA / "Connections.csv"))
    exported = rj_in("export", "vcard").stdout
    cards = {c.fn.value: c for c in vobject.readComponents(exported)}
    assert sorted(cards) == sorted(["Ana Lima - Acme", "François Dupont", "Jürgen Müller", "Lena Vogel-Schmidt",
                                    "Priya Raman", "Siobhán Ní Bhriain", "Tomás O'Neill", "王伟"])
    j = cards["Jürgen Müller"]
    assert j.version.value == "4.0"
    assert [n.value for n in j.contents["nickname"]] == ["Jogi", "JM"]
    assert (j.org.value, j.title.value, j.email.value, j.tel.value, j.bday.value, j.url.value) == (
        ["Nordbank AG"], "Head of Cash Management", "juergen@mail.example", "+49 170 5550123", "--0412",
        "https://www.linkedin.com/in/juergenmueller")
    assert cards["Tomás O'Neill"].title.value == "Director, Corporate Banking, Dublin"
    assert cards["Siobhán Ní Bhriain"].bday.value == "19810305"
    # and the export imports again into a fresh vault as the same people
    fresh = vault.parent / "fresh"
    fresh.mkdir()
    path = vault.parent / "out.vcf"
    path.write_text(exported, encoding="utf-8")
    again = Run(fresh)("import", "vcard", str(path))
    assert again.stdout.splitlines()[-1] == "8 added, 0 already there, 0 unreadable cards; 4 organisations added"
    assert (fresh / "people/Jürgen Müller.md").read_text(encoding="utf-8").split("---\n")[1] == (
        vault / "people/Jürgen Müller.md").read_text(encoding="utf-8").split("---\n")[1]


def test_a_name_that_makes_no_file_name_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "dots.csv"
    path.write_text("Name,Company\n...,Acme\n.hidden,Acme\n", encoding="utf-8")
    reading, _ = read_csv(path)
    assert [c.name for c in reading.contacts] == [".hidden"]
    assert safe_title(".hidden") == "hidden"
    assert [(u.line, u.reason) for u in reading.unreadable] == [(2, "no name usable as a file name ('...')")]


def test_readers_keep_source_lines() -> None:
    reading, _ = read_csv(DATA / "Connections.csv")
    assert [(c.name, c.line) for c in reading.contacts] == [
        ("Jürgen Müller", 5), ("Priya Raman", 6), ("Tomás O'Neill", 7), ("Lena Vogel", 9)]


@pytest.mark.parametrize(("raw", "expected"), [
    ("1988-07-09", "1988-07-09"), ("19880709", "1988-07-09"), ("1988-07-09T00:00:00Z", "1988-07-09"),
    ("--0709", "--07-09"), ("--07-09", "--07-09"), ("1604-07-09", "--07-09"), ("9 Jul 1988", "1988-07-09"),
    ("July 9, 1988", "1988-07-09"), ("2026-02-30", None), ("07/09/1988", None), ("", None),
])
def test_birthday_forms(raw: str, expected: str | None) -> None:
    assert birthday_of(raw) == expected


@given(st.text(min_size=1, max_size=60))
def test_safe_title_is_a_safe_file_name(name: str) -> None:
    title = safe_title(name)
    assert not any(c in title for c in '/\\:*?"<>|#^[]\n\r\t')
    assert not title.startswith(".") and title == title.strip() and len(title) <= 120


@given(st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40).filter(str.strip))
def test_yaml_text_reads_back_through_the_note_parser(value: str) -> None:
    value = " ".join(value.split())
    text = f"---\ntype: person\nrole: {yaml_text(value)}\naliases: [{yaml_text(value, in_list=True)}]\n---\n"
    parsed = parse_note("people/X.md", text.encode("utf-8"), Settings(root=Path("."), name="v"))
    assert not parsed.problems
    assert parsed.record is not None
    assert parsed.record.role == value  # type: ignore[union-attr]
    assert parsed.record.aliases == (value,)


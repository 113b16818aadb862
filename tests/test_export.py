"""`reljournal export vcard`: vCard 4.0 that vobject (and contact apps) read; filters; -o FILE."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
import vobject

from tests.conftest import Run, write_note


@pytest.fixture
def vault(empty_vault: Path) -> Path:
    write_note(empty_vault, "people/Jane Doe.md", """
        ---
        type: person
        aliases: [Jane, JD]
        org: "[[Acme Corp|Acme]]"
        role: CFO, EMEA
        birthday: 1980-04-12
        email: jane@acme.example
        phone: "+44 20 7946 0000"
        linkedin: https://www.linkedin.com/in/janedoe
        tags: [client, finance]
        ---
        Private notes that never leave the vault.
        """)
    write_note(empty_vault, "people/Zoë Ünal.md", """
        ---
        type: person
        birthday: "--02-29"
        status: archived
        ---
        """)
    write_note(empty_vault, "orgs/Acme Corp.md", "---\ntype: org\n---\n")
    return empty_vault


@pytest.fixture
def rj_in(vault: Path, run_in: Callable[[Path], Run]) -> Run:
    return run_in(vault)


JANE = (
    "BEGIN:VCARD\r\n"
    "VERSION:4.0\r\n"
    "PRODID:-//reljournal//vCard export//EN\r\n"
    "UID:urn:uuid:{uid}\r\n"
    "BDAY:19800412\r\n"
    "CATEGORIES:client,finance\r\n"
    "EMAIL:jane@acme.example\r\n"
    "FN:Jane Doe\r\n"
    "KIND:individual\r\n"
    "N:Doe;Jane;;;\r\n"
    "NICKNAME:Jane\r\n"
    "NICKNAME:JD\r\n"
    "ORG:Acme Corp\r\n"
    "TEL:+44 20 7946 0000\r\n"
    "TITLE:CFO\\, EMEA\r\n"
    "URL:https://www.linkedin.com/in/janedoe\r\n"
    "END:VCARD\r\n"
)


def test_export_exact_text(rj_in: Run) -> None:
    result = rj_in("export", "vcard")
    assert result.exit_code == 0
    first, second = result.stdout_bytes.decode("utf-8").split("END:VCARD\r\n", 1)
    uid = first.split("UID:urn:uuid:")[1].split("\r\n")[0]
    assert first + "END:VCARD\r\n" == JANE.format(uid=uid)
    assert "BDAY:--0229\r\n" in second and "FN:Zoë Ünal\r\n" in second  # archived people are contacts too
    assert "Private notes" not in result.stdout


def test_export_reads_back_with_vobject(rj_in: Run) -> None:
    cards = list(vobject.readComponents(rj_in("export", "vcard").stdout))
    assert [c.fn.value for c in cards] == ["Jane Doe", "Zoë Ünal"]
    jane = cards[0]
    assert (jane.version.value, jane.title.value, jane.org.value, jane.categories.value) == (
        "4.0", "CFO, EMEA", ["Acme Corp"], ["client", "finance"])
    assert [n.value for n in jane.contents["nickname"]] == ["Jane", "JD"]


def test_export_is_deterministic_with_stable_uids(rj_in: Run, vault: Path) -> None:
    first = rj_in("export", "vcard").stdout
    (vault / "people/Jane Doe.md").rename(vault / "Jane Doe.md")  # moving a note keeps its UID
    assert rj_in("export", "vcard").stdout == first


def test_export_filters(rj_in: Run) -> None:
    out = rj_in("export", "vcard", "--tag", "client").stdout
    assert [c.fn.value for c in vobject.readComponents(out)] == ["Jane Doe"]
    assert rj_in("export", "vcard", "--tag", "nobody").stdout == ""


def test_export_to_a_file(rj_in: Run, tmp_path: Path) -> None:
    out = tmp_path / "people.vcf"
    result = rj_in("export", "vcard", "-o", str(out))
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr == f"2 people written to {out}\n"
    assert out.read_bytes().decode("utf-8").count("BEGIN:VCARD\r\n") == 2
    os.utime(out, (1_000_000_000, 1_000_000_000))
    rj_in("export", "vcard", "-o", str(out))
    assert int(out.stat().st_mtime) == 1_000_000_000  # unchanged content is not written again


def test_long_values_are_folded_and_unfold(rj_in: Run, vault: Path) -> None:
    role = "Managing Director, Global Transaction Banking, Cash Management and Trade Finance, Europe"
    write_note(vault, "people/Long Role.md", f"---\ntype: person\nrole: {role}\n---\n")
    text = rj_in("export", "vcard").stdout_bytes.decode("utf-8")
    assert all(len(line.encode("utf-8")) <= 75 for line in text.split("\r\n"))
    card = next(c for c in vobject.readComponents(text) if c.fn.value == "Long Role")
    assert card.title.value == role

"""Vault discovery and `.reljournal.toml` (SPEC 6)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from reljournal.config import find_vault, load_settings
from reljournal.errors import UserError


def settings_from(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    (tmp_path / ".reljournal.toml").write_text(text)
    return load_settings(tmp_path)


def test_discovery_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    vault = tmp_path / "v"
    (vault / "people/deep").mkdir(parents=True)
    (vault / ".obsidian").mkdir()
    assert find_vault(None, cwd=vault / "people/deep") == vault.resolve()
    (vault / "people/.reljournal.toml").write_text("")
    assert find_vault(None, cwd=vault / "people/deep") == (vault / "people").resolve()
    monkeypatch.setenv("RELJOURNAL_VAULT", str(tmp_path))
    assert find_vault(None, cwd=vault / "people") == tmp_path.resolve()
    assert find_vault(str(vault), cwd=tmp_path) == vault.resolve()
    monkeypatch.delenv("RELJOURNAL_VAULT")
    with pytest.raises(UserError) as none:  # no marker here nor above: not a vault, never indexed
        find_vault(None, cwd=tmp_path)
    assert none.value.exit_code == 2


def test_defaults_without_a_settings_file(tmp_path: Path) -> None:
    settings, problems = load_settings(tmp_path)
    assert problems == [] and settings.tiers == {} and settings.default_cadence is None
    assert settings.name == tmp_path.name and settings.week_target == 5 and settings.alarm == dt.time(9)


def test_full_settings(tmp_path: Path) -> None:
    settings, problems = settings_from(tmp_path, """
[vault]
name = "Relationships"
timezone = "Europe/London"
default_cadence = "90d"
[tiers]
B = "90d"
A = "30d"
[folders]
people = "contacts"
ignore = ["archive/**"]
[feed]
alarm = false
detail = "full"
[week]
target = 3
""")
    assert problems == []
    assert list(settings.tiers) == ["B", "A"]  # file order: the first is the top tier
    assert (settings.name, settings.people, settings.ignore, settings.alarm, settings.detail, settings.week_target) \
        == ("Relationships", "contacts", ("archive/**",), None, "full", 3)
    assert settings.default_cadence.spec == "90d"  # type: ignore[union-attr]


@pytest.mark.parametrize(("text", "line", "words"), [
    ('[vault]\nname = "x"\ndefualt_cadence = "30d"\n', 3, ["defualt_cadence", "allowed", "default_cadence"]),
    ('[vault]\ntimezone = "Mars/Olympus"\n', 2, ["timezone", "IANA"]),
    ('[tiers]\nA = "often"\n', 2, ["[tiers] A", "duration"]),
    ('[feed]\ndetail = "everything"\n', 2, ["detail", '"minimal"']),
    ('[feed]\nalarm = "9am"\n', 2, ["alarm", "false"]),
    ('[week]\ntarget = -1\n', 2, ["target", "whole number"]),
    ('[colours]\nx = 1\n', 1, ["unknown section [colours]"]),
    ('[vault\nname = "x"\n', 1, ["not valid TOML"]),
    ('[folders]\npeople = "../elsewhere"\n', 2, ["people", "inside the vault"]),
])
def test_bad_settings_name_file_line_key_and_what_is_allowed(tmp_path: Path, text: str, line: int,
                                                             words: list[str]) -> None:
    _, problems = settings_from(tmp_path, text)
    (problem,) = problems
    assert (problem.source.path, problem.source.line, problem.code) == (".reljournal.toml", line, "settings")
    for word in words:
        assert word in problem.message

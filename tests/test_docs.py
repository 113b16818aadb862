"""Docs that tests keep honest: every front-matter key, setting and command is documented."""

from __future__ import annotations

import re
from pathlib import Path

import click

from reljournal.cli import cli
from reljournal.config import SETTINGS
from reljournal.model import FRONT_MATTER_KEYS

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_front_matter_key_is_in_the_readme_table() -> None:
    table = "\n".join(line for line in README.splitlines() if line.startswith("| `"))
    documented = set(re.findall(r"`([a-z_]+)`", table))
    missing = {k for keys in FRONT_MATTER_KEYS.values() for k in keys} - documented
    assert not missing


def test_every_setting_is_in_docs_settings() -> None:
    text = (ROOT / "docs/settings.md").read_text(encoding="utf-8")
    for s in SETTINGS:
        assert re.search(rf"\| `\[{s.section}\]` \| `{s.key}` \|", text), f"[{s.section}] {s.key}"


def test_every_command_is_in_the_readme_and_has_help_with_an_example() -> None:
    ctx = click.Context(cli)
    names = cli.list_commands(ctx)
    assert set(names) >= {"init", "demo", "index", "check", "due", "people", "orgs", "show"}
    for name in names:
        command = cli.get_command(ctx, name)
        assert command is not None and command.name == name
        assert f"`{name}" in README, f"README does not mention `{name}`"
        for c in [command, *getattr(command, "commands", {}).values()]:
            assert "Example" in (c.help or ""), f"`{name}` --help has no example"

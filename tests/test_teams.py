"""A team sharing one vault (issue 6): per-owner feeds (`feed --owner`, `/feeds/OWNER.ics`), nothing derived is
ever tracked by git, and two clones that log the same client on the same day merge without a conflict.

Git runs for real, in a temporary folder, isolated from the machine's git configuration; each clone sets
its own user.name and user.email.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from icalendar import Calendar

from reljournal.serve import FeedSource, respond
from tests.conftest import VAULTS, Run, copy_vault

TODAY = "2026-03-15"
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

# What each owner's feed must hold on 2026-03-15 in the accounts vault (see tests/test_accounts.py): their
# people's reminders, meetings and tasks, and the objectives of the accounts they own or are on the team of.
NORTHWIND_OBJECTIVES = {"Objective: Agree the annual review agenda (Northwind Bank)",
                        "Objective: Win the Asia cash-management mandate (Northwind Bank)"}
CONTOSO_OBJECTIVES = {"Objective: Renew the supply contract (Contoso Retail)"}
FEEDS = {
    "alice": {"Reach out: Lena Park (Head of Risk, Northwind Bank)",
              "Reach out: Tom Weber (Analyst, Northwind Bank)",
              "Reach out: Omar Haddad (Head of Treasury, Northwind Bank)",
              "Lunch with Jane Doe",
              "Follow-up: send the review deck to Jane (Jane Doe)"} | NORTHWIND_OBJECTIVES,
    "bob": {"Reach out: Sam Lee"} | NORTHWIND_OBJECTIVES | CONTOSO_OBJECTIVES,
    "carol": {"Reach out: Maria Garcia (Buyer, Contoso Retail)",
              "Follow-up: send Maria the catalogue (Maria Garcia)"} | CONTOSO_OBJECTIVES,
    "dave": {"Reach out: Priya Raman (COO, Northwind Bank)"},
}


def summaries(ics: bytes) -> set[str]:
    return {str(event["SUMMARY"]) for event in Calendar.from_ical(ics).walk("VEVENT")}


def owner_feed(rj: Run, owner: str, out: Path) -> bytes:
    result = rj("feed", "--owner", owner, "-o", str(out))
    assert result.exit_code == 0, result.output
    return out.read_bytes()


# ---- per-owner feeds ------------------------------------------------------------------------------------
@pytest.fixture
def vault(tmp_path: Path) -> Path:
    return copy_vault("accounts", tmp_path)


@pytest.mark.parametrize("owner", sorted(FEEDS))
def test_each_owners_feed_holds_only_their_part(vault: Path, tmp_path: Path, owner: str) -> None:
    assert summaries(owner_feed(Run(vault), owner, tmp_path / f"{owner}.ics")) == FEEDS[owner]


def test_the_whole_feed_is_every_owners_part_and_more(vault: Path, tmp_path: Path) -> None:
    rj = Run(vault)
    rj("feed", "-o", str(tmp_path / "all.ics"))
    everything = summaries((tmp_path / "all.ics").read_bytes())
    assert set().union(*FEEDS.values()) <= everything
    # Ken Ito (bob's through Contoso) has no cadence: no reminder anywhere; Finn is dormant
    assert not any("Ken Ito" in s or "Finn" in s for s in everything)


def test_served_owner_feeds_are_the_same_bytes(vault: Path, tmp_path: Path) -> None:
    rj = Run(vault)
    source = FeedSource(vault, TODAY)
    try:
        for owner in FEEDS:
            served = respond(source, "GET", f"/feeds/{owner}.ics", {})
            assert served.status == 200
            assert served.body == owner_feed(rj, owner, tmp_path / f"{owner}.ics")
        assert respond(source, "GET", "/feeds/erin.ics", {}).status == 404  # nobody owns anything as erin
    finally:
        source.close()


def test_feed_owner_unknown_is_an_error(vault: Path, tmp_path: Path) -> None:
    result = Run(vault)("feed", "--owner", "erin", "-o", str(tmp_path / "x.ics"))
    assert result.exit_code == 1
    assert "no owner named 'erin'; owners: alice, bob, carol, dave" in result.output
    assert not (tmp_path / "x.ics").exists()


# ---- git -------------------------------------------------------------------------------------------------
@pytest.fixture
def git_env(tmp_path: Path) -> dict[str, str]:
    """Git without the machine's or the user's configuration, and never an editor or a pager."""
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(HOME=str(home), GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=str(home / ".gitconfig"),
               GIT_TERMINAL_PROMPT="0", GIT_EDITOR="true", GIT_PAGER="cat", LC_ALL="C")
    return env


def git(env: dict[str, str], cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60)
    if check and result.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    return result


def member_clone(env: dict[str, str], remote: Path, dest: Path, name: str) -> Path:
    git(env, dest.parent, "clone", "-q", str(remote), dest.name)
    git(env, dest, "config", "user.name", name)
    git(env, dest, "config", "user.email", f"{name}@example.com")
    git(env, dest, "config", "pull.rebase", "false")
    return dest


def use_every_command(vault: Path, tmp_path: Path) -> None:
    """Every command that writes derived state: the index, the feed (default place), check, listings."""
    rj = Run(vault)
    for args in (("index",), ("index", "--rebuild"), ("feed",), ("check",), ("due",), ("orgs", "--json"),
                 ("show", "Northwind Bank"), ("agenda",), ("week",), ("people",), ("query", "tier:A"),
                 ("sql", "SELECT count(*) FROM notes")):
        rj(*args)
    assert (vault / ".reljournal" / "feed.ics").is_file()


@needs_git
def test_nothing_reljournal_derives_is_ever_tracked(git_env: dict[str, str], tmp_path: Path) -> None:
    vault = tmp_path / "team"
    vault.mkdir()
    git(git_env, vault, "init", "-q")
    assert Run(vault)("init").exit_code == 0  # a fresh `git init` is not "a folder with files"
    shutil.copytree(VAULTS / "accounts", vault, dirs_exist_ok=True)
    git(git_env, vault, "add", "-A")
    assert not [p for p in git(git_env, vault, "diff", "--cached", "--name-only").stdout.splitlines()
                if p.startswith(".reljournal/")]
    git(git_env, vault, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "vault")
    use_every_command(vault, tmp_path)
    assert git(git_env, vault, "status", "--porcelain").stdout == ""
    ignored = git(git_env, vault, "status", "--porcelain", "--ignored").stdout.splitlines()
    assert ignored == ["!! .reljournal/"]


@needs_git
def test_two_members_log_the_same_client_on_the_same_day_and_merge(git_env: dict[str, str], tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    git(git_env, tmp_path, "init", "-q", "--bare", str(remote))
    git(git_env, remote, "symbolic-ref", "HEAD", "refs/heads/main")
    alice = member_clone(git_env, remote, tmp_path / "alice", "alice")
    assert Run(alice)("init").exit_code == 0
    shutil.copytree(VAULTS / "accounts", alice, dirs_exist_ok=True)
    git(git_env, alice, "add", "-A")
    git(git_env, alice, "commit", "-q", "-m", "Our team vault")
    git(git_env, alice, "push", "-q", "origin", "HEAD:main")
    bob = member_clone(git_env, remote, tmp_path / "bob", "bob")

    # the same client, the same day, the same kind of interaction, in both clones
    in_alice = Run(alice)("log", "Jane Doe", "--kind", "call", "--by", "alice", "--outcome", "Agenda agreed")
    in_bob = Run(bob)("log", "Jane Doe", "--kind", "call", "--by", "bob", "--outcome", "Talked FX")
    assert in_alice.exit_code == in_bob.exit_code == 0
    alice_note, bob_note = in_alice.output.strip(), in_bob.output.strip()
    assert alice_note.startswith("interactions/2026/2026-03-15 Call with Jane Doe ")
    assert bob_note.startswith("interactions/2026/2026-03-15 Call with Jane Doe ")
    assert alice_note != bob_note

    for member in (alice, bob):  # both use the vault before committing: nothing derived gets in
        use_every_command(member, tmp_path)
        git(git_env, member, "add", "-A")
        git(git_env, member, "commit", "-q", "-m", f"Call with Jane ({member.name})")
    git(git_env, alice, "push", "-q", "origin", "HEAD:main")
    merged = git(git_env, bob, "pull", "--no-edit", "origin", "main")
    assert "CONFLICT" not in merged.stdout + merged.stderr
    assert len(git(git_env, bob, "rev-list", "--parents", "-n", "1", "HEAD").stdout.split()) == 3  # a real merge
    git(git_env, bob, "push", "-q", "origin", "HEAD:main")
    git(git_env, alice, "pull", "-q", "--no-edit", "origin", "main")

    for member in (alice, bob):
        assert (member / alice_note).is_file() and (member / bob_note).is_file()
        assert git(git_env, member, "status", "--porcelain").stdout == ""
        assert git(git_env, member, "rev-parse", "HEAD").stdout == git(git_env, bob, "rev-parse", "HEAD").stdout
    show = [Run(m)("show", "Northwind Bank").output for m in (alice, bob)]
    assert show[0] == show[1]
    assert "  alice       3  2026-03-15\n  bob         2  2026-03-15\n" in show[0]

    # each member's own feed, from their own clone, holds only their people (and their accounts' objectives):
    # both of today's calls with Jane are in alice's (Jane is hers), whoever made them, and none is in bob's
    todays_calls = {"alice": {"Call with Jane Doe"}, "bob": set()}
    for member in (alice, bob):
        feed = summaries(owner_feed(Run(member), member.name, tmp_path / f"{member.name}-feed.ics"))
        assert feed == FEEDS[member.name] | todays_calls[member.name]
        use_every_command(member, tmp_path)
        assert git(git_env, member, "status", "--porcelain").stdout == ""

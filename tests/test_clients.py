"""Real calendar clients read the feed: vdirsyncer pulls it from `serve` into a vdir that khal lists, and
calcurse imports the file with nothing skipped.

A missing tool skips these tests, except in CI (CI=true), where it fails: `.ci/run` installs them.
Every tool runs with HOME and the XDG folders inside tmp, with a config file written by the test.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import copy_vault, serving

from reljournal.app import Journal
from reljournal.feed import build_feed

pytestmark = pytest.mark.clients

TODAY = "2026-03-15"
TOKEN = "client-test-token"


def require(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if not missing:
        return
    message = f"not installed: {', '.join(missing)}"
    if os.environ.get("CI") == "true":
        pytest.fail(message + " (CI installs them: .ci/run)")
    pytest.skip(message)


def tool_env(tmp: Path) -> dict[str, str]:
    home = tmp / "home"
    for sub in ("", ".config", ".local/share", ".cache"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "VDIRSYNCER", "KHAL"))}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), XDG_DATA_HOME=str(home / ".local/share"),
               XDG_CACHE_HOME=str(home / ".cache"), TZ="Europe/London", LC_ALL="C.UTF-8", LANG="C.UTF-8")
    return env


def call(args: list[str], env: dict[str, str]) -> str:
    p = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120, stdin=subprocess.DEVNULL)
    assert p.returncode == 0, f"{args[0]} exited {p.returncode}:\n{p.stdout}\n{p.stderr}"
    return p.stdout


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    return copy_vault("feed", tmp_path)


@pytest.fixture
def port(vault: Path) -> Iterator[int]:
    """`serve` on 127.0.0.1, a free port, in a thread; always stopped."""
    with serving(vault, token=TOKEN, today=TODAY) as bound:
        yield bound


EXPECTED_AGENDA = [
    "2026-03-15 Objective: Renew the credit line (Lagos Bank)",
    "2026-03-15 Reach out: Ada Obi (CFO, Lagos Bank)",
    "2026-03-16 Follow-up: buy stamps",
    "2026-03-16 Follow-up: call Bola Ade about the merger",
    "2026-03-17 Follow-up: send the deck to Ada (Ada Obi)",
    "2026-03-18 Follow-up with Ada Obi",
    "2026-03-20 12:30 Lunch with Chidi Eze",
    "2026-03-25 Lunch with Bola Ade",
    "2026-04-01 Reach out: Kemi Snooze",
    "2026-04-02 10:00 Call with Chidi Eze",
]


def khal_list(config: Path, env: dict[str, str], start: str, end: str) -> list[str]:
    out = call(["khal", "-c", str(config), "list", "--format", "{start-date} {start-time} {title}", "--day-format",
                "", start, end], env)
    return [" ".join(line.split()) for line in out.splitlines() if line.strip()]


def test_vdirsyncer_pulls_the_feed_and_khal_shows_it(vault: Path, port: int, tmp_path: Path) -> None:
    require("vdirsyncer", "khal")
    env = tool_env(tmp_path)
    vdir = tmp_path / "calendars" / "reljournal"
    vdir.mkdir(parents=True)
    vconf = tmp_path / "vdirsyncer.conf"
    vconf.write_text(f"""\
[general]
status_path = "{tmp_path / 'status'}/"

[pair reljournal]
a = "reljournal_feed"
b = "reljournal_local"
collections = null
conflict_resolution = "a wins"

[storage reljournal_feed]
type = "http"
url = "http://127.0.0.1:{port}/{TOKEN}/feed.ics"

[storage reljournal_local]
type = "filesystem"
path = "{vdir}/"
fileext = ".ics"
""")
    kconf = tmp_path / "khal.conf"
    kconf.write_text(f"""\
[calendars]
[[reljournal]]
path = {vdir}/
type = calendar

[locale]
timeformat = %H:%M
dateformat = %Y-%m-%d
longdateformat = %Y-%m-%d
datetimeformat = %Y-%m-%d %H:%M
longdatetimeformat = %Y-%m-%d %H:%M
local_timezone = Europe/London
default_timezone = Europe/London

[sqlite]
path = {tmp_path / 'khal.db'}
""")
    call(["vdirsyncer", "--config", str(vconf), "discover"], env)
    call(["vdirsyncer", "--config", str(vconf), "sync"], env)
    items = sorted(vdir.iterdir())
    assert len(items) == 13  # one item per UID
    assert khal_list(kconf, env, "2026-03-15", "2026-04-10") == EXPECTED_AGENDA
    # the yearly birthdays, 29 February included
    assert khal_list(kconf, env, "2027-02-27", "2027-03-02") == ["2027-02-28 Birthday: Ada Obi"]
    assert khal_list(kconf, env, "2028-02-27", "2028-03-02") == ["2028-02-29 Birthday: Ada Obi"]
    assert khal_list(kconf, env, "2026-07-14", "2026-07-15") == ["2026-07-14 Birthday: Dayo Ola"]

    # An edit replaces the event, never adds a second one. (vdirsyncer's http storage swaps every UID for
    # a hash of the item's content, so it cannot keep ours: it deletes the old item and adds the new.)
    ada = vault / "people/Ada Obi.md"
    ada.write_text(ada.read_text().replace("role: CFO", "role: CEO"))
    call(["vdirsyncer", "--config", str(vconf), "sync"], env)
    assert len(list(vdir.iterdir())) == 13
    assert "2026-03-15 Reach out: Ada Obi (CFO, Lagos Bank)" not in khal_list(kconf, env, "2026-03-15", "2026-03-16")
    assert "2026-03-15 Reach out: Ada Obi (CEO, Lagos Bank)" in khal_list(kconf, env, "2026-03-15", "2026-03-16")


def test_calcurse_imports_everything(vault: Path, tmp_path: Path) -> None:
    require("calcurse")
    env = tool_env(tmp_path)
    journal = Journal.open(vault, TODAY)
    try:
        feed = tmp_path / "feed.ics"
        feed.write_bytes(build_feed(journal.view()))
    finally:
        journal.close()
    data = tmp_path / "calcurse"
    data.mkdir()
    p = subprocess.run(["calcurse", "-D", str(data), "-i", str(feed)], capture_output=True, text=True, env=env,
                       timeout=60, stdin=subprocess.DEVNULL)
    report = p.stdout + p.stderr
    assert p.returncode == 0, report
    assert "2 apps / 11 events / 0 todos / 0 skipped" in report
    out = call(["calcurse", "-D", str(data), "-Q", "--from", "03/20/2026", "--days", "14"], env)
    assert "12:30 -> 14:00\n\tLunch with Chidi Eze" in out
    assert "10:00 -> 11:00\n\tCall with Chidi Eze" in out  # 09:00 UTC is 10:00 in London
    assert "04/01/26:\n * Reach out: Kemi Snooze" in out
    leap = call(["calcurse", "-D", str(data), "-Q", "--from", "02/27/2027", "--days", "3"], env)
    assert leap.strip() == "02/28/27:\n * Birthday: Ada Obi"

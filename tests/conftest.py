"""Shared test fixtures: real vault folders copied to tmp, a CLI runner that sets --vault and --today."""

from __future__ import annotations

import os
import shutil
import signal
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from reljournal.cli import cli

DATA = Path(__file__).parent / "data"
VAULTS = DATA / "vaults"
TODAY = "2026-03-15"


# A test that needs what only POSIX systems have (signals to other processes, symbolic links without
# privileges, Unix permissions): `@posix`. It skips on Windows, saying why.
posix = pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX signals, symbolic links or permissions")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never see the developer's own vault, date, width or colour settings."""
    for name in ("RELJOURNAL_VAULT", "RELJOURNAL_TODAY", "RELJOURNAL_TOKEN", "RELJOURNAL_USER", "COLUMNS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")


def copy_vault(name: str, dest: Path) -> Path:
    target = dest / name
    shutil.copytree(VAULTS / name, target, symlinks=True)
    return target


@pytest.fixture
def good_vault(tmp_path: Path) -> Path:
    return copy_vault("good", tmp_path)


@pytest.fixture
def broken_vault(tmp_path: Path) -> Path:
    return copy_vault("broken", tmp_path)


@pytest.fixture
def ignored_vault(tmp_path: Path) -> Path:
    return copy_vault("ignored", tmp_path)


@pytest.fixture
def empty_vault(tmp_path: Path) -> Path:
    vault = tmp_path / "vault"
    vault.mkdir()
    return vault


def write_note(vault: Path, rel: str, text: str, *, mtime: float | None = None) -> Path:
    """Write a note (dedented) and, when given, set its mtime (never sleep for mtimes)."""
    path = vault / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


@dataclass
class Run:
    vault: Path
    today: str = TODAY

    def __call__(self, *args: str, today: str | None = None, input: str | None = None) -> Result:
        runner = CliRunner()
        return runner.invoke(cli, ["--vault", str(self.vault), "--today", today or self.today, *args],
                             input=input, catch_exceptions=False)


@pytest.fixture
def rj(good_vault: Path) -> Run:
    """`rj("due", "--json")` runs reljournal on a copy of tests/data/vaults/good with --today 2026-03-15."""
    return Run(good_vault)


@pytest.fixture
def run_in() -> Callable[[Path], Run]:
    """`run_in(vault)("due")` for any vault folder."""
    return lambda vault: Run(vault)


@contextmanager
def serving(vault: Path, *, token: str | None = None, today: str = TODAY) -> Iterator[int]:
    """The feed server on 127.0.0.1 and a free port, in a thread, always stopped: yields the port."""
    from reljournal.serve import FeedSource, make_server, run

    source = FeedSource(vault, today)
    server = make_server(source, "127.0.0.1", 0, token=token, log=lambda line: None)
    stop = threading.Event()
    thread = threading.Thread(target=run, args=(server, stop), daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        stop.set()
        thread.join(timeout=10)
        source.close()


def signal_burst(pid: int, seconds: float = 0.05) -> int:
    """SIGTERM and SIGINT in turn, as fast as they go, with a few microseconds between some, for `seconds` or
    until the process is gone: how many were sent. Two signals close together used to hang `watch` and
    `serve` (a handler waiting for the lock the handler it interrupted held: reljournal/stopsignal.py)."""
    sent, deadline = 0, time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        try:
            os.kill(pid, signal.SIGINT if sent % 2 else signal.SIGTERM)
        except ProcessLookupError:
            break
        sent += 1
        pause = time.perf_counter() + 1e-5 * (sent % 7)
        while time.perf_counter() < pause:
            pass
    return sent


def wait_for(condition: Callable[[], object], what: str, timeout: float = 15.0) -> None:
    """A bounded polling loop: until `condition()` holds, else fail saying what never came."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")

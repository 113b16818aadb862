"""`serve` runs the watcher in-process: the served feed follows the vault without a scan per request."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from conftest import posix, serving, write_note

pytestmark = posix  # SIGTERM to the server: POSIX's


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8")


def _wait_for(predicate, seconds: float = 20) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except OSError:
            pass
        time.sleep(0.1)
    return False


def test_serve_follows_the_vault_and_refuses_a_second_watcher(good_vault: Path) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}/feed.ics"
    env = {**os.environ, "NO_COLOR": "1"}
    argv = [sys.executable, "-m", "reljournal", "--vault", str(good_vault), "--today", "2026-03-15"]
    server = subprocess.Popen([*argv, "serve", "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert _wait_for(lambda: "Reach out: Jane Doe" in _get(url))
        assert "Zed New" not in _get(url)
        write_note(good_vault, "people/Zed New.md", "---\ntype: person\ncadence: 1w\n---\n")
        assert _wait_for(lambda: "Reach out: Zed New" in _get(url)), "the served feed did not follow the vault"
        # the watcher also keeps the feed file current
        assert _wait_for(lambda: "Zed New" in (good_vault / ".reljournal/feed.ics").read_text(encoding="utf-8"))
        second = subprocess.run([*argv, "serve", "--port", str(_free_port())], env=env, capture_output=True,
                                text=True, timeout=60)
        assert second.returncode == 1 and "already watching" in second.stderr
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            code = server.wait(timeout=30)
        finally:
            if server.poll() is None:
                server.kill()
    assert code == 0


def test_http_servers_own_errors_never_echo_the_request_line(good_vault: Path) -> None:
    with serving(good_vault, token="s3cret-token") as port:
        for request in (b"GARBAGE /s3cret-token/feed.ics\r\n\r\n", b"GET /s3cret-token/feed.ics HTTP/9.9\r\n\r\n",
                        b"GET /s3cret-token/feed.ics HTTP/1.1\r\n" + b"X: y\r\n" * 150 + b"\r\n"):
            with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
                s.sendall(request)
                answer = b""
                while chunk := s.recv(4096):
                    answer += chunk
            assert answer and b"s3cret" not in answer, answer[:300]


def test_the_server_answers_with_the_watchers_feed(good_vault: Path) -> None:
    from reljournal.app import Journal
    from reljournal.feed import build_feed
    from reljournal.serve import FeedSource
    from reljournal.watch import Watcher

    source = FeedSource(good_vault, "2026-03-15", sync_on_request=False)
    watcher = Watcher(Journal.open(good_vault, "2026-03-15"), fixed_today=True, on_update=source.follow,
                      quiet=True, echo=lambda text, err: None)
    try:
        watcher.start()
        write_note(good_vault, "people/Zed New.md", "---\ntype: person\ncadence: 30d\n---\n")
        assert _wait_for(lambda: b"Reach out: Zed New" in (good_vault / ".reljournal/feed.ics").read_bytes())
        assert _wait_for(lambda: watcher.last_update is not None and watcher.last_update.stats.added)
        doc = source.current()
        assert doc is not None and doc.body == (good_vault / ".reljournal/feed.ics").read_bytes()
        journal = Journal.open(good_vault, "2026-03-15")
        try:
            assert doc.body == build_feed(journal.view())
        finally:
            journal.close()
    finally:
        watcher.stop()
        source.close()


def test_owners_feeds_are_filtered_from_the_watchers_feed(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """`/feeds/OWNER.ics` after a change: filtered from the watcher's live feed, not built from the whole
    vault again (10 s at 111,000 notes), and the same bytes as a full build of that owner's feed."""
    from conftest import copy_vault

    from reljournal import serve
    from reljournal.app import Journal
    from reljournal.feed import build_feed
    from reljournal.watch import Watcher

    vault = copy_vault("feed", tmp_path)
    source = serve.FeedSource(vault, "2026-03-15", sync_on_request=False)
    watcher = Watcher(Journal.open(vault, "2026-03-15"), fixed_today=True, on_update=source.follow,
                      quiet=True, echo=lambda text, err: None, owner_feeds=True)  # as `serve` runs it

    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("an owner's feed was built from the whole vault")

    try:
        watcher.start()
        write_note(vault, "people/Zed New.md", "---\ntype: person\ncadence: 30d\nowner: bob\n---\n")
        # the server has followed the update (the watcher's last step): it serves the new feed
        assert _wait_for(lambda: b"Reach out: Zed New" in source.current().body)  # type: ignore[union-attr]
        monkeypatch.setattr(serve, "build_feed", refuse)
        served = {owner: source.current(owner) for owner in ("alice", "BOB", "carol")}
        monkeypatch.undo()
        journal = Journal.open(vault, "2026-03-15")
        try:
            view = journal.view()
            for owner, doc in served.items():
                assert doc is not None and doc.body == build_feed(view, owner=owner.lower())
            assert b"Reach out: Zed New" in served["BOB"].body  # type: ignore[union-attr]
            assert b"Reach out: Zed New" not in served["alice"].body  # type: ignore[union-attr]
        finally:
            journal.close()
    finally:
        watcher.stop()
        source.close()

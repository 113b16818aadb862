#!/usr/bin/env python3
"""Reminders on the phone at scale: a vault of 1,000 reminders pushed to a local Radicale, then synced with
nothing changed, then with one person changed. Each step counts the HTTP requests and takes the time of
`sync_phone` (the index is current; the server runs on 127.0.0.1 in its own process).

Goals (issue 21): a no-change sync in at most 3 requests, one changed person in at most 3 + 1.

    python benchmarks/phone_sync.py                 # 1,000 people, each with a reach-out
    python benchmarks/phone_sync.py --people 200 --todos
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TODAY = dt.date(2026, 3, 15)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def vault(root: Path, people: int, url: str, todos: bool) -> None:
    (root / "people").mkdir(parents=True)
    (root / ".reljournal.toml").write_text(
        f'[vault]\ntimezone = "Europe/London"\n[caldav]\nurl = "{url}"\ncalendar = "Relationships"\n'
        f'username = "bench"\ntodos = {"true" if todos else "false"}\n', encoding="utf-8")
    for n in range(people):
        last = TODAY - dt.timedelta(days=n % 60)
        (root / "people" / f"Person {n:04d}.md").write_text(
            f"---\ntype: person\ncadence: 30d\nlast_contact: {last}\n---\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--todos", action="store_true", help="push reach-outs as tasks (VTODO)")
    args = parser.parse_args(argv)
    from reljournal.app import Journal
    from reljournal.calendars.phone import sync_phone

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        (base / "users").write_text("bench:pw\n")
        port = free_port()
        (base / "config").write_text(
            f"[server]\nhosts = 127.0.0.1:{port}\n[auth]\ntype = htpasswd\nhtpasswd_filename = {base / 'users'}\n"
            f"htpasswd_encryption = plain\ndelay = 0\n[storage]\nfilesystem_folder = {base / 'collections'}\n"
            "[rights]\ntype = owner_only\n[logging]\nlevel = error\n")
        server = subprocess.Popen([sys.executable, "-m", "radicale", "--config", str(base / "config")],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.05)
            root = base / "vault"
            vault(root, args.people, f"http://127.0.0.1:{port}/", args.todos)
            os.environ["RELJOURNAL_CALDAV_PASSWORD"] = "pw"
            journal = Journal.open(root, TODAY.isoformat())
            journal.view()  # the index is current before the clock starts
            rows = []
            for label, change in (("first push", None), ("nothing changed", None),
                                  ("one person changed", "Person 0007.md")):
                if change:
                    path = root / "people" / change
                    path.write_text(path.read_text().replace("cadence: 30d", "cadence: 14d"), encoding="utf-8")
                start = time.perf_counter()
                result = sync_phone(journal.settings, journal.today, journal.view)
                rows.append((label, time.perf_counter() - start, result.requests, result.summary()))
            journal.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(f"{os.cpu_count()} cores; {args.people} reminders ({'tasks' if args.todos else 'events'}), Radicale on "
          "127.0.0.1")
    for label, seconds, requests, summary in rows:
        print(f"{label:20} {seconds:6.2f} s  {requests:5} requests   ({summary})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

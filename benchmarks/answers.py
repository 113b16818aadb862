#!/usr/bin/env python3
"""Answers in a blink (issue 23): each listing command on the 111,000-note vault of benchmarks/generate.py,
with a live watcher and without one, against the CLI's own start-up (`reljournal --version`) and the no-op
re-index; `agenda`'s memory; `watch`'s start-up; a command's answer after one saved edit; the first `due` of a
new day.

Each figure runs in its own process (wall clock, peak RSS by wait4) and is the fastest of --repeat runs.
The watcher is a real `reljournal watch` in its own process; the commands skip their scan while it is live
(SPEC 5). Before the runs, one command stores the day's answers (as the watcher does at its start).

    python benchmarks/answers.py                 # 111k notes, 3 runs each
    python benchmarks/answers.py --size 10k --repeat 5
"""

from __future__ import annotations

import datetime as dt
import os
import selectors
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import EARLY, TODAY, best, bytecode_written, measure, size_options, vault_for  # noqa: E402

LISTINGS = [["due"], ["due", "--json"], ["people"], ["people", "--json"], ["orgs"], ["week"], ["query", "tier:A"],
            ["query", "overdue"], ["query", "kind:lunch"], ["agenda"]]


def start_watcher(rj: list[str], timeout: float = 300.0) -> tuple[subprocess.Popen[bytes], float]:
    """A live `reljournal watch` and the seconds until it said it was watching and had written its feed."""
    bytecode_written()
    began = time.perf_counter()
    proc = subprocess.Popen([*rj, "watch"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert proc.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    seen = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if selector.select(timeout=1.0):
            line = proc.stdout.readline()
            seen += line
            if line.startswith(b"start:"):
                return proc, time.perf_counter() - began
            if not line and proc.poll() is not None:
                break
    proc.kill()
    raise SystemExit(f"the watcher did not start: {seen.decode(errors='replace')[-2000:]}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def run(size: str, repeat: int, cache: Path) -> list[tuple[str, str, str]]:
    vault = vault_for(size, cache)
    rj = [sys.executable, "-m", "reljournal", "--vault", str(vault), "--today", TODAY]
    measure([*rj, "index"])
    measure([*rj, "due"])  # the day's answers worked out and stored, as the watcher does at its start
    rows: list[tuple[str, str, str]] = []

    def figure(argv: list[str]) -> tuple[float, float]:
        return best(argv, repeat)

    version = figure([sys.executable, "-m", "reljournal", "--version"])
    noop = figure([*rj, "index"])
    rows.append(("`reljournal --version` (the CLI's start-up)", f"{version[0]:.2f} s, {version[1]:.0f} MB", ""))
    rows.append(("no-op re-index (`index`, nothing changed)", f"{noop[0]:.2f} s, {noop[1]:.0f} MB", ""))
    without = {" ".join(argv): figure([*rj, *argv]) for argv in LISTINGS}
    stop(start_watcher(rj)[0])  # a clean stop keeps the feed: the start below is a restart (benchmarks/kept_feed.py)
    watcher, started = start_watcher(rj)
    try:
        live = {" ".join(argv): figure([*rj, *argv]) for argv in LISTINGS}
        note = sorted((vault / "people").glob("*.md"))[0]
        original = note.read_bytes()
        try:
            times = []
            for n in range(repeat):
                note.write_bytes(original.replace(b"role: ", f"role: Edit{n} ".encode(), 1))
                times.append(measure([*rj, "due", "--json"]))
            after_edit = min(times)
        finally:
            note.write_bytes(original)
    finally:
        stop(watcher)
    for argv in LISTINGS:
        name = " ".join(argv)
        (w, w_mb), (o, o_mb) = live[name], without[name]
        rows.append((f"`{name}`", f"{w:.2f} s ({w / version[0]:.1f} x start-up), {w_mb:.0f} MB",
                     f"{o:.2f} s ({o / noop[0]:.2f} x no-op re-index), {o_mb:.0f} MB"))
    rows.append(("`due --json` just after one note was saved", f"{after_edit[0]:.2f} s", ""))
    rows.append(("`watch` restart, nothing changed (to its `start:` line, feed written)", f"{started:.2f} s", ""))
    rows.append(kept_up_agenda(vault, repeat, version[0], noop[0]))
    rows.append(new_day(vault, repeat, noop[0]))
    measure([*rj, "due"])  # TODAY's answers stored again
    return rows


def new_day(vault: Path, repeat: int, noop: float) -> tuple[str, str, str]:
    """The first `due` of each of `repeat` new days in turn, without a watcher: the day's answers are made from
    the last day's (`Index.carry_answers`) before `due` reads them."""
    first = dt.date.fromisoformat(TODAY) + dt.timedelta(days=1)
    rj = [sys.executable, "-m", "reljournal", "--vault", str(vault)]
    measure([*rj, "--today", first.isoformat(), "due"])  # the day before the first measured one
    times = [measure([*rj, "--today", (first + dt.timedelta(days=n)).isoformat(), "due"]) for n in range(1, repeat + 1)]
    (o, o_mb) = min(times)
    return ("`due`, the first of a new day (the answers of the day before stored)", "",
            f"{o:.2f} s ({o / noop:.2f} x no-op re-index), {o_mb:.0f} MB")


def kept_up_agenda(vault: Path, repeat: int, version: float, noop: float) -> tuple[str, str, str]:
    """`agenda` of a journal kept up to date: the vault seen from EARLY (its meetings ahead, few tasks overdue),
    with a watcher started on that day and without one."""
    early = [sys.executable, "-m", "reljournal", "--vault", str(vault), "--today", EARLY]
    measure([*early, "due"])  # that day's answers stored, as a watcher started on it does
    lines = subprocess.run([*early, "agenda"], capture_output=True, check=True).stdout.count(b"\n")
    (o, o_mb) = best([*early, "agenda"], repeat)
    watcher, _ = start_watcher(early)
    try:
        (w, w_mb) = best([*early, "agenda"], repeat)
    finally:
        stop(watcher)
    return (f"`agenda` of a journal kept up to date (the vault seen from {EARLY}: {lines:,} lines)",
            f"{w:.2f} s ({w / version:.1f} x start-up), {w_mb:.0f} MB",
            f"{o:.2f} s ({o / noop:.2f} x no-op re-index), {o_mb:.0f} MB")


def main() -> None:
    args = size_options(__doc__)
    rows = run(args.size, args.repeat, args.cache)
    print(f"{args.size} notes, {os.cpu_count()} cores (`nproc`), fastest of {args.repeat}\n")
    print("| | with a live watcher | without one |\n|---|---|---|")
    for name, live, alone in rows:
        print(f"| {name} | {live} | {alone} |")


if __name__ == "__main__":
    main()

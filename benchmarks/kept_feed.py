#!/usr/bin/env python3
"""The feed kept and brought up to date (issue 23), on the 111,000-note vault of benchmarks/generate.py:
how long a real `reljournal watch` takes to its `start:` line (index current, answers stored, feed written)
when it must build the feed, and when it starts from the feed its last clean stop kept (`LiveFeed.save` /
`restore`) with nothing changed, with notes changed while it was stopped, and on the next day; a running
watcher's midnight; `reljournal feed` on the next day, from the feed the last `feed` kept.

Each start runs in its own process; each figure is the fastest of --repeat starts. Notes edited for a figure
are put back afterwards (and the index re-read) so that the vault stays the generator's.

    python benchmarks/kept_feed.py                  # 111k notes, 3 starts each
    python benchmarks/kept_feed.py --size 10k --repeat 5
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from answers import start_watcher, stop  # noqa: E402
from run import EARLY, TODAY, best, measure, size_options, vault_for  # noqa: E402


def day_after(day: str) -> str:
    return (dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat()


def run(size: str, repeat: int, cache: Path) -> list[tuple[str, str]]:
    vault = vault_for(size, cache)
    index = vault / ".reljournal" / "index.sqlite"
    people = sorted((vault / "people").glob("*.md"))

    def rj(today: str) -> list[str]:
        return [sys.executable, "-m", "reljournal", "--vault", str(vault), "--today", today]

    def started(today: str) -> float:
        proc, seconds = start_watcher(rj(today))
        stop(proc)  # a clean stop: the feed is kept
        return seconds

    def forget_kept_feed() -> None:
        with sqlite3.connect(index) as db:
            db.execute("DELETE FROM meta WHERE key = 'live_events'")

    def fastest(prepare: Callable[[], None], today: str) -> float:
        times = []
        for _ in range(repeat):
            prepare()
            times.append(started(today))
        return min(times)

    originals: dict[Path, bytes] = {}

    def put_back() -> None:
        for note, text in originals.items():
            note.write_bytes(text)

    def edited(count: int) -> Callable[[], None]:
        def prepare() -> None:
            put_back()
            started(TODAY)  # kept as of the vault as generated
            for note in people[:count]:
                text = originals.setdefault(note, note.read_bytes())
                note.write_bytes(text.replace(b"role: ", b"role: Edited ", 1))
        return prepare

    measure([*rj(TODAY), "index"])
    noop = best([*rj(TODAY), "index"], repeat)[0]
    rows = [("no-op re-index (`index`, nothing changed)", f"{noop:.2f} s")]
    rows.append(("first start (no kept feed: the whole feed built)", f"{fastest(forget_kept_feed, TODAY):.2f} s"))
    rows.append(("restart, nothing changed", f"{fastest(lambda: started(TODAY), TODAY):.2f} s"))
    for count in (1, 100):
        try:
            figure = fastest(edited(count), TODAY)
        finally:
            put_back()
            measure([*rj(TODAY), "index"])
        rows.append((f"restart after {count} person note{'s' if count > 1 else ''} edited while stopped",
                     f"{figure:.2f} s"))
    for day, what in ((TODAY, "every interaction has an overdue task"), (EARLY, "few overdue: the meetings ahead")):
        figure = fastest(lambda day=day: started(day), day_after(day))  # type: ignore[misc]
        rows.append((f"restart the next day, {day} -> {day_after(day)} ({what})", f"{figure:.2f} s"))
    for day, what in ((TODAY, "every interaction has an overdue task"), (EARLY, "few overdue")):
        rows.append((f"midnight in a running watcher, {day} -> {day_after(day)} ({what})",
                     f"{midnight(vault, day, repeat):.2f} s"))
    for day, what in ((TODAY, "every interaction has an overdue task"), (EARLY, "few overdue")):
        next_day, whole = next_day_feed(rj, day, repeat)
        rows.append((f"`feed` the next day, {day} -> {day_after(day)} ({what})",
                     f"{next_day:.2f} s (the whole feed built: {whole:.2f} s)"))
    started(TODAY)  # leave the vault's kept feed as the other benchmarks expect it
    return rows


def next_day_feed(rj: Callable[[str], list[str]], day: str, repeat: int) -> tuple[float, float]:
    """Seconds of `reljournal feed` on the day after `day`, from the feed kept by a `feed` on `day` (built whole:
    the feed kept before is another day's or another year's), and of that whole build; the fastest of each."""
    next_day, whole = [], []
    for _ in range(repeat):
        whole.append(measure([*rj(day), "feed"])[0])
        next_day.append(measure([*rj(day_after(day)), "feed"])[0])
    return min(next_day), min(whole)


def midnight(vault: Path, day: str, repeat: int) -> float:
    """Seconds for a running watcher's feed to move to the next day (`LiveFeed.update` with no change), in
    this process: the fastest of `repeat`, each from a feed built for `day`."""
    import time

    from reljournal.app import Journal
    from reljournal.livefeed import LiveFeed

    journal = Journal.open(vault, day)
    try:
        journal.sync()
        times = []
        for _ in range(repeat):
            live = LiveFeed(journal.settings, journal.index)
            live.rebuild(journal.today)
            began = time.perf_counter()
            live.update((), journal.today + dt.timedelta(days=1))
            times.append(time.perf_counter() - began)
        return min(times)
    finally:
        journal.close()


def main() -> None:
    args = size_options(__doc__)
    rows = run(args.size, args.repeat, args.cache)
    print(f"{args.size} notes, {os.cpu_count()} cores (`nproc`), fastest of {args.repeat}\n")
    print("| | seconds |\n|---|---|")
    for name, figure in rows:
        print(f"| {name} | {figure} |")


if __name__ == "__main__":
    main()

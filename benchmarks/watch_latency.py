#!/usr/bin/env python3
"""Save-to-feed latency of `watch`: median and p95 over N saves, on generated vaults (benchmarks/generate.py).

For each vault size: generate the vault (once; kept under --dir), index it cold, start a real watcher
(inotify, in this process, writing the feed), then save a note N times the way an editor does
(a temporary file renamed over the note), people and interaction notes in turn, and measure two latencies
per save:

- save -> feed written: until the watcher's update that read the save returns, the feed rebuilt and
  written (or left alone when its bytes did not change: an outcome of a past meeting may show nowhere);
  debounce included;
- save -> a command sees it: until `live.index_is_current()` returns, i.e. what `reljournal due` waits
  for while the watcher runs (the cookie handshake; no debounce, no feed).

    python benchmarks/watch_latency.py --notes 1000 --notes 100000 --saves 50
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import INTERACTIONS_PER_PERSON, PEOPLE_PER_ORG, TODAY, generate  # noqa: E402

from reljournal import live  # noqa: E402
from reljournal.app import Journal  # noqa: E402
from reljournal.watch import Update, Watcher  # noqa: E402


def people_for(notes: int) -> int:
    """generate.py writes, per person, the person, ten interactions and a tenth of an org."""
    return max(1, round(notes / (1 + INTERACTIONS_PER_PERSON + 1 / PEOPLE_PER_ORG)))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def edited(text: str, mark: str) -> str:
    """A person's role or an interaction's outcome, changed the way a user types."""
    key = "role: " if "type: person" in text else "outcome: "
    return text.replace(key, f"{key}Edit{mark} ", 1)


def save(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def bench(root: Path, notes: int, saves: int, seed: int) -> dict[str, float]:
    if not (root / ".reljournal.toml").exists():
        t = time.perf_counter()
        written = generate(root, people_for(notes), seed)
        print(f"  generated {written} notes in {time.perf_counter() - t:.1f} s", flush=True)
    journal = Journal.open(root, TODAY.isoformat())
    t = time.perf_counter()
    stats = journal.sync()
    print(f"  index: {stats.summary()} in {time.perf_counter() - t:.1f} s", flush=True)
    n_notes = journal.index.db.execute("SELECT count(*) FROM files").fetchone()[0]

    people = sorted((root / "people").glob("*.md"))
    interactions = sorted((root / "interactions").rglob("*.md"))
    rng = random.Random(seed)
    targets = [rng.choice(people if n % 2 == 0 else interactions) for n in range(saves)]
    originals = {p: p.read_text(encoding="utf-8") for p in set(targets)}
    try:
        seen_ms = _command_latencies(root, journal, targets, originals)
        print(f"  save -> command sees it: median {statistics.median(seen_ms):.1f} ms, "
              f"p95 {percentile(seen_ms, 95):.1f} ms", flush=True)
        feed_ms = _feed_latencies(root, journal, targets, originals)
    finally:
        for path, text in originals.items():
            save(path, text)
        journal.close()
    every = [ms for ms, _ in feed_ms]
    written = [ms for ms, wrote in feed_ms if wrote] or [float("nan")]
    return {
        "notes": n_notes,
        "feed_median": statistics.median(every), "feed_p95": percentile(every, 95),
        "written": len(written), "written_median": statistics.median(written),
        "written_p95": percentile(written, 95),
        "seen_median": statistics.median(seen_ms), "seen_p95": percentile(seen_ms, 95),
    }


def _feed_latencies(root: Path, journal: Journal, targets: list[Path], originals: dict[Path, str]
                    ) -> list[tuple[float, bool]]:
    """save -> the update that read the save again has written the feed (debounce included)."""
    done = threading.Condition()
    seen: list[tuple[float, Update]] = []

    def on_update(update: Update) -> None:
        with done:
            seen.append((time.perf_counter(), update))
            done.notify_all()

    watcher = Watcher(journal, fixed_today=True, on_update=on_update, quiet=True, echo=lambda text, err: None)
    t = time.perf_counter()
    watcher.start()
    print(f"  watcher started ({watcher.mode}, feed: {watcher.feed_path is not None}) in "
          f"{time.perf_counter() - t:.1f} s", flush=True)
    out: list[tuple[float, bool]] = []
    try:
        for n, path in enumerate(targets):
            rel = path.relative_to(root).as_posix()
            with done:
                seen.clear()
                start = time.perf_counter()
                save(path, edited(originals[path], f"{n}"))
                while True:
                    hit = next(((at, u) for at, u in seen if rel in u.stats.changed), None)
                    if hit is not None:
                        break
                    if not done.wait(timeout=900):
                        raise SystemExit(f"no update for {rel} within 900 s")
            out.append(((hit[0] - start) * 1000, hit[1].feed_written))
            if (n + 1) % 10 == 0:
                print(f"  {n + 1} saves, feed median so far {statistics.median(ms for ms, _ in out):.0f} ms",
                      flush=True)
    finally:
        watcher.stop()
    return out


def _command_latencies(root: Path, journal: Journal, targets: list[Path], originals: dict[Path, str]) -> list[float]:
    """save -> `live.index_is_current()` returns: what a command run right after the save waits for
    (a watcher that writes no feed, so that each save starts from an idle watcher)."""
    watcher = Watcher(journal, fixed_today=True, write_feed=False, quiet=True, echo=lambda text, err: None)
    watcher.start()
    out: list[float] = []
    try:
        for n, path in enumerate(targets):
            before = watcher.updates
            start = time.perf_counter()
            save(path, edited(originals[path], f"{n}b"))
            if not live.index_is_current(journal.settings, timeout=600):
                raise SystemExit("the watcher did not answer")
            out.append((time.perf_counter() - start) * 1000)
            # wait for the watcher to be idle again (its view of this save built) before the next save
            deadline = time.monotonic() + 600
            while watcher.updates == before:
                if time.monotonic() > deadline:
                    raise SystemExit("no update after the handshake")
                time.sleep(0.005)
    finally:
        watcher.stop()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--notes", type=int, action="append", help="vault size (repeatable; default 1000)")
    parser.add_argument("--saves", type=int, default=50, help="saves per vault (default 50)")
    parser.add_argument("--dir", type=Path, default=Path("/tmp/reljournal-bench"),
                        help="where generated vaults are kept between runs (default /tmp/reljournal-bench)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    rows = []
    for notes in args.notes or [1000]:
        print(f"{notes} notes:", flush=True)
        rows.append(bench(args.dir / f"vault-{notes}", notes, args.saves, args.seed))
    print(f"\n{os.cpu_count()} cores, {args.saves} saves per vault, latency in ms")
    print("| notes | save -> feed up to date, median | p95 | of which the feed changed: saves | median | p95 "
          "| save -> command sees it, median | p95 |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        print(f"| {r['notes']:,} | {r['feed_median']:.0f} | {r['feed_p95']:.0f} | {r['written']} "
              f"| {r['written_median']:.0f} | {r['written_p95']:.0f} | {r['seen_median']:.1f} | {r['seen_p95']:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

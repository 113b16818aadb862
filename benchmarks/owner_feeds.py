"""How fast `serve` answers `/feeds/OWNER.ics` after a save, as `serve` runs (a `FeedSource` following a
`Watcher` in-process), on a generated vault: the watcher's start, then for a few saves the time until the
server has followed the update and each owner's feed.

    python benchmarks/owner_feeds.py [--size 111k] [--saves 3] [--owners alice,chen]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import SIZES, TODAY, vault_for  # noqa: E402

from reljournal import serve  # noqa: E402
from reljournal.app import Journal  # noqa: E402
from reljournal.watch import Watcher  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="111k", choices=list(SIZES))
    parser.add_argument("--saves", type=int, default=3)
    parser.add_argument("--owners", default="alice,chen")
    args = parser.parse_args()
    vault = vault_for(args.size, Path(tempfile.gettempdir()) / "reljournal-bench")
    note = sorted((vault / "people").glob("*.md"))[3]
    original = note.read_bytes()
    print(f"{os.cpu_count()} cores, {args.size} notes")
    source = serve.FeedSource(vault, TODAY, sync_on_request=False)
    start = time.perf_counter()
    watcher = Watcher(Journal.open(vault, TODAY), fixed_today=True, on_update=source.follow, quiet=True,
                      echo=lambda text, err: None, owner_feeds=True)
    watcher.start()
    try:
        while watcher.last_update is None:  # bounded by the start: a full build of the feed
            time.sleep(0.05)
        print(f"watcher started: {time.perf_counter() - start:.2f} s")
        for n in range(args.saves):
            generation = source._generation
            note.write_bytes(original + f"\nedit {n}\n".encode())
            start = time.perf_counter()
            deadline = start + 60
            while source._generation == generation and time.perf_counter() < deadline:
                time.sleep(0.005)
            print(f"save {n + 1}: followed after {1000 * (time.perf_counter() - start):.0f} ms")
            for owner in args.owners.split(","):
                start = time.perf_counter()
                doc = source.current(owner)
                events = doc.events if doc is not None else "no such owner"
                print(f"  /feeds/{owner}.ics {1000 * (time.perf_counter() - start):.0f} ms ({events} events)")
    finally:
        note.write_bytes(original)
        watcher.stop()
        source.close()


if __name__ == "__main__":
    main()

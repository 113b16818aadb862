#!/usr/bin/env python3
"""The floors under issue 23's last two goals: what no agenda and no watcher of this design can beat.

Not reljournal's own code paths (benchmarks/answers.py times those), but the least work each goal's command
must do, each in its own process, fastest of --repeat:

- the CLI's start-up (`reljournal --version`): 2 x it is the budget of every listing with a live watcher;
- the least listing with a live watcher: `reljournal sql "SELECT 1"` (start-up, the live check, the index
  opened), what every listing pays before it reads a row;
- the least agenda: a plain script (no reljournal import) that reads the open tasks due by the agenda's last
  day and their links' names from the index, and writes a line for each, unpadded, unsorted beyond the
  query's order, names unresolved. The real agenda does more; no agenda of these lines can do less;
- the least agenda in SQL: the same lines from a table that holds each open task's parts as shown (its
  text, its people's names, their widths: what a watcher could keep), read in the agenda's order through an
  index, padded, formatted and joined into one text by SQLite itself, with the columns' widths asked first.
  The table is made once beforehand, in a temporary file; only the two queries are timed;
- the watch's set-up: watchdog's recursive inotify watch on the vault (`Observer.schedule` + `start`, which
  lists every entry of the vault to find its folders), against one write of the feed's file as the watcher
  writes it. A `watch` start is a no-op re-index plus this set-up (plus a feed write when the feed changed),
  so when the set-up alone takes longer than a feed write, "start-up within the no-op re-index plus one feed
  write" cannot hold on watchdog's watch.

    python benchmarks/blink_floor.py                 # 111k notes
    python benchmarks/blink_floor.py --size 10k --repeat 5
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from answers import start_watcher, stop  # noqa: E402
from run import TODAY, best, measure, size_options, vault_for  # noqa: E402

LEAST_AGENDA = r'''
import sqlite3, sys
index, today, last = sys.argv[1], sys.argv[2], sys.argv[3]
db = sqlite3.connect(f"file:{index}?mode=ro", uri=True)
names = {}
for note_id, line, display in db.execute("SELECT note_id, line, display FROM links WHERE field = 'task'"):
    names.setdefault((note_id, line), []).append(display)
from datetime import date
t = date.fromisoformat(today).toordinal()
out = []
for note_id, line, text, due in db.execute(
        "SELECT note_id, line, text, due FROM tasks WHERE status = ' ' AND due <= ? ORDER BY due", (last,)):
    late = t - date.fromisoformat(due).toordinal()
    out.append(f"  {late}d late  task  {text}  {', '.join(names.get((note_id, line), ()))}")
sys.stdout.write("\n".join(out))
print(len(out), file=sys.stderr)
'''

LEAST_AGENDA_SQL = r'''
import sqlite3, sys, time
stored, today, last, repeat = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
db = sqlite3.connect(f"file:{stored}?mode=ro", uri=True)
runs = []
for _ in range(repeat):
    began = time.perf_counter()
    title_w, = db.execute("SELECT max(tw) FROM agenda_tasks WHERE due <= ?", (last,)).fetchone()
    text, = db.execute(
        "SELECT group_concat(line, char(10)) FROM (SELECT printf('  %*s  task  %s%*s  %s', 10, "
        "CAST(julianday(:today) - julianday(due) AS INTEGER) || 'd late', title, :w - tw, '', names) AS line "
        "FROM agenda_tasks WHERE due <= :last ORDER BY due, title_key, path, line)",
        {"today": today, "last": last, "w": title_w}).fetchone()
    runs.append(time.perf_counter() - began)
print(min(runs), text.count(chr(10)) + 1)
'''

STORE_AGENDA_TASKS = r'''
import sqlite3, sys
index, stored = sys.argv[1], sys.argv[2]
src = sqlite3.connect(f"file:{index}?mode=ro", uri=True)
names = {}
for note_id, line, display in src.execute("SELECT note_id, line, display FROM links WHERE field = 'task'"):
    names.setdefault((note_id, line), []).append(display)
db = sqlite3.connect(stored)
db.execute("CREATE TABLE agenda_tasks(due TEXT, title TEXT, title_key TEXT, path TEXT, line INTEGER, names TEXT, "
           "tw INTEGER)")
db.executemany("INSERT INTO agenda_tasks VALUES (?, ?, ?, ?, ?, ?, ?)", (
    (due, text, text.casefold(), path, line, ", ".join(names.get((note_id, line), ())), len(text))
    for note_id, line, text, due, path in src.execute(
        "SELECT t.note_id, t.line, t.text, t.due, n.path FROM tasks t JOIN notes n ON n.id = t.note_id "
        "WHERE t.status = ' ' AND t.due IS NOT NULL")))
db.execute("CREATE INDEX agenda_order ON agenda_tasks(due, title_key, path, line)")
db.commit()
'''

WATCH_SETUP = r'''
import os, sys, time
from pathlib import Path
vault, feed, repeat = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
from watchdog.events import FileSystemEventHandler
from watchdog.observers import Observer
from reljournal.atomic import write_atomic
data = feed.read_bytes()
target = feed.with_name("blink-floor.ics")
setups, writes = [], []
try:
    for _ in range(repeat):
        began = time.perf_counter()
        observer = Observer()
        observer.schedule(FileSystemEventHandler(), vault, recursive=True)
        observer.start()
        setups.append(time.perf_counter() - began)
        observer.stop()
        observer.join()
        began = time.perf_counter()
        write_atomic(target, data, durable=False)  # as the watcher writes its feed (livefeed.FeedFile.write)
        writes.append(time.perf_counter() - began)
finally:
    target.unlink(missing_ok=True)
print(min(setups), sorted(setups)[len(setups) // 2], min(writes), sorted(writes)[len(writes) // 2], len(data))
'''


def main() -> None:
    args = size_options(__doc__)
    vault = vault_for(args.size, args.cache)
    rj = [sys.executable, "-m", "reljournal", "--vault", str(vault), "--today", TODAY]
    last = (dt.date.fromisoformat(TODAY) + dt.timedelta(days=6)).isoformat()
    index = vault / ".reljournal" / "index.sqlite"
    measure([*rj, "feed", "-o", str(vault / ".reljournal" / "feed.ics")])  # the index current, the feed written
    version = best([sys.executable, "-m", "reljournal", "--version"], args.repeat)[0]
    least_agenda = [sys.executable, "-c", LEAST_AGENDA, str(index), TODAY, last]
    lines = subprocess.run(least_agenda, capture_output=True, check=True, text=True).stderr.strip()
    least = best(least_agenda, args.repeat)
    with tempfile.TemporaryDirectory() as tmp:
        stored = str(Path(tmp) / "agenda-tasks.sqlite")
        subprocess.run([sys.executable, "-c", STORE_AGENDA_TASKS, str(index), stored], check=True)
        sql_run = subprocess.run([sys.executable, "-c", LEAST_AGENDA_SQL, stored, TODAY, last, str(args.repeat)],
                                 capture_output=True, check=True, text=True).stdout.split()
    in_sql, sql_lines = float(sql_run[0]), sql_run[1]
    watcher, _ = start_watcher(rj)
    try:
        base = best([*rj, "sql", "SELECT 1"], args.repeat)
        agenda = best([*rj, "agenda"], args.repeat)
    finally:
        stop(watcher)
    setup = subprocess.run([sys.executable, "-c", WATCH_SETUP, str(vault), str(vault / ".reljournal" / "feed.ics"),
                            str(max(args.repeat, 5))], capture_output=True, check=True, text=True).stdout.split()
    setup_best, setup_median, write_best, write_median = map(float, setup[:4])
    print(f"{args.size} notes, {os.cpu_count()} cores (`nproc`), fastest of {args.repeat}\n")
    print("| | seconds | x start-up |\n|---|---|---|")
    print(f"| `reljournal --version` (the CLI's start-up; 2 x it is the budget) | {version:.3f} | 1.0 |")
    print(f"| the least listing with a live watcher (`sql \"SELECT 1\"`) | {base[0]:.3f} | {base[0] / version:.1f} |")
    print(f"| the least agenda ({lines} task lines, a plain script) | {least[0]:.3f} | {least[0] / version:.1f} |")
    print(f"| its two queries alone, the lines stored as shown and joined by SQLite ({sql_lines} lines) | "
          f"{in_sql:.3f} | {in_sql / version:.1f} |")
    print(f"| the least listing plus those queries | {base[0] + in_sql:.3f} | {(base[0] + in_sql) / version:.1f} |")
    print(f"| `agenda` with a live watcher | {agenda[0]:.3f} | {agenda[0] / version:.1f} |")
    print(f"\nwatchdog's recursive watch set up on the vault: {setup_best * 1000:.0f} ms "
          f"(median {setup_median * 1000:.0f}); one write of the {int(setup[4]) / 1e6:.0f} MB feed: "
          f"{write_best * 1000:.0f} ms (median {write_median * 1000:.0f})")


if __name__ == "__main__":
    main()

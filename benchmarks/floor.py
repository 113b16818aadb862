"""The least index a Python program could build, against target (c) <= 0.5 x (b) of issue 8.

Not reljournal: a stripped-down pipeline that keeps only what any index answering the SPEC's queries must
do (walk the vault, read every file, split off the front matter, store one row per note and its text in
an FTS5 table, in one transaction), built the way reljournal is (worker processes on every core reading
and splitting, the main process writing, 16 KiB pages, a 32 MiB FTS5 buffer). No typed fields, dates,
tasks, links, problems or hashes. If even this takes longer than half of (b), the target cannot be met by
tuning reljournal's own code: see docs/performance.md, "Not reached yet".

    python benchmarks/floor.py [--sizes 111k] [--repeat 3]

Each variant runs in its own process, in turn with (b) and (c) (as run.py does), fastest of --repeat:

- split: read + split the front matter, write `notes` and `fts` rows (no YAML parsed at all);
- flat: the same, with the front matter loaded by reljournal's own reader of flat YAML (`parse.frontmatter.simple_yaml`,
  held to PyYAML's results by the tests; PyYAML's C loader where it declines) and stored as JSON;
- yaml: the same, with the front matter loaded by PyYAML's C loader, as (b) does;
- yaml, no fts: the same without the full-text rows, for what FTS5 costs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import FRONTMATTER, SIZES, TODAY, measure, vault_for  # noqa: E402

LEAST_INDEX = r'''
import json, os, sqlite3, sys
from concurrent.futures import ProcessPoolExecutor
import multiprocessing as mp

VAULT, DB, MODE = sys.argv[1], sys.argv[2], sys.argv[3]
if MODE != "split":
    import yaml
    LOADER = yaml.CSafeLoader
if MODE == "flat":
    from reljournal.parse.frontmatter import simple_yaml

def load(head):
    if MODE == "flat":
        simple = simple_yaml(head, 2)
        if simple is not None:
            return simple[0]
    return yaml.load(head, Loader=LOADER)

def work(paths):
    rows = []
    for rel in paths:
        fd = os.open(os.path.join(VAULT, rel), os.O_RDONLY)
        try:
            st = os.fstat(fd)
            text = os.read(fd, 1 << 24).decode("utf-8")
        finally:
            os.close(fd)
        head, body = "", text
        if text.startswith("---\n"):
            end = text.find("\n---\n", 3)
            if end != -1:
                head, body = text[4:end + 1], text[end + 5:]
        meta = head if MODE == "split" else json.dumps(load(head) or {}, default=str)
        rows.append((rel, st.st_mtime_ns, st.st_size, os.path.basename(rel)[:-3], meta, body))
    return rows

if __name__ == "__main__":
    paths = []
    for d, dirs, files in os.walk(VAULT):
        dirs[:] = [x for x in dirs if not x.startswith(".")]
        rel = os.path.relpath(d, VAULT)
        paths += [f if rel == "." else rel + "/" + f for f in files if f.endswith(".md")]
    paths.sort()
    db = sqlite3.connect(DB, isolation_level=None)
    db.execute("PRAGMA page_size = 16384")
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA cache_size = -65536")
    db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, path TEXT UNIQUE, mtime_ns INTEGER, size INTEGER, "
               "title TEXT, meta TEXT)")
    db.execute("CREATE VIRTUAL TABLE fts USING fts5(title, body, tokenize = 'unicode61 remove_diacritics 2')")
    db.execute("INSERT INTO fts(fts, rank) VALUES ('hashsize', 33554432)")
    db.execute("BEGIN")
    chunks = [paths[i:i + 500] for i in range(0, len(paths), 500)]
    note_id = 0
    with ProcessPoolExecutor(os.cpu_count(), mp_context=mp.get_context("fork")) as pool:
        for rows in pool.map(work, chunks):
            first = note_id + 1
            note_id += len(rows)
            ids = range(first, note_id + 1)
            db.executemany("INSERT INTO notes VALUES (?, ?, ?, ?, ?, ?)",
                           [(i, *r[:5]) for i, r in zip(ids, rows)])
            if MODE != "yaml-nofts":
                db.executemany("INSERT INTO fts(rowid, title, body) VALUES (?, ?, ?)",
                               [(i, r[3], r[5]) for i, r in zip(ids, rows)])
    db.execute("COMMIT")
    db.close()
'''

MODES = {"split": "split, notes + fts", "flat": "reljournal's flat-YAML reader, notes + fts",
         "yaml": "PyYAML's C loader, notes + fts", "yaml-nofts": "PyYAML's C loader, notes only"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="111k", help=f"comma-separated, of {', '.join(SIZES)}")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    cache = Path(tempfile.gettempdir()) / "reljournal-bench"
    print(f"{os.cpu_count()} cores")
    for size in args.sizes.split(","):
        vault = vault_for(size, cache)
        work = Path(tempfile.mkdtemp(prefix="reljournal-floor-"))
        try:
            times: dict[str, list[float]] = {"b": [], "c": [], **{m: [] for m in MODES}}
            for _ in range(args.repeat):
                times["b"].append(measure([sys.executable, "-c", FRONTMATTER, str(vault)])[0])
                shutil.rmtree(vault / ".reljournal", ignore_errors=True)
                times["c"].append(measure([sys.executable, "-m", "reljournal", "--vault", str(vault), "--today",
                                           TODAY, "index"])[0])
                for mode in MODES:
                    db = work / f"{mode}.sqlite"
                    for suffix in ("", "-wal", "-shm"):
                        Path(f"{db}{suffix}").unlink(missing_ok=True)
                    times[mode].append(measure([sys.executable, "-c", LEAST_INDEX, str(vault), str(db), mode])[0])
            b = min(times["b"])
            print(f"{size}: (b) frontmatter loop {b:.2f} s, target 0.5 x (b) = {b / 2:.2f} s")
            for mode, label in MODES.items():
                t = min(times[mode])
                print(f"  least index, {label}: {t:.2f} s = {t / b:.2f} x (b)")
            print(f"  (c) cold `reljournal index`: {min(times['c']):.2f} s = {min(times['c']) / b:.2f} x (b)")
        finally:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

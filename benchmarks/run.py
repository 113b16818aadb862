#!/usr/bin/env python3
"""The performance benchmark: reljournal against the floor and a plain python-frontmatter script.

For each vault size (generated once by benchmarks/generate.py and cached under the temp dir):
  (a) read every note's bytes (the floor)        (b) `frontmatter.load` every note (the naive script)
  (b') (b) with PyYAML's pure-Python loader, not its C loader (libyaml)
  (c) cold `reljournal index`                     (d) `reljournal index` with nothing changed
  (e) `reljournal index` after changing one note  (f) `reljournal due --json` on a warm index
  (g) `reljournal feed` (when the feed module exists), and (g') `feed` again with nothing changed
  (r) `reljournal index --rebuild` of a full index (what changing a setting costs)
  and the everyday commands on a warm index: `query`, `show` and `prep` of a person, `orgs`, `show ORG`, `week`,
  `check`, `agenda`
each in its own process, timed (wall clock) with its peak RSS (wait4). The figures go into
docs/performance.md between the `results` markers, with the core count.

    python benchmarks/run.py                      # 1k, 10k and 111k notes
    python benchmarks/run.py --sizes 1k --repeat 1
"""

from __future__ import annotations

import argparse
import functools
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

SIZES = {"1k": 90, "10k": 900, "111k": 10_000}  # people; each brings 10 interactions, and 1 org per 10
TODAY = "2026-03-15"
# The generator's interactions lie in the two years before TODAY: seen from EARLY almost all of them are meetings
# still to come and few tasks are overdue, as in a journal kept up to date; from TODAY every one of them has an
# overdue task.
EARLY = "2024-03-20"
START, END = "<!-- results: written by benchmarks/run.py -->", "<!-- end of results -->"

FLOOR = """
import os, sys
n = 0
for d, dirs, files in os.walk(sys.argv[1]):
    dirs[:] = [x for x in dirs if not x.startswith('.')]
    for f in files:
        if f.endswith('.md'):
            with open(os.path.join(d, f), 'rb') as fh:
                n += len(fh.read())
"""
FRONTMATTER = """
import os, sys, frontmatter
n = 0
for d, dirs, files in os.walk(sys.argv[1]):
    dirs[:] = [x for x in dirs if not x.startswith('.')]
    for f in files:
        if f.endswith('.md'):
            n += len(frontmatter.load(os.path.join(d, f)).metadata)
"""
# (b) on PyYAML's pure-Python loader: what python-frontmatter's docstring says it uses ("yaml.SafeLoader by
# default"), and what it uses wherever PyYAML was built without libyaml. For reading the target of (c).
FRONTMATTER_PURE = FRONTMATTER.replace("n = 0", """import yaml
from frontmatter.default_handlers import YAMLHandler
class PurePython(YAMLHandler):
    def load(self, fm, **kwargs):
        return yaml.load(fm, Loader=yaml.SafeLoader)
handler = PurePython()
n = 0""").replace("frontmatter.load(os.path.join(d, f))", "frontmatter.load(os.path.join(d, f), handler=handler)")


@functools.cache
def bytecode_written() -> None:
    """reljournal's modules compiled to bytecode first, as `pip install` leaves them: where Python may not write
    it (PYTHONDONTWRITEBYTECODE, as on the developers' machine) an editable install compiles every module
    from source at each start, 0.04-0.06 s that no user's install pays."""
    where = "import os, reljournal; print(os.path.dirname(reljournal.__file__))"
    package = subprocess.run([sys.executable, "-c", where], capture_output=True, text=True, check=True).stdout.strip()
    subprocess.run([sys.executable, "-m", "compileall", "-q", package], check=True, stdout=subprocess.DEVNULL)


def measure(argv: list[str]) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of one command, output discarded; reljournal's bytecode written first."""
    bytecode_written()
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode not in (0, 1):  # due/feed exit 1 only on vault problems: still a measurement
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): {err[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024


def best(argv: list[str], repeat: int, before: object = None) -> tuple[float, float]:
    """The fastest of `repeat` runs (the least disturbed by the rest of the machine), with its RSS."""
    runs = []
    for _ in range(repeat):
        if callable(before):
            before()
        runs.append(measure(argv))
    return min(runs)


def size_options(description: str | None) -> argparse.Namespace:
    """`--size`, `--repeat` and `--cache` of a benchmark that runs on one generated vault."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="111k", choices=["1k", "10k", "111k"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "reljournal-bench")
    return parser.parse_args()


def vault_for(size: str, cache: Path) -> Path:
    vault = cache / f"vault-{size}"
    if not (vault / ".generated").exists():
        shutil.rmtree(vault, ignore_errors=True)
        generate(vault, SIZES[size], seed=1)
        (vault / ".generated").write_text("ok\n")
    return vault


def run_size(size: str, cache: Path, repeat: int) -> dict[str, tuple[float, float]]:
    vault = vault_for(size, cache)
    rj = [sys.executable, "-m", "reljournal", "--vault", str(vault), "--today", TODAY]
    state = vault / ".reljournal"
    note = sorted((vault / "people").glob("*.md"))[0]
    original = note.read_bytes()
    out: dict[str, tuple[float, float]] = {}
    measure([sys.executable, "-c", FLOOR, str(vault)])  # warm the page cache: every figure reads from memory
    # (a), (b) and (c) run in turn, so that the ratios the targets are about see the same machine: a shared
    # virtual machine's speed drifts by 20 % and more within minutes.
    floor, loop = [sys.executable, "-c", FLOOR, str(vault)], [sys.executable, "-c", FRONTMATTER, str(vault)]
    runs: dict[str, list[tuple[float, float]]] = {"a": [], "b": [], "c": []}
    for _ in range(repeat):
        runs["a"].append(measure(floor))
        runs["b"].append(measure(loop))
        shutil.rmtree(state, ignore_errors=True)
        runs["c"].append(measure(rj + ["index"]))
    out.update((key, min(times)) for key, times in runs.items())
    out["p"] = best([sys.executable, "-c", FRONTMATTER_PURE, str(vault)], repeat)
    out["d"] = best(rj + ["index"], repeat)
    out["r"] = best(rj + ["index", "--rebuild"], repeat)
    edits = iter(range(10**6))

    def change_one() -> None:
        note.write_bytes(original + f"\nedit {next(edits)}\n".encode())

    try:
        out["e"] = best(rj + ["index"], repeat, before=change_one)
    finally:
        note.write_bytes(original)
    measure(rj + ["index"])
    out["f"] = best(rj + ["due", "--json"], repeat)
    person, org = note.stem, sorted((vault / "orgs").glob("*.md"))[0].stem
    for name in (person, org):  # exit 1 would also be "no person named ...": time the real thing
        shown = subprocess.run(rj + ["show", name], capture_output=True, text=True)
        if shown.returncode != 0 or name not in shown.stdout:
            raise SystemExit(f"show {name!r} failed: {shown.stderr[-2000:]}")
    for key, argv in COMMANDS.items():  # the other everyday commands, on the same warm index
        out[key] = best(rj + [a.format(person=person, org=org) for a in argv], repeat)
    if (ROOT / "reljournal" / "feed.py").exists():
        feed = cache / f"feed-{size}.ics"
        # (g) builds the feed: without its file, a `feed` finds nothing to keep; then (g') keeps it
        out["g"] = best(rj + ["feed", "-o", str(feed)], repeat, before=lambda: feed.unlink(missing_ok=True))
        out["k"] = best(rj + ["feed", "-o", str(feed)], repeat)
    return out


LABELS = {
    "a": "(a) read every file (floor)",
    "b": "(b) `frontmatter.load` loop",
    "p": "(b') the same loop on PyYAML's pure-Python loader",
    "c": "(c) cold `reljournal index`",
    "r": "(r) `reljournal index --rebuild` (what a settings change costs)",
    "d": "(d) no-op re-index",
    "e": "(e) re-index, one file changed",
    "f": "(f) `due --json`, warm index",
    "g": "(g) `feed`",
    "k": "(g') `feed` again, nothing changed (the file is kept, nothing built)",
    "q1": "`query tier:A`",
    "q2": "`query 'liquidity \"board renewal\"'` (a word and a phrase)",
    "s": "`show PERSON`",
    "pp": "`prep PERSON`",
    "o": "`orgs`",
    "so": "`show ORG`",
    "w": "`week`",
    "q3": "`query kind:lunch` (a tenth of the interactions)",
    "ck": "`check`",
    "ag": "`agenda` (the synthetic vault's 100,000 open tasks are overdue: 103,542 lines)",
}
COMMANDS = {
    "q1": ["query", "tier:A"], "q2": ["query", 'liquidity "board renewal"'], "s": ["show", "{person}"],
    "pp": ["prep", "{person}"], "o": ["orgs"], "so": ["show", "{org}"], "w": ["week"],
    "q3": ["query", "kind:lunch"], "ck": ["check"], "ag": ["agenda"],
}


def machine_speed() -> float:
    """Seconds for a fixed pure-Python loop (10 million additions), fastest of three: this machine's speed at
    the time of the run. Shared virtual machines change speed from hour to hour; this says by how much."""
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        total = 0
        for i in range(10_000_000):
            total += i
        runs.append(time.perf_counter() - start)
    return min(runs)


def libraries() -> str:
    """What (b) runs on: python-frontmatter parses with PyYAML's C loader only when PyYAML has libyaml."""
    from importlib.metadata import version

    import yaml

    loader = "with" if getattr(yaml, "__with_libyaml__", False) else "without"
    return f"python-frontmatter {version('python-frontmatter')}, PyYAML {version('PyYAML')} ({loader} libyaml)"


def report(results: dict[str, dict[str, tuple[float, float]]], notes: dict[str, int], speed: float) -> str:
    sizes = list(results)
    head = "| | " + " | ".join(f"{s} notes ({notes[s]:,})" for s in sizes) + " |"
    lines = [
        f"Machine: {os.cpu_count()} cores (`nproc`), Python {sys.version.split()[0]}, "
        f"load average before the run {os.getloadavg()[0]:.1f}, speed check {speed:.2f} s (10 million "
        f"additions in a Python loop: lower is faster), {libraries()}. Seconds (wall clock), then peak RSS.",
        "",
        head,
        "|---" * (len(sizes) + 1) + "|",
    ]
    for key, label in LABELS.items():
        if not all(key in results[s] for s in sizes):
            continue
        cells = [f"{results[s][key][0]:.2f} s, {results[s][key][1]:.0f} MB" for s in sizes]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    ratios = [
        ("(c) / (b): cold index vs the frontmatter loop (target <= 0.5)", "c", "b"),
        ("(c) / (b'): cold index vs the loop on the pure-Python loader", "c", "p"),
        ("(c) / (a): cold index vs the floor (stretch <= 3)", "c", "a"),
        ("(d) / (c): no-op re-index (target <= 0.1)", "d", "c"),
        ("(e) / (c): one change (target <= 0.1)", "e", "c"),
    ]
    for label, top, bottom in ratios:
        lines.append(f"| {label} | " + " | ".join(
            f"{results[s][top][0] / results[s][bottom][0]:.2f}" for s in sizes) + " |")
    return "\n".join(lines)


def write_doc(text: str, path: Path) -> None:
    old = path.read_text(encoding="utf-8") if path.exists() else f"# Performance\n\n{START}\n{END}\n"
    if START not in old or END not in old:
        old = old.rstrip("\n") + f"\n\n{START}\n{END}\n"
    before, rest = old.split(START, 1)
    _, after = rest.split(END, 1)
    path.write_text(f"{before}{START}\n{text}\n{END}{after}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1k,10k,111k", help="comma-separated, of: " + ", ".join(SIZES))
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure; the fastest counts (default 3)")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "reljournal-bench",
                        help="where generated vaults are kept between runs")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "performance.md",
                        help="the Markdown file whose results section is rewritten ('-': print only)")
    args = parser.parse_args(argv)
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        parser.error(f"unknown size {unknown[0]!r}; choose from {', '.join(SIZES)}")
    args.cache.mkdir(parents=True, exist_ok=True)
    speed = machine_speed()
    results = {}
    for size in sizes:
        print(f"{size}: ...", file=sys.stderr, flush=True)
        results[size] = run_size(size, args.cache, args.repeat)
    notes = {s: SIZES[s] + SIZES[s] * 10 + max(1, SIZES[s] // 10) for s in sizes}
    text = report(results, notes, speed)
    print(text)
    if str(args.out) != "-":
        write_doc(text, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

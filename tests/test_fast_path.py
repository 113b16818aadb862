"""The fast paths give exactly what the straightforward ones give.

- Indexing: many files are parsed in chunks (in worker processes) and written table by table
  (`Batch` + `Index.put_batch`); the reference path parses and `put()`s one file at a time. Both must
  leave the same rows in every table, on every test vault and on a generated one, cold and incremental.
- Front matter: `simple_yaml` reads flat front matter without PyYAML; where it answers, its value, key
  lines and item lines must be PyYAML's.
"""

from __future__ import annotations

import importlib.util
import multiprocessing
import os
import shutil
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reljournal.config import load_settings
from reljournal.index import sync
from reljournal.index.store import Index
from reljournal.parse.frontmatter import Loader, simple_yaml, split_front_matter

VAULTS = Path(__file__).parent / "data" / "vaults"
ROOT = Path(__file__).parent.parent


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location("generate", ROOT / "benchmarks" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, note ids replaced by note paths, in the order `load()` reads them."""
    db = sqlite3.connect(path)
    paths = dict(db.execute("SELECT id, path FROM notes"))
    out: dict[str, list[tuple[Any, ...]]] = {}
    tables = [r[0] for r in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'fts%' AND name NOT LIKE 'sqlite%'")]
    for table in tables:
        columns = [r[1] for r in db.execute(f'PRAGMA table_info("{table}")')]
        rows = db.execute(f'SELECT * FROM "{table}" ORDER BY rowid').fetchall()
        if table == "files":  # the two copies were written at different moments
            rows = [(path, size, digest, broken) for path, _, size, digest, broken in rows]
        elif table == "notes":
            rows = [r[1:] for r in rows]
        elif table == "meta":  # when each sync started: a moment; the content token: random, but there
            rows = [(k, "token" if k == "content" else v) for k, v in rows if k != "synced_at_ns"]
        elif table == "walk":  # the files' mtimes: moments, not content
            rows = [(paths_blob,) for paths_blob, _, _ in rows]
        elif "note_id" in columns:
            at = columns.index("note_id")
            rows = [(*r[:at], paths[r[at]], *r[at + 1:]) for r in rows]
        out[table] = sorted(rows, key=repr) if table in ("files", "problems", "notes", "meta") else rows
    out["fts"] = sorted((paths[rowid], title, body) for rowid, title, body in db.execute("SELECT rowid, * FROM fts"))
    out["indexes"] = sorted(db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'"))
    out["fts_config"] = sorted(db.execute("SELECT * FROM fts_config"))  # FTS5's settings (its buffer)
    db.close()
    return out


def index_with(vault: Path, monkeypatch: pytest.MonkeyPatch, *, fast: bool, jobs: int = 2,
               rebuild: bool = False) -> sync.SyncStats:
    s, _ = load_settings(vault)
    with monkeypatch.context() as m:
        if fast:
            m.setattr(sync, "BATCH_MIN", 0)
            m.setattr(sync, "PARALLEL_MIN", 0)
            m.setattr(sync, "CHUNK", 7)  # many chunks, the last one short
        else:
            m.setattr(sync, "BATCH_MIN", 10**9)
        s.state_dir.mkdir(exist_ok=True)
        index = Index(s.index_path)
        try:
            return sync.reindex(s, index, jobs=jobs, rebuild=rebuild)
        finally:
            index.close()


def same_index(a: Path, b: Path, stats_a: sync.SyncStats, stats_b: sync.SyncStats) -> None:
    sa, _ = load_settings(a)
    sb, _ = load_settings(b)
    assert dump(sa.index_path) == dump(sb.index_path)
    assert (stats_a.added, stats_a.changed, stats_a.removed) == (stats_b.added, stats_b.changed, stats_b.removed)
    assert stats_a.problems == stats_b.problems
    ia, ib = Index(sa.index_path), Index(sb.index_path)
    try:
        assert ia.load() == ib.load()
    finally:
        ia.close()
        ib.close()


def two_copies(source: Path, tmp_path: Path) -> tuple[Path, Path]:
    a, b = tmp_path / "straight", tmp_path / "fast"
    for target in (a, b):
        shutil.copytree(source, target, symlinks=True, ignore=shutil.ignore_patterns(".reljournal"))
    return a, b


@pytest.mark.parametrize("name", sorted(p.name for p in VAULTS.iterdir() if p.is_dir()))
@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_every_test_vault_indexes_the_same_both_ways(name: str, jobs: int, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = two_copies(VAULTS / name, tmp_path)
    same_index(a, b, index_with(a, monkeypatch, fast=False), index_with(b, monkeypatch, fast=True, jobs=jobs))


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("generated") / "vault"
    _generator().generate(root, people=30, seed=7)
    return root


def test_generator_is_reproducible(tmp_path: Path) -> None:
    gen = _generator()
    assert gen.generate(tmp_path / "a", people=12, seed=3) == 12 + 12 * 10 + 1
    gen.generate(tmp_path / "b", people=12, seed=3)
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.md"))
    assert files_a == sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*.md"))
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files_a)


def test_generated_vault_cold_and_incremental(generated: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = two_copies(generated, tmp_path)
    stats_a, stats_b = index_with(a, monkeypatch, fast=False), index_with(b, monkeypatch, fast=True)
    assert len(stats_b.added) == 30 + 300 + 3 and not stats_b.problems
    same_index(a, b, stats_a, stats_b)

    # A big incremental sync: edits, breakages (a broken note keeps its last good version), touches
    # with the same bytes, deletions and new notes, the same in both copies.
    people = sorted((a / "people").glob("*.md"))
    interactions = sorted((a / "interactions").rglob("*.md"))
    for vault in (a, b):
        for n, path in enumerate(people[:20]):
            note = vault / path.relative_to(a)
            text = note.read_text(encoding="utf-8")
            if n % 4 == 0:
                note.write_text(text.replace("type: person", "type: person\ntier: [oops"), encoding="utf-8")
            elif n % 4 == 1:
                os.utime(note, ns=(10**18, 10**18))  # same bytes, new mtime
            else:
                note.write_text(text.replace("## Log", "## Log\n- 2026-03-01 lunch: caught up"), encoding="utf-8")
        for path in interactions[:15]:
            (vault / path.relative_to(a)).unlink()
        for n in range(40):
            friend = people[n % len(people)].stem
            (vault / "people" / f"New Person {n}.md").write_text(
                f"---\ntype: person\ntier: {'AB'[n % 2]}\ncadence: {n + 1}d\n---\nMet via [[{friend}]]\n",
                encoding="utf-8")
    stats_a, stats_b = index_with(a, monkeypatch, fast=False), index_with(b, monkeypatch, fast=True)
    assert len(stats_b.added) == 40 and len(stats_b.changed) == 15 and len(stats_b.removed) == 15
    assert {p.code for p in stats_b.problems} == {"yaml"}
    same_index(a, b, stats_a, stats_b)


@pytest.mark.parametrize("fast", [False, True], ids=["one by one", "batched"])
def test_a_rebuild_gives_what_a_cold_index_gives(fast: bool, generated: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A rebuild drops the tables and creates them again inside the sync's transaction: nothing of the old
    index may survive it (rows, secondary indexes, FTS5 terms and settings), whichever path fills it."""
    rebuilt, cold = two_copies(generated, tmp_path)
    index_with(rebuilt, monkeypatch, fast=fast)
    people = sorted((rebuilt / "people").glob("*.md"))
    for vault in (rebuilt, cold):
        (vault / people[0].relative_to(rebuilt)).unlink()
        (vault / people[1].relative_to(rebuilt)).write_text("---\ntype: person\ntier: [oops\n---\n", encoding="utf-8")
        (vault / "people" / "Zoe Newcomer.md").write_text("---\ntype: person\n---\nMet [[Nobody Yet]]\n",
                                                        encoding="utf-8")
    stats_rebuilt = index_with(rebuilt, monkeypatch, fast=fast, rebuild=True)
    stats_cold = index_with(cold, monkeypatch, fast=fast)
    assert stats_rebuilt.rebuilt and len(stats_rebuilt.added) == 30 + 300 + 3
    same_index(rebuilt, cold, stats_rebuilt, stats_cold)
    words = ["newcomer", "oops", *people[0].stem.split(), *people[1].stem.split()]
    assert found(rebuilt, words) == found(cold, words)
    assert found(rebuilt, ["newcomer"]) == {"newcomer": {"people/Zoe Newcomer.md"}}


def found(vault: Path, words: list[str]) -> dict[str, set[str]]:
    """The notes full-text search finds for each word: the FTS5 terms, which `dump` does not see."""
    db = sqlite3.connect(load_settings(vault)[0].index_path)
    try:
        return {w: {p for (p,) in db.execute("SELECT notes.path FROM fts JOIN notes ON notes.id = fts.rowid "
                                               "WHERE fts MATCH ?", (f'"{w}"',))} for w in words}
    finally:
        db.close()


def test_parallel_sync_reports_progress(generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    vault = tmp_path / "v"
    shutil.copytree(generated, vault)
    s, _ = load_settings(vault)
    seen: list[tuple[int, int]] = []
    monkeypatch.setattr(sync, "BATCH_MIN", 0)
    monkeypatch.setattr(sync, "PARALLEL_MIN", 0)
    monkeypatch.setattr(sync, "CHUNK", 100)
    sync.reindex(s, Index(":memory:"), jobs=2, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(100, 333), (200, 333), (300, 333), (333, 333)]


def test_workers_started_while_other_threads_run_start_afresh(generated: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """With another thread running (a watcher's, a server's) forking is unsafe: the workers are spawned,
    and give the same index."""
    a, b = two_copies(generated, tmp_path)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, args=(60,))
    other.start()
    try:
        stats_b = index_with(b, monkeypatch, fast=True, jobs=2)
    finally:
        stop.set()
        other.join(10)
    same_index(a, b, index_with(a, monkeypatch, fast=False), stats_b)


def test_a_failing_worker_stops_the_sync_and_leaves_the_old_index(generated: Path, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug in parsing, met in a worker process, ends the sync with the worker's exception; the sync's
    transaction is rolled back and no worker process is left behind."""
    vault = tmp_path / "v"
    shutil.copytree(generated, vault)
    index_with(vault, monkeypatch, fast=True)
    before = dump(load_settings(vault)[0].index_path)
    for note in sorted((vault / "people").glob("*.md")):
        note.write_text(note.read_text(encoding="utf-8") + "\nedited\n", encoding="utf-8")
    original = sync.read_and_parse
    main = os.getpid()

    def fails_in_a_worker(s: Any, rel: str) -> Any:
        if os.getpid() != main:
            raise ValueError(f"cannot parse {rel}")
        return original(s, rel)

    monkeypatch.setattr(sync, "read_and_parse", fails_in_a_worker)
    with pytest.raises(ValueError, match="cannot parse "):
        index_with(vault, monkeypatch, fast=True)
    assert multiprocessing.active_children() == []
    assert dump(load_settings(vault)[0].index_path) == before


# ---- the simple front-matter reader --------------------------------------------------------------------
def pyyaml(text: str, first_line: int) -> Any:
    loader = Loader(text)
    try:
        node = loader.get_single_node()
        value = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    lines: dict[str, int] = {}
    item_lines: dict[str, list[int]] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            lines.setdefault(key_node.value, first_line + key_node.start_mark.line)
            if isinstance(value_node, yaml.SequenceNode):
                item_lines[key_node.value] = [first_line + n.start_mark.line for n in value_node.value]
    return value, lines, item_lines


def all_front_matter() -> list[tuple[str, str]]:
    out = []
    for note in sorted(VAULTS.rglob("*.md")):
        split = split_front_matter(note.read_bytes().decode("utf-8", "replace").lstrip("\ufeff"))
        if isinstance(split, tuple) and split[0] is not None:
            out.append((str(note.relative_to(VAULTS)), split[0]))
    return out


@pytest.mark.parametrize(("name", "text"), all_front_matter())
def test_simple_reader_agrees_with_pyyaml_on_the_test_vaults(name: str, text: str) -> None:
    fast = simple_yaml(text, 2)
    if fast is not None:
        assert fast == pyyaml(text, 2)


def test_simple_reader_takes_the_usual_front_matter() -> None:
    text = ('type: person\naliases: [Jane]\norg: "[[Acme Corp]]"\ntier: A\nbirthday: 1980-04-12\n'
            "status: no\nrevenue: 120000\nbudget: 1.5\nnext:\ntags: [key-account, 'finance']\n"
            "team:\n  - alice\n  - \"bob\"\n# a comment\nwith:\n- \"[[A]]\"\n")
    value, lines, items = simple_yaml(text, 2)  # type: ignore[misc]
    assert value == {"type": "person", "aliases": ["Jane"], "org": "[[Acme Corp]]", "tier": "A",
                     "birthday": "1980-04-12", "status": False, "revenue": 120000, "budget": 1.5, "next": None,
                     "tags": ["key-account", "finance"], "team": ["alice", "bob"], "with": ["[[A]]"]}
    assert lines["team"] == 12 and items == {"aliases": [3], "tags": [11, 11], "team": [13, 14], "with": [17]}
    assert (value, lines, items) == pyyaml(text, 2)


@pytest.mark.parametrize("text", [
    "a: x # comment", "a: 1:30", "a: 0x1f", "a: 010", "a: &x 1", "a: *x", "a: !!str 1", "a: |\n  x", "a: x\n  y",
    "a:\n  b: 1", "a: [[X]]", "a: [x, ]", 'a: "x\\"y"', "a: 'it''s'", "a: 1\na: 2", "yes: 1", "a:\n-\n- x",
    "a:\n  - x\n - y", "a: [x\n  , y]", "a: {b: 1}", "a: x\tb", "a: .inf", "a: 1.5e+3", "a: @x", "- x", "a b: 1",
])
def test_simple_reader_leaves_the_rest_to_pyyaml(text: str) -> None:
    assert simple_yaml(text, 2) is None


SCALARS = st.one_of(
    st.sampled_from(["yes", "No", "on", "OFF", "true", "null", "~", "", "0", "12", "-3", "+4", "1.5", "1_000", "0o7",
                     "2026-03-15", "2026-13-45", "2026-03-15T10:00", "1:30", "[[Jane Doe]]", "it's", 'say "hi"',
                     "a, b", "x: y", "x:", "#x", "x #y", "x#y", "a [b] c", "-x", "- x", "?x", "%x", "@x", "`x`", "=",
                     "<<", "Jane Doe", "é", "📅 x", ".5", "1.", "0x1F", "y", "n", "x\\y"]),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12),
)


def render(value: str, style: int) -> str:
    if style == 1:
        return f'"{value}"'
    if style == 2:
        return f"'{value}'"
    return value


@st.composite
def front_matter(draw: st.DrawFn) -> str:
    lines = []
    for n in range(draw(st.integers(0, 6))):
        key = draw(st.sampled_from(["type", "tags", "with", "on", "a-b", "x_1", "tier", "null", f"k{n}"]))
        shape = draw(st.integers(0, 3))
        if shape == 0:
            lines.append(f"{key}: {render(draw(SCALARS), draw(st.integers(0, 2)))}")
        elif shape == 1:
            items = [render(draw(SCALARS), draw(st.integers(0, 2))) for _ in range(draw(st.integers(0, 3)))]
            lines.append(f"{key}: [{', '.join(items)}]")
        elif shape == 2:
            lines.append(f"{key}:")
            indent = " " * draw(st.integers(0, 3))
            count = draw(st.integers(0, 3))
            lines += [f"{indent}- {render(draw(SCALARS), draw(st.integers(0, 2)))}" for _ in range(count)]
        else:
            lines.append(draw(st.sampled_from(["", "# note", "   ", f"{key}:"])))
    return "\n".join(lines) + draw(st.sampled_from(["", "\n"]))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(front_matter())
def test_simple_reader_agrees_with_pyyaml(text: str) -> None:
    fast = simple_yaml(text, 2)
    if fast is None:
        return
    try:
        expected = pyyaml(text, 2)
    except (yaml.YAMLError, ValueError) as exc:
        raise AssertionError(f"the simple reader took front matter PyYAML rejects: {exc}") from None
    assert fast == expected


@given(st.lists(st.text()), st.dictionaries(st.text(), st.integers(min_value=0, max_value=10**6)))
def test_json_columns_are_what_json_dumps_writes(values: list[str], lines: dict[str, int]) -> None:
    """The index's JSON columns are written without `json.dumps` (for speed) but must read as it wrote them:
    `reljournal sql` users and older indexes see the same text."""
    import json

    from reljournal.index.store import _j, _key_lines_json

    assert _j(tuple(values)) == json.dumps(values, ensure_ascii=False)
    assert _key_lines_json(lines) == json.dumps(lines)


def test_an_unreadable_note_is_reported_and_the_rest_indexed(tmp_path: Path) -> None:
    """The bare-system-call read (`sync._read`) reports a folder named like a note as unreadable."""
    vault = tmp_path / "vault"
    (vault / "people" / "Odd.md").mkdir(parents=True)
    (vault / "people" / "Jane Doe.md").write_text("---\nrole: Partner\n---\nBody\n")
    s, _ = load_settings(vault)
    parsed, data = sync.read_and_parse(s, "people/Jane Doe.md")
    assert data == b"---\nrole: Partner\n---\nBody\n" and parsed.record is not None
    parsed, data = sync.read_and_parse(s, "people/Odd.md")
    assert data is None and [p.code for p in parsed.problems] == ["unreadable"]
    assert "cannot read this file" in parsed.problems[0].message

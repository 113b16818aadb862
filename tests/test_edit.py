"""Minimal-diff front-matter edits: `set_field`, `yaml_scalar`, and the `snooze` / `set` commands."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from reljournal.config import Settings
from reljournal.edit import YamlValue, field_value, set_field, yaml_scalar
from reljournal.errors import UserError
from tests.conftest import Run, write_note

SETTINGS = Settings(root=Path("/nonexistent"), name="t")
TODAY = dt.date(2026, 3, 15)


def edit(text: str | bytes, key: str, value: YamlValue, path: str = "people/P.md") -> bytes:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return set_field(path, data, key, value, SETTINGS).data


def refusal(text: str, key: str, value: YamlValue) -> UserError:
    with pytest.raises(UserError) as info:
        edit(text, key, value)
    return info.value


# ---- yaml_scalar ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value, written", [
    ("B", "B"),
    ("30d", "30d"),
    ("Jane Doe", "Jane Doe"),
    ("https://www.linkedin.com/in/jane", "https://www.linkedin.com/in/jane"),
    ("--04-12", "--04-12"),
    ("yes", '"yes"'),
    ("No", '"No"'),
    ("42", '"42"'),
    ("1:30", '"1:30"'),
    ("2026-03-15", '"2026-03-15"'),
    ("null", '"null"'),
    ("a: b", '"a: b"'),
    ("a #b", '"a #b"'),
    ("[[Acme Corp]]", '"[[Acme Corp]]"'),
    ("- x", '"- x"'),
    ("", '""'),
    (" padded ", '" padded "'),
    ('say "hi"\n', '"say \\"hi\\"\\n"'),
    ("line\u2028break", '"line\\u2028break"'),
    (dt.date(2026, 3, 29), "2026-03-29"),
    (dt.datetime(2026, 3, 15, 10, 30), "2026-03-15T10:30"),
    (True, "true"),
    (120000, "120000"),
    (1e16, "1.0e+16"),
    (["a", "b, c", "[[X]]"], '[a, "b, c", "[[X]]"]'),
    ([], "[]"),
])
def test_yaml_scalar(value: YamlValue, written: str) -> None:
    assert yaml_scalar(value) == written


_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)


@given(_TEXT)
def test_text_reads_back_exactly(text: str) -> None:
    assert yaml.safe_load(f"k: {yaml_scalar(text)}\n") == {"k": text}
    assert yaml.safe_load(f"k: {yaml_scalar([text, text])}\n") == {"k": [text, text]}


# ---- set_field: the cases one by one ---------------------------------------------------------------------
def test_changes_only_the_value_keeping_comment_and_spaces() -> None:
    text = "---\ntype: person\nsnooze: 2026-01-01   # after the tour\ntier: A\n---\nBody\n"
    assert edit(text, "snooze", dt.date(2026, 3, 29)) == (
        b"---\ntype: person\nsnooze: 2026-03-29   # after the tour\ntier: A\n---\nBody\n")


def test_adds_a_new_key_last_with_the_files_line_ending_and_bom() -> None:
    text = "\ufeff---\r\ntype: person  \r\n# a comment\r\ntags: [a]\r\n---\r\n\r\nBody  \r\n"
    assert edit(text, "tier", "B") == (
        "\ufeff---\r\ntype: person  \r\n# a comment\r\ntags: [a]\r\ntier: B\r\n---\r\n\r\nBody  \r\n".encode())


def test_an_empty_value_gets_filled() -> None:
    assert edit("---\nsnooze:\nnext: \n---\n", "snooze", dt.date(2026, 4, 1)) == (
        b"---\nsnooze: 2026-04-01\nnext: \n---\n")
    assert edit("---\nsnooze:   # later\n---\n", "snooze", dt.date(2026, 4, 1)) == (
        b"---\nsnooze: 2026-04-01   # later\n---\n")


def test_quoted_values_and_flow_lists_are_replaced_whole() -> None:
    assert edit("---\nrole: 'Head: Treasury'\n---\n", "role", "CFO") == b"---\nrole: CFO\n---\n"
    assert edit('---\ntags: [a, "b"]  # kept\n---\n', "tags", ["c"]) == b'---\ntags: [c]  # kept\n---\n'


def test_a_note_without_front_matter_gets_one() -> None:
    assert edit("# Jane\r\nNotes\r\n", "tier", "A") == b"---\r\ntier: A\r\n---\r\n# Jane\r\nNotes\r\n"
    assert edit("", "tier", "A") == b"---\ntier: A\n---\n"


def test_the_same_value_changes_nothing() -> None:
    result = set_field("people/P.md", b"---\ntier: 'B'\n---\n", "tier", "B", SETTINGS)
    assert not result.changed and result.data == b"---\ntier: 'B'\n---\n"
    assert result.describe() == "people/P.md:2: tier: 'B' (unchanged)"


def test_describe_says_what_changed() -> None:
    changed = set_field("people/P.md", b"---\ntype: person\ntier: A\n---\n", "tier", "B", SETTINGS)
    assert changed.describe() == "people/P.md:3: tier: A -> B"
    added = set_field("people/P.md", b"---\ntype: person\n---\n", "tier", "B", SETTINGS)
    assert added.describe() == "people/P.md:3: tier: (not set) -> B"


def test_refuses_front_matter_that_does_not_parse() -> None:
    err = refusal("---\ntype: person\nwith: [[A]], [[B]]\n---\n", "tier", "B")
    assert err.exit_code == 1
    assert err.message.startswith("people/P.md:3: front matter is not valid YAML")
    assert "fix the note before editing it" in err.message
    assert refusal("---\ntier: A\n", "tier", "B").message.startswith("people/P.md:1: ")


def test_refuses_values_over_several_lines() -> None:
    err = refusal("---\ntype: person\ntags:\n  - a\n  - b\nrole: x\n---\n", "tags", ["c"])
    assert err.message == ("people/P.md:3: tags holds a value over several lines (lines 3-5); "
                           "edit it in the note; not edited")
    assert err.exit_code == 1
    assert "over several lines" in refusal("---\nrole: |\n  CFO\n---\n", "role", "CEO").message
    assert "over several lines" in refusal('---\nrole: "a\n  b"\n---\n', "role", "CEO").message


def test_refuses_a_key_written_twice_and_a_flow_mapping() -> None:
    assert refusal("---\ntier: A\nrole: x\ntier: B\n---\n", "tier", "C").message == (
        "people/P.md:2: tier is written twice (lines 2, 4); not edited")
    assert "one `{...}` mapping" in refusal("---\n{tier: A}\n---\n", "tier", "C").message


def test_bad_values_are_judged_by_the_parser() -> None:
    err = refusal("---\ntype: person\nstatus: active\n---\n", "status", "maybe")
    assert err.exit_code == 2
    assert err.message == ("status: 'maybe' is not one of: active, dormant, archived "
                           "(in people/P.md; not edited)")
    assert refusal("---\ntype: person\n---\n", "cadence", "often").exit_code == 2


def test_field_value_types() -> None:
    assert field_value("person", "snooze", "2w", TODAY).value == dt.date(2026, 3, 29)
    assert field_value("person", "next", "2026-04-01", TODAY).value == dt.date(2026, 4, 1)
    assert field_value("person", "tags", "a, b ,", TODAY).value == ["a", "b"]
    assert field_value("person", "birthday", "--04-12", TODAY).value == "--04-12"
    assert field_value("org", "revenue", "120_000", TODAY).value == 120000
    assert field_value("org", "key_account", "yes", TODAY).value is True
    assert field_value("person", "hobby", "42", TODAY).known is False
    for kind, key, text in (("person", "next", "soon"), ("org", "revenue", "lots"),
                            ("org", "key_account", "maybe"), ("org", "objectives", "x"), ("person", "a b", "x")):
        with pytest.raises(UserError) as info:
            field_value(kind, key, text, TODAY)
        assert info.value.exit_code == 2


# ---- set_field: the guarantee over generated notes -------------------------------------------------------
_WORD = st.text(st.sampled_from("abcxyz019 -_./"), min_size=1, max_size=12).map(str.strip).filter(bool)
_KEYS = ["role", "tier", "owner", "snooze", "next", "tags", "aliases", "email", "foo", "zz_9", "x-y"]
_DATE_KEYS = {"snooze", "next"}
_LIST_KEYS = {"tags", "aliases"}


def _value_for(key: str) -> st.SearchStrategy[Any]:
    if key in _DATE_KEYS:
        return st.dates(dt.date(1900, 1, 1), dt.date(2200, 12, 31))
    if key in _LIST_KEYS:
        return st.lists(_TEXT, max_size=3)
    if key in ("role", "tier", "owner", "email"):
        return _TEXT
    return st.one_of(_TEXT, st.integers(), st.booleans(), st.dates())


@st.composite
def _written(draw: st.DrawFn, key: str) -> str:
    """One front-matter value as a person might write it: any style, maybe a comment after it."""
    value = draw(_value_for(key))
    style = draw(st.sampled_from(["scalar", "quoted", "single", "block", "empty", "tilde"]))
    if style == "block":
        items = draw(st.lists(_WORD, min_size=1, max_size=3))
        return "".join(f"\n  - {item}" for item in items)
    if style == "empty":
        return ""
    if style == "tilde":
        return " ~"
    if style == "single" and isinstance(value, str) and "\n" not in value and value.isprintable():
        text = " '" + value.replace("'", "''") + "'"
    else:
        text = " " + yaml_scalar(value, quote=style == "quoted" and isinstance(value, str))
    return text + draw(st.sampled_from(["", "  ", " # note", "   #"]))


@st.composite
def notes(draw: st.DrawFn) -> tuple[bytes, dict[str, bool]]:
    """A note with generated front matter: (its bytes, key -> holds a block value)."""
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    keys = draw(st.lists(st.sampled_from(_KEYS), unique=True, max_size=7))
    lines, block = [], {}
    for key in keys:
        if draw(st.booleans()):
            lines.append("# " + draw(_WORD))
        if draw(st.integers(0, 5)) == 0:
            lines.append("")
        value = draw(_written(key))
        block[key] = value.startswith("\n")
        lines.append(f"{key}:{value}".replace("\n", eol) + draw(st.sampled_from(["", " ", "  "])))
    body = draw(st.lists(st.one_of(_WORD, st.just("---"), st.just("tier: Z")), max_size=4))
    closing = draw(st.sampled_from(["---", "--- ", "..."]))
    text = eol.join(["---", *lines, closing, *body]) + draw(st.sampled_from(["", eol]))
    bom = draw(st.booleans())
    return ("\ufeff" if bom else "").encode() + text.encode("utf-8"), block


def _front_matter(data: bytes) -> dict[str, Any]:
    """An independent reading: split by hand, load with PyYAML's own safe loader."""
    text = data.decode("utf-8").removeprefix("\ufeff")
    lines = text.splitlines()
    close = next(i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "..."))
    return yaml.safe_load("\n".join(lines[1:close])) or {}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_only_the_one_line_changes(data: st.DataObject) -> None:
    original, block = data.draw(notes())
    key = data.draw(st.sampled_from(_KEYS))
    value = data.draw(_value_for(key))
    try:
        before = _front_matter(original)
    except ValueError:  # PyYAML's resolver takes `0b_` for an int and fails (not a YAMLError): no reference
        reject()
    if block.get(key):
        with pytest.raises(UserError) as info:
            set_field("people/P.md", original, key, value, SETTINGS)
        assert info.value.exit_code == 1 and "over several lines" in info.value.message
        return
    result = set_field("people/P.md", original, key, value, SETTINGS)
    old_lines = original.splitlines(keepends=True)
    new_lines = result.data.splitlines(keepends=True)
    if not result.changed:
        assert result.data == original
        assert before[key] == value
        return
    if key in block:  # changed in place: one line differs, the key's own
        assert len(new_lines) == len(old_lines)
        differing = [i for i, (a, b) in enumerate(zip(old_lines, new_lines, strict=True)) if a != b]
        assert differing == [result.line - 1]
        assert new_lines[result.line - 1].lstrip(b"\xef\xbb\xbf").startswith(key.encode() + b":")
        assert new_lines[result.line - 1].endswith(b"\r\n") == old_lines[result.line - 1].endswith(b"\r\n")
    else:  # added as the last line of the front matter
        closing = result.line - 1
        assert new_lines[:closing] + new_lines[closing + 1:] == old_lines
        eol = b"\r\n" if old_lines[0].endswith(b"\r\n") else b"\n"
        assert new_lines[closing] == f"{key}: {result.new}".encode() + eol
        assert new_lines[closing + 1].rstrip().lstrip(b"\xef\xbb\xbf") in (b"---", b"...")
    assert _front_matter(result.data) == {**before, key: value}


# ---- the commands ----------------------------------------------------------------------------------------
SADE = "---\r\ntype: person\r\n# kept as written\r\ncadence: 30d   \r\nsnooze: 2026-01-01\r\n---\r\nBody text\r\n"


def snapshot(vault: Path) -> dict[str, str]:
    return {p.relative_to(vault).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(vault.rglob("*")) if p.is_file() and ".reljournal" not in p.parts}


@pytest.fixture
def sade(empty_vault: Path) -> Path:
    (empty_vault / "people").mkdir()
    (empty_vault / "people/Sade Adu.md").write_bytes(SADE.encode())
    write_note(empty_vault, "orgs/Acme Corp.md", "---\ntype: org\nrevenue: 100\n---\n")
    (empty_vault / ".reljournal.toml").write_text('[vault]\nname = "Edits"\n\n[tiers]\nA = "30d"\nB = "90d"\n')
    return empty_vault


def test_snooze_prints_the_change_and_edits_one_line(sade: Path, run_in: Any) -> None:
    before = snapshot(sade)
    result = run_in(sade)("snooze", "sade adu", "2w")
    assert result.exit_code == 0
    assert result.stdout == "people/Sade Adu.md:5: snooze: 2026-01-01 -> 2026-03-29\n"
    assert (sade / "people/Sade Adu.md").read_bytes() == SADE.replace("2026-01-01", "2026-03-29").encode()
    after = snapshot(sade)
    assert [k for k in before if before[k] != after[k]] == ["people/Sade Adu.md"] and after.keys() == before.keys()


def test_snooze_date_and_errors(sade: Path, run_in: Any) -> None:
    rj: Run = run_in(sade)
    assert rj("snooze", "Sade Adu", "2026-05-01").stdout == "people/Sade Adu.md:5: snooze: 2026-01-01 -> 2026-05-01\n"
    bad = rj("snooze", "Sade Adu", "soon")
    assert bad.exit_code == 2
    assert bad.stderr == ("reljournal: snooze: 'soon' is neither a date (YYYY-MM-DD) nor a duration "
                          "(10d, 2w, 3m, 1y)\n")
    unknown = rj("snooze", "Sade Adoo", "2w")
    assert unknown.exit_code == 1
    assert unknown.stderr == "reljournal: no person named 'Sade Adoo'; did you mean: Sade Adu?\n"
    assert rj("snooze", "Acme Corp", "2w").exit_code == 1  # people only


def test_set_adds_changes_and_validates(sade: Path, run_in: Any) -> None:
    rj: Run = run_in(sade)
    assert rj("set", "Sade Adu", "tier", "B").stdout == "people/Sade Adu.md:6: tier: (not set) -> B\n"
    assert rj("set", "Sade Adu", "cadence", "2w").stdout == "people/Sade Adu.md:4: cadence: 30d -> 2w\n"
    assert rj("set", "Sade Adu", "next", "2026-04-01").stdout == "people/Sade Adu.md:7: next: (not set) -> 2026-04-01\n"
    assert (sade / "people/Sade Adu.md").read_bytes() == (
        b"---\r\ntype: person\r\n# kept as written\r\ncadence: 2w   \r\nsnooze: 2026-01-01\r\n"
        b"tier: B\r\nnext: 2026-04-01\r\n---\r\nBody text\r\n")
    assert rj("set", "Acme Corp", "revenue", "120000").stdout == "orgs/Acme Corp.md:3: revenue: 100 -> 120000\n"
    before = snapshot(sade)
    for args, message in (
        (("cadence", "often"), "reljournal: cadence: 'often' is not a duration; write 10d, 2w, 3m, 1y, a number "
                               "of days, or weekly, fortnightly, monthly, quarterly, yearly "
                               "(in people/Sade Adu.md; not edited)\n"),
        (("status", "maybe"), "reljournal: status: 'maybe' is not one of: active, dormant, archived "
                              "(in people/Sade Adu.md; not edited)\n"),
        (("next", "2026-02-30"), "reljournal: next: '2026-02-30' is not a real date (day is out of range for month)\n"),
    ):
        result = rj("set", "Sade Adu", *args)
        assert (result.exit_code, result.stderr) == (2, message)
    assert snapshot(sade) == before


def test_set_says_so_for_unknown_fields_and_tiers(sade: Path, run_in: Any) -> None:
    rj: Run = run_in(sade)
    result = rj("set", "Sade Adu", "hobby", "yes")
    assert result.exit_code == 0
    assert result.stdout == 'people/Sade Adu.md:6: hobby: (not set) -> "yes"\n'
    assert result.stderr == "reljournal: note: reljournal does not read `hobby` on a person; setting it anyway\n"
    result = rj("set", "Sade Adu", "tier", "Z")
    assert result.stderr == ("reljournal: note: tier 'Z' is not in [tiers] (A, B); its cadence falls back "
                             "to the default\n")


def test_editing_a_broken_note_is_refused(sade: Path, run_in: Any) -> None:
    rj: Run = run_in(sade)
    write_note(sade, "people/Bo Broken.md", "---\ntype: person\nwith: [[A]], [[B]]\n---\n")
    before = snapshot(sade)
    result = rj("snooze", "Bo Broken", "2w")
    assert result.exit_code == 1
    assert result.stderr.startswith("reljournal: people/Bo Broken.md:3: front matter is not valid YAML")
    assert result.stderr.endswith("; fix the note before editing it (not edited)\n")
    assert snapshot(sade) == before


def test_set_on_a_block_list_is_refused(sade: Path, run_in: Any) -> None:
    write_note(sade, "people/Li.md", "---\ntype: person\ntags:\n  - a\n---\n")
    result = run_in(sade)("set", "Li", "tags", "b")
    assert (result.exit_code, result.stderr) == (
        1, "reljournal: people/Li.md:3: tags holds a value over several lines (lines 3-4); edit it in the note; "
           "not edited\n")


def test_an_edit_within_one_clock_tick_is_seen_by_the_index(sade: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The index diffs (mtime, size): a same-size edit that keeps the mtime must still be seen."""
    from reljournal import edit as edit_module
    from reljournal.app import Journal

    note = sade / "people/Sade Adu.md"
    journal = Journal.open(sade, "2026-03-15")
    journal.sync()
    old = note.stat().st_mtime_ns

    def write_in_the_same_tick(path: Path, data: bytes, **kwargs: Any) -> bool:
        path.write_bytes(data)
        os.utime(path, ns=(old, old))
        return True

    monkeypatch.setattr(edit_module, "write_atomic", write_in_the_same_tick)
    result = edit_module.edit_note(journal.settings, "people/Sade Adu.md", "snooze", dt.date(2026, 3, 29))
    assert result.changed and note.stat().st_size == len(SADE.encode()) and note.stat().st_mtime_ns == old
    assert [p.snooze for p in journal.view().people] == [dt.date(2026, 3, 29)]


def test_due_sees_the_snooze_at_once(sade: Path, run_in: Any) -> None:
    rj: Run = run_in(sade)
    rj("set", "Sade Adu", "last_contact", "2026-01-01")
    assert rj("due", "--json").stdout.count('"reason": "cadence"') == 1
    rj("snooze", "Sade Adu", "2026-04-01")
    assert '"next": "2026-04-01"' in rj("due", "--all", "--json").stdout


def test_every_person_and_org_key_has_a_value_type() -> None:
    from reljournal.edit import FIELDS
    from reljournal.model import FRONT_MATTER_KEYS

    for kind in ("person", "org"):
        assert set(FIELDS[kind]) == set(FRONT_MATTER_KEYS["any"] + FRONT_MATTER_KEYS[kind])


# ---- ticking a task (a reminder done on the phone) ------------------------------------------------------------
_TASK_WORDS = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="[]"), min_size=1,
                      max_size=30).filter(lambda t: t.strip() and not t.strip().startswith("["))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=st.text(st.sampled_from("ab \t\x85\u2028\u2029\x0c\x0b"), max_size=12), words=_TASK_WORDS,
       due=st.sampled_from(["", " 📅 2026-03-20", " [due:: 2026-03-20]"]), crlf=st.booleans())
def test_any_task_the_parser_reads_is_ticked_changing_only_its_box(tmp_path_factory: pytest.TempPathFactory,
                                                                     before: str, words: str, due: str,
                                                                     crlf: bool) -> None:
    from reljournal.edit import edit_task
    from reljournal.parse.note import parse_note

    root = tmp_path_factory.mktemp("tick")
    settings_ = Settings(root=root, name="t")
    end = "\r\n" if crlf else "\n"
    text = end.join(["---", "type: person", "---", "# P", before, f"- [ ] {words}{due}", "after", ""])
    note = root / "people" / "P.md"
    note.parent.mkdir(parents=True)
    note.write_bytes(text.encode("utf-8"))
    record = parse_note("people/P.md", text.encode("utf-8"), settings_).record
    assert record is not None
    (task,) = [t for t in record.tasks if t.open]
    assert edit_task(settings_, "people/P.md", task.line, task.text, done=True)
    assert note.read_bytes() == text.replace("- [ ] ", "- [x] ", 1).encode("utf-8")

"""The query language of `reljournal query` and `people QUERY` (SPEC 3; docs/query.md).

    tag:client tier:A overdue org:"Acme Corp" last<2026-06-01 -status:dormant "free text" OR kind:lunch

Text → tokens → an immutable AST (`parse`) → the set of matching notes of a `View` (`evaluate`).
Terms side by side are AND-ed, `OR` binds looser than AND, `-term` or `NOT term` negates one term and
parentheses group. Each term applies to some kinds of note only (`TERM_KINDS`) and, negated or not,
never matches a note of another kind: `-tier:A` lists people and orgs, never an interaction. Free text
goes through the index's FTS5 table (titles and bodies, not front matter).

Every mistake is a `QueryError` that points at the bad term with a caret.
"""

from __future__ import annotations

import datetime as dt
import difflib
import operator
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from reljournal.config import Settings
from reljournal.dates import Duration, parse_date, parse_duration
from reljournal.errors import UserError
from reljournal.index.store import FOLDABLE_ANSWER_FIELDS, json_strings
from reljournal.lookup import keys_meant
from reljournal.model import (
    INTERACTION,
    INTERACTION_KINDS,
    KINDS,
    NOTE,
    ORG,
    PERSON,
    RELATIONSHIPS,
    STATUSES,
    Interaction,
    Org,
    Person,
    Record,
)
from reljournal.names import name_key
from reljournal.queries import PersonAnswer, View

ANY = frozenset(KINDS)
PEOPLE = frozenset({PERSON})
PEOPLE_AND_ORGS = frozenset({PERSON, ORG})
INTERACTIONS = frozenset({INTERACTION})
REST = frozenset({INTERACTION, NOTE})  # the kinds a view reads only when asked (nine notes in ten)

# Which notes each term can match (SPEC 3): a term, negated or not, never matches another kind.
TERM_KINDS: dict[str, frozenset[str]] = {
    "type": ANY, "tag": ANY,
    "tier": PEOPLE_AND_ORGS, "owner": PEOPLE_AND_ORGS,
    "org": PEOPLE, "relationship": PEOPLE, "status": PEOPLE,
    "kind": INTERACTIONS, "with": INTERACTIONS,
    "overdue": PEOPLE, "due": PEOPLE, "last": PEOPLE, "next": PEOPLE,
}
FIELD_KEYS = ("type", "tag", "tier", "org", "owner", "relationship", "status", "kind", "with")
DATE_KEYS = ("due", "last", "next")
FLAG = "overdue"
KEYS = (*FIELD_KEYS, *DATE_KEYS, FLAG)
CHOICES: dict[str, tuple[str, ...]] = {
    "type": KINDS, "relationship": RELATIONSHIPS, "status": STATUSES, "kind": INTERACTION_KINDS,
}
OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "=": operator.eq,
}
# `last<30d` compares an age: less than 30 days ago is a date later than 30 days ago.
AGE_OPERATOR = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "="}
KIND_ORDER = {PERSON: 0, ORG: 1, INTERACTION: 2, NOTE: 3}
MAX_DEPTH = 64  # of negations and parentheses: deeper is surely a mistake (and would exhaust the stack)

_KEYED = re.compile(r"([A-Za-z_]+)(<=|>=|<|>|=|:)(.*)", re.DOTALL)
_STOP = frozenset("()\"")


class QueryError(UserError):
    """A malformed query: `reason` says what is wrong, `position`..`end` is the bad term in `query`.
    Its `message` (what the command line prints) shows the query with a caret under that term."""

    def __init__(self, message: str, position: int, end: int | None = None, query: str = "") -> None:
        self.reason = message
        self.position = position
        self.end = max(end if end is not None else position + 1, position + 1)
        self.query = query
        super().__init__(self.render(), exit_code=2)

    def render(self) -> str:
        shown = "".join(" " if c.isspace() else c for c in self.query)
        width = max(1, min(self.end, len(shown) + 1) - self.position)
        return f"query: {self.reason}\n  {shown}\n  {' ' * self.position}{'^' * width}"


# ---- the AST ------------------------------------------------------------------------------------------
# Spans (start, end offsets in the query text) serve error messages only; they take no part in equality.
@dataclass(frozen=True)
class Text:
    """Free text: a bare word (matches as a prefix) or a quoted phrase (matches as written)."""

    text: str
    phrase: bool = False
    span: tuple[int, int] = field(default=(0, 0), compare=False)

    def __str__(self) -> str:
        return _quote(self.text) if self.phrase else self.text


@dataclass(frozen=True)
class Field:
    """`key:value` for type, tag, tier, org, owner, relationship, status, kind, with."""

    key: str
    value: str
    span: tuple[int, int] = field(default=(0, 0), compare=False)

    def __str__(self) -> str:
        return f"{self.key}:{_quote(self.value) if _needs_quotes(self.value) else self.value}"


@dataclass(frozen=True)
class Compare:
    """`due<14d`, `last<2026-06-01`, `next>=2026-12-01`: a person's date against a date or a duration (time
    ahead from today for due and next; an age for last: `last<30d` is contacted in the last 30 days)."""

    key: str
    op: str
    value: dt.date | Duration
    span: tuple[int, int] = field(default=(0, 0), compare=False)

    def __str__(self) -> str:
        value = self.value.spec if isinstance(self.value, Duration) else self.value.isoformat()
        return f"{self.key}{self.op}{_quote(value) if _needs_quotes(value) else value}"


@dataclass(frozen=True)
class Overdue:
    span: tuple[int, int] = field(default=(0, 0), compare=False)

    def __str__(self) -> str:
        return FLAG


@dataclass(frozen=True)
class Not:
    operand: Node
    span: tuple[int, int] = field(default=(0, 0), compare=False)

    def __str__(self) -> str:
        inner = str(self.operand)
        return f"-({inner})" if isinstance(self.operand, (And, Or)) else f"-{inner}"


@dataclass(frozen=True)
class And:
    operands: tuple[Node, ...]

    def __str__(self) -> str:
        return " ".join(f"({o})" if isinstance(o, Or) else str(o) for o in self.operands)


@dataclass(frozen=True)
class Or:
    operands: tuple[Node, ...]

    def __str__(self) -> str:
        return " OR ".join(str(o) for o in self.operands)


Term = Text | Field | Compare | Overdue
Node = Text | Field | Compare | Overdue | Not | And | Or


def _needs_quotes(value: str) -> bool:
    return not value or any(c.isspace() or c in _STOP for c in value)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# ---- tokens -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Token:
    kind: str  # "(" ")" "NOT" "OR" "AND" "TERM"
    start: int
    end: int
    term: Term | None = None


class _Lexer:
    def __init__(self, query: str, aliases: Mapping[str, str] | None = None) -> None:
        self.aliases = aliases or {}
        self.query = query
        self.pos = 0

    def error(self, message: str, start: int, end: int | None = None) -> QueryError:
        return QueryError(message, start, end, self.query)

    def tokens(self) -> list[Token]:
        out: list[Token] = []
        q = self.query
        while self.pos < len(q):
            c = q[self.pos]
            start = self.pos
            if c.isspace():
                self.pos += 1
            elif c in "()":
                self.pos += 1
                out.append(Token(c, start, self.pos))
            elif c == "-":
                self.pos += 1
                if self.pos >= len(q) or q[self.pos].isspace() or q[self.pos] == ")":
                    raise self.error("'-' must be followed by the term it negates, with no space", start)
                out.append(Token("NOT", start, self.pos))
            elif c == '"':
                text = self.quoted()
                out.append(Token("TERM", start, self.pos, self.text(text, True, start)))
            else:
                word = self.word()
                if word in ("OR", "AND", "NOT"):
                    out.append(Token(word, start, self.pos))
                else:
                    out.append(Token("TERM", start, self.pos, self.term(word, start)))
        return out

    def word(self) -> str:
        q, start = self.query, self.pos
        while self.pos < len(q) and not q[self.pos].isspace() and q[self.pos] not in _STOP:
            self.pos += 1
        return q[start:self.pos]

    def quoted(self) -> str:
        """A double-quoted string from `self.pos`; `\\"` and `\\\\` escape a quote and a backslash."""
        q, start = self.query, self.pos
        self.pos += 1
        chars: list[str] = []
        while self.pos < len(q):
            c = q[self.pos]
            if c == "\\" and self.pos + 1 < len(q) and q[self.pos + 1] in '"\\':
                chars.append(q[self.pos + 1])
                self.pos += 2
            elif c == '"':
                self.pos += 1
                return "".join(chars)
            else:
                chars.append(c)
                self.pos += 1
        raise self.error("unclosed quote", start, len(q))

    def text(self, text: str, phrase: bool, start: int) -> Text:
        if not any(c.isalnum() for c in text):
            what = f"{_quote(text)}" if phrase else repr(text)
            raise self.error(f"nothing to search for in {what}: free text needs a letter or a digit",
                             start, self.pos)
        return Text(text, phrase, (start, self.pos))

    def term(self, word: str, start: int) -> Term:
        if word.casefold() == FLAG:
            return Overdue((start, self.pos))
        m = _KEYED.fullmatch(word)
        if not m:
            return self.text(word, False, start)
        key, op, value = m[1].casefold(), m[2], m[3]
        key = self.aliases.get(key, key)  # the vault's name for a field (`people:` for `with:`, SPEC 11)
        if key not in KEYS:
            close = difflib.get_close_matches(key, KEYS, n=1)
            hint = f"; did you mean {close[0]}?" if close else f"; keys: {', '.join(KEYS)}"
            raise self.error(f"unknown key {m[1]!r}{hint}", start, self.pos)
        if key == FLAG:
            raise self.error("overdue takes no value: write overdue, or -overdue", start, self.pos)
        if not value and self.pos < len(self.query) and self.query[self.pos] == '"':
            value = self.quoted()
        span = (start, self.pos)
        if key in DATE_KEYS:
            return self.compare(key, op, value, span)
        if op != ":":
            raise self.error(f"{key} takes {key}:VALUE, not {op}", *span)
        return self.field(key, value, span)

    def field(self, key: str, value: str, span: tuple[int, int]) -> Field:
        value = value.strip()
        if key == "tag":
            value = value.lstrip("#")
        if not value:
            raise self.error(f"{key}: needs a value, as in {_EXAMPLES[key]}", *span)
        if key in CHOICES:
            value = value.casefold()
            if value not in CHOICES[key]:
                raise self.error(f"{key}:{value} is not one of {', '.join(CHOICES[key])}", *span)
        return Field(key, value, span)

    def compare(self, key: str, op: str, value: str, span: tuple[int, int]) -> Compare:
        if op == ":":
            raise self.error(f"{key} compares with <, <=, >, >= or =, as in {_EXAMPLES[key]}", *span)
        if not value:
            raise self.error(f"{key}{op} needs a date or a duration, as in {_EXAMPLES[key]}", *span)
        parsed: dt.date | Duration
        try:
            if re.fullmatch(r"\d{4}-.*", value):
                parsed = parse_date(value)
            else:
                parsed = parse_duration(value)
        except ValueError as exc:
            message = str(exc)
            if not re.fullmatch(r"\d{4}-.*|\d+\s*[dwmy]?", value.strip()):
                message = f"{value!r} is neither a date (YYYY-MM-DD) nor a duration (14d, 2w, 3m, 1y)"
            raise self.error(message, *span) from None
        return Compare(key, op, parsed, span)


_EXAMPLES = {
    "type": "type:person", "tag": "tag:client", "tier": "tier:A", "org": 'org:"Acme Corp"',
    "owner": "owner:alice", "relationship": "relationship:client", "status": "status:dormant",
    "kind": "kind:coffee", "with": 'with:"Jane Doe"', "due": "due<14d", "last": "last<2026-06-01",
    "next": "next>=2026-12-01",
}


# ---- the parser ---------------------------------------------------------------------------------------
class _Parser:
    """query := or ; or := and ('OR' and)* ; and := unary (['AND'] unary)* ; unary := ('-'|'NOT') unary
    | '(' or ')' | term."""

    def __init__(self, query: str, tokens: list[Token]) -> None:
        self.query = query
        self.tokens = tokens
        self.i = 0
        self.depth = 0

    def error(self, message: str, token: Token | None) -> QueryError:
        if token is None:
            return QueryError(message, len(self.query), len(self.query) + 1, self.query)
        return QueryError(message, token.start, token.end, self.query)

    def peek(self) -> Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def parse(self) -> Node:
        if not self.tokens:
            raise QueryError("empty query: give at least one term, as in tier:A overdue", 0, 1, self.query)
        node = self.or_()
        token = self.peek()
        if token is not None:  # only a stray `)` stops `or_` early
            raise self.error("unmatched ')'", token)
        return node

    def or_(self) -> Node:
        first = self.peek()
        if first is not None and first.kind == "OR":
            raise self.error("OR needs a term before it", first)
        operands = [self.and_()]
        while (token := self.peek()) is not None and token.kind == "OR":
            self.take()
            after = self.peek()
            if after is None or after.kind in ("OR", ")"):
                raise self.error("OR needs a term after it", token)
            operands.append(self.and_())
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def and_(self) -> Node:
        operands: list[Node] = []
        while (token := self.peek()) is not None and token.kind not in ("OR", ")"):
            if token.kind == "AND":
                self.take()
                after = self.peek()
                if not operands or after is None or after.kind in ("OR", ")", "AND"):
                    raise self.error("AND needs a term on each side", token)
                continue
            operands.append(self.unary())
        if not operands:  # `(` and OR check what follows them: only a stray `)` gets here
            raise self.error("unmatched ')'", self.peek())
        flat: list[Node] = []
        for o in operands:
            flat.extend(o.operands if isinstance(o, And) else (o,))
        return flat[0] if len(flat) == 1 else And(tuple(flat))

    def unary(self) -> Node:
        token = self.take()
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"nested more than {MAX_DEPTH} deep", token)
        try:
            return self._unary(token)
        finally:
            self.depth -= 1

    def _unary(self, token: Token) -> Node:
        if token.kind == "NOT":
            after = self.peek()
            if after is None or after.kind in ("OR", "AND", ")"):
                raise self.error("nothing to negate: NOT and '-' need a term after them", token)
            operand = self.unary()
            return Not(operand, (token.start, _end(operand, token.end)))
        if token.kind == "(":
            after = self.peek()
            if after is not None and after.kind == ")":
                raise self.error("empty parentheses", token)
            node = self.or_()
            close = self.peek()
            if close is None or close.kind != ")":
                raise self.error("unclosed '('", token)
            self.take()
            return node
        if token.kind == "TERM" and token.term is not None:
            return token.term
        raise self.error(f"unexpected {token.kind}", token)


def _end(node: Node, default: int) -> int:
    span = getattr(node, "span", None)
    return span[1] if span else default


def parse(query: str, aliases: Mapping[str, str] | None = None) -> Node:
    """The AST of `query`; a `QueryError` (exit 2, with a caret) when it is malformed. `aliases`: other names
    for keys (a vault's own names for its fields: `field_aliases`)."""
    for i, c in enumerate(query):
        if "\ud800" <= c <= "\udfff":  # bytes that were not UTF-8 on the command line
            raise QueryError("not valid UTF-8", i, i + 1, query.encode("utf-8", "replace").decode())
    return _Parser(query, _Lexer(query, aliases).tokens()).parse()


def field_aliases(settings: Settings) -> dict[str, str]:
    """The vault's names for the fields a query key reads (`[fields] with = "people"`: `people:` is `with:`)."""
    return {theirs.casefold(): ours for ours, theirs in settings.fields if ours in KEYS}


# ---- evaluation ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class QueryRow:
    """One matching note as `query` shows it: from the index's rows, no record read."""

    title: str
    path: str
    kind: str
    tags: tuple[str, ...]
    date: dt.date | None  # an interaction's date
    next: dt.date | None  # a person's next date

    def as_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "path": self.path,
            "kind": self.kind,
            "date": self.date.isoformat() if self.date else None,
            "next": self.next.isoformat() if self.next else None,
            "tags": list(self.tags),
        }


class Evaluator:
    """Evaluates an AST over one `View`: each node gives the paths it matches among the notes of its
    kinds (`domain`); a negation is its operand's domain minus its operand's matches."""

    def __init__(self, view: View) -> None:
        self.view = view
        self._paths: dict[str, frozenset[str]] = {}
        self._meant: dict[tuple[str, str], frozenset[str]] = {}

    def paths_of(self, kind: str) -> frozenset[str]:
        """The notes of one kind: a query on people and organisations only (`tier:A`, `overdue`) or on the
        full text reads no interaction it does not match, and the interactions' and plain notes' paths come
        from the index (`rows_answer`)."""
        if kind not in self._paths:
            if self.rows_answer:
                self._paths[kind] = frozenset(self.view.index.paths_of_kind(kind))
            else:
                records = self.view.by_path_of((kind,))
                self._paths[kind] = frozenset(p for p, r in records.items() if r.kind == kind)
        return self._paths[kind]

    @cached_property
    def rows_answer(self) -> bool:
        """Terms on interactions and plain notes (`kind:`, `with:`, `tag:`, a negation) are answered from
        the index's rows, without those notes' records (100,000 of them at 111,000 notes): `View.from_rows`."""
        return self.view.index is not None and self.view.from_rows

    @cached_property
    def rows(self) -> Mapping[str, PersonAnswer]:
        return self.view.answers

    def universe(self, kinds: Iterable[str]) -> frozenset[str]:
        return frozenset().union(*(self.paths_of(k) for k in kinds))

    def domain(self, node: Node) -> frozenset[str]:
        if isinstance(node, Not):
            return self.domain(node.operand)
        if isinstance(node, And):
            return frozenset.intersection(*(self.domain(o) for o in node.operands))
        if isinstance(node, Or):
            return frozenset.union(*(self.domain(o) for o in node.operands))
        if isinstance(node, Text):
            return ANY
        if isinstance(node, Overdue):
            return TERM_KINDS[FLAG]
        return TERM_KINDS[node.key]

    def matches(self, node: Node) -> frozenset[str]:
        if isinstance(node, Not):
            return self.universe(self.domain(node)) - self.matches(node.operand)
        if isinstance(node, And):
            return frozenset.intersection(*(self.matches(o) for o in node.operands))
        if isinstance(node, Or):
            return frozenset.union(*(self.matches(o) for o in node.operands))
        if isinstance(node, Text):
            return self.full_text(node)
        if isinstance(node, Field) and node.key == "type":  # the notes of a kind, without reading the others
            kind = node.value.casefold()
            return self.paths_of(kind) if kind in KINDS else frozenset()
        domain = self.domain(node)
        from_rows = domain & REST if self.rows_answer else frozenset()
        answered = self.answer_test(node) if self.rows_answer and PERSON in domain else None
        domain -= from_rows | (PEOPLE if answered is not None else frozenset())
        found: frozenset[str] = frozenset()
        if domain:
            test, records = self.predicate(node), self.view.by_path_of(domain)
            found = frozenset(p for p in self.universe(domain) if test(records[p]))
        if answered is not None:  # people from their stored answers, without their records
            found |= frozenset(a.path for a in self.answers_for(node) if answered(a))
        return found | self.rows_matching(node, from_rows) if from_rows else found

    def answers_for(self, term: Term) -> Iterable[PersonAnswer]:
        """The answers `answer_test` looks at: for `overdue`, those due by yesterday alone (their rows); for a
        field the index can narrow by (`tier:A`), those whose value may be it."""
        if isinstance(term, Overdue):
            return self.view.answers_overdue()
        if isinstance(term, Field) and term.key in FOLDABLE_ANSWER_FIELDS:
            return self.view.answers_maybe_with(term.key, term.value.casefold())
        return self.view.answers.values()

    def answer_test(self, term: Term) -> Callable[[PersonAnswer], bool] | None:
        """What `predicate` says of a person, from their stored answer; None for the terms an answer cannot
        tell (`org:`, which matches the organisation's aliases too). Tests hold the two to each other."""
        today = self.view.today
        if isinstance(term, Overdue):
            return lambda a: a.rule is not None and a.rule.next is not None and a.rule.next < today
        if isinstance(term, Compare):
            return self.compare(term)
        assert isinstance(term, Field)
        key, value = term.key, term.value.casefold()
        if key == "type":
            return lambda a: value == PERSON
        if key == "tag":
            return lambda a: any(_tag_matches(t, value) for t in a.tags)
        if key in FOLDABLE_ANSWER_FIELDS:  # tier, owner, relationship, status: the answer's field of that name
            field = operator.attrgetter(key)
            return lambda a: _same(field(a), value)
        return None

    def rows_matching(self, term: Term, kinds: frozenset[str]) -> frozenset[str]:
        """The notes of `kinds` (interactions, plain notes) that `term` matches, from the index's rows: what
        `predicate` says of their records (tests/test_query.py holds the two to each other)."""
        assert isinstance(term, Field) and term.key in ("tag", "kind", "with"), term  # TERM_KINDS: the others
        value = term.value.casefold()
        index = self.view.index
        if term.key == "tag":
            return frozenset(p for p, tags in index.tags_of_kinds(kinds) if any(_tag_matches(t, value) for t in tags))
        if term.key == "kind":
            # the kinds as written that match, then their notes: 0.03 s where judging 100,000 notes' kinds took 0.1 s
            return frozenset(index.interactions_of_kinds(k for k in index.interaction_kinds() if _same(k, value)))
        wanted = self.meant(term)
        return frozenset(path for (target, folder), places in self.view.with_links.items()
                         if wanted & self.names_linked(target, folder) for path, _ in places)

    def meant(self, term: Field) -> frozenset[str]:
        """The name keys a `with:` or `org:` term means: its person's (its organisation's) title and aliases,
        found as `show` finds a name (`lookup.keys_meant`), once per term."""
        if (term.key, term.value) not in self._meant:
            kinds = (PERSON,) if term.key == "with" else (ORG,)
            self._meant[term.key, term.value] = keys_meant(self.view, term.value, kinds)
        return self._meant[term.key, term.value]

    def names_linked(self, target: str, folder: str | None) -> set[str]:
        """The name keys a `with:` link answers to: its own, and its person's title and aliases."""
        names = {name_key(target)}
        person = self.view.person_named(target, folder)
        if person is not None:
            names.update(name_key(n) for n in (person.title, *person.aliases))
        return names

    def full_text(self, node: Text) -> frozenset[str]:
        """FTS5 over titles and bodies. The text goes in as one FTS5 string (never as FTS5 syntax):
        a bare word matches as a prefix (`transl` finds "translation"), a quoted phrase as written."""
        # FTS5 ends a string at a NUL byte ("unterminated string"): it can match nothing anyway
        match = '"' + node.text.replace('"', '""').replace("\x00", " ") + '"' + ("" if node.phrase else "*")
        view = self.view
        if view.index is None:
            needle = node.text.casefold()
            return frozenset(p for p, r in view.by_path.items() if needle in r.title.casefold())
        # The notes that have a record: parsed (`notes.parsed`), and in the view's scope when it has one.
        rows = view.index.db.execute("SELECT notes.path FROM fts JOIN notes ON notes.id = fts.rowid "
                                     "WHERE fts MATCH ? AND notes.parsed", (match,))
        return frozenset(path for (path,) in rows if view.scope is None or path in view.scope.paths)

    def predicate(self, term: Term) -> Callable[[Record], bool]:
        view, today = self.view, self.view.today
        if isinstance(term, Overdue):
            def overdue(r: Record) -> bool:
                s = view.status.get(r.path)
                return s is not None and s.next is not None and s.next < today
            return overdue
        if isinstance(term, Compare):
            return self.compare(term)
        assert isinstance(term, Field)
        key, value = term.key, term.value.casefold()
        if key == "type":
            return lambda r: r.kind == value
        if key == "tag":
            return lambda r: any(_tag_matches(t, value) for t in r.tags)
        if key == "tier":
            return lambda r: isinstance(r, (Person, Org)) and _same(r.tier, value)
        if key == "owner":
            return lambda r: _same(view.owner_of(r) if isinstance(r, Person) else getattr(r, "owner", None),
                                   value)
        if key == "org":
            orgs = self.meant(term)
            return lambda r: isinstance(r, Person) and bool(orgs & self.org_names(r))
        if key == "relationship":
            return lambda r: isinstance(r, Person) and _same(r.relationship, value)
        if key == "status":
            return lambda r: isinstance(r, Person) and _same(r.status, value)
        if key == "kind":
            return lambda r: isinstance(r, Interaction) and _same(r.interaction_kind, value)
        if key == "with":
            people = self.meant(term)
            return lambda r: isinstance(r, Interaction) and bool(people & self.with_names(r))
        raise AssertionError(key)  # the lexer admits no other key

    def compare(self, term: Compare) -> Callable[[Record | PersonAnswer], bool]:
        today, test = self.view.today, OPERATORS[term.op]
        if isinstance(term.value, Duration) and term.key == "last":
            # An age: `last<30d` is a last contact less than 30 days ago, so after today - 30 days.
            bound, test = term.value.subtract_from(today), OPERATORS[AGE_OPERATOR[term.op]]
        elif isinstance(term.value, Duration):
            # Time ahead: `due<14d`, `next<14d` are before today + 14 days.
            bound = term.value.add_to(today)
        else:
            bound = term.value

        def compare(r: Record | PersonAnswer) -> bool:
            row = self.rows.get(r.path)
            if row is None:
                return False
            if term.key == "last":
                day = row.last
            else:
                day = row.rule.next if row.rule else None
            return day is not None and test(day, bound)
        return compare

    def org_names(self, person: Person) -> set[str]:
        org = self.view.org_of(person)
        if org is not None:
            return {name_key(n) for n in (org.title, *org.aliases)}
        return {person.org.key, name_key(person.org.display)} if person.org else set()

    def with_names(self, interaction: Interaction) -> set[str]:
        return set().union(*(self.names_linked(link.target, link.folder) for link in interaction.with_))


def _same(value: str | None, wanted: str) -> bool:
    """Missing values never match."""
    return value is not None and str(value).casefold() == wanted


def _tag_matches(tag: str, wanted: str) -> bool:
    """`tag:client` matches `client` and nested tags such as `client/key` (as Obsidian's tag search)."""
    tag = tag.lstrip("#").casefold()
    wanted = wanted.lstrip("#")
    return tag == wanted or tag.startswith(wanted + "/")


def matching_paths(view: View, node: Node) -> frozenset[str]:
    return Evaluator(view).matches(node)


def people_matching(view: View, text: str) -> frozenset[str]:
    """`people QUERY`: the paths of the people `text` matches."""
    evaluator = Evaluator(view)  # the people's paths from the index: no record read to tell them
    return evaluator.matches(parse(text, field_aliases(view.settings))) & evaluator.paths_of(PERSON)


def query(view: View, text: str) -> list[QueryRow]:
    """The notes matching `text`, by kind (person, org, interaction, note), then title, then path."""
    paths = matching_paths(view, parse(text, field_aliases(view.settings)))
    shown = view.index.shown(paths)
    people = [path for path, kind, *_ in shown if kind == PERSON]
    answers = view.answers_at(people) if people else {}  # (a scoped view would work out everyone's)
    out = []
    for path, kind, title, tags, date in shown:
        answer = answers.get(path) if kind == PERSON else None
        rule = answer.rule if answer is not None else None
        out.append(QueryRow(title, path, kind, json_strings(tags), dt.date.fromisoformat(date) if date else None,
                            rule.next if rule else None))
    out.sort(key=lambda row: (KIND_ORDER.get(row.kind, 9), row.title.casefold(), row.path))
    return out

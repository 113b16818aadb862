#!/usr/bin/env python3
"""A reproducible synthetic vault for benchmarks and tests.

N people (org, tier, tags, a paragraph of text), ten interactions each (one or two participants,
40-160 words, a follow-up task), and one org for every ten people. The same `--people` and `--seed`
give the same bytes: file contents depend only on the seed, never on the clock.

    python benchmarks/generate.py /tmp/vault --people 10000     # 10k people + 100k interactions + 1k orgs
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
from pathlib import Path

TODAY = dt.date(2026, 3, 15)  # interactions fall in the two years before this day
INTERACTIONS_PER_PERSON = 10
PEOPLE_PER_ORG = 10

FIRST = ("Ada Ben Carla Dan Eve Finn Gia Hal Ivy Jon Kai Lea Mo Nia Oto Pia Quin Rae Sam Tia Uma Vic Wes Xia "
         "Yan Zoe Amir Bea Cleo Dev Elif Femi Goran Hana Ines Jude Kofi Lina Milo Nora Omar Pam Raj Sofi Tomas "
         "Vera Yusuf Zara").split()
LAST = ("Smith Jones Okri Farah Mendes Brown Novak Silva Kim Tanaka Rossi Dubois Khan Adeyemi Larsen Costa "
        "Ivanova Moreau Haddad Schmidt Nakamura Oliveira Petrov Quist Reyes Sato Torres Ueda Varga Weber Xu "
        "Yilmaz Zhou Abara Bianchi Chen Diaz Eze Fischer Garcia").split()
ORG_WORDS = ("Acme Globex Initech Umbrella Stark Wayne Tyrell Cyberdyne Soylent Hooli Vandelay Wonka Aperture "
             "Gringotts Monarch Oscorp Pied Piper Prestige Sirius Veridian Zenith Apex Beacon Cobalt Delta "
             "Ember Fjord Granite Harbor").split()
ORG_SUFFIX = ("Corp", "Bank", "Partners", "Capital", "Group", "Holdings", "Labs", "Trust")
WORDS = ("the a we they agreed discussed budget review next quarter plan pricing mandate treasury team risk "
         "proposal deck outlook market rates deal pipeline intro coffee lunch call follow up timeline board "
         "approval vendor contract renewal scope data model workshop hiring expansion office strategy cash "
         "liquidity hedging fx exposure report draft numbers margin growth client partner referral event "
         "conference travel family holiday cycling running book podcast recommended shared concern about "
         "their with our for and to of in on by from after before during while").split()
TAGS = ("finance", "tech", "key-account", "board", "alumni", "cycling", "investor", "legal", "ops", "london")
KINDS = ("coffee", "lunch", "call", "call", "video", "meeting", "email", "dinner", "event", "intro")
RELATIONSHIPS = ("client", "prospect", "referrer", "peer", "mentor", "partner")
OWNERS = ("alice", "bob", "chen", "dara")

SETTINGS = """[vault]
name = "Synthetic benchmark vault"
timezone = "Europe/London"
default_cadence = "90d"

[tiers]
A = "30d"
B = "60d"
C = "120d"
"""


def words(rng: random.Random, n: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(n))
    return text[0].upper() + text[1:] + "."


def paragraph(rng: random.Random, low: int, high: int) -> str:
    """`low`-`high` words in sentences of 6-14 words."""
    total, sentences = rng.randint(low, high), []
    while total > 0:
        n = min(total, rng.randint(6, 14))
        sentences.append(words(rng, n))
        total -= n
    return " ".join(sentences)


def names(rng: random.Random, n: int, pool: tuple[list[str], list[str]], sep: str = " ") -> list[str]:
    """`n` distinct names; a number is appended once the combinations run out."""
    out: list[str] = []
    seen: set[str] = set()
    while len(out) < n:
        name = f"{rng.choice(pool[0])}{sep}{rng.choice(pool[1])}"
        if name in seen:
            name = f"{name} {len(out)}"
        seen.add(name)
        out.append(name)
    return out


def generate(root: Path, people: int, seed: int = 1) -> int:
    """Write the vault under `root` (created; existing files of the same names are overwritten).
    Returns the number of notes written."""
    rng = random.Random(seed)
    n_orgs = max(1, people // PEOPLE_PER_ORG)
    org_names = names(rng, n_orgs, (ORG_WORDS, list(ORG_SUFFIX)))
    person_names = names(rng, people, (FIRST, LAST))
    for folder in ("people", "orgs", "interactions"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    (root / ".reljournal.toml").write_text(SETTINGS, encoding="utf-8")
    count = 0

    for i, org in enumerate(org_names):
        tier = "ABC"[i % 3]
        due = TODAY + dt.timedelta(days=rng.randint(-60, 300))
        text = (f"---\ntype: org\ntier: {tier}\nkey_account: {'true' if tier == 'A' else 'false'}\n"
                f"owner: {rng.choice(OWNERS)}\nteam: [{rng.choice(OWNERS)}, {rng.choice(OWNERS)}]\n"
                f"revenue: {rng.randint(1, 500) * 1000}\nobjectives:\n"
                f"  - title: Grow the {org} relationship\n    measure: two new mandates\n"
                f"    due: {due.isoformat()}\n    status: open\n---\n# {org}\n\n{paragraph(rng, 30, 80)}\n")
        (root / "orgs" / f"{org}.md").write_text(text, encoding="utf-8")
        count += 1

    years: set[int] = set()
    for i, person in enumerate(person_names):
        org = org_names[i % n_orgs]
        tags = sorted(set(rng.sample(TAGS, rng.randint(1, 3))))
        lines = [
            "---", "type: person", f'org: "[[{org}]]"', f"role: {rng.choice(('CFO', 'CEO', 'Treasurer', 'Analyst'))}",
            f"relationship: {rng.choice(RELATIONSHIPS)}", f"tier: {rng.choice('AABBBCC')}",
            f"owner: {rng.choice(OWNERS)}", f"tags: [{', '.join(tags)}]",
        ]
        if rng.random() < 0.3:
            lines.append(f"birthday: {rng.randint(1950, 2000)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}")
        if rng.random() < 0.1:
            lines.append(f"next: {(TODAY + dt.timedelta(days=rng.randint(-20, 60))).isoformat()}")
        lines += ["---", f"# {person}", "", paragraph(rng, 30, 90), "", "## Log",
                  f"- {(TODAY - dt.timedelta(days=rng.randint(1, 400))).isoformat()} call: {words(rng, 6)}", ""]
        (root / "people" / f"{person}.md").write_text("\n".join(lines), encoding="utf-8")
        count += 1

        for k in range(INTERACTIONS_PER_PERSON):
            day = TODAY - dt.timedelta(days=rng.randint(0, 730))
            kind = rng.choice(KINDS)
            with_ = [person]
            if rng.random() < 0.3:
                other = person_names[rng.randrange(people)]
                if other != person:
                    with_.append(other)
            quoted = ", ".join(f'"[[{p}]]"' for p in with_)
            follow_up = (day + dt.timedelta(days=rng.randint(3, 30))).isoformat()
            text = (f"---\ntype: interaction\ndate: {day.isoformat()}\nwith: [{quoted}]\nkind: {kind}\n"
                    f"outcome: {words(rng, rng.randint(3, 8))}\n"
                    + (f"next: {follow_up}\nnext_action: {words(rng, 4)}\n" if rng.random() < 0.2 else "")
                    # a few meetings that did not happen (no draw from `rng`: the rest of the vault stays)
                    + ("status: cancelled\n" if (i + k) % 23 == 0 else "")
                    + f"---\n{paragraph(rng, 40, 160)}\n\n- [ ] {words(rng, 5)} [[{person}]] 📅 {follow_up}\n")
            year = root / "interactions" / str(day.year)
            if day.year not in years:
                year.mkdir(exist_ok=True)
                years.add(day.year)
            (year / f"{day.isoformat()} {kind.title()} with {person} {k}.md").write_text(text, encoding="utf-8")
            count += 1
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dir", type=Path, help="where to write the vault (created)")
    parser.add_argument("--people", type=int, default=1000, help="number of people (default 1000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = parser.parse_args(argv)
    if args.people < 1:
        parser.error("--people must be at least 1")
    count = generate(args.dir, args.people, args.seed)
    print(f"{count} notes in {os.fspath(args.dir)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

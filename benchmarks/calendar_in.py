#!/usr/bin/env python3
"""Calendar in at scale: a 3-year work calendar of 5,000 events (many of them recurring) imported into the
10,000-person vault of benchmarks/generate.py (111,000 notes), each step in its own process:

  (x) recurring-ical-events alone: parse the calendar (icalendar) and expand the same window
  (i) `reljournal import ics` the first time (every meeting with someone in the vault becomes a note)
  (k) `reljournal index` after it (the new notes read into the index, as the next command does)
  (j) `reljournal import ics` again, nothing new (nothing written)

Goals (issue 20): (i) <= 2 x (x), (j) <= 1.2 x (x). The vault is copied afresh (index included) before each
(i), so that every first import starts from the same state; the page cache is warm.

    python benchmarks/calendar_in.py                 # --repeat 3 by default
    python benchmarks/calendar_in.py --people 900    # a smaller vault, for a quick look
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import FIRST, LAST, TODAY, generate  # noqa: E402

FIRST_DAY = TODAY - dt.timedelta(days=730)  # the window: two years back, one ahead
LAST_DAY = TODAY + dt.timedelta(days=365)
ME = "me@bench.example"
SUMMARIES = ("Coffee", "Lunch", "Call", "Q{q} review", "Project sync", "Pipeline review", "Dinner", "Intro",
             "1:1", "Workshop", "Pricing call", "Board prep")
LONDON = """BEGIN:VTIMEZONE
TZID:Europe/London
BEGIN:DAYLIGHT
TZOFFSETFROM:+0000
TZOFFSETTO:+0100
TZNAME:BST
DTSTART:19700329T010000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0100
TZOFFSETTO:+0000
TZNAME:GMT
DTSTART:19701025T020000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE
"""

EXPAND = """
import datetime as dt, sys, icalendar, recurring_ical_events
data = open(sys.argv[1], 'rb').read()
calendar = icalendar.Calendar.from_ical(data)
found = recurring_ical_events.of(calendar).between(dt.date.fromisoformat(sys.argv[2]),
                                                    dt.date.fromisoformat(sys.argv[3]) + dt.timedelta(days=1))
print(len(found))
"""


def people_of(vault: Path) -> list[str]:
    return sorted(p.stem for p in (vault / "people").glob("*.md"))


def calendar(people: list[str], events: int = 5000, seed: int = 2) -> bytes:
    """A work calendar over the window: a third of the events recurring (weekly, fortnightly, monthly),
    one to four guests from the vault or strangers, and the usual noise (all-hands, declined, cancelled,
    all-day, free time, video links)."""
    rng = random.Random(seed)
    out = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//reljournal//benchmark//EN", "X-WR-CALNAME:" + ME,
           "X-WR-TIMEZONE:Europe/London", LONDON.strip()]
    span = (LAST_DAY - FIRST_DAY).days
    for n in range(events):
        day = FIRST_DAY + dt.timedelta(days=rng.randrange(span))
        start = dt.datetime.combine(day, dt.time(rng.randint(8, 18), rng.choice((0, 15, 30, 45))))
        end = start + dt.timedelta(minutes=rng.choice((30, 45, 60, 90)))
        summary = rng.choice(SUMMARIES).format(q=rng.randint(1, 4))
        lines = ["BEGIN:VEVENT", f"UID:bench-{n}@calendar.example", "DTSTAMP:20260301T000000Z",
                 f"SUMMARY:{summary}"]
        roll = rng.random()
        if roll < 0.03:  # out of office
            lines += [f"DTSTART;VALUE=DATE:{day:%Y%m%d}", f"DTEND;VALUE=DATE:{day + dt.timedelta(days=2):%Y%m%d}",
                      "TRANSP:TRANSPARENT", "END:VEVENT"]
            out += lines
            continue
        lines += [f"DTSTART;TZID=Europe/London:{start:%Y%m%dT%H%M%S}", f"DTEND;TZID=Europe/London:{end:%Y%m%dT%H%M%S}"]
        if roll < 0.06:  # focus time
            out += [*lines, "TRANSP:TRANSPARENT", "END:VEVENT"]
            continue
        if rng.random() < 0.33:
            rule = rng.choice(("FREQ=WEEKLY", "FREQ=WEEKLY;INTERVAL=2", "FREQ=MONTHLY"))
            lines.append(f"RRULE:{rule};COUNT={rng.randint(4, 26)}")
            if rng.random() < 0.2:
                skipped = start + dt.timedelta(weeks=1 if "WEEKLY" in rule else 5)
                lines.append(f"EXDATE;TZID=Europe/London:{skipped:%Y%m%dT%H%M%S}")
        if rng.random() < 0.02:
            lines.append("STATUS:CANCELLED")
        if rng.random() < 0.3:
            lines.append("DESCRIPTION:Join: https://zoom.us/j/" + str(rng.randrange(10**9, 10**10)))
        guests = rng.randint(1, 4) if rng.random() > 0.04 else 25
        lines.append(f"ORGANIZER;CN=Me:mailto:{ME}")
        lines.append(f"ATTENDEE;CN=Me;PARTSTAT={'DECLINED' if rng.random() < 0.03 else 'ACCEPTED'}:mailto:{ME}")
        for _ in range(guests):
            if rng.random() < 0.6:
                name = rng.choice(people)
            else:
                name = f"{rng.choice(FIRST)} {rng.choice(LAST)}x"  # a stranger
            lines.append(f"ATTENDEE;CN={name};PARTSTAT=ACCEPTED:mailto:{name.replace(' ', '.').lower()}@guest.example")
        out += [*lines, "END:VEVENT"]
    out.append("END:VCALENDAR")
    return ("\r\n".join(out) + "\r\n").encode()


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv[:4])}... failed ({done.returncode}): {done.stderr[-2000:]}")
    return elapsed, done.stdout.strip().splitlines()[-1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "reljournal-bench")
    args = parser.parse_args(argv)
    env = dict(os.environ, RELJOURNAL_TODAY=TODAY.isoformat(), NO_COLOR="1")
    env.pop("RELJOURNAL_VAULT", None)
    base = args.cache / f"calendar-vault-{args.people}"
    if not (base / ".reljournal" / "index.sqlite").is_file():
        shutil.rmtree(base, ignore_errors=True)
        generate(base, args.people)
        settings = base / ".reljournal.toml"
        settings.write_text(settings.read_text().replace("[vault]\n", f'[vault]\nme = ["{ME}"]\n', 1))
        subprocess.run(["reljournal", "--vault", str(base), "index"], check=True, env=env, capture_output=True)
    source = args.cache / f"calendar-{args.events}.ics"
    source.write_bytes(calendar(people_of(base), args.events))
    window = ["--since", FIRST_DAY.isoformat(), "--until", LAST_DAY.isoformat()]
    expand = [sys.executable, "-c", EXPAND, str(source), FIRST_DAY.isoformat(), LAST_DAY.isoformat()]
    rows: dict[str, list[float]] = {"x": [], "i": [], "k": [], "j": []}
    said: dict[str, str] = {}
    for _ in range(args.repeat):
        work = args.cache / "calendar-vault-work"
        shutil.rmtree(work, ignore_errors=True)
        shutil.copytree(base, work, symlinks=True)
        imports = ["reljournal", "--vault", str(work), "import", "ics", str(source), *window]
        index = ["reljournal", "--vault", str(work), "index"]
        for key, command in (("x", expand), ("i", imports), ("k", index), ("j", imports)):
            seconds, last = timed(command, env)
            rows[key].append(seconds)
            said[key] = last
    shutil.rmtree(args.cache / "calendar-vault-work", ignore_errors=True)
    x, i, k, j = (min(rows[key]) for key in "xikj")
    print(f"{os.cpu_count()} cores; {args.people} people ({len(list((base / 'interactions').rglob('*.md')))} "
          f"interactions) and {args.events} events from {FIRST_DAY} to {LAST_DAY}; fastest of {args.repeat}")
    print(f"(x) recurring-ical-events alone   {x:6.2f} s   ({said['x']} occurrences)")
    print(f"(i) first import                  {i:6.2f} s   {i / x:.2f} x (x)   goal <= 2   ({said['i']})")
    print(f"(k) index the new notes           {k:6.2f} s   ({said['k']})")
    print(f"(j) again, nothing new            {j:6.2f} s   {j / x:.2f} x (x)   goal <= 1.2 ({said['j']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

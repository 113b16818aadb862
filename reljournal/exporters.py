"""People out of the vault: vCard 4.0 (RFC 6350) for phone and mail contact apps.

vobject builds and serialises the cards (escaping, 75-octet folding, CRLF). Output is deterministic: the
people sorted by name, each card's properties in vobject's fixed order, and a UID derived from the note
(its `id:` when it has one, else its title) so that importing the file again updates rather than
duplicates in apps that honour UIDs. The note's body is not exported: it stays in the vault.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

import vobject  # type: ignore[import-untyped]

from reljournal.dates import Birthday
from reljournal.model import Person
from reljournal.names import printable
from reljournal.parse.links import link_text
from reljournal.queries import Filters, View, by_name

PRODID = "-//reljournal//vCard export//EN"
_UID_NAMESPACE = uuid.UUID("9c4f3f0e-5a59-4c55-9d4a-2f1b6f1f7e21")


def person_uid(person: Person) -> str:
    return f"urn:uuid:{uuid.uuid5(_UID_NAMESPACE, 'person:' + (person.id or person.title))}"


def bday_text(birthday: Birthday) -> str:
    """`19800412`, or `--0412` when the year is unknown (RFC 6350 section 6.2.5)."""
    month_day = f"{birthday.month:02d}{birthday.day:02d}"
    return f"{birthday.year:04d}{month_day}" if birthday.year else f"--{month_day}"


def split_name(title: str) -> tuple[str, str]:
    """(family, given) for N: the last word is taken as the family name, as most phone apps do when
    given a single name field. FN, which carries the name as written, is what apps show."""
    words = title.split()
    if len(words) < 2:
        return title, ""
    return words[-1], " ".join(words[:-1])


def person_card(view: View, person: Person) -> vobject.base.Component:
    card = vobject.vCard()
    card.add("version").value = "4.0"
    card.add("prodid").value = PRODID
    card.add("uid").value = person_uid(person)
    card.add("kind").value = "individual"
    card.add("fn").value = person.title
    family, given = split_name(person.title)
    card.add("n").value = vobject.vcard.Name(family=family, given=given)
    for alias in person.aliases:
        card.add("nickname").value = alias
    org = view.org_name(person)
    if org:
        card.add("org").value = [link_text(org)]
    if person.role:
        card.add("title").value = person.role
    for address in person.email:
        card.add("email").value = address
    if person.phone:
        card.add("tel").value = person.phone
    if person.birthday:
        card.add("bday").value = bday_text(person.birthday)
    if person.linkedin:
        card.add("url").value = person.linkedin
    if person.tags:
        card.add("categories").value = list(person.tags)
    return card


def vcards(view: View, people: Iterable[Person]) -> str:
    """The people as one vCard 4.0 stream (CRLF line ends), sorted by name then path; control characters from
    the notes left out (an escape sequence has no place in a contact, and would reach whatever shows it)."""
    ordered = sorted(people, key=by_name)
    return printable("".join(person_card(view, p).serialize() for p in ordered))


def export_people(view: View, filters: Filters) -> list[Person]:
    """Every person (active, dormant or archived) that the filters admit."""
    return [p for p in view.people if filters.admits_person(view, p)]

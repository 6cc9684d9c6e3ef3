"""The list-based rules, `given_name` and `city_name`: single capitalised words that are given names
(data/given_names.txt) and the names of cities of 100,000 people or more (data/city_names.txt), both written
by jobs/make_given_names.py (sources there), less everyday English words.

They are weaker than the model: where a model span overlaps one, the model's span and label stand
(`Policy.decide`), so "Paris" stays a city when the model says so. They add what the model missed: a name in
free prose with no cue word ("Lukas came by"), a city named without an address around it ("moved to Brno").
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib.resources import files
from typing import Iterator

import ahocorasick

from .lists import word_bounded

WORD_LIST_DIR = files("haremb_batch.detect").joinpath("data")  # the package's word lists
GIVEN_NAMES_FILE, CITY_NAMES_FILE = "given_names.txt", "city_names.txt"


def read_word_list(name: str) -> frozenset[str]:
    """The entries of one of the package's word lists: one per line; blank lines and `#` comments skipped."""
    text = WORD_LIST_DIR.joinpath(name).read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


WORD = re.compile(r"(?<!\w)[^\W\d_]+(?!\w)")  # a run of letters standing alone (not inside user_1 or a.b@c)


@lru_cache(maxsize=1)
def given_names() -> frozenset[str]:
    return read_word_list(GIVEN_NAMES_FILE)


def find_given_names(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each word written as a listed name ("Priya"), or in capitals inside a run of capitals
    ("HELLO JULIA, I'M JOE"; a lone "TIA" is an acronym). A word right before "=" is a key ("Mac=48-27-...")."""
    names = given_names()
    for match in WORD.finditer(text):
        word, end = match.group(), match.end()
        if end < len(text) and text[end] == "=":
            continue
        if word in names:
            yield match.span()
        elif word.isupper() and len(word) > 2 and word.title() in names and _capitals_around(text, *match.span()):
            yield match.span()


@lru_cache(maxsize=1)
def city_names() -> frozenset[str]:
    return read_word_list(CITY_NAMES_FILE)


@lru_cache(maxsize=1)
def _city_automaton() -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for name in city_names():
        automaton.add_word(name, len(name))
        automaton.add_word(name.upper(), len(name))  # an address block in capitals ("BRNO")
    automaton.make_automaton()
    return automaton


def find_city_names(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each listed city name written as listed ("Brno", "A Coruña") or in capitals inside a run
    of capitals, on word boundaries; the longest where names overlap ("Mexico City" over "Mexico"). A brand
    named after a city ("Toyota") is found too where the model saw nothing: allow-list it."""
    found = []
    for last, length in _city_automaton().iter(text):
        start, end = last - length + 1, last + 1
        if not word_bounded(text, start, end) or (end < len(text) and text[end] == "="):
            continue
        value = text[start:end]
        if value.isupper() and not (len(value) > 2 and _capitals_around(text, start, end)):
            continue
        found.append((start, end))
    cursor = 0
    for start, end in sorted(found, key=lambda s: (s[0], -s[1])):
        if start >= cursor:
            yield start, end
            cursor = end


def _capitals_around(text: str, start: int, end: int) -> bool:
    """Whether the word before or after text[start:end] (within 40 characters) is in capitals too: a run of
    capitals ("HELLO JULIA", an address block), not a lone acronym ("TIA")."""
    before = list(WORD.finditer(text, max(0, start - 40), start))
    after = WORD.search(text, end, min(len(text), end + 40))
    near = ([before[-1].group()] if before else []) + ([after.group()] if after else [])
    return any(len(w) > 1 and w.isupper() for w in near)

"""The list-based rules, `given_name`, `city_name` and `country_name`: single capitalised words that are given
names (data/given_names.txt), the names of cities of 100,000 people or more (data/city_names.txt), less
everyday English words, and countries on a line of their own (data/country_names.txt), all written by
jobs/make_given_names.py (sources there).

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
GIVEN_NAMES_FILE, CITY_NAMES_FILE, COUNTRY_NAMES_FILE = "given_names.txt", "city_names.txt", "country_names.txt"


def read_word_list(name: str) -> frozenset[str]:
    """The entries of one of the package's word lists: one per line; blank lines and `#` comments skipped."""
    text = WORD_LIST_DIR.joinpath(name).read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


WORD = re.compile(r"(?<!\w)[^\W\d_]+(?!\w)")  # a run of letters standing alone (not inside user_1 or a.b@c)
_JOINED_BEFORE = re.compile(r"(?<![\w-])(?:[^\W\d_][^\W\d_A-Z]+-)+\Z")  # "Marie-" before "Claire"
_JOINED_AFTER = re.compile(r"(?:-[^\W\d_][^\W\d_A-Z]+)+(?![\w-])")
# weekday and month abbreviations that are given names too: "Thu" (Vietnamese), "Jan", "Mar"; in lower case, dates
CALENDAR_ABBREVIATIONS = frozenset("Mon Tue Tues Wed Thu Thur Thurs Fri Sat Sun Jan Feb Mar Apr Jun Jul Aug Sep "
                                   "Sept Oct Nov Dec".split())
# a chat or transcript speaker at the start of a line, in any case: "emre: get a lawyer", "MARGIT: Ha, yes."
_SPEAKER = re.compile(r"[^\W\d_]+:[ \t]")
_LINE_START = re.compile(r"(?:^|\n)[ \t]*\Z")


@lru_cache(maxsize=1)
def given_names() -> frozenset[str]:
    return read_word_list(GIVEN_NAMES_FILE)


def find_given_names(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each word written as a listed name ("Priya"; with the names hyphenated to it:
    "Marie-Claire"), or in capitals inside a run of capitals
    ("HELLO JULIA, I'M JOE"; a lone "TIA" is an acronym), in any case as a speaker at the start of a line
    ("emre: get a lawyer"), or in lower case in text written in lower case ("ask priya"; is_cased). A word right
    before "=" is a key ("Mac=48-27-...")."""
    from .plausible import is_cased  # plausible.py reads its word list through this module

    names = given_names()
    lower_case_text, last_end = None, -1
    for match in WORD.finditer(text):
        word, end = match.group(), match.end()
        if end < len(text) and text[end] == "=":
            continue
        if word in names:
            span = _hyphenated(text, *match.span())
            if span[1] > last_end:  # "Marie-Claire" once, not once per listed part
                last_end = span[1]
                yield span
        elif word.title() not in names or len(word) < 3:
            continue
        elif word.isupper() and _capitals_around(text, *match.span()) or _speaker(text, match.start()):
            yield match.span()
        elif word.islower() and word.title() not in CALENDAR_ABBREVIATIONS and _standing_alone(text, *match.span()):
            if lower_case_text is None:
                lower_case_text = not is_cased(text)
            if lower_case_text:  # chat: "ask priya", "lukas said"; not "the asia-east1 outage", "mac=..."
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


@lru_cache(maxsize=1)
def country_names() -> frozenset[str]:
    return read_word_list(COUNTRY_NAMES_FILE)


@lru_cache(maxsize=1)
def _country_lookup() -> dict[str, str]:
    return {name.upper(): name for name in country_names()}


_LINE = re.compile(r"^[ \t]*(\S[^\n]{0,60}?)[ \t.,]*\r?$", re.M)
# a country after a comma, ending its clause: "..., Italy.", "..., DENMARK\n"
_COUNTRY_AFTER_COMMA = re.compile(r", ([A-Z][^\W\d_][\w .'’-]{0,40}?)(?=[ \t]*(?:[.;)!]|,|\r?$))", re.M)
# a postcode on the line above: four digits or more ("69003", "1061"), "90-006", "105 63", or a UK-style code
_POSTCODE_SHAPE = re.compile(r"(?<!\w)(?:\d{4,}|\d{2,3}[- ]\d{2,3}|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2})(?!\w)")


def find_country_lines(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each listed country written alone on its line, as listed or in capitals, under a line
    that holds a postcode (_POSTCODE_SHAPE): the last line of a postal address ("69003 LYON\nFRANCE"), not a
    signature ("Thanks\nJordan") or a recipe ("Christmas dinner for 12\nTurkey"); or after a comma that ends an
    address with a postcode on its line ("41123 Modena (MO), Italy."). A country in other running text is the
    model's. The second pass yields after the first: RuleSet.find sorts."""
    lookup = _country_lookup()
    for match in _LINE.finditer(text):
        value, start = match.group(1), match.start(1)
        name = lookup.get(value.upper())
        if name is None or not (value == name or value.isupper()):
            continue
        before = text.rfind("\n", 0, start)
        if before <= 0 or not _POSTCODE_SHAPE.search(text, max(text.rfind("\n", 0, before) + 1, before - 200), before):
            continue  # the text's first line, or under a line with no postcode ("Thanks\nJordan", "for 12\nTurkey")
        yield start, match.end(1)
    for match in _COUNTRY_AFTER_COMMA.finditer(text):
        value, start = match.group(1), match.start(1)
        name = lookup.get(value.upper())
        if name is None or not (value == name or value.isupper()):
            continue
        line_start = text.rfind("\n", max(0, start - 120), start) + 1
        if _POSTCODE_SHAPE.search(text, max(line_start, start - 120), start):
            yield start, match.end(1)  # "41123 Modena (MO), Italy.", "2200 Copenhagen, Denmark"


def _speaker(text: str, start: int) -> bool:
    """Whether the word at `start` opens its line (after blanks) and a colon follows it: "emre: ...", "  MARGIT:
    ..."."""
    return _SPEAKER.match(text, start) is not None and _LINE_START.search(text, max(0, start - 16), start) is not None


def _hyphenated(text: str, start: int, end: int) -> tuple[int, int]:
    """A listed name with the capitalised names it is joined to by hyphens: "Marie-Claire", "Jean-Luc",
    "Hans-Peter" (one name, so no hyphen between two spans is left visible)."""
    before = _JOINED_BEFORE.search(text, max(0, start - 60), start)
    after = _JOINED_AFTER.match(text, end)
    joined = (before.start() if before else start), (after.end() if after else end)
    return joined if all(part.istitle() for part in text[joined[0] : joined[1]].split("-")) else (start, end)


def _standing_alone(text: str, start: int, end: int) -> bool:
    """Whether a word has no joiner beside it: not part of "asia-east1", "john.doe", "@kasia", "kasia_99"."""
    before_ok = start == 0 or text[start - 1] not in "-._@/#"
    after_ok = end == len(text) or text[end] not in "-._@/#" or (
        text[end] == "." and not text[end + 1 : end + 2].isalnum())
    return before_ok and after_ok  # "call lukas." ends a sentence; "lukas.k" is a handle


def _capitals_around(text: str, start: int, end: int) -> bool:
    """Whether the word before or after text[start:end] (within 40 characters) is in capitals too: a run of
    capitals ("HELLO JULIA", an address block), not a lone acronym ("TIA")."""
    before = list(WORD.finditer(text, max(0, start - 40), start))
    after = WORD.search(text, end, min(len(text), end + 40))
    near = ([before[-1].group()] if before else []) + ([after.group()] if after else [])
    return any(len(w) > 1 and w.isupper() for w in near)

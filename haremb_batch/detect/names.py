"""The `given_name` rule: single capitalised words that are given names (data/given_names.txt, written by
jobs/make_given_names.py from Faker's person providers of 43 locales, less everyday English words).

It is the one list-based rule, and it is weaker than the model: where a model span overlaps it, the model's
span and label stand (`Policy.decide`), so "Paris" stays a city when the model says so. It adds what the model
missed: a name in free prose with no cue word ("Lukas came by").
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib.resources import files
from typing import Iterator

WORD = re.compile(r"(?<!\w)[^\W\d_]+(?!\w)")  # a run of letters standing alone (not inside user_1 or a.b@c)


@lru_cache(maxsize=1)
def given_names() -> frozenset[str]:
    text = files("haremb_batch.detect").joinpath("data/given_names.txt").read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def find_given_names(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each word written as a listed name ("Priya"), or in capitals inside a run of capitals
    ("HELLO JULIA, I'M JOE"; a lone "TIA" is an acronym). A word right before "=" is a key ("Mac=48-27-...")."""
    names = given_names()
    words = list(WORD.finditer(text))
    for i, match in enumerate(words):
        word, end = match.group(), match.end()
        if end < len(text) and text[end] == "=":
            continue
        if word in names:
            yield match.span()
        elif word.isupper() and len(word) > 2 and word.title() in names and _among_capitals(words, i):
            yield match.span()


def _among_capitals(words: list[re.Match], i: int) -> bool:
    return any(0 <= j < len(words) and len(words[j].group()) > 1 and words[j].group().isupper() for j in (i - 1, i + 1))

"""Model spans that cannot be what their label says (`detection.check_casing`).

In text written with ordinary capitals, names of people, places and companies are capitalised. The small model
still reads lower-case everyday words as names or places ("a spoonful" -> country, "switched" -> last name,
"damp cloth" -> street address), and pronouns as first names ("She"). Such a span is kept (listed in the
entity table with action `kept`), not redacted, when
- it is one of the words that are never a name by themselves: pronouns, articles, possessives ("She", "the"),
  unless written in capitals ("ME" is Maine, "US" a country), or
- its label is a name, place or company, it is written in lower case, every word of it is an everyday English
  word (data/everyday_words.txt: wamerican's lower-case entries, written by jobs/make_given_names.py), and the
  text around it is written with ordinary capitals: most of its sentences start with one.
Text in lower case throughout (chat, "hey john call me") keeps every such span redacted, and so does a
lower-case span that is not made of everyday words: user names ("kfranklin", "salvador.muro") are written in
lower case on purpose. Only spans the model alone found are checked; a rule or deny-list span never is.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib.resources import files

NAME_LABELS = frozenset({"first_name", "last_name", "city", "country", "state", "county", "company_name",
                         "street_address", "private_person", "private_address"})
NEVER_NAMES = frozenset("""
i me my mine you your yours he him his she her hers it its we us our ours they them their theirs
this that these those who whom whose what which a an the
""".split())
_SENTENCE_START = re.compile(r"(?:^|[.!?]\s+|\n\s*)[\"'(\[]*([^\W\d_])")
CASED_SHARE = 0.6  # share of sentence starts written with a capital for the text to count as cased
_WORDS = re.compile(r"[a-z]+(?:-[a-z]+)*")


@lru_cache(maxsize=1)
def everyday_words() -> frozenset[str]:
    text = files("haremb_batch.detect").joinpath("data/everyday_words.txt").read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def is_cased(text: str) -> bool:
    """Whether most sentences of `text` start with a capital letter (at least two sentence starts, or one
    capital start in a one-sentence text)."""
    starts = [m.group(1) for m in _SENTENCE_START.finditer(text)]
    if not starts:
        return False
    return sum(ch.isupper() for ch in starts) / len(starts) >= CASED_SHARE


def implausible(value: str, label: str, cased: bool) -> bool:
    """Whether a model span `value` labelled `label` cannot be that (see the module docstring)."""
    if label not in NAME_LABELS:
        return False
    word = value.strip()
    if word.lower() in NEVER_NAMES and not word.isupper():  # in capitals it may be a code: ME (Maine), US, IT
        return True
    if not cased:
        return False
    words = value.split()
    words_ok = all(_WORDS.fullmatch(w) and all(part in everyday_words() for part in w.split("-")) for w in words)
    return bool(words) and words_ok

"""Model spans that cannot be what their label says (`detection.check_casing`).

In text written with ordinary capitals, names of people, places and companies are capitalised. The small model
still reads lower-case everyday words as names or places ("a spoonful" -> country, "switched" -> last name,
"damp cloth" -> street address), and pronouns as first names ("She"). Such a span is kept (listed in the
entity table with action `kept`), not redacted, when
- it is one of the words that are never a name by themselves: pronouns, articles, possessives, written in
  lower case or as the first word of a sentence ("She said"; "ME" is Maine, "Kou Her" a name), or
- its label is a name, place or company, it is written in lower case, every word of it is an everyday English
  word that is no given name or surname (data/everyday_words.txt, written by jobs/make_given_names.py: "john",
  "smith", "rose" are not in it), and the text around it is written with ordinary capitals: most of its
  sentences start with one.
A span right beside another name, place or company span of the model ("john smith") is never kept.
Text in lower case throughout (chat, "hey john call me") keeps every such span redacted, and so does a
lower-case span that is not made of everyday words: user names ("kfranklin", "salvador.muro") are written in
lower case on purpose. Only spans the model alone found are checked; a rule or deny-list span never is.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .names import read_word_list

NAME_LABELS = frozenset({"first_name", "last_name", "city", "country", "state", "county", "company_name",
                         "street_address", "private_person", "private_address"})
# never a name by themselves, lower case or starting a sentence ("She said"); not "an", "mine" (An Jung-hoon,
# Mine Yilmaz); "Her" inside a sentence is a Hmong surname (Kou Her), so only a sentence's first word counts
NEVER_NAMES = frozenset("""
i me my you your yours he him his she her hers it its we us our ours they them their theirs
this that these those who whom whose what which a the
""".split())
# a sentence start: the text's start, after . ! ? and blanks, or after a line break; possessive groups keep it
# linear on long runs of blanks
_SENTENCE_START = re.compile(r"(?:^|[.!?](?>\s+)|(?<!\s)(?>\s*\n\s*))[\"'(\[]*([^\W\d_])")
_AT_SENTENCE_START = re.compile(r"(?:[.!?]|\n)[\"'(\[\s]*\Z")
CASED_SHARE = 0.6  # share of sentence starts written with a capital for the text to count as cased
EVERYDAY_WORDS_FILE = "everyday_words.txt"
_WORDS = re.compile(r"[a-z]+(?:-[a-z]+)*")


@lru_cache(maxsize=1)
def everyday_words() -> frozenset[str]:
    return read_word_list(EVERYDAY_WORDS_FILE)


def is_cased(text: str) -> bool:
    """Whether most sentences of `text` start with a capital letter (at least two sentence starts, or one
    capital start in a one-sentence text)."""
    starts = [m.group(1) for m in _SENTENCE_START.finditer(text)]
    if not starts:
        return False
    return sum(ch.isupper() for ch in starts) / len(starts) >= CASED_SHARE


def never_a_name(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is a pronoun or article written as one (see the module docstring)."""
    word = text[start:end].strip()
    # in capitals it may be a code: ME (Maine), US, IT
    return word.lower() in NEVER_NAMES and (word.islower() or (word.istitle() and _starts_sentence(text, start)))


def everyday_in_cased_text(value: str, cased: bool) -> bool:
    """Whether `value` is lower-case everyday words in cased text (see the module docstring)."""
    if not cased:
        return False
    words = value.split()
    words_ok = all(_WORDS.fullmatch(w) and all(part in everyday_words() for part in w.split("-")) for w in words)
    return bool(words) and words_ok


def _starts_sentence(text: str, start: int) -> bool:
    return not text[:start].strip() or _AT_SENTENCE_START.search(text, max(0, start - 8), start) is not None

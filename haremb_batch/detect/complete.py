"""Span completion (`detection.complete_spans`): the piece the model left out at the edge of a span it found.

A one-layer model often finds the street but not its house number ("Via dei Serragli [88]", "[17] Elm Grove"),
the date but not the weekday written before it ("[Thursday] 13 March"), the company but not the period of its
legal form ("Analytics Inc[.]"), the job but not the word that heads it ("[Senior] Data Engineer"). These
pieces belong to the value by how addresses, dates, company names and job titles are written, and a piece
left visible narrows down the person. So each of the model's spans grows over them. Completion only grows
spans the model found: it never makes a span where there was none, so text without PII gets no new span
from it. It runs before the merge with the rules (policy.py), so a piece another detector claims stays theirs.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from .merge import Candidate

ADDRESS_LABELS = frozenset({"street_address"})
DATE_LABELS = frozenset({"date", "date_time", "date_of_birth"})
OCCUPATION_LABELS = frozenset({"occupation"})

# a house number: digits with an optional letter ("221B", "12a"), or after "No"/"Nr" ("No:214", "Nr. 5")
_NUMBER_AFTER = re.compile(r" (?:(?:No|Nr|no|nr)[.:]? ?)?\d{1,5}[A-Za-z]?(?!\w)")
_NUMBER_BEFORE = re.compile(r"(?<!\w)\d{1,5}[A-Za-z]?(?:-\d{1,5}[A-Za-z]?)?,? \Z")
_WEEKDAYS = ("Monday Tuesday Wednesday Thursday Friday Saturday Sunday Mon Tue Tues Wed Thu Thur Thurs Fri Sat "
             "Sun").split()
# as written in dates, Title Case or capitals: "sat" and "wed" in lower case are verbs ("sat 12 March")
_WEEKDAY_BEFORE = re.compile(r"(?<!\w)(?:" + "|".join(_WEEKDAYS + [d.upper() for d in _WEEKDAYS]) + r")\.?,? \Z")
# words written with a period as abbreviations: legal forms, street types, months, "Co." (county, company)
ABBREVIATIONS = frozenset("""
Inc Ltd Lda Corp Co Bros Pvt Pty Plc Ltda Cia Cie Mfg Assn Intl
St Ave Av Rd Blvd Dr Ln Ct Pl Sq Hwy Pkwy Ter Cres Esq Apt Ste Fl Str Mt
Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec
""".split())
_LAST_WORD = re.compile(r"(?<![^\W\d_])[^\W\d_]{1,5}\Z")  # abbreviations are short: no long scan
# words that head a job title; a title-case word before a title-case occupation joins it too ("Software Engineer")
_FUNCTION_WORDS = frozenset("""
a an the our my your his her their its this that these those as is was are were be been being and or but of
for to at in on with by from into per via new former current acting we i you he she they who which
dear hi hello hey meet call ask contact email
""".split())
_WORD_BEFORE = re.compile(r"(?<![\w-])([^\W\d_][\w-]{0,30}) \Z")


def complete_spans(text: str, spans: list[Candidate], others: list[tuple[int, int]] = ()) -> list[Candidate]:
    """Each span grown over its missing edge pieces (see the module docstring). A span grows up to the
    edges of the spans beside it, of `spans` or of `others` (the rules' spans, so "San [Jose] Regional Manager"
    leaves "San Jose" to the city rule), never into them; a piece between two spans may join both (the merge
    then joins them)."""
    edges = [(c.start, c.end) for c in spans] + list(others)
    starts, ends = sorted(a for a, _ in edges), sorted(b for _, b in edges)
    out = []
    for c in spans:
        i, j = bisect_right(ends, c.start), bisect_left(starts, c.end)
        low, high = ends[i - 1] if i else 0, starts[j] if j < len(starts) else len(text)
        start, end = _grown(text, c, low, high)
        grown = (start, end) != (c.start, c.end)
        out.append(Candidate(start, end, c.label, c.detectors, c.model_score) if grown else c)
    return out


def _grown(text: str, c: Candidate, low: int, high: int) -> tuple[int, int]:
    start, end = c.start, c.end
    if c.label in ADDRESS_LABELS:
        after = _NUMBER_AFTER.match(text, end, high)
        if after:
            end = after.end()
        before = _NUMBER_BEFORE.search(text, max(low, start - 16), start)
        if before:
            start = before.start()
    if c.label in DATE_LABELS:
        before = _WEEKDAY_BEFORE.search(text, max(low, start - 16), start)
        if before:
            start = before.start()
    if c.label in OCCUPATION_LABELS:
        start = _job_head(text, start, end, low)
    if end < high and text[end] == ".":
        last = _LAST_WORD.search(text, max(start, end - 6), end)
        if last and last.group() in ABBREVIATIONS:
            end += 1
    return start, end


def _job_head(text: str, start: int, end: int, low: int) -> int:
    """One word before an occupation, written like the occupation's first word (Title Case before Title
    Case, lower case before lower case) and not a function word: "Senior" in "Senior Data Engineer"."""
    before = _WORD_BEFORE.search(text, max(low, start - 40), start)
    words = text[start:end].split()
    if not before or not words:
        return start
    word, first = before.group(1), words[0]
    if word.lower() in _FUNCTION_WORDS:
        return start
    title = word[0].isupper() and first[0].isupper() and not word.isupper()
    same_case = title or (word.islower() and first.islower())
    return before.start() if same_case else start

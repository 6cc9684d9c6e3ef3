"""From a per-token label path to character spans of the original text."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .labels import TAG_B, TAG_E, TAG_O, TAG_S, LabelSet


@dataclass(frozen=True, order=True)
class Span:
    """A detected entity: `text[start:end]` (code-point offsets, end exclusive)."""

    start: int
    end: int
    label: str
    score: float
    action: str = "redacted"  # or "kept": found, but below min_score or in a category not acted on


def token_spans(path: np.ndarray, labels: LabelSet) -> list[tuple[int, int, int]]:
    """(first token, last token + 1, category) for each entity in a label path.

    Lenient, so it also reads argmax paths: a span opens at B/S, at a category change or after E/S,
    and closes after E/S; I and E continue an open span of the same category.
    """
    spans: list[tuple[int, int, int]] = []
    open_start, open_cat = -1, -1
    tags, cats = labels.tags[path], labels.category_of[path]
    for t, (tag, cat) in enumerate(zip(tags.tolist(), cats.tolist())):
        if open_start >= 0 and (tag in (TAG_O, TAG_B, TAG_S) or cat != open_cat):
            spans.append((open_start, t, open_cat))
            open_start = -1
        if tag == TAG_O:
            continue
        if open_start < 0:
            open_start, open_cat = t, cat
        if tag in (TAG_E, TAG_S):
            spans.append((open_start, t + 1, open_cat))
            open_start = -1
    if open_start >= 0:
        spans.append((open_start, len(tags), open_cat))
    return spans


SEPARATORS = set(",;:=|/\\`")
PAIRS = {"(": ")", "[": "]", "{": "}", "<": ">"}
QUOTES = set("\"'")


def trim_edges(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop whitespace, separators and unpaired brackets or quotes from both ends of a span.

    o200k-style pre-tokenization glues one leading non-letter to a word (`,Daniel`, `=ghp_...`) and runs of
    punctuation together (`),`), so a token edge can carry a character that belongs to the surrounding text.
    A bracket or quote stays when the span also holds its partner: `(415) 555-0134` keeps its parenthesis.
    """
    while start < end:
        ch = text[start]
        if ch.isspace() or ch in SEPARATORS:
            start += 1
        elif ch in PAIRS and PAIRS[ch] not in text[start + 1 : end]:
            start += 1
        elif ch in QUOTES and ch not in text[start + 1 : end]:
            start += 1
        else:
            break
    while end > start:
        ch = text[end - 1]
        opener = next((o for o, c in PAIRS.items() if c == ch), None)
        if ch.isspace() or ch in SEPARATORS:
            end -= 1
        elif opener is not None and opener not in text[start : end - 1]:
            end -= 1
        elif ch in QUOTES and ch not in text[start : end - 1]:
            end -= 1
        else:
            break
    return start, end


def char_spans(
    text: str, offsets: np.ndarray, path: np.ndarray, logprobs: np.ndarray, labels: LabelSet
) -> list[Span]:
    """Map token spans to whitespace-trimmed character spans; score = mean probability of the chosen labels.

    offsets: (T, 2) code-point offsets per token. A byte-level token may share a character with its neighbour,
    so a span starts no earlier than where the previous one ended.
    """
    chosen = np.exp(logprobs[np.arange(len(path)), path].astype(np.float64))
    cumulative = np.concatenate([[0.0], np.cumsum(chosen)]).tolist()
    offsets = offsets.tolist()
    out: list[Span] = []
    floor = 0
    for first, stop, cat in token_spans(path, labels):
        start, end = max(offsets[first][0], floor), offsets[stop - 1][1]
        start, end = trim_edges(text, start, end)
        if end <= start:
            continue
        score = (cumulative[stop] - cumulative[first]) / (stop - first)
        out.append(Span(start, end, labels.categories[cat], score))
        floor = end
    return out


@lru_cache(maxsize=65536)  # characters at span edges; a bound, so a long-lived worker cannot grow it to all of Unicode
def is_word_char(ch: str) -> bool:
    """Letters, digits, combining marks (Devanagari vowel signs, accents) and `_`."""
    return ch == "_" or unicodedata.category(ch)[0] in "LNM"


def _in_word(text: str, left: int, right: int) -> bool:
    """Whether the boundary between text[left] and text[right] cuts a word."""
    return 0 <= left and right < len(text) and is_word_char(text[left]) and is_word_char(text[right])


def snap_to_words(text: str, spans: list[Span]) -> list[Span]:
    """Grow each span that starts or ends inside a word (letters, digits, combining marks, `_`) to the whole
    word, so no piece of it stays visible (`[PASSWORD]Ms`). Spans that then touch the same run merge; the higher score's label
    wins."""
    grown = []
    for span in sorted(spans):
        start, end = span.start, span.end
        while _in_word(text, start - 1, start):
            start -= 1
        while _in_word(text, end - 1, end):
            end += 1
        grown.append(span if (start, end) == (span.start, span.end) else Span(start, end, span.label, span.score, span.action))
    merged: list[Span] = []
    for span in grown:
        if merged and span.start < merged[-1].end:
            last = merged.pop()
            best = last if last.score >= span.score else span
            span = Span(last.start, max(last.end, span.end), best.label, max(last.score, span.score), best.action)
        merged.append(span)
    return merged

"""From a per-token label path to character spans of the original text."""

from __future__ import annotations

from dataclasses import dataclass

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
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end <= start:
            continue
        score = (cumulative[stop] - cumulative[first]) / (stop - first)
        out.append(Span(start, end, labels.categories[cat], score))
        floor = end
    return out

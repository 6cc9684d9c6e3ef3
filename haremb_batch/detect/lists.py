"""Deny and allow lists: user terms that are always redacted, or never.

- deny entries: `{text: ..., label: ...}` (case-sensitive, on word boundaries) or `{regex: ..., label: ...}`;
  text entries go into one Aho-Corasick automaton (pyahocorasick), so a list of 100,000 terms costs one pass.
- allow entries: `"exact text"` or `{regex: ...}`; a detected span whose text equals an entry, or that a regex
  matches in full, is kept.
Either list may be given inline or as a file / fsspec URL holding the same list (YAML or JSON).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import ahocorasick
import yaml

from ..engine.spans import is_word_char


class ListError(ValueError):
    """A deny or allow list entry is malformed; the message names the list and the entry."""


@dataclass(frozen=True)
class ListSpan:
    start: int
    end: int
    label: str


def load_entries(value, key: str, storage_options: dict | None = None) -> list:
    """The list itself: inline, or read from a file / fsspec URL (YAML or JSON: a list of entries)."""
    if isinstance(value, list):
        return value
    if not isinstance(value, str):
        raise ListError(f"{key}: expected a list of entries or a file / URL holding one, got {value!r}")
    import fsspec

    try:
        with fsspec.open(value, "rb", **(storage_options or {})) as f:
            loaded = yaml.safe_load(f.read())
    except FileNotFoundError as error:
        raise ListError(f"{key}: {value}: no such file") from error
    except Exception as error:  # noqa: BLE001 - unknown protocol, missing backend, storage or YAML error
        raise ListError(f"{key}: {value}: cannot read ({error.__class__.__name__}: {error})") from error
    if not isinstance(loaded, list):
        raise ListError(f"{key}: {value} must hold a list of entries")
    return loaded


def _compile(pattern, key: str) -> re.Pattern:
    if not isinstance(pattern, str) or not pattern:
        raise ListError(f"{key}: regex must be a non-empty string, got {pattern!r}")
    try:
        return re.compile(pattern)
    except re.error as error:
        raise ListError(f"{key}: regex {pattern!r} does not compile ({error})") from error


class DenyList:
    """Terms and patterns that are always redacted, with the label to give them."""

    def __init__(self, entries: list, categories, key: str = "detection.deny_list"):
        self.automaton, self.regexes, self.size = None, [], len(entries)
        terms: dict[str, str] = {}
        for i, entry in enumerate(entries):
            where = f"{key}[{i}]"
            if not isinstance(entry, dict) or set(entry) - {"text", "regex", "label"} or ("text" in entry) == ("regex" in entry):
                raise ListError(f"{where}: expected {{text: ..., label: ...}} or {{regex: ..., label: ...}}, got {entry!r}")
            label = entry.get("label")
            if not isinstance(label, str) or label not in categories:
                raise ListError(f"{where}: label {label!r} is not a category of the model")
            if "text" in entry:
                if not isinstance(entry["text"], str) or not entry["text"].strip():
                    raise ListError(f"{where}: text must be a non-empty string")
                terms[entry["text"]] = label
            else:
                self.regexes.append((_compile(entry["regex"], where), label))
        if terms:
            self.automaton = ahocorasick.Automaton()
            for term, label in terms.items():
                self.automaton.add_word(term, (len(term), label))
            self.automaton.make_automaton()

    def find(self, text: str | None) -> list[ListSpan]:
        """Every match, sorted; overlapping ones are left to the merge, which redacts their union."""
        if not text:
            return []
        found = []
        if self.automaton is not None:
            for last, (length, label) in self.automaton.iter(text):
                start, end = last - length + 1, last + 1
                if word_bounded(text, start, end):
                    found.append(ListSpan(start, end, label))
        for pattern, label in self.regexes:
            found += [ListSpan(m.start(), m.end(), label) for m in pattern.finditer(text) if m.end() > m.start()]
        return sorted(found, key=lambda s: (s.start, s.end))


def word_bounded(text: str, start: int, end: int) -> bool:
    """A term matches on word boundaries: it does not continue a word on either side."""
    before = start > 0 and is_word_char(text[start - 1]) and is_word_char(text[start])
    after = end < len(text) and is_word_char(text[end]) and is_word_char(text[end - 1])
    return not before and not after


class AllowList:
    """Texts that are never redacted: exact strings, or regexes that match a span's whole text."""

    def __init__(self, entries: list, key: str = "detection.allow_list"):
        self.exact, self.regexes, self.size = set(), [], len(entries)
        for i, entry in enumerate(entries):
            where = f"{key}[{i}]"
            if isinstance(entry, str) and entry:
                self.exact.add(entry)
            elif isinstance(entry, dict) and set(entry) == {"regex"}:
                self.regexes.append(_compile(entry["regex"], where))
            else:
                raise ListError(f"{where}: expected \"exact text\" or {{regex: ...}}, got {entry!r}")

    def allows(self, span_text: str) -> bool:
        return span_text in self.exact or any(p.fullmatch(span_text) for p in self.regexes)

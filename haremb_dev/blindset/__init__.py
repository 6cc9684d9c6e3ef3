"""Blind held-out set: a second synthetic labelled-data generator, independent of the training corpus.

Why it exists: a model scored on data from its own training generator is scored on that generator's habits
(its templates, its Faker vocabulary, its formats), and such scores overstate how it does on real text. This
package was written separately and before training, from the labelling conventions alone, with its own
templates (`styles.py`) and its own hand-written value lists (`values.py`: names from many cultures, national
address, phone and account-number formats, invented companies). It is a blind check: report its scores, but
never tune templates, thresholds or the model on it, or it stops being blind.

Independence rules: this package must not import `haremb_dev.corpus` (nor Faker); the tests check that.

Labelling conventions (fixed set `LABELS`): first and last name are separate spans and a multi-word surname
("van der Berg", "García Muñoz") is one span; titles ("Dr.", "Frau") are outside spans; street_address is the
street line with number and flat, city/postcode/state/country are their own spans; phone numbers include the
country code and extension; `age` is the number only; a company name includes its legal suffix ("Kft.");
the "@" before a social-media handle is outside the user_name span. Spans never start or end with
whitespace or surrounding punctuation.

Rows: `{"id", "text", "spans": [{"start", "end", "label"}], "style"}`, offsets in Python characters
(code points). `generate_blind(n, seed)` is deterministic: document i uses `random.Random(f"{seed}:{i}")`,
and there is no global random state and no clock.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from haremb_dev.blindset.context import Piece
from haremb_dev.blindset.styles import NO_PII_STYLE, STYLE_NAMES, styled_pieces

LABELS: frozenset[str] = frozenset({
    "first_name", "last_name", "street_address", "city", "state", "postcode", "country", "company_name",
    "phone_number", "email", "date", "date_time", "time", "date_of_birth", "age", "user_name", "url",
    "account_number", "occupation",
})

NO_PII_SHARE = 0.15  # documents with no PII at all, so that false positives are measured too

# Characters a span may not start or end with; "." is checked apart (a legal suffix may end with it: "Kft.")
_EDGE_PUNCT = ",;:!?\"“”()[]{}<>|*•·–—"


def assemble(pieces: list[Piece]) -> tuple[str, list[dict]]:
    """Concatenate pieces, recording each labelled piece's offsets as it is appended."""
    parts: list[str] = []
    spans: list[dict] = []
    pos = 0
    for text, label in pieces:
        if label is not None:
            spans.append({"start": pos, "end": pos + len(text), "label": label})
        parts.append(text)
        pos += len(text)
    return "".join(parts), spans


def check(text: str, spans: list[dict], pieces: list[Piece]) -> None:
    """Self-check: each span's text is the value inserted, labels are known, edges are clean, no overlaps."""
    values = [value for value, label in pieces if label is not None]
    assert len(values) == len(spans)
    previous_end = 0
    for span, value in zip(spans, values):
        start, end, label = span["start"], span["end"], span["label"]
        assert label in LABELS, label
        assert text[start:end] == value and value, (value, text[start:end])
        assert value == value.strip(), f"whitespace at a span edge: {value!r}"
        # a phone number may open with its area code in brackets: "(020) 7946 0958"
        assert value[0] not in _EDGE_PUNCT or (label == "phone_number" and value[0] == "("), value
        assert value[-1] not in _EDGE_PUNCT, f"punctuation edge: {value!r}"
        assert not (value.endswith(".") and label != "company_name"), f"trailing period: {value!r}"
        assert start >= previous_end, f"overlapping spans at {start}"
        previous_end = end


def make_document(rng: random.Random) -> tuple[str, list[Piece]]:
    style = NO_PII_STYLE if rng.random() < NO_PII_SHARE else rng.choice(STYLE_NAMES)
    return style, styled_pieces(rng, style)


def generate_blind(n: int, seed: int) -> Iterator[dict]:
    """`n` labelled documents; the same (n, seed) always gives the same rows."""
    for i in range(n):
        rng = random.Random(f"{seed}:{i}")  # per document: row i does not depend on how many come before it
        style, pieces = make_document(rng)
        text, spans = assemble(pieces)
        check(text, spans, pieces)
        yield {"id": f"blind-{seed}-{i:06d}", "text": text, "spans": spans, "style": style}


__all__ = ["LABELS", "NO_PII_SHARE", "generate_blind"]

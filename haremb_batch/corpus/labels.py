"""Gold character spans to per-token BIOES label ids, through the tokenizer's offsets."""

from __future__ import annotations

import numpy as np


def token_labels(offsets: np.ndarray, spans: list[dict], label2id: dict[str, int]) -> np.ndarray:
    """Label id per token: B/I/E (or S for one token) over the tokens overlapping each span, O elsewhere.

    offsets: (T, 2) code-point offsets. A token overlaps [start, end) when it starts before `end` and ends after
    `start`; a token's leading space does not matter.
    """
    labels = np.full(len(offsets), label2id["O"], dtype=np.int64)
    if not len(offsets):
        return labels
    starts, ends = offsets[:, 0], offsets[:, 1]
    for span in spans:
        hit = np.flatnonzero((starts < span["end"]) & (ends > span["start"]))
        if not len(hit):
            continue
        first, last = hit[0], hit[-1]
        category = span["label"]
        if first == last:
            labels[first] = label2id[f"S-{category}"]
            continue
        labels[first] = label2id[f"B-{category}"]
        labels[first + 1 : last] = label2id[f"I-{category}"]
        labels[last] = label2id[f"E-{category}"]
    return labels

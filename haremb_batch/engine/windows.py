"""Cut token sequences into overlapping windows, pack them into batches, and stitch their outputs back."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Window:
    doc: int  # index of the document in the request
    start: int  # first token (inclusive) in the document
    end: int  # last token (exclusive)
    keep_start: int  # the tokens [keep_start, keep_end) take their outputs from this window
    keep_end: int

    @property
    def length(self) -> int:
        return self.end - self.start


def plan_windows(doc: int, n_tokens: int, max_tokens: int, overlap_tokens: int) -> list[Window]:
    """Full windows of `max_tokens`, neighbours sharing at least `overlap_tokens`, spread evenly from the
    first token to the last.

    Each token is kept from the window where it sits farthest from a cut edge: the cut between neighbours is
    the middle of their overlap, so a kept token has at least overlap/2 tokens of context on each side that
    is not a document edge.
    """
    if n_tokens <= max_tokens:
        return [Window(doc, 0, n_tokens, 0, n_tokens)]
    stride = max_tokens - overlap_tokens
    n_windows = -(-(n_tokens - max_tokens) // stride) + 1
    starts = [round(i * (n_tokens - max_tokens) / (n_windows - 1)) for i in range(n_windows)]
    windows = []
    for i, start in enumerate(starts):
        end = start + max_tokens
        keep_start = 0 if i == 0 else (start + windows[-1].end) // 2
        keep_end = n_tokens if i == len(starts) - 1 else (starts[i + 1] + end) // 2
        windows.append(Window(doc, start, end, keep_start, keep_end))
    return windows


def pack_windows(windows: list[Window], batch_tokens: int) -> list[list[Window]]:
    """Group windows into batches of at most `batch_tokens` tokens (a window longer than that goes alone).

    The engine runs a batch as one flat token stream, so packing needs no padding; windows are kept in
    document order so a batch holds whole documents where possible.
    """
    batches: list[list[Window]] = []
    current: list[Window] = []
    size = 0
    for w in windows:
        if current and size + w.length > batch_tokens:
            batches.append(current)
            current, size = [], 0
        current.append(w)
        size += w.length
    if current:
        batches.append(current)
    return batches


def flatten_batch(windows: list[Window], token_ids: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One flat stream for a batch: token ids, positions within each window, and a window index per token."""
    ids = np.concatenate([token_ids[w.doc][w.start : w.end] for w in windows])
    positions = np.concatenate([np.arange(w.length) for w in windows])
    segments = np.repeat(np.arange(len(windows)), [w.length for w in windows])
    return ids, positions, segments


def stitch_window(target: np.ndarray, window: Window, window_logprobs: np.ndarray) -> None:
    """Copy the kept part of one window's (length, L) outputs into the document's (T, L) array."""
    lo, hi = window.keep_start - window.start, window.keep_end - window.start
    target[window.keep_start : window.keep_end] = window_logprobs[lo:hi]

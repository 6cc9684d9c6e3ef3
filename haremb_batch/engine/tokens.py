"""Tokenized documents: ids and code-point offsets, from one tokenizer call per batch. Numpy only, no torch."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np


@dataclass
class Encoded:
    """A tokenized document: ids (T,) and code-point offsets (T, 2) into its text."""

    ids: np.ndarray
    offsets: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)


def encode_texts(tokenizer, texts: Sequence[str | None]) -> list[Encoded]:
    """No special tokens; None and empty texts give empty documents."""
    present = [t for t in texts if t]
    batch = {"input_ids": [], "offset_mapping": []}
    if present:
        batch = tokenizer(present, add_special_tokens=False, return_offsets_mapping=True, return_attention_mask=False)
    pairs = iter(zip(batch["input_ids"], batch["offset_mapping"]))
    out = []
    for text in texts:
        if text:
            ids, offsets = next(pairs)
            out.append(Encoded(np.asarray(ids, dtype=np.int64), np.asarray(offsets, dtype=np.int64).reshape(-1, 2)))
        else:
            out.append(Encoded(np.zeros(0, dtype=np.int64), np.zeros((0, 2), dtype=np.int64)))
    return out

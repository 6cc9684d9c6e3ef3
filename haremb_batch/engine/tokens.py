"""Tokenized documents: ids and code-point offsets, from one tokenizer call per batch. Numpy only, no torch."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
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
    """No special tokens; None and empty texts give empty documents. tokenizer: a transformers fast tokenizer,
    or the `tokenizers.Tokenizer` of load_tokenizer (the same ids and offsets)."""
    present = [t for t in texts if t]
    batch = {"input_ids": [], "offset_mapping": []}
    if present and not callable(tokenizer):  # tokenizers.Tokenizer: what transformers' __call__ runs underneath
        encodings = tokenizer.encode_batch(present, add_special_tokens=False)
        batch = {"input_ids": [e.ids for e in encodings], "offset_mapping": [e.offsets for e in encodings]}
    elif present:
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


# tokenizer_config.json keys that leave a TokenizersBackend's tokenizer.json as it is (the special tokens they
# name must already be in the file: see plain_tokenizer)
_PLAIN_CONFIG_KEYS = frozenset({"backend", "tokenizer_class", "model_max_length", "bos_token", "eos_token",
                                "pad_token", "unk_token"})
_SPECIAL_TOKEN_KEYS = ("bos_token", "eos_token", "pad_token", "unk_token")
# older files that transformers still reads beside tokenizer_config.json: their tokens override the config's
# special tokens or are added to the tokenizer, so the text splits on them
_LEGACY_TOKEN_FILES = ("special_tokens_map.json", "added_tokens.json")


def plain_tokenizer(folder: Path):
    """The checkpoint's tokenizer.json as a `tokenizers.Tokenizer` when transformers would use the file
    unchanged, else None.

    That is a tokenizer saved as transformers' generic `TokenizersBackend`, whose tokenizer_config.json sets
    nothing but its special tokens (already among the file's special added tokens) and limits, with no older
    special_tokens_map.json or added_tokens.json beside it (transformers adds their tokens), and whose file
    has a post-processor and no truncation or padding (transformers would install or reset those). Its Mistral
    regex fix changes the pre-tokenizer only when asked for (`fix_mistral_regex=True`), which this project
    never does. tests/test_tokens.py checks the ids and offsets against AutoTokenizer's."""
    path, config_path = folder / "tokenizer.json", folder / "tokenizer_config.json"
    if any((folder / name).exists() for name in _LEGACY_TOKEN_FILES):
        return None
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(config, dict) or config.get("tokenizer_class") != "TokenizersBackend" \
            or not set(config) <= _PLAIN_CONFIG_KEYS or not path.is_file():
        return None
    from tokenizers import Tokenizer

    try:
        tokenizer = Tokenizer.from_file(str(path))
    except Exception:  # noqa: BLE001 - a file `tokenizers` cannot read: AutoTokenizer says why
        return None
    special = {t.content for t in tokenizer.get_added_tokens_decoder().values() if t.special}
    named = [config[k] for k in _SPECIAL_TOKEN_KEYS if config.get(k) is not None]
    if not all(isinstance(t, str) and t in special for t in named):
        return None
    if tokenizer.post_processor is None or tokenizer.truncation is not None or tokenizer.padding is not None:
        return None
    return tokenizer


def load_tokenizer(folder: Path):
    """The checkpoint's tokenizer for encode_texts, read by `tokenizers` alone where transformers would not
    change it (plain_tokenizer: ~0.02 s for the embedded model's), else transformers' AutoTokenizer: importing
    transformers and its AutoTokenizer takes ~1.7 CPU seconds in every process that tokenizes."""
    plain = plain_tokenizer(folder)
    if plain is not None:
        return plain
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(folder)

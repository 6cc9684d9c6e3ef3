"""A small byte-level BPE tokenizer with o200k_base's pre-tokenization, trained from text.

The shipped default model uses one of these (a 200k-row o200k embedding alone would break the size budget);
tests use one to build checkpoints. Byte-level means no text is ever unknown.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Iterable

# o200k_base's split pattern: words with their leading space/punctuation, digits in groups of 1-3
O200K_PATTERN = "|".join([
    r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
    r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
    r"\p{N}{1,3}",
    r" ?[^\s\p{L}\p{N}]+[\r\n/]*",
    r"\s*[\r\n]+",
    r"\s+(?!\S)",
    r"\s+",
])
PAD_TOKEN = "<|endoftext|>"


def latin_letters() -> list[str]:
    """Every letter of Latin-1, Latin Extended-A/B and Latin Extended Additional (Vietnamese): a byte-level BPE
    only merges the two or three UTF-8 bytes of `Ł` or `ễ` into one token when it sees them often enough."""
    ranges = [(0x00C0, 0x0250), (0x1E00, 0x1F00)]
    return [chr(c) for lo, hi in ranges for c in range(lo, hi) if chr(c).isalpha()]


def train_bpe_tokenizer(texts: Iterable[str], vocab_size: int, cover_latin: bool = False):
    """A fast tokenizer (transformers) trained on `texts`; id 0 is the pad/eos token. cover_latin: also learn one
    token per accented Latin letter (latin_letters), so no name from a European locale falls apart into bytes."""
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(O200K_PATTERN), behavior="isolated"),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
    ])
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=[PAD_TOKEN],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    if cover_latin:
        # each letter alone and after a space (a word's first letter carries the space in o200k's pattern)
        letters = "\n".join(latin_letters() + [" " + c for c in latin_letters()])
        texts = itertools.chain(texts, [letters] * 64)
    tokenizer.train_from_iterator(texts, trainer=trainer)
    return PreTrainedTokenizerFast(tokenizer_object=tokenizer, pad_token=PAD_TOKEN, eos_token=PAD_TOKEN)


def save_tokenizer(tokenizer, folder: str | Path) -> None:
    tokenizer.save_pretrained(str(folder))

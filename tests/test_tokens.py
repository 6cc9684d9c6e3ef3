"""The job's tokenize stage loads a plain tokenizer.json with `tokenizers` instead of transformers
(haremb_batch/engine/tokens.py: load_tokenizer): the ids and offsets must be AutoTokenizer's, which the
engine is checked against."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from transformers import AutoTokenizer

from haremb_batch.engine.tokens import encode_texts, load_tokenizer, plain_tokenizer

DEFAULT_MODEL = Path(__file__).resolve().parent.parent / "haremb_batch" / "default_model"

EXTRA_TEXTS = [
    "Ends with the special token <|endoftext|> and goes on <|endoftext|>",
    "   leading spaces, trailing tabs\t\t",
    "\n\n\n",
    "Kriszti\u00e1n Szab\u00f3, \u0141\u00f3d\u017a, \u00c9mile Z\u00f6llner \u2014 \u201cquoted\u201d \u2026",
    "ALL CAPS ADDRESS BLOCK\r\n221B BAKER ST\r\nLONDON NW1 6XE",
    "long " * 3000,
]


def _same_encodings(folder: Path, texts: list[str]) -> None:
    plain = load_tokenizer(folder)
    assert not callable(plain), "expected the tokenizers.Tokenizer fast path"
    reference = AutoTokenizer.from_pretrained(folder)
    for a, b in zip(encode_texts(plain, texts), encode_texts(reference, texts), strict=True):
        np.testing.assert_array_equal(a.ids, b.ids)
        np.testing.assert_array_equal(a.offsets, b.offsets)


def test_plain_tokenizer_matches_autotokenizer_on_a_test_checkpoint(checkpoint_1layer, documents):
    assert plain_tokenizer(Path(checkpoint_1layer)) is not None
    _same_encodings(Path(checkpoint_1layer), documents + EXTRA_TEXTS + [None, ""])


def test_plain_tokenizer_matches_autotokenizer_on_the_embedded_model(documents):
    assert plain_tokenizer(DEFAULT_MODEL) is not None
    _same_encodings(DEFAULT_MODEL, documents + EXTRA_TEXTS)


@pytest.mark.parametrize("change", ["extra_key", "unknown_special_token", "other_class", "no_post_processor",
                                    "truncation", "special_tokens_map", "added_tokens_file"])
def test_tokenizers_transformers_would_change_go_through_autotokenizer(checkpoint_1layer, tmp_path, change):
    folder = tmp_path / "ckpt"
    shutil.copytree(checkpoint_1layer, folder)
    config_path, spec_path = folder / "tokenizer_config.json", folder / "tokenizer.json"
    config, spec = json.loads(config_path.read_text()), json.loads(spec_path.read_text())
    if change == "extra_key":
        config["add_prefix_space"] = True
    elif change == "unknown_special_token":
        config["bos_token"] = "<|not-in-the-file|>"
    elif change == "other_class":
        config["tokenizer_class"] = "GPT2Tokenizer"
    elif change == "no_post_processor":
        spec["post_processor"] = None
    elif change == "truncation":
        spec["truncation"] = {"direction": "Right", "max_length": 8, "strategy": "LongestFirst", "stride": 0}
    elif change == "special_tokens_map":  # an older save's file: transformers adds "[MASK]" as a special token
        (folder / "special_tokens_map.json").write_text(json.dumps({"mask_token": "[MASK]"}))
    else:
        (folder / "added_tokens.json").write_text(json.dumps({"<|secret|>": len(spec["model"]["vocab"]) + 10}))
    config_path.write_text(json.dumps(config))
    spec_path.write_text(json.dumps(spec))
    assert plain_tokenizer(folder) is None
    loaded = load_tokenizer(folder)
    assert callable(loaded)  # transformers' tokenizer
    if change in ("special_tokens_map", "added_tokens_file"):  # the reason for the fallback: the text splits there
        text = "Contact [MASK] at <|secret|> now"
        raw = load_tokenizer(Path(checkpoint_1layer))
        assert encode_texts(loaded, [text])[0].ids.tolist() != encode_texts(raw, [text])[0].ids.tolist()


def test_a_large_vocabulary_is_read_by_tokenizers_too(checkpoint_1layer, tmp_path, documents):
    """o200k-sized vocabularies (openai/privacy-filter): transformers leaves them as they are as well."""
    folder = tmp_path / "ckpt"
    shutil.copytree(checkpoint_1layer, folder)
    spec_path = folder / "tokenizer.json"
    spec = json.loads(spec_path.read_text())
    vocab = spec["model"]["vocab"]
    first = max(vocab.values()) + 1 + len(spec["added_tokens"])
    vocab.update({f"unused{i}": first + i for i in range(200_000)})
    spec_path.write_text(json.dumps(spec))
    _same_encodings(folder, documents + EXTRA_TEXTS)

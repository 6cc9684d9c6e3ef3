"""`Detector`: texts in, character spans out. Tokenize, cut windows, forward, stitch, decode."""

from __future__ import annotations

import dataclasses
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import Sequence

import numpy as np
import torch

from .options import ChunkingConfig, ConfigError, DecodingConfig, ModelConfig, build_section
from .checkpoint import Checkpoint, CheckpointError, checkpoint_biases, expected_weight_names, load_checkpoint
from .labels import LabelSet
from .modeling import ModelShape, PrivacyFilterEngine
from .spans import Span, char_spans, snap_to_words
from .tokens import Encoded, encode_texts
from .viterbi import TransitionBiases, viterbi_decode
from .windows import Window, flatten_batch, pack_windows, plan_windows, stitch_window

GROUP_WINDOWS = 8  # documents are decoded in groups of about this many batches' tokens, bounding memory


@lru_cache(maxsize=1)
def cpu_has_fast_bf16() -> bool:
    """AMX or AVX512-BF16: where bf16 matmuls beat fp32 on CPU. Elsewhere bf16 is emulated and slower."""
    try:
        with open("/proc/cpuinfo") as f:
            flags = next((line for line in f if line.startswith("flags")), "").split()
    except OSError:
        return False
    return "amx_bf16" in flags or "avx512_bf16" in flags


def resolve_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def resolve_dtype(name: str, device: torch.device) -> torch.dtype:
    if name == "float32":
        return torch.float32
    if name == "bfloat16":
        return torch.bfloat16
    if device.type == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float32
    return torch.bfloat16 if cpu_has_fast_bf16() else torch.float32


def check_texts(texts: Sequence) -> None:
    if isinstance(texts, (str, bytes)) or not isinstance(texts, Sequence):
        raise TypeError(f"texts must be a list of strings, got {type(texts).__name__}")
    for i, text in enumerate(texts):
        if text is not None and not isinstance(text, str):
            raise TypeError(f"texts[{i}] is {type(text).__name__}, expected str or None")


class Detector:
    """Finds PII spans with a privacy-filter checkpoint. Build it with `Detector.load`."""

    def __init__(self, checkpoint: Checkpoint, model: ModelConfig, chunking: ChunkingConfig,
                 decoding: DecodingConfig, batch_tokens: int | None = None):
        self.checkpoint, self.model_config, self.chunking, self.decoding = checkpoint, model, chunking, decoding
        self.tokenizer = checkpoint.tokenizer
        self.labels = LabelSet.from_id2label(checkpoint.config.id2label)
        self.device = resolve_device(model.device)
        self.dtype = resolve_dtype(model.dtype, self.device)
        self.engine = _build_engine(checkpoint, self.dtype, self.device, model.experts_per_token)
        self.batch_tokens = batch_tokens or (65536 if self.device.type == "cuda" else 4096)
        self.batch_tokens = max(self.batch_tokens, chunking.max_tokens)
        self.biases = self._resolve_biases(decoding.biases)
        self.act_on = self._resolve_categories(decoding.labels)
        self.min_score = self._resolve_min_score(decoding.min_score)
        # decoding beside the next forward pays where the forward runs on a device and the host waits for it;
        # on CPU the two compete for the same cores (the embedded model: 5% slower, BENCHMARKS.md)
        self.overlap_decode = self.device.type != "cpu"
        self._decode_pool: ThreadPoolExecutor | None = None

    @classmethod
    def load(cls, model: str | None = None, **options) -> "Detector":
        """Options: the model.*, chunking.* and decoding.* keys without prefix, and batch_tokens."""
        sections: dict[str, dict] = {"model": {"path": model}, "chunking": {}, "decoding": {}}
        owner = {f.name: s for s, c in (("model", ModelConfig), ("chunking", ChunkingConfig), ("decoding", DecodingConfig))
                 for f in dataclasses.fields(c)}
        batch_tokens = options.pop("batch_tokens", None)
        for key, value in options.items():
            if key not in owner or key == "path":
                raise TypeError(f"Detector.load() got an unknown option {key!r} (known: {', '.join(sorted(set(owner) - {'path'}))})")
            sections[owner[key]][key] = value
        model_cfg = build_section(ModelConfig, sections["model"], "model.")
        chunking = build_section(ChunkingConfig, sections["chunking"], "chunking.")
        decoding = build_section(DecodingConfig, sections["decoding"], "decoding.")
        return cls(load_checkpoint(model_cfg.path), model_cfg, chunking, decoding, batch_tokens)

    # -- configuration against the checkpoint -------------------------------------------------------------

    def _resolve_biases(self, biases) -> TransitionBiases:
        """`zeros`; `checkpoint` or `checkpoint:<name>` (an operating point: see `checkpoint_biases`); or a map."""
        if biases == "zeros":
            return TransitionBiases()
        if isinstance(biases, str) and biases.startswith("checkpoint"):
            return TransitionBiases.from_mapping(checkpoint_biases(self.checkpoint.operating_points, biases, self.checkpoint.folder))
        try:
            return TransitionBiases.from_mapping(biases)
        except (ValueError, TypeError) as error:
            raise ConfigError(f"decoding.biases: {error}") from error

    def _resolve_categories(self, labels) -> set[str]:
        if labels == "all":
            return set(self.labels.categories)
        unknown = sorted(set(labels) - set(self.labels.categories))
        if unknown:
            raise ConfigError(f"decoding.labels: {unknown[0]!r} is not a category of this model")
        return set(labels)

    def _resolve_min_score(self, min_score) -> dict[str, float]:
        if not isinstance(min_score, dict):
            return {c: float(min_score) for c in self.labels.categories}
        unknown = sorted(set(min_score) - set(self.labels.categories))
        if unknown:
            raise ConfigError(f"decoding.min_score: {unknown[0]!r} is not a category of this model")
        return {c: float(min_score.get(c, 0.0)) for c in self.labels.categories}

    # -- the steps ------------------------------------------------------------------------------------------

    def tokenize(self, texts: Sequence[str | None]) -> list[Encoded]:
        check_texts(texts)
        return encode_texts(self.tokenizer, texts)

    def infer(self, encoded: Sequence[Encoded]) -> list[np.ndarray]:
        """Per document (T, L) log-probabilities, each token's from the window where it sits farthest from a cut."""
        L = len(self.labels.names)
        out = [np.empty((len(e), L), dtype=np.float32) for e in encoded]
        windows: list[Window] = []
        for doc, e in enumerate(encoded):
            if len(e):
                windows += plan_windows(doc, len(e), self.chunking.max_tokens, self.chunking.overlap_tokens)
        token_ids = [e.ids for e in encoded]
        for batch in pack_windows(windows, self.batch_tokens):
            ids, positions, segments = flatten_batch(batch, token_ids)
            logprobs = self.engine.forward(torch.from_numpy(ids), torch.from_numpy(positions), torch.from_numpy(segments))
            logprobs = logprobs.cpu().numpy()
            start = 0
            for w in batch:
                stitch_window(out[w.doc], w, logprobs[start : start + w.length])
                start += w.length
        return out

    def decode(self, texts: Sequence[str | None], encoded: Sequence[Encoded], logprobs: Sequence[np.ndarray],
               biases: TransitionBiases | None = None) -> list[list[Span]]:
        """All spans, each with action `redacted` or `kept` (below min_score, or a category not acted on).
        `biases` overrides the detector's, so jobs/calibrate.py re-decodes one forward pass under many."""
        if self.decoding.mode == "viterbi":
            paths = viterbi_decode(list(logprobs), self.labels, self.biases if biases is None else biases)
        else:
            paths = [lp.argmax(axis=1) if len(lp) else np.zeros(0, dtype=np.int64) for lp in logprobs]
        results = []
        for text, e, lp, path in zip(texts, encoded, logprobs, paths):
            spans = char_spans(text, e.offsets, path, lp, self.labels) if len(e) else []
            if self.decoding.snap_to_words:
                spans = snap_to_words(text, spans)
            results.append([s if self._acts_on(s) else dataclasses.replace(s, action="kept") for s in spans])
        return results

    def _acts_on(self, span: Span) -> bool:
        return span.label in self.act_on and span.score >= self.min_score[span.label]

    def detect(self, texts: Sequence[str | None], include_kept: bool = False) -> list[list[Span]]:
        """Spans to redact per text (with include_kept, also the spans listed as `kept`)."""
        check_texts(texts)
        results: list[list[Span]] = []
        for group in self._groups(texts):
            spans = self.detect_encoded(group, self.tokenize(group))
            results += [s if include_kept else [x for x in s if x.action == "redacted"] for s in spans]
        return results

    def detect_encoded(self, texts: Sequence[str | None], encoded: Sequence[Encoded]) -> list[list[Span]]:
        """All spans (each with its action) of already tokenized texts. Documents run in groups of similar
        length and bounded tokens, so the log-probs held at once and Viterbi's padding (each document of a
        group is padded to the group's longest) stay bounded however the batch mixes lengths."""
        results: list[list[Span]] = [[] for _ in texts]

        def keep(group: list[int], spans: list[list[Span]]) -> None:
            for i, doc_spans in zip(group, spans):
                results[i] = doc_spans

        # with overlap_decode, a group is decoded (Viterbi and span mapping, on the host) in a thread while the
        # next one runs its forward: two groups' log-probs are held at once, and Viterbi's padded copy of one
        pending = None
        for group in length_groups([len(e) for e in encoded], GROUP_WINDOWS * self.batch_tokens):
            group_encoded, group_texts = [encoded[i] for i in group], [texts[i] for i in group]
            if not self.overlap_decode:  # the log-probs are freed before the next group's forward
                keep(group, self.decode(group_texts, group_encoded, self.infer(group_encoded)))
                continue
            logprobs = self.infer(group_encoded)
            if pending is not None:
                keep(pending[0], pending[1].result())
            pending = (group, self._decoder().submit(self.decode, group_texts, group_encoded, logprobs))
            del logprobs  # the thread holds them until it is done
        if pending is not None:
            keep(pending[0], pending[1].result())
        return results

    def _decoder(self) -> ThreadPoolExecutor:
        if self._decode_pool is None:
            self._decode_pool = ThreadPoolExecutor(1, thread_name_prefix="haremb-decode")
        return self._decode_pool

    def _groups(self, texts: Sequence[str | None]):
        """Consecutive groups of texts of bounded size, so long requests do not hold all log-probs at once."""
        limit = GROUP_WINDOWS * self.batch_tokens * 4  # characters, about 4 per token
        group, size = [], 0
        for text in texts:
            n = len(text) if text else 0
            if group and size + n > limit:
                yield group
                group, size = [], 0
            group.append(text)
            size += n
        if group:
            yield group


def _build_engine(checkpoint: Checkpoint, dtype, device, experts_per_token) -> PrivacyFilterEngine:
    from transformers.modeling_rope_utils import ROPE_INIT_FUNCTIONS

    config = checkpoint.config
    missing = [n for n in expected_weight_names(config.num_hidden_layers) if n not in checkpoint.weights]
    if missing:
        raise CheckpointError(f"model folder {checkpoint.folder}: weights lack {missing[0]} ({len(missing)} tensors missing)")
    rope_type = config.rope_parameters.get("rope_type", "default")
    if rope_type == "default":
        dim = config.head_dim
        inv_freq = 1.0 / (config.rope_parameters["rope_theta"] ** (torch.arange(0, dim, 2, dtype=torch.float) / dim))
        scaling = 1.0
    else:
        inv_freq, scaling = ROPE_INIT_FUNCTIONS[rope_type](config, None)
    return PrivacyFilterEngine(ModelShape.from_config(config), checkpoint.weights, inv_freq, float(scaling),
                               dtype, device, experts_per_token)


def length_groups(lengths: Sequence[int], budget: int) -> list[list[int]]:
    """Indices grouped longest first, each group's documents x its longest at most `budget` tokens (a single
    document longer than that forms a group of its own)."""
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    groups: list[list[int]] = []
    for i in order:
        if groups and (len(groups[-1]) + 1) * max(lengths[groups[-1][0]], 1) <= budget:
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups

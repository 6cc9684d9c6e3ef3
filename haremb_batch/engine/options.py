"""The engine's options: model, chunking and decoding, as typed sections validated on construction. The engine
takes these and nothing else; the job's configuration (`haremb_batch/config.py`) embeds them as its `model`,
`chunking` and `decoding` sections, so one validation serves `Detector.load` and the job's pre-flight check.

`build_section` builds any such dataclass from a dict: unknown keys and values of the wrong kind are
ConfigError naming the key (the job turns them into exit 2 with one line).
"""

from __future__ import annotations

import dataclasses
import math
import re
import typing
from dataclasses import dataclass
from typing import Any, Literal


class ConfigError(ValueError):
    """A configuration key or value is wrong; the message names the key."""


@dataclass
class ModelConfig:
    path: str | None = None
    dtype: Literal["auto", "float32", "bfloat16"] = "auto"
    experts_per_token: int | None = None
    device: str = "auto"  # auto (cuda when present), cpu, cuda, cuda:N

    def validate(self) -> None:
        if not re.fullmatch(r"auto|cpu|cuda(:\d+)?", self.device):
            raise ConfigError(f"model.device: {self.device!r} is not one of auto, cpu, cuda, cuda:N")
        if self.experts_per_token is not None and self.experts_per_token < 1:
            raise ConfigError(f"model.experts_per_token must be >= 1 or null, got {self.experts_per_token}")


@dataclass
class ChunkingConfig:
    max_tokens: int = 1024
    overlap_tokens: int = 256

    def validate(self) -> None:
        if self.max_tokens < 1:
            raise ConfigError(f"chunking.max_tokens must be >= 1, got {self.max_tokens}")
        if not 0 <= self.overlap_tokens < self.max_tokens:
            raise ConfigError(f"chunking.overlap_tokens must be in [0, max_tokens), got {self.overlap_tokens}")


@dataclass
class DecodingConfig:
    mode: Literal["viterbi", "argmax"] = "viterbi"
    biases: str | dict = "zeros"  # zeros, checkpoint[:point] (its viterbi_calibration.json), or a map of the six biases
    min_score: float | dict = 0.0
    labels: str | list[str] = "all"
    snap_to_words: bool = True  # a span that starts or ends inside a run of letters/digits grows to the whole run

    def validate(self) -> None:
        if isinstance(self.biases, str) and not re.fullmatch(r"zeros|checkpoint(:" + POINT_NAME + ")?", self.biases):
            raise ConfigError(f"decoding.biases must be 'zeros', 'checkpoint', 'checkpoint:<point name>' or a map of "
                              f"biases, got {self.biases!r}")
        if isinstance(self.biases, dict):
            for name, value in self.biases.items():
                if name not in BIAS_NAMES:
                    raise ConfigError(f"decoding.biases: unknown transition bias {name!r} (known: {', '.join(BIAS_NAMES)})")
                check_number(value, f"decoding.biases.{name}")
        if isinstance(self.labels, str) and self.labels != "all":
            raise ConfigError(f"decoding.labels must be 'all' or a list of categories, got {self.labels!r}")
        if isinstance(self.labels, list) and not self.labels:
            raise ConfigError("decoding.labels must name at least one category, got [] (use 'all' for every one)")
        if isinstance(self.min_score, dict) and any(not isinstance(k, str) for k in self.min_score):
            raise ConfigError(f"decoding.min_score: map keys must be category names, got {sorted(map(str, self.min_score))}")
        if isinstance(self.labels, list) and any(not isinstance(k, str) or not k for k in self.labels):
            raise ConfigError(f"decoding.labels: entries must be category names, got {self.labels!r}")
        scores = self.min_score.items() if isinstance(self.min_score, dict) else [(None, self.min_score)]
        for label, value in scores:
            key = "decoding.min_score" + (f".{label}" if label is not None else "")
            check_number(value, key, low=0.0, high=1.0)


POINT_NAME = r"[A-Za-z0-9_.-]+"  # an operating point of viterbi_calibration.json, as `checkpoint:<name>` names it
BIAS_NAMES = ("transition_bias_background_stay", "transition_bias_background_to_start",
              "transition_bias_inside_to_continue", "transition_bias_inside_to_end",
              "transition_bias_end_to_background", "transition_bias_end_to_start")


def check_number(value: Any, key: str, low: float | None = None, high: float | None = None) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigError(f"{key}: {value!r} is not a finite number")
    if (low is not None and value < low) or (high is not None and value > high):
        raise ConfigError(f"{key} must be in [{low:g}, {high:g}], got {value!r}")


def build_section(cls, values: dict | None, prefix: str):
    """A section dataclass from a dict; unknown keys and values of the wrong kind raise ConfigError."""
    values = dict(values or {})
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    for key in values:
        if key not in known:
            raise ConfigError(f"unknown configuration key {prefix}{key} (known: {', '.join(sorted(known))})")
    kwargs = {}
    for name, value in values.items():
        hint = hints[name]
        if dataclasses.is_dataclass(hint):
            if not isinstance(value, dict):
                raise ConfigError(f"{prefix}{name} must be a mapping")
            kwargs[name] = build_section(hint, value, f"{prefix}{name}.")
        else:
            kwargs[name] = _coerce(value, hint, f"{prefix}{name}")
    section = cls(**kwargs)
    if hasattr(section, "validate"):
        section.validate()
    return section


def _coerce(value: Any, hint: Any, key: str) -> Any:
    """Check `value` against a hint made of str/int/float/bool/None/dict/list[str] and Literal choices."""
    options = typing.get_args(hint) if typing.get_origin(hint) in (typing.Union, _UnionType) else (hint,)
    choices = [v for o in options if typing.get_origin(o) is Literal for v in typing.get_args(o)]
    if isinstance(value, str) and (value in choices or str in options):
        return value
    for option in options:
        if option is type(None) and value is None:
            return None
        if option is bool and isinstance(value, bool):
            return value
        if option is int and isinstance(value, int) and not isinstance(value, bool):
            return value
        if option is float and isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        if option is dict and isinstance(value, dict):
            return value
        if option is list and isinstance(value, list):  # entries checked by the section's validate()
            return value
        if typing.get_origin(option) is list and isinstance(value, list) and all(isinstance(v, str) for v in value):
            return value
    if isinstance(value, str) and choices:
        raise ConfigError(f"{key}: {value!r} is not one of {', '.join(map(str, choices))}")
    expected = ", ".join(sorted({getattr(o, "__name__", str(o)) for o in options if typing.get_origin(o) is not Literal} | ({"one of " + "/".join(map(str, choices))} if choices else set())))
    raise ConfigError(f"{key}: {value!r} has the wrong type (expected {expected})")


_UnionType = type(int | str)

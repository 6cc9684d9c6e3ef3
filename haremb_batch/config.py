"""The job's configuration: one typed object, loaded from YAML, overridden by `--set key=value`, validated.

Unknown keys and unknown option values are errors that name the key (ConfigError); the job turns them into
exit 2 with one line.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import re
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml


class ConfigError(ValueError):
    """A configuration key or value is wrong; the message names the key."""


@dataclass
class InputConfig:
    uri: str | None = None
    format: Literal["auto", "parquet", "jsonl"] = "auto"
    text_column: str | list[str] = "text"
    id_column: str = "id"

    @property
    def text_columns(self) -> list[str]:
        return [self.text_column] if isinstance(self.text_column, str) else list(self.text_column)

    def validate(self) -> None:
        columns = self.text_columns
        if not columns:
            raise ConfigError("input.text_column must name at least one column, got []")
        if any(not c for c in columns):
            raise ConfigError("input.text_column: a column name is empty")
        if len(set(columns)) != len(columns):
            raise ConfigError(f"input.text_column names a column twice: {columns}")
        if not self.id_column:
            raise ConfigError("input.id_column must not be empty")


@dataclass
class OutputConfig:
    uri: str | None = None
    mode: Literal["skip_existing", "overwrite", "error_if_exists"] = "skip_existing"
    include_span_text: bool = False
    quarantine_raw: bool = False  # copy unparseable input lines, only ever under quarantine_uri
    quarantine_uri: str | None = None  # outside the output tree (and the input)

    def validate(self) -> None:
        if self.quarantine_raw and not self.quarantine_uri:
            raise ConfigError("output.quarantine_raw needs output.quarantine_uri: raw lines never go into the output tree")


@dataclass
class IOConfig:
    storage_options: dict = field(default_factory=dict)


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
    biases: str | dict = "zeros"  # zeros, checkpoint (its viterbi_calibration.json), or a map of the six biases
    min_score: float | dict = 0.0
    labels: str | list[str] = "all"
    snap_to_words: bool = True  # a span that starts or ends inside a run of letters/digits grows to the whole run

    def validate(self) -> None:
        if isinstance(self.biases, str) and self.biases not in ("zeros", "checkpoint"):
            raise ConfigError(f"decoding.biases must be 'zeros', 'checkpoint' or a map of biases, got {self.biases!r}")
        if isinstance(self.biases, dict):
            for name, value in self.biases.items():
                if name not in BIAS_NAMES:
                    raise ConfigError(f"decoding.biases: unknown transition bias {name!r} (known: {', '.join(BIAS_NAMES)})")
                _check_number(value, f"decoding.biases.{name}")
        if isinstance(self.labels, str) and self.labels != "all":
            raise ConfigError(f"decoding.labels must be 'all' or a list of categories, got {self.labels!r}")
        if isinstance(self.labels, list) and not self.labels:
            raise ConfigError("decoding.labels must name at least one category, got [] (use 'all' for every one)")
        scores = self.min_score.items() if isinstance(self.min_score, dict) else [(None, self.min_score)]
        for label, value in scores:
            key = "decoding.min_score" + (f".{label}" if label is not None else "")
            _check_number(value, key, low=0.0, high=1.0)


BIAS_NAMES = ("transition_bias_background_stay", "transition_bias_background_to_start",
              "transition_bias_inside_to_continue", "transition_bias_inside_to_end",
              "transition_bias_end_to_background", "transition_bias_end_to_start")


def _check_number(value: Any, key: str, low: float | None = None, high: float | None = None) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigError(f"{key}: {value!r} is not a finite number")
    if (low is not None and value < low) or (high is not None and value > high):
        raise ConfigError(f"{key} must be in [{low:g}, {high:g}], got {value!r}")


METHODS = ("mask", "char", "remove", "hash", "replace")


@dataclass
class RedactionConfig:
    method: str | dict = "mask"  # one of METHODS, or {label: method, ..., default: method}
    key_env: str = "HAREMB_KEY"

    @property
    def methods(self) -> dict:
        return dict(self.method) if isinstance(self.method, dict) else {"default": self.method}

    def validate(self) -> None:
        if not self.key_env:
            raise ConfigError("redaction.key_env must name an environment variable")
        if isinstance(self.method, dict) and not self.method:
            raise ConfigError("redaction.method: an empty map (give a method, or {label: method, default: method})")
        for label, method in self.methods.items():
            if method not in METHODS:
                key = "redaction.method" + (f".{label}" if isinstance(self.method, dict) else "")
                raise ConfigError(f"{key}: {method!r} is not one of {', '.join(METHODS)}")


@dataclass
class DetectionConfig:
    """Detectors besides the model (haremb_batch/detect/)."""

    rules: str | list[str] = "all"  # all, a list of rule names, or [] for none
    deny_list: list | str = field(default_factory=list)  # entries, or a file / URL holding them
    allow_list: list | str = field(default_factory=list)
    phone_region: str = "US"  # region for phone numbers written without a country code

    def validate(self) -> None:
        if isinstance(self.rules, str) and self.rules != "all":
            raise ConfigError(f"detection.rules must be 'all' or a list of rule names, got {self.rules!r}")


@dataclass
class RuntimeConfig:
    actors: int | Literal["auto"] = "auto"  # model actors in the pool
    gpus_per_actor: float | Literal["auto"] = "auto"
    cpus_per_actor: float | Literal["auto"] = "auto"
    docs_per_batch: int | Literal["auto"] = "auto"  # documents handed to an actor at a time
    batch_tokens: int | Literal["auto"] = "auto"  # tokens per forward pass
    max_failed_fraction: float = 0.01  # more rows than this failing in the model or redaction fails the shard

    def validate(self) -> None:
        for name, low in (("actors", 1), ("docs_per_batch", 1), ("batch_tokens", 1)):
            value = getattr(self, name)
            if value != "auto" and value < low:
                raise ConfigError(f"runtime.{name} must be >= {low} or auto, got {value}")
        if self.gpus_per_actor != "auto" and self.gpus_per_actor < 0:
            raise ConfigError(f"runtime.gpus_per_actor must be >= 0 or auto, got {self.gpus_per_actor}")
        if self.cpus_per_actor != "auto" and self.cpus_per_actor <= 0:
            raise ConfigError(f"runtime.cpus_per_actor must be > 0 or auto, got {self.cpus_per_actor}")
        _check_number(self.max_failed_fraction, "runtime.max_failed_fraction", low=0.0, high=1.0)


@dataclass
class JobConfig:
    input: InputConfig = field(default_factory=InputConfig)
    output: OutputConfig = field(default_factory=OutputConfig)
    io: IOConfig = field(default_factory=IOConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    chunking: ChunkingConfig = field(default_factory=ChunkingConfig)
    decoding: DecodingConfig = field(default_factory=DecodingConfig)
    detection: DetectionConfig = field(default_factory=DetectionConfig)
    redaction: RedactionConfig = field(default_factory=RedactionConfig)
    runtime: RuntimeConfig = field(default_factory=RuntimeConfig)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def digest(self) -> str:
        """Identifies what changes outputs: not where they go, how the run is laid out, the credentials (io), the
        model's location (its content has a digest of its own) nor the key (it has a fingerprint)."""
        d = self.to_dict()
        for volatile in ("io", "runtime"):
            d.pop(volatile)
        d["output"] = {k: d["output"][k] for k in ("include_span_text", "quarantine_raw")}
        d["input"].pop("uri")
        d["model"] = {k: d["model"][k] for k in ("dtype", "experts_per_token")}
        d["redaction"].pop("key_env")
        return hashlib.sha256(json.dumps(d, sort_keys=True).encode()).hexdigest()


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


def parse_overrides(pairs: list[str]) -> dict:
    """`a.b=value` strings into a nested dict; values are parsed as YAML."""
    nested: dict = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key:
            raise ConfigError(f"--set {pair!r}: expected KEY=VALUE")
        try:
            value = yaml.safe_load(raw) if raw != "" else ""
        except yaml.YAMLError as error:
            raise ConfigError(f"--set {key}: value is not valid YAML ({error.__class__.__name__})") from error
        parts = key.split(".")
        node = nested
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ConfigError(f"--set {key}: {part} is not a section")
        node[parts[-1]] = value
    return nested


def merge(base: dict, override: dict) -> dict:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict) and key != "biases":
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def load_job_config(path: str | Path | None = None, overrides: list[str] = (), **direct: Any) -> JobConfig:
    """YAML file (optional), then `--set` pairs, then direct values like input_uri=... ."""
    data: dict = {}
    if path is not None:
        try:
            loaded = yaml.safe_load(Path(path).read_text())
        except OSError as error:
            raise ConfigError(f"--config {path}: cannot read ({error.strerror or error})") from error
        except yaml.YAMLError as error:
            raise ConfigError(f"--config {path}: not valid YAML ({error.__class__.__name__})") from error
        if loaded is not None and not isinstance(loaded, dict):
            raise ConfigError(f"--config {path}: expected a mapping of sections")
        data = loaded or {}
    data = merge(data, parse_overrides(list(overrides)))
    for dotted, value in direct.items():
        if value is not None:
            data = merge(data, _nest(dotted.split("__"), value))
    sections = {f.name for f in dataclasses.fields(JobConfig)}
    for section, values in data.items():
        if section not in sections:
            raise ConfigError(f"unknown configuration key {section} (known sections: {', '.join(sorted(sections))})")
        if not isinstance(values, dict):
            raise ConfigError(f"configuration section {section!r} must be a mapping of keys, got {values!r}")
    return build_section(JobConfig, data, "")


def _nest(parts: list[str], value: Any) -> dict:
    return {parts[0]: value} if len(parts) == 1 else {parts[0]: _nest(parts[1:], value)}

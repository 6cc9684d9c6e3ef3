"""The job's configuration: one typed object, loaded from YAML, overridden by `--set key=value`, validated.

Unknown keys and unknown option values are errors that name the key (ConfigError); the job turns them into
exit 2 with one line.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from .engine.options import (  # noqa: F401  (re-exported: the job's sections and errors in one place)
    BIAS_NAMES, ChunkingConfig, ConfigError, DecodingConfig, ModelConfig, check_number, build_section,
)


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
    shared_filesystem: bool = False  # a local output path is visible to every node of a multi-node cluster


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
    complete_spans: bool = True  # grow model spans over left-out house numbers, weekdays, ... (detect/complete.py)
    check_casing: bool = True  # keep model-only names that are pronouns or lower case in cased text (detect/plausible.py)

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
        check_number(self.max_failed_fraction, "runtime.max_failed_fraction", low=0.0, high=1.0)


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

    def detector_options(self) -> dict:
        """The engine's options (`Detector.load(model.path, **options)`) from this configuration."""
        options = {k: v for k, v in vars(self.model).items() if k != "path"}
        options.update(vars(self.chunking))
        options.update(vars(self.decoding))
        if self.runtime.batch_tokens != "auto":
            options["batch_tokens"] = self.runtime.batch_tokens
        return options

    def model_storage_options(self) -> dict:
        """io.storage_options for a model URL: those of the input's or output's store when the model's URL names the
        same store (`s3`, `s3a` and `simplecache::s3` are one), or any remote model's when input and output are
        local (then the options can only be meant for it). None for another store: options written for S3 break an
        https model (aiohttp rejects them) or would carry one store's credentials to another."""
        model = _remote_filesystems(self.model.path)
        if not model:  # the embedded model or a local folder, read in place
            return {}
        data = _remote_filesystems(self.input.uri) | _remote_filesystems(self.output.uri)
        return self.io.storage_options if not data or model & data else {}

    def digest(self, lists: tuple | None = None, rules: tuple | None = None, word_lists: dict | None = None) -> str:
        """Identifies what changes outputs: not where they go, how the run is laid out, the credentials (io), the
        model's location (its content has a digest of its own) nor the key (it has a fingerprint). `lists`:
        the deny and allow entries as loaded, so a list kept in a file counts by its content, not its path.
        `rules`: the rules that run, so `all` counts by what it means in this version. `word_lists`: file name ->
        sha256 of the package's word lists the detectors read (Policy.word_lists), so a new list redoes shards."""
        d = self.to_dict()
        if lists is not None:
            d["detection"]["deny_list"], d["detection"]["allow_list"] = lists
        if rules is not None:
            d["detection"]["rules"] = list(rules)
        if word_lists:
            d["detection"]["word_lists"] = word_lists
        for volatile in ("io", "runtime"):
            d.pop(volatile)
        d["output"] = {k: d["output"][k] for k in ("include_span_text", "quarantine_raw")}
        d["input"].pop("uri")
        d["model"] = {k: d["model"][k] for k in ("dtype", "experts_per_token")}
        d["redaction"].pop("key_env")
        return hashlib.sha256(json.dumps(d, sort_keys=True).encode()).hexdigest()


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


# fsspec protocols that name one filesystem; caches wrap another and local ones need no options
_PROTOCOL_ALIASES = {"s3a": "s3", "gcs": "gs", "az": "abfs", "abfss": "abfs", "https": "http"}
_NOT_A_STORE = {"file", "local", "simplecache", "filecache", "blockcache", "cached"}


def _remote_filesystems(uri: str | None) -> set[str]:
    """The remote protocols of `uri`'s fsspec chain, aliases folded (`simplecache::s3a://b` -> {s3}); empty for
    None, a local path or a file:// URL."""
    protocols = {part.split("://", 1)[0].lower() for part in str(uri or "").split("::") if "://" in part}
    return {_PROTOCOL_ALIASES.get(p, p) for p in protocols} - _NOT_A_STORE


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

"""The redaction job on Ray Data: plan shards, stream documents through the stages, finalize each shard as
soon as all its rows are in, write the run report."""

from __future__ import annotations

import json
import logging
import os
import secrets
import sys
import time
from dataclasses import dataclass, field

from ..config import ConfigError, JobConfig
from ..redaction import RedactionMethod
from .finalize import finalize_shard, manifest_is_valid, remove_shard_outputs
from .shards import OutputPaths, Shard, discover_shards, filesystem
from .stages import ModelStage, read_shards, tokenize_documents, write_parts

log = logging.getLogger("haremb_batch")


@dataclass
class RunState:
    done: dict = field(default_factory=dict)  # relative -> manifest
    skipped: list = field(default_factory=list)
    failed: dict = field(default_factory=dict)  # relative -> reason


def run_key(cfg: JobConfig) -> bytes:
    """The secret for hash/replace and entity HMACs. Without it, hash and replace cannot be consistent: refuse.
    Other methods get a random per-run key (entity HMACs then only join within the run)."""
    value = os.environ.get(cfg.redaction.key_env)
    if value:
        return value.encode("utf-8")
    if RedactionMethod(cfg.redaction.method) in (RedactionMethod.HASH, RedactionMethod.REPLACE):
        raise ConfigError(f"redaction.method={cfg.redaction.method} needs a secret key in ${cfg.redaction.key_env}")
    log.warning("$%s is not set: entity text_hmac values use a random key for this run only", cfg.redaction.key_env)
    return secrets.token_bytes(32)


def check_model(cfg: JobConfig) -> None:
    """Fail before any cluster work when the model or the label options cannot work (exit 2, one line)."""
    from ..engine.checkpoint import check_checkpoint_folder, resolve_model_folder
    from ..engine.labels import LabelSet

    config = check_checkpoint_folder(resolve_model_folder(cfg.model.path))
    categories = set(LabelSet.from_id2label(config.get("id2label") or {0: "O"}).categories)
    wanted = [] if cfg.decoding.labels == "all" else list(cfg.decoding.labels)
    wanted += list(cfg.decoding.min_score) if isinstance(cfg.decoding.min_score, dict) else []
    unknown = sorted(set(wanted) - categories)
    if unknown:
        raise ConfigError(f"decoding: {unknown[0]!r} is not a category of the model")


def plan(cfg: JobConfig, fs_out, paths: OutputPaths, shards: list[Shard], state: RunState) -> list[Shard]:
    """Which shards to run, by output.mode; leftovers of unfinished shards are cleared."""
    digest = cfg.digest()
    todo = []
    if cfg.output.mode == "error_if_exists" and fs_out.exists(paths.root) and fs_out.ls(paths.root):
        raise ConfigError(f"output.mode=error_if_exists and --output {cfg.output.uri} is not empty")
    for shard in shards:
        if cfg.output.mode == "skip_existing" and manifest_is_valid(fs_out, paths, shard, digest):
            state.skipped.append(shard.relative)
            continue
        remove_shard_outputs(fs_out, paths, shard)
        todo.append(shard)
    return todo


def runtime_sizes(cfg: JobConfig) -> dict:
    import ray

    resources = ray.cluster_resources()
    cpus, gpus = int(resources.get("CPU", 1)), int(resources.get("GPU", 0))
    rt = cfg.runtime
    gpus_per_actor = (1.0 if gpus else 0.0) if rt.gpus_per_actor == "auto" else float(rt.gpus_per_actor)
    if rt.actors != "auto":
        actors = rt.actors
    elif gpus_per_actor > 0:
        actors = max(1, int(gpus / gpus_per_actor))
    else:
        actors = max(1, (cpus - 1) // 4) if cpus > 4 else 1  # leave CPUs for reading and writing
    cpus_per_actor = (1.0 if gpus_per_actor or cpus <= 4 else 4.0) if rt.cpus_per_actor == "auto" else float(rt.cpus_per_actor)
    docs = (1024 if gpus_per_actor else 128) if rt.docs_per_batch == "auto" else rt.docs_per_batch
    threads = max(1, cpus // actors) if not gpus_per_actor else max(1, int(cpus_per_actor))
    return {"actors": actors, "gpus_per_actor": gpus_per_actor, "cpus_per_actor": cpus_per_actor,
            "docs_per_batch": docs, "torch_threads": threads, "cluster_cpus": cpus, "cluster_gpus": gpus}


def build_dataset(cfg: JobConfig, shards: list[Shard], key: bytes, sizes: dict):
    import ray
    from ray.data import ActorPoolStrategy

    config = cfg.to_dict()
    items = [{"path": s.path, "relative": s.relative, "format": s.format, "size": s.size} for s in shards]
    ds = ray.data.from_items(items, override_num_blocks=max(1, len(items)))
    ds = ds.map_batches(read_shards, fn_kwargs={"config": config}, batch_size=1, batch_format="pyarrow", num_cpus=0.5)
    ds = ds.map_batches(tokenize_documents, fn_kwargs={"config": config}, batch_size=sizes["docs_per_batch"],
                        batch_format="pyarrow", num_cpus=0.5)
    ds = ds.map_batches(
        ModelStage, fn_constructor_kwargs={"config": config, "threads": sizes["torch_threads"]},
        compute=ActorPoolStrategy(min_size=1, max_size=sizes["actors"]), num_gpus=sizes["gpus_per_actor"],
        num_cpus=sizes["cpus_per_actor"], batch_size=sizes["docs_per_batch"], batch_format="pyarrow",
    )
    return ds.map_batches(write_parts, fn_kwargs={"config": config, "key": key}, batch_size=None,
                          batch_format="pyarrow", num_cpus=0.5)


def run(cfg: JobConfig) -> dict:
    """Runs the job; returns the report. ConfigError / InputError for bad configuration or input."""
    started = time.time()
    key = run_key(cfg)
    fs_in, shards = discover_shards(cfg.input.uri, cfg.io.storage_options, cfg.input.format)
    check_model(cfg)
    fs_out, out_root = filesystem(cfg.output.uri, cfg.io.storage_options)
    paths = OutputPaths(out_root.rstrip("/"))
    state = RunState()
    todo = plan(cfg, fs_out, paths, shards, state)
    log.info("%d shards: %d to run, %d already done", len(shards), len(todo), len(state.skipped))
    sizes = {}
    if todo:
        import ray

        if not ray.is_initialized():
            ray.init(log_to_driver=True, logging_level=logging.WARNING)
        sizes = runtime_sizes(cfg)
        log.info("runtime: %s", sizes)
        by_name = {s.relative: s for s in todo}
        parts: dict[str, list[str]] = {}
        seen: dict[str, int] = {}
        digest = cfg.digest()
        for batch in build_dataset(cfg, todo, key, sizes).iter_batches(batch_format="pyarrow", batch_size=None):
            for report in batch.to_pylist():
                source = report["source"]
                if report["failure"]:
                    state.failed[source] = report["failure"]
                    log.error("shard %s failed: %s", source, report["failure"])
                    continue
                parts.setdefault(source, [])
                if report["part"]:
                    parts[source].append(report["part"])
                seen[source] = seen.get(source, 0) + report["rows"]
                if seen[source] >= report["shard_rows"] and source not in state.done:
                    _finish(cfg, fs_in, fs_out, paths, by_name[source], parts[source], report["shard_rows"], digest, state)
        for source in by_name:
            if source not in state.done and source not in state.failed:
                state.failed[source] = f"only {seen.get(source, 0)} rows came back"
    report = _report(cfg, shards, state, sizes, time.time() - started)
    with fs_out.open(paths.report, "wb") as f:
        f.write(json.dumps(report, indent=2).encode("utf-8"))
    return report


def _finish(cfg, fs_in, fs_out, paths, shard, parts, shard_rows, digest, state: RunState) -> None:
    try:
        manifest = finalize_shard(fs_in, fs_out, paths, shard, parts, shard_rows, cfg.input.text_columns,
                                  cfg.output.include_span_text, digest)
    except Exception as error:  # noqa: BLE001 - this shard fails (no manifest); the others go on
        state.failed[shard.relative] = f"{error.__class__.__name__}: {error}"
        log.error("shard %s failed: %s", shard.relative, error)
        return
    if fs_out.exists(paths.parts(shard.relative)):
        fs_out.rm(paths.parts(shard.relative), recursive=True)
    state.done[shard.relative] = manifest
    print(f"done {shard.relative}: {manifest['rows_redacted']} rows redacted, {manifest['rows_quarantined']} "
          f"quarantined, {manifest['entities_redacted']} entities", file=sys.stderr, flush=True)


def _report(cfg: JobConfig, shards, state: RunState, sizes: dict, seconds: float) -> dict:
    manifests = list(state.done.values())
    per_label: dict[str, int] = {}
    for m in manifests:
        for label, n in m["entities_per_label"].items():
            per_label[label] = per_label.get(label, 0) + n
    tokens = sum(m["tokens"] for m in manifests)
    return {
        "shards": {"total": len(shards), "done": len(state.done), "skipped": len(state.skipped), "failed": len(state.failed)},
        "failed": state.failed,
        "skipped": state.skipped,
        "rows": {"in": sum(m["rows_in"] for m in manifests), "redacted": sum(m["rows_redacted"] for m in manifests),
                 "quarantined": sum(m["rows_quarantined"] for m in manifests)},
        "tokens": tokens,
        "entities": {"total": sum(m["entities"] for m in manifests), "redacted_per_label": dict(sorted(per_label.items()))},
        "seconds": round(seconds, 2),
        "tokens_per_s": round(tokens / seconds, 1) if seconds else 0.0,
        "runtime": sizes,
        "config": cfg.to_dict(),
    }


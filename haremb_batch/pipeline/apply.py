"""Redact input shards again from a finished output's entity tables under a (possibly changed) policy, without
the model ("tag once, mix many"): thresholds, labels, allow and deny lists, methods and the key may change.

Per shard: the finished output must hold a manifest for it that matches the input's size; its entity table
gives the spans (as merged by the job), its quarantine the rows the model or redaction could not do (they stay
quarantined: there are no detections for them). The policy re-decides every recorded span and adds the deny
list's; outputs are written by the same code as the job's, so with the job's own policy the redacted shards
are byte-identical.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections import defaultdict

import pyarrow.parquet as pq

from ..config import ConfigError, JobConfig
from ..detect.policy import Policy, apply_decisions, recorded_candidate
from .finalize import FinalizeOptions, remove_shard_outputs, write_shard_outputs
from .job import Plan, RunState, clear_outputs, preflight, plan
from .read import ShardError, read_documents
from .report import run_record, write_records
from .shards import OutputPaths, Shard, filesystem
from .stages import entity_rows

log = logging.getLogger("haremb_batch")


def run_apply(cfg: JobConfig, source_uri: str) -> dict:
    """Like the job's `run`, without Ray or the model. Returns this run's record."""
    started = time.time()
    fs_from, from_root = filesystem(source_uri, cfg.io.storage_options)
    source = OutputPaths(from_root.rstrip("/"))
    if not fs_from.exists(source.manifests):
        raise ConfigError(f"--from {source_uri}: not a finished output of jobs/redact.py (no _manifest/ there)")
    p = preflight(cfg, hash_model=False, extra_places=(("--from", source_uri),))
    state = RunState()
    todo = plan(cfg, p, state, ignore=("model_digest",))  # outputs carry the model digest of their source
    clear_outputs(p, todo)
    policy = Policy.from_config(cfg, p.categories, p.key)
    try:
        for shard in todo:
            try:
                manifest = _apply_shard(cfg, p, policy, fs_from, source, shard)
            except Exception as error:  # noqa: BLE001 - this shard fails; the others go on
                state.failed[shard.relative] = f"{error.__class__.__name__}: {error}"
                log.error("shard %s failed: %s", shard.relative, error)
                continue
            state.done[shard.relative] = manifest
            print(f"done {shard.relative}: {manifest['rows_redacted']} rows redacted, {manifest['rows_quarantined']} "
                  f"quarantined, {manifest['entities_redacted']} entities redacted, {manifest['entities_kept']} kept",
                  file=sys.stderr, flush=True)
        state.status = "failed" if state.failed else "ok"
    except KeyboardInterrupt:
        state.status = "interrupted"
        raise
    finally:
        record = run_record(cfg, p, state, {}, started)
        record["detections_from"] = source_uri
        write_records(p, record)
    return record


def _apply_shard(cfg: JobConfig, p: Plan, policy: Policy, fs_from, source: OutputPaths, shard: Shard) -> dict:
    finished = _source_manifest(fs_from, source, shard)
    if finished.get("text_columns") != cfg.input.text_columns:
        raise ShardError(f"the finished output scanned text columns {finished.get('text_columns')}, this run asks for "
                         f"{cfg.input.text_columns}: a column the model never saw cannot be redacted from it")
    if finished.get("categories_digest") != p.identity["categories_digest"]:
        raise ShardError("the finished output was made with a model of other categories than --model: give the "
                         "checkpoint it was made with")
    with fs_from.open(source.entities(shard), "rb") as f:
        recorded = pq.read_table(f).to_pylist()
    unknown = sorted({e["label"] for e in recorded} - set(p.categories))
    if unknown:
        raise ShardError(f"the finished output has spans labelled {unknown[0]!r}, not a category of --model")
    spans: dict[tuple, list] = defaultdict(list)
    for e in recorded:
        spans[(e["row"], e["column"])].append(recorded_candidate(e["start"], e["end"], e["label"], e["score"], e["detector"]))
    with fs_from.open(source.quarantine(shard), "rb") as f:
        not_detected = {q["row"]: q for q in map(json.loads, filter(None, f.read().split(b"\n")))
                        if q.get("cause") in ("model", "redaction")}
    columns = cfg.input.text_columns
    outcomes = (_outcome(row, columns, policy, spans, not_detected.get(row["row"]), p.key, cfg.output.include_span_text)
                for block in read_documents(p.inputs.fs, shard, columns, cfg.input.id_column)
                for row in block.to_pylist())
    options = FinalizeOptions(columns, cfg.output.include_span_text, {**p.identity, "model_digest": finished.get("model_digest")},
                              cfg.runtime.max_failed_fraction, p.raw_quarantine)
    try:
        return write_shard_outputs(p.inputs.fs, p.fs_out, p.paths, shard, outcomes, finished["rows_in"], options)
    except Exception:
        remove_shard_outputs(p.fs_out, p.paths, shard, p.raw_quarantine)
        raise


def _source_manifest(fs_from, source: OutputPaths, shard: Shard) -> dict:
    try:
        with fs_from.open(source.manifest(shard), "rb") as f:
            manifest = json.loads(f.read())
    except FileNotFoundError as error:
        raise ShardError(f"the finished output has no manifest for {shard.relative}: run the job on it first") from error
    if manifest.get("source_bytes") != shard.size or manifest.get("source_version") != shard.version:
        raise ShardError("the input changed since the finished output was made (its size, ETag or modification "
                         "time differ): its recorded spans no longer fit the text")
    return manifest


def _outcome(row: dict, columns: list[str], policy: Policy, spans: dict, undetected: dict | None, key: bytes,
             include_text: bool) -> dict:
    outcome = {"row": row["row"], "doc_id": row["doc_id"], "status": row["status"], "reason": row["reason"],
               "cause": row["cause"], "offset": row["offset"], "length": row["length"],
               "redacted": None, "tokens": 0, "entities": []}
    if row["status"] != "ok":
        return outcome
    if undetected is not None:  # the job could not detect in this row: without detections it stays out
        outcome.update(status="quarantined", reason=undetected["reason"], cause=undetected["cause"])
        return outcome
    try:
        redacted, entities = [], []
        for column, text in zip(columns, row["texts"]):
            decisions = policy.redecide(text, spans.get((row["row"], column), []))
            redacted.append(apply_decisions(text, decisions))
            entities += entity_rows(row, column, text, decisions, key, include_text)
        outcome["redacted"], outcome["entities"] = redacted, entities
    except Exception as error:  # noqa: BLE001 - fail closed, as in the job
        outcome.update(status="quarantined", reason=f"redaction failed: {error.__class__.__name__}: {error}",
                       cause="redaction")
    return outcome

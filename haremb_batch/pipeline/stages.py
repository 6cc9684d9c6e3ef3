"""The job's steps as plain callables over Arrow tables; `job.py` wires them into Ray Data.

read_shards -> tokenize_documents -> ModelStage (actor pool) -> write_parts. Every document row comes out
of every step exactly once; a document that fails is marked quarantined with a reason, never passed on as
if redacted. Each step takes the typed JobConfig; none re-parses it per batch.

A shard streams through in blocks; after its last row, the read step sends one marker row (`shard_end`, with
the shard's row count, or `shard_failed`, with the reason) down the same path, so the driver learns when a
shard is complete without ever reading it.
"""

from __future__ import annotations

import json
import logging
import uuid
from functools import lru_cache
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from ..config import JobConfig
from ..engine.spans import Span
from ..engine.tokens import Encoded, encode_texts, load_tokenizer
from ..redaction import text_hmac
from .read import ShardError, read_documents
from .schemas import DOCUMENT_SCHEMA, PART_REPORT_SCHEMA, part_schema
from .shards import OutputPaths, Shard, filesystem

log = logging.getLogger("haremb_batch")
SHARD_END = "shard_end"  # marker: the shard's rows were all read; shard_rows holds their count
SHARD_FAILED = "shard_failed"  # marker: the shard cannot be read (reason); rows sent before it are void
MARKERS = (SHARD_END, SHARD_FAILED)


# -- read ----------------------------------------------------------------------------------------------------

def read_shards(batch: pa.Table, config: JobConfig):
    """Shard items in, document rows out (a generator of blocks), then the shard's marker row."""
    fs, _ = filesystem(config.input.uri, config.io.storage_options)
    for item in batch.to_pylist():
        shard = Shard(**item)
        rows = 0
        try:
            for block in read_documents(fs, shard, config.input.text_columns, config.input.id_column):
                rows += block.num_rows
                yield block
            yield _marker(shard, SHARD_END, None, rows)
        except ShardError as error:
            yield _marker(shard, SHARD_FAILED, str(error), rows)
        except Exception as error:  # noqa: BLE001 - anything else in reading fails this shard, not the job
            yield _marker(shard, SHARD_FAILED, f"cannot read {shard.relative}: {error.__class__.__name__}: {error}", rows)


def _marker(shard: Shard, status: str, reason: str | None, rows: int) -> pa.Table:
    return pa.Table.from_pylist([{"source": shard.relative, "row": -1, "doc_id": None, "texts": None, "status": status,
                                  "reason": reason, "shard_rows": rows}], schema=DOCUMENT_SCHEMA)


# -- tokenize ------------------------------------------------------------------------------------------------

@lru_cache(maxsize=2)
def _tokenizer(model_path: str | None, model_version: str | None, storage_options_json: str):
    from ..engine.checkpoint import resolve_model_folder

    # the options as JSON text: an lru_cache key must hash
    return load_tokenizer(resolve_model_folder(model_path, model_version, json.loads(storage_options_json)))


def tokenize_documents(batch: pa.Table, config: JobConfig, docs: int, model_version: str | None = None):
    """Adds token ids and flat (start, end) offsets per text: the model actor only runs windows. Yields
    slices of `docs` rows, so one tokenizer call (and its output) stays bounded whatever the block size.
    model_version: the version of a model given as a URL that the driver copied (engine/checkpoint.py)."""
    for first in range(0, batch.num_rows, docs):
        yield _tokenize(batch.slice(first, docs), config, model_version)


def _tokenize(batch: pa.Table, config: JobConfig, model_version: str | None) -> pa.Table:
    tokenizer = _tokenizer(config.model.path, model_version, json.dumps(config.model_storage_options(), sort_keys=True))
    rows = list(zip(batch.column("texts").to_pylist(), batch.column("status").to_pylist()))
    flat = [text for texts, status in rows if status == "ok" for text in texts]
    encoded = iter(encode_texts(tokenizer, flat))  # one tokenizer call for the whole batch
    ids_col, offsets_col = [], []
    for texts, status in rows:
        docs = [next(encoded) for _ in texts] if status == "ok" else None
        ids_col.append([d.ids.tolist() for d in docs] if docs is not None else None)
        offsets_col.append([d.offsets.reshape(-1).tolist() for d in docs] if docs is not None else None)
    batch = batch.append_column("token_ids", pa.array(ids_col, type=pa.list_(pa.list_(pa.int32()))))
    return batch.append_column("token_offsets", pa.array(offsets_col, type=pa.list_(pa.list_(pa.int64()))))


# -- model ---------------------------------------------------------------------------------------------------

class Unit(NamedTuple):
    """One text of one document row, tokenized."""

    row: int  # index of the row in the batch
    column: int  # index of the text column
    text: str | None
    encoded: Encoded


class ModelStage:
    """Holds one Detector (loaded once per actor); finds every model span of the documents it receives, in
    groups of bounded tokens (Detector.detect_encoded). A document the model fails on is quarantined alone."""

    SPAN_FIELDS = {"tokens": pa.int64(), "span_column": pa.list_(pa.int32()), "span_start": pa.list_(pa.int64()),
                   "span_end": pa.list_(pa.int64()), "span_label": pa.list_(pa.string()),
                   "span_score": pa.list_(pa.float32())}

    def __init__(self, config: JobConfig, threads: int | None = None, model_version: str | None = None):
        import torch

        from ..engine import Detector
        from ..engine.checkpoint import resolve_model_folder

        if threads:
            torch.set_num_threads(threads)
        folder = resolve_model_folder(config.model.path, model_version, config.model_storage_options())  # the driver's version
        self.detector = Detector.load(str(folder), **config.detector_options())

    def __call__(self, batch: pa.Table) -> pa.Table:
        rows = batch.to_pylist()
        units = [Unit(i, c, text, Encoded(np.asarray(ids, dtype=np.int64), np.asarray(offsets, dtype=np.int64).reshape(-1, 2)))
                 for i, row in enumerate(rows) if row["status"] == "ok"
                 for c, (text, ids, offsets) in enumerate(zip(row["texts"], row["token_ids"], row["token_offsets"]))]
        found, failures = self._detect_units(units)
        tokens: dict[int, int] = {}
        for unit in units:
            tokens[unit.row] = tokens.get(unit.row, 0) + len(unit.encoded)
        out: dict[str, list] = {name: [] for name in self.SPAN_FIELDS}
        for i in range(len(rows)):
            spans = found.get(i, [])
            out["tokens"].append(tokens.get(i, 0))
            out["span_column"].append([c for c, _ in spans])
            out["span_start"].append([s.start for _, s in spans])
            out["span_end"].append([s.end for _, s in spans])
            out["span_label"].append([s.label for _, s in spans])
            out["span_score"].append([s.score for _, s in spans])
        batch = batch.drop_columns(["token_ids", "token_offsets"])
        for name in ("status", "reason", "cause"):
            values = [failures[i][name] if i in failures else row[name] for i, row in enumerate(rows)]
            batch = batch.set_column(batch.schema.get_field_index(name), name, pa.array(values, pa.string()))
        for name, kind in self.SPAN_FIELDS.items():
            batch = batch.append_column(name, pa.array(out[name], type=kind))
        return batch

    def _detect_units(self, units: list[Unit]) -> tuple[dict[int, list], dict[int, dict]]:
        """All units in one pass; if that fails, one document at a time so only the poison one is quarantined.
        Returns the spans per row and, per failed row, its quarantine fields."""
        try:
            return self._run(units), {}
        except Exception as error:  # noqa: BLE001 - isolate, then quarantine only what still fails
            log.warning("model batch failed (%s: %s); retrying document by document", error.__class__.__name__, error)
        found: dict[int, list] = {}
        failures: dict[int, dict] = {}
        for i in sorted({u.row for u in units}):
            try:
                found.update(self._run([u for u in units if u.row == i]))
            except Exception as error:  # noqa: BLE001 - this document is quarantined with the reason
                failures[i] = {"status": "quarantined", "reason": f"model failed: {error.__class__.__name__}: {error}",
                               "cause": "model"}
        return found, failures

    def _run(self, units: list[Unit]) -> dict[int, list]:
        spans = self.detector.detect_encoded([u.text for u in units], [u.encoded for u in units])
        found: dict[int, list] = {}
        for unit, doc_spans in zip(units, spans):
            found.setdefault(unit.row, []).extend((unit.column, s) for s in doc_spans)
        return found


# -- redact and write parts ----------------------------------------------------------------------------------

_POLICIES: dict = {}  # one Policy per task process and policy (compiled rules, deny-list automaton)


def _policy(cfg: JobConfig, categories: list[str], key: bytes):
    from ..detect.policy import Policy

    cache_key = (cfg.digest(), tuple(categories), key)
    if cache_key not in _POLICIES:
        _POLICIES.clear()
        _POLICIES[cache_key] = Policy.from_config(cfg, categories, key)
    return _POLICIES[cache_key]


def write_parts(batch: pa.Table, config: JobConfig, key: bytes, categories: list[str]) -> pa.Table:
    """Merges the model's spans with the rules and lists, builds redacted texts and entity records, writes one
    part file per run of consecutive rows of a shard, and returns what the driver needs to account for them
    (PART_REPORT_SCHEMA): never the texts."""
    fs, root = filesystem(config.output.uri, config.io.storage_options)
    paths = OutputPaths(root.rstrip("/"))
    policy = _policy(config, categories, key)
    columns = config.input.text_columns
    by_source: dict[str, list[dict]] = {}
    reports: list[dict] = []
    for row in batch.to_pylist():
        if row["status"] in MARKERS:
            reports.append({"source": row["source"], "part": None, "first_row": -1, "rows": 0, "tokens": 0,
                            "shard_rows": row["shard_rows"] if row["status"] == SHARD_END else None,
                            "failure": row["reason"] if row["status"] == SHARD_FAILED else None})
            continue
        by_source.setdefault(row["source"], []).append(
            _document_outcome(row, columns, policy, key, config.output.include_span_text))
    schema = part_schema(config.output.include_span_text)
    for source, outcomes in by_source.items():
        outcomes.sort(key=lambda o: o["row"])
        for run in _consecutive(outcomes):
            part = f"{paths.parts(source)}/{run[0]['row']:012d}-{len(run)}-{uuid.uuid4().hex[:12]}.parquet"
            fs.makedirs(paths.parts(source), exist_ok=True)
            with fs.open(part, "wb") as f:
                pq.write_table(pa.Table.from_pylist(run, schema=schema), f)
            reports.append({"source": source, "part": part, "first_row": run[0]["row"], "rows": len(run),
                            "tokens": sum(o["tokens"] for o in run), "shard_rows": None, "failure": None})
    return pa.Table.from_pylist(reports, schema=PART_REPORT_SCHEMA)


def _consecutive(outcomes: list[dict]) -> list[list[dict]]:
    runs: list[list[dict]] = []
    for outcome in outcomes:
        if runs and outcome["row"] == runs[-1][-1]["row"] + 1:
            runs[-1].append(outcome)
        else:
            runs.append([outcome])
    return runs


def _document_outcome(row: dict, columns: list[str], policy, key: bytes, include_text: bool) -> dict:
    from ..detect.policy import apply_decisions

    outcome = {"row": row["row"], "doc_id": row["doc_id"], "status": row["status"], "reason": row["reason"],
               "cause": row["cause"], "offset": row["offset"], "length": row["length"],
               "redacted": None, "tokens": row.get("tokens") or 0, "entities": []}
    if row["status"] != "ok":
        return outcome
    try:
        spans_by_column: dict[int, list] = {}
        for c, s, e, label, score in zip(row["span_column"], row["span_start"], row["span_end"],
                                         row["span_label"], row["span_score"]):
            spans_by_column.setdefault(c, []).append(Span(s, e, label, score))
        redacted, entities = [], []
        for c, text in enumerate(row["texts"]):
            decisions = policy.decide(text, spans_by_column.get(c, []))
            redacted.append(apply_decisions(text, decisions))
            entities += entity_rows(row, columns[c], text, decisions, key, include_text)
        outcome["redacted"], outcome["entities"] = redacted, entities
    except Exception as error:  # noqa: BLE001 - fail closed: quarantine, never pass the original through
        outcome.update(status="quarantined", reason=f"redaction failed: {error.__class__.__name__}: {error}",
                       cause="redaction", redacted=None, entities=[])
    return outcome


def entity_rows(row: dict, column: str, text: str, decisions, key: bytes, include_text: bool) -> list[dict]:
    """One entity-table row per decision (ENTITY_FIELDS order)."""
    rows = []
    for d in decisions:
        value = text[d.start : d.end]
        entity = {"doc_id": row["doc_id"], "source": row["source"], "row": row["row"], "column": column,
                  "start": d.start, "end": d.end, "label": d.label, "score": d.score, "text_hmac": text_hmac(value, key),
                  "replacement": d.replacement, "detector": d.detector, "action": d.action}
        if include_text:
            entity["text"] = value
        rows.append(entity)
    return rows

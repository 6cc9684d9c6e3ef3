"""The job's steps as plain callables over Arrow tables; `job.py` wires them into Ray Data.

read_shards -> tokenize_documents -> ModelStage (actor pool) -> write_parts. Every document row comes out
of every step exactly once; a document that fails is marked quarantined with a reason, never passed on as
if redacted.
"""

from __future__ import annotations

import logging
import uuid
from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from ..config import JobConfig, build_section
from ..engine.spans import Span
from ..engine.tokens import Encoded, encode_texts
from ..redaction import text_hmac
from .read import ShardError, read_documents
from .schemas import DOCUMENT_SCHEMA, part_schema
from .shards import OutputPaths, Shard, filesystem

log = logging.getLogger("haremb_batch")
SHARD_FAILED = "shard_failed"
SHARD_EMPTY = "shard_empty"  # a shard with no rows still has to reach the driver to be finalized


def job_config(config: dict) -> JobConfig:
    return build_section(JobConfig, config, "")


# -- read ----------------------------------------------------------------------------------------------------

def read_shards(batch: pa.Table, config: dict):
    """Shard items in, document rows out (a generator of blocks). An unreadable shard becomes one marker row."""
    cfg = job_config(config)
    fs, _ = filesystem(cfg.input.uri, cfg.io.storage_options)
    for item in batch.to_pylist():
        shard = Shard(**item)
        try:
            rows = 0
            for block in read_documents(fs, shard, cfg.input.text_columns, cfg.input.id_column, cfg.output.quarantine_raw):
                rows += block.num_rows
                if block.num_rows:
                    yield block
            if rows == 0:
                yield _marker(shard, SHARD_EMPTY, None)
        except ShardError as error:
            yield _marker(shard, SHARD_FAILED, str(error))


def _marker(shard: Shard, status: str, reason: str | None) -> pa.Table:
    return pa.Table.from_pylist([{"source": shard.relative, "row": -1, "doc_id": None, "texts": None, "status": status,
                                  "reason": reason, "raw": None, "shard_rows": 0}], schema=DOCUMENT_SCHEMA)


# -- tokenize ------------------------------------------------------------------------------------------------

@lru_cache(maxsize=2)
def _tokenizer(model_path: str | None):
    from transformers import AutoTokenizer

    from ..engine.checkpoint import resolve_model_folder

    return AutoTokenizer.from_pretrained(resolve_model_folder(model_path))


def tokenize_documents(batch: pa.Table, config: dict) -> pa.Table:
    """Adds token ids and flat (start, end) offsets per text: the model actor only runs windows."""
    cfg = job_config(config)
    tokenizer = _tokenizer(cfg.model.path)
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

class ModelStage:
    """Holds one Detector (loaded once per actor); runs all windows of the documents it receives, then
    stitches and decodes per document."""

    def __init__(self, config: dict, threads: int | None = None):
        import torch

        from ..engine import Detector

        if threads:
            torch.set_num_threads(threads)
        cfg = job_config(config)
        options = {k: v for k, v in vars(cfg.model).items() if k != "path"}
        options.update(vars(cfg.chunking))
        options.update(vars(cfg.decoding))
        if cfg.runtime.batch_tokens != "auto":
            options["batch_tokens"] = cfg.runtime.batch_tokens
        self.detector = Detector.load(cfg.model.path, **options)

    def __call__(self, batch: pa.Table) -> pa.Table:
        rows = batch.to_pylist()
        units = []  # (row index, column index, text, Encoded) for every text to scan
        for i, row in enumerate(rows):
            if row["status"] != "ok":
                continue
            for c, (text, ids, offsets) in enumerate(zip(row["texts"], row["token_ids"], row["token_offsets"])):
                units.append((i, c, text, Encoded(np.asarray(ids, dtype=np.int64), np.asarray(offsets, dtype=np.int64).reshape(-1, 2))))
        found = self._detect_units(units, rows)
        tokens: dict[int, int] = {}
        for i, _, _, encoded in units:
            tokens[i] = tokens.get(i, 0) + len(encoded)
        out = {name: [] for name in ("tokens", "span_column", "span_start", "span_end", "span_label", "span_score", "span_action")}
        for i, row in enumerate(rows):
            spans = found.get(i, [])
            out["tokens"].append(tokens.get(i, 0))
            out["span_column"].append([c for c, _ in spans])
            out["span_start"].append([s.start for _, s in spans])
            out["span_end"].append([s.end for _, s in spans])
            out["span_label"].append([s.label for _, s in spans])
            out["span_score"].append([s.score for _, s in spans])
            out["span_action"].append([s.action for _, s in spans])
        batch = batch.drop_columns(["token_ids", "token_offsets"])
        for name in ("status", "reason", "cause"):
            values = pa.array([r[name] for r in rows], pa.string())
            batch = batch.set_column(batch.schema.get_field_index(name), name, values)
        types = dict(zip(out, (pa.int64(), pa.list_(pa.int32()), pa.list_(pa.int64()), pa.list_(pa.int64()),
                               pa.list_(pa.string()), pa.list_(pa.float32()), pa.list_(pa.string()))))
        for name, values in out.items():
            batch = batch.append_column(name, pa.array(values, type=types[name]))
        return batch

    def _detect_units(self, units, rows) -> dict[int, list]:
        """All units in one pass; if that fails, one document at a time so only the poison one is quarantined."""
        try:
            return self._run(units)
        except Exception as error:  # noqa: BLE001 - isolate, then quarantine only what still fails
            log.warning("model batch failed (%s: %s); retrying document by document", error.__class__.__name__, error)
        found: dict[int, list] = {}
        for i in sorted({u[0] for u in units}):
            try:
                found.update(self._run([u for u in units if u[0] == i]))
            except Exception as error:  # noqa: BLE001 - this document is quarantined with the reason
                rows[i].update(status="quarantined", reason=f"model failed: {error.__class__.__name__}: {error}", cause="model")
        return found

    def _run(self, units) -> dict[int, list]:
        det = self.detector
        texts = [u[2] for u in units]
        encoded = [u[3] for u in units]
        spans = det.decode(texts, encoded, det.infer(encoded))
        found: dict[int, list] = {}
        for (i, c, _, _), doc_spans in zip(units, spans):
            found.setdefault(i, []).extend((c, s) for s in doc_spans)
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


def write_parts(batch: pa.Table, config: dict, key: bytes, categories: list[str]) -> pa.Table:
    """Merges the model's spans with the rules and lists, builds redacted texts and entity records, writes one
    part file per source shard in the batch, and returns what the driver needs to account for them."""
    cfg = job_config(config)
    fs, root = filesystem(cfg.output.uri, cfg.io.storage_options)
    paths = OutputPaths(root.rstrip("/"))
    policy = _policy(cfg, categories, key)
    columns = cfg.input.text_columns
    by_source: dict[str, list[dict]] = {}
    shard_rows: dict[str, int] = {}
    failed: list[dict] = []  # markers: failed shards (with a reason) and empty ones (without)
    for row in batch.to_pylist():
        if row["status"] in (SHARD_FAILED, SHARD_EMPTY):
            failed.append({"source": row["source"], "part": None, "rows": 0, "shard_rows": 0, "tokens": 0,
                           "failure": row["reason"]})
            continue
        shard_rows[row["source"]] = row["shard_rows"]
        by_source.setdefault(row["source"], []).append(_document_outcome(row, columns, policy, key, cfg.output.include_span_text))
    reports = []
    for source, outcomes in by_source.items():
        part = f"{paths.parts(source)}/{uuid.uuid4().hex}.parquet"
        fs.makedirs(paths.parts(source), exist_ok=True)
        table = pa.Table.from_pylist(outcomes, schema=part_schema(cfg.output.include_span_text))
        with fs.open(part, "wb") as f:
            pq.write_table(table, f)
        reports.append({"source": source, "part": part, "rows": len(outcomes), "shard_rows": shard_rows[source],
                        "tokens": sum(o["tokens"] for o in outcomes), "failure": None})
    return pa.Table.from_pylist(reports + failed, schema=PART_REPORT_SCHEMA)


PART_REPORT_SCHEMA = pa.schema([("source", pa.string()), ("part", pa.string()), ("rows", pa.int64()),
                                ("shard_rows", pa.int64()), ("tokens", pa.int64()), ("failure", pa.string())])


def _document_outcome(row: dict, columns: list[str], policy, key: bytes, include_text: bool) -> dict:
    from ..detect.policy import apply_decisions

    outcome = {"row": row["row"], "doc_id": row["doc_id"], "status": row["status"], "reason": row["reason"],
               "cause": row["cause"], "raw": row["raw"], "offset": row["offset"], "length": row["length"],
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

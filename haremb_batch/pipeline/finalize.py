"""Turn a shard's part files into its outputs: redacted shard, entity table, quarantine, manifest (last)."""

from __future__ import annotations

import gzip
import hashlib
import json
import time
import uuid
from collections import Counter
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .schemas import QUARANTINE_FIELDS, entity_schema, part_schema
from .shards import OutputPaths, Shard, raw_quarantine_path


class AccountingError(RuntimeError):
    """A row came out twice with different outcomes, or never: the shard is not written."""


def merge_parts(fs, parts: list[str], shard_rows: int) -> pa.Table:
    """One row per input row, ordered by row. Retried tasks may have written a row twice: identical copies
    collapse; anything else is an accounting error."""
    tables = []
    for part in parts:
        with fs.open(part, "rb") as f:
            tables.append(pq.read_table(f))
    if not tables and shard_rows == 0:
        return part_schema_table()
    table = pa.concat_tables(tables).sort_by("row") if tables else None
    rows = table.column("row").to_numpy() if table is not None else []
    if table is not None and len(rows) != len(set(rows.tolist())):
        keep = [0] + [i for i in range(1, len(rows)) if rows[i] != rows[i - 1]]
        table = table.take(pa.array(keep))
        rows = table.column("row").to_numpy()
    if table is None or len(rows) != shard_rows or (shard_rows and (rows[0] != 0 or rows[-1] != shard_rows - 1)):
        got = 0 if table is None else len(rows)
        raise AccountingError(f"expected rows 0..{shard_rows - 1}, got {got} distinct rows")
    return table


def part_schema_table() -> pa.Table:
    return part_schema(False).empty_table()


def _write_atomically(fs, path: str, data: bytes) -> dict:
    tmp = f"{path}.tmp-{uuid.uuid4().hex[:8]}"
    fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
    with fs.open(tmp, "wb") as f:
        f.write(data)
    fs.mv(tmp, path)
    return {"path": path, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def _parquet_bytes(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return sink.getvalue().to_pybytes()


def _compress(data: bytes, compression: str | None) -> bytes:
    if compression == "gzip":
        return gzip.compress(data, mtime=0)  # no timestamp: a redone shard is byte-identical
    if compression == "zstd":
        import zstandard

        return zstandard.ZstdCompressor().compress(data)
    return data


def redacted_shard_bytes(fs_in, shard: Shard, outcomes: pa.Table, text_columns: list[str]) -> bytes:
    """The input shard with quarantined rows dropped and text columns replaced; other columns untouched."""
    ok = pc.equal(outcomes.column("status"), "ok")
    redacted = outcomes.filter(ok).column("redacted").to_pylist()
    if shard.format == "parquet":
        with fs_in.open(shard.path, "rb") as f:
            table = pq.read_table(f)
        table = table.filter(ok)
        for c, name in enumerate(text_columns):
            index = table.schema.get_field_index(name)
            values = pa.array([r[c] for r in redacted], type=table.schema.field(name).type)
            table = table.set_column(index, table.schema.field(name), values)
        return _parquet_bytes(table)
    with fs_in.open(shard.path, "rb", compression=shard.compression) as f:
        lines = [line for line in f.read().split(b"\n") if line.strip()]
    keep = ok.to_pylist()
    out_lines, it = [], iter(redacted)
    for line, good in zip(lines, keep):
        if not good:
            continue
        obj = json.loads(line)
        for name, value in zip(text_columns, next(it)):
            obj[name] = value
        out_lines.append(json.dumps(obj, ensure_ascii=False))
    data = ("\n".join(out_lines) + ("\n" if out_lines else "")).encode("utf-8")
    return _compress(data, shard.compression)


class ShardFailure(RuntimeError):
    """Too many rows failed in the model or in redaction: a systematic failure, not bad input. No outputs."""


@dataclass(frozen=True)
class FinalizeOptions:
    text_columns: list[str]
    include_span_text: bool
    identity: dict  # config_digest, model_digest, key_fingerprint: what produced the outputs
    max_failed_fraction: float = 0.01
    raw_quarantine: tuple | None = None  # (filesystem, root) with output.quarantine_raw, else None


def check_failures(outcomes: pa.Table, shard_rows: int, max_fraction: float) -> None:
    """Rows quarantined by the model or redaction (not malformed input) beyond the allowed share fail the shard."""
    causes = outcomes.column("cause").to_pylist()
    failed = [i for i, cause in enumerate(causes) if cause in ("model", "redaction")]
    if failed and len(failed) > max_fraction * shard_rows:
        first = outcomes.column("reason")[failed[0]].as_py()
        raise ShardFailure(f"{len(failed)} of {shard_rows} rows failed in the model or redaction (more than "
                           f"runtime.max_failed_fraction={max_fraction:g}); first error: {first}")


def finalize_shard(fs_in, fs_out, paths: OutputPaths, shard: Shard, parts: list[str], shard_rows: int,
                   options: FinalizeOptions) -> dict:
    return write_shard_outputs(fs_in, fs_out, paths, shard, merge_parts(fs_out, parts, shard_rows), options)


def write_shard_outputs(fs_in, fs_out, paths: OutputPaths, shard: Shard, outcomes: pa.Table,
                        options: FinalizeOptions) -> dict:
    """The shard's outputs from one outcome row per input row (part_schema), then its manifest."""
    shard_rows = outcomes.num_rows
    check_failures(outcomes, shard_rows, options.max_failed_fraction)
    statuses = outcomes.column("status").to_pylist()
    files = {"redacted": _write_atomically(fs_out, paths.redacted(shard), redacted_shard_bytes(fs_in, shard, outcomes, options.text_columns))}

    ok_rows = outcomes.filter(pc.equal(outcomes.column("status"), "ok"))
    entity_rows = [e for es in ok_rows.column("entities").to_pylist() for e in es]
    entities = pa.Table.from_pylist(entity_rows, schema=entity_schema(options.include_span_text))
    files["entities"] = _write_atomically(fs_out, paths.entities(shard), _parquet_bytes(entities))

    quarantined = outcomes.filter(pc.equal(outcomes.column("status"), "quarantined")).to_pylist()
    records = [dict(zip(QUARANTINE_FIELDS, (shard.relative, r["row"], r["doc_id"], r["reason"], r["cause"],
                                            r["offset"], r["length"]))) for r in quarantined]
    files["quarantine"] = _write_atomically(fs_out, paths.quarantine(shard), _jsonl_bytes(records))
    raw_file = None
    if options.raw_quarantine is not None:
        fs_raw, raw_root = options.raw_quarantine
        raw = [{**record, "raw": r["raw"]} for record, r in zip(records, quarantined) if r["raw"] is not None]
        raw_file = _write_atomically(fs_raw, raw_quarantine_path(raw_root, shard), _jsonl_bytes(raw))

    redacted_per_label, kept_per_label, per_detector = Counter(), Counter(), Counter()
    for e in entity_rows:
        (redacted_per_label if e["action"] == "redacted" else kept_per_label)[e["label"]] += 1
        per_detector[e["detector"]] += 1
    manifest = {
        "source": shard.relative, "source_bytes": shard.size, "format": shard.format,
        "rows_in": shard_rows, "rows_redacted": statuses.count("ok"), "rows_quarantined": statuses.count("quarantined"),
        "rows_quarantined_per_cause": dict(sorted(Counter(r["cause"] for r in quarantined).items())),
        "entities": len(entity_rows), "entities_redacted": sum(redacted_per_label.values()),
        "entities_kept": sum(kept_per_label.values()),
        "entities_per_label": dict(sorted(redacted_per_label.items())),
        "entities_kept_per_label": dict(sorted(kept_per_label.items())),
        "entities_per_detector": dict(sorted(per_detector.items())),
        "tokens": int(pc.sum(outcomes.column("tokens")).as_py() or 0),
        "files": files, **options.identity,
        **({"quarantine_raw": raw_file} if raw_file else {}),
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    if manifest["rows_in"] != manifest["rows_redacted"] + manifest["rows_quarantined"]:
        raise AccountingError(f"rows_in {shard_rows} != redacted + quarantined")
    _write_atomically(fs_out, paths.manifest(shard), json.dumps(manifest, indent=2).encode("utf-8"))
    return manifest


def _jsonl_bytes(records: list[dict]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")


IDENTITY_FIELDS = {"config_digest": "the configuration changed", "model_digest": "the model files changed",
                   "key_fingerprint": "the key changed"}


def manifest_problem(fs_out, paths: OutputPaths, shard: Shard, identity: dict) -> str | None:
    """None for a finished shard (its manifest parses, matches the input, the config, the model and the key,
    and its files are there); otherwise why it must be redone."""
    try:
        with fs_out.open(paths.manifest(shard), "rb") as f:
            manifest = json.loads(f.read())
    except FileNotFoundError:
        return "not done yet"
    except ValueError:
        return "its manifest is not valid JSON"
    try:
        if manifest.get("source_bytes") != shard.size:
            return f"the input changed size ({manifest.get('source_bytes')} -> {shard.size} bytes)"
        for name, why in IDENTITY_FIELDS.items():
            if manifest.get(name) != identity.get(name):
                return why
        for entry in manifest["files"].values():
            if not fs_out.exists(entry["path"]) or fs_out.size(entry["path"]) != entry["bytes"]:
                return f"output {entry['path']} is missing or changed"
    except (KeyError, TypeError, AttributeError):
        return "its manifest is incomplete"
    return None


def remove_shard_outputs(fs_out, paths: OutputPaths, shard: Shard, raw_quarantine: tuple | None = None) -> None:
    for path in (paths.manifest(shard), paths.redacted(shard), paths.entities(shard), paths.quarantine(shard)):
        if fs_out.exists(path):
            fs_out.rm(path)
    if fs_out.exists(paths.parts(shard.relative)):
        fs_out.rm(paths.parts(shard.relative), recursive=True)
    if raw_quarantine is not None:
        fs_raw, raw_root = raw_quarantine
        if fs_raw.exists(raw_quarantine_path(raw_root, shard)):
            fs_raw.rm(raw_quarantine_path(raw_root, shard))

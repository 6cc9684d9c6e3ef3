"""Turn a shard's part files into its outputs: redacted shard, entity table, quarantine, manifest (last)."""

from __future__ import annotations

import gzip
import hashlib
import json
import time
import uuid

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .schemas import entity_schema, part_schema
from .shards import OutputPaths, Shard


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
    with fs_in.open(shard.path, "rb", compression="infer") as f:
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
    return gzip.compress(data, mtime=0) if shard.relative.endswith(".gz") else data


def finalize_shard(fs_in, fs_out, paths: OutputPaths, shard: Shard, parts: list[str], shard_rows: int,
                   text_columns: list[str], include_span_text: bool, config_digest: str) -> dict:
    outcomes = merge_parts(fs_out, parts, shard_rows)
    statuses = outcomes.column("status").to_pylist()
    files = {"redacted": _write_atomically(fs_out, paths.redacted(shard), redacted_shard_bytes(fs_in, shard, outcomes, text_columns))}

    ok_rows = outcomes.filter(pc.equal(outcomes.column("status"), "ok"))
    entity_rows = [e for es in ok_rows.column("entities").to_pylist() for e in es]
    entities = pa.Table.from_pylist(entity_rows, schema=entity_schema(include_span_text))
    files["entities"] = _write_atomically(fs_out, paths.entities(shard), _parquet_bytes(entities))

    quarantined = [
        {"source": shard.relative, "row": r["row"], "id": r["doc_id"], "reason": r["reason"], **({"raw": r["raw"]} if r["raw"] is not None else {})}
        for r in outcomes.filter(pc.equal(outcomes.column("status"), "quarantined")).select(["row", "doc_id", "reason", "raw"]).to_pylist()
    ]
    q_data = "".join(json.dumps(q, ensure_ascii=False) + "\n" for q in quarantined).encode("utf-8")
    files["quarantine"] = _write_atomically(fs_out, paths.quarantine(shard), q_data)

    labels: dict[str, int] = {}
    for e in entity_rows:
        if e["action"] == "redacted":
            labels[e["label"]] = labels.get(e["label"], 0) + 1
    manifest = {
        "source": shard.relative, "source_bytes": shard.size, "format": shard.format,
        "rows_in": shard_rows, "rows_redacted": statuses.count("ok"), "rows_quarantined": statuses.count("quarantined"),
        "entities": len(entity_rows), "entities_redacted": sum(labels.values()), "entities_per_label": labels,
        "tokens": int(pc.sum(outcomes.column("tokens")).as_py() or 0),
        "files": files, "config_digest": config_digest, "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    if manifest["rows_in"] != manifest["rows_redacted"] + manifest["rows_quarantined"]:
        raise AccountingError(f"rows_in {shard_rows} != redacted + quarantined")
    _write_atomically(fs_out, paths.manifest(shard), json.dumps(manifest, indent=2).encode("utf-8"))
    return manifest


def manifest_is_valid(fs_out, paths: OutputPaths, shard: Shard, config_digest: str) -> bool:
    """A finished shard: its manifest parses, matches the input and config, and its files are there."""
    try:
        with fs_out.open(paths.manifest(shard), "rb") as f:
            manifest = json.loads(f.read())
        if manifest.get("config_digest") != config_digest or manifest.get("source_bytes") != shard.size:
            return False
        return all(fs_out.exists(entry["path"]) and fs_out.size(entry["path"]) == entry["bytes"]
                   for entry in manifest["files"].values())
    except (FileNotFoundError, KeyError, ValueError, TypeError):
        return False


def remove_shard_outputs(fs_out, paths: OutputPaths, shard: Shard) -> None:
    for path in (paths.manifest(shard), paths.redacted(shard), paths.entities(shard), paths.quarantine(shard)):
        if fs_out.exists(path):
            fs_out.rm(path)
    if fs_out.exists(paths.parts(shard.relative)):
        fs_out.rm(paths.parts(shard.relative), recursive=True)

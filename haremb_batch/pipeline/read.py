"""Read a shard into document rows: text(s) to scrub plus where each came from. Bad rows are marked, not lost."""

from __future__ import annotations

import json
from typing import Iterator

import pyarrow as pa
import pyarrow.parquet as pq

from .schemas import DOCUMENT_SCHEMA
from .shards import Shard

ROWS_PER_BLOCK = 1000


class ShardError(RuntimeError):
    """The shard as a whole cannot be processed (unreadable, a text column missing): it fails, others go on."""


def read_documents(fs, shard: Shard, text_columns: list[str], id_column: str, keep_raw: bool = False) -> Iterator[pa.Table]:
    """Document rows of DOCUMENT_SCHEMA in blocks, in shard order. An unparseable JSON line carries its
    byte offset and length in the (decompressed) shard; its text only with `keep_raw`."""
    rows: list[dict] = []
    if shard.format == "parquet":
        items = list(_parquet_rows(fs, shard, text_columns, id_column))
    else:
        items = list(_jsonl_rows(fs, shard, text_columns, id_column, keep_raw))
    for item in items:
        item["shard_rows"] = len(items)
        rows.append(item)
        if len(rows) == ROWS_PER_BLOCK:
            yield pa.Table.from_pylist(rows, schema=DOCUMENT_SCHEMA)
            rows = []
    if rows or not items:
        yield pa.Table.from_pylist(rows, schema=DOCUMENT_SCHEMA)


def _document(shard: Shard, row: int, doc_id, texts=None, reason: str | None = None, raw: str | None = None,
              where: tuple[int, int] | None = None) -> dict:
    return {
        "source": shard.relative, "row": row,
        "doc_id": str(doc_id) if doc_id is not None else f"{shard.relative}#{row}",
        "texts": texts, "status": "ok" if reason is None else "quarantined", "reason": reason,
        "cause": None if reason is None else "input", "raw": raw,
        "offset": where[0] if where else None, "length": where[1] if where else None,
    }


def _parquet_rows(fs, shard: Shard, text_columns: list[str], id_column: str) -> Iterator[dict]:
    try:
        with fs.open(shard.path, "rb") as f:
            table = pq.read_table(f)
    except Exception as error:  # any reader failure makes the whole shard unreadable
        raise ShardError(f"cannot read Parquet shard {shard.relative}: {error.__class__.__name__}: {error}") from error
    missing = [c for c in text_columns if c not in table.column_names]
    if missing:
        raise ShardError(f"shard {shard.relative} has no column {missing[0]!r} (columns: {', '.join(table.column_names)})")
    ids = table.column(id_column).to_pylist() if id_column in table.column_names else [None] * table.num_rows
    columns = []
    for name in text_columns:
        column = table.column(name)
        if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type) or pa.types.is_null(column.type)):
            columns.append((name, None, str(column.type)))
        else:
            columns.append((name, column.to_pylist(), None))
    for row in range(table.num_rows):
        bad = next(((n, t) for n, values, t in columns if values is None and table.column(n)[row].is_valid), None)
        if bad:
            yield _document(shard, row, ids[row], reason=f"text column {bad[0]!r} holds {bad[1]}, not a string")
        else:
            yield _document(shard, row, ids[row], texts=[values[row] if values is not None else None for _, values, _ in columns])


def _jsonl_rows(fs, shard: Shard, text_columns: list[str], id_column: str, keep_raw: bool) -> Iterator[dict]:
    try:
        with fs.open(shard.path, "rb", compression=shard.compression) as f:
            lines = f.read().split(b"\n")
    except Exception as error:
        raise ShardError(f"cannot read JSONL shard {shard.relative}: {error.__class__.__name__}: {error}") from error
    row, offset = 0, 0
    for line in lines:
        where, offset = (offset, len(line)), offset + len(line) + 1
        if not line.strip():
            continue  # blank lines are not rows
        yield _parse_line(shard, row, line, text_columns, id_column, where, keep_raw)
        row += 1


def _parse_line(shard: Shard, row: int, line: bytes, text_columns: list[str], id_column: str,
                where: tuple[int, int], keep_raw: bool) -> dict:
    raw = line.decode("utf-8", errors="replace").rstrip("\r") if keep_raw else None
    try:
        obj = json.loads(line.decode("utf-8"))
    except UnicodeDecodeError:
        return _document(shard, row, None, reason="line is not valid UTF-8", raw=raw, where=where)
    except json.JSONDecodeError as error:
        return _document(shard, row, None, reason=f"line is not valid JSON ({error.msg} at column {error.colno})",
                         raw=raw, where=where)
    if not isinstance(obj, dict):
        return _document(shard, row, None, reason=f"line is a JSON {type(obj).__name__}, not an object", raw=raw, where=where)
    doc_id = obj.get(id_column)
    texts = []
    for name in text_columns:
        if name not in obj:
            return _document(shard, row, doc_id, reason=f"row has no field {name!r}", where=where)
        value = obj[name]
        if value is not None and not isinstance(value, str):
            return _document(shard, row, doc_id, reason=f"field {name!r} is a JSON {type(value).__name__}, not a string",
                             where=where)
        texts.append(value)
    return _document(shard, row, doc_id, texts=texts)

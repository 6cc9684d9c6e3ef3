"""Codecs read and write shards streaming, with one row numbering; the finalizer merges parts in row order."""

from __future__ import annotations

import gzip
import io
import json

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard

from haremb_batch.pipeline import codecs
from haremb_batch.pipeline.codecs import AccountingError, codec_for
from haremb_batch.pipeline.finalize import Part, ordered_outcomes
from haremb_batch.pipeline.shards import discover_shards


def outcome(row: int, texts, ok: bool = True) -> dict:
    return {"row": row, "status": "ok" if ok else "quarantined", "redacted": [t.upper() if t else t for t in texts] if ok else None}


def roundtrip(path, text_columns=("text",)):
    inputs = discover_shards(str(path), {})
    shard = inputs.shards[0]
    codec = codec_for(shard)
    documents = list(codec.read(inputs.fs, shard, list(text_columns), "id"))
    outcomes = iter([outcome(d["row"], d["texts"] or [], ok=d["status"] == "ok" and d["row"] % 3 != 1) for d in documents])
    sink = io.BytesIO()
    written = codec.write_redacted(inputs.fs, shard, _Unclosable(sink), outcomes, list(text_columns))
    return documents, written, sink.getvalue()


class _Unclosable(io.RawIOBase):
    def __init__(self, target):
        self.target = target

    def writable(self):
        return True

    def write(self, data):
        return self.target.write(bytes(data))

    def close(self):
        pass


def test_parquet_streams_in_batches_and_passes_other_columns_through(tmp_path, monkeypatch):
    monkeypatch.setattr(codecs, "PARQUET_BATCH_ROWS", 7)  # many batches: the row numbering crosses them
    n = 50
    table = pa.table({
        "id": [f"r{i}" for i in range(n)],
        "text": [f"text {i}" if i != 5 else None for i in range(n)],
        "payload": pa.array([bytes([i]) * 100 for i in range(n)], pa.binary()),
        "nested": pa.array([{"a": i, "b": [i, i]} for i in range(n)]),
        "when": pa.array(list(range(n)), pa.timestamp("ms")),
    })
    pq.write_table(table, tmp_path / "x.parquet", row_group_size=16)
    documents, written, data = roundtrip(tmp_path / "x.parquet")
    assert [d["row"] for d in documents] == list(range(n)) and written == n
    out = pq.read_table(io.BytesIO(data))
    keep = [i for i in range(n) if i % 3 != 1]
    assert out.schema == table.schema
    assert out.column("payload").to_pylist() == [table.column("payload")[i].as_py() for i in keep]
    assert out.column("nested").to_pylist() == [table.column("nested")[i].as_py() for i in keep]
    assert out.column("text").to_pylist() == [f"TEXT {i}" if i != 5 else None for i in keep]


@pytest.mark.parametrize("name, compress", [
    ("x.jsonl", lambda b: b), ("x.ndjson.gz", lambda b: gzip.compress(b)),
    ("x.JSONL.ZST", lambda b: zstandard.ZstdCompressor().compress(b))])
def test_jsonl_streams_lines_and_keeps_offsets(tmp_path, monkeypatch, name, compress):
    monkeypatch.setattr(codecs, "READ_CHUNK", 5)  # lines cross read chunks
    lines = [json.dumps({"id": i, "text": f"line {i} ✓", "meta": {"k": [i]}}, ensure_ascii=False) for i in range(10)]
    lines.insert(4, "")  # a blank line is not a row
    lines.insert(6, "{broken")
    raw = ("\n".join(lines) + "\n").encode("utf-8")
    (tmp_path / name).write_bytes(compress(raw))
    documents, written, data = roundtrip(tmp_path / name)
    assert written == 11 and [d["row"] for d in documents] == list(range(11))
    broken = next(d for d in documents if d["status"] == "quarantined")
    assert raw[broken["offset"]: broken["offset"] + broken["length"]] == b"{broken"
    if name.endswith(".gz"):
        data = gzip.decompress(data)
    elif name.endswith(".ZST"):
        data = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data)).read()
    out = [json.loads(line) for line in data.decode("utf-8").splitlines()]
    kept = [d for d in documents if d["status"] == "ok" and d["row"] % 3 != 1]
    assert [o["text"] for o in out] == [d["texts"][0].upper() for d in kept]
    assert all(o["meta"] == {"k": [o["id"]]} for o in out)


def test_writing_with_missing_or_extra_outcomes_is_an_accounting_error(tmp_path):
    (tmp_path / "x.jsonl").write_text('{"text": "a"}\n{"text": "b"}\n')
    shard = discover_shards(str(tmp_path / "x.jsonl"), {}).shards[0]
    fs = fsspec.filesystem("file")
    with pytest.raises(AccountingError, match="input row 1 has none"):
        codec_for(shard).write_redacted(fs, shard, io.BytesIO(), iter([outcome(0, ["a"])]), ["text"])


def test_ordered_outcomes_merge_parts_drop_retried_copies_and_catch_gaps(tmp_path):
    fs = fsspec.filesystem("file")

    def part(first: int, rows: int) -> Part:
        path = tmp_path / f"{first}-{rows}-{len(list(tmp_path.iterdir()))}.parquet"
        pq.write_table(pa.table({"row": list(range(first, first + rows))}), path)
        return Part(first, rows, str(path))

    parts = [part(4, 3), part(0, 4), part(2, 4), part(7, 1)]  # out of order; rows 2..5 came back twice
    assert [o["row"] for o in ordered_outcomes(fs, parts, 8)] == list(range(8))
    with pytest.raises(AccountingError, match="rows 4..6 never came back"):
        list(ordered_outcomes(fs, [part(0, 4), part(7, 1)], 8))
    with pytest.raises(AccountingError, match="expected rows 0..8"):
        list(ordered_outcomes(fs, [part(0, 4), part(4, 4)], 9))


def test_rows_python_cannot_read_or_write_back_are_quarantined_not_the_shard(tmp_path):
    lines = ['{"text": "a", "n": ' + "9" * 5000 + "}", '{"text": "b", "other": "\\ud800"}', '{"text": "c"}']
    (tmp_path / "x.jsonl").write_text("\n".join(lines) + "\n")
    inputs = discover_shards(str(tmp_path), {})
    documents = list(codec_for(inputs.shards[0]).read(inputs.fs, inputs.shards[0], ["text"], "id"))
    assert [d["status"] for d in documents] == ["quarantined", "quarantined", "ok"]
    assert "ValueError" in documents[0]["reason"] and "surrogate" in documents[1]["reason"]


def test_dictionary_encoded_text_column_is_text(tmp_path):
    table = pa.table({"text": pa.array(["Ann", None, "Bo"]).dictionary_encode(), "n": [1, 2, 3]})
    pq.write_table(table, tmp_path / "cat.parquet")
    documents, written, data = roundtrip(tmp_path / "cat.parquet")
    assert [d["status"] for d in documents] == ["ok", "ok", "ok"]
    out = pq.read_table(io.BytesIO(data))
    assert out.schema == table.schema and out.column("text").to_pylist() == ["ANN", "BO"]

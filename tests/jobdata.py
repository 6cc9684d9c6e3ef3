"""Input shards for the job tests and the checks every job output must pass."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import zstandard

from haremb_batch import Span, redact_text
from haremb_batch.pipeline.schemas import entity_schema


def write_shards(root: Path, texts: list[str]) -> dict[str, int]:
    """A folder of shards with every kind of row the job must handle; returns rows per shard."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "nested" / "deeper").mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({
        "id": [f"p{i}" for i in range(12)],
        "text": texts[:10] + ["", None],
        "score": [float(i) for i in range(12)],
    }), root / "a.parquet")
    lines = [json.dumps({"id": i, "text": t, "meta": {"k": i}}) for i, t in enumerate(texts[10:16])]
    lines += [
        "{this is not json",
        json.dumps({"id": 98, "text": 12345}),
        json.dumps({"id": 99, "text": None}),
        json.dumps({"id": 100, "text": ""}),
        json.dumps({"id": 101, "text": "Zoë Müller 🙂 lives in Zürich; 東京の田中さん, tel +81 3-1234-5678"}, ensure_ascii=False),
        "",  # a blank line is not a row
    ]
    (root / "nested" / "deeper" / "b.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with gzip.open(root / "nested" / "c.jsonl.gz", "wt", encoding="utf-8") as f:
        for i, t in enumerate(texts[16:20]):
            f.write(json.dumps({"text": t}) + "\n")
    (root / "d.json").write_text(json.dumps({"id": "only", "text": texts[20]}) + "\n", encoding="utf-8")
    # same name, another format: every output name keeps the extension, so the two never collide
    pq.write_table(pa.table({"id": ["dp0", "dp1"], "text": texts[21:23]}), root / "d.parquet")
    (root / "nested" / "e.ndjson.zst").write_bytes(zstandard.ZstdCompressor().compress(
        "".join(json.dumps({"text": t, "n": i}) + "\n" for i, t in enumerate(texts[23:26])).encode("utf-8")))
    (root / "UPPER.JSONL").write_text("".join(json.dumps({"text": t}) + "\n" for t in texts[26:28]), encoding="utf-8")
    (root / "empty.jsonl").write_text("")
    (root / "notes.txt").write_text("not a shard")
    (root / "table.csv").write_text("text\nnot a shard either\n")
    return {"a.parquet": 12, "nested/deeper/b.jsonl": 11, "nested/c.jsonl.gz": 4, "d.json": 1, "d.parquet": 2,
            "nested/e.ndjson.zst": 3, "UPPER.JSONL": 2, "empty.jsonl": 0}


SHARD_TEXTS = 28  # texts write_shards needs


def shard_bytes(path: Path) -> bytes:
    """A JSON Lines shard's bytes, decompressed."""
    data = path.read_bytes()
    if path.name.lower().endswith(".gz"):
        return gzip.decompress(data)
    if path.name.lower().endswith(".zst"):
        return zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data)).read()
    return data


def read_rows(path: Path) -> list[dict]:
    if path.suffix == ".parquet":
        return pq.read_table(path).to_pylist()
    return [json.loads(line) for line in shard_bytes(path).decode("utf-8").splitlines() if line.strip()]


def check_outputs(inp: Path, out: Path, expected_rows: dict[str, int], method: str = "mask", key: bytes | None = None) -> dict:
    """Row accounting, 1:1 names, schemas, and redacted == original with exactly the listed spans replaced."""
    totals = {"redacted": 0, "quarantined": 0, "entities": 0}
    for rel, n_rows in expected_rows.items():
        manifest = json.loads((out / "_manifest" / f"{rel}.json").read_text())
        assert manifest["rows_in"] == n_rows == manifest["rows_redacted"] + manifest["rows_quarantined"]
        originals = read_rows(inp / rel) if not rel.endswith("b.jsonl") else None
        redacted = read_rows(out / "redacted" / rel)
        quarantine = [json.loads(l) for l in (out / "quarantine" / f"{rel}.jsonl").read_text().splitlines()]
        entities = pq.read_table(out / "entities" / f"{rel}.parquet")
        for q in quarantine:  # where the row is and why, never its content; the bytes give the line back
            assert set(q) == {"source", "row", "id", "reason", "cause", "offset", "length"}, q
            if not rel.endswith(".parquet"):
                line = shard_bytes(inp / rel)[q["offset"]: q["offset"] + q["length"]]
                assert [l for l in shard_bytes(inp / rel).split(b"\n") if l.strip()][q["row"]] == line
        assert entities.schema.equals(entity_schema(False)), entities.schema
        assert len(redacted) == manifest["rows_redacted"] and len(quarantine) == manifest["rows_quarantined"]
        quarantined_rows = {q["row"] for q in quarantine}
        if originals is None:  # JSONL with broken lines: originals by row from the parseable lines
            raw = [l for l in (inp / rel).read_text(encoding="utf-8").split("\n") if l.strip()]
            originals = [json.loads(l) if i not in quarantined_rows else None for i, l in enumerate(raw)]
        kept_originals = [o for i, o in enumerate(originals) if i not in quarantined_rows]
        by_row: dict[int, list] = {}
        for e in entities.to_pylist():
            by_row.setdefault(e["row"], []).append(e)
        good_rows = [i for i in range(n_rows) if i not in quarantined_rows]
        for row, original, clean in zip(good_rows, kept_originals, redacted):
            assert {k: v for k, v in original.items() if k != "text"} == {k: v for k, v in clean.items() if k != "text"}
            spans = [Span(e["start"], e["end"], e["label"], e["score"], e["action"]) for e in by_row.get(row, [])]
            assert clean["text"] == redact_text(original["text"], spans, method, key)
            if original["text"] is None:
                assert clean["text"] is None
        totals["redacted"] += len(redacted)
        totals["quarantined"] += len(quarantine)
        totals["entities"] += entities.num_rows
    return totals

"""One codec per shard format: it reads a shard's rows and writes the redacted shard, so what "row N" means
lives in one place. Both directions stream: Parquet by record batches, JSON Lines by lines (through gzip or
zstd streams); no shard is ever held in memory whole.

Reading yields document rows (DOCUMENT_SCHEMA fields, without shard_rows) in shard order; only the text and
id columns are read. Writing walks the input again in the same order, takes one outcome per row (in row
order) and writes the row back with its text columns replaced, or leaves it out when it was quarantined;
every other column passes through untouched, types included.
"""

from __future__ import annotations

import gzip
import json
from typing import Iterator

import pyarrow as pa
import pyarrow.parquet as pq

from .shards import Shard

READ_CHUNK = 1 << 20  # bytes of decompressed JSON Lines read at a time
PARQUET_BATCH_ROWS = 1024


class ShardError(RuntimeError):
    """The shard as a whole cannot be processed (unreadable, a text column missing): it fails, others go on."""


class AccountingError(RuntimeError):
    """A row came out twice with different outcomes, or never, or the input changed: the shard is not written."""


def document(shard: Shard, row: int, doc_id, texts=None, reason: str | None = None,
             where: tuple[int, int] | None = None) -> dict:
    return {
        "source": shard.relative, "row": row,
        "doc_id": str(doc_id) if doc_id is not None else f"{shard.relative}#{row}",
        "texts": texts, "status": "ok" if reason is None else "quarantined", "reason": reason,
        "cause": None if reason is None else "input",
        "offset": where[0] if where else None, "length": where[1] if where else None,
    }


def codec_for(shard: Shard):
    return PARQUET if shard.format == "parquet" else JSONL


# -- Parquet -------------------------------------------------------------------------------------------------

class ParquetCodec:
    def read(self, fs, shard: Shard, text_columns: list[str], id_column: str) -> Iterator[dict]:
        try:
            f = fs.open(shard.path, "rb")
            parquet = pq.ParquetFile(f)
        except Exception as error:  # any reader failure makes the whole shard unreadable
            raise ShardError(f"cannot read Parquet shard {shard.relative}: {error.__class__.__name__}: {error}") from error
        with f:
            names = parquet.schema_arrow.names
            missing = [c for c in text_columns if c not in names]
            if missing:
                raise ShardError(f"shard {shard.relative} has no column {missing[0]!r} (columns: {', '.join(names)})")
            kinds = {c: parquet.schema_arrow.field(c).type for c in text_columns}
            wanted = list(dict.fromkeys(text_columns + ([id_column] if id_column in names else [])))
            row = 0
            try:
                for batch in parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS, columns=wanted):
                    yield from self._documents(shard, batch, row, text_columns, id_column, kinds)
                    row += batch.num_rows
            except ShardError:
                raise
            except Exception as error:
                raise ShardError(f"cannot read Parquet shard {shard.relative} at row {row}: "
                                 f"{error.__class__.__name__}: {error}") from error

    @staticmethod
    def _documents(shard, batch: pa.RecordBatch, first: int, text_columns, id_column, kinds) -> Iterator[dict]:
        ids = batch.column(id_column).to_pylist() if id_column in batch.schema.names else [None] * batch.num_rows
        values = {}
        for name in text_columns:
            values[name] = batch.column(name).to_pylist() if is_textual(kinds[name]) else None
        for i in range(batch.num_rows):
            row = first + i
            bad = next((n for n in text_columns if values[n] is None and batch.column(n)[i].is_valid), None)
            if bad:
                yield document(shard, row, ids[i], reason=f"text column {bad!r} holds {kinds[bad]}, not a string")
            else:
                yield document(shard, row, ids[i], texts=[values[n][i] if values[n] is not None else None for n in text_columns])

    def write_redacted(self, fs_in, shard: Shard, sink, outcomes: Iterator[dict], text_columns: list[str]) -> int:
        with fs_in.open(shard.path, "rb") as f:
            parquet = pq.ParquetFile(f)
            schema = parquet.schema_arrow
            row = 0
            with pq.ParquetWriter(sink, schema) as writer:
                for batch in parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS):
                    taken = [_next_outcome(outcomes, row + i, shard) for i in range(batch.num_rows)]
                    row += batch.num_rows
                    keep = [o["status"] == "ok" for o in taken]
                    kept = batch.filter(pa.array(keep, pa.bool_()))
                    redacted = [o["redacted"] for o in taken if o["status"] == "ok"]
                    arrays = list(kept.columns)
                    for c, name in enumerate(text_columns):
                        index = schema.get_field_index(name)
                        arrays[index] = pa.array([r[c] for r in redacted], type=schema.field(name).type)
                    writer.write_batch(pa.RecordBatch.from_arrays(arrays, schema=schema))
        return row


def is_textual(kind: pa.DataType) -> bool:
    """String columns in any of Arrow's encodings (pandas categoricals arrive dictionary-encoded)."""
    if pa.types.is_dictionary(kind):
        return is_textual(kind.value_type)
    return (pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind)
            or pa.types.is_null(kind))


# -- JSON Lines ----------------------------------------------------------------------------------------------

def shard_lines(fs, shard: Shard) -> Iterator[tuple[int, bytes]]:
    """(byte offset in the decompressed stream, line without its newline) for every line, blank ones too."""
    with fs.open(shard.path, "rb", compression=shard.compression) as f:
        offset, pending = 0, b""
        while chunk := f.read(READ_CHUNK):
            pending += chunk
            *complete, pending = pending.split(b"\n")
            for line in complete:
                yield offset, line
                offset += len(line) + 1
        if pending:
            yield offset, pending


class JsonlCodec:
    def read(self, fs, shard: Shard, text_columns: list[str], id_column: str) -> Iterator[dict]:
        row = 0
        lines = shard_lines(fs, shard)
        while True:
            try:
                offset, line = next(lines)
            except StopIteration:
                return
            except Exception as error:
                raise ShardError(f"cannot read JSONL shard {shard.relative}: {error.__class__.__name__}: {error}") from error
            if not line.strip():
                continue  # blank lines are not rows
            yield self._document(shard, row, line, text_columns, id_column, (offset, len(line)))
            row += 1

    @staticmethod
    def _document(shard, row, line: bytes, text_columns, id_column, where) -> dict:
        try:
            obj = json.loads(line.decode("utf-8"))
        except UnicodeDecodeError:
            return document(shard, row, None, reason="line is not valid UTF-8", where=where)
        except json.JSONDecodeError as error:
            return document(shard, row, None, reason=f"line is not valid JSON ({error.msg}; column {error.colno})",
                            where=where)
        except (ValueError, RecursionError) as error:  # an integer past Python's digit limit, nesting too deep
            return document(shard, row, None, reason=f"line cannot be read as JSON here ({error.__class__.__name__})",
                            where=where)
        if b"\\u" in line and not _encodable(json.dumps(obj, ensure_ascii=False)):
            # an unpaired surrogate escape anywhere in the row: the row could not be written back
            return document(shard, row, None, reason="row holds an unpaired surrogate escape, not text", where=where)
        if not isinstance(obj, dict):
            return document(shard, row, None, reason=f"line is a JSON {type(obj).__name__}, not an object", where=where)
        doc_id = obj.get(id_column)
        if doc_id is not None and not _encodable(str(doc_id)):
            doc_id = None  # an id with an unpaired surrogate escape cannot be written: the row's own id is used
        texts = []
        for name in text_columns:
            if name not in obj:
                return document(shard, row, doc_id, reason=f"{MISSING_FIELD} {name!r}", where=where)
            value = obj[name]
            if value is not None and not isinstance(value, str):
                return document(shard, row, doc_id, reason=f"field {name!r} is a JSON {type(value).__name__}, not a string",
                                where=where)
            if value is not None and not _encodable(value):
                return document(shard, row, doc_id, reason=f"field {name!r} holds an unpaired surrogate escape, not text",
                                where=where)
            texts.append(value)
        return document(shard, row, doc_id, texts=texts)

    def write_redacted(self, fs_in, shard: Shard, sink, outcomes: Iterator[dict], text_columns: list[str]) -> int:
        stream = _compressing(sink, shard.compression)
        row = 0
        for _, line in shard_lines(fs_in, shard):
            if not line.strip():
                continue
            outcome = _next_outcome(outcomes, row, shard)
            row += 1
            if outcome["status"] != "ok":
                continue
            obj = json.loads(line)
            for name, value in zip(text_columns, outcome["redacted"]):
                obj[name] = value
            stream.write(json.dumps(obj, ensure_ascii=False).encode("utf-8") + b"\n")
        if stream is not sink:
            stream.close()  # flushes the compressor's frame; the sink stays open
        return row


MISSING_FIELD = "row has no field"  # when every row of a shard says so, the shard fails (a wrong text_column)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


def _compressing(sink, compression: str | None):
    if compression == "gzip":
        return gzip.GzipFile(filename="", mode="wb", fileobj=sink, mtime=0)  # no name, no time: reproducible bytes
    if compression == "zstd":
        import zstandard

        return zstandard.ZstdCompressor().stream_writer(sink, closefd=False)
    return sink


def _next_outcome(outcomes: Iterator[dict], row: int, shard: Shard) -> dict:
    outcome = next(outcomes, None)
    if outcome is None or outcome["row"] != row:
        got = "none" if outcome is None else f"row {outcome['row']}"
        raise AccountingError(f"{shard.relative}: input row {row} has {got} as its outcome (did the input change?)")
    return outcome


PARQUET, JSONL = ParquetCodec(), JsonlCodec()

"""Read a shard into blocks of document rows: text(s) to scrub plus where each came from. Bad rows are marked,
not lost. The rows themselves come from the shard's codec (codecs.py), which numbers them."""

from __future__ import annotations

from typing import Iterator

import pyarrow as pa

from .codecs import ShardError, codec_for
from .schemas import DOCUMENT_SCHEMA
from .shards import Shard

ROWS_PER_BLOCK = 512  # small blocks: the model stage sees the first documents of a shard while it is still read

__all__ = ["ROWS_PER_BLOCK", "ShardError", "read_documents"]


def read_documents(fs, shard: Shard, text_columns: list[str], id_column: str) -> Iterator[pa.Table]:
    """Document rows of DOCUMENT_SCHEMA in blocks, in shard order, streaming. `shard_rows` is -1 on every row:
    the total is only known at the end (the read stage sends it in a marker row). No raw line travels with a
    row: with output.quarantine_raw the finalizer copies it from the input, straight to quarantine_uri."""
    rows: list[dict] = []
    for document in codec_for(shard).read(fs, shard, text_columns, id_column):
        document["shard_rows"] = -1
        rows.append(document)
        if len(rows) == ROWS_PER_BLOCK:
            yield pa.Table.from_pylist(rows, schema=DOCUMENT_SCHEMA)
            rows = []
    if rows:
        yield pa.Table.from_pylist(rows, schema=DOCUMENT_SCHEMA)

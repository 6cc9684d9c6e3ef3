"""Explicit Arrow schemas for every table the job passes between stages or writes."""

import pyarrow as pa

# one row per input row, from the read stage on
DOCUMENT_SCHEMA = pa.schema([
    ("source", pa.string()),  # input shard, relative to the input root
    ("row", pa.int64()),  # 0-based row (JSONL: non-blank line) in the shard
    ("doc_id", pa.string()),
    ("texts", pa.list_(pa.string())),  # one per text column; null when the row is quarantined
    ("status", pa.string()),  # ok | quarantined
    ("reason", pa.string()),
    ("cause", pa.string()),  # why a row is quarantined: input (malformed), model, redaction
    ("offset", pa.int64()),  # JSON Lines: byte offset of the line in the (decompressed) shard
    ("length", pa.int64()),  # and its length in bytes, without the newline
    ("shard_rows", pa.int64()),  # -1 on document rows; on a shard_end marker, the shard's row count
])

ENTITY_FIELDS = [
    ("doc_id", pa.string()),
    ("source", pa.string()),
    ("row", pa.int64()),
    ("column", pa.string()),
    ("start", pa.int64()),
    ("end", pa.int64()),
    ("label", pa.string()),
    ("score", pa.float32()),
    ("text_hmac", pa.string()),
    ("replacement", pa.string()),
    ("detector", pa.string()),  # model (rule, deny_list, allow_list or detectors joined by +)
    ("action", pa.string()),  # redacted | kept
]


def entity_schema(include_span_text: bool) -> pa.Schema:
    return pa.schema(ENTITY_FIELDS + ([("text", pa.string())] if include_span_text else []))


def part_schema(include_span_text: bool) -> pa.Schema:
    """A part file: one row per document with its outcome, entities nested."""
    return pa.schema([
        ("row", pa.int64()),
        ("doc_id", pa.string()),
        ("status", pa.string()),
        ("reason", pa.string()),
        ("cause", pa.string()),
        ("offset", pa.int64()),
        ("length", pa.int64()),
        ("redacted", pa.list_(pa.string())),
        ("tokens", pa.int64()),
        ("entities", pa.list_(pa.struct(entity_schema(include_span_text)))),
    ])

# quarantine/<relative>.jsonl: where the row is and why, never its content
QUARANTINE_FIELDS = ("source", "row", "id", "reason", "cause", "offset", "length")


# what write_parts tells the driver: per part file, or per marker (shard_end with its row count, shard_failed)
PART_REPORT_SCHEMA = pa.schema([
    ("source", pa.string()),
    ("part", pa.string()),
    ("first_row", pa.int64()),
    ("rows", pa.int64()),
    ("tokens", pa.int64()),
    ("shard_rows", pa.int64()),
    ("failure", pa.string()),
])

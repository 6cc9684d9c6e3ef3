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
    ("raw", pa.string()),  # the raw line, when it could not be parsed
    ("shard_rows", pa.int64()),  # rows in the whole shard: lets the driver see when a shard is complete
])

# what the model stage adds: per text, spans as parallel lists
FOUND_FIELDS = [
    ("tokens", pa.int64()),
    ("span_column", pa.list_(pa.int32())),
    ("span_start", pa.list_(pa.int64())),
    ("span_end", pa.list_(pa.int64())),
    ("span_label", pa.list_(pa.string())),
    ("span_score", pa.list_(pa.float32())),
    ("span_action", pa.list_(pa.string())),
]

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
    ("detector", pa.string()),  # model | rule | deny_list
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
        ("raw", pa.string()),
        ("redacted", pa.list_(pa.string())),
        ("tokens", pa.int64()),
        ("entities", pa.list_(pa.struct(entity_schema(include_span_text)))),
    ])

QUARANTINE_SCHEMA = pa.schema([
    ("source", pa.string()),
    ("row", pa.int64()),
    ("id", pa.string()),
    ("reason", pa.string()),
    ("raw", pa.string()),
])

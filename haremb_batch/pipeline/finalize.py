"""Turn a shard's outcomes into its outputs: redacted shard, entity table, quarantine (and raw quarantine),
then its manifest, last. Everything streams: outcomes come part by part in row order, the redacted shard is
written by the shard's codec while it re-reads the input, entities and quarantine records are written as they
pass. Each file is written under a temporary name, hashed on the way, and renamed when complete.

In the job this runs as a Ray task per shard (`pipeline/job.py`), so no shard's bytes pass through the driver.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections import Counter
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Iterable, Iterator

import pyarrow as pa
import pyarrow.parquet as pq

from .codecs import MISSING_FIELD, AccountingError, codec_for, shard_lines
from .schemas import QUARANTINE_FIELDS, entity_schema
from .shards import OutputPaths, Shard, raw_quarantine_path

ENTITY_ROWS_PER_WRITE = 8192


@dataclass(frozen=True)
class Part:
    """A part file: the outcomes of rows first .. first + rows - 1 of a shard, in row order."""

    first: int
    rows: int
    path: str


def ordered_outcomes(fs, parts: Iterable[Part], shard_rows: int) -> Iterator[dict]:
    """One outcome per row 0 .. shard_rows - 1, reading one part at a time. A retried task may have written
    rows twice: the first copy counts. A row that never came back is an AccountingError."""
    next_row = 0
    for part in sorted(parts, key=lambda p: (p.first, -p.rows)):
        if part.first + part.rows <= next_row:
            continue
        if part.first > next_row:
            raise AccountingError(f"rows {next_row}..{part.first - 1} never came back")
        with fs.open(part.path, "rb") as f:
            rows = pq.read_table(f).to_pylist()
        for row in rows:
            if row["row"] < next_row:
                continue
            if row["row"] != next_row:
                raise AccountingError(f"part {part.path} skips from row {next_row} to {row['row']}")
            yield row
            next_row += 1
    if next_row != shard_rows:
        raise AccountingError(f"expected rows 0..{shard_rows - 1}, got rows 0..{next_row - 1}")


class HashingSink:
    """A writable file that hashes and counts what passes. Closing it leaves the file open: `atomic_output`
    closes and renames it (pyarrow's writers close their sink when they finish)."""

    def __init__(self, f):
        self.f, self.sha256, self.size, self.closed = f, hashlib.sha256(), 0, False

    def write(self, data) -> int:
        data = bytes(data)
        self.f.write(data)
        self.sha256.update(data)
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        self.f.flush()

    def tell(self) -> int:
        return self.size

    def writable(self) -> bool:
        return True

    def close(self) -> None:
        self.closed = True


@contextmanager
def atomic_output(fs, path: str, record: dict):
    """Write through a HashingSink to a temporary name; on success rename to `path` and fill `record` with
    path, bytes and sha256; on failure remove the temporary file."""
    tmp = f"{path}.tmp-{uuid.uuid4().hex[:8]}"
    fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
    f = fs.open(tmp, "wb")
    try:
        sink = HashingSink(f)
        yield sink
        f.close()
        fs.mv(tmp, path)
    except BaseException:
        f.close()
        if fs.exists(tmp):
            fs.rm(tmp)
        raise
    record.update(path=path, bytes=sink.size, sha256=sink.sha256.hexdigest())


def _write_atomically(fs, path: str, data: bytes) -> dict:
    record: dict = {}
    with atomic_output(fs, path, record) as sink:
        sink.write(data)
    return record


class ShardFailure(RuntimeError):
    """Too many rows failed in the model or in redaction: a systematic failure, not bad input. No outputs."""


@dataclass(frozen=True)
class FinalizeOptions:
    text_columns: list[str]
    include_span_text: bool
    identity: dict  # config_digest, model_digest, key_fingerprint: what produced the outputs
    max_failed_fraction: float = 0.01
    raw_quarantine: tuple | None = None  # (filesystem, root) with output.quarantine_raw, else None


class Tally:
    """What the manifest counts, gathered as outcomes pass."""

    def __init__(self):
        self.rows, self.ok, self.tokens = 0, 0, 0
        self.quarantined_per_cause: Counter = Counter()
        self.redacted_per_label, self.kept_per_label, self.per_detector = Counter(), Counter(), Counter()
        self.failed, self.first_failure = 0, None
        self.missing_field, self.first_missing = 0, None
        self.first_input_reason = None

    def add(self, outcome: dict) -> None:
        self.rows += 1
        self.tokens += outcome.get("tokens") or 0
        if outcome["status"] == "ok":
            self.ok += 1
            for e in outcome["entities"]:
                (self.redacted_per_label if e["action"] == "redacted" else self.kept_per_label)[e["label"]] += 1
                self.per_detector[e["detector"]] += 1
            return
        self.quarantined_per_cause[outcome["cause"]] += 1
        if outcome["cause"] == "input":
            self.first_input_reason = self.first_input_reason or outcome["reason"]
        if (outcome["reason"] or "").startswith(MISSING_FIELD):
            self.missing_field += 1
            self.first_missing = self.first_missing or outcome["reason"]
        if outcome["cause"] in ("model", "redaction"):
            self.failed += 1
            self.first_failure = self.first_failure or outcome["reason"]

    def check(self, shard_rows: int, max_fraction: float) -> None:
        """Rows quarantined by the model or redaction (not malformed input) beyond the allowed share fail the
        shard; so does a text field that no row has (a wrong input.text_column, not bad rows), and a shard of
        which no row could be read at all (a JSON array in a .json file, another format under a shard's name)."""
        if shard_rows and self.missing_field == shard_rows:
            raise ShardFailure(f"no row of the shard has the text field ({self.first_missing}): check input.text_column")
        if shard_rows and self.quarantined_per_cause.get("input", 0) == shard_rows:
            raise ShardFailure(f"no row of the shard could be read ({self.first_input_reason}): is it JSON Lines / Parquet?")
        if self.failed and self.failed > max_fraction * shard_rows:
            raise ShardFailure(f"{self.failed} of {shard_rows} rows failed in the model or redaction (more than "
                               f"runtime.max_failed_fraction={max_fraction:g}); first error: {self.first_failure}")


def finalize_shard(fs_in, fs_out, paths: OutputPaths, shard: Shard, parts: list[Part], shard_rows: int,
                   options: FinalizeOptions) -> dict:
    return write_shard_outputs(fs_in, fs_out, paths, shard, ordered_outcomes(fs_out, parts, shard_rows),
                               shard_rows, options)


def write_shard_outputs(fs_in, fs_out, paths: OutputPaths, shard: Shard, outcomes: Iterator[dict], shard_rows: int,
                        options: FinalizeOptions) -> dict:
    """The shard's outputs from one outcome per input row, in row order (part_schema rows), then its manifest.
    Raises AccountingError / ShardFailure before the manifest when the rows do not add up or too many failed;
    the caller then removes what was written."""
    tally, files, raw_file = Tally(), {"redacted": {}, "entities": {}, "quarantine": {}}, {}
    schema = entity_schema(options.include_span_text)
    with ExitStack() as stack:
        entity_sink = stack.enter_context(atomic_output(fs_out, paths.entities(shard), files["entities"]))
        quarantine = stack.enter_context(atomic_output(fs_out, paths.quarantine(shard), files["quarantine"]))
        raw = None
        if options.raw_quarantine is not None:
            fs_raw, raw_root = options.raw_quarantine
            raw = stack.enter_context(atomic_output(fs_raw, raw_quarantine_path(raw_root, shard), raw_file))
        entities = stack.enter_context(pq.ParquetWriter(entity_sink, schema))
        pending: list[dict] = []
        raw_wanted: dict[int, dict] = {}  # byte offset of a quarantined JSON line -> its quarantine record

        def passing() -> Iterator[dict]:
            for outcome in outcomes:
                tally.add(outcome)
                if outcome["status"] == "ok":
                    pending.extend(outcome["entities"])
                    if len(pending) >= ENTITY_ROWS_PER_WRITE:
                        entities.write_table(pa.Table.from_pylist(pending, schema=schema))
                        pending.clear()
                else:
                    record = dict(zip(QUARANTINE_FIELDS, (shard.relative, outcome["row"], outcome["doc_id"], outcome["reason"],
                                                          outcome["cause"], outcome["offset"], outcome["length"])))
                    quarantine.write(_json_line(record))
                    if raw is not None and outcome["offset"] is not None:
                        raw_wanted[outcome["offset"]] = record
                yield outcome

        with atomic_output(fs_out, paths.redacted(shard), files["redacted"]) as redacted_sink:
            written = codec_for(shard).write_redacted(fs_in, shard, redacted_sink, passing(), options.text_columns)
        if written != shard_rows or next(outcomes, None) is not None:
            raise AccountingError(f"{shard.relative}: the input has {written} rows, the outcomes {shard_rows}")
        if pending:
            entities.write_table(pa.Table.from_pylist(pending, schema=schema))
        if raw_wanted:  # opt-in: the quarantined lines, copied from the input straight to quarantine_uri
            for offset, line in shard_lines(fs_in, shard):
                if offset in raw_wanted:
                    raw.write(_json_line({**raw_wanted.pop(offset), "raw": line.decode("utf-8", "replace").rstrip("\r")}))
    tally.check(shard_rows, options.max_failed_fraction)
    manifest = {
        "source": shard.relative, "source_bytes": shard.size, "source_version": shard.version, "format": shard.format,
        "text_columns": list(options.text_columns),
        "rows_in": shard_rows, "rows_redacted": tally.ok, "rows_quarantined": tally.rows - tally.ok,
        "rows_quarantined_per_cause": dict(sorted(tally.quarantined_per_cause.items())),
        "entities": sum(tally.per_detector.values()), "entities_redacted": sum(tally.redacted_per_label.values()),
        "entities_kept": sum(tally.kept_per_label.values()),
        "entities_per_label": dict(sorted(tally.redacted_per_label.items())),
        "entities_kept_per_label": dict(sorted(tally.kept_per_label.items())),
        "entities_per_detector": dict(sorted(tally.per_detector.items())),
        "tokens": tally.tokens,
        "files": files, **options.identity,
        **({"quarantine_raw": raw_file} if raw_file else {}),
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    if manifest["rows_in"] != manifest["rows_redacted"] + manifest["rows_quarantined"]:
        raise AccountingError(f"rows_in {shard_rows} != redacted + quarantined")
    _write_atomically(fs_out, paths.manifest(shard), json.dumps(manifest, indent=2).encode("utf-8"))
    return manifest


def _json_line(record: dict) -> bytes:
    return (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")


IDENTITY_FIELDS = {"config_digest": "the configuration changed", "model_digest": "the model files changed",
                   "categories_digest": "the model's categories changed", "key_fingerprint": "the key changed"}


def manifest_problem(fs_out, paths: OutputPaths, shard: Shard, identity: dict, ignore: tuple = ()) -> str | None:
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
        if manifest.get("source_version") != shard.version:
            return "the input was rewritten (its ETag / modification time changed)"
        for name, why in IDENTITY_FIELDS.items():
            if name not in ignore and manifest.get(name) != identity.get(name):
                return why
        here = {"redacted": paths.redacted(shard), "entities": paths.entities(shard), "quarantine": paths.quarantine(shard)}
        for name, entry in manifest["files"].items():  # where the files are now: an output may have been moved
            path = here.get(name, entry["path"])
            if not fs_out.exists(path) or fs_out.size(path) != entry["bytes"]:
                return f"output {path} is missing or changed"
    except (KeyError, TypeError, AttributeError):
        return "its manifest is incomplete"
    return None


def remove_shard_outputs(fs_out, paths: OutputPaths, shard: Shard, raw_quarantine: tuple | None = None) -> None:
    """The shard's outputs, their temporary files (a worker killed mid-write) and its parts."""
    for path in (paths.manifest(shard), paths.redacted(shard), paths.entities(shard), paths.quarantine(shard)):
        for leftover in [path] + fs_out.glob(f"{path}.tmp-*"):
            if fs_out.exists(leftover):
                fs_out.rm(leftover)
    if fs_out.exists(paths.parts(shard.relative)):
        fs_out.rm(paths.parts(shard.relative), recursive=True)
    if raw_quarantine is not None:
        fs_raw, raw_root = raw_quarantine
        if fs_raw.exists(raw_quarantine_path(raw_root, shard)):
            fs_raw.rm(raw_quarantine_path(raw_root, shard))

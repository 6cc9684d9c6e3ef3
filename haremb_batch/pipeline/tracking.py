"""What the driver knows of each shard while the job runs: small accounting records only (part paths and row
ranges, token counts, the row count once the shard's end marker arrives). From them it decides when a shard
is complete, and prints progress that works without a terminal."""

from __future__ import annotations

import logging
import sys
import threading
import time
from dataclasses import dataclass, field

from .finalize import Part
from .shards import Shard

log = logging.getLogger("haremb_batch")


@dataclass
class ShardProgress:
    shard: Shard
    parts: list[Part] = field(default_factory=list)
    covered: list[list[int]] = field(default_factory=list)  # merged [start, end) row ranges that came back
    total: int | None = None  # known once the end marker arrives
    failure: str | None = None
    submitted: bool = False  # its finalize task was started
    finished: bool = False

    @property
    def rows(self) -> int:
        return sum(end - start for start, end in self.covered)

    def cover(self, first: int, rows: int) -> None:
        spans = sorted(self.covered + [[first, first + rows]])
        merged: list[list[int]] = []
        for start, end in spans:
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self.covered = merged

    @property
    def complete(self) -> bool:
        return self.failure is None and self.total is not None and self.rows == self.total


class Tracker:
    def __init__(self, shards: list[Shard]):
        self.shards = {s.relative: ShardProgress(s) for s in shards}
        self.tokens = 0
        self.started = time.time()

    def add(self, report: dict) -> ShardProgress | None:
        """One PART_REPORT_SCHEMA record; returns the shard when this record completed it."""
        progress = self.shards[report["source"]]
        if report["failure"] is not None:
            if not progress.submitted:  # a late failure of a re-run read cannot undo a shard already complete
                progress.failure = progress.failure or report["failure"]
            return None
        if report["shard_rows"] is not None:
            progress.total = report["shard_rows"]
        if report["part"] is not None:
            progress.parts.append(Part(report["first_row"], report["rows"], report["part"]))
            progress.cover(report["first_row"], report["rows"])
            self.tokens += report["tokens"]
        if progress.complete and not progress.submitted:
            progress.submitted = True
            return progress
        return None

    def line(self) -> str:
        """shards done/total, rows, tokens/s and an ETA from the input bytes done so far."""
        shards = list(self.shards.values())
        done = sum(p.finished for p in shards)
        total_bytes = sum(p.shard.size for p in shards) or 1
        done_bytes = sum(p.shard.size * (1.0 if p.finished or p.failure else
                                         (p.rows / p.total if p.total else 0.0)) for p in shards)
        elapsed = time.time() - self.started
        eta = "unknown" if done_bytes <= 0 else _duration(elapsed * (total_bytes - done_bytes) / done_bytes)
        rows = sum(p.rows for p in shards)
        return (f"progress: {done}/{len(shards)} shards done, {rows:,} rows, "
                f"{self.tokens / elapsed if elapsed else 0:,.0f} tokens/s, ETA {eta}")


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m" if seconds >= 3600 else f"{seconds // 60}m{seconds % 60:02d}s"


class ProgressPrinter:
    """A line on stderr every `every` seconds while the job runs, terminal or not."""

    def __init__(self, tracker: Tracker, every: float = 10.0):
        self.tracker, self.every = tracker, every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="haremb-progress", daemon=True)

    def __enter__(self) -> "ProgressPrinter":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=1)

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            print(self.tracker.line(), file=sys.stderr, flush=True)

"""The whole job measured from outside, for `jobs/benchmark.py --job` and `--scale` (see its docstring).

- job_against_engine: the same documents through `Detector.detect` in one process and through
  `jobs/redact.py`, both as tokens/s: once starting its own local Ray cluster (cluster start and shutdown
  included), once joining a 2-CPU cluster that was already running, as a job given to `ray job submit` does.
  The checkpoint has random weights, the slice's shapes and a score head that finds ~8 spans per 250 tokens,
  as in real text (`--model` for any other). Both sides' CPU seconds are measured too (every process the
  side started, read from /proc while it runs), and the job's split by process: the model actor, the stage
  and finalize tasks, the driver, Ray Data's own actors and Ray's own processes. On a machine with few cores,
  CPU that is not the model's is wall time the model waits.
- scale: two shards of ~400 MB each (a Parquet shard and a JSON Lines shard, mostly a non-text payload), run
  against a cluster started apart, so the driver is the `redact.py` process alone and its peak RSS is its
  own; then outputs compared with inputs row by row (all but the text); then 20 shards, to see when the
  first manifest appears within the run.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parent.parent
REDACT = str(REPO / "jobs" / "redact.py")


def _write_jsonl_shards(folder: Path, docs: list[str], shards: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for s in range(shards):
        with open(folder / f"part-{s:03d}.jsonl", "w", encoding="utf-8") as f:
            for i, doc in enumerate(docs[s::shards]):
                f.write(json.dumps({"id": f"{s}-{i}", "text": doc}, ensure_ascii=False) + "\n")


def job_against_engine(model: str | None, lengths: str, total_tokens: int, json_path: str | None) -> int:
    from transformers import AutoTokenizer

    from benchmark import build_real_shape_checkpoint, make_documents

    cache = Path(tempfile.gettempdir()) / "haremb-benchmark"
    # ~8 model spans per 250 tokens, as in real text (the default random head finds one every other token,
    # which multiplies the write stage's work by ~13 and the engine's by nothing)
    model = model or str(build_real_shape_checkpoint(cache / "real-shape-1layer-sparse", sparse=True))
    tokenizer = AutoTokenizer.from_pretrained(model)
    results = []
    for length in [int(x) for x in lengths.split(",")]:
        docs = make_documents(length, total_tokens, seed=length, tokenizer=tokenizer)
        tokens = sum(len(tokenizer(d, add_special_tokens=False)["input_ids"]) for d in docs)
        with tempfile.TemporaryDirectory() as tmp:
            docs_file = Path(tmp) / "docs.json"
            docs_file.write_text(json.dumps(docs))
            engine_code = ("import json, sys, time; t = time.perf_counter(); from haremb_batch import Detector; "
                           "d = Detector.load(sys.argv[1]); docs = json.load(open(sys.argv[2])); "
                           "[d.detect(docs[i:i + 128]) for i in range(0, len(docs), 128)]; "
                           "print(time.perf_counter() - t)")
            started = time.perf_counter()
            engine, engine_cpu = _with_cpu([sys.executable, "-c", engine_code, model, str(docs_file)], cwd=REPO)
            engine_s = time.perf_counter() - started
            if engine.returncode != 0:
                print(engine.stderr[-2000:], file=sys.stderr)
                return 1
            _write_jsonl_shards(Path(tmp) / "in", docs, shards=4)
            job_cpu: dict = {}
            job_s = _timed_job(Path(tmp), model, "out", dict(os.environ), job_cpu)  # starts (and stops) its own cluster
            running_s = _job_on_running_cluster(Path(tmp), model)  # as under `ray job submit`
            if job_s is None or running_s is None:
                return 1
            entities = json.loads((Path(tmp) / "out" / "_report.json").read_text())["entities"]["redacted"]
        row = {"tokens_per_doc": length, "documents": len(docs), "tokens": tokens,
               "engine_seconds": round(engine_s, 2), "job_seconds": round(job_s, 2),
               "engine_tokens_per_s": round(tokens / engine_s, 1), "job_tokens_per_s": round(tokens / job_s, 1),
               "job_over_engine": round(engine_s / job_s, 3), "job_on_running_cluster_seconds": round(running_s, 2),
               "job_on_running_cluster_over_engine": round(engine_s / running_s, 3),
               "spans_per_document": round(entities / len(docs), 1),
               "engine_cpu_seconds": round(sum(engine_cpu.values()), 1),
               "job_cpu_seconds": {k: round(v, 1) for k, v in sorted(job_cpu.items(), key=lambda kv: -kv[1])}}
        results.append(row)
        print(f"{length:>6} tokens/doc, {tokens:,} tokens: engine {row['engine_tokens_per_s']:,.0f} tok/s "
              f"({engine_s:.1f} s, model load included), job {row['job_tokens_per_s']:,.0f} tok/s ({job_s:.1f} s, "
              f"cluster start included): job = {100 * row['job_over_engine']:.0f}% of the engine; on a running "
              f"cluster {running_s:.1f} s = {100 * row['job_on_running_cluster_over_engine']:.0f}%; "
              f"{row['spans_per_document']} spans redacted per document", flush=True)
        print(f"         CPU seconds: engine {row['engine_cpu_seconds']}, job {sum(job_cpu.values()):.1f} ("
              + ", ".join(f"{k} {v}" for k, v in row["job_cpu_seconds"].items()) + ")", flush=True)
    if json_path:
        Path(json_path).write_text(json.dumps({"model": model, "results": results}, indent=2))
    return 0


def _timed_job(root: Path, model: str, out: str, env: dict, cpu: dict | None = None) -> float | None:
    """Wall seconds of one `redact.py` run over root/in (None if it failed); its CPU seconds by kind of
    process into `cpu`, if given."""
    started = time.perf_counter()
    job, seconds = _with_cpu([sys.executable, REDACT, "--input", str(root / "in"), "--output", str(root / out),
                              "--model", model], env=env)
    if cpu is not None:
        cpu.update(seconds)
    if job.returncode != 0:
        print(job.stderr[-3000:], file=sys.stderr)
        return None
    return time.perf_counter() - started


def _job_on_running_cluster(root: Path, model: str) -> float | None:
    """The job joining a 2-CPU cluster started before it (not timed), as a submitted job does."""
    from haremb_dev.raycluster import start_head

    env = dict(os.environ, RAY_AUTH_MODE="token", RAY_AUTH_TOKEN="haremb-bench-" + secrets.token_hex(16))
    head = start_head(num_cpus=2, env=env)
    try:
        return _timed_job(root, model, "out-running", dict(env, RAY_ADDRESS=head.address))
    finally:
        head.stop()


def _with_cpu(command: list[str], **kwargs) -> tuple[subprocess.CompletedProcess, dict[str, float]]:
    """Runs `command` and returns its result and the CPU seconds of every process that appeared while it ran
    (its own children and the Ray processes they start), by kind (_process_kind). Sampled from /proc every
    0.1 s, so a process that lives less than that is missed; processes that were running before are ignored."""
    before = set(_process_cpu())
    seen: dict[int, tuple[float, str]] = {}
    # output into files, not pipes: nobody reads a pipe while this polls, and a full one would stall the command
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(command, stdout=out, stderr=err, text=True, **kwargs)
        while True:
            for pid, (cpu, title) in _process_cpu().items():
                if pid not in before:
                    kind = seen.get(pid, (0.0, ""))[1]  # an actor's kind sticks; an exiting process has no title
                    sticks = kind in STICKY or (kind and not title.strip())
                    seen[pid] = (cpu, kind if sticks else _process_kind(title, pid == proc.pid))
            if proc.poll() is not None:
                break
            time.sleep(0.1)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    by_kind: dict[str, float] = {}
    for cpu, kind in seen.values():
        by_kind[kind] = by_kind.get(kind, 0.0) + cpu
    return subprocess.CompletedProcess(command, proc.returncode, stdout, stderr), by_kind


def _process_cpu() -> dict[int, tuple[float, str]]:
    """CPU seconds (user + system) and command line of every process, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            title = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        found[int(entry)] = ((int(fields[11]) + int(fields[12])) / ticks, title)
    return found


STICKY = ("model actor", "Ray Data's actors")


def _process_kind(title: str, main: bool) -> str:
    if main:
        return "driver"  # the process started: redact.py (or the engine's one process)
    if "ModelStage" in title:
        return "model actor"
    if any(name in title for name in ("_StatsActor", "_AutoscalingCoordinator", "ActorLocationTracker")):
        return "Ray Data's actors"
    if "DashboardAgent" in title or "RuntimeEnvAgent" in title:
        return "Ray's own processes"
    if title.startswith("ray::") or "default_worker.py" in title:  # a worker before it names itself
        return "stage and finalize tasks"  # read, tokenize, write_parts, finalize_task, or idle between them
    return "Ray's own processes"  # GCS, raylet, dashboard and its agents, log monitor, autoscaler monitor


# -- scale ---------------------------------------------------------------------------------------------------

def _texts(n: int) -> list[str]:
    from haremb_dev.corpus.generate import generate_documents

    texts = []
    for row in generate_documents(n, seed=7, split="train"):
        texts.append(row["text"][:400])
    return texts


def _big_parquet(path: Path, megabytes: int, texts: list[str]) -> int:
    payload_bytes = 48 * 1024
    rows = megabytes * 1024 * 1024 // payload_bytes
    schema = pa.schema([("id", pa.string()), ("text", pa.string()), ("payload", pa.binary()), ("score", pa.float64())])
    with pq.ParquetWriter(path, schema, compression="none") as writer:
        for first in range(0, rows, 1000):
            n = min(1000, rows - first)
            writer.write_table(pa.table({
                "id": [f"r{first + i}" for i in range(n)],
                "text": [texts[(first + i) % len(texts)] for i in range(n)],
                "payload": [os.urandom(payload_bytes) for _ in range(n)],
                "score": [float(first + i) for i in range(n)],
            }, schema=schema))
    return rows


def _big_jsonl(path: Path, megabytes: int, texts: list[str]) -> int:
    payload_chars = 64 * 1024
    rows = megabytes * 1024 * 1024 // payload_chars
    with open(path, "w", encoding="utf-8") as f:
        for i in range(rows):
            payload = base64.b64encode(os.urandom(payload_chars * 3 // 4)).decode()
            f.write(json.dumps({"id": i, "text": texts[i % len(texts)], "payload": payload, "meta": {"n": i}}) + "\n")
    return rows


def _same_but_text_parquet(a: Path, b: Path) -> bool:
    left, right = pq.ParquetFile(a), pq.ParquetFile(b)
    if left.metadata.num_rows != right.metadata.num_rows or left.schema_arrow != right.schema_arrow:
        return False
    columns = [c for c in left.schema_arrow.names if c != "text"]
    for x, y in zip(left.iter_batches(batch_size=500, columns=columns), right.iter_batches(batch_size=500, columns=columns)):
        if not x.equals(y):
            return False
    return True


def _same_but_text_jsonl(a: Path, b: Path) -> bool:
    with open(a, encoding="utf-8") as left, open(b, encoding="utf-8") as right:
        for x, y in zip(left, right, strict=True):
            x, y = json.loads(x), json.loads(y)
            x.pop("text"), y.pop("text")
            if x != y:
                return False
    return True


def _run_job(address: str, inp: Path, out: Path) -> tuple[float, float, float]:
    """(wall seconds, the driver's peak RSS in MiB, seconds until the first manifest appeared)."""
    env = dict(os.environ, RAY_ADDRESS=address)
    started = time.time()
    proc = subprocess.Popen([sys.executable, REDACT, "--input", str(inp), "--output", str(out)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first_manifest, peak_kib = None, 0
    while proc.poll() is None:
        if first_manifest is None and any((out / "_manifest").rglob("*.json")):
            first_manifest = time.time() - started
        peak_kib = max(peak_kib, _peak_rss_kib(proc.pid))
        time.sleep(0.05)
    stdout, stderr = proc.communicate()
    wall = time.time() - started
    if proc.returncode != 0:
        raise RuntimeError(f"the job failed ({proc.returncode}): {stderr[-3000:]}")
    return wall, peak_kib / 1024, first_manifest if first_manifest is not None else wall


def _peak_rss_kib(pid: int) -> int:
    """The process's own high-water mark of resident memory (VmHWM), while it runs."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def scale(megabytes: int, json_path: str | None) -> int:
    from haremb_dev.raycluster import start_head

    os.environ.setdefault("RAY_AUTH_MODE", "token")
    os.environ.setdefault("RAY_AUTH_TOKEN", "haremb-bench-" + secrets.token_hex(16))
    texts = _texts(2000)
    summary: dict = {}
    with tempfile.TemporaryDirectory(dir=os.environ.get("HAREMB_BENCH_DIR")) as tmp:
        root = Path(tmp)
        inp = root / "big"
        inp.mkdir()
        rows_parquet = _big_parquet(inp / "payload.parquet", megabytes, texts)
        rows_jsonl = _big_jsonl(inp / "payload.jsonl", megabytes, texts)
        sizes = {p.name: round(p.stat().st_size / 2**20) for p in inp.iterdir()}
        print(f"shards: {sizes} MiB, {rows_parquet} + {rows_jsonl} rows", flush=True)
        head = start_head(num_cpus=2)
        try:
            wall, rss, _ = _run_job(head.address, inp, root / "out")
            same = {"payload.parquet": _same_but_text_parquet(inp / "payload.parquet", root / "out" / "redacted" / "payload.parquet"),
                    "payload.jsonl": _same_but_text_jsonl(inp / "payload.jsonl", root / "out" / "redacted" / "payload.jsonl")}
            summary["big_shards"] = {"shard_mib": sizes, "rows": rows_parquet + rows_jsonl, "seconds": round(wall, 1),
                                     "driver_peak_rss_mib": round(rss, 1), "outputs_equal_but_text": same}
            print(f"two big shards: {wall:.0f} s, driver peak RSS {rss:.0f} MiB, all but the text equal: {same}", flush=True)
            many = root / "many"
            _write_jsonl_shards(many, [texts[i % len(texts)] for i in range(20 * 1000)], shards=20)
            wall, _, first = _run_job(head.address, many, root / "many-out")
            summary["twenty_shards"] = {"rows": 20_000, "seconds": round(wall, 1), "first_manifest_s": round(first, 1),
                                        "first_manifest_share": round(first / wall, 3)}
            print(f"20 shards x 1,000 rows: {wall:.0f} s, first manifest after {first:.1f} s "
                  f"({100 * first / wall:.0f}% of the run)", flush=True)
        finally:
            head.stop()
    if json_path:
        Path(json_path).write_text(json.dumps(summary, indent=2))
    return 0

"""Tokens/s, peak memory and parameter counts: this engine against transformers' token-classification pipeline
(its defaults) on the same checkpoint and documents, measured side by side in one run.

    python jobs/benchmark.py                       # a random checkpoint with the one-layer slice's real shapes
    python jobs/benchmark.py --model PATH --lengths 250,1000,4000 --json bench.json
    python jobs/benchmark.py --rules               # what the rule detectors add to the job (examples/ shards)
    python jobs/benchmark.py --job                 # the whole job against Detector.detect on the same documents
    python jobs/benchmark.py --scale               # 400 MB shards: driver peak RSS, outputs byte for byte, and
                                                   # when the first of 20 shards' manifests appears

Each side runs in its own subprocess, so peak RSS is its own. Machines are noisy: read the ratio column, the
median of --rounds pairs of runs taken back to back (all rounds' ratios are printed beside it).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def make_documents(tokens_per_doc: int, total_tokens: int, seed: int, tokenizer=None) -> list[str]:
    """Business-prose documents of `tokens_per_doc` tokens of `tokenizer` (without one: ~4 characters a token)."""
    from haremb_dev.corpus.generate import generate_documents

    docs, text = [], ""
    want_chars = tokens_per_doc * 4
    for row in generate_documents(10**9, seed=seed, split="train"):
        text += row["text"] + "\n\n"
        if len(text) < want_chars:
            continue
        if tokenizer is not None:
            offsets = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)["offset_mapping"]
            if len(offsets) < tokens_per_doc:
                want_chars = int(len(text) * tokens_per_doc / max(len(offsets), 1)) + 1
                continue
            docs.append(text[: offsets[tokens_per_doc - 1][1]])
        else:
            docs.append(text[:want_chars])
        text, want_chars = "", tokens_per_doc * 4
        if len(docs) * tokens_per_doc >= total_tokens:
            return docs
    return docs


def build_real_shape_checkpoint(folder: Path, layers: int = 1, sparse: bool = False) -> Path:
    """Random weights with the slice's shapes. sparse: the score head scaled down and O favoured, so the model
    finds ~8 spans per 250 tokens, as in real text, instead of one every other token (jobs/job_benchmark.py:
    the job's write stage works per span, the engine does not)."""
    from haremb_dev.random_checkpoint import REAL_SLICE_SHAPE, build_random_checkpoint
    from haremb_dev.tokenizer import train_bpe_tokenizer

    if (folder / "config.json").exists():
        return folder
    texts = make_documents(200, 200_000, seed=99)
    tokenizer = train_bpe_tokenizer(texts, vocab_size=8000)
    # the real vocabulary's 200064 embedding rows: a gather, but part of the memory footprint
    head = dict(score_std=0.05, o_bias=5.0) if sparse else {}
    return build_random_checkpoint(folder, tokenizer, num_hidden_layers=layers, vocab_size=200064, **head,
                                   **REAL_SLICE_SHAPE)


def flops_per_token(config, tokens_per_window: int) -> float:
    """Multiply-adds x2 of one token's forward: projections, the band of attention, routed experts, router, head."""
    H, D, I = config.hidden_size, config.head_dim, config.intermediate_size
    q, kv = config.num_attention_heads * D, config.num_key_value_heads * D
    w, n = config.sliding_window, tokens_per_window
    keys = sum(min(i + w, n - 1) - max(i - w, 0) + 1 for i in range(n)) / n  # mean keys a query sees in its band
    per_layer = (2 * H * (2 * q + 2 * kv) + 4 * config.num_attention_heads * D * keys
                 + 2 * config.num_experts_per_tok * (H * 2 * I + I * H) + 2 * H * config.num_local_experts)
    return config.num_hidden_layers * per_layer + 2 * H * len(config.id2label)


def matmul_peak_gflops(seconds: float = 3.0, dtype=None) -> float:
    """GEMM rate of this machine now in `dtype` (fp32 by default), at the expert GEMMs' width: the ceiling for a
    forward in that dtype."""
    import torch

    dtype = dtype or torch.float32
    a, b = torch.randn(4096, 640, dtype=dtype), torch.randn(640, 1280, dtype=dtype)
    torch.mm(a, b)
    runs, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        torch.mm(a, b)
        runs += 1
    return 2 * 4096 * 640 * 1280 * runs / (time.perf_counter() - start) / 1e9


def peak_rss_kib() -> int:
    """This process's own peak RSS. Not getrusage's ru_maxrss: on Linux a child started by fork and exec inherits
    its parent's high-water mark, so a side run from a large parent (one that just built the checkpoint) reported
    the parent's peak. VmHWM belongs to the process's current address space, which exec replaced."""
    try:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run_side(side: str, model: str, docs_file: str, seconds_budget: float, docs_per_call: int) -> dict:
    """One side, in this process: warm up, then time whole passes over the documents."""
    import torch

    docs = json.loads(Path(docs_file).read_text())
    if side == "engine":
        from haremb_batch import Detector

        detector = Detector.load(model)
        count_tokens = lambda ds: sum(len(e) for e in detector.tokenize(ds))  # noqa: E731
        run = detector.detect
        params = detector.engine.param_count()
        dtype = str(detector.dtype).removeprefix("torch.")
    else:
        from transformers import pipeline

        pipe = pipeline("token-classification", model=model, device="cpu")
        count_tokens = lambda ds: sum(len(pipe.tokenizer(d, add_special_tokens=False)["input_ids"]) for d in ds)  # noqa: E731
        run = pipe
        params = sum(p.numel() for p in pipe.model.parameters())
        dtype = str(next(pipe.model.parameters()).dtype).removeprefix("torch.")
    run(docs[:2])
    done_docs, tokens, start = 0, 0, time.perf_counter()
    while done_docs < len(docs) and time.perf_counter() - start < seconds_budget:
        chunk = docs[done_docs : done_docs + docs_per_call]
        run(chunk)
        done_docs += len(chunk)
        tokens += count_tokens(chunk)
    seconds = time.perf_counter() - start
    return {
        "side": side, "docs": done_docs, "tokens": tokens, "seconds": round(seconds, 3),
        "tokens_per_s": round(tokens / seconds, 1), "params": params, "dtype": dtype,
        "threads": torch.get_num_threads(), "docs_per_call": docs_per_call,
        "peak_rss_mib": round(peak_rss_kib() / 1024, 1),
    }


def engine_profile(layer_counts: str, total_tokens: int, json_path: str | None) -> int:
    """Per layer count: engine tok/s on 250-token documents (dtype auto), its model-FLOP rate, and that rate as
    a share of a GEMM in the engine's dtype measured in the same run. Then top-k 1..4 on the slice (tok/s),
    and top-k agreement on the embedded model (trained; random weights sit on near-ties)."""
    from transformers import AutoConfig, AutoTokenizer

    from haremb_batch import Detector

    cache = Path(tempfile.gettempdir()) / "haremb-benchmark"
    summary: dict = {"layers": [], "top_k": [], "top_k_agreement": []}
    slice_model, docs = None, None
    for layers in [int(x) for x in layer_counts.split(",")]:
        name = "real-shape-1layer" if layers == 1 else f"real-shape-{layers}layer"
        model = str(build_real_shape_checkpoint(cache / name, layers=layers))
        config = AutoConfig.from_pretrained(model)
        if docs is None:
            docs = make_documents(250, total_tokens, seed=250, tokenizer=AutoTokenizer.from_pretrained(model))
        detector = Detector.load(model)
        rate = _engine_rate(detector, docs)
        peak = matmul_peak_gflops(dtype=detector.dtype)
        model_gflops = rate * flops_per_token(config, 250) / 1e9
        row = {"layers": layers, "dtype": str(detector.dtype).removeprefix("torch."), "tokens_per_s": round(rate, 1),
               "model_gflop_per_s": round(model_gflops, 1), "gemm_gflop_per_s": round(peak, 1),
               "share_of_gemm": round(model_gflops / peak, 3)}
        summary["layers"].append(row)
        print(f"{layers} layer(s), {row['dtype']}: {rate:,.0f} tok/s, {model_gflops:.0f} GFLOP/s of model work = "
              f"{100 * row['share_of_gemm']:.0f}% of a {peak:.0f} GFLOP/s GEMM in the same dtype", flush=True)
        if layers == 1:
            slice_model = model
        del detector
    if slice_model is not None:
        for k in (1, 2, 3, 4):
            rate = _engine_rate(Detector.load(slice_model, experts_per_token=k), docs)
            summary["top_k"].append({"experts_per_token": k, "tokens_per_s": round(rate, 1)})
            print(f"slice, top-{k}: {rate:,.0f} tok/s", flush=True)
    from dtype_check import span_agreement
    from haremb_dev.corpus.generate import generate_documents

    texts = [row["text"] for row in generate_documents(500, seed=2026, split="heldout")]
    full = Detector.load(None)
    reference = full.detect(texts)
    for k in range(1, full.engine.shape.experts_per_token + 1):
        agreement = span_agreement(reference, Detector.load(None, experts_per_token=k).detect(texts))
        summary["top_k_agreement"].append({"experts_per_token": k, **agreement})
        print(f"embedded model, top-{k} against its own top-{full.engine.shape.experts_per_token}: span F1 "
              f"{agreement['f1']}", flush=True)
    if json_path:
        Path(json_path).write_text(json.dumps(summary, indent=2))
    return 0


def _engine_rate(detector, docs: list[str]) -> float:
    tokens = sum(len(e) for e in detector.tokenize(docs))
    detector.detect(docs[:8])
    started = time.perf_counter()
    for i in range(0, len(docs), 128):
        detector.detect(docs[i:i + 128])
    return tokens / (time.perf_counter() - started)


def rules_benchmark(repeats: int, json_path: str | None) -> int:
    """The whole job (startup included) on the shipped example shards with and without the rules, alternating
    runs so both sides see the same machine; then the rules against the model on the same texts, per document."""
    import statistics

    from haremb_batch.config import load_job_config
    from haremb_batch.detect.policy import Policy
    from haremb_batch.engine import Detector
    from haremb_batch.pipeline.read import read_documents
    from haremb_batch.pipeline.shards import discover_shards

    walls: dict[str, list[float]] = {"rules": [], "no_rules": []}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(repeats):
            for side, value in (("no_rules", "[]"), ("rules", "all")) if i % 2 == 0 else (("rules", "all"), ("no_rules", "[]")):
                started = time.perf_counter()
                out = subprocess.run([sys.executable, str(REPO / "jobs" / "redact.py"), "--input", str(REPO / "examples" / "shards"),
                                      "--output", f"{tmp}/{side}-{i}", "--set", f"detection.rules={value}"],
                                     capture_output=True, text=True)
                if out.returncode != 0:
                    print(out.stderr[-2000:], file=sys.stderr)
                    return 1
                walls[side].append(time.perf_counter() - started)
                print(f"job run {i + 1}/{repeats}, rules={value}: {walls[side][-1]:.2f} s", flush=True)
    inputs = discover_shards(str(REPO / "examples" / "shards"), {})
    texts = [t for shard in inputs.shards for block in read_documents(inputs.fs, shard, ["text"], "id")
             for t in block.column("texts").to_pylist() for t in (t or []) if t]
    detector = Detector.load(None)
    started = time.perf_counter()
    found = detector.detect(texts, include_kept=True)
    model_s = time.perf_counter() - started
    policy = Policy.from_config(load_job_config(None, []), detector.labels.categories, b"benchmark")
    started = time.perf_counter()
    for _ in range(5):
        for text, spans in zip(texts, found):
            policy.decide(text, spans)
    policy_s = (time.perf_counter() - started) / 5
    job = {side: round(statistics.median(v), 2) for side, v in walls.items()}
    summary = {"job_seconds_median": job, "job_runs": walls, "job_overhead": round(job["rules"] / job["no_rules"] - 1, 4),
               "documents": len(texts), "model_ms_per_doc": round(1000 * model_s / len(texts), 2),
               "rules_and_merge_ms_per_doc": round(1000 * policy_s / len(texts), 3)}
    print(f"job on examples/shards, median of {repeats}: {job['no_rules']:.2f} s without rules, {job['rules']:.2f} s "
          f"with ({100 * summary['job_overhead']:+.1f}%); per document: model {summary['model_ms_per_doc']} ms, "
          f"rules + merge + policy {summary['rules_and_merge_ms_per_doc']} ms")
    if json_path:
        Path(json_path).write_text(json.dumps(summary, indent=2))
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", help="checkpoint (default: random weights with the one-layer slice's shapes)")
    parser.add_argument("--lengths", default="250,1000,4000", help="tokens per document, one bucket each")
    parser.add_argument("--tokens", type=int, default=24000, help="tokens of documents per bucket")
    parser.add_argument("--seconds", type=float, default=60.0, help="time budget per side and bucket")
    parser.add_argument("--rounds", type=int, default=3,
                        help="pipeline/engine pairs per bucket, alternating order; the median ratio is reported")
    parser.add_argument("--docs-per-call", type=int, default=128,
                        help="documents per call on both sides (128: what the job hands a CPU model actor)")
    parser.add_argument("--json", help="write the results here too")
    parser.add_argument("--rules", action="store_true",
                        help="instead: the job on examples/shards with detection.rules all vs [] (wall time), and "
                             "the rules' and the model's time per document on the same texts")
    parser.add_argument("--repeats", type=int, default=3, help="with --rules: job runs per side, alternating")
    parser.add_argument("--job", action="store_true",
                        help="instead: the whole job (startup included) against Detector.detect, same documents")
    parser.add_argument("--job-tokens", type=int, default=300_000, help="with --job: tokens of documents")
    parser.add_argument("--scale", action="store_true", help="instead: the job on 400 MB shards (see above)")
    parser.add_argument("--engine-profile", action="store_true",
                        help="instead: the engine alone: model-FLOP rate against a GEMM in its own dtype measured "
                             "in the run, per layer count (--engine-layers), and an experts-per-token sweep")
    parser.add_argument("--engine-layers", default="1,8", help="with --engine-profile: 1 = the slice, 8 = the teacher")
    parser.add_argument("--scale-mb", type=int, default=400, help="with --scale: size of each big shard")
    parser.add_argument("--side", choices=["engine", "pipeline"], help=argparse.SUPPRESS)
    parser.add_argument("--docs-file", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.side:
        print(json.dumps(run_side(args.side, args.model, args.docs_file, args.seconds, args.docs_per_call)))
        return 0
    if args.rules:
        return rules_benchmark(args.repeats, args.json)
    if args.job:
        from job_benchmark import job_against_engine

        return job_against_engine(args.model, args.lengths, args.job_tokens, args.json)
    if args.scale:
        from job_benchmark import scale

        return scale(args.scale_mb, args.json)
    if args.engine_profile:
        return engine_profile(args.engine_layers, args.tokens, args.json)

    from transformers import AutoConfig, AutoTokenizer

    cache = Path(tempfile.gettempdir()) / "haremb-benchmark"
    model = args.model or str(build_real_shape_checkpoint(cache / "real-shape-1layer"))
    config = AutoConfig.from_pretrained(model)
    tokenizer = AutoTokenizer.from_pretrained(model)
    peak = matmul_peak_gflops()
    print(f"fp32 matmul (4096x640 @ 640x1280) on this machine now: {peak:.0f} GFLOP/s", flush=True)
    results = []
    for length in [int(x) for x in args.lengths.split(",")]:
        docs_file = cache / f"docs-{length}.json"
        docs_file.write_text(json.dumps(make_documents(length, args.tokens, seed=length, tokenizer=tokenizer)))
        row: dict = {"tokens_per_doc": length, "rounds": []}
        for r in range(args.rounds):
            # sides alternate their order from round to round, so a neighbour's load drifting over the run
            # weighs on both; each round's ratio compares two runs taken a minute apart at most
            runs = {}
            for side in (("pipeline", "engine") if r % 2 == 0 else ("engine", "pipeline")):
                out = subprocess.run([sys.executable, __file__, "--side", side, "--model", model, "--docs-file",
                                      str(docs_file), "--seconds", str(args.seconds), "--docs-per-call",
                                      str(args.docs_per_call)], capture_output=True, text=True)
                if out.returncode != 0:
                    print(out.stderr[-2000:], file=sys.stderr)
                    return 1
                runs[side] = json.loads(out.stdout.strip().splitlines()[-1])
            runs["speedup"] = round(runs["engine"]["tokens_per_s"] / runs["pipeline"]["tokens_per_s"], 2)
            row["rounds"].append(runs)
        # the round with the median ratio stands for the bucket; all rounds' ratios are kept beside it
        median = sorted(row["rounds"], key=lambda runs: runs["speedup"])[len(row["rounds"]) // 2]
        row["pipeline"], row["engine"] = dict(median["pipeline"]), dict(median["engine"])
        row["speedups"] = [runs["speedup"] for runs in row["rounds"]]
        for side in ("pipeline", "engine"):
            row[side]["peak_rss_mib"] = max(runs[side]["peak_rss_mib"] for runs in row["rounds"])
        row["speedup"] = round(row["engine"]["tokens_per_s"] / row["pipeline"]["tokens_per_s"], 2)
        # model work per token (windows of at most 1024 tokens), to read each side's rate against the GEMM peak
        flops = flops_per_token(config, min(length, 1024))
        row["mflop_per_token"] = round(flops / 1e6, 2)
        for side in ("pipeline", "engine"):
            row[side]["gflop_per_s"] = round(row[side]["tokens_per_s"] * flops / 1e9, 1)
        row["gflop_per_s_for_4x"] = round(4 * row["pipeline"]["gflop_per_s"], 1)
        results.append(row)
        print(f"{length:>6} tokens/doc: pipeline {row['pipeline']['tokens_per_s']:>8.0f} tok/s "
              f"({row['pipeline']['peak_rss_mib']:.0f} MiB)  engine {row['engine']['tokens_per_s']:>8.0f} tok/s "
              f"({row['engine']['peak_rss_mib']:.0f} MiB)  x{row['speedup']} (rounds: "
              f"{', '.join(f'x{x}' for x in row['speedups'])})  | {flops / 1e6:.1f} MFLOP/token: "
              f"engine {row['engine']['gflop_per_s']:.0f} GFLOP/s, 4x the pipeline needs {row['gflop_per_s_for_4x']:.0f}",
              flush=True)
    summary = {"model": model, "matmul_peak_gflop_per_s": round(peak, 1), "results": results}
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Tokens/s, peak memory and parameter counts: this engine against transformers' token-classification pipeline
(its defaults) on the same checkpoint and documents, measured side by side in one run.

    python jobs/benchmark.py                       # a random checkpoint with the one-layer slice's real shapes
    python jobs/benchmark.py --model PATH --lengths 250,1000,4000 --json bench.json

Each side runs in its own subprocess, so peak RSS is its own. Machines are noisy: read the ratio column.
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


def make_documents(tokens_per_doc: int, total_tokens: int, seed: int) -> list[str]:
    """Business-prose documents of about `tokens_per_doc` tokens (~4 characters a token)."""
    from haremb_batch.corpus.generate import generate_documents

    docs, text, want_chars = [], "", tokens_per_doc * 4
    for row in generate_documents(10**9, seed=seed, split="train"):
        text += row["text"] + "\n\n"
        if len(text) >= want_chars:
            docs.append(text[:want_chars])
            text = ""
            if len(docs) * tokens_per_doc >= total_tokens:
                return docs
    return docs


def build_real_shape_checkpoint(folder: Path) -> Path:
    from haremb_batch.engine.random_checkpoint import REAL_SLICE_SHAPE, build_random_checkpoint
    from haremb_batch.tokenizer import train_bpe_tokenizer

    if (folder / "config.json").exists():
        return folder
    texts = make_documents(200, 200_000, seed=99)
    tokenizer = train_bpe_tokenizer(texts, vocab_size=8000)
    # the real vocabulary's 200064 embedding rows: a gather, but part of the memory footprint
    return build_random_checkpoint(folder, tokenizer, num_hidden_layers=1, vocab_size=200064, **REAL_SLICE_SHAPE)


def run_side(side: str, model: str, docs_file: str, seconds_budget: float) -> dict:
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
        chunk = docs[done_docs : done_docs + 8]
        run(chunk)
        done_docs += len(chunk)
        tokens += count_tokens(chunk)
    seconds = time.perf_counter() - start
    return {
        "side": side, "docs": done_docs, "tokens": tokens, "seconds": round(seconds, 3),
        "tokens_per_s": round(tokens / seconds, 1), "params": params, "dtype": dtype,
        "threads": torch.get_num_threads(),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", help="checkpoint (default: random weights with the one-layer slice's shapes)")
    parser.add_argument("--lengths", default="250,1000,4000", help="tokens per document, one bucket each")
    parser.add_argument("--tokens", type=int, default=24000, help="tokens of documents per bucket")
    parser.add_argument("--seconds", type=float, default=60.0, help="time budget per side and bucket")
    parser.add_argument("--json", help="write the results here too")
    parser.add_argument("--side", choices=["engine", "pipeline"], help=argparse.SUPPRESS)
    parser.add_argument("--docs-file", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.side:
        print(json.dumps(run_side(args.side, args.model, args.docs_file, args.seconds)))
        return 0

    cache = Path(tempfile.gettempdir()) / "haremb-benchmark"
    model = args.model or str(build_real_shape_checkpoint(cache / "real-shape-1layer"))
    results = []
    for length in [int(x) for x in args.lengths.split(",")]:
        docs_file = cache / f"docs-{length}.json"
        docs_file.write_text(json.dumps(make_documents(length, args.tokens, seed=length)))
        row = {"tokens_per_doc": length}
        for side in ("pipeline", "engine"):
            out = subprocess.run([sys.executable, __file__, "--side", side, "--model", model, "--docs-file",
                                  str(docs_file), "--seconds", str(args.seconds)], capture_output=True, text=True)
            if out.returncode != 0:
                print(out.stderr[-2000:], file=sys.stderr)
                return 1
            row[side] = json.loads(out.stdout.strip().splitlines()[-1])
        row["speedup"] = round(row["engine"]["tokens_per_s"] / row["pipeline"]["tokens_per_s"], 2)
        results.append(row)
        print(f"{length:>6} tokens/doc: pipeline {row['pipeline']['tokens_per_s']:>8.0f} tok/s "
              f"({row['pipeline']['peak_rss_mib']:.0f} MiB)  engine {row['engine']['tokens_per_s']:>8.0f} tok/s "
              f"({row['engine']['peak_rss_mib']:.0f} MiB)  x{row['speedup']}", flush=True)
    summary = {"model": model, "results": results}
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""bf16 against fp32 on one device, in one short run: span agreement and tokens/s of the embedded (trained)
model on the shipped held-out sample. The prepared check for a GPU machine (`--device cuda`) and for CPUs
with fast bf16. Random weights sit on near-ties, so agreement is measured on a trained model.

    python jobs/dtype_check.py                       # CPU
    python jobs/dtype_check.py --device cuda --repeat 20 --json dtype.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def span_agreement(reference: list[list], other: list[list]) -> dict:
    """Span precision/recall/F1 of `other` against `reference` (exact start, end and label)."""
    ref = {(d, s.start, s.end, s.label) for d, spans in enumerate(reference) for s in spans}
    got = {(d, s.start, s.end, s.label) for d, spans in enumerate(other) for s in spans}
    both = len(ref & got)
    precision, recall = both / max(len(got), 1), both / max(len(ref), 1)
    return {"spans_fp32": len(ref), "spans_bf16": len(got), "precision": round(precision, 4), "recall": round(recall, 4),
            "f1": round(2 * precision * recall / max(precision + recall, 1e-9), 4)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", help="checkpoint (default: the embedded model)")
    parser.add_argument("--data", default=str(REPO / "examples" / "eval" / "heldout_sample.jsonl"))
    parser.add_argument("--heldout", type=int, default=0,
                        help="instead of --data: this many documents of the corpus's held-out split (seeded)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--repeat", type=int, default=3, help="passes over the texts for tokens/s")
    parser.add_argument("--json", help="write the results here too")
    args = parser.parse_args(argv)
    import torch

    from haremb_batch import Detector

    if args.heldout:
        from haremb_dev.corpus.generate import generate_documents

        texts = [row["text"] for row in generate_documents(args.heldout, seed=2026, split="heldout")]
    else:
        texts = [json.loads(line)["text"] for line in Path(args.data).read_text().splitlines() if line.strip()]
    results, spans = {"device": args.device, "documents": len(texts), "torch": torch.__version__}, {}
    for dtype in ("float32", "bfloat16"):
        detector = Detector.load(args.model, dtype=dtype, device=args.device)
        tokens = sum(len(e) for e in detector.tokenize(texts))
        spans[dtype] = detector.detect(texts)  # also the warm-up
        started = time.perf_counter()
        for _ in range(args.repeat):
            detector.detect(texts)
        seconds = time.perf_counter() - started
        results[dtype] = {"tokens_per_s": round(tokens * args.repeat / seconds, 1), "tokens": tokens}
    results["agreement"] = span_agreement(spans["float32"], spans["bfloat16"])
    print(json.dumps(results, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

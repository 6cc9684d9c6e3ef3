"""Write the synthetic PII corpus (SPEC.md's evaluation format) or the sample shards shipped in examples/.

    python jobs/make_corpus.py --out data/corpus --train 50000 --heldout 1000      # train.jsonl, heldout.jsonl
    python jobs/make_corpus.py --examples examples                                 # the repo's sample shards

Rows: id, text, spans (list of {start, end, label}), style, templates. Deterministic by --seed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from haremb_dev.corpus.generate import generate_documents  # noqa: E402


def write_jsonl(path: Path, rows) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    return n


def write_examples(root: Path, seed: int) -> None:
    """Small sample shards for the README's first command and an evaluation sample, from held-out templates."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    docs = list(generate_documents(60, seed=seed, split="heldout"))
    chats = [{"id": f"chat-{i}", "channel": d["style"], "text": d["text"]} for i, d in enumerate(docs[:25])]
    write_jsonl(root / "shards" / "support" / "chats.jsonl", chats)
    records = docs[25:50]
    table = pa.table({
        "record_id": pa.array([f"rec-{i}" for i in range(len(records))], pa.string()),
        "department": pa.array([d["style"] for d in records], pa.string()),
        "text": pa.array([d["text"] for d in records], pa.string()),
    })
    (root / "shards" / "hr").mkdir(parents=True, exist_ok=True)
    pq.write_table(table, root / "shards" / "hr" / "records.parquet")
    write_jsonl(root / "eval" / "heldout_sample.jsonl",
                ({"id": d["id"], "text": d["text"], "spans": d["spans"]} for d in docs[50:]))
    print(f"wrote sample shards under {root / 'shards'} and an evaluation sample under {root / 'eval'}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, help="folder for train.jsonl and heldout.jsonl")
    parser.add_argument("--train", type=int, default=50000)
    parser.add_argument("--heldout", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--examples", type=Path, help="write the repo's sample shards under this folder instead")
    args = parser.parse_args(argv)
    if argv is None:  # a command line: make the corpus reproducible (haremb_dev.pin_hash_seed)
        from haremb_dev import pin_hash_seed

        pin_hash_seed()
    if args.examples:
        write_examples(args.examples, args.seed)
        return 0
    if not args.out:
        parser.error("--out or --examples is required")
    n = write_jsonl(args.out / "train.jsonl", generate_documents(args.train, seed=args.seed, split="train"))
    m = write_jsonl(args.out / "heldout.jsonl", generate_documents(args.heldout, seed=args.seed + 1, split="heldout"))
    print(f"wrote {n} training and {m} held-out documents under {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

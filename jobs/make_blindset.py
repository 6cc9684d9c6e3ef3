"""Write the blind held-out set: labelled synthetic documents from haremb_dev.blindset, a generator written
apart from the training corpus (own templates, own value lists) to check the model on text it was not shaped by.

    python jobs/make_blindset.py --out data/blindset.jsonl --n 1000 --seed 7

Rows: id, text, spans (list of {start, end, label}), style. Deterministic by --seed. Score on it; never tune on it.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from haremb_dev.blindset import generate_blind  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True, help="output .jsonl file")
    parser.add_argument("--n", type=int, default=1000, help="number of documents (default 1000)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    args = parser.parse_args(argv)

    args.out.parent.mkdir(parents=True, exist_ok=True)
    styles: Counter[str] = Counter()
    with args.out.open("w", encoding="utf-8") as f:
        for row in generate_blind(args.n, args.seed):
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
            styles[row["style"]] += 1
    print(f"wrote {args.n} rows to {args.out} ({len(styles)} styles, {styles['no_pii']} without PII)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

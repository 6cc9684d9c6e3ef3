"""Span and token metrics of one model, or two side by side, on labelled documents.

    python jobs/evaluate.py --data examples/eval/heldout_sample.jsonl
    python jobs/evaluate.py --data nemotron_test.parquet --model-a A --model-b B --out eval/ --limit 1000

Data: JSONL or Parquet rows with `text` and `spans` (a list of {start, end, label}, or the same as a
Python-literal string, as in Nemotron-PII). Writes metrics.json and PNG plots under --out. Scores what the job
redacts with its default policy (model, rules and merge); --model-only scores the model's spans alone.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

SCALARS = ["span_precision", "span_recall", "span_f1", "overlap_f1", "leak_rate", "partly_visible", "token_accuracy",
           "non_o_recall"]


def run_model(model: str | None, rows: list[dict], batch: int, options: dict, model_only: bool = False) -> dict:
    """Metrics of what the job redacts with its default policy (model + rules), or of the model's spans alone."""
    from tqdm import tqdm

    from haremb_batch import Detector
    from haremb_batch.evaluation import evaluate_predictions, job_policy, job_spans

    detector = Detector.load(model, **options)
    policy = None if model_only else job_policy(detector)
    predicted = []
    for start in tqdm(range(0, len(rows), batch), desc=f"detect ({model or 'default model'})", unit="batch", file=sys.stderr):
        texts = [r["text"] for r in rows[start : start + batch]]
        predicted += detector.detect(texts) if model_only else job_spans(detector, texts, policy)
    return evaluate_predictions(rows, predicted, detector)


def comparison_table(results: dict[str, dict]):
    import polars as pl

    names = list(results)
    table = pl.DataFrame({"metric": SCALARS, **{n: [results[n].get(m) for m in SCALARS] for n in names}})
    if len(names) == 2:
        a, b = names
        table = table.with_columns((pl.col(b) - pl.col(a)).alias("B - A"), (pl.col(b) / pl.col(a)).alias("B / A"))
    return table


def category_table(results: dict[str, dict]):
    import polars as pl

    frames = []
    for name, res in results.items():
        frames.append(pl.DataFrame([{"category": c, "model": name, "f1": v["f1"], "support": v["support"]}
                                    for c, v in res["per_category"].items()]))
    return pl.concat(frames).pivot(on="model", index="category", values="f1").sort("category")


def plot(results: dict[str, dict], out: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    paths = []
    names = list(results)
    width = 0.8 / len(names)
    fig, ax = plt.subplots(figsize=(9, 4))
    for i, name in enumerate(names):
        ax.bar(np.arange(len(SCALARS)) + i * width, [results[name].get(m, 0) or 0 for m in SCALARS], width, label=name)
    ax.set_xticks(np.arange(len(SCALARS)) + width * (len(names) - 1) / 2, SCALARS, rotation=20)
    ax.set_ylim(0, 1)
    ax.set_title("summary")
    ax.legend()
    fig.tight_layout()
    paths.append(out / "summary.png")
    fig.savefig(paths[-1], dpi=110)
    plt.close(fig)

    cats = sorted({c for r in results.values() for c in r["per_category"]})
    fig, ax = plt.subplots(figsize=(9, max(4, 0.22 * len(cats))))
    for i, name in enumerate(names):
        ax.barh(np.arange(len(cats)) + i * width, [results[name]["per_category"].get(c, {}).get("f1", 0) for c in cats], width, label=name)
    ax.set_yticks(np.arange(len(cats)) + width * (len(names) - 1) / 2, cats, fontsize=7)
    ax.set_xlim(0, 1)
    ax.set_title("per-category span F1")
    ax.legend()
    fig.tight_layout()
    paths.append(out / "per_category_f1.png")
    fig.savefig(paths[-1], dpi=110)
    plt.close(fig)

    fig, axes = plt.subplots(1, len(names), figsize=(5 * len(names), 3.5), squeeze=False)
    for ax, name in zip(axes[0], names):
        counts = results[name].get("token_outcomes", {})
        grid = np.array([[counts.get("O -> O", 0), 0, counts.get("O -> entity", 0)],
                         [counts.get("entity -> O", 0), counts.get("entity -> same category", 0), counts.get("entity -> other category", 0)]])
        ax.imshow(np.log1p(grid), cmap="Blues")
        for (r, c), v in np.ndenumerate(grid):
            ax.text(c, r, str(v), ha="center", va="center", fontsize=8)
        ax.set_xticks([0, 1, 2], ["pred O", "pred: right category", "pred: wrong category"])
        ax.set_yticks([0, 1], ["gold O", "gold entity"])
        ax.set_title(f"token outcomes: {name}")
    fig.tight_layout()
    paths.append(out / "token_outcomes.png")
    fig.savefig(paths[-1], dpi=110)
    plt.close(fig)
    return paths


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True, help="JSONL or Parquet file (local path or fsspec URL)")
    parser.add_argument("--model-a", default=None, help="model A (default: the embedded model)")
    parser.add_argument("--model-b", default=None, help="model B, compared against A")
    parser.add_argument("--out", default="eval", help="folder for metrics.json and the PNG plots")
    parser.add_argument("--limit", type=int, default=None, help="first N documents only")
    parser.add_argument("--batch", type=int, default=32, help="documents per detect call")
    parser.add_argument("--model-only", action="store_true",
                        help="score the model's spans alone (default: what the job redacts: model + rules, merged)")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="Detector options (chunking/decoding/model keys without prefix), e.g. --set max_tokens=512")
    args = parser.parse_args(argv)

    from haremb_batch.config import parse_overrides
    from haremb_batch.evaluation import load_rows

    try:
        rows = load_rows(args.data, args.limit)
        options = parse_overrides(args.overrides)
    except (OSError, ValueError) as error:
        print(f"evaluate.py: error: {error}", file=sys.stderr)
        return 2
    models = {"A": args.model_a} | ({"B": args.model_b} if args.model_b else {})
    results = {}
    for name, model in models.items():
        results[f"{name}: {model or 'default'}"] = run_model(model, rows, args.batch, options, args.model_only)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    table = comparison_table(results)
    (out / "metrics.json").write_text(json.dumps({"data": args.data, "documents": len(rows), "results": results,
                                                  "comparison": table.to_dicts()}, indent=2))
    plots = plot(results, out)
    import polars as pl

    with pl.Config(tbl_rows=100, float_precision=4, tbl_width_chars=160):
        print(table)
        print(category_table(results))
    print(f"wrote {out / 'metrics.json'} and {', '.join(p.name for p in plots)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

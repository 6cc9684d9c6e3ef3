"""Fit the Viterbi decoder's six transition biases on labelled data and save them as a named operating point.

    python jobs/calibrate.py --data FILE --model PATH --target-recall 0.95 [--recall-kind chars] [--name NAME]
    python jobs/calibrate.py --data FILE --model PATH --target-precision 0.9 [--out FILE] [--fit-min-score]

Data: JSONL or Parquet rows with `text` and `spans` ({start, end, label}), as for jobs/evaluate.py.

The model runs once over the data; every candidate set of biases only re-runs the Viterbi decode over the kept
log-probs, so the search costs decodes, not forward passes. The search is deterministic: a scalar recall knob t
(background_stay -t, background_to_start +t, inside_to_continue +t, t from -4 to 8 by 0.5), then coordinate
refinement of each bias by +-1, +-0.5, +-0.25 while the objective improves. The objective: the highest span F1
(exact start, end, label) among candidates that reach the target; while none does, the candidate closest to
it, and the script then exits 1 and writes nothing unless `--allow-unmet` is given. Metrics are of the
model's spans alone (the biases only change the model's decode; the job adds rule spans on top, which only
raises recall). `--recall-kind chars` makes the recall target the share of gold PII characters that some predicted span
covers (1 - leak rate), the number that matters for de-identification; `spans` (default) is span recall.

Writes viterbi_calibration.json into the model folder (or --out): the point named --name (default `default`)
is replaced, the other points in the file are kept. Each point holds its `biases` (all the engine reads),
the target, metrics on the data and the data's name and row count. `decoding.biases: checkpoint` decodes with
the point `default`, `decoding.biases: checkpoint:<name>` with any other.

`--fit-min-score` also fits a per-label min_score: for each label in turn, the lowest of a few score
quantiles that maximises the same objective. The point records it under `min_score`; the engine does not apply
it by itself: pass it as `decoding.min_score`.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from haremb_batch.engine.options import BIAS_NAMES, POINT_NAME  # noqa: E402
from haremb_batch.engine.viterbi import TransitionBiases  # noqa: E402

KNOB = {"transition_bias_background_stay": -1.0, "transition_bias_background_to_start": 1.0,
        "transition_bias_inside_to_continue": 1.0}  # raising t trades precision for recall
KNOB_VALUES = [t / 2 for t in range(-8, 17)]  # -4 .. 8
STEPS = (1.0, 0.5, 0.25)  # binary fractions: sums of them stay exact, so the memo's keys do too
BOUND = 12.0  # no bias leaves [-BOUND, BOUND]: the refinement walks a finite lattice
SCORE_QUANTILES = np.linspace(0.0, 1.0, 11)
REPORTED = ("span_precision", "span_recall", "span_f1", "char_recall", "leak_rate", "partly_visible",
            "predicted_spans", "gold_spans")
FITTED_OPTIONS = ("biases", "min_score", "mode")  # what --set may not touch: the fit decides or needs them


@dataclass(frozen=True)
class Target:
    metric: str  # span_recall, char_recall or span_precision
    value: float

    def rank(self, metrics: dict, biases: TransitionBiases) -> tuple:
        """Larger is better: candidates that reach the target by span F1, the others by how close they get;
        ties go to the smaller biases."""
        achieved, f1 = metrics[self.metric], metrics["span_f1"]
        size = -sum(abs(v) for v in biases.as_dict().values())
        return (1, f1, achieved, size) if achieved >= self.value else (0, achieved, f1, size)


def measure(rows: list[dict], predicted: list[list]) -> dict:
    """Span P/R/F1, partly visible and the label-blind character leak rate (haremb_batch.evaluation)."""
    from haremb_batch.evaluation import evaluate_predictions

    metrics = evaluate_predictions(rows, predicted)
    metrics["char_recall"] = 1.0 - metrics["leak_rate"]
    return {k: metrics[k] for k in REPORTED}


class Calibrator:
    """One forward pass over labelled rows, then any number of decodes of its log-probs under other biases."""

    def __init__(self, detector, rows: list[dict]):
        from haremb_batch.engine.detector import GROUP_WINDOWS, length_groups

        self.detector, self.rows = detector, rows
        self.texts = [r["text"] for r in rows]
        self.encoded = detector.tokenize(self.texts)
        # groups of similar length bound both the forward batches and Viterbi's padding
        self.groups = length_groups([len(e) for e in self.encoded], GROUP_WINDOWS * detector.batch_tokens)
        self.logprobs: list = [None] * len(rows)
        for group in self.groups:
            for i, lp in zip(group, detector.infer([self.encoded[i] for i in group])):
                self.logprobs[i] = lp
        self.memo: dict[TransitionBiases, dict] = {}

    def decode(self, biases: TransitionBiases) -> list[list]:
        """The spans the job would redact per row under `biases`."""
        out: list[list] = [[] for _ in self.rows]
        for group in self.groups:
            spans = self.detector.decode([self.texts[i] for i in group], [self.encoded[i] for i in group],
                                         [self.logprobs[i] for i in group], biases)
            for i, doc in zip(group, spans):
                out[i] = [s for s in doc if s.action == "redacted"]
        return out

    def metrics(self, biases: TransitionBiases) -> dict:
        if biases not in self.memo:
            self.memo[biases] = measure(self.rows, self.decode(biases))
        return self.memo[biases]

    def search(self, target: Target) -> TransitionBiases:
        """The knob line, then coordinate refinement: see the module docstring."""
        def rank(b: TransitionBiases) -> tuple:
            return target.rank(self.metrics(b), b)

        best = max((TransitionBiases.from_mapping({k: v * t for k, v in KNOB.items()}) for t in KNOB_VALUES), key=rank)
        for step in STEPS:
            improved = True
            while improved:
                improved = False
                for name in BIAS_NAMES:
                    for sign in (1.0, -1.0):
                        value = min(BOUND, max(-BOUND, getattr(best, name) + sign * step))
                        candidate = dataclasses.replace(best, **{name: value})
                        if rank(candidate) > rank(best):
                            best, improved = candidate, True
        return best

    def fit_min_score(self, biases: TransitionBiases, target: Target) -> tuple[dict[str, float], dict]:
        """Per-label thresholds (labels left at 0 omitted) and the metrics with them, biases fixed."""
        spans = self.decode(biases)
        thresholds: dict[str, float] = {}

        def metrics_with(limits: dict[str, float]) -> dict:
            kept = [[s for s in doc if s.score >= limits.get(s.label, 0.0)] for doc in spans]
            return measure(self.rows, kept)

        for label in sorted({s.label for doc in spans for s in doc}):
            scores = np.array([s.score for doc in spans for s in doc if s.label == label])
            # floored to 3 decimals, so the span whose score made a candidate stays above it
            candidates = sorted({0.0} | set((np.floor(np.quantile(scores, SCORE_QUANTILES) * 1000) / 1000).tolist()))
            choice = max(candidates, key=lambda t: target.rank(metrics_with(thresholds | {label: t}), biases))
            if choice > 0:
                thresholds[label] = choice
        return thresholds, metrics_with(thresholds)


def write_point(path: Path, name: str, point: dict) -> None:
    """Replace the point `name` in the calibration file at `path`, keeping everything else in it; the file is
    written under a temporary name and renamed, so a reader never sees half of it."""
    document = {"operating_points": {}}
    if path.exists():
        try:
            document = json.loads(path.read_text())
            points = document.setdefault("operating_points", {})
        except (json.JSONDecodeError, AttributeError) as error:
            raise ValueError(f"{path}: not a calibration file ({{'operating_points': {{...}}}}); not overwriting it") from error
        if not isinstance(points, dict):
            raise ValueError(f"{path}: operating_points is not a mapping; not overwriting it")
    document["operating_points"][name] = point
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(document, indent=2) + "\n")
    os.replace(partial, path)


def calibration_path(model: str | None, out: str | None, folder: Path) -> Path:
    """--out, else the model folder when the model is a local folder (a download cache is no place for it)."""
    from haremb_batch.engine.checkpoint import CALIBRATION_FILE

    if out:
        return Path(out)
    if model is not None and not Path(model.removeprefix("file://")).expanduser().is_dir():
        raise ValueError(f"--model {model!r} is not a local folder: say where the calibration goes with --out")
    return folder / CALIBRATION_FILE


def rounded(metrics: dict) -> dict:
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in metrics.items()}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True, help="labelled JSONL or Parquet file (local path or fsspec URL)")
    parser.add_argument("--model", default=None, help="checkpoint folder (default: the embedded model)")
    goal = parser.add_mutually_exclusive_group(required=True)
    goal.add_argument("--target-recall", type=float, help="reach at least this recall (see --recall-kind)")
    goal.add_argument("--target-precision", type=float, help="reach at least this span precision")
    parser.add_argument("--recall-kind", choices=("spans", "chars"), default="spans",
                        help="spans: exact span recall; chars: share of gold PII characters covered")
    parser.add_argument("--name", default="default", help="operating point name (default: default)")
    parser.add_argument("--out", default=None, help="calibration file (default: the model folder's)")
    parser.add_argument("--fit-min-score", action="store_true", help="also fit per-label min_score thresholds")
    parser.add_argument("--limit", type=int, default=None, help="first N rows only")
    parser.add_argument("--allow-unmet", action="store_true",
                        help="write the closest point even when the target is not reached (default: exit 1, write nothing)")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="Detector options (model/chunking keys without prefix), e.g. --set dtype=float32")
    args = parser.parse_args(argv)

    from haremb_batch import Detector
    from haremb_batch.config import parse_overrides
    from haremb_batch.evaluation import load_rows

    value = args.target_recall if args.target_recall is not None else args.target_precision
    metric = "span_precision" if args.target_recall is None else {"spans": "span_recall", "chars": "char_recall"}[args.recall_kind]
    try:
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"the target must be in [0, 1], got {value}")
        if not re.fullmatch(POINT_NAME, args.name):
            raise ValueError(f"--name {args.name!r}: use letters, digits, '_', '.', '-'")
        options = parse_overrides(args.overrides)
        fixed = sorted(set(options) & set(FITTED_OPTIONS))
        if fixed:
            raise ValueError(f"--set {fixed[0]}: calibration decides it; leave it out")
        rows = load_rows(args.data, args.limit)
        detector = Detector.load(args.model, **options)
        out = calibration_path(args.model, args.out, detector.checkpoint.folder)
    except (OSError, ValueError, TypeError) as error:
        print(f"calibrate.py: error: {error}", file=sys.stderr)
        return 2

    target = Target(metric, value)
    calibrator = Calibrator(detector, rows)
    biases = calibrator.search(target)
    metrics = calibrator.metrics(biases)
    point = {"biases": biases.as_dict(), "target": {"metric": metric, "value": value, "met": metrics[metric] >= value}}
    if args.fit_min_score:
        thresholds, metrics = calibrator.fit_min_score(biases, target)
        point["min_score"] = thresholds
        point["target"]["met"] = metrics[metric] >= value
    point |= {"metrics": rounded(metrics), "metrics_at_zero_biases": rounded(calibrator.metrics(TransitionBiases())),
              "data": {"file": args.data, "rows": len(rows)}}
    if not point["target"]["met"] and not args.allow_unmet:  # a point that misses its target is not one to use
        print(f"calibrate.py: target {metric} >= {value} not reached on this data (best: {metrics[metric]:.4f}); "
              f"nothing written (--allow-unmet writes the closest point)", file=sys.stderr)
        return 1
    try:
        write_point(out, args.name, point)
    except (OSError, ValueError) as error:
        print(f"calibrate.py: error: {error}", file=sys.stderr)
        return 2

    print(f"{'metric':<16}{'zero biases':>12}{args.name:>16}")
    for key in REPORTED:
        print(f"{key:<16}{point['metrics_at_zero_biases'][key]:>12}{point['metrics'][key]:>16}")
    if not point["target"]["met"]:
        print(f"target {metric} >= {value} not reached on this data (best: {metrics[metric]:.4f}); written as asked",
              file=sys.stderr)
    use = "checkpoint" if args.name == "default" else f"checkpoint:{args.name}"
    print(f"wrote point {args.name!r} to {out} ({len(calibrator.memo)} candidates decoded); "
          f"use it with --set decoding.biases={use}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

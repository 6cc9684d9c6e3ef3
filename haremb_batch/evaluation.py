"""Span and token metrics of predicted spans against gold spans (SPEC.md's evaluation format).

- span precision / recall / F1: exact match of (start, end, label)
- token accuracy and non-O recall: BIOES labels per model token, gold vs predicted spans through the same offsets
- per-category F1
- partly visible: the share of gold spans with a non-space character that no predicted span (any label) covers,
  the number that matters for privacy
- leak rate: the share of gold PII characters (not spaces) that no predicted span covers
- overlap precision / recall / F1: label-blind; a predicted span counts when it overlaps any gold span, a gold
  span when any predicted span overlaps it (what a reader of the redacted text sees)
"""

from __future__ import annotations

import ast
import json
from collections import Counter
from typing import Iterable

import numpy as np

from .engine.labels import token_labels


def parse_spans(value) -> list[dict]:
    """A list of {start, end, label}, or the same as a JSON or Python-literal string (Nemotron-PII)."""
    if value is None:
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            value = ast.literal_eval(value)
    return [{"start": int(s["start"]), "end": int(s["end"]), "label": str(s["label"])} for s in value]


def _visible(text: str, gold: dict, covered: np.ndarray) -> bool:
    return any(not covered[i] and not text[i].isspace() for i in range(gold["start"], gold["end"]))


def load_rows(uri: str, limit: int | None = None, storage_options: dict | None = None) -> list[dict]:
    """Evaluation rows (text, spans) from JSONL or Parquet, local or any fsspec URL (Nemotron-PII's parquet too)."""
    import fsspec
    import pyarrow.parquet as pq

    with fsspec.open(uri, "rb", compression="infer", **(storage_options or {})) as f:
        if uri.endswith(".parquet"):
            rows = pq.read_table(f, columns=None).to_pylist()
        else:
            rows = [json.loads(line) for line in f.read().decode("utf-8").splitlines() if line.strip()]
    rows = rows[:limit] if limit else rows
    for i, row in enumerate(rows):
        if not isinstance(row.get("text"), str) or "spans" not in row:
            raise ValueError(f"{uri}: row {i} needs a string 'text' and 'spans'")
    return rows


def evaluate_predictions(rows: Iterable[dict], predicted: list[list], detector=None) -> dict:
    """rows: {text, spans}; predicted: Span-like objects per row. With a detector, token metrics too."""
    rows = list(rows)
    tp, fp, fn = Counter(), Counter(), Counter()
    gold_total = visible = 0
    gold_chars = leaked_chars = 0
    pred_total = pred_overlapping = gold_overlapped = 0
    tok_correct = tok_total = nono_hit = nono_total = 0
    gold_by_label, visible_by_label = Counter(), Counter()
    outcomes = Counter()  # token outcome: (gold O or entity) x (predicted O, same label, other label)
    for row, spans in zip(rows, predicted):
        text = row["text"]
        gold = parse_spans(row["spans"])
        g = {(s["start"], s["end"], s["label"]) for s in gold}
        p = {(s.start, s.end, s.label) for s in spans}
        for key in g & p:
            tp[key[2]] += 1
        for key in p - g:
            fp[key[2]] += 1
        for key in g - p:
            fn[key[2]] += 1
        covered = np.zeros(len(text) + 1, dtype=bool)
        for s in spans:
            covered[s.start : s.end] = True
        gold_total += len(gold)
        for s in gold:
            gold_by_label[s["label"]] += 1
            if _visible(text, s, covered):
                visible += 1
                visible_by_label[s["label"]] += 1
        in_gold = np.zeros(len(text) + 1, dtype=bool)
        for s in gold:
            in_gold[s["start"] : s["end"]] = True
            gold_overlapped += bool(covered[s["start"] : s["end"]].any())
        pii = in_gold & ~np.array([c.isspace() for c in text] + [True])  # each gold character once
        gold_chars += int(pii.sum())
        leaked_chars += int((pii & ~covered).sum())
        pred_total += len(spans)
        pred_overlapping += sum(bool(in_gold[s.start : s.end].any()) for s in spans)
        if detector is not None and text:
            offsets = detector.tokenize([text])[0].offsets
            label2id = {n: i for i, n in enumerate(detector.labels.names)}
            known = [s for s in gold if f"S-{s['label']}" in label2id]
            y = token_labels(offsets, known, label2id)
            y_hat = token_labels(offsets, [{"start": s.start, "end": s.end, "label": s.label} for s in spans], label2id)
            tok_correct += int((y == y_hat).sum())
            tok_total += len(y)
            non_o = y != label2id["O"]
            nono_total += int(non_o.sum())
            nono_hit += int((y_hat[non_o] == y[non_o]).sum())
            o = label2id["O"]
            gold_cat = detector.labels.category_of[y]
            pred_cat = detector.labels.category_of[y_hat]
            outcomes["O -> O"] += int(((y == o) & (y_hat == o)).sum())
            outcomes["O -> entity"] += int(((y == o) & (y_hat != o)).sum())
            outcomes["entity -> O"] += int(((y != o) & (y_hat == o)).sum())
            outcomes["entity -> same category"] += int(((y != o) & (y_hat != o) & (gold_cat == pred_cat)).sum())
            outcomes["entity -> other category"] += int(((y != o) & (y_hat != o) & (gold_cat != pred_cat)).sum())
    categories = sorted(set(tp) | set(fp) | set(fn))
    per_category = {c: _prf(tp[c], fp[c], fn[c]) | {"support": tp[c] + fn[c]} for c in categories}
    out = _prf(sum(tp.values()), sum(fp.values()), sum(fn.values()))
    out = {"span_" + k: v for k, v in out.items()}
    out.update({
        "documents": len(rows),
        "gold_spans": gold_total,
        "predicted_spans": sum(tp.values()) + sum(fp.values()),
        "partly_visible": visible / gold_total if gold_total else 0.0,
        "partly_visible_per_category": {c: visible_by_label[c] / n for c, n in sorted(gold_by_label.items())},
        "leak_rate": leaked_chars / gold_chars if gold_chars else 0.0,
        **_overlap_prf(pred_overlapping, pred_total, gold_overlapped, gold_total),
        "per_category": per_category,
    })
    if detector is not None:
        out["token_accuracy"] = tok_correct / tok_total if tok_total else 1.0
        out["non_o_recall"] = nono_hit / nono_total if nono_total else 1.0
        out["token_outcomes"] = dict(outcomes)
    return out


def _overlap_prf(pred_hit: int, pred_total: int, gold_hit: int, gold_total: int) -> dict:
    precision = pred_hit / pred_total if pred_total else 1.0
    recall = gold_hit / gold_total if gold_total else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"overlap_precision": precision, "overlap_recall": recall, "overlap_f1": f1}


def job_policy(detector):
    """The job's default policy (rules, merge, actions) with the detector's decoding options (min_score, labels)."""
    from .config import load_job_config
    from .detect.policy import Policy

    decoding = {f"decoding__{k}": v for k, v in vars(detector.decoding).items()}
    return Policy.from_config(load_job_config(None, [], **decoding), detector.labels.categories, b"evaluation")


def job_spans(detector, texts: list[str], policy=None) -> list[list]:
    """What the job redacts (detect/policy.py): the model's spans, rules and lists merged, kept spans left out.
    policy: job_policy(detector) when not given. A Decision has start, end and label like a model Span."""
    policy = policy or job_policy(detector)
    found = detector.detect(texts, include_kept=True)
    return [[d for d in policy.decide(text, spans) if d.action == "redacted"] for text, spans in zip(texts, found)]


def _prf(tp: int, fp: int, fn: int) -> dict:
    precision = tp / (tp + fp) if tp + fp else (1.0 if not fn else 0.0)
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}

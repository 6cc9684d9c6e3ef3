"""Train the embedded default model: a one-layer privacy-filter (scaled down) on the synthetic corpus and the
hand-written tuning sets.

    python jobs/train_default_model.py                      # writes haremb_batch/default_model/
    python jobs/train_default_model.py --minutes 5 --out /tmp/m   # a quick smoke run

Deterministic for a seed on one machine (fixed seeds, one thread order); logs loss and held-out metrics.
The model is transformers' own OpenAIPrivacyFilterForTokenClassification, so the saved folder is a standard
`openai_privacy_filter` checkpoint; the engine serves it.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

# the shipped shape: haremb's one layer, scaled down to fit a 25 MB budget and a 50-minute CPU training
SHAPE = dict(hidden_size=256, intermediate_size=256, num_attention_heads=8, num_key_value_heads=2, head_dim=32,
             num_local_experts=16, num_experts_per_tok=2, sliding_window=128)
LAYERS = 1  # a second layer (--layers 2, 20.5 MB) measured no better on new text (haremb_dev/tuneset/README.md)
VOCAB_SIZE = 12288  # room for merges of accented Latin text (locales.py) besides English
BLIND_SEED = 20261130  # the blind set's documents (haremb_dev/blindset), never used in training or tuning
HANDWRITTEN = REPO / "eval" / "handwritten_dev.jsonl"  # written by hand, never trained or tuned on
NO_PII = REPO / "eval" / "no_pii_sentences.txt"


def cpu_name() -> str:
    """The CPU model and whether it has AVX512-BF16 / AMX, for the card (figures depend on the machine)."""
    info = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = next((line.split(":", 1)[1].strip() for line in info.splitlines() if line.startswith("model name")), "unknown")
    family = next((line.split(":", 1)[1].strip() for line in info.splitlines() if line.startswith("cpu family")), "?")
    flags = [f for f in ("avx512_bf16", "amx_bf16") if f in info]
    return f"{model}, family {family}" + (f", {', '.join(flags)}" if flags else ", no fast bf16")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def pack_rows(rows, chars: int):
    """Join consecutive documents (blank line between) into texts of about `chars` characters, spans shifted."""
    packed, text, spans = [], "", []
    for row in rows:
        if text:
            text += "\n\n"
        spans += [{**s, "start": s["start"] + len(text), "end": s["end"] + len(text)} for s in row["spans"]]
        text += row["text"]
        if len(text) >= chars:
            packed.append({"text": text, "spans": spans})
            text, spans = "", []
    if text:
        packed.append({"text": text, "spans": spans})
    return packed


def encode_corpus(rows, tokenizer, label2id, seq_len: int):
    """Token ids and label ids of packed documents, cut into pieces of at most seq_len tokens."""
    from haremb_batch.engine.labels import token_labels

    rows = pack_rows(rows, chars=seq_len * 3)
    enc = tokenizer([r["text"] for r in rows], add_special_tokens=False, return_offsets_mapping=True)
    pieces = []
    for row, ids, offsets in zip(rows, enc["input_ids"], enc["offset_mapping"]):
        labels = token_labels(np.asarray(offsets).reshape(-1, 2), row["spans"], label2id)
        for start in range(0, len(ids), seq_len):
            pieces.append((np.asarray(ids[start : start + seq_len]), labels[start : start + seq_len]))
    return pieces


def batches(pieces, batch_size: int, rng: random.Random, pad_id: int):
    import torch

    order = list(range(len(pieces)))
    rng.shuffle(order)
    for i in range(0, len(order) - batch_size + 1, batch_size):
        chunk = [pieces[j] for j in order[i : i + batch_size]]
        T = max(len(ids) for ids, _ in chunk)
        ids = torch.full((batch_size, T), pad_id, dtype=torch.long)
        labels = torch.full((batch_size, T), -100, dtype=torch.long)
        mask = torch.zeros((batch_size, T), dtype=torch.long)
        for b, (x, y) in enumerate(chunk):
            ids[b, : len(x)], labels[b, : len(y)], mask[b, : len(x)] = torch.from_numpy(x), torch.from_numpy(y), 1
        yield ids, labels, mask


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=str(REPO / "haremb_batch" / "default_model"))
    parser.add_argument("--seed", type=int, default=20261129)
    parser.add_argument("--train-docs", type=int, default=200000)
    parser.add_argument("--eval-docs", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=3200, help="optimizer steps (fixed, so a seed gives one model)")
    parser.add_argument("--minutes", type=float, default=0, help="a time budget instead of --steps (smoke runs)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--layers", type=int, default=LAYERS, help="encoder layers (the shipped model has one)")
    parser.add_argument("--attention", choices=["eager", "fused"], default="fused",
                        help="fused (the shipped model's): transformers' attention maths through fused SDPA "
                             "(haremb_dev/band_attention.py), faster (BENCHMARKS.md); eager: transformers' own attention, "
                             "with other float rounding, so a different model for the same seed")
    parser.add_argument("--extra-negatives", action=argparse.BooleanOptionalAction, default=True,
                        help="draw documents without PII from EXTRA_NEGATIVE_TEMPLATES too (haremb_dev/corpus/fresh.py: "
                             "recipes, product lines, scores, code; the shipped model was trained with them)")
    parser.add_argument("--hand-written", type=int, default=12, metavar="COPIES",
                        help="mix COPIES copies of the six hand-written tuning sets into the training documents "
                             "(haremb_dev/tuneset; blind7 and later blind sets and eval/ left out; 0: none)")
    parser.add_argument("--seq-len", type=int, default=320)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--o-weight", type=float, default=0.6,
                        help="loss weight of O tokens: below 1 trades precision for recall, which de-identification wants")
    parser.add_argument("--high-recall", type=float, default=0.99,
                        help="the character recall (1 - leak rate) the shipped `default`/`high_recall` operating point fits to")
    parser.add_argument("--card-only", action="store_true",
                        help="calibrate and re-evaluate the model already in --out, rewrite its MODEL_CARD.md; no training")
    args = parser.parse_args(argv)
    if argv is None:  # a command line: make the corpus reproducible (haremb_dev.pin_hash_seed)
        from haremb_dev import pin_hash_seed

        pin_hash_seed()

    import torch
    from transformers import AutoModelForTokenClassification, OpenAIPrivacyFilterConfig

    from haremb_dev.corpus.generate import NEGATIVE_SHARE, RECASE_SHARE, RECORD_SHARE, TITLE_SHARE, generate_documents
    from haremb_batch.engine.labels import NEMOTRON_CATEGORIES, bioes_label_names
    from haremb_dev import band_attention  # registers the fused attention used for training
    from haremb_dev.tokenizer import train_bpe_tokenizer

    if args.card_only:
        out = Path(args.out)
        calibrate(out, args)
        results = evaluate_all(out, list(generate_documents(args.eval_docs, seed=args.seed + 1, split="heldout",
                                                                 extra_negatives=args.extra_negatives)))
        training = json.loads((out / "training_log.json").read_text())
        training["evaluation"] = {name: headline(r["job"]) if "job" in r else r for name, r in results.items()}
        training["high_recall"] = args.high_recall
        (out / "training_log.json").write_text(json.dumps(training, indent=2))
        write_model_card(out, training, results)
        return 0
    torch.manual_seed(args.seed)
    torch.set_num_threads(2)
    rng = random.Random(args.seed)
    started = time.time()
    train_rows = list(generate_documents(args.train_docs, seed=args.seed, split="train", extra_negatives=args.extra_negatives))
    eval_rows = list(generate_documents(args.eval_docs, seed=args.seed + 1, split="heldout", extra_negatives=args.extra_negatives))
    if args.hand_written:
        from haremb_dev.tuneset import training_documents

        # shuffled in, so packing puts them beside generated documents; the generated ones keep their order
        extra = training_documents() * args.hand_written
        slots = sorted(random.Random(args.seed).choices(range(len(train_rows) + 1), k=len(extra)))
        mixed, last = [], 0
        for slot, row in zip(slots, extra):
            mixed += train_rows[last:slot] + [row]
            last = slot
        train_rows = mixed + train_rows[last:]
    log(f"corpus: {len(train_rows)} train docs, {len(eval_rows)} held-out docs")
    tokenizer = train_bpe_tokenizer((r["text"] for r in train_rows), vocab_size=VOCAB_SIZE, cover_latin=True)
    names = bioes_label_names(NEMOTRON_CATEGORIES)
    label2id = {n: i for i, n in enumerate(names)}
    pieces = encode_corpus(train_rows, tokenizer, label2id, args.seq_len)
    log(f"tokenizer: {len(tokenizer)} tokens; {len(pieces)} training pieces, {sum(len(p[0]) for p in pieces)} tokens")

    config = OpenAIPrivacyFilterConfig(
        num_hidden_layers=args.layers, vocab_size=len(tokenizer), pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.pad_token_id, id2label=dict(enumerate(names)), label2id=label2id,
        max_position_embeddings=131072, **SHAPE,
    )
    attention = band_attention.NAME if args.attention == "fused" else "eager"
    model = AutoModelForTokenClassification.from_config(config, attn_implementation=attention)
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01, betas=(0.9, 0.98))
    # O dominates the tokens; weigh it down so rare categories get learnt and a doubtful token leans to PII
    weights = torch.ones(len(names))
    weights[label2id["O"]] = args.o_weight

    def lr_at(progress: float) -> float:
        warm = 0.03
        return args.lr * (progress / warm if progress < warm else 0.5 * (1 + math.cos(math.pi * (progress - warm) / (1 - warm))) * 0.95 + 0.05)

    budget = args.minutes * 60
    t0, step, epoch, done = time.time(), 0, 0, False
    while not done:
        epoch += 1
        for ids, labels, mask in batches(pieces, args.batch_size, rng, tokenizer.pad_token_id):
            progress = (time.time() - t0) / budget if args.minutes else step / args.steps
            if progress >= 1.0:
                done = True
                break
            for group in optimizer.param_groups:
                group["lr"] = lr_at(progress)
            logits = model(input_ids=ids, attention_mask=mask).logits
            loss = torch.nn.functional.cross_entropy(logits.view(-1, logits.shape[-1]), labels.view(-1),
                                                     weight=weights, ignore_index=-100)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            step += 1
            if step % 50 == 0:
                log(f"epoch {epoch} step {step} progress {progress:.2f} lr {lr_at(progress):.2e} loss {loss.item():.4f}")
    train_seconds = time.time() - t0
    log(f"trained {step} steps in {train_seconds / 60:.1f} min")

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    model.eval()
    model.to(torch.bfloat16).save_pretrained(out)  # bf16 on disk halves the size; the engine upcasts as needed
    tokenizer.save_pretrained(str(out))
    calibrate(out, args)
    results = evaluate_all(out, eval_rows)
    (out / "training_log.json").write_text(json.dumps({
        "seed": args.seed, "train_docs": args.train_docs, "eval_docs": args.eval_docs, "steps": step,
        "batch_size": args.batch_size, "seq_len": args.seq_len, "lr": args.lr, "o_weight": args.o_weight,
        "shape": {**SHAPE, "num_hidden_layers": args.layers},
        "attention": args.attention,
        **({"extra_negatives": True} if args.extra_negatives else {}),
        **({"hand_written_copies": args.hand_written} if args.hand_written else {}),
        "vocab_size": len(tokenizer), "minutes": round((time.time() - started) / 60, 1),
        "train_minutes": round(train_seconds / 60, 1), "record_share": RECORD_SHARE, "negative_share": NEGATIVE_SHARE,
        "recase_share": RECASE_SHARE, "title_share": TITLE_SHARE, "cpu": cpu_name(), "high_recall": args.high_recall,
        "evaluation": {name: headline(r["job"]) if "job" in r else r for name, r in results.items()},
    }, indent=2))
    write_model_card(out, json.loads((out / "training_log.json").read_text()), results)
    return 0


def calibrate(out: Path, args) -> None:
    """The operating points shipped in viterbi_calibration.json, fitted by jobs/calibrate.py on 2,000 documents of
    held-out templates drawn with their own seed: never on the card's sets. `high_recall` (also `default`, what
    `decoding.biases: checkpoint` uses) reaches --high-recall of gold PII characters at the best span F1."""
    import subprocess
    import tempfile

    from haremb_dev.corpus.generate import generate_documents

    (out / "viterbi_calibration.json").unlink(missing_ok=True)  # a previous model's points do not fit this one
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "calibration.jsonl"
        data.write_text("".join(json.dumps({"text": r["text"], "spans": r["spans"]}) + "\n"
                                for r in generate_documents(2000, seed=args.seed + 2, split="heldout",
                                                             extra_negatives=args.extra_negatives)))
        subprocess.run([sys.executable, str(REPO / "jobs" / "calibrate.py"), "--data", str(data), "--model", str(out),
                        "--target-recall", str(args.high_recall), "--recall-kind", "chars", "--name", "high_recall"],
                       check=True)
    path = out / "viterbi_calibration.json"  # `default` is the same point: what `decoding.biases: checkpoint` uses
    points = json.loads(path.read_text())
    point = points["operating_points"]["high_recall"]
    point["data"]["file"] = f"haremb_dev.corpus held-out templates, seed {args.seed + 2}"  # not the temporary path
    points["operating_points"]["default"] = point
    path.write_text(json.dumps(points, indent=2) + "\n")
    log(f"operating points written to {path}")


def headline(metrics: dict) -> dict:
    """The scalar metrics (per-category tables left out), as logged and kept in training_log.json."""
    return {k: v for k, v in metrics.items() if not isinstance(v, (dict, list))}


def evaluation_sets(eval_rows: list[dict]) -> dict[str, list[dict]]:
    """The labelled sets of the card: the generator's held-out templates, the blind generator's documents (its own
    module, templates and values, written before training) and the hand-written development set."""
    from haremb_batch.evaluation import load_rows
    from haremb_dev.blindset import generate_blind

    sets = {"template held-out": eval_rows, "blind generator": list(generate_blind(1000, seed=BLIND_SEED))}
    if HANDWRITTEN.exists():
        sets["hand-written"] = load_rows(str(HANDWRITTEN))
    return sets


def evaluate_all(folder: Path, eval_rows: list[dict]) -> dict:
    """Metrics of every card set, model alone and as the job redacts (model + rules), and the spans redacted in
    everyday sentences without PII."""
    from haremb_batch import Detector
    from haremb_batch.evaluation import evaluate_predictions, job_policy, job_spans

    detector = Detector.load(str(folder), dtype="float32")
    recall = Detector.load(str(folder), dtype="float32", biases="checkpoint:high_recall")
    policy = job_policy(detector)
    results = {}
    for name, rows in evaluation_sets(eval_rows).items():
        texts = [r["text"] for r in rows]
        results[name] = {"job": evaluate_predictions(rows, job_spans(detector, texts, policy), detector),
                         "model": evaluate_predictions(rows, detector.detect(texts), detector),
                         "job, high_recall": evaluate_predictions(rows, job_spans(recall, texts, policy), recall)}
        log(f"{name}: job {json.dumps({k: round(v, 4) for k, v in headline(results[name]['job']).items()})}")
    if NO_PII.exists():
        sentences = [line for line in NO_PII.read_text(encoding="utf-8").splitlines() if line.strip()]
        for key, which in (("no PII", detector), ("no PII, high_recall", recall)):
            found = job_spans(which, sentences, policy)
            results[key] = {"sentences": len(sentences), "spans": sum(len(f) for f in found),
                            "examples": [f"{s[d.start:d.end]!r} -> {d.label}" for s, f in zip(sentences, found) for d in f]}
            log(f"{key} sentences: {results[key]['spans']} spans over {len(sentences)}")
    return results


def _row(m: dict) -> str:
    return (f"{m['span_f1']:.3f} | {m['span_precision']:.3f} | {m['span_recall']:.3f} | {m['overlap_f1']:.3f} | "
            f"{m['leak_rate']:.3f} | {m['partly_visible']:.3f}")


def _category_table(results: dict, sets: list[str]) -> str:
    cats = sorted({c for name in sets for c in results[name]["job"]["per_category"]})
    head = "| category | " + " | ".join(f"{n}: F1 (support)" for n in sets) + " |\n|---|" + "---:|" * len(sets)
    lines = []
    for c in cats:
        cells = []
        for name in sets:
            v = results[name]["job"]["per_category"].get(c)
            cells.append(f"{v['f1']:.3f} ({v['support']})" if v and v["support"] else "-")
        lines.append(f"| {c} | " + " | ".join(cells) + " |")
    return head + "\n" + "\n".join(lines)


def _layers(shape: dict, noun: bool = False) -> str:
    """ "two-layer" (or "two layers" as a noun) for the card; logs of one-layer models did not record the count."""
    n = shape.get("num_hidden_layers", 1)
    word = {1: "one", 2: "two", 3: "three", 4: "four"}.get(n, str(n))
    return f"{word} layer{'s' if n > 1 else ''}" if noun else f"{word}-layer"


def _extra_negatives(training: dict) -> str:
    if not training.get("extra_negatives"):
        return ""
    return ("; also recipes, product listings, weather, match scores, shell, code and changelog lines, sayings, care "
            "labels and photo settings (`corpus/fresh.py` EXTRA_NEGATIVE_TEMPLATES, `--extra-negatives`)")


def _hand_written(training: dict) -> str:
    copies = training.get("hand_written_copies")
    if not copies:
        return ""
    return (f"\n- **Hand-written texts**: {copies} copies of the six tuning sets of `haremb_dev/tuneset` (about 950 "
            "short labelled texts in some 600 styles and 180 texts without PII, written by helper sessions), mixed "
            "in among the generated documents; the blind sets `blind7` and later, and `eval/`, stay out (any text "
            "they share with the tuning sets too), so the hand-written row below and those sets still measure text "
            "the training never saw.")


def _attention(training: dict) -> str:
    if training.get("attention", "eager") == "fused":
        return "its attention through fused SDPA, haremb_dev/band_attention.py: the same maths as its eager attention"
    return "its eager attention"


def write_model_card(out: Path, training: dict, results: dict) -> None:
    from haremb_dev.corpus.fresh import STYLES_FRESH
    from haremb_dev.corpus.locales import LOCALE_WEIGHTS
    from haremb_dev.corpus.templates import STYLES

    size_mb = sum(p.stat().st_size for p in out.iterdir() if p.is_file()) / 1e6
    sets = [n for n in results if not n.startswith("no PII")]
    table = "\n".join(f"| {name} | {len_docs(results[name])} | {kind} | {_row(results[name][kind])} |"
                      for name in sets for kind in ("job", "model", "job, high_recall"))
    no_pii, no_pii_recall = results.get("no PII", {}), results.get("no PII, high_recall", {})
    shape = training["shape"]
    card = f"""# haremb-batch default model

A {_layers(shape)} privacy-filter (`model_type: openai_privacy_filter`) token classifier with the 221-label
Nemotron-PII BIOES head (55 categories), made entirely by this repository's scripts:

    python jobs/train_default_model.py          # corpus, tokenizer, training, evaluation, this card

It is the model the job, the tests and the README use when no `--model` is given: a small model for English text
about people and places from many countries, not a substitute for `openai/privacy-filter` or
`OpenMed/privacy-filter-nemotron`.

## How it was made

- **Data**: {training['train_docs']:,} synthetic documents from `haremb_dev.corpus`, each about people, places,
  companies and phone numbers of one of {len(LOCALE_WEIGHTS)} Latin-script Faker locales (`corpus/locales.py`:
  en_US for {LOCALE_WEIGHTS['en_US'] / sum(LOCALE_WEIGHTS.values()):.0%}, then en_GB/IE/AU/CA/IN, de, fr, es, it, nl, pl,
  pt, sv, fi, hu, cs, sk, tr, da, no, ro, hr, sl, the Baltics, vi, id, yo, zu, ga, tw): {len(STYLES) + len(STYLES_FRESH)}
  document styles (`corpus/templates.py`; `corpus/fresh.py`: chat turns, service requests, contact cards and
  signatures, résumés, headlines, reviews, forum posts, postal blocks, bios, meeting notes, delivery notices,
  tables, social posts, names with no cue word, PII at the start of a sentence, imperatives before names),
  {training.get('record_share', 0):.0%} procedural key/value records (`corpus/records.py`),
  {training.get('negative_share', 0):.0%} documents without any PII (sign-offs, salutations, log levels, form captions,
  role words such as "the tenant", brands, band and film titles, code identifiers, cloud regions{_extra_negatives(training)}), a PII-free line
  in many others, {training.get('recase_share', 0):.0%} of documents in ALL CAPS, lower case or with capitalised lines, and
  {training.get('title_share', 0):.0%} of the others with ordinary words Capitalised at random (a capital is no name).
  Several documents are packed per training sequence of {training['seq_len']} tokens.{_hand_written(training)}
- **Tokenizer**: a byte-level BPE of {training['vocab_size']:,} tokens trained by the script on the training
  texts (so accented names get merges of their own), with o200k_base's pre-tokenization pattern.
  Why not o200k_base itself: its 200,064-row embedding alone breaks the 25 MB budget before any layer.
- **Shape** (the haremb slice scaled down): hidden {shape['hidden_size']}, {shape['num_attention_heads']} query /
  {shape['num_key_value_heads']} key-value heads of {shape['head_dim']}, sliding window {shape['sliding_window']},
  {shape['num_local_experts']} experts of width {shape['intermediate_size']}, top-{shape['num_experts_per_tok']};
  {_layers(shape, noun=True)}. Weights stored in bf16 ({size_mb:.1f} MB on disk in total).
- **Training**: transformers' `OpenAIPrivacyFilterForTokenClassification` ({_attention(training)}),
  AdamW (lr {training['lr']}, warm-up then cosine), batch {training['batch_size']}, {training['steps']:,} steps, O weighted {training['o_weight']} in the loss, seed
  {training['seed']}, CPU only (2 cores, {training.get('cpu', 'CPU not recorded')}). Wall time of this run:
  {training.get('train_minutes', '?')} minutes of training, {training['minutes']} minutes in all with corpus,
  tokenizer and evaluation.

## Metrics

Three labelled sets, none trained or tuned on:

- **template held-out**: 1,000 documents of the training generator built only from templates that never appear
  in training (every fourth template of each style); same value sources, so it measures unseen phrasing only.
- **blind generator**: 1,000 documents of `haremb_dev/blindset`, a second generator written by a separate path
  before training (its own hand-written value lists of international names, streets, cities and companies, its
  own templates and styles, 15% documents without PII); the trainer never reads it (`jobs/make_blindset.py`).
- **hand-written**: `eval/handwritten_dev.jsonl`, short texts written by hand in many styles with international
  names and addresses (`eval/handwritten_dev.txt`, converted by `eval/build_handwritten.py`).

`job` is what the job redacts with its defaults (this model with its spans completed at their edges, the rules, merge, model-only names that cannot be names kept; `decoding.biases: zeros`),
`model` the model's spans alone, `job, high_recall` the job with `decoding.biases: checkpoint:high_recall`. Span F1 / P / R: exact start, end and label. Overlap F1: label-blind, a span counts
when it overlaps the other side. Leak rate: the share of gold PII characters no redacted span covers. Partly visible:
the share of gold spans with any character left visible. Engine in fp32, windows of 1024.

| set | docs | spans by | span F1 | precision | recall | overlap F1 | leak rate | partly visible |
|---|---:|---|---:|---:|---:|---:|---:|---:|
{table}

Everyday sentences without PII (`eval/no_pii_sentences.txt`: sign-offs, log lines, captions, headlines, recipes):
{no_pii.get('spans', '?')} span{'' if no_pii.get('spans') == 1 else 's'} redacted over {no_pii.get('sentences', '?')} sentences{(': ' + '; '.join(no_pii['examples'][:8])) if no_pii.get('examples') else ''}
({no_pii_recall.get('spans', '?')} at the high-recall point).

Per category (job defaults; F1 and gold support):

{_category_table(results, sets)}

Regenerate everything with `python jobs/train_default_model.py --card-only`; one set at a time with
`python jobs/evaluate.py --data eval/handwritten_dev.jsonl` (add `--model-only` for the model alone).

## Operating points

`viterbi_calibration.json` carries operating points fitted by `jobs/calibrate.py` (model spans alone) on 2,000
documents of held-out templates drawn with their own seed, never on the three sets above: `high_recall` (also
`default`) reaches {training.get('high_recall', 0.99):.0%} of gold PII characters there at the best span F1. The job's
default stays `decoding.biases: zeros` (SPEC); `--set decoding.biases=checkpoint` decodes with the high-recall point.
The file records each point's biases, target and metrics.

## Limits

- Trained on synthetic, template-generated English; other languages and non-Latin scripts are out of scope.
- Its main weakness on text written by others is precision on capitalised everyday words (titles such as
  "Goalkeeper", captions, ICS keys, sentence-initial verbs) and common words next to PII; the spans above on
  sentences without PII, and tests/test_default_model.py's strict xfails, list them. {_share(results, "hand-written")}
  of hand-written gold spans stay partly visible at the default point; on the blind set most of those are in
  {_most_visible(results, "blind generator")}. The high-recall point lowers that at the cost of more spans on
  ordinary words.
- Categories that depend on meaning rather than form (political view, religious belief, sexuality, occupation,
  education level) are learnt from a handful of phrasings and generalise least.
- Exact span boundaries follow this generator's conventions (e.g. an age is the number alone).
- A token's label depends on at most {shape['sliding_window'] * shape.get('num_hidden_layers', 1)} tokens either side ({_layers(shape, noun=True)} of a
  ±{shape['sliding_window']} window); there is no document-level memory.
"""
    (out / "MODEL_CARD.md").write_text(card)


def _share(results: dict, name: str) -> str:
    return f"{100 * results[name]['job']['partly_visible']:.1f}%" if name in results else "Some"


def _most_visible(results: dict, name: str, n: int = 4) -> str:
    """The categories with the most partly visible gold spans, each with that count and its gold spans."""
    if name not in results:
        return "not measured"
    job = results[name]["job"]
    counts = {c: share * job["per_category"][c]["support"] for c, share in job["partly_visible_per_category"].items()}
    top = sorted(counts, key=lambda c: -counts[c])[:n]
    return ", ".join(f"{c} ({round(counts[c])} of its {job['per_category'][c]['support']} spans)" for c in top)


def len_docs(result: dict) -> str:
    return f"{result['job']['documents']:,}"


if __name__ == "__main__":
    sys.exit(main())

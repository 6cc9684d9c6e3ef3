"""The blind held-out generator: deterministic, exact offsets, allowed labels, varied, and independent of the
training corpus generator."""

import ast
import random
from collections import Counter
from pathlib import Path

import pytest

from haremb_dev.blindset import LABELS, assemble, check, generate_blind
from haremb_dev.blindset.context import make_slots
from haremb_dev.blindset.styles import NO_PII_STYLE, STYLES, render


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return list(generate_blind(500, seed=7))


def test_deterministic_for_a_seed(rows):
    assert list(generate_blind(500, seed=7)) == rows
    assert list(generate_blind(50, seed=8)) != rows[:50]
    # row i depends on (seed, i) only, not on how many rows are asked for
    assert list(generate_blind(20, seed=7)) == rows[:20]


def test_offsets_labels_and_no_overlaps(rows):
    for row in rows:
        assert set(row) == {"id", "text", "spans", "style"}
        previous_end = 0
        for span in row["spans"]:
            value = row["text"][span["start"]:span["end"]]
            assert span["label"] in LABELS
            assert value and value == value.strip()
            assert span["start"] >= previous_end
            previous_end = span["end"]


def test_variety(rows):
    styles = Counter(row["style"] for row in rows)
    assert len(styles) - (NO_PII_STYLE in styles) >= 12
    assert 0.08 <= styles[NO_PII_STYLE] / len(rows) <= 0.25
    assert all(not row["spans"] for row in rows if row["style"] == NO_PII_STYLE)
    names = [row["text"][s["start"]:s["end"]] for row in rows for s in row["spans"]
             if s["label"] in ("first_name", "last_name")]
    assert sum(not name.isascii() for name in names) >= 50
    labels = Counter(s["label"] for row in rows for s in row["spans"])
    assert len(labels) >= 17


def test_every_template_renders_and_checks():
    rng = random.Random("templates")
    for style in STYLES.values():
        for template in style.templates:
            pieces = render(template, make_slots(rng))
            text, spans = assemble(pieces)
            check(text, spans, pieces)
            assert spans


def test_does_not_import_the_training_generator():
    for path in Path(__file__).resolve().parent.parent.joinpath("haremb_dev", "blindset").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            else:
                continue
            for module in modules:
                assert not module.startswith(("haremb_dev.corpus", "faker")), f"{path.name} imports {module}"


def test_the_training_path_never_reads_the_blind_set():
    """The corpus, the tokenizer and the training loop never name the blind generator (only the model card's
    evaluation in jobs/train_default_model.py scores on it, after training)."""
    root = Path(__file__).resolve().parent.parent
    for path in [*root.joinpath("haremb_dev", "corpus").glob("*.py"), root / "haremb_dev" / "tokenizer.py"]:
        assert "blindset" not in path.read_text(encoding="utf-8"), path
    train = (root / "jobs" / "train_default_model.py").read_text(encoding="utf-8")
    loop = train[train.index("def main(") : train.index("def calibrate(")]
    assert "blindset" not in loop and "generate_blind" not in loop


def test_hand_written_training_documents_leave_the_blind_sets_out():
    """`--hand-written` trains on the six tuning sets only: no text of blind7 (or a later blind set) or of the
    model card's hand-written set (eval/) is among them, and every tuning text is, spans included."""
    from haremb_dev.tuneset import TRAINING_SETS, _markup, training_documents

    root = Path(__file__).resolve().parent.parent
    markup = _markup()
    rows = training_documents()
    texts = {r["text"] for r in rows}
    tuneset = root / "haremb_dev" / "tuneset"
    held_out = [p for p in tuneset.glob("blind*.txt") if p.stem not in {name for name, _ in TRAINING_SETS}]
    assert any(p.stem == "blind7" for p in held_out)
    for path in held_out:
        assert not texts & {r["text"] for r in markup.build(path)}, path.name
        no_pii = tuneset / path.name.replace("blind", "no_pii")
        if no_pii.exists():
            assert not texts & set(markup.check_no_pii(no_pii)), no_pii.name
    assert not texts & {r["text"] for r in markup.build(root / "eval" / "handwritten_dev.txt")}
    assert not texts & set(markup.check_no_pii(root / "eval" / "no_pii_sentences.txt"))
    expected = [r for name, _ in TRAINING_SETS for r in markup.build(tuneset / f"{name}.txt")]
    # the labelled texts all, the texts without PII less the few everyday lines a held-out set has too
    assert len(expected) + 25 * len(TRAINING_SETS) <= len(rows) < len(expected) + 30 * len(TRAINING_SETS)
    spans = {(r["text"], tuple((s["start"], s["end"], s["label"]) for s in r["spans"])) for r in rows}
    assert all((r["text"], tuple((s["start"], s["end"], s["label"]) for s in r["spans"])) in spans for r in expected)

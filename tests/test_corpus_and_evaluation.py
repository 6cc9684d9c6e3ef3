import json

import pytest

from haremb_batch import Span
from haremb_dev.corpus.fresh import STYLES_FRESH
from haremb_dev.corpus.generate import all_templates, categories_covered, generate_documents, render
from haremb_dev.corpus.templates import STYLES, templates_for
from haremb_dev.corpus.values import VALUES
from haremb_batch.engine.labels import NEMOTRON_CATEGORIES
from haremb_batch.evaluation import evaluate_predictions, load_rows, parse_spans


def test_corpus_spans_are_exact_and_deterministic():
    rows = list(generate_documents(600, seed=3))
    assert rows == list(generate_documents(600, seed=3))
    assert rows != list(generate_documents(600, seed=4))
    assert {r["style"] for r in rows} == set(STYLES) | set(STYLES_FRESH) | {"records", "negatives"}
    assert all(not r["spans"] for r in rows if r["style"] == "negatives")
    assert len({r["locale"] for r in rows}) > 25
    for row in rows:
        spans = row["spans"]
        for s in spans:
            value = row["text"][s["start"] : s["end"]]
            assert value and value == value.strip() and s["label"] in NEMOTRON_CATEGORIES
        assert all(a["end"] <= b["start"] for a, b in zip(spans, spans[1:]))


def test_every_category_is_generated_and_trained():
    assert set(VALUES) == set(NEMOTRON_CATEGORIES)
    assert categories_covered("train") == set(NEMOTRON_CATEGORIES)


def test_heldout_shares_no_template_with_train():
    train = {t for _, _, t in all_templates("train")}
    heldout = {t for _, _, t in all_templates("heldout")}
    assert heldout and not train & heldout
    used_train = {u for r in generate_documents(500, seed=1, split="train") for u in r["templates"]}
    used_heldout = {u for r in generate_documents(200, seed=1, split="heldout") for u in r["templates"]}
    assert used_heldout and not used_train & used_heldout


def test_locales_and_casing_keep_gold_offsets():
    """Accented names from many locales, ALL CAPS and lower-case documents: offsets still exact."""
    from haremb_dev.corpus.generate import LOWER, UPPER

    assert UPPER("Straße 5") == "STRAßE 5" and LOWER("İzmir") == "İzmir"[0] + "zmir"  # same length, always
    rows = list(generate_documents(1500, seed=8))
    accented = [t for r in rows for s in r["spans"] if s["label"] in ("first_name", "last_name")
                for t in [r["text"][s["start"] : s["end"]]] if any(ord(c) > 127 for c in t)]
    assert len(accented) > 50
    assert any(r["text"].isupper() for r in rows) and any(r["text"].islower() for r in rows if r["spans"])
    for r in rows:
        for s in r["spans"]:
            value = r["text"][s["start"] : s["end"]]
            assert value and value == value.strip()



def test_procedural_phrases_render_and_are_not_heldout_templates():
    import random

    from faker import Faker

    from haremb_dev.corpus.records import PHRASES, PLAIN_FIELDS
    from haremb_dev.corpus.values import DISTRACTORS

    # a phrase found in a held-out template must be a construction the train templates already have
    heldout = [t for _, _, t in templates_for("heldout")]
    train = [t for _, _, t in templates_for("train")]
    leaked = [p for p in PHRASES if any(p in t or t in p for t in heldout) and not any(p in t for t in train)]
    assert not leaked
    for phrase in PHRASES:  # every slot is a category or a distractor
        text, spans = render(phrase, random.Random(0), Faker(), {})
        assert all(text[s["start"] : s["end"]] for s in spans)
    assert set(PLAIN_FIELDS.values()) <= set(DISTRACTORS) and not set(PLAIN_FIELDS.values()) & set(VALUES)


def test_procedural_tables_label_pii_columns_only():
    rows = [r for r in generate_documents(400, seed=5) if r["templates"] == ["records/table"]]
    assert len(rows) > 10
    for row in rows:
        lines = row["text"].split("\n")
        for s in row["spans"]:  # a value never crosses a line, so spans sit inside one table cell
            assert "\n" not in row["text"][s["start"] : s["end"]]
    # plain columns exist: some cells carry no span at all
    covered = sum(s["end"] - s["start"] for r in rows for s in r["spans"])
    assert covered < sum(len(r["text"]) for r in rows) * 0.9

def test_render_reuses_numbered_values_and_keeps_distractors_unlabelled():
    import random

    from faker import Faker

    text, spans = render("{first_name#1} met {first_name#1} about {order_no}.", random.Random(0), Faker(), {})
    a, b = (text[s["start"] : s["end"]] for s in spans)
    assert a == b and len(spans) == 2
    with pytest.raises(KeyError, match="no_such_slot"):
        render("{no_such_slot}", random.Random(0), Faker(), {})


GOLD = {"text": "Alice Smith called 555-0100 today.", "spans": [
    {"start": 0, "end": 5, "label": "first_name"}, {"start": 6, "end": 11, "label": "last_name"},
    {"start": 19, "end": 27, "label": "phone_number"}]}


def spans(*triples):
    return [Span(s, e, label, 1.0) for s, e, label in triples]


def test_metrics_perfect_empty_off_by_one_wrong_label():
    perfect = evaluate_predictions([GOLD], [spans((0, 5, "first_name"), (6, 11, "last_name"), (19, 27, "phone_number"))])
    assert perfect["span_f1"] == 1.0 and perfect["partly_visible"] == 0.0
    empty = evaluate_predictions([GOLD], [[]])
    assert empty["span_recall"] == 0.0 and empty["span_f1"] == 0.0 and empty["partly_visible"] == 1.0
    off = evaluate_predictions([GOLD], [spans((0, 5, "first_name"), (6, 11, "last_name"), (20, 27, "phone_number"))])
    assert off["span_precision"] == pytest.approx(2 / 3) and off["partly_visible"] == pytest.approx(1 / 3)
    assert off["partly_visible_per_category"] == {"first_name": 0.0, "last_name": 0.0, "phone_number": 1.0}
    wrong = evaluate_predictions([GOLD], [spans((0, 11, "last_name"), (19, 27, "ssn"))])
    assert wrong["span_f1"] == 0.0 and wrong["partly_visible"] == 0.0  # covered, although by the wrong label
    assert wrong["per_category"]["ssn"]["precision"] == 0.0
    nothing = evaluate_predictions([{"text": "no pii", "spans": []}], [[]])
    assert nothing["span_f1"] == 1.0


def test_spans_as_python_literal_and_loading(tmp_path):
    literal = str([{"start": 0, "end": 5, "text": "Alice", "label": "first_name"}])
    assert parse_spans(literal) == [{"start": 0, "end": 5, "label": "first_name"}]
    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps({"text": "Alice", "spans": literal}) + "\n")
    assert load_rows(str(path))[0]["text"] == "Alice"
    path.write_text(json.dumps({"body": "x"}) + "\n")
    with pytest.raises(ValueError, match="needs a string 'text'"):
        load_rows(str(path))

import random

import pytest
from faker import Faker

from haremb_dev.corpus.fresh import (
    EXTRA_NEGATIVE_TEMPLATES, NEG_SLOT, NEGATIVE_LISTS, NEGATIVE_TEMPLATES, STYLES_FRESH, render_fresh,
)
from haremb_dev.corpus.slots import SLOT
from haremb_dev.corpus.values import DISTRACTORS, VALUES


def _renders(template: str, seeds=range(5)):
    fake = Faker("en_US")
    for seed in seeds:
        r = random.Random(f"fresh:{seed}:{template}")
        fake.seed_instance(seed)
        yield render_fresh(template, r, fake, {})


def test_sizes():
    assert len(STYLES_FRESH) >= 14 and all(len(ts) >= 10 for ts in STYLES_FRESH.values())
    assert len(NEGATIVE_TEMPLATES) >= 80 and all(len(vs) >= 30 for vs in NEGATIVE_LISTS.values())
    every = [t for ts in STYLES_FRESH.values() for t in ts] + NEGATIVE_TEMPLATES + EXTRA_NEGATIVE_TEMPLATES
    assert len(set(every)) == len(every)
    assert {m.group(1) for t in every for m in NEG_SLOT.finditer(t)} == set(NEGATIVE_LISTS)


@pytest.mark.parametrize("style", sorted(STYLES_FRESH))
def test_fresh_styles_render_with_exact_spans(style):
    for template in STYLES_FRESH[style]:
        expected = [m.group(1) for m in SLOT.finditer(NEG_SLOT.sub("", template)) if m.group(1) in VALUES]
        assert expected, template
        for text, spans in _renders(template):
            assert "{neg:" not in text
            assert [s["label"] for s in spans] == expected
            for s in spans:
                value = text[s["start"] : s["end"]]
                assert value and value == value.strip()
            assert all(a["end"] <= b["start"] for a, b in zip(spans, spans[1:]))


def test_fresh_reuses_numbered_values():
    text, spans = next(_renders("{first_name#1} slammed the door. Later {first_name#1} apologised."))
    a, b = (text[s["start"] : s["end"]] for s in spans)
    assert a == b


def test_negative_templates_have_no_pii():
    for template in NEGATIVE_TEMPLATES + EXTRA_NEGATIVE_TEMPLATES:
        names = {m.group(1) for m in SLOT.finditer(NEG_SLOT.sub("", template)) if m.group(1)}
        assert names <= set(DISTRACTORS), template
        for text, spans in _renders(template):
            assert spans == [] and "{neg:" not in text and text.strip()


def test_neg_values_with_braces_are_literal():
    text, spans = render_fresh("x {neg:code_identifier} y", random.Random(0), Faker(), {})
    assert spans == []
    NEGATIVE_LISTS["_probe"] = ["a {b} c"]
    try:
        assert render_fresh("{neg:_probe} {first_name}", random.Random(0), Faker(), {})[0].startswith("a {b} c ")
    finally:
        del NEGATIVE_LISTS["_probe"]


def test_extra_negatives_are_drawn_only_when_asked():
    """The shipped recipe draws no EXTRA_NEGATIVE_TEMPLATES (so its corpus, and the shipped model, stay what they
    were); `extra_negatives=True` draws them among the documents without PII and the PII-free lines."""
    from haremb_dev.corpus.generate import generate_documents

    def extra_used(**kwargs):
        used = [t for d in generate_documents(600, seed=3, split="train", **kwargs) for t in d["templates"]]
        return [t for t in used if t.startswith("negatives/") and int(t.split("/")[1]) >= len(NEGATIVE_TEMPLATES)]

    assert extra_used() == []
    assert len(extra_used(extra_negatives=True)) >= 10

"""Synthetic documents with exact gold character spans, in SPEC.md's evaluation format."""

from __future__ import annotations

import random
from typing import Iterator

from faker import Faker

from .records import record_document
from .slots import SLOT, render
from .templates import STYLES, template_split, templates_for
from .values import VALUES

RECORD_SHARE = 0.6  # of training documents built procedurally (records.py) rather than from templates


def generate_documents(n: int, seed: int = 0, split: str = "train") -> Iterator[dict]:
    """`n` documents of 1-3 template blocks of one style, with filler prose; deterministic by seed.

    split: train (hand-written train templates, and procedural records for RECORD_SHARE of the documents),
    heldout (only the hand-written templates never used in train), or all.
    """
    pool = templates_for(split)
    by_style: dict[str, list[tuple[int, str]]] = {}
    for style, index, template in pool:
        by_style.setdefault(style, []).append((index, template))
    styles = sorted(by_style)
    fake = Faker("en_US")
    for i in range(n):
        r = random.Random(f"{seed}:{split}:{i}")
        fake.seed_instance(r.randrange(2**32))
        if split == "train" and r.random() < RECORD_SHARE:
            text, spans, kind = record_document(r, fake)
            yield {"id": f"{split}-{seed}-{i}", "text": text, "spans": spans, "style": "records", "templates": [f"records/{kind}"]}
            continue
        style = r.choice(styles)
        memory: dict = {}
        text, spans, used = "", [], []
        for _ in range(r.choice([1, 1, 2, 2, 3])):
            index, template = r.choice(by_style[style])
            block, block_spans = render(template, r, fake, memory)
            joiner = "" if not text else r.choice(["\n\n", "\n", " "])
            if text and r.random() < 0.3:
                joiner += fake.sentence() + r.choice(["\n", " "])
            offset = len(text) + len(joiner)
            text += joiner + block
            spans += [{**s, "start": s["start"] + offset, "end": s["end"] + offset} for s in block_spans]
            used.append(f"{style}/{index}")
        yield {"id": f"{split}-{seed}-{i}", "text": text, "spans": spans, "style": style, "templates": used}


def categories_covered(split: str) -> set[str]:
    return {m.group(1) for _, _, t in templates_for(split) for m in SLOT.finditer(t) if m.group(1) in VALUES}


__all__ = ["generate_documents", "render", "categories_covered", "STYLES", "template_split"]

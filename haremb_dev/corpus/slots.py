"""Template slots: `{category}` becomes a gold span, `{distractor}` unlabelled filler, `{category#n}` a reused value."""

from __future__ import annotations

import random
import re

from faker import Faker

from .values import DISTRACTORS, VALUES

SLOT = re.compile(r"\{\{|\}\}|\{(\w+)(?:#(\d+))?\}")


def render(template: str, r: random.Random, fake: Faker, memory: dict) -> tuple[str, list[dict]]:
    """Fill a template; PII slots become spans, `#n` slots reuse the document's earlier value."""
    out: list[str] = []
    spans: list[dict] = []
    cursor, length = 0, 0
    for m in SLOT.finditer(template):
        literal = template[cursor : m.start()]
        out.append(literal)
        length += len(literal)
        cursor = m.end()
        if m.group(0) in ("{{", "}}"):
            out.append(m.group(0)[0])
            length += 1
            continue
        name, ref = m.group(1), m.group(2)
        if name in VALUES:
            key = (name, ref)
            value = memory[key] if ref and key in memory else VALUES[name](r, fake).strip()
            if ref:
                memory[key] = value
            spans.append({"start": length, "end": length + len(value), "label": name})
        elif name in DISTRACTORS:
            value = DISTRACTORS[name](r, fake)
        else:
            raise KeyError(f"template slot {{{name}}} is neither a category nor a distractor")
        out.append(value)
        length += len(value)
    out.append(template[cursor:])
    return "".join(out), spans

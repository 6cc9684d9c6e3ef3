"""Synthetic documents with exact gold character spans, in SPEC.md's evaluation format."""

from __future__ import annotations

import random
import re
from typing import Iterator

from .fresh import EXTRA_NEGATIVE_TEMPLATES, NEGATIVE_TEMPLATES, STYLES_FRESH, render_fresh
from .locales import LocalePool
from .records import record_document
from .slots import SLOT, render
from .templates import STYLES, template_split, templates_for
from .values import VALUES

RECORD_SHARE = 0.35  # of training documents built procedurally (records.py) rather than from templates
NEGATIVE_SHARE = 0.15  # documents with no PII at all: sign-offs, log lines, captions, headlines (fresh.py)
RECASE_SHARE = 0.15  # documents in ALL CAPS, all lower case, or with ALL-CAPS lines (address blocks, chat)
TITLE_SHARE = 0.25  # documents with some ordinary words Capitalised ("Goalkeeper", "Booking Ref"): a capital is no name


def all_templates(split: str) -> list[tuple[str, int, str]]:
    """(style, index, template) of templates.py's and fresh.py's styles for the split (every fourth held out)."""
    fresh = [(style, i, t) for style, ts in STYLES_FRESH.items() for i, t in enumerate(ts)
             if split == "all" or template_split(i) == split]
    return templates_for(split) + fresh


def negative_templates(split: str, extra: bool = False) -> list[tuple[int, str]]:
    templates = NEGATIVE_TEMPLATES + (EXTRA_NEGATIVE_TEMPLATES if extra else [])
    return [(i, t) for i, t in enumerate(templates) if split == "all" or template_split(i) == split]


def generate_documents(n: int, seed: int = 0, split: str = "train", extra_negatives: bool = False) -> Iterator[dict]:
    """`n` documents of 1-3 template blocks of one style, with filler prose; deterministic by seed under a fixed
    PYTHONHASHSEED (Faker's it_IT city list follows string hashing; jobs/ scripts pin it: haremb_dev.pin_hash_seed).

    split: train (train templates, procedural records for RECORD_SHARE of the documents), heldout (only the
    templates never used in train), or all. People, places, companies and phone numbers come from one locale per
    document (locales.py); NEGATIVE_SHARE of the documents hold no PII, others get a PII-free line now and then.
    extra_negatives: draw those from EXTRA_NEGATIVE_TEMPLATES too (fresh.py; an experiment, off for the shipped model).
    """
    by_style: dict[str, list[tuple[int, str]]] = {}
    for style, index, template in all_templates(split):
        by_style.setdefault(style, []).append((index, template))
    styles = sorted(by_style)
    negatives = negative_templates(split, extra_negatives)
    pool = LocalePool()
    for i in range(n):
        r = random.Random(f"{seed}:{split}:{i}")
        locale, fake = pool.pick(r)
        roll = r.random()
        records = RECORD_SHARE if split == "train" else 0.0  # records are never held out
        if roll < records:
            text, spans, kind = record_document(r, fake)
            style, used = "records", [f"records/{kind}"]
        elif roll < records + NEGATIVE_SHARE:
            chosen = [r.choice(negatives) for _ in range(r.randint(1, 4))]
            text, spans = _join([render_fresh(t, r, fake, {}) for _, t in chosen], r)
            style, used = "negatives", [f"negatives/{i}" for i, _ in chosen]
        else:
            style = r.choice(styles)
            memory: dict = {}
            blocks, used = [], []
            for _ in range(r.choice([1, 1, 2, 2, 3])):
                index, template = r.choice(by_style[style])
                blocks.append(render_fresh(template, r, fake, memory))
                used.append(f"{style}/{index}")
                if r.random() < 0.15:
                    blocks.append((fake.sentence(), []))
            if r.random() < 0.4:  # a PII-free line before or after: salutations, sign-offs, log noise, captions
                line = render_fresh(r.choice(negatives)[1], r, fake, {})
                blocks.insert(r.choice([0, len(blocks)]), line)
            text, spans = _join(blocks, r)
        if r.random() < RECASE_SHARE:
            text = recase(text, r)
        elif r.random() < TITLE_SHARE:
            text = title_words(text, spans, r)
        yield {"id": f"{split}-{seed}-{i}", "text": text, "spans": spans, "style": style, "templates": used,
               "locale": locale}


def _join(blocks: list[tuple[str, list[dict]]], r: random.Random) -> tuple[str, list[dict]]:
    text, spans = "", []
    for block, block_spans in blocks:
        if text:
            text += r.choice(["\n\n", "\n", " "])
        spans += [{**s, "start": s["start"] + len(text), "end": s["end"] + len(text)} for s in block_spans]
        text += block
    return text, spans


def _same_length(change):
    # ß.upper() is "SS", İ.lower() two code points: keep such characters as they are so gold offsets stay valid
    return lambda text: "".join(c2 if len(c2) == 1 else c for c, c2 in ((c, change(c)) for c in text))


UPPER, LOWER = _same_length(str.upper), _same_length(str.lower)


def recase(text: str, r: random.Random) -> str:
    """ALL CAPS, all lower case (chat), or some lines in capitals (address blocks); offsets unchanged."""
    kind = r.choice(["upper", "lower", "lower", "lines"])
    if kind == "upper":
        return UPPER(text)
    if kind == "lower":
        return LOWER(text)
    return "".join(UPPER(line) if r.random() < 0.5 else line for line in text.splitlines(keepends=True))


def title_words(text: str, spans: list[dict], r: random.Random) -> str:
    """Capitalise a share of the lower-case words outside gold spans, as headings, forms, invitations and
    itineraries do; the first model read such words as names. Offsets unchanged (one letter for one letter)."""
    share = r.uniform(0.1, 0.5)
    chars = list(text)
    for m in WORD.finditer(text):
        if r.random() < share and not any(s["start"] < m.end() and m.start() < s["end"] for s in spans):
            chars[m.start()] = UPPER(text[m.start()])
    return "".join(chars)


WORD = re.compile(r"(?<![\w@./:=-])[a-z][a-z]+\b")  # a plain word, not part of an address, path or key=value


def categories_covered(split: str) -> set[str]:
    return {m.group(1) for _, _, t in all_templates(split) for m in SLOT.finditer(t) if m.group(1) in VALUES}


__all__ = ["generate_documents", "render", "categories_covered", "STYLES", "template_split", "all_templates"]

#!/usr/bin/env python3
"""Build eval/handwritten_dev.jsonl from the hand-marked eval/handwritten_dev.txt.

Markup format (see handwritten_dev.txt):
  * documents are separated by a line containing only ``---``;
  * the first non-blank line of every document must be ``# style: <name>``;
    it sets the document's style and is not part of the text;
  * PII is marked inline as ``[[value|label]]``.

Each output row is ``{"id", "text", "spans": [{"start", "end", "label"}], "style"}``
with exact character offsets into ``text``.

The script also sanity-checks eval/no_pii_sentences.txt (exactly 30 non-empty
lines, no markup).  Any malformed input makes it exit with status 1 and a
message naming the file and line.  Standard library only.

Usage: python eval/build_handwritten.py [--src PATH] [--out PATH] [--no-pii PATH]
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent

LABELS = frozenset({
    "first_name", "last_name", "street_address", "city", "state", "postcode",
    "country", "company_name", "phone_number", "email", "date", "date_time",
    "time", "date_of_birth", "age", "user_name", "url", "occupation",
    "account_number", "credit_debit_card", "ipv4", "ssn",
})

STYLE_RE = re.compile(r"^#\s*style:\s*([a-z][a-z0-9_]*)\s*$")
SEP = "---"
NO_PII_EXPECTED = 30

# characters that must never sit at the edge of a span
BAD_START = set(" \t\n,;:!?.\"'“”‘’»«)]}")
BAD_END = set(" \t\n,;:!?\"'“”‘’»«([{")


class MarkupError(Exception):
    pass


def _check_value(value: str, label: str, where: str) -> None:
    if not value:
        raise MarkupError(f"{where}: empty value for label {label!r}")
    if label not in LABELS:
        raise MarkupError(f"{where}: unknown label {label!r} (value {value!r})")
    if "\n" in value:
        raise MarkupError(f"{where}: span {value!r} crosses a line break")
    if value[0] in BAD_START or value[-1] in BAD_END:
        raise MarkupError(f"{where}: span {value!r} has whitespace/punctuation at its edge")
    if value.count("(") != value.count(")"):
        raise MarkupError(f"{where}: span {value!r} has unbalanced parentheses")


def parse_document(raw: str, first_line: int, path: str) -> tuple[str, list[dict]]:
    """Strip markup from ``raw``; return (text, spans). ``first_line`` is for messages."""
    out: list[str] = []
    spans: list[dict] = []
    pos = 0  # position in raw
    length = 0  # length of text emitted so far

    def where(i: int) -> str:
        return f"{path}:{first_line + raw.count(chr(10), 0, i)}"

    while True:
        open_i = raw.find("[[", pos)
        close_stray = raw.find("]]", pos)
        if open_i == -1:
            if close_stray != -1:
                raise MarkupError(f"{where(close_stray)}: ']]' without matching '[['")
            tail = raw[pos:]
            out.append(tail)
            break
        if close_stray != -1 and close_stray < open_i:
            raise MarkupError(f"{where(close_stray)}: ']]' without matching '[['")
        plain = raw[pos:open_i]
        out.append(plain)
        length += len(plain)
        close_i = raw.find("]]", open_i + 2)
        if close_i == -1:
            raise MarkupError(f"{where(open_i)}: '[[' is never closed")
        inner = raw[open_i + 2:close_i]
        if "[[" in inner:
            raise MarkupError(f"{where(open_i)}: nested or unclosed '[[' in {inner!r}")
        if inner.count("|") != 1:
            raise MarkupError(
                f"{where(open_i)}: expected exactly one '|' in [[{inner}]] (value|label)")
        value, label = inner.split("|")
        if label != label.strip():
            raise MarkupError(f"{where(open_i)}: label {label!r} has surrounding spaces")
        _check_value(value, label, where(open_i))
        spans.append({"start": length, "end": length + len(value), "label": label})
        out.append(value)
        length += len(value)
        pos = close_i + 2
        # a span glued directly onto the next one is almost always a typo
        if raw.startswith("[[", pos):
            raise MarkupError(f"{where(pos)}: two spans with no text between them")
    text = "".join(out)
    return text, spans


def split_documents(lines: list[str]) -> list[tuple[int, list[str]]]:
    """Split into (1-based line number of first line, lines) chunks."""
    docs: list[tuple[int, list[str]]] = []
    cur: list[str] = []
    start = 1
    for n, line in enumerate(lines, 1):
        if line.strip() == SEP and line.rstrip() == SEP:
            docs.append((start, cur))
            cur, start = [], n + 1
        else:
            cur.append(line)
    docs.append((start, cur))
    return docs


def build(src: Path) -> list[dict]:
    raw_text = src.read_text(encoding="utf-8")
    if "\r" in raw_text:
        raise MarkupError(f"{src}: contains carriage returns; use LF line endings")
    lines = raw_text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    rows: list[dict] = []
    seen: dict[str, str] = {}
    for start, chunk in split_documents(lines):
        # trim blank lines at both ends, keep line numbers right
        while chunk and not chunk[0].strip():
            chunk, start = chunk[1:], start + 1
        while chunk and not chunk[-1].strip():
            chunk = chunk[:-1]
        if not chunk:
            raise MarkupError(f"{src}:{start}: empty document (doubled '---'?)")
        m = STYLE_RE.match(chunk[0])
        if not m:
            raise MarkupError(f"{src}:{start}: document must start with '# style: <name>', "
                              f"got {chunk[0]!r}")
        style = m.group(1)
        body, body_start = chunk[1:], start + 1
        while body and not body[0].strip():
            body, body_start = body[1:], body_start + 1
        if not body:
            raise MarkupError(f"{src}:{start}: document has a style line but no text")
        for k, line in enumerate(body):
            if line.lstrip().startswith("# style"):
                raise MarkupError(f"{src}:{body_start + k}: style line inside a document "
                                  f"(missing '---' before it?)")
            if line != line.rstrip():
                raise MarkupError(f"{src}:{body_start + k}: trailing whitespace")
        text, spans = parse_document("\n".join(body), body_start, str(src))
        if not spans:
            raise MarkupError(f"{src}:{body_start}: document has no [[value|label]] spans")
        if text in seen:
            raise MarkupError(f"{src}:{body_start}: duplicate of document {seen[text]}")
        doc_id = f"hw-{len(rows) + 1:04d}"
        seen[text] = doc_id
        rows.append({"id": doc_id, "text": text, "spans": spans, "style": style})
    return rows


def check_no_pii(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for n, line in enumerate(lines, 1):
        if not line.strip():
            raise MarkupError(f"{path}:{n}: blank line")
        if "[[" in line or "]]" in line:
            raise MarkupError(f"{path}:{n}: markup in a no-PII sentence")
    if len(lines) != NO_PII_EXPECTED:
        raise MarkupError(f"{path}: expected {NO_PII_EXPECTED} lines, found {len(lines)}")
    if len(set(lines)) != len(lines):
        raise MarkupError(f"{path}: duplicate lines")
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--src", type=Path, default=HERE / "handwritten_dev.txt")
    ap.add_argument("--out", type=Path, default=HERE / "handwritten_dev.jsonl")
    ap.add_argument("--no-pii", type=Path, default=HERE / "no_pii_sentences.txt")
    args = ap.parse_args(argv)
    try:
        rows = build(args.src)
        no_pii = check_no_pii(args.no_pii) if args.no_pii.exists() else None
    except MarkupError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    # round-trip self-check: offsets must reproduce the marked values
    for r in rows:
        for s in r["spans"]:
            assert 0 <= s["start"] < s["end"] <= len(r["text"]), r["id"]
    with args.out.open("w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    styles = Counter(r["style"] for r in rows)
    labels = Counter(s["label"] for r in rows for s in r["spans"])
    print(f"wrote {len(rows)} documents, {sum(labels.values())} spans -> {args.out}")
    print("styles: " + ", ".join(f"{k}={v}" for k, v in sorted(styles.items())))
    print("labels: " + ", ".join(f"{k}={v}" for k, v in sorted(labels.items())))
    missing = sorted(LABELS - set(labels))
    if missing:
        print("labels never used: " + ", ".join(missing))
    if no_pii is not None:
        print(f"no-PII sentences: {len(no_pii)} lines OK ({args.no_pii})")
    else:
        print(f"no-PII file not found: {args.no_pii}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

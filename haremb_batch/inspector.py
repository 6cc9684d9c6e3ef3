"""A run inspector: one self-contained HTML page (inline CSS and SVG, no scripts from anywhere) of what a
finished output holds, or of what changed between two outputs of the same input. `jobs/inspect_run.py` is
its command line.

It reads only what a run wrote (`_report.json`, `_runs/`, manifests, entity tables, redacted shards), local
or any fsspec URL, and aggregates with polars. By default the page carries no text of any span: redacted text
shows replacements as written, and spans a policy kept are shown as `[kept LABEL]`, not as their text. Only
with `--input` and `--show-text` does it read the input and show span text, and then it says so at the top.
Sampling is bounded (documents, characters per document, entity rows read), so a large output still gives a
small page.
"""

from __future__ import annotations

import html
import json
import posixpath
from dataclasses import dataclass, field

import fsspec
import polars as pl
import pyarrow.parquet as pq

from .credentials import mask_urls
from .pipeline.codecs import codec_for
from .pipeline.shards import OutputPaths, Shard, discover_shards, shard_kind

MAX_ENTITY_ROWS = 2_000_000  # per output: enough for the figures, bounded for the machine
SAMPLE_DOCS = 40
SAMPLE_CHARS = 1_500
ENTITY_COLUMNS = ["source", "row", "column", "start", "end", "label", "score", "detector", "action", "replacement"]


@dataclass
class Output:
    uri: str
    report: dict
    last_run: dict
    manifests: list[dict]
    entities: pl.DataFrame
    truncated: bool
    fs: object = None
    paths: OutputPaths | None = None
    shards: dict = field(default_factory=dict)  # relative -> Shard of the redacted file


def read_output(uri: str, storage_options: dict | None = None) -> Output:
    fs, root = fsspec.core.url_to_fs(uri, **(storage_options or {}))
    paths = OutputPaths(root.rstrip("/"))
    try:
        with fs.open(paths.report, "rb") as f:
            report = json.loads(f.read())
    except FileNotFoundError as error:
        raise FileNotFoundError(f"{uri}: no _report.json, not a finished output of jobs/redact.py") from error
    last_run = {}
    record = report.get("last_run", {}).get("record")
    if record and fs.exists(f"{paths.root}/{record}"):
        with fs.open(f"{paths.root}/{record}", "rb") as f:
            last_run = json.loads(f.read())
    manifests = []
    for path in sorted(fs.find(paths.manifests)) if fs.exists(paths.manifests) else []:
        if path.endswith(".json"):  # not a temporary file a killed writer left
            with fs.open(path, "rb") as f:
                manifests.append(json.loads(f.read()))
    frames, rows, truncated = [], 0, False
    for manifest in manifests:
        shard = _shard(manifest["source"])
        if shard is None:
            continue
        with fs.open(paths.entities(shard), "rb") as f:  # paths from the output inspected, not the manifest's
            for batch in pq.ParquetFile(f).iter_batches(batch_size=65536, columns=ENTITY_COLUMNS):  # never `text`
                if rows + batch.num_rows > MAX_ENTITY_ROWS:
                    truncated = True
                    break
                frames.append(pl.from_arrow(batch))
                rows += batch.num_rows
        if truncated:  # whole shards only: a shard cut in the middle would compare wrongly
            break
    empty = pl.DataFrame(schema={"source": pl.Utf8, "row": pl.Int64, "column": pl.Utf8, "start": pl.Int64,
                                 "end": pl.Int64, "label": pl.Utf8, "score": pl.Float32, "detector": pl.Utf8,
                                 "action": pl.Utf8, "replacement": pl.Utf8})
    entities = pl.concat(frames) if frames else empty
    read = {source for source in entities["source"].unique().to_list()} if frames else set()
    shards = {}
    for m in manifests:
        shard = _shard(m["source"])
        if shard is not None and (m["source"] in read or not truncated):
            shards[m["source"]] = Shard(paths.redacted(shard), m["source"], shard.format, 0, shard.compression)
    return Output(uri, report, last_run, manifests, entities, truncated, fs, paths, shards)


def _shard(relative: str) -> Shard | None:
    kind = shard_kind(relative)
    return Shard(relative, relative, kind[0], 0, kind[1]) if kind else None


def quarantined_rows(out: Output, source: str) -> list[int]:
    """Input rows of a shard left out of its redacted file, sorted."""
    path = out.paths.quarantine(Shard(source, source, "jsonl", 0))
    if not out.fs.exists(path):
        return []
    with out.fs.open(path, "rb") as f:
        return sorted(json.loads(line)["row"] for line in f.read().split(b"\n") if line.strip())


# -- figures --------------------------------------------------------------------------------------------------

def per_label(out: Output) -> pl.DataFrame:
    counts = {}
    for m in out.manifests:
        for label, n in m.get("entities_per_label", {}).items():
            counts.setdefault(label, [0, 0])[0] += n
        for label, n in m.get("entities_kept_per_label", {}).items():
            counts.setdefault(label, [0, 0])[1] += n
    rows = [{"label": k, "redacted": v[0], "kept": v[1]} for k, v in counts.items()]
    frame = pl.DataFrame(rows, schema={"label": pl.Utf8, "redacted": pl.Int64, "kept": pl.Int64})
    return frame.sort(["redacted", "label"], descending=[True, False])


def per_detector(out: Output) -> dict:
    total: dict = {}
    for m in out.manifests:
        for d, n in m.get("entities_per_detector", {}).items():
            total[d] = total.get(d, 0) + n
    return dict(sorted(total.items(), key=lambda kv: -kv[1]))


def score_histograms(out: Output, labels: list[str], bins: int = 10) -> dict:
    hist = {}
    for label in labels:
        scores = out.entities.filter(pl.col("label") == label)["score"].to_list()
        counts = [0] * bins
        for s in scores:
            counts[min(int(float(s) * bins), bins - 1)] += 1
        hist[label] = counts
    return hist


def span_diff(a: Output, b: Output) -> pl.DataFrame:
    """Per span position (source, row, column, start, end): in A only, in B only, or in both with another label."""
    key = ["source", "row", "column", "start", "end"]
    left = a.entities.select(key + ["label", "action"]).rename({"label": "label_a", "action": "action_a"})
    right = b.entities.select(key + ["label", "action"]).rename({"label": "label_b", "action": "action_b"})
    joined = left.join(right, on=key, how="full", coalesce=True)
    kind = (pl.when(pl.col("label_b").is_null()).then(pl.lit("only A"))
            .when(pl.col("label_a").is_null()).then(pl.lit("only B"))
            .when(pl.col("label_a") != pl.col("label_b")).then(pl.lit("label changed"))
            .when(pl.col("action_a") != pl.col("action_b")).then(pl.lit("redacted/kept changed"))
            .otherwise(pl.lit("same")))
    return joined.with_columns(kind.alias("change"), pl.coalesce("label_a", "label_b").alias("label"))


def diff_counts(diff: pl.DataFrame) -> pl.DataFrame:
    changed = diff.filter(pl.col("change") != "same")
    if changed.is_empty():
        return pl.DataFrame(schema={"label": pl.Utf8, **{c: pl.UInt32 for c in CHANGES}})
    table = changed.group_by(["label", "change"]).len().pivot(on="change", index="label", values="len").fill_null(0)
    for column in CHANGES:
        if column not in table.columns:
            table = table.with_columns(pl.lit(0, dtype=pl.UInt32).alias(column))
    return table.select(["label", *CHANGES]).sort("label")


CHANGES = ("only A", "only B", "label changed", "redacted/kept changed")


# -- documents ------------------------------------------------------------------------------------------------

def sample_rows(out: Output, rows_wanted: set | None = None, limit: int = SAMPLE_DOCS) -> list[tuple[str, int]]:
    """(source, row) of documents to show: the first rows with spans of each shard in turn, bounded."""
    if rows_wanted is not None:
        return sorted(rows_wanted)[:limit]
    with_spans = out.entities.select(["source", "row"]).unique().sort(["source", "row"])
    per_source = max(1, limit // max(1, with_spans["source"].n_unique()))
    picked = with_spans.group_by("source", maintain_order=True).head(per_source)
    return [(s, r) for s, r in picked.iter_rows()][:limit]


def read_texts(fs, shards: dict, wanted: list[tuple[str, int]], text_columns: list[str],
               skipped: dict | None = None) -> dict:
    """{(source, input row): {column: text}} for the wanted rows, reading each shard only up to its last wanted
    row. `skipped`: per source, the input rows a redacted file leaves out (quarantined), so its i-th row is
    mapped back to the input row it came from."""
    by_source: dict = {}
    for source, row in wanted:
        by_source.setdefault(source, set()).add(row)
    texts = {}
    for source, rows in by_source.items():
        shard = shards.get(source)
        if shard is None:
            continue
        input_rows = _input_rows((skipped or {}).get(source, []))
        last = max(rows)
        for doc in codec_for(shard).read(fs, shard, text_columns, "\0no-id"):
            row = next(input_rows)
            if row in rows and doc["texts"] is not None:
                texts[(source, row)] = dict(zip(text_columns, doc["texts"]))
            if row >= last:
                break
    return texts


def _input_rows(skipped: list[int]):
    """Input row numbers of a redacted file's rows, in order: every row but the skipped ones."""
    skip, row = set(skipped), 0
    while True:
        if row not in skip:
            yield row
        row += 1


def redacted_segments(redacted: str, spans: list[dict]) -> list[tuple[str, str, dict | None]]:
    """The redacted text cut into ("plain", text), ("redacted", replacement, span) and ("kept", text, span),
    from the entity rows (offsets of the original text) and their replacements."""
    segments, cursor_original, cursor = [], 0, 0
    for span in sorted(spans, key=lambda s: s["start"]):
        gap = span["start"] - cursor_original
        if gap > 0:
            segments.append(("plain", redacted[cursor:cursor + gap], None))
            cursor += gap
        width = len(span["replacement"] or "") if span["action"] == "redacted" else span["end"] - span["start"]
        segments.append(("redacted" if span["action"] == "redacted" else "kept", redacted[cursor:cursor + width], span))
        cursor += width
        cursor_original = span["end"]
    if cursor < len(redacted):
        segments.append(("plain", redacted[cursor:], None))
    return segments


# -- HTML -----------------------------------------------------------------------------------------------------

CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1d2330;max-width:1400px}
h1{font-size:22px} h2{font-size:17px;margin-top:28px;border-bottom:1px solid #dde} table{border-collapse:collapse}
td,th{padding:3px 10px;border-bottom:1px solid #eef;text-align:right} th{background:#f4f5fa} td:first-child,th:first-child{text-align:left}
.banner{padding:8px 12px;border-radius:6px;margin:8px 0;font-weight:600}
.safe{background:#e8f5ec;color:#17633a} .raw{background:#fde8e8;color:#9b1c1c}
.doc{white-space:pre-wrap;font-family:ui-monospace,monospace;font-size:12.5px;background:#fafbfd;border:1px solid #e3e6ef;
 padding:8px;margin:6px 0;border-radius:4px} .meta{color:#667;font-size:12px}
.r{background:#ffe4a8;border-radius:3px;padding:0 2px} .r sub{font-size:9px;color:#7a5200;margin-left:2px}
.k{border:1px dashed #8a94b8;border-radius:3px;padding:0 2px;color:#445} .grid{display:flex;gap:24px;flex-wrap:wrap}
.cols{display:grid;grid-template-columns:1fr 1fr;gap:12px} svg text{font-size:10px;fill:#445}
"""


def esc(value) -> str:
    return html.escape(str(value))


def _bars(rows: list[tuple[str, int, int]], width: int = 520) -> str:
    """Horizontal bars: redacted (solid) and kept (light) per label."""
    top = rows[:30]
    most = max([r + k for _, r, k in top] or [1]) or 1
    height = 16 * len(top) + 6
    parts = [f'<svg width="{width + 280}" height="{height}" role="img" aria-label="entities per label">']
    for i, (label, redacted, kept) in enumerate(top):
        y, w1, w2 = 16 * i + 3, width * redacted / most, width * kept / most
        parts.append(f'<text x="0" y="{y + 11}">{esc(label)}</text>'
                     f'<rect x="190" y="{y}" width="{w1:.1f}" height="12" fill="#d98b1c"/>'
                     f'<rect x="{190 + w1:.1f}" y="{y}" width="{w2:.1f}" height="12" fill="#b9c2dc"/>'
                     f'<text x="{196 + w1 + w2:.1f}" y="{y + 11}">{redacted}{f" + {kept} kept" if kept else ""}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _histogram(label: str, counts: list[int]) -> str:
    most = max(counts) or 1
    bars = "".join(f'<rect x="{4 + 14 * i}" y="{64 - 56 * c / most:.1f}" width="12" height="{56 * c / most:.1f}" fill="#5b6fb5"/>'
                   for i, c in enumerate(counts))
    return (f'<figure><svg width="150" height="80" role="img" aria-label="scores of {esc(label)}">{bars}'
            f'<text x="4" y="78">0</text><text x="134" y="78">1</text></svg>'
            f'<figcaption class="meta">{esc(label)} ({sum(counts)})</figcaption></figure>')


def _summary_rows(out: Output) -> list[tuple[str, str, object]]:
    report, run = out.report, out.last_run
    digests = list(report.get("identity", {}).get("config_digest", {}))
    return [
        ("shards-done", "shards done", report["shards"]["done"]),
        ("shards-failed", "shards failed (last run)", report["shards"]["failed"]),
        ("rows-in", "rows", report["rows"]["in"]),
        ("rows-quarantined", "rows quarantined", report["rows"]["quarantined"]),
        ("tokens", "tokens", report["tokens"]),
        ("tokens-per-s", "tokens/s (last run)", run.get("tokens_per_s", "")),
        ("entities-redacted", "entities redacted", report["entities"]["redacted"]),
        ("entities-kept", "entities kept", report["entities"]["kept"]),
        ("config-digest", "config digest", ", ".join(d[:12] for d in digests)),
    ]


def _summary_table(outputs: list[Output]) -> str:
    head = "".join(f"<th>{'AB'[i] if len(outputs) > 1 else ''} {esc(mask_urls(o.uri))}</th>" for i, o in enumerate(outputs))
    rows = []
    for n, (key, name, _) in enumerate(_summary_rows(outputs[0])):
        cells = "".join(f'<td id="{key}{"-" + "ab"[i] if len(outputs) > 1 else ""}">{esc(_summary_rows(o)[n][2])}</td>'
                        for i, o in enumerate(outputs))
        rows.append(f"<tr><td>{esc(name)}</td>{cells}</tr>")
    return f'<table id="summary"><tr><th></th>{head}</tr>{"".join(rows)}</table>'


def _label_table(frame: pl.DataFrame, table_id: str) -> str:
    rows = "".join(f'<tr data-label="{esc(l)}"><td>{esc(l)}</td><td class="redacted">{r}</td><td class="kept">{k}</td></tr>'
                   for l, r, k in frame.iter_rows())
    return f'<table id="{table_id}"><tr><th>label</th><th>redacted</th><th>kept</th></tr>{rows}</table>'


def _document(out: Output, source: str, row: int, texts: dict, originals: dict | None) -> str:
    spans = out.entities.filter((pl.col("source") == source) & (pl.col("row") == row)).to_dicts()
    blocks = []
    for column, text in texts.items():
        if text is None:
            continue
        pieces, shown_chars = [], 0
        segments = redacted_segments(text, [s for s in spans if s["column"] == column])
        if any(kind == "redacted" and value != (span["replacement"] or "") for kind, value, span in segments):
            # the text does not line up with the entity rows: showing it could show a kept span's text
            blocks.append(f'<div class="meta">{esc(source)} row {row} · {esc(column)}: not shown (its redacted text '
                          'does not line up with the entity table)</div>')
            continue
        for kind, value, span in segments:
            if shown_chars >= SAMPLE_CHARS:
                pieces.append(" …")
                break
            if kind == "plain" and shown_chars + len(value) > SAMPLE_CHARS:
                value = value[: SAMPLE_CHARS - shown_chars]
            shown_chars += len(value)
            if kind == "plain":
                pieces.append(esc(value))
            elif kind == "redacted":
                pieces.append(f'<span class="r" title="{esc(span["label"])} {span["score"]:.2f} {esc(span["detector"])}">'
                              f'{esc(value)}<sub>{esc(span["label"])}</sub></span>')
            else:
                shown = value if originals is not None else f"[kept {span['label']}]"
                pieces.append(f'<span class="k" title="kept ({esc(span["detector"])})">{esc(shown)}</span>')
        body = "".join(pieces)
        original = ""
        if originals is not None and (source, row) in originals and originals[(source, row)].get(column):
            original = f'<div class="meta">original:</div><div class="doc">{esc(originals[(source, row)][column][:SAMPLE_CHARS])}</div>'
        blocks.append(f'<div class="meta">{esc(source)} row {row} · {esc(column)}</div><div class="doc">{body}</div>{original}')
    return "".join(blocks)


def _documents_section(out: Output, wanted: list[tuple[str, int]], text_columns: list[str], originals: dict | None) -> str:
    skipped = {source: quarantined_rows(out, source) for source in {s for s, _ in wanted}}
    texts = read_texts(out.fs, out.shards, wanted, text_columns, skipped)
    docs = [_document(out, s, r, texts[(s, r)], originals) for s, r in wanted if (s, r) in texts]
    return f'<div class="documents">{"".join(docs)}</div>'


def render(outputs: list[Output], text_columns: list[str], originals: dict | None = None,
           diff: pl.DataFrame | None = None) -> str:
    a = outputs[0]
    banner = ('<div class="banner raw" id="raw-text-warning">This page SHOWS RAW SPAN TEXT from the input '
              '(--show-text). Handle it as you would the input.</div>' if originals is not None else
              '<div class="banner safe" id="no-raw-text">This page holds no span text: redacted text, labels, counts '
              'and scores only; spans a policy kept are shown as [kept LABEL].</div>')
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>haremb-batch run inspector</title>"
             f"<style>{CSS}</style></head><body><h1>haremb-batch run inspector</h1>{banner}",
             "<h2>Run</h2>", _summary_table(outputs)]
    if any(o.truncated for o in outputs):
        parts.append(f'<p class="meta">Entity figures read from the first {MAX_ENTITY_ROWS:,} entity rows of each output.</p>')
    parts.append('<h2>Entities per label</h2><div class="grid">')
    for i, o in enumerate(outputs):
        frame = per_label(o)
        title = f"<h3>{'AB'[i]}</h3>" if len(outputs) > 1 else ""
        parts.append(f"<div>{title}<div class='grid'><div>{_bars(list(frame.iter_rows()))}</div>"
                     f"<div>{_label_table(frame, 'labels-' + 'ab'[i])}</div></div></div>")
    parts.append("</div>")
    detectors = [per_detector(o) for o in outputs]
    if any(len(d) > 1 or (d and next(iter(d)) != "model") for d in detectors):
        parts.append('<h2>Detectors</h2><div class="grid">')
        for i, d in enumerate(detectors):
            rows = "".join(f'<tr><td>{esc(k)}</td><td>{v}</td></tr>' for k, v in d.items())
            parts.append(f'<table id="detectors-{"ab"[i]}"><tr><th>detector</th><th>spans</th></tr>{rows}</table>')
        parts.append("</div>")
    parts.append("<h2>Scores per label</h2>")
    for i, o in enumerate(outputs):
        labels = per_label(o)["label"].to_list()[:12]
        parts.append(f'<div class="grid">{"".join(_histogram(l, c) for l, c in score_histograms(o, labels).items())}</div>')
    if diff is not None:
        counts = diff_counts(diff)
        rows = "".join(f'<tr data-label="{esc(r[0])}"><td>{esc(r[0])}</td>' + "".join(f"<td>{n}</td>" for n in r[1:]) + "</tr>"
                       for r in counts.iter_rows())
        totals = {c: int(counts[c].sum()) if not counts.is_empty() else 0 for c in CHANGES}
        parts.append(f'<h2>What changed</h2><p id="diff-totals">spans only in A: <b id="only-a">{totals["only A"]}</b>, '
                     f'only in B: <b id="only-b">{totals["only B"]}</b>, label changed: <b id="label-changed">'
                     f'{totals["label changed"]}</b>, redacted in one and kept in the other: <b id="action-changed">'
                     f'{totals["redacted/kept changed"]}</b></p><table id="diff"><tr><th>label</th>'
                     + "".join(f"<th>{esc(c)}</th>" for c in CHANGES) + f'</tr>{rows}</table>')
        changed_rows = {(s, r) for s, r in diff.filter(pl.col("change") != "same").select(["source", "row"]).iter_rows()}
        wanted = sample_rows(a, changed_rows)
        parts.append(f'<h2>Documents that changed ({len(wanted)} shown of {len(changed_rows)})</h2><div class="cols">'
                     f'<div><h3>A</h3>{_documents_section(outputs[0], wanted, text_columns, originals)}</div>'
                     f'<div><h3>B</h3>{_documents_section(outputs[1], wanted, text_columns, originals)}</div></div>')
    else:
        wanted = sample_rows(a)
        parts.append(f"<h2>Sample documents ({len(wanted)})</h2>{_documents_section(a, wanted, text_columns, originals)}")
    parts.append("</body></html>")
    return "".join(parts)


def read_originals(input_uri: str, wanted: list[tuple[str, int]], text_columns: list[str], storage_options: dict) -> dict:
    inputs = discover_shards(input_uri, storage_options)
    shards = {s.relative: s for s in inputs.shards}
    return read_texts(inputs.fs, shards, wanted, text_columns)


def build_page(output: str, compare: str | None = None, input_uri: str | None = None, show_text: bool = False,
               storage_options: dict | None = None) -> str:
    outputs = [read_output(output, storage_options)] + ([read_output(compare, storage_options)] if compare else [])
    text_columns = outputs[0].manifests[0].get("text_columns", ["text"]) if outputs[0].manifests else ["text"]
    diff = span_diff(outputs[0], outputs[1]) if compare else None
    originals = None
    if show_text:
        if not input_uri:
            raise ValueError("--show-text needs --input (the page never takes span text from the outputs)")
        if diff is not None:
            wanted = sample_rows(outputs[0], {(s, r) for s, r in diff.filter(pl.col("change") != "same")
                                              .select(["source", "row"]).iter_rows()})
        else:
            wanted = sample_rows(outputs[0])
        originals = read_originals(input_uri, wanted, text_columns, storage_options or {})
    return render(outputs, text_columns, originals, diff)


def output_name(uri: str) -> str:
    return posixpath.basename(uri.rstrip("/")) or uri

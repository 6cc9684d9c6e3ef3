"""The run inspector's page, opened in a real headless browser (Debian's chromium)."""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from conftest import faker_texts

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "jobs"))
import inspect_run  # noqa: E402
import redact  # noqa: E402

KEY = "inspect-test-key"
ALLOWED = "help@northwind-example.com"
pytestmark = pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed (.ci/run installs it)")


@pytest.fixture(scope="module")
def two_runs(ray_cluster, tmp_path_factory):
    """One input, two outputs of the embedded model: A redacts everything; B keeps spans under 0.9 and lets an
    allow-listed address through (its text is in B's redacted shard, and must still not be on the page)."""
    import os

    os.environ["HAREMB_KEY"] = KEY
    root = tmp_path_factory.mktemp("inspect")
    inp = root / "in"
    inp.mkdir()
    texts = [f"{t} Write to {ALLOWED} for help." for t in faker_texts(30, seed=51)]
    # a broken first line: the redacted file then has one row fewer before every other row; the page must
    # still put each document beside its own spans (and so mask its own kept spans)
    (inp / "docs.jsonl").write_text("{broken\n" + "".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(texts)))
    texts = [None] + texts  # by input row
    assert redact.main(["--input", str(inp), "--output", str(root / "a")]) == 0
    assert redact.main(["--input", str(inp), "--output", str(root / "b"), "--set", "decoding.min_score=0.9",
                        "--set", f"detection.allow_list=[{ALLOWED}]"]) == 0
    return inp, root, texts


def dom(page: Path) -> str:
    result = inspect_run.chromium("--dump-dom", page.resolve().as_uri())
    assert result.returncode == 0 and "<html" in result.stdout, result.stderr[-1000:]
    return result.stdout


def cell(html: str, element_id: str) -> str:
    match = re.search(rf'id="{re.escape(element_id)}"[^>]*>([^<]*)<', html)
    assert match, element_id
    return match.group(1)


def test_page_shows_the_reports_counts_in_a_browser(two_runs, tmp_path):
    _, root, _ = two_runs
    page = tmp_path / "report.html"
    assert inspect_run.main([str(root / "a"), "--out", str(page), "--screenshot", str(tmp_path / "report.png")]) == 0
    rendered = dom(page)
    report = json.loads((root / "a" / "_report.json").read_text())
    assert cell(rendered, "rows-in") == str(report["rows"]["in"])
    assert cell(rendered, "entities-redacted") == str(report["entities"]["redacted"])
    assert cell(rendered, "tokens") == str(report["tokens"])
    for label, n in report["entities"]["redacted_per_label"].items():
        assert re.search(rf'data-label="{label}"><td>{label}</td><td class="redacted">{n}</td>', rendered), label
    assert (tmp_path / "report.png").stat().st_size > 10_000
    assert page.stat().st_size < 2_000_000


def test_compare_page_counts_the_spans_that_changed(two_runs, tmp_path):
    _, root, _ = two_runs
    page = tmp_path / "compare.html"
    assert inspect_run.main([str(root / "a"), "--compare", str(root / "b"), "--out", str(page),
                             "--screenshot", str(tmp_path / "compare.png")]) == 0
    rendered = dom(page)

    def spans(out):
        rows = pq.read_table(out / "entities" / "docs.jsonl.parquet").to_pylist()
        return {(e["row"], e["column"], e["start"], e["end"]): e["label"] for e in rows}

    a, b = spans(root / "a"), spans(root / "b")
    assert cell(rendered, "only-a") == str(len(a.keys() - b.keys()))
    assert cell(rendered, "only-b") == str(len(b.keys() - a.keys()))
    assert cell(rendered, "label-changed") == str(sum(a[k] != b[k] for k in a.keys() & b.keys()))
    assert cell(rendered, "entities-kept-b") == str(json.loads((root / "b" / "_report.json").read_text())["entities"]["kept"])


def test_default_page_holds_no_span_text_and_show_text_says_so(two_runs, tmp_path):
    inp, root, texts = two_runs
    entities = pq.read_table(root / "b" / "entities" / "docs.jsonl.parquet").to_pylist()
    span_texts = {texts[e["row"]][e["start"]:e["end"]] for e in entities}
    redacted = (root / "b" / "redacted" / "docs.jsonl").read_text()
    assert ALLOWED in redacted  # the policy kept it: the redacted shard holds it, the page must not
    # span texts that do not also stand elsewhere in the redacted text (a word the model missed elsewhere)
    hidden = {t for t in span_texts if len(t) >= 4 and t not in redacted} | {ALLOWED}
    assert len(hidden) > 20
    for page, extra in ((tmp_path / "b.html", []), (tmp_path / "ab.html", ["--compare", str(root / "a")])):
        assert inspect_run.main([str(root / "b"), *extra, "--out", str(page)]) == 0
        html = page.read_text()
        assert 'id="no-raw-text"' in html
        leaked = [t for t in hidden if t in html or json.dumps(t)[1:-1] in html]
        assert not leaked, leaked[:5]
    shown = tmp_path / "shown.html"
    assert inspect_run.main([str(root / "b"), "--input", str(inp), "--show-text", "--out", str(shown)]) == 0
    html = shown.read_text()
    assert 'id="raw-text-warning"' in html and ALLOWED in html
    assert inspect_run.main([str(root / "b"), "--show-text", "--out", str(tmp_path / "x.html")]) == 2

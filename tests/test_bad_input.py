"""One test per row of docs/bad-input.md: bad configuration exits 2 in one line before any cluster work; a
shard that cannot be done fails cleanly (exit 1, the others complete, the report written); nothing ends as a
silent exit 0 with raw text in redacted/."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import faker_texts
from jobdata import SHARD_TEXTS, write_shards

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "jobs"))
import redact  # noqa: E402  (jobs/redact.py: main() is the CLI)

KEY = "bad-input-test-key"


@pytest.fixture(scope="module")
def shards(tmp_path_factory):
    root = tmp_path_factory.mktemp("shards")
    return root, write_shards(root, faker_texts(SHARD_TEXTS, seed=21))


def cli(capsys, *args) -> tuple[int, str, str]:
    code = redact.main(list(map(str, args)))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "error" in line.lower()]


# -- configuration: exit 2, one line naming the key, nothing written ------------------------------------------

CONFIG_CASES = [
    ("unknown key", ["--set", "model.dtyp=float32"], "unknown configuration key model.dtyp"),
    ("unknown section", ["--set", "foo=1"], "unknown configuration key foo"),
    ("unknown value", ["--set", "redaction.method=blackout"], "redaction.method"),
    ("wrong type", ["--set", "chunking.max_tokens=lots"], "chunking.max_tokens"),
    ("min_score above 1", ["--set", "decoding.min_score=2"], "decoding.min_score must be in [0, 1]"),
    ("min_score below 0", ["--set", "decoding.min_score=-1"], "decoding.min_score must be in [0, 1]"),
    ("min_score map out of range", ["--set", "decoding.min_score={email: 1.5}"], "decoding.min_score.email"),
    ("empty label list", ["--set", "decoding.labels=[]"], "decoding.labels must name at least one"),
    ("unknown label", ["--set", "decoding.labels=[no_such_label]"], "'no_such_label' is not a category"),
    ("empty text column list", ["--set", "input.text_column=[]"], "input.text_column must name at least one"),
    ("unknown device", ["--set", "model.device=tpu"], "model.device: 'tpu'"),
    ("zero actors", ["--set", "runtime.actors=0"], "runtime.actors must be >= 1"),
    ("failed fraction out of range", ["--set", "runtime.max_failed_fraction=1.5"], "runtime.max_failed_fraction"),
    ("overlap not below window", ["--set", "chunking.overlap_tokens=5000"], "overlap_tokens"),
    ("raw quarantine without a place", ["--set", "output.quarantine_raw=true"], "needs output.quarantine_uri"),
]


@pytest.mark.parametrize("extra, needle", [c[1:] for c in CONFIG_CASES], ids=[c[0] for c in CONFIG_CASES])
def test_bad_configuration_exits_2_in_one_line(capsys, monkeypatch, shards, checkpoint_1layer, tmp_path, extra, needle):
    monkeypatch.setenv("HAREMB_KEY", KEY)
    inp, _ = shards
    out = tmp_path / "out"
    code, _, err = cli(capsys, "--input", inp, "--output", out, "--model", checkpoint_1layer, *extra)
    assert code == 2, err
    assert len(error_lines(err)) == 1 and needle in error_lines(err)[0], err
    assert not out.exists()  # refused before anything was written


def test_more_experts_per_token_than_the_model_has_exits_2(capsys, monkeypatch, shards, checkpoint_1layer, tmp_path):
    monkeypatch.setenv("HAREMB_KEY", KEY)
    inp, _ = shards
    experts = json.loads((checkpoint_1layer / "config.json").read_text())["num_local_experts"]
    code, _, err = cli(capsys, "--input", inp, "--output", tmp_path / "out", "--model", checkpoint_1layer,
                       "--set", f"model.experts_per_token={experts + 1}")
    assert code == 2 and f"but the model has {experts} experts" in error_lines(err)[0], err


def test_forced_format_reads_only_shards_of_that_format(shards):
    from haremb_batch.pipeline.shards import discover_shards

    inp, expected = shards
    parquet = discover_shards(str(inp), {}, "parquet")
    assert sorted(s.relative for s in parquet.shards) == sorted(r for r in expected if r.endswith(".parquet"))
    assert sum(parquet.skipped.values()) == len(expected) - len(parquet.shards) + 2  # + notes.txt, table.csv


def test_parquet_text_column_of_another_type_quarantines_its_rows(tmp_path):
    import pyarrow as pa

    from haremb_batch.pipeline.read import read_documents
    from haremb_batch.pipeline.shards import discover_shards

    pq.write_table(pa.table({"id": ["a", "b"], "text": pa.array([1, None], pa.int64())}), tmp_path / "x.parquet")
    inputs = discover_shards(str(tmp_path), {})
    rows = [r for block in read_documents(inputs.fs, inputs.shards[0], ["text"], "id") for r in block.to_pylist()]
    assert [(r["status"], r["reason"]) for r in rows] == [
        ("quarantined", "text column 'text' holds int64, not a string"), ("ok", None)]


def test_missing_key_for_hash_exits_2(capsys, monkeypatch, shards, checkpoint_1layer, tmp_path):
    monkeypatch.delenv("HAREMB_KEY", raising=False)
    inp, _ = shards
    code, _, err = cli(capsys, "--input", inp, "--output", tmp_path / "out", "--model", checkpoint_1layer,
                       "--set", "redaction.method=hash")
    assert code == 2 and "needs a secret key in $HAREMB_KEY" in error_lines(err)[0]


@pytest.mark.parametrize("case", ["no such input", "no shards", "no such model", "not a checkpoint"])
def test_unusable_input_or_model_exits_2(capsys, monkeypatch, shards, checkpoint_1layer, tmp_path, case):
    monkeypatch.setenv("HAREMB_KEY", KEY)
    inp, _ = shards
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "readme.txt").write_text("hello")
    (tmp_path / "empty_model").mkdir()
    args, needle = {
        "no such input": (["--input", tmp_path / "missing", "--model", checkpoint_1layer], "no such file or folder"),
        "no shards": (["--input", tmp_path / "notes", "--model", checkpoint_1layer], "no shards found"),
        "no such model": (["--input", inp, "--model", tmp_path / "nope"], "no such folder"),
        "not a checkpoint": (["--input", inp, "--model", tmp_path / "empty_model"], "not a privacy-filter checkpoint"),
    }[case]
    code, _, err = cli(capsys, *args, "--output", tmp_path / "out")
    assert code == 2 and len(error_lines(err)) == 1 and needle in error_lines(err)[0], err


def test_places_that_overlap_are_refused(capsys, monkeypatch, checkpoint_1layer, tmp_path):
    monkeypatch.setenv("HAREMB_KEY", KEY)
    lake = tmp_path / "lake"
    write_shards(lake / "raw", faker_texts(SHARD_TEXTS, seed=22))
    cases = [
        (lake / "raw", lake / "raw" / "clean", [], "--output", "inside --input"),  # would read its own outputs
        (lake / "raw", lake, [], "--input", "inside --output"),
        (lake / "raw", tmp_path / "clean", ["--set", "output.quarantine_raw=true",
                                            "--set", f"output.quarantine_uri={tmp_path / 'clean' / 'q'}"],
         "output.quarantine_uri", "inside --output"),
        (lake / "raw", tmp_path / "clean", ["--set", "output.quarantine_raw=true",
                                            "--set", f"output.quarantine_uri={lake / 'raw' / 'q'}"],
         "output.quarantine_uri", "inside --input"),
    ]
    for inp, out, extra, first, needle in cases:
        code, _, err = cli(capsys, "--input", inp, "--output", out, "--model", checkpoint_1layer, *extra)
        assert code == 2 and len(error_lines(err)) == 1, err
        assert f"error: {first}" in err and needle in err, err
    assert not (tmp_path / "clean").exists() and not (lake / "raw" / "clean").exists()


def test_unwritable_output_exits_2_before_the_model_runs(capsys, monkeypatch, shards, checkpoint_1layer):
    monkeypatch.setenv("HAREMB_KEY", KEY)
    inp, _ = shards
    started = time.time()
    code, _, err = cli(capsys, "--input", inp, "--output", "/proc/haremb-cannot-write-here", "--model", checkpoint_1layer)
    assert code == 2 and "--output /proc/haremb-cannot-write-here: not writable" in error_lines(err)[0], err
    assert time.time() - started < 30


def test_error_if_exists_on_a_full_output_exits_2(capsys, monkeypatch, shards, checkpoint_1layer, tmp_path):
    monkeypatch.setenv("HAREMB_KEY", KEY)
    inp, _ = shards
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "something").write_text("x")
    code, _, err = cli(capsys, "--input", inp, "--output", tmp_path / "out", "--model", checkpoint_1layer,
                       "--set", "output.mode=error_if_exists")
    assert code == 2 and "is not empty" in error_lines(err)[0]


@pytest.mark.parametrize("setting, needle", [("model.device=cuda", "has no GPU"),
                                             ("runtime.gpus_per_actor=1", "no node of the cluster has that many GPUs"),
                                             ("runtime.cpus_per_actor=64", "no node of the cluster has that many CPUs")])
def test_resources_the_cluster_lacks_exit_2_before_outputs_are_touched(ray_cluster, capsys, monkeypatch, shards,
                                                                         checkpoint_1layer, tmp_path, setting, needle):
    monkeypatch.setenv("HAREMB_KEY", KEY)
    inp, expected = shards
    out = tmp_path / "out"
    assert cli(capsys, "--input", inp, "--output", out, "--model", checkpoint_1layer)[0] == 0
    before = {p: p.read_bytes() for p in (out / "redacted").rglob("*") if p.is_file()}
    code, _, err = cli(capsys, "--input", inp, "--output", out, "--model", checkpoint_1layer,
                       "--set", "output.mode=overwrite", "--set", setting)
    assert code == 2 and needle in error_lines(err)[0], err
    assert {p: p.read_bytes() for p in (out / "redacted").rglob("*") if p.is_file()} == before  # nothing removed
    assert len(list((out / "_manifest").rglob("*.json"))) == len(expected)


def test_wrong_text_field_in_every_jsonl_row_fails_the_shard(ray_cluster, capsys, monkeypatch, checkpoint_1layer, tmp_path):
    monkeypatch.setenv("HAREMB_KEY", KEY)
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "mail.jsonl").write_text("".join(json.dumps({"body": f"Mail jane{i}@example.com"}) + "\n" for i in range(5)))
    code, _, err = cli(capsys, "--input", inp, "--output", tmp_path / "out", "--model", checkpoint_1layer)
    assert code == 1 and "no row of the shard has the text field" in err and "input.text_column" in err
    assert not (tmp_path / "out" / "redacted" / "mail.jsonl").exists()


def test_a_shard_of_which_no_row_can_be_read_fails(ray_cluster, capsys, monkeypatch, checkpoint_1layer, tmp_path):
    monkeypatch.setenv("HAREMB_KEY", KEY)
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "pretty.json").write_text(json.dumps([{"text": "Call Ann at 555-0100"}, {"text": "hi"}], indent=2))
    code, _, err = cli(capsys, "--input", inp, "--output", tmp_path / "out", "--model", checkpoint_1layer)
    assert code == 1 and "no row of the shard could be read" in err
    assert not (tmp_path / "out" / "redacted" / "pretty.json").exists()


def test_outputs_of_the_job_under_an_input_folder_are_not_read_as_shards(shards, tmp_path):
    import shutil

    from haremb_batch.pipeline.shards import discover_shards

    inp, expected = shards
    lake = tmp_path / "lake"
    shutil.copytree(inp, lake)
    (lake / "old-run" / "redacted").mkdir(parents=True)
    (lake / "old-run" / "_report.json").write_text("{}")
    (lake / "old-run" / "redacted" / "a.jsonl").write_text('{"text": "[FIRST_NAME]"}\n')
    inputs = discover_shards(str(lake), {})
    assert sorted(s.relative for s in inputs.shards) == sorted(expected)
    assert inputs.skipped["(files of haremb-batch outputs)"] == 2


def test_lone_surrogate_escape_quarantines_its_row_only(ray_cluster, capsys, monkeypatch, checkpoint_1layer, tmp_path):
    monkeypatch.setenv("HAREMB_KEY", KEY)
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "x.jsonl").write_text('{"text": "fine"}\n{"text": "\\ud800 John"}\n{"text": "also fine"}\n')
    code, _, err = cli(capsys, "--input", inp, "--output", tmp_path / "out", "--model", checkpoint_1layer)
    assert code == 0, err
    [q] = [json.loads(l) for l in (tmp_path / "out" / "quarantine" / "x.jsonl.jsonl").read_text().splitlines()]
    assert q["row"] == 1 and "unpaired surrogate" in q["reason"]


# -- shards that cannot be done: exit 1, a report anyway -------------------------------------------------------

def test_only_shard_without_its_text_column_fails_with_a_report(ray_cluster, capsys, monkeypatch, checkpoint_1layer, tmp_path):
    monkeypatch.setenv("HAREMB_KEY", KEY)
    inp, out = tmp_path / "in", tmp_path / "out"
    inp.mkdir()
    pq.write_table(pa.table({"body": ["Call Alice at 555-0100"]}), inp / "x.parquet")
    code, _, err = cli(capsys, "--input", inp, "--output", out, "--model", checkpoint_1layer)
    assert code == 1, err
    assert "shard x.parquet failed" in err and "no column 'text'" in err
    report = json.loads((out / "_report.json").read_text())
    assert report["shards"] == {"done": 0, "failed": 1} and report["last_run"]["status"] == "failed"
    assert not (out / "redacted").exists()


def test_systematic_model_failure_fails_the_shard(ray_cluster, capsys, monkeypatch, tokenizer, tmp_path):
    """A checkpoint whose embedding table lacks the tokenizer's newest tokens fails (IndexError) on exactly the
    documents that use them: more than max_failed_fraction of a shard is a failure, not a quarantine."""
    from haremb_dev.random_checkpoint import build_random_checkpoint

    monkeypatch.setenv("HAREMB_KEY", KEY)
    texts = faker_texts(40, seed=23)
    from haremb_batch.engine.tokens import encode_texts

    top = {t: int(e.ids.max()) for t, e in zip(texts, encode_texts(tokenizer, texts))}
    cut = sorted(top.values())[len(texts) // 2]
    poisoned = [t for t in texts if top[t] >= cut]
    assert 0 < len(poisoned) < len(texts)
    model = build_random_checkpoint(tmp_path / "short_vocab", tokenizer, vocab_size=cut, seed=3)
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "docs.jsonl").write_text("".join(json.dumps({"text": t}) + "\n" for t in texts))

    code, _, err = cli(capsys, "--input", inp, "--output", tmp_path / "strict", "--model", model)
    assert code == 1, err
    assert f"{len(poisoned)} of {len(texts)} rows failed in the model" in err and "IndexError" in err
    assert not (tmp_path / "strict" / "redacted" / "docs.jsonl").exists()

    code, _, err = cli(capsys, "--input", inp, "--output", tmp_path / "lenient", "--model", model,
                       "--set", "runtime.max_failed_fraction=1.0")
    assert code == 0, err
    quarantine = [json.loads(l) for l in (tmp_path / "lenient" / "quarantine" / "docs.jsonl.jsonl").read_text().splitlines()]
    assert len(quarantine) == len(poisoned) and all("model failed: IndexError" in q["reason"] for q in quarantine)
    redacted = (tmp_path / "lenient" / "redacted" / "docs.jsonl").read_text()
    assert all(t not in redacted for t in poisoned)  # fail closed: a failed row never reaches redacted/


def test_worker_errors_reach_the_user_unwrapped(ray_cluster):
    import ray.data

    from haremb_batch.pipeline.job import describe_error

    def refuse(batch):
        raise PermissionError(13, "Permission denied", "/lake/clean/_parts/x")

    with pytest.raises(Exception) as caught:
        ray.data.range(4).map_batches(refuse).materialize()
    assert not isinstance(caught.value, PermissionError)  # Ray did wrap it
    assert describe_error(caught.value) == "PermissionError: [Errno 13] Permission denied: '/lake/clean/_parts/x'"

    @ray.remote
    def plain():
        raise KeyError("shard-7")

    with pytest.raises(Exception) as caught:
        ray.get(plain.remote())
    assert describe_error(caught.value) == "KeyError: 'shard-7'"


def test_ctrl_c_exits_130_in_one_line_with_a_report(ray_cluster, shards, checkpoint_1layer, tmp_path):
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "big.jsonl").write_text("".join(json.dumps({"text": t}) + "\n" for t in faker_texts(1500, seed=24)))
    out = tmp_path / "out"
    env = dict(os.environ, RAY_ADDRESS=ray_cluster["address"], HAREMB_KEY=KEY)
    proc = subprocess.Popen([sys.executable, str(REPO / "jobs" / "redact.py"), "--input", str(inp), "--output",
                             str(out), "--model", str(checkpoint_1layer), "--set", "runtime.docs_per_batch=8"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while time.time() < deadline and not any((out / "_parts").rglob("*.parquet")):
        time.sleep(0.1)
    assert any((out / "_parts").rglob("*.parquet")), "the job never started writing"
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr[-2000:]
    assert "Traceback" not in stderr and stderr.rstrip().splitlines()[-1].startswith("redact.py: interrupted"), stderr[-2000:]
    runs = [json.loads(p.read_text()) for p in (out / "_runs").glob("*.json")]
    assert [r["status"] for r in runs] == ["interrupted"]
    assert (out / "_report.json").exists() and not (out / "redacted" / "big.jsonl").exists()


# -- policy that leaves text visible: allowed, never silent -----------------------------------------------------

def test_policy_that_keeps_every_span_says_so(ray_cluster, capsys, monkeypatch, shards, checkpoint_1layer, tmp_path):
    monkeypatch.setenv("HAREMB_KEY", KEY)
    inp, _ = shards
    code, out, err = cli(capsys, "--input", inp, "--output", tmp_path / "out", "--model", checkpoint_1layer,
                         "--set", "decoding.min_score=1.0", "--set", "detection.rules=[]")  # rules' spans are not thresholded
    assert code == 0, err
    report = json.loads((tmp_path / "out" / "_report.json").read_text())
    kept = report["entities"]["kept_per_label"]
    assert report["entities"]["redacted"] == 0 and sum(kept.values()) == report["entities"]["total"] > 0
    assert "nothing was redacted" in report["warnings"][0] and "WARNING: every one of the" in err
    label, n = next(iter(kept.items()))
    assert f"{label}: {n}" in out  # the summary line names the kept count per label


def test_label_subset_reports_kept_per_label(ray_cluster, capsys, monkeypatch, shards, checkpoint_1layer, tmp_path):
    monkeypatch.setenv("HAREMB_KEY", KEY)
    inp, _ = shards
    cli(capsys, "--input", inp, "--output", tmp_path / "all", "--model", checkpoint_1layer)
    entities = json.loads((tmp_path / "all" / "_report.json").read_text())["entities"]
    every, kept_anyway = entities["redacted_per_label"], entities["kept"]  # kept anyway: detection.check_casing
    chosen = max(every, key=every.get)
    code, out, err = cli(capsys, "--input", inp, "--output", tmp_path / "one", "--model", checkpoint_1layer,
                         "--set", f"decoding.labels=[{chosen}]")
    assert code == 0, err
    report = json.loads((tmp_path / "one" / "_report.json").read_text())["entities"]
    # only the chosen label is redacted, and at least where the full run redacted it: a part of that label in a
    # union with a label left out names the union (merge.py), so narrowing never uncovers what it names
    assert list(report["redacted_per_label"]) == [chosen] and report["redacted_per_label"][chosen] >= every[chosen]
    assert report["kept"] == report["total"] - report["redacted"] and f"{report['kept']} kept (" in out

    def redacted(run: str, label: str | None) -> dict:
        import pyarrow.parquet as pq

        rows = [r for f in sorted((tmp_path / run / "entities").rglob("*.parquet")) for r in pq.read_table(f).to_pylist()]
        spans: dict = {}
        for r in rows:
            if r["action"] == "redacted" and (label is None or r["label"] == label):
                spans.setdefault(r["doc_id"], []).append((r["start"], r["end"]))
        return spans

    narrowed = redacted("one", None)
    for doc, spans in redacted("all", chosen).items():
        for start, end in spans:
            assert any(a <= start and end <= b for a, b in narrowed.get(doc, [])), (doc, start, end)
    import ray

    # the CLI ran in a process already joined to the cluster: it leaves that Ray session as it found it
    port = ray_cluster["address"].rsplit(":", 1)[1]
    assert ray.is_initialized() and ray.get_runtime_context().gcs_address.endswith(f":{port}")


# -- identity: a changed key, model or config redoes a shard and says why ----------------------------------------

def test_changed_key_or_model_redoes_shards_and_says_why(ray_cluster, capsys, monkeypatch, shards, checkpoint_1layer, tmp_path, caplog):
    import shutil

    inp, expected = shards
    model = tmp_path / "model"
    shutil.copytree(checkpoint_1layer, model)
    out = tmp_path / "out"
    monkeypatch.setenv("HAREMB_KEY", KEY)
    assert cli(capsys, "--input", inp, "--output", out, "--model", model)[0] == 0
    fingerprint = json.loads((out / "_manifest" / "a.parquet.json").read_text())["key_fingerprint"]
    monkeypatch.setenv("HAREMB_KEY", KEY + "-rotated")
    code, stdout, _ = cli(capsys, "--input", inp, "--output", out, "--model", model)
    assert code == 0 and f"{len(expected)} shards done, 0 skipped" in stdout
    assert "the key changed" in caplog.text
    assert json.loads((out / "_manifest" / "a.parquet.json").read_text())["key_fingerprint"] != fingerprint
    (model / "viterbi_calibration.json").write_text(json.dumps(
        {"operating_points": {"default": {"biases": {"transition_bias_background_stay": 0.5}}}}))
    code, stdout, _ = cli(capsys, "--input", inp, "--output", out, "--model", model)
    assert code == 0 and f"{len(expected)} shards done, 0 skipped" in stdout and "the model files changed" in caplog.text
    code, stdout, _ = cli(capsys, "--input", inp, "--output", out, "--model", model)
    assert code == 0 and f"0 shards done, {len(expected)} skipped" in stdout
    # a shard rewritten with other text of the same size
    shard = inp / "d.json"
    original = shard.read_bytes()
    try:
        shard.write_bytes(original.replace(b"only", b"ONLY"))
        os.utime(shard, (time.time() + 5, time.time() + 5))
        code, stdout, _ = cli(capsys, "--input", inp, "--output", out, "--model", model)
        assert code == 0 and f"1 shards done, {len(expected) - 1} skipped" in stdout and "the input was rewritten" in caplog.text
    finally:
        shard.write_bytes(original)
    # a deny list kept in a file counts by its content
    deny = tmp_path / "deny.yaml"
    deny.write_text("- {text: Zurich, label: city}\n")
    assert cli(capsys, "--input", inp, "--output", out, "--model", model, "--set", f"detection.deny_list={deny}")[0] == 0
    deny.write_text("- {text: Zurich, label: city}\n- {text: Tokyo, label: city}\n")
    code, stdout, _ = cli(capsys, "--input", inp, "--output", out, "--model", model, "--set", f"detection.deny_list={deny}")
    assert code == 0 and f"{len(expected)} shards done, 0 skipped" in stdout

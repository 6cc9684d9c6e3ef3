"""The second line of defence in the job: rules, deny and allow lists, per-label methods, and jobs/apply.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

from conftest import faker_texts
from jobdata import SHARD_TEXTS, write_shards

REPO = Path(__file__).resolve().parent.parent
KEY = "detection-test-key"
MIXED = [
    "Write to support@acme-corp.com or to jane.doe@gmail.com about Bluefin before Friday.",
    "Bluefin ships next week; card 4111 1111 1111 1111 was charged, server 10.20.30.40 logged it.",
    "Nothing personal in this sentence at all.",
    "Call +44 20 7946 0958 and ask for the Bluefin lead; IBAN DE89 3704 0044 0532 0130 00.",
]
POLICY = {
    "detection": {"allow_list": ["support@acme-corp.com"], "deny_list": [{"text": "Bluefin", "label": "company_name"}]},
    "redaction": {"method": {"email": "hash", "default": "mask"}},
}


def _main(script: str, args: list) -> int:
    sys.path.insert(0, str(REPO / "jobs"))
    module = __import__(script)
    return module.main([str(a) for a in args])


@pytest.fixture()
def mixed_input(tmp_path):
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "mixed.jsonl").write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(MIXED)))
    config = tmp_path / "policy.yaml"
    config.write_text(yaml.safe_dump(POLICY))
    return inp, config


def test_job_keeps_allow_listed_redacts_deny_listed_and_counts_detectors(ray_cluster, monkeypatch, mixed_input, tmp_path):
    monkeypatch.setenv("HAREMB_KEY", KEY)
    inp, config = mixed_input
    out = tmp_path / "out"
    assert _main("redact", ["--input", inp, "--output", out, "--config", config]) == 0  # the embedded model
    entities = pq.read_table(out / "entities" / "mixed.jsonl.parquet").to_pylist()
    by_text = {MIXED[e["row"]][e["start"]:e["end"]]: e for e in entities}
    allowed = by_text["support@acme-corp.com"]
    assert allowed["action"] == "kept" and allowed["detector"] == "allow_list" and allowed["replacement"] is None
    other = by_text["jane.doe@gmail.com"]
    assert other["action"] == "redacted" and "rule" in other["detector"] and other["replacement"].startswith("<EMAIL:")
    codenames = [e for t, e in by_text.items() if t == "Bluefin"]
    assert codenames and all("deny_list" in e["detector"] and e["action"] == "redacted" for e in codenames)
    assert by_text["4111 1111 1111 1111"]["label"] == "credit_debit_card" and "rule" in by_text["4111 1111 1111 1111"]["detector"]
    redacted = (out / "redacted" / "mixed.jsonl").read_text()
    assert "support@acme-corp.com" in redacted
    for secret in ("jane.doe@gmail.com", "Bluefin", "4111 1111 1111 1111", "10.20.30.40", "7946 0958", "DE89 3704"):
        assert secret not in redacted, secret
    report = json.loads((out / "_report.json").read_text())
    detectors = report["entities"]["per_detector"]
    assert detectors["allow_list"] == 1 and sum(n for d, n in detectors.items() if "deny_list" in d) == 3
    assert sum(n for d, n in detectors.items() if "rule" in d) >= 5


def test_apply_reproduces_the_job_byte_for_byte_without_the_model(ray_cluster, monkeypatch, checkpoint_1layer, tmp_path):
    import shutil

    monkeypatch.setenv("HAREMB_KEY", KEY)
    inp = tmp_path / "in"
    expected = write_shards(inp, faker_texts(SHARD_TEXTS, seed=31))
    # texts where the deny and allow lists hit, around and inside what the model and the rules find
    (inp / "mixed.jsonl").write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(
        MIXED + ["Bluefin Smith wrote from support@acme-corp.com and jsmith@example.com about Bluefin."])))
    expected["mixed.jsonl"] = len(MIXED) + 1
    config = tmp_path / "policy.yaml"
    config.write_text(yaml.safe_dump(POLICY))
    job_out = tmp_path / "job"
    assert _main("redact", ["--input", inp, "--output", job_out, "--model", checkpoint_1layer, "--config", config]) == 0

    # a copy of the checkpoint whose weights are garbage: apply works all the same, so it never loads them
    model = tmp_path / "model-config-only"
    shutil.copytree(checkpoint_1layer, model)
    for weights in model.glob("*.safetensors"):
        weights.write_bytes(b"not weights")
    env = dict(os.environ, HAREMB_KEY=KEY)
    probe = ("import runpy, sys; sys.argv = sys.argv[1:]; code = 0\n"
             "try:\n    runpy.run_path(sys.argv[0], run_name='__main__')\nexcept SystemExit as e:\n    code = e.code\n"
             "assert 'torch' not in sys.modules, 'torch was imported'\nsys.exit(code)")
    same = subprocess.run([sys.executable, "-c", probe, str(REPO / "jobs" / "apply.py"), "--input", str(inp), "--from",
                           str(job_out), "--output", str(tmp_path / "same"), "--model", str(model), "--config", str(config)],
                          env=env, capture_output=True, text=True, timeout=300)
    assert same.returncode == 0, same.stderr[-2000:]
    for rel in expected:
        assert (tmp_path / "same" / "redacted" / rel).read_bytes() == (job_out / "redacted" / rel).read_bytes(), rel
        assert pq.read_table(tmp_path / "same" / "entities" / f"{rel}.parquet").equals(
            pq.read_table(job_out / "entities" / f"{rel}.parquet")), rel

    # another policy: everything as characters, the score threshold raised: a new output with its own manifests
    changed = tmp_path / "changed"
    assert _main("apply", ["--input", inp, "--from", job_out, "--output", changed, "--model", model, "--config", config,
                           "--set", "redaction.method=char", "--set", "decoding.min_score=0.9"]) == 0
    a_job = pq.read_table(job_out / "entities" / "a.parquet.parquet").to_pylist()
    a_new = pq.read_table(changed / "entities" / "a.parquet.parquet").to_pylist()
    assert [(e["start"], e["end"]) for e in a_job] == [(e["start"], e["end"]) for e in a_new]
    assert any(e["action"] == "kept" for e in a_new) and all(e["replacement"] is None or set(e["replacement"]) == {"*"} for e in a_new)
    manifest = json.loads((changed / "_manifest" / "a.parquet.json").read_text())
    assert manifest["config_digest"] != json.loads((job_out / "_manifest" / "a.parquet.json").read_text())["config_digest"]
    assert (changed / "redacted" / "a.parquet").read_bytes() != (job_out / "redacted" / "a.parquet").read_bytes()


def test_apply_refuses_what_the_finished_output_cannot_answer(ray_cluster, capsys, monkeypatch, tokenizer,
                                                                checkpoint_1layer, tmp_path):
    from haremb_dev.random_checkpoint import build_random_checkpoint

    monkeypatch.setenv("HAREMB_KEY", KEY)
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "x.jsonl").write_text(json.dumps({"text": "Call Jane at 555-0100", "body": "Jane Roe, 12 Elm St"}) + "\n")
    done = tmp_path / "done"
    assert _main("redact", ["--input", inp, "--output", done, "--model", checkpoint_1layer]) == 0
    capsys.readouterr()
    # a text column the model never saw
    assert _main("apply", ["--input", inp, "--from", done, "--output", tmp_path / "a", "--model", checkpoint_1layer,
                           "--set", "input.text_column=[text, body]"]) == 1
    assert "a column the model never saw" in capsys.readouterr().err
    # another model's categories: its labels would all look like categories not acted on
    other = build_random_checkpoint(tmp_path / "other", tokenizer, categories=("private_person", "private_email"), seed=5)
    assert _main("apply", ["--input", inp, "--from", done, "--output", tmp_path / "b", "--model", other]) == 1
    assert "other categories" in capsys.readouterr().err
    # the input rewritten since: its recorded offsets no longer fit
    (inp / "x.jsonl").write_text(json.dumps({"text": "Call Joan at 555-0199", "body": "Jane Roe, 12 Elm St"}) + "\n")
    assert _main("apply", ["--input", inp, "--from", done, "--output", tmp_path / "c", "--model", checkpoint_1layer]) == 1
    assert "the input changed since" in capsys.readouterr().err
    for out in ("a", "b", "c"):
        assert not (tmp_path / out / "redacted" / "x.jsonl").exists()


def test_apply_refuses_an_unfinished_source_and_overlapping_places(capsys, monkeypatch, checkpoint_1layer, tmp_path):
    monkeypatch.setenv("HAREMB_KEY", KEY)
    inp = tmp_path / "in"
    write_shards(inp, faker_texts(SHARD_TEXTS, seed=32))
    (tmp_path / "nothing").mkdir()
    assert _main("apply", ["--input", inp, "--from", tmp_path / "nothing", "--output", tmp_path / "out",
                           "--model", checkpoint_1layer]) == 2
    assert "not a finished output of jobs/redact.py" in capsys.readouterr().err
    (tmp_path / "empty" / "_manifest").mkdir(parents=True)  # an output, but of other shards
    assert _main("apply", ["--input", inp, "--from", tmp_path / "empty", "--output", tmp_path / "out",
                           "--model", checkpoint_1layer]) == 1
    assert "has no manifest for a.parquet" in capsys.readouterr().err
    assert not (tmp_path / "out" / "redacted").exists()
    assert _main("apply", ["--input", inp, "--from", tmp_path / "empty", "--output", tmp_path / "empty" / "x",
                           "--model", checkpoint_1layer]) == 2
    assert "inside --from" in capsys.readouterr().err
    assert _main("apply", ["--input", inp, "--output", tmp_path / "out"]) == 2  # no --from
    assert "--from FINISHED_OUTPUT is required" in capsys.readouterr().err
    assert _main("apply", ["--help"]) == 0 and "usage: apply.py" in capsys.readouterr().out

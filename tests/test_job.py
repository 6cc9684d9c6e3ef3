"""The real job on a real local Ray cluster (2 CPUs), over real Parquet/JSONL shards."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import faker_texts, s3_bucket_with_shards
from jobdata import SHARD_TEXTS, check_outputs, write_shards
from haremb_dev.raycluster import RAY

REPO = Path(__file__).resolve().parent.parent
KEY = "test-key-not-secret"


@pytest.fixture()
def keyed(monkeypatch):
    monkeypatch.setenv("HAREMB_KEY", KEY)


def run_job(inp, out, model, *overrides):
    from haremb_batch.config import load_job_config
    from haremb_batch.pipeline.job import run

    cfg = load_job_config(None, list(overrides), input__uri=str(inp), output__uri=str(out), model__path=str(model))
    return run(cfg)


@pytest.fixture(scope="module")
def shards(tmp_path_factory):
    root = tmp_path_factory.mktemp("shards")
    return root, write_shards(root, faker_texts(SHARD_TEXTS, seed=11))


def test_job_end_to_end(ray_cluster, keyed, shards, checkpoint_1layer, tmp_path):
    inp, expected = shards
    out = tmp_path / "out"
    report = run_job(inp, out, checkpoint_1layer, "runtime.docs_per_batch=5")
    n = len(expected)
    assert report["shards"] == {"total": n, "done": n, "skipped": 0, "failed": 0}
    assert report["skipped_files"] == {".txt": 1, ".csv": 1}
    totals = check_outputs(inp, out, expected, "mask", KEY.encode())
    assert report["rows"]["in"] == sum(expected.values()) == totals["redacted"] + totals["quarantined"]
    assert totals["quarantined"] == 2 and totals["entities"] > 20
    reasons = [json.loads(l) for l in (out / "quarantine" / "nested" / "deeper" / "b.jsonl.jsonl").read_text().splitlines()]
    assert "not valid JSON" in reasons[0]["reason"] and "raw" not in reasons[0]
    assert (inp / "nested" / "deeper" / "b.jsonl").read_bytes()[reasons[0]["offset"]:][: reasons[0]["length"]] == b"{this is not json"
    assert "not a string" in reasons[1]["reason"] and reasons[1]["id"] == "98"
    assert sorted(p.relative_to(out / "redacted").as_posix() for p in (out / "redacted").rglob("*") if p.is_file()) == sorted(expected)
    assert (out / "entities" / "d.json.parquet").exists() and (out / "entities" / "d.parquet.parquet").exists()
    assert not (out / "_parts").exists() or not any((out / "_parts").rglob("*.parquet"))
    saved = json.loads((out / "_report.json").read_text())
    assert saved["rows"] == report["rows"] and saved["shards"] == {"done": n, "failed": 0}
    record = json.loads((out / "_runs" / f"{report['run']}.json").read_text())
    assert record["config"]["chunking"]["max_tokens"] == 1024 and record["status"] == "ok"
    manifest = json.loads((out / "_manifest" / "a.parquet.json").read_text())
    assert set(manifest) >= {"config_digest", "model_digest", "key_fingerprint"}
    assert manifest["key_fingerprint"] and KEY not in json.dumps(manifest)
    for path in out.rglob("*"):
        assert not path.is_file() or KEY.encode() not in path.read_bytes(), path


@pytest.mark.parametrize("actor_cpus", ["auto", "0.5"])
def test_small_shards_stream_through_apart(ray_cluster, keyed, checkpoint_1layer, tmp_path, actor_cpus):
    """Shards far smaller than a block still reach the driver one by one: each has its own read task and its
    own write, so the first shard is finalized while the later ones are still in the model stage. With 0.5
    CPU per actor (the one-CPU default) the read and tokenize tasks ask for the same: they must still not be
    fused into the actor pool, which would bundle the shards into one block again."""
    from haremb_batch.config import load_job_config
    from haremb_batch.pipeline.job import build_dataset, connect, preflight

    texts = faker_texts(160, seed=5)
    (tmp_path / "in").mkdir()
    for s in range(4):
        with open(tmp_path / "in" / f"s{s}.jsonl", "w") as f:
            f.writelines(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(texts[s * 40 : (s + 1) * 40]))
    cfg = load_job_config(None, ["runtime.docs_per_batch=16", f"runtime.cpus_per_actor={actor_cpus}"],
                          input__uri=str(tmp_path / "in"),
                          output__uri=str(tmp_path / "out"), model__path=str(checkpoint_1layer))
    p = preflight(cfg)
    dataset = build_dataset(cfg, p.inputs.shards, p.key, connect(cfg), p.categories)
    batches = [b.to_pylist() for b in dataset.iter_batches(batch_format="pyarrow", batch_size=None, prefetch_batches=0)]
    sources = [{r["source"] for r in batch if r["part"] is not None} for batch in batches]
    assert len(batches) >= 4 and all(len(s) == 1 for s in sources if s), sources
    ends = [i for i, batch in enumerate(batches) for r in batch if r["shard_rows"] is not None]
    assert sorted(r["shard_rows"] for batch in batches for r in batch if r["shard_rows"] is not None) == [40] * 4
    assert ends[0] < len(batches) - 1  # a shard was complete before the last batch came back


def test_rerun_skips_done_shards_and_redoes_a_deleted_manifest(ray_cluster, keyed, shards, checkpoint_1layer, tmp_path):
    inp, expected = shards
    out = tmp_path / "out"
    n = len(expected)
    full = run_job(inp, out, checkpoint_1layer, "redaction.method=hash")
    first = {p: p.read_bytes() for p in sorted((out / "redacted").rglob("*")) if p.is_file()}
    again = run_job(inp, out, checkpoint_1layer, "redaction.method=hash")
    assert again["shards"]["skipped"] == n and again["shards"]["done"] == 0
    (out / "_manifest" / "a.parquet.json").unlink()
    redo = run_job(inp, out, checkpoint_1layer, "redaction.method=hash")
    assert redo["shards"]["done"] == 1 and redo["shards"]["skipped"] == n - 1
    assert {p: p.read_bytes() for p in first} == first  # deterministic: the redone shard is byte-identical
    check_outputs(inp, out, expected, "hash", KEY.encode())
    # the output's report still describes every shard, whichever run finished it; each run has its own record
    report = json.loads((out / "_report.json").read_text())
    assert report["rows"] == full["rows"] and report["entities"] == full["entities"]
    assert len(list((out / "_runs").glob("*.json"))) == 3 and redo["rows"]["in"] == 12
    changed = run_job(inp, out, checkpoint_1layer, "redaction.method=char")  # another config: nothing is skipped
    assert changed["shards"]["done"] == n and set(changed["redone"].values()) == {"the configuration changed"}


def test_failing_shard_leaves_others_done(ray_cluster, keyed, checkpoint_1layer, tmp_path):
    inp = tmp_path / "in"
    write_shards(inp, faker_texts(SHARD_TEXTS, seed=12))
    (inp / "corrupt.parquet").write_bytes(b"PAR1 this is not parquet")
    report = run_job(inp, tmp_path / "out", checkpoint_1layer)
    assert report["shards"]["failed"] == 1 and report["shards"]["done"] == 8
    assert "corrupt.parquet" in report["failed"]
    assert not (tmp_path / "out" / "_manifest" / "corrupt.parquet.json").exists()


def test_killed_actor_loses_and_duplicates_nothing(ray_cluster, keyed, checkpoint_1layer, tmp_path):
    from ray.util.state import list_actors

    inp = tmp_path / "in"
    expected = write_shards(inp, faker_texts(SHARD_TEXTS, seed=13))
    extra = faker_texts(1000, seed=14)  # long enough that the kill lands while parts are still being written
    (inp / "big.jsonl").write_text("".join(json.dumps({"text": t}) + "\n" for t in extra))
    expected["big.jsonl"] = len(extra)
    out = tmp_path / "out"
    killed = []  # manifests finished when the kill landed: fewer than all shards means mid-run

    errors = []

    def kill_model_actor():
        try:
            find_and_kill()
        except Exception as error:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(repr(error))

    def find_and_kill():
        """SIGKILL the model actor's process the moment the first part file is written: a crash mid-run."""
        deadline, pid = time.time() + 300, None
        while pid is None and time.time() < deadline:  # the state API is slow: find the pid before the race
            # the address, explicitly: the test cluster lives in its own temp dir, where defaults do not look
            actors = list_actors(address=ray_cluster["address"], filters=[("state", "=", "ALIVE")], detail=True)
            pid = next((a.pid for a in actors if "ModelStage" in (a.class_name or "") and a.pid), None)
        while pid is not None and time.time() < deadline:
            if any((out / "_parts").rglob("*.parquet")):
                os.kill(pid, signal.SIGKILL)
                killed.append(len(list((out / "_manifest").rglob("*.json"))) if (out / "_manifest").exists() else 0)
                return
            time.sleep(0.01)

    thread = threading.Thread(target=kill_model_actor, daemon=True)
    thread.start()
    report = run_job(inp, out, checkpoint_1layer, "runtime.docs_per_batch=4")
    thread.join(timeout=1)
    assert killed and killed[0] < len(expected), f"the model actor was never caught mid-run {errors}"
    assert report["shards"]["failed"] == 0
    check_outputs(inp, tmp_path / "out", expected, "mask", KEY.encode())


def test_cli_bad_configuration_exits_2_in_one_line(tmp_path, shards, checkpoint_1layer):
    inp, _ = shards
    cases = [
        (["--set", "model.dtyp=float32"], "model.dtyp"),
        (["--set", "redaction.method=blackout"], "redaction.method"),
        (["--set", "chunking.overlap_tokens=5000"], "overlap_tokens"),
        (["--model", str(tmp_path / "nope")], "no such folder"),
        (["--input", str(tmp_path / "missing")], "no such file or folder"),
        (["--input", str(tmp_path)], "no shards found"),
        (["--set", "redaction.method=hash"], "HAREMB_KEY"),
    ]
    env = {k: v for k, v in os.environ.items() if k != "HAREMB_KEY"}
    for extra, needle in cases:
        args = ["--input", str(inp), "--output", str(tmp_path / "out"), "--model", str(checkpoint_1layer)] + extra
        result = subprocess.run([sys.executable, str(REPO / "jobs" / "redact.py")] + args, capture_output=True, text=True, env=env, timeout=120)
        assert result.returncode == 2, (extra, result.stderr[-500:])
        errors = [l for l in result.stderr.splitlines() if "error" in l.lower()]
        assert len(errors) == 1 and needle in errors[0], (extra, result.stderr[-500:])


def test_cli_runs_and_joins_the_running_cluster(ray_cluster, shards, checkpoint_1layer, tmp_path):
    inp, expected = shards
    env = dict(os.environ, RAY_ADDRESS=ray_cluster["address"], HAREMB_KEY=KEY)
    result = subprocess.run([sys.executable, str(REPO / "jobs" / "redact.py"), "--input", str(inp), "--output",
                             str(tmp_path / "out"), "--model", str(checkpoint_1layer)],
                            capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "8 shards done" in result.stdout
    assert "progress bars" not in result.stderr.lower()  # no terminal: our progress line, not Ray's notice
    check_outputs(inp, tmp_path / "out", expected, "mask", KEY.encode())


def test_job_reads_and_writes_s3(ray_cluster, keyed, shards, checkpoint_1layer, moto_s3, tmp_path, monkeypatch):
    """Input, output and the model on S3, reached with io.storage_options (the model copied once per version)."""
    inp, expected = shards
    s3, options = s3_bucket_with_shards(moto_s3, "lake", inp, expected)
    s3.put(str(checkpoint_1layer), "lake/models/pf", recursive=True)
    monkeypatch.setattr("haremb_batch.engine.checkpoint.CACHE_DIR", tmp_path / "driver-cache")
    sets = [f"io.storage_options={json.dumps(options)}"]
    report = run_job("s3://lake/raw/", "s3://lake/clean", "s3://lake/models/pf", *sets)
    assert report["shards"]["done"] == len(expected)
    (driver,) = (tmp_path / "driver-cache" / "models").iterdir()
    (workers,) = (Path(ray_cluster["cache"]) / "models").glob(f"{driver.name.split('-')[0]}-*")  # copied there too
    assert workers.name == driver.name  # the same version
    assert sorted(p.name for p in workers.iterdir()) == sorted(p.name for p in checkpoint_1layer.iterdir())
    local = tmp_path / "fetched"
    s3.get("lake/clean/", str(local), recursive=True)
    check_outputs(inp, local, expected, "mask", KEY.encode())


def test_ray_job_submit(ray_cluster, shards, checkpoint_1layer, tmp_path):
    """`ray job submit --working-dir .` against the `ray start --head` cluster, token auth on."""
    inp, expected = shards
    env = dict(os.environ, HAREMB_KEY=KEY)
    env.pop("RAY_ADDRESS", None)
    out = tmp_path / "out"
    submit = subprocess.run(
        [RAY, "job", "submit", f"--address={ray_cluster['dashboard']}", "--working-dir", str(REPO), "--",
         "python", "jobs/redact.py", "--input", str(inp), "--output", str(out), "--model", str(checkpoint_1layer)],
        env=env, capture_output=True, text=True, timeout=900, cwd=REPO)
    assert submit.returncode == 0, (submit.stdout[-3000:], submit.stderr[-2000:])
    assert "8 shards done" in submit.stdout
    check_outputs(inp, out, expected, "mask", KEY.encode())


def test_model_replaced_at_its_url_during_a_run_fails_it_closed(ray_cluster, keyed, shards, checkpoint_1layer, tmp_path, monkeypatch):
    """The model at the job's URL is replaced after the driver copied it and before the actors load it (on a
    node without the copy): the actors refuse to run another model, the run fails, and no shard is done."""
    import shutil

    from haremb_batch.pipeline import job

    inp, _ = shards
    remote = tmp_path / "bucket" / "model"
    shutil.copytree(checkpoint_1layer, remote)
    monkeypatch.setattr("haremb_batch.engine.checkpoint.CACHE_DIR", tmp_path / "driver-cache")
    build_dataset = job.build_dataset

    def replace_then_build(*args, **kwargs):
        config = remote / "tokenizer_config.json"
        config.write_text(config.read_text() + " ")  # a new version, uploaded while the cluster starts
        return build_dataset(*args, **kwargs)

    monkeypatch.setattr(job, "build_dataset", replace_then_build)
    with pytest.raises(Exception) as failed:  # Ray's RayTaskError wrapping the CheckpointError of a task
        run_job(inp, tmp_path / "out", f"local://{remote}")
    assert "was replaced after the run started" in f"{failed.value}{failed.value!r}"
    assert not [p for p in (tmp_path / "out").rglob("*") if p.is_file() and "redacted" in p.parts]

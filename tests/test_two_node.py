"""More than one node: a second `ray start` joins the head on this machine with CPUs of its own; the job writes
to S3 (moto) and its shards are finalized on both nodes. A local output path is refused there."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import faker_texts, s3_bucket_with_shards
from jobdata import SHARD_TEXTS, check_outputs, write_shards
from haremb_dev.raycluster import start_head, start_worker

REPO = Path(__file__).resolve().parent.parent
KEY = "two-node-test-key"


@pytest.fixture(scope="module")
def two_nodes():
    head = start_head(num_cpus=1)
    worker = None
    try:
        worker = start_worker(head, num_cpus=2)
        yield head
    finally:
        if worker is not None:
            worker.stop()
        head.stop()


def _redact(head, *args) -> subprocess.CompletedProcess:
    env = dict(os.environ, RAY_ADDRESS=head.address, HAREMB_KEY=KEY)
    return subprocess.run([sys.executable, str(REPO / "jobs" / "redact.py"), *map(str, args)], env=env,
                          capture_output=True, text=True, timeout=900)


def test_shards_are_finalized_on_both_nodes_with_s3_output(two_nodes, moto_s3, checkpoint_1layer, tmp_path):
    inp = tmp_path / "in"
    expected = write_shards(inp, faker_texts(SHARD_TEXTS, seed=41))
    s3, options = s3_bucket_with_shards(moto_s3, "two-node", inp, expected)
    result = _redact(two_nodes, "--input", "s3://two-node/raw/", "--output", "s3://two-node/clean", "--model",
                     checkpoint_1layer, "--set", f"io.storage_options={json.dumps(options)}")
    assert result.returncode == 0, result.stderr[-3000:]
    [record_path] = s3.glob("two-node/clean/_runs/*.json")
    record = json.loads(s3.cat_file(record_path))
    assert record["shards"]["done"] == len(expected)
    assert len(set(record["finalized_on"].values())) == 2, record["finalized_on"]
    local = tmp_path / "fetched"
    s3.get("two-node/clean/", str(local), recursive=True)
    check_outputs(inp, local, expected, "mask", KEY.encode())


def test_local_output_on_two_nodes_is_refused_unless_shared(two_nodes, checkpoint_1layer, tmp_path):
    inp = tmp_path / "in"
    write_shards(inp, faker_texts(SHARD_TEXTS, seed=42))
    result = _redact(two_nodes, "--input", inp, "--output", tmp_path / "out", "--model", checkpoint_1layer)
    assert result.returncode == 2, result.stderr[-2000:]
    assert "is a local path and the Ray cluster has 2 nodes" in result.stderr
    assert not (tmp_path / "out" / "redacted").exists()
    shared = _redact(two_nodes, "--input", inp, "--output", tmp_path / "out", "--model", checkpoint_1layer,
                     "--set", "io.shared_filesystem=true")  # one machine: every node does see the path
    assert shared.returncode == 0, shared.stderr[-2000:]

"""The job's stages on plain Arrow batches, without a cluster."""

import json

import pyarrow as pa
import pytest

from haremb_batch.config import load_job_config
from haremb_batch.pipeline.stages import ModelStage, read_shards, tokenize_documents, write_parts


@pytest.fixture()
def config(tmp_path, checkpoint_1layer):
    inp = tmp_path / "in"
    inp.mkdir()
    lines = [json.dumps({"id": i, "text": f"Call Alice Smith at 555-010{i} today."}) for i in range(4)]
    (inp / "a.jsonl").write_text("\n".join(lines) + "\n")
    return load_job_config(None, [], input__uri=str(inp), output__uri=str(tmp_path / "out"), model__path=str(checkpoint_1layer))


def shard_batch(config):
    from pathlib import Path

    path = Path(config.input.uri) / "a.jsonl"
    return pa.Table.from_pylist([{"path": str(path), "relative": "a.jsonl", "format": "jsonl", "size": path.stat().st_size}])


def test_poison_document_is_quarantined_alone(config, monkeypatch):
    blocks = list(read_shards(shard_batch(config), config))
    assert blocks[-1].column("status").to_pylist() == ["shard_end"] and blocks[-1].column("shard_rows").to_pylist() == [4]
    docs = pa.concat_tables(blocks[:-1])
    tokens = pa.concat_tables(tokenize_documents(docs, config, docs=3))  # slices of 3 rows: 3 + 1
    stage = ModelStage(config)
    real_infer = stage.detector.infer

    poison = tokens.column("token_ids")[2].as_py()[0]

    def infer(encoded):  # any call that includes document 2 fails, as a poison document would
        if any(e.ids.tolist() == poison for e in encoded):
            raise RuntimeError("poison")
        return real_infer(encoded)

    monkeypatch.setattr(stage.detector, "infer", infer)
    out = stage(tokens)
    assert out.num_rows == 4
    assert out.column("status").to_pylist() == ["ok", "ok", "quarantined", "ok"]
    assert "poison" in out.column("reason")[2].as_py()

    parts = write_parts(out, config, b"k", list(stage.detector.labels.categories))
    assert parts.column("rows").to_pylist() == [4] and parts.column("first_row").to_pylist() == [0]
    assert parts.column("failure").to_pylist() == [None]
    # rows of a shard that arrive out of order are written as one part per run of consecutive rows
    shuffled = out.take([3, 0, 1])
    parts = write_parts(shuffled, config, b"k", list(stage.detector.labels.categories))
    assert sorted(zip(parts.column("first_row").to_pylist(), parts.column("rows").to_pylist())) == [(0, 2), (3, 1)]


def test_unreadable_shard_becomes_one_marker_row(config, tmp_path):
    bad = tmp_path / "in" / "bad.parquet"
    bad.write_bytes(b"not parquet at all")
    batch = pa.Table.from_pylist([{"path": str(bad), "relative": "bad.parquet", "format": "parquet", "size": 18}])
    rows = pa.concat_tables(list(read_shards(batch, config))).to_pylist()
    assert len(rows) == 1 and rows[0]["status"] == "shard_failed" and "bad.parquet" in rows[0]["reason"]


def test_stages_load_the_model_version_the_driver_copied(config, checkpoint_1layer, tmp_path, monkeypatch):
    """A model given as a URL and replaced there after the driver copied it: a task or actor that starts then
    fails (the job fails closed) instead of running another model than the run identity names."""
    import dataclasses
    import shutil

    from haremb_batch import CheckpointError
    from haremb_batch.engine.checkpoint import resolve_model_folder, url_model_version
    from haremb_batch.pipeline import stages

    monkeypatch.setattr("haremb_batch.engine.checkpoint.CACHE_DIR", tmp_path / "cache")
    remote = tmp_path / "bucket" / "model"
    shutil.copytree(checkpoint_1layer, remote)
    url = f"local://{remote}"  # an fsspec URL, copied like s3:// (file:// would be read in place)
    config = dataclasses.replace(config, model=dataclasses.replace(config.model, path=url))
    version = url_model_version(resolve_model_folder(url))  # what the driver does before the stages start
    assert version is not None
    docs = pa.concat_tables(list(read_shards(shard_batch(config), config))[:-1])
    tokens = pa.concat_tables(tokenize_documents(docs, config, docs=4, model_version=version))
    assert ModelStage(config, model_version=version)(tokens).num_rows == 4

    stages._tokenizer.cache_clear()
    (remote / "tokenizer_config.json").write_text((remote / "tokenizer_config.json").read_text() + " ")
    shutil.rmtree(tmp_path / "cache")  # a node that has no copy yet
    with pytest.raises(CheckpointError, match="replaced after the run started"):
        ModelStage(config, model_version=version)
    with pytest.raises(CheckpointError, match="replaced after the run started"):
        list(tokenize_documents(docs, config, docs=4, model_version=version))
    fresh = ModelStage(config).detector.checkpoint.folder  # a new run takes the new version
    assert url_model_version(fresh) not in (None, version)
    assert (fresh / "tokenizer_config.json").read_text() == (remote / "tokenizer_config.json").read_text()

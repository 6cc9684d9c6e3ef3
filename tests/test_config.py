from pathlib import Path

import pytest

from haremb_batch.config import ConfigError, load_job_config

CONFIGS = sorted((Path(__file__).resolve().parent.parent / "configs").glob("*.yaml"))


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_shipped_configs_load(path):
    cfg = load_job_config(path)
    assert cfg.chunking.overlap_tokens < cfg.chunking.max_tokens


def test_set_values_are_yaml_and_land_on_their_keys():
    cfg = load_job_config(None, ["input.text_column=[subject, body]", "decoding.min_score={email: 0.5}",
                                 "runtime.actors=3", "output.include_span_text=true"])
    assert cfg.input.text_columns == ["subject", "body"]
    assert cfg.decoding.min_score == {"email": 0.5}
    assert cfg.runtime.actors == 3 and cfg.output.include_span_text is True


@pytest.mark.parametrize("pair, needle", [
    ("model.dtyp=float32", "unknown configuration key model.dtyp"),
    ("model.dtype=fp16", "model.dtype"),
    ("chunking.max_tokens=lots", "chunking.max_tokens"),
    ("chunking.overlap_tokens=1024", "overlap_tokens"),
    ("runtime.actors=many", "runtime.actors"),
    ("decoding.biases=eager", "decoding.biases"),
    ("nosection.key=1", "unknown configuration key nosection"),
    ("novalue", "KEY=VALUE"),
])
def test_bad_values_name_the_key(pair, needle):
    with pytest.raises(ConfigError, match=needle):
        load_job_config(None, [pair])


def test_digest_follows_what_changes_outputs():
    base = load_job_config(None, [], input__uri="a", output__uri="b")
    assert base.digest() == load_job_config(None, ["runtime.actors=4"], input__uri="elsewhere", output__uri="c").digest()
    assert base.digest() != load_job_config(None, ["redaction.method=char"], input__uri="a", output__uri="b").digest()
    # `rules: all` counts by the rules it runs: a version that adds one redoes what an older one wrote
    assert base.digest(rules=("email", "url")) != base.digest(rules=("email", "url", "given_name"))
    # a new version of a word list redoes the shards its rules touched
    assert base.digest(word_lists={"given_names.txt": "a"}) != base.digest(word_lists={"given_names.txt": "b"})
    assert base.digest(rules=("email",)) == load_job_config(None, ["runtime.actors=2"], input__uri="a", output__uri="b").digest(rules=("email",))


def test_storage_options_reach_a_model_url_of_the_data_stores_protocol():
    """io.storage_options are written for the input's or output's store: an S3 model gets them, an https model
    beside data on S3 does not (aiohttp rejects S3 options), nor does a local model."""
    opts = '{"endpoint_url": "http://127.0.0.1:9000", "key": "k", "secret": "s"}'
    cfg = load_job_config(None, [f"io.storage_options={opts}"], input__uri="s3://lake/raw", output__uri="/tmp/out",
                          model__path="s3://models/pf")
    assert cfg.model_storage_options()["endpoint_url"] == "http://127.0.0.1:9000"
    for model in ("https://example.org/models/pf", "/models/pf", None):
        cfg = load_job_config(None, [f"io.storage_options={opts}"], input__uri="s3://lake/raw", output__uri="/tmp/out",
                              model__path=model)
        assert cfg.model_storage_options() == {}
    for inp, out, model in (("/data/raw", "s3://lake/clean", "s3://models/pf"),  # the output's store
                            ("s3a://lake/raw", "/tmp/out", "simplecache::s3://models/pf"),  # aliases, a chain
                            ("/data/raw", "/tmp/out", "s3://models/pf")):  # local data: the options are the model's
        cfg = load_job_config(None, [f"io.storage_options={opts}"], input__uri=inp, output__uri=out, model__path=model)
        assert cfg.model_storage_options()["key"] == "k", (inp, out, model)
    cfg = load_job_config(None, [f"io.storage_options={opts}"], input__uri="gs://lake/raw", output__uri="/tmp/out",
                          model__path="s3://models/pf")
    assert cfg.model_storage_options() == {}  # GCS options are not sent to S3

"""Nothing sensitive in the output tree: no credential in any file or log line, no raw PII in quarantine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from haremb_batch.config import load_job_config
from haremb_batch.credentials import MASK, mask_credentials, names_a_secret

REPO = Path(__file__).resolve().parent.parent
KEY = "sensitive-test-key-7f3a"

FAKE = {  # look like real credentials, work against moto (which checks none)
    "key": "AKIAHAREMBFAKE7Q2XZ9",
    "secret": "hArEmB/fake+Secret/0123456789abcdefWXYZ",
    "token": "FwoGZXIvYXdzEHaremb-fake-session-token-5b9e",
}


@pytest.mark.parametrize("name, secret", [
    ("key", True), ("secret", True), ("token", True), ("aws_secret_access_key", True), ("account_key", True),
    ("sas_token", True), ("connection_string", True), ("password", True), ("sessionToken", True),
    ("credentials", True), ("endpoint_url", False), ("region_name", False), ("anon", False), ("use_ssl", False),
])
def test_secret_names(name, secret):
    assert names_a_secret(name) is secret


def test_masking_covers_nested_options_and_environment_secrets():
    env = {"AWS_SECRET_ACCESS_KEY": "env-secret-value-123", "HOME": "/root", "RAY_AUTH_MODE": "token"}
    config = {"io": {"storage_options": {"key": "AKIA1", "endpoint_url": "http://127.0.0.1:9000",
                                         "client_kwargs": {"region_name": "us-east-1", "aws_session_token": "tok-abc"}}},
              "model": {"path": "s3://models/x?sig=env-secret-value-123"}, "runtime": {"actors": 2}}
    masked = mask_credentials(config, env)
    options = masked["io"]["storage_options"]
    assert options["key"] == MASK and options["client_kwargs"]["aws_session_token"] == MASK
    assert options["endpoint_url"] == "http://127.0.0.1:9000" and options["client_kwargs"]["region_name"] == "us-east-1"
    assert masked["model"]["path"] == f"s3://models/x?sig={MASK}" and masked["runtime"] == {"actors": 2}
    assert config["io"]["storage_options"]["key"] == "AKIA1"  # the live config is untouched


def test_credentials_in_urls_are_masked():
    from haremb_batch.credentials import mask_text

    text = "cannot read s3://lake:hunter2pw@minio/x and https://acct.blob/c/x.jsonl?sv=2024&sig=Zm9vYmFy&se=2030"
    masked = mask_text(text, [])
    assert "hunter2pw" not in masked and "Zm9vYmFy" not in masked and "s3://lake:***@minio/x" in masked


def test_config_digest_does_not_depend_on_credentials():
    one = load_job_config(None, [f"io.storage_options={json.dumps({'key': 'a', 'secret': 'b'})}"])
    other = load_job_config(None, [f"io.storage_options={json.dumps({'key': 'c', 'secret': 'd'})}"])
    assert one.digest() == other.digest()


def test_no_credential_in_any_output_file_or_log(ray_cluster, moto_s3, checkpoint_1layer, tmp_path):
    import boto3
    import fsspec

    boto3.client("s3", endpoint_url=moto_s3, region_name="us-east-1", aws_access_key_id="x",
                 aws_secret_access_key="y").create_bucket(Bucket="lake-sensitive")  # moto keeps buckets per process
    options = {**FAKE, "endpoint_url": moto_s3, "client_kwargs": {"region_name": "us-east-1"}}
    s3 = fsspec.filesystem("s3", **options)
    s3.pipe("lake-sensitive/raw/docs.jsonl", "".join(json.dumps({"text": f"Mail jane{i}@example.com today"}) + "\n"
                                           for i in range(6)).encode())
    s3.pipe("lake-sensitive/raw/bad.jsonl", b'{"text": "broken\n{"text": "a good line"}\n')
    env = dict(os.environ, RAY_ADDRESS=ray_cluster["address"], HAREMB_KEY=KEY)
    result = subprocess.run([sys.executable, str(REPO / "jobs" / "redact.py"), "--input", "s3://lake-sensitive/raw/",
                             "--output", "s3://lake-sensitive/clean", "--model", str(checkpoint_1layer),
                             "--set", f"io.storage_options={json.dumps(options)}"],
                            env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    written = {path: s3.cat_file(path) for path in s3.find("lake-sensitive/clean")}
    assert {"lake-sensitive/clean/_report.json", "lake-sensitive/clean/redacted/docs.jsonl",
            "lake-sensitive/clean/quarantine/bad.jsonl.jsonl"} <= set(written)
    assert any(p.startswith("lake-sensitive/clean/_runs/") for p in written)
    for secret in [*FAKE.values(), KEY]:
        for path, data in written.items():
            assert secret.encode() not in data, (secret, path)
        assert secret not in result.stdout and secret not in result.stderr, secret
    record = json.loads(next(d for p, d in written.items() if p.startswith("lake-sensitive/clean/_runs/")))
    assert record["config"]["io"]["storage_options"]["secret"] == MASK
    assert record["config"]["io"]["storage_options"]["endpoint_url"] == moto_s3


MALFORMED = '{"id": 7, "text": "SSN 123-45-6789, call 555-867-5309 about the claim"'  # no closing brace
PII = ("123-45-6789", "555-867-5309")


def _input_with_a_malformed_line(folder: Path) -> tuple[Path, bytes]:
    folder.mkdir()
    lines = [json.dumps({"id": 1, "text": "Nothing to hide here."}), MALFORMED, json.dumps({"id": 3, "text": "Fine."})]
    data = ("\n".join(lines) + "\n").encode()
    (folder / "claims.jsonl").write_bytes(data)
    return folder, data


def _run(args: list) -> int:
    sys.path.insert(0, str(REPO / "jobs"))
    import redact

    return redact.main([str(a) for a in args])


def test_quarantine_points_at_the_line_without_copying_it(ray_cluster, monkeypatch, checkpoint_1layer, tmp_path):
    monkeypatch.setenv("HAREMB_KEY", KEY)
    inp, data = _input_with_a_malformed_line(tmp_path / "in")
    out = tmp_path / "out"
    assert _run(["--input", inp, "--output", out, "--model", checkpoint_1layer]) == 0
    [record] = [json.loads(l) for l in (out / "quarantine" / "claims.jsonl.jsonl").read_text().splitlines()]
    assert record["source"] == "claims.jsonl" and record["row"] == 1 and "not valid JSON" in record["reason"]
    assert data[record["offset"]: record["offset"] + record["length"]].decode() == MALFORMED
    for path in out.rglob("*"):
        if path.is_file():
            assert not any(p.encode() in path.read_bytes() for p in PII), path


def test_raw_quarantine_is_opt_in_and_lands_outside_the_output(ray_cluster, monkeypatch, checkpoint_1layer, tmp_path):
    monkeypatch.setenv("HAREMB_KEY", KEY)
    inp, _ = _input_with_a_malformed_line(tmp_path / "in")
    out, restricted = tmp_path / "out", tmp_path / "restricted" / "quarantine"
    assert _run(["--input", inp, "--output", out, "--model", checkpoint_1layer, "--set", "output.quarantine_raw=true",
                 "--set", f"output.quarantine_uri={restricted}"]) == 0
    [raw] = [json.loads(l) for l in (restricted / "claims.jsonl.jsonl").read_text().splitlines()]
    assert raw["raw"] == MALFORMED and raw["row"] == 1
    for path in out.rglob("*"):
        if path.is_file():
            assert not any(p.encode() in path.read_bytes() for p in PII), path


def test_credentials_in_urls_of_every_form_are_masked():
    from haremb_batch.credentials import mask_urls

    cases = {
        "https://ghp_TOKEN1234@github.com/x": "https://***@github.com/x",  # a token as the user
        "https://user:p@ss@host/x": "https://user:***@host/x",  # a password holding '@'
        "https://cdn/x?Policy=PPP&Signature=SSS&Key-Pair-Id=KKK&page=2": "https://cdn/x?Policy=***&Signature=***&Key-Pair-Id=***&page=2",
        "https://h/x?api_key=AAA&client_secret=BBB&hdnts=HHH": "https://h/x?api_key=***&client_secret=***&hdnts=***",
        "s3://bucket/key?versionId=3 and bob@example.com": "s3://bucket/key?versionId=3 and bob@example.com",
    }
    for text, masked in cases.items():
        assert mask_urls(text) == masked

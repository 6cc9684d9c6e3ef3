import os
import shutil

import pytest

from haremb_dev.raycluster import start_head

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# Ray reads its auth settings once, on first import: the job tests' cluster runs with token auth on
RAY_TEST_TOKEN = "haremb-test-token-0123456789abcdef"
os.environ["RAY_AUTH_MODE"] = "token"
os.environ["RAY_AUTH_TOKEN"] = RAY_TEST_TOKEN


def faker_texts(n: int, seed: int = 0) -> list[str]:
    from faker import Faker

    fake = Faker("en_US")
    fake.seed_instance(seed)
    return [
        f"{fake.paragraph(nb_sentences=4)} Contact {fake.name()} at {fake.email()} or {fake.phone_number()}, "
        f"{fake.street_address()}, {fake.city()}. Born {fake.date()}."
        for _ in range(n)
    ]


@pytest.fixture(scope="session")
def tokenizer():
    from haremb_dev.tokenizer import train_bpe_tokenizer

    return train_bpe_tokenizer(faker_texts(1500), vocab_size=1500)


@pytest.fixture(scope="session")
def checkpoint_1layer(tmp_path_factory, tokenizer):
    from haremb_dev.random_checkpoint import build_random_checkpoint

    return build_random_checkpoint(tmp_path_factory.mktemp("ckpt1"), tokenizer, num_hidden_layers=1, seed=1)


@pytest.fixture(scope="session")
def checkpoint_2layer(tmp_path_factory, tokenizer):
    from haremb_dev.random_checkpoint import build_random_checkpoint

    return build_random_checkpoint(tmp_path_factory.mktemp("ckpt2"), tokenizer, num_hidden_layers=2, seed=2)


@pytest.fixture(scope="session")
def documents() -> list[str]:
    """Varied documents: prose with PII, logs, unicode, CRLF, very short and empty."""
    docs = faker_texts(12, seed=7)
    docs += [
        "GET /api?user=jdoe&token=abc123 200 10.0.0.12 2024-03-01T12:00:00Z\r\nPOST /login 401 192.168.1.7",
        "Patient: José Muñoz-García 🙂 DOB 03/04/1981, MRN 00482913. Café résumé naïve.",
        "東京都の田中太郎さん (tel 03-1234-5678) にメールしてください: tanaka@example.jp",
        "e\u0301le\u0300ve n\u0303o 👩‍👩‍👧‍👦 family emoji, Zürich 8001",
        "x",
    ]
    return docs


@pytest.fixture(scope="session")
def ray_cluster():
    """One cluster for the session, started the way users start one (`ray start --head`), token auth on.

    In-process tests join it with ray.init(address=...), the CLI through RAY_ADDRESS, and `ray job submit`
    through its dashboard. Teardown stops this cluster's processes only (tests/raycluster.py).
    """
    import tempfile

    import ray

    # models copied from URLs go to a cache of this session's own, not the user's ~/.cache
    cache = tempfile.mkdtemp(prefix="haremb-test-cache-")
    head = start_head(num_cpus=2, dashboard=True, env={**os.environ, "HAREMB_CACHE": cache})
    try:
        ray.init(address=head.address, logging_level="ERROR", log_to_driver=False)
        yield {"address": head.address, "dashboard": head.dashboard, "node": head, "cache": cache}
    finally:
        ray.shutdown()
        head.stop()
        shutil.rmtree(cache, ignore_errors=True)


@pytest.fixture()
def moto_s3():
    """moto's S3 server on 127.0.0.1, for this test only."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def s3_bucket_with_shards(endpoint: str, bucket: str, inp, relatives) -> tuple:
    """A bucket on the moto server holding the shards under raw/; returns (fsspec filesystem, storage options).
    moto keeps buckets per process: give each test its own bucket name."""
    import boto3
    import fsspec

    options = {"endpoint_url": endpoint, "key": "testing", "secret": "testing", "client_kwargs": {"region_name": "us-east-1"}}
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="testing",
                 aws_secret_access_key="testing").create_bucket(Bucket=bucket)
    s3 = fsspec.filesystem("s3", **options)
    for rel in relatives:
        s3.put_file(str(inp / rel), f"{bucket}/raw/{rel}")
    return s3, options

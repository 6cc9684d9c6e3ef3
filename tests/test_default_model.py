"""The embedded default model: a standard checkpoint, served by the engine, that finds ordinary PII."""

import re

import numpy as np
import pytest
import torch

from haremb_batch import Detector, redact_text
from haremb_batch.engine.checkpoint import DEFAULT_MODEL_DIR

pytestmark = pytest.mark.skipif(not (DEFAULT_MODEL_DIR / "config.json").exists(), reason="default model not built")

# PII marked inline: one line holds the input and the expectation
GOLDEN = [
    # "call <name> at" was a known miss of the first models; the procedural phrases now train that construction
    "Please call <first_name>Maria</first_name> at <phone_number>(415) 555-0134</phone_number> before Friday.",
    "From: <email>jordan.lee@example.org</email>\nSubject: invoice 4471 for the Pro plan",
    "Patient <first_name>Robert</first_name> <last_name>Nguyen</last_name>, DOB <date_of_birth>03/14/1962</date_of_birth>, MRN <medical_record_number>00482913</medical_record_number>.",
    "export DB_PASSWORD=<password>Tr0ub4dor&3xK</password>",
    # written after the third model was trained, kept whatever the outcome: misses stay as strict xfails
    "Send the signed lease to <first_name>Priya</first_name> <last_name>Raman</last_name> (<email>priya.raman@example.com</email>) before the end of the month.",
    "Our office moved to <street_address>221 Baker Street</street_address>, <city>Springfield</city>, <state>IL</state> <postcode>62704</postcode> last year.",
    pytest.param(
        "Driver license <certificate_license_number>D1234567</certificate_license_number> expired on <date>2024-08-31</date>; renewal fee is $35.",
        marks=pytest.mark.xfail(strict=True, reason="known false positive of the small model: 'renew' read as a user name"),
    ),
    pytest.param(
        "ssh <user_name>deploy</user_name>@<ipv4>10.0.0.12</ipv4> failed for user <user_name>mkowalski</user_name> with password <password>hunter2!Q</password>",
        marks=pytest.mark.xfail(strict=True, reason="known miss of the small model: a service account name before @host"),
    ),
]
TAG = re.compile(r"<(\w+)>(.*?)</\1>", re.S)


def parse_golden(marked: str):
    text, spans, cursor = "", [], 0
    for m in TAG.finditer(marked):
        text += marked[cursor : m.start()]
        spans.append((len(text), len(text) + len(m.group(2)), m.group(1)))
        text += m.group(2)
        cursor = m.end()
    return text + marked[cursor:], spans


@pytest.fixture(scope="module")
def detector():
    return Detector.load(dtype="float32")


def test_engine_and_transformers_agree_on_the_shipped_checkpoint(detector):
    from transformers import AutoModelForTokenClassification

    reference = AutoModelForTokenClassification.from_pretrained(DEFAULT_MODEL_DIR, dtype=torch.float32).eval()
    texts = [parse_golden(g.values[0] if hasattr(g, "values") else g)[0] for g in GOLDEN]
    for enc, ours in zip(detector.tokenize(texts), detector.infer(detector.tokenize(texts))):
        with torch.no_grad():
            logits = reference(torch.from_numpy(enc.ids)[None]).logits[0]
        ref = torch.log_softmax(logits.float(), -1).numpy()
        assert np.abs(ours - ref).max() < 1e-3
        assert (ours.argmax(1) == ref.argmax(1)).all()


@pytest.mark.parametrize("marked", GOLDEN)
def test_golden_cases(detector, marked):
    text, gold = parse_golden(marked)
    found = [(s.start, s.end, s.label) for s in detector.detect([text])[0]]
    assert found == gold, (text, found)
    clean = redact_text(text, detector.detect([text])[0])
    assert all(text[s:e] not in clean for s, e, _ in gold)


def test_default_is_used_when_no_model_is_given(detector):
    assert detector.checkpoint.folder == DEFAULT_MODEL_DIR
    assert len(detector.labels.categories) == 55

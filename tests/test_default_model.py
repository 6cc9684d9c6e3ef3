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
    "Driver license <certificate_license_number>D1234567</certificate_license_number> expired on <date>2024-08-31</date>; renewal fee is $35.",
    # found by the multi-locale model of issue 11; the model trained with the hand-written sets misses the account
    pytest.param(
        "ssh <user_name>deploy</user_name>@<ipv4>10.0.0.12</ipv4> failed for user <user_name>mkowalski</user_name> with password <password>hunter2!Q</password>",
        marks=pytest.mark.xfail(strict=True, reason="the model trained with the hand-written sets leaves the service account 'deploy' of 'deploy@10.0.0.12' visible"),
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


# The misreadings issue 11 lists, as the job redacts with its defaults (model + rules, merged). Strict: the word
# the first models read as PII stays visible and every marked value is fully covered (label-blind: for
# de-identification a leak or a redacted ordinary word is the failure, the category is secondary).
MISREADINGS = [
    ("The tenant, <first_name>Kayla</first_name> <last_name>Anderson</last_name>, agrees to pay 57% monthly.", "The tenant"),
    ("Thanks for the quick turnaround.\n\nRegards,\n<first_name>Maria</first_name> <last_name>Lopez</last_name>", "Regards"),
    ("<date_time>2026-05-20T21:52:56Z</date_time> DEBUG device <device_identifier>949870992530483</device_identifier> "
     "mac=<mac_address>94:05:4d:7b:07:dc</mac_address> registered for <email>hyoung@example.net</email>", "DEBUG"),
    ("Portal login from <ipv6>2001:db8:85a3::8a2e:370:7334</ipv6> was blocked.", "Portal login"),
    ("Call <first_name>Alice</first_name> at <phone_number>555-0100</phone_number>", "Call"),
    # the accented name was cut in the middle (`Kriszti|án`); a cut leaves part of a gold span visible
    ("<first_name>Krisztián</first_name> <last_name>Szabó</last_name> moved to <city>Debrecen</city> last spring.", "moved"),
]


def redaction_errors(detector, marked: str, policy=None) -> tuple[str, list[str]]:
    """(gold characters left visible, the texts of redacted spans that reach outside the gold spans)."""
    from haremb_batch.evaluation import job_spans

    text, gold = parse_golden(marked)
    spans = job_spans(detector, [text], policy)[0]
    gold_chars = {i for s, e, _ in gold for i in range(s, e) if not text[i].isspace()}
    covered = {i for d in spans for i in range(d.start, d.end) if not text[i].isspace()}
    leaked = "".join(text[i] if i in gold_chars - covered else "_" for i in range(len(text))).strip("_")
    over = [text[d.start : d.end] for d in spans if any(not text[i].isspace() and i not in gold_chars
                                                          for i in range(d.start, d.end))]
    return leaked, over


@pytest.mark.parametrize("marked,word", MISREADINGS)
def test_the_listed_misreadings_are_gone(detector, marked, word):
    text, _ = parse_golden(marked)
    leaked, over = redaction_errors(detector, marked)
    assert not leaked, f"left visible: {leaked!r}"
    at = text.index(word)
    from haremb_batch.evaluation import job_spans

    hit = [text[d.start : d.end] for d in job_spans(detector, [text])[0] if d.start < at + len(word) and at < d.end]
    assert not hit, f"{word!r} redacted as part of {hit}"


def after_training_cases():
    """tests/data/golden_after_training.txt: ten texts written by a helper after the one-layer issue-11 model was
    trained, in styles the generator does not produce (voicemail, commit message, itinerary, obituary...);
    golden_after_training_2.txt: ten more, written by another helper that read no file of the repository, while the
    two-layer model trained (its corpus already fixed), in ten further styles (prescription label, parking ticket,
    jury summons...). Kept whatever the outcome; the ones the model gets wrong are strict xfails that say what goes
    wrong."""
    from pathlib import Path

    blocks = []
    for name in ("golden_after_training.txt", "golden_after_training_2.txt"):
        blocks += (Path(__file__).parent / "data" / name).read_text(encoding="utf-8").split("\n---\n")
    cases = []
    for block in blocks:
        style, _, marked = block.strip("\n").partition("\n")
        style = style.removeprefix("# style: ").strip()
        reason = AFTER_TRAINING_MISSES.get(style)
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        cases.append(pytest.param(marked, id=style.replace(" ", "_"), marks=marks))
    return cases


# what the shipped model (trained with the hand-written tuning sets, 2026-12-02) gets wrong in them; the earlier
# models' misses in the git commit message, classified ad, school report, calendar invite, verification code and
# customs declaration are gone
AFTER_TRAINING_MISSES: dict[str, str] = {
    "airline itinerary line": "the flight number TP1355, the airport code LIS and the booking reference redacted",
    "obituary notice": "'Grandfather' and 'retired Headmaster' redacted, and the 'at' after the funeral's date",
    "wedding invitation": "the time '3 o'clock' left visible, 'Saturday' redacted with the date",
    "sports match report": "'Striker' redacted",
    # golden_after_training_2.txt
    "pharmacy prescription label": "the prescriber's surname 'Nowak' left visible, 'PWZ' redacted",
    "hotel booking confirmation": "the booking reference HX7-22918 redacted",
    "parking ticket": "the plate 191-C-4521 left visible, the notice number and 'Toyota' redacted",
    "podcast show notes": "'Mama Put Foods Ltd.' (a sponsor) and the chapter times redacted",
    "jury summons": "'Cook County' and 'Daley Center' redacted",
    "vet appointment reminder": "'Thu' and the 'at' around the appointment's date, and 'Tampere Clinic', redacted",
    "library overdue notice": "'Dublin City Libraries' and the book's barcode redacted",
    "conference badge": "'PyCon Brasil 2024' and 'Kafka' redacted",
}


@pytest.mark.parametrize("marked", after_training_cases())
def test_new_styles_written_after_training(detector, marked):
    """No PII character left visible and no ordinary word redacted, as the job redacts with its defaults."""
    leaked, over = redaction_errors(detector, marked)
    assert not leaked and not over, f"left visible: {leaked!r}; redacted although not PII: {over}"


def test_the_shipped_examples_show_none_of_the_listed_misreadings(detector):
    """The sample shards, as the job redacts them: the words the first models read as PII stay."""
    import json
    from pathlib import Path

    import pyarrow.parquet as pq

    from haremb_batch.evaluation import job_spans

    examples = Path(__file__).resolve().parent.parent / "examples"
    texts = [json.loads(line)["text"] for line in (examples / "shards/support/chats.jsonl").read_text().splitlines()]
    texts += pq.read_table(examples / "shards/hr/records.parquet").column("text").to_pylist()
    words = re.compile(r"\b(?:The tenant|Regards|DEBUG|INFO|TRACE|WARN|ERROR|Portal login|Call)\b")
    seen = set()
    for text, spans in zip(texts, job_spans(detector, texts)):
        for m in words.finditer(text):
            seen.add(m.group())
            hit = [text[d.start : d.end] for d in spans if d.start < m.end() and m.start() < d.end]
            assert not hit, f"{m.group()!r} redacted as part of {hit}"
    assert {"The tenant", "DEBUG"} <= seen  # the examples still hold the contexts the first models misread


@pytest.mark.xfail(strict=True, reason="the model trained with the hand-written sets misses 'Warren' starting a "
                   "sentence, the language 'Arabic' and two invented cities in capitals ('MONICACHESTER'): 4 of the "
                   "sample's 70 spans, 4.9% of its PII characters (the earlier models: within 2%)")
def test_the_labelled_sample_is_covered(detector):
    """examples/eval/heldout_sample.jsonl (ten held-out corpus documents), as the job redacts it."""
    from pathlib import Path

    from haremb_batch.evaluation import evaluate_predictions, job_spans, load_rows

    examples = Path(__file__).resolve().parent.parent / "examples"
    rows = load_rows(str(examples / "eval/heldout_sample.jsonl"))
    metrics = evaluate_predictions(rows, job_spans(detector, [r["text"] for r in rows]))
    assert metrics["leak_rate"] <= 0.02 and metrics["partly_visible"] <= 0.05, metrics

import pytest

from haremb_batch import Span, redact_text
from haremb_batch.redaction import replacement, text_hmac

TEXT = "Call Alice Smith at 555-0100 or alice@example.com. Alice Smith again."
SPANS = [Span(5, 16, "first_name", 0.9), Span(20, 28, "phone_number", 0.8), Span(32, 49, "email", 0.95)]


def test_mask_char_remove():
    assert redact_text(TEXT, SPANS, "mask") == "Call [FIRST_NAME] at [PHONE_NUMBER] or [EMAIL]. Alice Smith again."
    assert redact_text(TEXT, SPANS, "char") == "Call *********** at ******** or *****************. Alice Smith again."
    assert redact_text(TEXT, SPANS, "remove") == "Call  at  or . Alice Smith again."


def test_redaction_follows_offsets_not_strings():
    """The second 'Alice Smith' is not a span; searching by string would hit the first."""
    only_second = [Span(51, 62, "first_name", 0.9)]
    assert redact_text(TEXT, only_second, "mask") == TEXT[:51] + "[FIRST_NAME]" + TEXT[62:]


def test_hash_and_replace_are_keyed_and_consistent():
    a = redact_text(TEXT, SPANS, "hash", key="k1")
    assert a == redact_text(TEXT, SPANS, "hash", key=b"k1")
    assert a != redact_text(TEXT, SPANS, "hash", key="k2")
    assert a.startswith("Call <FIRST_NAME:") and len(a.split("<FIRST_NAME:")[1].split(">")[0]) == 8
    r1 = replacement("Alice Smith", "first_name", "replace", b"k1")
    assert r1 == replacement("Alice Smith", "first_name", "replace", b"k1")
    assert r1 != replacement("Alice Smith", "first_name", "replace", b"k2") or r1 != replacement("Bob Jones", "first_name", "replace", b"k1")
    assert "@" in replacement("alice@example.com", "email", "replace", b"k1")
    assert replacement("AB-1234", "not_a_known_category", "replace", b"k")[2:3] == "-"
    with pytest.raises(ValueError, match="needs a key"):
        redact_text(TEXT, SPANS, "hash")


def test_kept_spans_stay_and_bad_spans_fail():
    kept = [Span(5, 16, "first_name", 0.1, action="kept")]
    assert redact_text(TEXT, kept) == TEXT
    with pytest.raises(ValueError, match="overlaps"):
        redact_text(TEXT, [Span(5, 16, "a", 1), Span(10, 20, "b", 1)])
    with pytest.raises(ValueError, match="outside"):
        redact_text("short", [Span(2, 10, "a", 1)])
    with pytest.raises(ValueError):
        redact_text(TEXT, SPANS, "blackout")


def test_null_and_empty_texts():
    assert redact_text(None, []) is None
    assert redact_text("", []) == ""


def test_text_hmac_is_keyed():
    assert text_hmac("x", b"a") != text_hmac("x", b"b")
    assert len(text_hmac("x", b"a")) == 64

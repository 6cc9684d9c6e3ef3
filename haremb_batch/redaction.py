"""Replace detected spans in a text. Offsets always refer to the input text."""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import hmac
import re
from functools import lru_cache
from typing import Iterable, Protocol


class RedactionMethod(str, enum.Enum):
    MASK = "mask"  # [LABEL]
    CHAR = "char"  # same length of '*'
    REMOVE = "remove"  # nothing
    HASH = "hash"  # <LABEL:hmac8>
    REPLACE = "replace"  # a fake value of the same category, fixed by (key, label, text)


def method_table(method) -> dict[str, RedactionMethod]:
    """`redaction.method` as label -> method, with a "default" entry: one method for all, or a map
    `{label: method, ..., default: method}` (default: mask)."""
    if isinstance(method, dict):
        table = {label: RedactionMethod(m) for label, m in method.items()}
        table.setdefault("default", RedactionMethod.MASK)
        return table
    return {"default": RedactionMethod(method)}


class SpanLike(Protocol):
    start: int
    end: int
    label: str


def text_hmac(text: str, key: bytes) -> str:
    """HMAC-SHA256 hex of a span's text: lets tables be joined on a value without storing it."""
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


KEY_FINGERPRINT_LABEL = b"haremb-batch key fingerprint v1"


def key_fingerprint(key: bytes) -> str:
    """Names a key without revealing it: an HMAC of a fixed label under the key (never a plain hash of it)."""
    return hmac.new(key, KEY_FINGERPRINT_LABEL, hashlib.sha256).hexdigest()


def _label_digest(label: str, text: str, key: bytes) -> bytes:
    return hmac.new(key, f"{label}\x1f{text}".encode("utf-8"), hashlib.sha256).digest()


def replacement(text: str, label: str, method: RedactionMethod | str, key: bytes | None = None) -> str:
    """What replaces `text` (a span of category `label`)."""
    method = RedactionMethod(method)
    if method is RedactionMethod.MASK:
        return f"[{label.upper()}]"
    if method is RedactionMethod.CHAR:
        return "*" * len(text)
    if method is RedactionMethod.REMOVE:
        return ""
    if key is None:
        raise ValueError(f"redaction method {method.value!r} needs a key")
    digest = _label_digest(label, text, key)
    if method is RedactionMethod.HASH:
        return f"<{label.upper()}:{digest.hex()[:8]}>"
    return fake_value(label, text, digest)


def redact_text(text: str | None, spans: Iterable[SpanLike], method: RedactionMethod | str | dict = "mask",
                key: bytes | str | None = None) -> str | None:
    """`text` with each span replaced; spans with action `kept` stay. Spans must not overlap. `method`: one
    method, or a map `{label: method, default: method}`."""
    if text is None:
        return None
    if isinstance(key, str):
        key = key.encode("utf-8")
    table = method_table(method.value if isinstance(method, RedactionMethod) else method)
    pieces, cursor = [], 0
    for span in sorted(spans, key=lambda s: s.start):
        if getattr(span, "action", "redacted") != "redacted":
            continue
        if not 0 <= span.start < span.end <= len(text):
            raise ValueError(f"span [{span.start}, {span.end}) lies outside a text of {len(text)} characters")
        if span.start < cursor:
            raise ValueError(f"span [{span.start}, {span.end}) overlaps the previous span")
        method_for_span = table.get(span.label, table["default"])
        pieces += [text[cursor : span.start], replacement(text[span.start : span.end], span.label, method_for_span, key)]
        cursor = span.end
    pieces.append(text[cursor:])
    return "".join(pieces)


# -- fake values ---------------------------------------------------------------------------------------------

_FAKERS = {
    "account_number": lambda f: f.bban(),
    "age": lambda f: str(f.random_int(18, 90)),
    "api_key": lambda f: "sk_" + f.sha1()[:32],
    "bank_routing_number": lambda f: f.aba(),
    "biometric_identifier": lambda f: "BIO-" + f.bothify("########"),
    "blood_type": lambda f: f.random_element(["A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-"]),
    "certificate_license_number": lambda f: f.bothify("LIC-########"),
    "city": lambda f: f.city(),
    "company_name": lambda f: f.company(),
    "coordinate": lambda f: f"{f.latitude():.5f}, {f.longitude():.5f}",
    "country": lambda f: f.country(),
    "county": lambda f: f.last_name() + " County",
    "credit_debit_card": lambda f: f.credit_card_number(),
    "customer_id": lambda f: f.bothify("CUST-######"),
    "cvv": lambda f: f.credit_card_security_code(),
    "date": lambda f: _fake_date(f, 1990, 2030).isoformat(),
    "date_of_birth": lambda f: _fake_date(f, 1930, 2010).isoformat(),
    "date_time": lambda f: f.date_time_between_dates(dt.datetime(2015, 1, 1), dt.datetime(2030, 1, 1)).isoformat(),
    "device_identifier": lambda f: f.uuid4(),
    "education_level": lambda f: f.random_element(["high school diploma", "bachelor's degree", "master's degree", "PhD"]),
    "email": lambda f: f.email(),
    "employee_id": lambda f: f.bothify("EMP-#####"),
    "employment_status": lambda f: f.random_element(["employed", "unemployed", "self-employed", "retired"]),
    "fax_number": lambda f: f.phone_number(),
    "first_name": lambda f: f.first_name(),
    "gender": lambda f: f.random_element(["female", "male", "non-binary"]),
    "health_plan_beneficiary_number": lambda f: f.bothify("HPB-#########"),
    "http_cookie": lambda f: f"session={f.sha1()[:24]}",
    "ipv4": lambda f: f.ipv4(),
    "ipv6": lambda f: f.ipv6(),
    "language": lambda f: f.language_name(),
    "last_name": lambda f: f.last_name(),
    "license_plate": lambda f: f.license_plate(),
    "mac_address": lambda f: f.mac_address(),
    "medical_record_number": lambda f: f.bothify("MRN-#######"),
    "national_id": lambda f: f.bothify("ID-#########"),
    "occupation": lambda f: f.job(),
    "password": lambda f: f.password(length=12),
    "phone_number": lambda f: f.phone_number(),
    "pin": lambda f: f.bothify("####"),
    "political_view": lambda f: f.random_element(["liberal", "conservative", "centrist", "socialist"]),
    "postcode": lambda f: f.postcode(),
    "race_ethnicity": lambda f: f.random_element(["Hispanic", "Asian", "White", "Black", "Pacific Islander"]),
    "religious_belief": lambda f: f.random_element(["Christian", "Muslim", "Jewish", "Buddhist", "Hindu", "atheist"]),
    "sexuality": lambda f: f.random_element(["heterosexual", "gay", "lesbian", "bisexual"]),
    "ssn": lambda f: f.ssn(),
    "state": lambda f: f.state(),
    "street_address": lambda f: f.street_address(),
    "swift_bic": lambda f: f.swift11(),
    "tax_id": lambda f: f.bothify("##-#######"),
    "time": lambda f: f"{f.random_int(0, 23):02d}:{f.random_int(0, 59):02d}",
    "unique_id": lambda f: f.uuid4(),
    "url": lambda f: f.url(),
    "user_name": lambda f: f.user_name(),
    "vehicle_identifier": lambda f: f.vin(),
    # openai/privacy-filter's eight categories
    "private_person": lambda f: f.name(),
    "private_email": lambda f: f.email(),
    "private_phone": lambda f: f.phone_number(),
    "private_address": lambda f: f.address().replace("\n", ", "),
    "private_date": lambda f: _fake_date(f, 1990, 2030).isoformat(),
    "private_url": lambda f: f.url(),
    "secret": lambda f: f.password(length=16),
}


def _fake_date(fake, first_year: int, last_year: int) -> dt.date:
    """Within fixed years: Faker's own date helpers range up to today, which would move outputs with the clock."""
    return fake.date_between_dates(dt.date(first_year, 1, 1), dt.date(last_year, 12, 31))


@lru_cache(maxsize=1)
def _faker():
    from faker import Faker

    return Faker("en_US")


def fake_value(label: str, text: str, digest: bytes) -> str:
    """A realistic value for the category, seeded by the digest; unknown categories keep the shape of `text`
    (each digit a random digit, each letter a random letter)."""
    fake = _faker()
    fake.seed_instance(int.from_bytes(digest[:8], "big"))
    make = _FAKERS.get(label)
    if make is not None:
        return make(fake)
    shaped = re.sub(r"[A-Za-z]", "?", re.sub(r"\d", "#", text))
    return fake.bothify(shaped)

"""Procedural training documents: fields and sentences built from many key phrasings per category.

Hand-written templates teach a model their exact contexts; these teach it that a value of a given shape near
any of many ways of naming it is PII. Used for training only, so the held-out split (hand-written templates
never trained on) still measures generalisation to unseen documents.
"""

from __future__ import annotations

import random

from faker import Faker

from .values import DISTRACTORS, VALUES

KEYS = {
    "account_number": ["account number", "acct no.", "account #", "bank account", "acct", "IBAN", "checking account"],
    "age": ["age", "aged", "years old", "age (years)", "patient age"],
    "api_key": ["API key", "api_key", "access key", "token", "secret key", "auth token", "client secret"],
    "bank_routing_number": ["routing number", "ABA", "routing #", "RTN", "bank routing"],
    "biometric_identifier": ["fingerprint ID", "biometric ID", "face template", "iris scan", "biometric record"],
    "blood_type": ["blood type", "blood group", "ABO/Rh", "blood"],
    "certificate_license_number": ["license number", "licence no.", "certificate #", "permit number", "license"],
    "city": ["city", "town", "located in", "based in", "hometown"],
    "company_name": ["company", "employer", "organization", "vendor", "client", "firm"],
    "coordinate": ["coordinates", "GPS", "location", "lat/long", "geo"],
    "country": ["country", "nationality", "country of residence", "citizen of"],
    "county": ["county", "district", "county of residence"],
    "credit_debit_card": ["card number", "credit card", "debit card", "card", "Visa", "PAN"],
    "customer_id": ["customer ID", "client ID", "customer number", "cust id", "account holder ID"],
    "cvv": ["CVV", "CVC", "security code", "card code"],
    "date": ["date", "on", "dated", "effective", "due date", "scheduled for"],
    "date_of_birth": ["date of birth", "DOB", "born", "birth date", "birthday"],
    "date_time": ["timestamp", "time of event", "logged at", "received", "created_at"],
    "device_identifier": ["device ID", "serial number", "IMEI", "device", "hardware ID"],
    "education_level": ["education", "highest degree", "qualification", "schooling"],
    "email": ["email", "e-mail", "email address", "mail", "contact email", "reply to"],
    "employee_id": ["employee ID", "staff ID", "employee number", "badge", "personnel no."],
    "employment_status": ["employment status", "status", "employment", "work status"],
    "fax_number": ["fax", "fax number", "fax no.", "facsimile"],
    "first_name": ["first name", "given name", "forename", "name"],
    "gender": ["gender", "sex", "gender identity"],
    "health_plan_beneficiary_number": ["member ID", "health plan ID", "beneficiary number", "insurance ID", "policy member no."],
    "http_cookie": ["cookie", "Set-Cookie", "session cookie", "cookies"],
    "ipv4": ["IP", "IP address", "client IP", "source ip", "remote_addr"],
    "ipv6": ["IPv6", "IPv6 address", "ip6", "client address"],
    "language": ["language", "primary language", "speaks", "preferred language"],
    "last_name": ["last name", "surname", "family name"],
    "license_plate": ["license plate", "plate", "registration", "tag number", "plate no."],
    "mac_address": ["MAC", "MAC address", "hw addr", "ether"],
    "medical_record_number": ["MRN", "medical record number", "chart number", "record #", "patient ID"],
    "national_id": ["national ID", "ID number", "passport number", "identity card", "NIN"],
    "occupation": ["occupation", "job title", "profession", "role", "works as"],
    "password": ["password", "passwd", "pwd", "passcode", "login password"],
    "phone_number": ["phone", "telephone", "mobile", "cell", "tel.", "call", "contact number", "ph"],
    "pin": ["PIN", "pin code", "PIN number", "passcode"],
    "political_view": ["political views", "politics", "party affiliation", "political leaning"],
    "postcode": ["ZIP", "zip code", "postcode", "postal code"],
    "race_ethnicity": ["race", "ethnicity", "ethnic background", "race/ethnicity"],
    "religious_belief": ["religion", "faith", "religious affiliation", "belief"],
    "sexuality": ["sexual orientation", "orientation", "sexuality"],
    "ssn": ["SSN", "social security number", "social security no.", "SS#", "social"],
    "state": ["state", "province", "state of residence"],
    "street_address": ["address", "street address", "mailing address", "lives at", "home address", "ship to"],
    "swift_bic": ["SWIFT", "BIC", "SWIFT code", "bank identifier code"],
    "tax_id": ["tax ID", "TIN", "EIN", "tax number", "taxpayer ID"],
    "time": ["time", "at", "appointment time", "arrival time"],
    "unique_id": ["UUID", "unique ID", "record ID", "reference id", "GUID"],
    "url": ["website", "URL", "link", "profile", "homepage"],
    "user_name": ["username", "user", "login", "handle", "user id", "screen name"],
    "vehicle_identifier": ["VIN", "vehicle ID", "chassis number", "vehicle identification number"],
}

FIELD_FORMATS = ["{key}: {value}", "{key} - {value}", "{key} {value}", "{key}={value}", "{Key}: {value}",
                 "\"{snake}\": \"{value}\"", "{snake}={value}", "{KEY}: {value}", "{key} #{value}", "{Key} {value}"]
SENTENCES = [
    "My {key} is {value}.", "The {key} on file is {value}.", "Please update the {key} to {value}.",
    "{Key} ({value}) was verified {weekday}.", "We have {value} listed as your {key}.",
    "Can you confirm {value} is the right {key}?", "{value} is the {key} we have for you.",
    "Noted the {key} {value} in {ticket}.", "I changed my {key} to {value} yesterday.",
    "According to the form, the {key} is {value}.", "Record shows {key} {value}.",
    "Their {key}, {value}, matched the {word} records.",
]
NAME_LINES = ["Name: {first} {last}", "Dear {first} {last},", "Hi {first},", "Thanks, {first}", "{first} {last} wrote:",
              "signed {first} {last}", "Patient: {last}, {first}", "Customer {first} {last}", "From {first} {last}",
              "{first} {last} ({last_only})", "Mr. {last}", "Ms. {first} {last}", "Contact person: {first}"]


def _key_variants(key: str, category: str) -> dict:
    return {"key": key, "Key": key[:1].upper() + key[1:], "KEY": key.upper(),
            "snake": key.lower().replace(" ", "_").replace(".", "").replace("#", "no").replace("/", "_")}


def record_document(r: random.Random, fake: Faker) -> tuple[str, list[dict], str]:
    """A document of name lines, key/value fields and sentences; returns text, spans and the frame kind."""
    text, spans = "", []
    kind = r.choice(["fields", "sentences", "mixed"])
    joiner = r.choice(["\n", "\n", "; ", " | ", ", ", "  "]) if kind != "sentences" else r.choice([" ", "\n"])

    def add(piece: str, slots: list[tuple[str, str]]) -> None:
        nonlocal text
        if text:
            text += joiner
        base = len(text)
        cursor = 0
        for marker, category in slots:  # markers are unique placeholders already substituted in order
            at = piece.index(marker, cursor)
            value = VALUES[category](r, fake).strip()
            piece = piece[:at] + value + piece[at + len(marker):]
            spans.append({"start": base + at, "end": base + at + len(value), "label": category})
            cursor = at + len(value)
        text += piece

    if r.random() < 0.6:
        line = r.choice(NAME_LINES)
        slots = []
        order = sorted(((line.index(t), t) for t in ("{first}", "{last}", "{last_only}") if t in line))
        marked = line
        for _, t in order:
            marked = marked.replace(t, f"\x00{t[1:-1]}\x00", 1)
            slots.append((f"\x00{t[1:-1]}\x00", "first_name" if t == "{first}" else "last_name"))
        add(marked, slots)
    for _ in range(r.randint(2, 7)):
        category = r.choice(list(KEYS))
        key = r.choice(KEYS[category])
        frame = r.choice(FIELD_FORMATS if kind == "fields" or (kind == "mixed" and r.random() < 0.5) else SENTENCES)
        filled = frame.format(value="\x00v\x00", weekday=DISTRACTORS["weekday"](r, fake), ticket=DISTRACTORS["ticket"](r, fake),
                              word=fake.word(), **_key_variants(key, category))
        add(filled, [("\x00v\x00", category)])
        if r.random() < 0.2:
            add(DISTRACTORS[r.choice(["order_no", "amount", "version", "product", "sentence"])](r, fake), [])
    return text, spans, kind

"""Procedural training documents: fields and sentences built from many key phrasings per category.

Hand-written templates teach a model their exact contexts; these teach it that a value of a given shape near
any of many ways of naming it is PII. Used for training only, so the held-out split (hand-written templates
never trained on) still measures generalisation to unseen documents.
"""

from __future__ import annotations

import random

from faker import Faker

from .slots import render
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
    "company_name": ["company", "employer", "organization", "vendor", "client", "firm", "business", "works for"],
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

# fields whose values are not PII: without them every "key: value" would read as PII
PLAIN_FIELDS = {
    "status": "state_word", "result": "state_word", "priority": "state_word", "verified": "state_word",
    "department": "department", "team": "department", "order": "order_no", "invoice": "order_no", "amount": "amount",
    "total": "amount", "version": "version", "build": "version", "ticket": "ticket", "case": "ticket", "room": "room",
    "product": "product", "plan": "product", "medication": "medication", "diagnosis": "condition", "quantity": "quantity",
    "qty": "quantity", "notes": "sentence", "comment": "sentence", "subject": "headline", "title": "headline",
    "category": "word", "type": "word", "host": "hostname", "port": "port", "duration": "duration", "day": "weekday",
    "status code": "status_code", "path": "path", "vendor rating": "amount",
}

# short phrases mixing several categories and filler: the ways PII sits in running text and compound strings
PHRASES = [
    "Please call {first_name} at {phone_number}.", "Ask {first_name} about {product}.",
    "This is {first_name} {last_name}; I work as a {occupation} for {company_name}.", "{first_name} will be out on {date}.",
    "cc: {first_name} {last_name} <{email}>", "{last_name}, {first_name} - {occupation}", "Attn: {first_name} {last_name}",
    "Thanks {first_name} and {first_name}!", "per {first_name}'s request", "{first_name} {last_name} ({age}) of {city}, {state}",
    "Signed by {first_name} {last_name} on {date}.", "Talked to {first_name} {weekday}; they asked about {ticket}.",
    "{first_name} {last_name} is a {occupation} in {city}.", "Our {department} lead is {first_name} {last_name}.",
    "{city}, {state}", "{city}, {country}", "{city}, {state} {postcode}", "{city} {postcode}, {country}", "in {city}, {country}",
    "from {city}, {country}", "{street_address}, {city}, {state} {postcode}, {country}", "{county}, {state}",
    "based in {city} ({country})", "moved from {country} to {city}",
    "car {license_plate}", "plate {license_plate} (VIN {vehicle_identifier})",
    "{license_plate}, {vehicle_identifier}", "parked {license_plate} in lot {quantity}",
    "user {user_name} from {ipv4}", "ssh {user_name}@{ipv4}", "login {user_name} / {password}",
    "{scheme}://{user_name}:{password}@{hostname}/{word}",
    "{scheme}://{user_name}@{hostname}:{port}", "Authorization: Bearer {api_key}", "curl -u {user_name}:{password} https://{hostname}/",
    "creds {user_name}/{password}", "{user_name} logged in from {ipv4} at {date_time}", "{ipv4} -> {ipv4} ({mac_address})",
    "{date} at {time}", "{date_time} | {department} | {state_word}", "{headline}: {state_word}", "{headline}",
    "{company_name} ({url})", "see {url}",
    "{first_name} {last_name}, {gender}, {age}, {race_ethnicity}", "{blood_type} blood, {age} years, {gender}",
    "staff {employee_id} ({first_name} {last_name})", "patient {last_name}, MRN {medical_record_number}",
]

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


def _key_variants(key: str) -> dict:
    return {"key": key, "Key": key[:1].upper() + key[1:], "KEY": key.upper(),
            "snake": key.lower().replace(" ", "_").replace(".", "").replace("#", "no").replace("/", "_")}


def record_document(r: random.Random, fake: Faker) -> tuple[str, list[dict], str]:
    """A document of name lines, key/value fields (PII and plain), phrases and sentences, or a table."""
    kind = r.choice(["fields", "sentences", "mixed", "mixed", "table"])
    if kind == "table":
        text, spans = _table(r, fake)
        return text, spans, kind
    text, spans = "", []
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

    def add_rendered(template: str) -> None:
        nonlocal text
        if text:
            text += joiner
        piece, piece_spans = render(template, r, fake, {})
        spans.extend({**s, "start": s["start"] + len(text), "end": s["end"] + len(text)} for s in piece_spans)
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
    for _ in range(r.randint(2, 8)):
        roll = r.random()
        if roll < 0.3:
            add_rendered(r.choice(PHRASES))
            continue
        fields = FIELD_FORMATS if kind == "fields" or (kind == "mixed" and r.random() < 0.5) else SENTENCES
        frame = r.choice(fields)
        filler = dict(weekday=DISTRACTORS["weekday"](r, fake), ticket=DISTRACTORS["ticket"](r, fake), word=fake.word())
        if roll < 0.5:  # a plain field: a key whose value is not PII, in the same frames
            key = r.choice(list(PLAIN_FIELDS))
            add(frame.format(value=DISTRACTORS[PLAIN_FIELDS[key]](r, fake), **filler, **_key_variants(key)), [])
            continue
        category = r.choice(list(KEYS))
        key = r.choice(KEYS[category])
        add(frame.format(value="\x00v\x00", **filler, **_key_variants(key)), [("\x00v\x00", category)])
        if r.random() < 0.2:
            add(DISTRACTORS[r.choice(["order_no", "amount", "version", "product", "sentence", "headline"])](r, fake), [])
    return text, spans, kind


def _table(r: random.Random, fake: Faker) -> tuple[str, list[dict]]:
    """A CSV/TSV/pipe table: a header of PII and plain columns, then 1-5 rows."""
    columns = []
    for _ in range(r.randint(2, 7)):
        if r.random() < 0.7:
            category = r.choice(list(KEYS) + ["first_name", "last_name"] * 3)
            columns.append((r.choice([category] + KEYS[category]), category))
        else:
            key = r.choice(list(PLAIN_FIELDS))
            columns.append((key, None))
    sep = r.choice([",", ",", ";", "\t", " | ", "|"])
    case = r.choice([str.lower, str.upper, lambda s: s.replace(" ", "_").lower(), lambda s: s[:1].upper() + s[1:]])
    text = sep.join(case(name) for name, _ in columns) if r.random() < 0.85 else ""
    spans = []
    for _ in range(r.randint(1, 5)):
        if text:
            text += "\n"
        for i, (name, category) in enumerate(columns):
            if i:
                text += sep
            if category is None:
                text += DISTRACTORS[PLAIN_FIELDS[name]](r, fake).replace("\n", " ")
                continue
            value = VALUES[category](r, fake).strip().replace("\n", " ")
            spans.append({"start": len(text), "end": len(text) + len(value), "label": category})
            text += value
    return text, spans

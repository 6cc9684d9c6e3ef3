"""Values for each Nemotron-PII category in varied real-world formats, and look-alike distractors.

Every generator takes a seeded `random.Random` and a seeded Faker, so a corpus is a function of its seed.
"""

from __future__ import annotations

import datetime as dt
import random
import string

from faker import Faker

# Faker's relative ranges ("-30y") move with the clock; fixed anchors keep a corpus a function of its seed
ANCHOR = dt.date(2026, 1, 1)
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]


def _date(r: random.Random, f: Faker, past_years: int = 30) -> str:
    d = f.date_between_dates(ANCHOR - dt.timedelta(days=365 * past_years), ANCHOR + dt.timedelta(days=365))
    style = r.randrange(8)
    return [
        d.isoformat(), d.strftime("%m/%d/%Y"), d.strftime("%d/%m/%Y"), f"{MONTHS[d.month - 1]} {d.day}, {d.year}",
        f"{d.day} {MONTHS[d.month - 1]} {d.year}", d.strftime("%d.%m.%Y"), f"{MONTHS[d.month - 1][:3]} {d.day}, {d.year}",
        d.strftime("%Y/%m/%d"),
    ][style]


def _dob(r: random.Random, f: Faker) -> str:
    d = f.date_between_dates(ANCHOR - dt.timedelta(days=365 * 95), ANCHOR - dt.timedelta(days=365))
    return [d.isoformat(), d.strftime("%m/%d/%Y"), f"{MONTHS[d.month - 1]} {d.day}, {d.year}", d.strftime("%d-%m-%Y"),
            f"{d.day} {MONTHS[d.month - 1][:3]} {d.year}"][r.randrange(5)]


def _time(r: random.Random, f: Faker) -> str:
    h, m, s = r.randrange(24), r.randrange(60), r.randrange(60)
    return [f"{h:02d}:{m:02d}", f"{h:02d}:{m:02d}:{s:02d}", f"{(h % 12) or 12}:{m:02d} {'AM' if h < 12 else 'PM'}",
            f"{(h % 12) or 12}:{m:02d}{'am' if h < 12 else 'pm'}", f"{h:02d}{m:02d} hours"][r.randrange(5)]


def _date_time(r: random.Random, f: Faker) -> str:
    t = f.date_time_between_dates(dt.datetime(2021, 1, 1), dt.datetime(2027, 1, 1))
    return [t.isoformat(), t.strftime("%Y-%m-%d %H:%M:%S"), t.strftime("%m/%d/%Y %I:%M %p"),
            t.strftime("%Y-%m-%dT%H:%M:%SZ"), f"{MONTHS[t.month - 1]} {t.day}, {t.year} at {t:%H:%M}",
            t.strftime("%d/%m/%Y %H:%M")][r.randrange(6)]


def _phone(r: random.Random, f: Faker) -> str:
    a, b, c = r.randrange(201, 990), r.randrange(200, 999), r.randrange(10000)
    return [f"({a}) {b}-{c:04d}", f"{a}-{b}-{c:04d}", f"{a}.{b}.{c:04d}", f"+1 {a} {b} {c:04d}", f"+1-{a}-{b}-{c:04d}",
            f"{a}{b}{c:04d}", f"+44 20 {r.randrange(1000, 9999)} {r.randrange(1000, 9999)}",
            f"+49 {r.randrange(30, 99)} {r.randrange(100000, 9999999)}", f"{a}-{b}-{c:04d} ext. {r.randrange(10, 999)}",
            f.phone_number()][r.randrange(10)]


def _digits(r: random.Random, n: int) -> str:
    return "".join(r.choice(string.digits) for _ in range(n))


def _alnum(r: random.Random, n: int, alphabet: str = string.ascii_uppercase + string.digits) -> str:
    return "".join(r.choice(alphabet) for _ in range(n))


def _card(r: random.Random, f: Faker) -> str:
    number = f.credit_card_number()
    if len(number) == 16 and r.random() < 0.5:
        sep = r.choice([" ", "-"])
        number = sep.join(number[i : i + 4] for i in range(0, 16, 4))
    return number


def _ssn(r: random.Random, f: Faker) -> str:
    a, b, c = r.randrange(100, 899), r.randrange(10, 99), r.randrange(1000, 9999)
    return [f"{a}-{b}-{c}", f"{a} {b} {c}", f"{a}{b}{c}"][r.choices([0, 1, 2], [6, 1, 1])[0]]


def _street(r: random.Random, f: Faker) -> str:
    return [f.street_address(), f"{r.randrange(1, 9999)} {f.street_name()}", f"{f.street_address()}, {f.secondary_address()}",
            f"P.O. Box {r.randrange(10, 99999)}", f"{r.randrange(1, 300)} {f.last_name()} {r.choice(['Rd', 'St.', 'Ave', 'Lane', 'Blvd.', 'Way'])}"][r.randrange(5)]


def _user_name(r: random.Random, f: Faker) -> str:
    first, last = f.first_name().lower(), f.last_name().lower()
    return [f.user_name(), f"{first}.{last}", f"{first[0]}{last}{r.randrange(1, 99)}", f"{first}_{last}",
            f"{last}{r.randrange(1970, 2010)}", f"@{first}{last[:3]}"][r.randrange(6)]


def _password(r: random.Random, f: Faker) -> str:
    words = f.words(2)
    return [f.password(length=r.randrange(8, 20)), f"{words[0].capitalize()}{words[1]}{r.randrange(10, 999)}!",
            _alnum(r, r.randrange(10, 16), string.ascii_letters + string.digits + "!@#$%^&*"),
            f"{words[0]}-{words[1]}-{r.randrange(10, 99)}"][r.randrange(4)]


def _api_key(r: random.Random, f: Faker) -> str:
    return [f"sk_live_{_alnum(r, 24, string.ascii_letters + string.digits)}", f"AKIA{_alnum(r, 16)}",
            f"ghp_{_alnum(r, 36, string.ascii_letters + string.digits)}", f.sha256()[:40],
            f"xoxb-{_digits(r, 11)}-{_digits(r, 12)}-{_alnum(r, 24, string.ascii_letters)}",
            f"AIza{_alnum(r, 35, string.ascii_letters + string.digits + '_-')}"][r.randrange(6)]


def _cookie(r: random.Random, f: Faker) -> str:
    name = r.choice(["sessionid", "JSESSIONID", "_ga", "csrftoken", "auth_token", "PHPSESSID"])
    return f"{name}={_alnum(r, r.randrange(16, 40), string.ascii_letters + string.digits)}"


def _coordinate(r: random.Random, f: Faker) -> str:
    lat, lon = float(f.latitude()), float(f.longitude())
    return [f"{lat:.4f}, {lon:.4f}", f"{lat:.6f},{lon:.6f}", f"({lat:.3f}, {lon:.3f})",
            f"{abs(lat):.4f}° {'N' if lat >= 0 else 'S'}, {abs(lon):.4f}° {'E' if lon >= 0 else 'W'}"][r.randrange(4)]


def _list(options: list[str]):
    return lambda r, f: r.choice(options)


LANGUAGES = ["English", "Spanish", "Mandarin", "French", "German", "Arabic", "Hindi", "Portuguese", "Russian",
             "Japanese", "Korean", "Vietnamese", "Tagalog", "Italian", "Polish", "Urdu"]

VALUES = {
    "account_number": lambda r, f: [_digits(r, r.randrange(8, 13)), f"ACCT-{_digits(r, 8)}", f.bban(),
                                    f"{_digits(r, 4)}-{_digits(r, 4)}-{_digits(r, 4)}", f.iban()][r.randrange(5)],
    "age": lambda r, f: str(r.randrange(1, 99)),
    "api_key": _api_key,
    "bank_routing_number": lambda r, f: [f.aba(), _digits(r, 9)][r.randrange(2)],
    "biometric_identifier": lambda r, f: [f"FP-{_alnum(r, 12)}", f"RS-{_alnum(r, 10)}",
                                          f"BIO{_digits(r, 9)}", f"VP-{_alnum(r, 8)}-{_alnum(r, 4)}"][r.randrange(4)],
    "blood_type": _list(["A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-", "O positive", "A negative", "AB positive"]),
    "certificate_license_number": lambda r, f: [f"{r.choice(['RN', 'MD', 'CPA', 'PE', 'LIC'])}-{_digits(r, 6)}",
                                                f"{_alnum(r, 2, string.ascii_uppercase)}{_digits(r, 7)}",
                                                _digits(r, 8)][r.randrange(3)],
    "city": lambda r, f: f.city(),
    "company_name": lambda r, f: f.company(),
    "coordinate": _coordinate,
    "country": lambda r, f: f.country(),
    "county": lambda r, f: f"{f.last_name()} County",
    "credit_debit_card": _card,
    "customer_id": lambda r, f: [f"CUST-{_digits(r, 6)}", f"C{_digits(r, 8)}", f"{_alnum(r, 3)}-{_digits(r, 5)}",
                                 f"cust_{_alnum(r, 10, string.ascii_lowercase + string.digits)}"][r.randrange(4)],
    "cvv": lambda r, f: _digits(r, r.choice([3, 3, 3, 4])),
    "date": _date,
    "date_of_birth": _dob,
    "date_time": _date_time,
    "device_identifier": lambda r, f: [f.uuid4().upper(), f"IMEI-{_digits(r, 15)}", f"SN-{_alnum(r, 12)}",
                                       _digits(r, 15)][r.randrange(4)],
    "education_level": _list(["high school diploma", "Bachelor of Science", "bachelor's degree", "Master's degree",
                              "PhD", "MBA", "associate degree", "GED", "doctorate", "some college"]),
    "email": lambda r, f: [f.email(), f.company_email(), f"{f.first_name().lower()}.{f.last_name().lower()}@{f.free_email_domain()}",
                           f"{f.user_name()}{r.randrange(1, 99)}@{f.domain_name()}"][r.randrange(4)],
    "employee_id": lambda r, f: [f"EMP-{_digits(r, 5)}", f"E{_digits(r, 6)}", f"{_alnum(r, 2, string.ascii_uppercase)}{_digits(r, 5)}",
                                 f"staff #{_digits(r, 4)}"][r.randrange(4)],
    "employment_status": _list(["full-time", "part-time", "unemployed", "self-employed", "retired", "on leave",
                                "contractor", "employed", "terminated", "furloughed"]),
    "fax_number": _phone,
    "first_name": lambda r, f: f.first_name(),
    "gender": _list(["female", "male", "Female", "Male", "non-binary", "woman", "man", "F", "M"]),
    "health_plan_beneficiary_number": lambda r, f: [f"HPB-{_digits(r, 9)}", f"{_alnum(r, 3, string.ascii_uppercase)}{_digits(r, 9)}",
                                                    f"MBI-{_alnum(r, 11)}"][r.randrange(3)],
    "http_cookie": _cookie,
    "ipv4": lambda r, f: [f.ipv4_public(), f.ipv4_private()][r.randrange(2)],
    "ipv6": lambda r, f: f.ipv6(),
    "language": _list(LANGUAGES),
    "last_name": lambda r, f: f.last_name(),
    "license_plate": lambda r, f: [f.license_plate(), f"{_alnum(r, 3, string.ascii_uppercase)}-{_digits(r, 4)}",
                                   f"{_digits(r, 1)}{_alnum(r, 3, string.ascii_uppercase)}{_digits(r, 3)}"][r.randrange(3)],
    "mac_address": lambda r, f: [f.mac_address(), f.mac_address().upper().replace(":", "-")][r.randrange(2)],
    "medical_record_number": lambda r, f: [_digits(r, 8), f"MRN-{_digits(r, 7)}", _digits(r, 10),
                                           f"{_alnum(r, 2, string.ascii_uppercase)}{_digits(r, 8)}"][r.randrange(4)],
    "national_id": lambda r, f: [f"{_alnum(r, 2, string.ascii_uppercase)}{_digits(r, 6)}{r.choice('ABCD')}",
                                 f"{_digits(r, 3)}.{_digits(r, 3)}.{_digits(r, 3)}-{_digits(r, 2)}",
                                 f"X{_digits(r, 7)}{r.choice(string.ascii_uppercase)}", _digits(r, 11)][r.randrange(4)],
    "occupation": lambda r, f: f.job(),
    "password": _password,
    "phone_number": _phone,
    "pin": lambda r, f: _digits(r, r.choice([4, 4, 6])),
    "political_view": _list(["liberal", "conservative", "progressive", "libertarian", "moderate", "socialist",
                             "Democrat", "Republican", "centrist"]),
    "postcode": lambda r, f: [f.postcode(), f"{f.postcode()}-{_digits(r, 4)}",
                              f"{_alnum(r, 2, string.ascii_uppercase)}{r.randrange(1, 20)} {r.randrange(1, 9)}{_alnum(r, 2, string.ascii_uppercase)}"][r.randrange(3)],
    "race_ethnicity": _list(["Hispanic", "Latino", "Asian American", "African American", "White", "Caucasian",
                             "Black", "Native American", "Pacific Islander", "Middle Eastern"]),
    "religious_belief": _list(["Catholic", "Muslim", "Jewish", "Buddhist", "Hindu", "atheist", "Protestant",
                               "Christian", "Sikh", "agnostic", "Orthodox Christian"]),
    "sexuality": _list(["heterosexual", "gay", "lesbian", "bisexual", "straight", "asexual", "queer", "pansexual"]),
    "ssn": _ssn,
    "state": lambda r, f: [f.state(), f.state_abbr()][r.randrange(2)],
    "street_address": _street,
    "swift_bic": lambda r, f: [f.swift8(), f.swift11()][r.randrange(2)],
    "tax_id": lambda r, f: [f"{_digits(r, 2)}-{_digits(r, 7)}", _digits(r, 9),
                            f"9{_digits(r, 2)}-{_digits(r, 2)}-{_digits(r, 4)}"][r.randrange(3)],
    "time": _time,
    "unique_id": lambda r, f: [f.uuid4(), f"{_alnum(r, 8, '0123456789abcdef')}-{_alnum(r, 4, '0123456789abcdef')}",
                               f"UID{_digits(r, 10)}"][r.randrange(3)],
    "url": lambda r, f: [f.url(), f"{f.url()}{f.uri_path()}", f"https://{f.domain_name()}/{f.user_name()}",
                         f"www.{f.domain_name()}", f"https://linkedin.com/in/{f.user_name()}"][r.randrange(5)],
    "user_name": _user_name,
    "vehicle_identifier": lambda r, f: f.vin(),
}

# look-alikes that are not PII: they teach the model what to leave alone
DISTRACTORS = {
    "order_no": lambda r, f: [f"#{_digits(r, 6)}", f"ORD-{_digits(r, 7)}", f"PO {_digits(r, 5)}", f"INV-{_digits(r, 4)}-{_digits(r, 3)}"][r.randrange(4)],
    "version": lambda r, f: [f"v{r.randrange(0, 9)}.{r.randrange(0, 30)}.{r.randrange(0, 99)}", f"{r.randrange(1, 20)}.{r.randrange(0, 9)}",
                             f"build {_digits(r, 4)}", f"release {r.randrange(2015, 2030)}.{r.randrange(1, 12)}"][r.randrange(4)],
    "amount": lambda r, f: [f"${r.randrange(1, 99999):,}.{r.randrange(100):02d}", f"{r.randrange(1, 5000)} EUR",
                            f"USD {r.randrange(10, 90000):,}", f"{r.randrange(1, 100)}%"][r.randrange(4)],
    "quantity": lambda r, f: str(r.randrange(1, 500)),
    "product": _list(["Model X200 router", "the Pro plan", "ThinkBook 14", "Standard support", "Premium tier",
                      "SKU 4411-B", "Galaxy Tab S9", "the annual subscription", "part no. 7731-22"]),
    "public_company": _list(["Microsoft", "Apple", "Amazon", "Google", "Toyota", "Walmart", "Siemens", "Nestle",
                             "the Federal Reserve", "NASA", "the World Health Organization"]),
    "weekday": _list(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "next week", "tomorrow", "today"]),
    "status_code": lambda r, f: r.choice(["200", "201", "204", "301", "400", "401", "403", "404", "500", "503"]),
    "duration": lambda r, f: f"{r.randrange(1, 999)}ms",
    "port": lambda r, f: str(r.choice([80, 443, 5432, 6379, 8080, 8443, 9000, 27017])),
    "path": lambda r, f: f.uri_path(),
    "ticket": lambda r, f: f"{r.choice(['JIRA', 'OPS', 'SUP', 'INC'])}-{r.randrange(100, 99999)}",
    "room": lambda r, f: f"Room {r.randrange(100, 999)}",
    "medication": _list(["metformin 500 mg", "lisinopril 10 mg", "atorvastatin", "ibuprofen", "amoxicillin 250 mg",
                         "albuterol inhaler", "sertraline 50 mg"]),
    "condition": _list(["type 2 diabetes", "hypertension", "seasonal allergies", "a sprained ankle", "migraine",
                        "asthma", "a mild concussion"]),
    "word": lambda r, f: f.word(),
    "scheme": _list(["postgres", "postgresql", "mysql", "redis", "mongodb", "amqp", "https", "ftp", "sftp", "smtp"]),
    "hostname": lambda r, f: r.choice([f"db.{f.domain_word()}.internal", "localhost", f"{f.domain_word()}-prod.{f.domain_name()}",
                                       "cache.local", f"api.{f.domain_name()}"]),
    "headline": lambda r, f: [f.catch_phrase(), f.bs().title(), f.word().upper(), " ".join(f.words(r.randrange(1, 4))).title(),
                              f"{f.word().capitalize()} {r.choice(['Summary', 'Review', 'Report', 'Update', 'Notes', 'Details'])}"][r.randrange(5)],
    "department": _list(["Finance", "Sales", "Engineering", "Human Resources", "Legal", "Marketing", "Operations",
                         "Customer Success", "Procurement", "IT", "Radiology", "Billing"]),
    "state_word": _list(["approved", "pending", "closed", "open", "In Progress", "Resolved", "Active", "Verified", "Passed",
                         "Failed", "OK", "Declined", "shipped", "on hold", "N/A", "yes", "no", "High", "Low", "Medium", "P2"]),
    "sentence": lambda r, f: f.sentence(),
}

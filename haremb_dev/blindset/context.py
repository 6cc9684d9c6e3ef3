"""One document's cast of values: people, an address, a company, numbers and dates, as template slots.

A slot is a list of pieces `(text, label)`; label None marks filler text that is not PII (a space, a title,
a product). Compound slots such as a full name or an address block are several pieces, so the renderer records
each labelled part's offsets as it concatenates, and never has to search the text for a value afterwards.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from haremb_dev.blindset.values import (
    COUNTRIES,
    DISHES,
    EN_TITLES,
    FREE_MAIL,
    LOCALES,
    MONTHS_DE,
    MONTHS_EN,
    MONTHS_ES,
    MONTHS_FR,
    OCCUPATIONS,
    PRODUCTS,
    REFERENCE_YEAR,
    US_STATES,
    Locale,
    article,
    fill,
    slug,
)

Piece = tuple[str, str | None]
Slots = dict[str, list[Piece]]


@dataclass(frozen=True)
class Person:
    first: str
    last: str
    female: bool
    locale: Locale


@dataclass(frozen=True)
class Address:
    street: str
    city: str
    postcode: str
    state: str
    country: str  # country code, a key of COUNTRIES
    order: str    # the locale's address layout


def surname(rng: random.Random, loc: Locale, female: bool) -> str:
    forms = rng.choice(loc.surnames).split("|")
    return forms[-1] if female else forms[0]


def make_person(rng: random.Random, loc: Locale | None = None) -> Person:
    loc = loc or rng.choice(LOCALES)
    female = rng.random() < 0.5
    # Some people carry a given name from another culture than their surname: real address books are mixed
    given_from = rng.choice(LOCALES) if rng.random() < 0.12 else loc
    first = rng.choice(given_from.female if female else given_from.male)
    last = surname(rng, loc, female)
    if loc.key == "es" and rng.random() < 0.4:
        second = surname(rng, loc, female)
        if second != last:
            last = f"{last} {second}"  # Spanish double surname: one last_name span
    return Person(first, last, female, loc)


def name_pieces(rng: random.Random, p: Person) -> list[Piece]:
    """First and last name as separate spans; family-first locales often write the surname first."""
    if p.locale.family_first and rng.random() < 0.5:
        return [(p.last, "last_name"), (" ", None), (p.first, "first_name")]
    return [(p.first, "first_name"), (" ", None), (p.last, "last_name")]


def title_for(rng: random.Random, p: Person) -> str:
    if rng.random() < 0.15:
        return "Dr."
    titles = p.locale.titles if rng.random() < 0.3 else EN_TITLES
    return titles[0] if p.female else titles[1]


def make_address(rng: random.Random, loc: Locale) -> Address:
    city, postcode, state, country = rng.choice(loc.cities)
    street = rng.choice(loc.street_formats).format(
        s=rng.choice(loc.streets), n=rng.randint(1, 199), a=rng.choice("abc"), A=rng.choice("ABCD"),
        d=rng.randint(1, 40), f=rng.randint(1, 9), m=rng.randint(2, 30), r=rng.choice(("I", "II", "III", "hs")),
        t=rng.randint(100, 950),
    )
    return Address(street, city, fill(rng, postcode), state, country, loc.address_order)


def country_name(rng: random.Random, code: str) -> str:
    names = COUNTRIES[code].names
    return names[0] if rng.random() < 0.7 else rng.choice(names)


def address_lines(rng: random.Random, a: Address, with_country: bool) -> list[list[Piece]]:
    """The address as lines in its country's layout; street, city, postcode, state and country are own spans."""
    street: list[Piece] = [(a.street, "street_address")]
    city: Piece = (a.city, "city")
    postcode: Piece = (a.postcode, "postcode")
    if a.order == "pc_city":
        lines = [street, [postcode, (" ", None), city]]
    elif a.order == "gb":
        lines = [street, [city], [postcode]]
    elif a.order == "city_state_pc":
        state = a.state if a.country == "US" and rng.random() < 0.8 else US_STATES.get(a.state, a.state)
        lines = [street, [city, (", ", None), (state, "state"), (" ", None), postcode]]
    else:  # city_pc
        lines = [street, [city, (" ", None), postcode]]
    if with_country:
        lines.append([(country_name(rng, a.country), "country")])
    return lines


def joined(lines: list[list[Piece]], sep: str) -> list[Piece]:
    out: list[Piece] = []
    for i, line in enumerate(lines):
        if i:
            out.append((sep, None))
        out.extend(line)
    return out


def make_company(rng: random.Random, loc: Locale) -> tuple[str, str]:
    """An invented company name with a legal suffix of its country, and a web domain derived from it."""
    stem = rng.choice(loc.company_stems).format(L=surname(rng, loc, False), L2=surname(rng, loc, False))
    country = COUNTRIES[rng.choice(loc.cities)[3]]
    return f"{stem} {rng.choice(country.suffixes)}", f"{slug(stem, '-')}.{country.tld}"


def make_email(rng: random.Random, p: Person, domain: str) -> str:
    f, l = slug(p.first), slug(p.last)
    local = rng.choice((f"{f}.{l}", f"{f[0]}.{l}", f"{f}{l[0]}", f"{l}.{f}{rng.randint(10, 99)}", f"{f}_{l}",
                        f"{f}{rng.randint(1960, 2005)}", f"{l}{f[0]}"))
    return f"{local}@{domain}"


def make_user(rng: random.Random, p: Person) -> str:
    f, l = slug(p.first), slug(p.last)
    user = rng.choice((f"{f}{l[0]}{rng.randint(1, 99)}", f"{f}_{l}", f"{l}{rng.randint(70, 99)}", f"{f[:4]}{l[:3]}",
                       f"the_real_{f}", f"{f}.{l}", f"{f[:1]}{l}_{rng.randint(1, 9)}"))
    return user.capitalize() if rng.random() < 0.15 else user


def make_phone(rng: random.Random, country: str, business: bool = False) -> str:
    number = fill(rng, rng.choice(COUNTRIES[country].phones))
    if business and "ext" not in number and rng.random() < 0.3:
        number += rng.choice((" ext. ", " x", "-")) + fill(rng, "##")
    return number


def make_account(rng: random.Random, country: str) -> str:
    number = fill(rng, COUNTRIES[country].iban)
    if number[:2].isalpha() and rng.random() < 0.3:
        number = number.replace(" ", "")  # IBANs are often pasted without grouping
    return number


def make_date(rng: random.Random, first_year: int = 2019, last_year: int = 2026, year: bool = False) -> str:
    """A date in one of many written forms; `year` excludes the forms without a year (dates of birth)."""
    y, m, d = rng.randint(first_year, last_year), rng.randint(1, 12), rng.randint(1, 28)
    mon = MONTHS_EN[m - 1]
    yearless = (f"{ordinal(d)} of {mon}", f"{mon[:3]} {d}")
    return rng.choice((
        f"{y}-{m:02d}-{d:02d}", f"{d:02d}/{m:02d}/{y}", f"{m}/{d}/{y}", f"{d:02d}.{m:02d}.{y}", f"{d} {mon} {y}",
        f"{mon} {d}, {y}", f"{d} {mon[:3]} {y}", f"{mon[:3]} {d}, {y}", f"{d}. {MONTHS_DE[m - 1]} {y}",
        f"{d} {MONTHS_FR[m - 1]} {y}", f"{d} de {MONTHS_ES[m - 1]} de {y}",
    ) + (() if year else yearless))


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def make_time(rng: random.Random) -> str:
    h, mi = rng.randint(0, 23), rng.choice((0, 5, 10, 15, 20, 30, 45, 50))
    h12, ampm = (h % 12 or 12), ("am" if h < 12 else "pm")
    return rng.choice((f"{h:02d}:{mi:02d}", f"{h}:{mi:02d}", f"{h12}:{mi:02d} {ampm}", f"{h12}{ampm}",
                       f"{h12}.{mi:02d} {ampm.upper()}", f"{h}h{mi:02d}"))


def make_datetime(rng: random.Random) -> str:
    y, m, d = rng.randint(2020, 2026), rng.randint(1, 12), rng.randint(1, 28)
    h, mi = rng.randint(6, 22), rng.randint(0, 59)
    return rng.choice((f"{y}-{m:02d}-{d:02d} {h:02d}:{mi:02d}", f"{y}-{m:02d}-{d:02d}T{h:02d}:{mi:02d}:00",
                       f"{d:02d}/{m:02d}/{y} {h:02d}:{mi:02d}", f"{d} {MONTHS_EN[m - 1][:3]} {y}, {h:02d}:{mi:02d}",
                       f"{MONTHS_EN[m - 1]} {d}, {y} {h % 12 or 12}:{mi:02d} {'AM' if h < 12 else 'PM'}"))


def make_url(rng: random.Random, p: Person, user: str, country: str) -> str:
    f, l = slug(p.first), slug(p.last)
    return rng.choice((f"https://www.linkedin.com/in/{f}-{l}-{rng.randint(1000, 9999)}", f"linkedin.com/in/{f}{l}",
                       f"https://github.com/{user}", f"www.{f}{l}.{COUNTRIES[country].tld}",
                       f"https://{f}-{l}.com/portfolio", f"instagram.com/{user}"))


def one(text: str, label: str | None) -> list[Piece]:
    return [(text, label)]


def make_slots(rng: random.Random) -> Slots:
    """Every slot a template may name, built from one coherent cast (the main person lives at the address)."""
    p, q, s = make_person(rng), make_person(rng), make_person(rng)
    home, other = make_address(rng, p.locale), make_address(rng, q.locale)
    company, domain = make_company(rng, p.locale if rng.random() < 0.6 else rng.choice(LOCALES))
    mail_domain = rng.choice((domain,) + COUNTRIES[home.country].mail_domains + FREE_MAIL)
    user, user2 = make_user(rng, p), make_user(rng, q)
    dob_year = rng.randint(1941, 2006)
    dob = make_date(rng, dob_year, dob_year, year=True)
    job = rng.choice(OCCUPATIONS)
    lines = address_lines(rng, home, with_country=rng.random() < 0.4)
    state = home.state if home.country == "US" and rng.random() < 0.5 else US_STATES.get(home.state, home.state)
    city_region = one(home.city, "city") + ([(", ", None), (state, "state")] if state else [])
    name = name_pieces(rng, p)
    return {
        "first": one(p.first, "first_name"), "last": one(p.last, "last_name"), "name": name,
        "name_caps": [(text.upper(), label) for text, label in name], "title": one(title_for(rng, p), None),
        "first2": one(q.first, "first_name"), "last2": one(q.last, "last_name"), "name2": name_pieces(rng, q),
        "title2": one(title_for(rng, q), None),
        "staff": one(s.first, "first_name"), "staff_last": one(s.last, "last_name"),
        "email": one(make_email(rng, p, mail_domain), "email"),
        "email2": one(make_email(rng, q, rng.choice(COUNTRIES[other.country].mail_domains + FREE_MAIL)), "email"),
        "phone": one(make_phone(rng, home.country), "phone_number"),
        "phone2": one(make_phone(rng, other.country, business=True), "phone_number"),
        "street": one(home.street, "street_address"), "city": one(home.city, "city"),
        "postcode": one(home.postcode, "postcode"), "city_region": city_region,
        "country": one(country_name(rng, home.country), "country"),
        "addr_inline": joined(lines, ", "), "addr_block": joined(lines, "\n"),
        "city2": one(other.city, "city"), "country2": one(country_name(rng, other.country), "country"),
        "company": one(company, "company_name"),
        "company_url": one(rng.choice((f"https://www.{domain}", f"www.{domain}", f"{domain}/contact")), "url"),
        "url": one(make_url(rng, p, user, home.country), "url"),
        "url_track": one(f"https://track.{domain}/p/{fill(rng, 'XX#######')}", "url"),
        "user": one(user, "user_name"), "user2": one(user2, "user_name"),
        "date": one(make_date(rng), "date"), "date2": one(make_date(rng), "date"),
        "datetime": one(make_datetime(rng), "date_time"),
        "time": one(make_time(rng), "time"), "time2": one(make_time(rng), "time"),
        "dob": one(dob, "date_of_birth"), "age": one(str(REFERENCE_YEAR - dob_year), "age"),
        "iban": one(make_account(rng, home.country), "account_number"),
        "job": one(job, "occupation"), "a_job": [(article(job) + " ", None), (job, "occupation")],
        "job2": one(rng.choice(OCCUPATIONS), "occupation"),
        "product": one(rng.choice(PRODUCTS), None), "dish": one(rng.choice(DISHES), None),
        "order": one(rng.choice(("#", "No. ", "")) + fill(rng, rng.choice(("######", "XX-######", "#####-X"))), None),
    }

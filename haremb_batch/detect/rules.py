"""Validated rule detectors: for each category, a compiled regex that finds candidates and a validator that
keeps only the real ones (checksums, issuer tables, address parsers from well-kept libraries). Six rules are
weaker than the model (WEAK_RULES: they only add a span where the model found nothing): `given_name`,
`city_name` and `country_name`, lists (names.py), `date`, a day with a month name checked against the calendar,
`time`, a time of day, and `age`, a number written as an age. `occupation` finds job titles by their head words and the words around them
(occupations.py), `company` company names by their legal form (companies.py).

Rules never guess a category the checkpoint does not have: each rule maps to the first of its preferred
categories (RULE_CATEGORIES) that the model knows, and is disabled, with a reason, when it knows none.

Performance: every document of the job passes through `RuleSet.find`, so regexes are compiled once at import,
each rule is skipped when a cheap substring test shows it cannot match, quantifiers are bounded or possessive
(no catastrophic backtracking), and phonenumbers (pure Python, the slowest step) only sees texts holding at
least 7 digits.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import calendar
import ipaddress
import itertools
import json
import re
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator
from urllib.parse import urlsplit

import phonenumbers
from stdnum import iban as stdnum_iban
from stdnum import luhn

from .companies import find_companies
from .names import city_names, country_names, find_city_names, find_country_lines, find_given_names, given_names
from .occupations import find_occupations, job_words
from .plausible import everyday_words, in_a_subtitle_cue

RULE_NAMES: tuple[str, ...] = (
    "email", "url", "ipv4", "ipv6", "mac_address", "credit_card", "iban", "ssn", "phone_number", "api_key",
    "date", "time", "age", "given_name", "city_name", "country_name", "occupation", "company",
)
# the model's spans win where they overlap (Policy.decide)
WEAK_RULES = frozenset({"date", "time", "age", "given_name", "city_name", "country_name"})

# rule name -> the checkpoint categories it may map to, in order of preference; the first one the checkpoint has wins
RULE_CATEGORIES: dict[str, tuple[str, ...]] = {
    "email": ("email", "private_email"),
    "url": ("url", "private_url"),
    "ipv4": ("ipv4",),
    "ipv6": ("ipv6",),
    "mac_address": ("mac_address", "device_identifier"),
    "credit_card": ("credit_debit_card", "account_number"),
    "iban": ("account_number",),
    "ssn": ("ssn", "national_id"),
    "phone_number": ("phone_number", "private_phone"),
    "api_key": ("api_key", "secret", "password"),
    "date": ("date", "private_date"),
    "time": ("time",),
    "age": ("age",),
    "given_name": ("first_name", "private_person"),
    "city_name": ("city",),
    "country_name": ("country",),
    "occupation": ("occupation",),
    "company": ("company_name",),
}


class RuleError(ValueError):
    """A rule name or rule option is wrong; the message names the bad value."""


@dataclass(frozen=True)
class RuleSpan:
    start: int  # Python str (code point) offsets into the text, end exclusive
    end: int
    label: str  # the checkpoint's category name
    rule: str  # one of RULE_NAMES
    score: float = 1.0


Offsets = tuple[int, int]

# -- email ------------------------------------------------------------------------------------------------------

# The local part starts where no local-part character precedes it, so a match never drops leading letters; the
# TLD may not be followed by a word character or by ".word", so "a@b.com." ends before the final dot.
_EMAIL_RE = re.compile(
    r"(?<![\w.%+\-])"
    r"[\w%+\-](?:[\w.%+\-]{0,62}[\w%+\-])?"
    r"@"
    r"(?:[^\W_](?:[\w\-]{0,61}[^\W_])?\.){1,8}"
    r"[^\W\d_]{2,63}"
    r"(?![\w\-]|\.[^\W_])"
)


def _is_email(candidate: str) -> bool:
    local, _, domain = candidate.rpartition("@")
    if len(local) > 64 or len(candidate) > 254 or ".." in local:
        return False
    _, dot, tld = domain.rpartition(".")
    return bool(dot) and len(tld) >= 2 and tld.isalpha()


def _find_emails(text: str) -> Iterator[Offsets]:
    if "@" not in text:
        return
    for match in _EMAIL_RE.finditer(text):
        if _is_email(match.group()):
            yield match.span()


# -- url --------------------------------------------------------------------------------------------------------

# The body runs (possessively: nothing to backtrack) to whitespace or a character never found raw in a URL;
# trailing punctuation is trimmed afterwards, where balance of brackets and quotes can be counted.
_URL_RE = re.compile(r"(?<![\w.@\-])(?:(?i:https?://)|(?i:www\.))[^\s<>\"`{}|\\^“”‘’«»]++")
_URL_MARKERS = ("://", "www.", "WWW.", "Www.")
_URL_TRAILING_PUNCTUATION = frozenset(".,;:!?")
_URL_CLOSERS = {")": "(", "]": "["}
_HOSTNAME_RE = re.compile(r"(?:[^\W_](?:[\w\-]{0,61}[^\W_])?\.){1,16}(?:[^\W\d_]{2,63}|xn--[a-z0-9\-]{2,59})\.?")


def _url_length(candidate: str) -> int:
    """The candidate's length without trailing sentence punctuation, unbalanced closers or an unpaired quote."""
    end = len(candidate)
    while end:
        last = candidate[end - 1]
        if last in _URL_TRAILING_PUNCTUATION:
            end -= 1
        elif last in _URL_CLOSERS and candidate.count(last, 0, end) > candidate.count(_URL_CLOSERS[last], 0, end):
            end -= 1
        elif last == "'" and candidate.count("'", 0, end) % 2 == 1:
            end -= 1
        else:
            break
    return end


def _is_url_host(host: str) -> bool:
    if host == "localhost" or _HOSTNAME_RE.fullmatch(host):
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _is_url(url: str) -> bool:
    has_scheme = "://" in url[:8]
    try:
        host = urlsplit(url if has_scheme else "http://" + url).hostname
    except ValueError:  # a malformed [ipv6] netloc
        return False
    if not has_scheme and host is not None and host.count(".") < 2:
        return False  # "www.foo" is a word, "www.foo.com" a site
    return bool(host) and _is_url_host(host)


def _find_urls(text: str) -> Iterator[Offsets]:
    if not any(marker in text for marker in _URL_MARKERS):
        return
    for match in _URL_RE.finditer(text):
        end = match.start() + _url_length(match.group())
        if _is_url(text[match.start() : end]):
            yield match.start(), end


# -- ipv4 / ipv6 ------------------------------------------------------------------------------------------------

# Not a piece of a longer dotted number or version string: no word character or dot before, no word character
# or ".digit" after; nor a product version ("Firefox/1.9.0.20", user agents' "rv:1.9.0.20").
# [0-9], not \d: ipaddress only takes ASCII digits anyway.
_IPV4_RE = re.compile(r"(?<![\w.])(?<!\w/)(?<!rv:)(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?!\w|\.[0-9])")

# Hex groups joined by 2 to 8 colons, optionally ending in a dotted quad (::ffff:192.0.2.1). The group run is
# atomic: a run longer than an address fails at once instead of being retried shorter.
_IPV6_RE = re.compile(
    r"(?<![\w:.])"
    r"(?>[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,8})"
    r"(?:(?:\.[0-9]{1,3}){3})?"
    r"(?![\w:]|\.[0-9])"
)
_DECIMAL_DIGIT_RE = re.compile(r"[0-9]")


def _is_ipv4(candidate: str) -> bool:
    try:
        ipaddress.IPv4Address(candidate)  # rejects octets > 255 and leading zeros
    except ValueError:
        return False
    return True


def _is_ipv6(candidate: str) -> bool:
    # The pattern already asks for 2+ colons. A decimal digit is required too: scope operators in code
    # ("A::B", "add::fe") parse as IPv6 but are not addresses.
    if not _DECIMAL_DIGIT_RE.search(candidate):
        return False
    try:
        ipaddress.IPv6Address(candidate)
    except ValueError:
        return False
    return True


def _find_ipv4(text: str) -> Iterator[Offsets]:
    if "." not in text:
        return
    for match in _IPV4_RE.finditer(text):
        if _is_ipv4(match.group()):
            yield match.span()


def _find_ipv6(text: str) -> Iterator[Offsets]:
    if "::" not in text and text.count(":") < 6:  # any IPv6 text form has "::" or 6+ colons (x:x:x:x:x:x:d.d.d.d)
        return
    for match in _IPV6_RE.finditer(text):
        if _is_ipv6(match.group()):
            yield match.span()


# -- mac address ------------------------------------------------------------------------------------------------

# Not the tail of a longer hex run: no word character before, and no "hh:" before unless that pair is itself
# glued to a word ("MAC:00:1A:..." is fine, "00:00:1A:2B:3C:4D:5E" is not a MAC).
_MAC_RE = re.compile(
    r"(?<!\w)(?<!(?<!\w)[0-9A-Fa-f]{2}[:\-])"
    r"(?:[0-9A-Fa-f]{2}[:\-]){5}[0-9A-Fa-f]{2}(?!\w|[:\-][0-9A-Fa-f])"
    r"|"
    r"(?<![\w.])[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}(?!\w|\.[0-9A-Fa-f])"
)


def _is_mac(candidate: str) -> bool:
    if "." in candidate:
        return True  # Cisco dotted: the pattern already fixes its shape
    return len(set(candidate[2::3])) == 1  # one separator throughout: "00:1A-2B:..." is not a MAC


def _find_macs(text: str) -> Iterator[Offsets]:
    for match in _MAC_RE.finditer(text):
        if _is_mac(match.group()):
            yield match.span()


# -- shared: valid windows of a grouped number -----------------------------------------------------------------


def _group_bounds(candidate: str, separators: str) -> list[Offsets]:
    """(start, end) of each group of a candidate whose groups are joined by single separator characters."""
    bounds, start = [], 0
    for i, ch in enumerate(candidate):
        if ch in separators:
            bounds.append((start, i))
            start = i + 1
    bounds.append((start, len(candidate)))
    return bounds


@dataclass(frozen=True)
class _GroupedNumber:
    """How a number written in groups is cut out of a longer run of groups."""

    separators: str  # the characters between groups
    min_chars: int  # shortest and longest valid number, separators included
    max_chars: int
    can_start: Callable[[str], bool]  # a group a number may begin with
    can_hold: Callable[[str], bool]  # a group a number may contain
    is_valid: Callable[[str], bool]  # the whole number, separators included


def _valid_windows(candidate: str, number: _GroupedNumber) -> Iterator[Offsets]:
    """Non-overlapping runs of whole groups that `number.is_valid` accepts, longest first from each group on.

    A grouped number may run on into unrelated groups ("4111 1111 1111 1111 12 items", two cards in a row);
    trying runs of whole groups keeps each number without ever cutting a group. Runs are bounded in length and
    stop at a group no number holds, so a long table of numbers costs linear time.
    """
    bounds = _group_bounds(candidate, number.separators)
    first = 0
    while first < len(bounds):
        start = bounds[first][0]
        ends = []
        for group_start, group_end in bounds[first : first + number.max_chars]:  # a group holds >= 1 character
            if group_end - start > number.max_chars or not number.can_hold(candidate[group_start:group_end]):
                break
            if group_end - start >= number.min_chars:
                ends.append(group_end)
        can_start = number.can_start(candidate[start : bounds[first][1]])
        end = next((e for e in reversed(ends) if number.is_valid(candidate[start:e])), None) if can_start else None
        if end is None:
            first += 1
        else:
            yield start, end
            while first < len(bounds) and bounds[first][0] < end:
                first += 1


# -- credit card ------------------------------------------------------------------------------------------------

# 13+ digits, single space or dash between any two; not inside a longer digit run or a decimal number.
_CARD_RE = re.compile(r"(?<![\w.,+\-])(?<![0-9][ \-])(?>[0-9](?:[ \-]?[0-9]){12,})(?!\w|[.,][0-9])")
_CARD_SEPARATORS = " -"
_CARD_GROUP_DIGITS = range(3, 7)  # cards are printed in groups of 3 to 6 (4-4-4-4, 4-6-5, 4-4-4-4-3)

# (lowest prefix, highest prefix, card lengths): issuer ranges in use (ISO/IEC 7812 issuer tables)
_CARD_ISSUERS: tuple[tuple[str, str, frozenset[int]], ...] = (
    ("4", "4", frozenset({13, 16, 19})),  # Visa
    ("51", "55", frozenset({16})),  # Mastercard
    ("2221", "2720", frozenset({16})),  # Mastercard 2-series
    ("34", "34", frozenset({15})),  # American Express
    ("37", "37", frozenset({15})),
    ("6011", "6011", frozenset(range(16, 20))),  # Discover
    ("644", "649", frozenset(range(16, 20))),
    ("65", "65", frozenset(range(16, 20))),
    ("3528", "3589", frozenset(range(16, 20))),  # JCB
    ("300", "305", frozenset(range(14, 20))),  # Diners Club
    ("36", "36", frozenset(range(14, 20))),
    ("38", "39", frozenset(range(14, 20))),
    ("62", "62", frozenset(range(16, 20))),  # UnionPay
    # Maestro, kept to its well-known prefixes: "50" and "6" alone would accept too many stray numbers
    ("5018", "5018", frozenset(range(13, 20))),
    ("5020", "5020", frozenset(range(13, 20))),
    ("5038", "5038", frozenset(range(13, 20))),
    ("5893", "5893", frozenset(range(13, 20))),
    ("6304", "6304", frozenset(range(13, 20))),
    ("6759", "6759", frozenset(range(13, 20))),
    ("6761", "6763", frozenset(range(13, 20))),
)


def _has_card_issuer(digits: str) -> bool:
    for low, high, lengths in _CARD_ISSUERS:
        if len(digits) in lengths and low <= digits[: len(low)] <= high:
            return True
    return False


def _is_card_grouping(candidate: str) -> bool:
    separators = set(candidate) & set(_CARD_SEPARATORS)
    if not separators:
        return True
    if len(separators) > 1:  # "4111 1111-1111 1111": mixed grouping is not how cards are written
        return False
    return all(len(group) in _CARD_GROUP_DIGITS for group in candidate.split(separators.pop()))


def _is_card(candidate: str) -> bool:
    if not _is_card_grouping(candidate):
        return False
    digits = candidate.replace(" ", "").replace("-", "")
    return 13 <= len(digits) <= 19 and _has_card_issuer(digits) and luhn.is_valid(digits)


_CARD_NUMBER = _GroupedNumber(
    separators=_CARD_SEPARATORS,
    min_chars=13,
    max_chars=19 + 18,  # 19 digits, a separator between any two
    can_start=lambda group: True,
    can_hold=lambda group: 3 <= len(group) <= 19,  # a printed group, or the whole number unseparated
    is_valid=_is_card,
)


def _find_cards(text: str) -> Iterator[Offsets]:
    for match in _CARD_RE.finditer(text):
        for start, end in _valid_windows(match.group(), _CARD_NUMBER):
            yield match.start() + start, match.start() + end


# -- iban -------------------------------------------------------------------------------------------------------

# Country code, check digits, then up to 30 BBAN characters, compact or in groups of 4 separated by one space.
_IBAN_RE = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![A-Za-z0-9])")
_IBAN_START_RE = re.compile(r"[A-Z]{2}[0-9]{2}")


def _is_iban(candidate: str) -> bool:
    return stdnum_iban.is_valid(candidate)  # mod-97 check digits and the country's BBAN format


_IBAN_NUMBER = _GroupedNumber(
    separators=" ",
    min_chars=15,  # Norway's, the shortest
    max_chars=34 + 8,  # 34 characters, a space every 4
    can_start=lambda group: _IBAN_START_RE.match(group) is not None,
    can_hold=lambda group: True,  # the pattern already bounds the groups
    is_valid=_is_iban,
)


def _find_ibans(text: str) -> Iterator[Offsets]:
    for match in _IBAN_RE.finditer(text):
        for start, end in _valid_windows(match.group(), _IBAN_NUMBER):
            yield match.start() + start, match.start() + end


# -- ssn --------------------------------------------------------------------------------------------------------

# ddd-dd-dddd or ddd dd dddd (one separator kind), not part of a longer run of groups joined the same way.
_SSN_GROUPED_RE = re.compile(r"(?<![\w.\-])([0-9]{3})([ \-])([0-9]{2})\2([0-9]{4})(?!\w|[.\-][0-9]|\2[0-9])")
# Nine bare digits are only an SSN when the text just before says so.
_SSN_BARE_RE = re.compile(r"(?<![\w.\-])([0-9]{3})([0-9]{2})([0-9]{4})(?!\w|[.\-][0-9])")
_SSN_CONTEXT_RE = re.compile(r"(?i)\b(?:ssn|social[\s\-]+security)\b")
_SSN_CONTEXT_CHARS = 30  # "social security number: " plus some slack


def _is_ssn(area: str, group: str, serial: str) -> bool:
    # SSA rules: area 000, 666 and 900-999 are never issued, nor group 00 or serial 0000
    return area != "000" and area != "666" and area[0] != "9" and group != "00" and serial != "0000"


def _has_ssn_context(text: str, start: int) -> bool:
    return _SSN_CONTEXT_RE.search(text, max(0, start - _SSN_CONTEXT_CHARS), start) is not None


def _follows_digit_group(text: str, start: int, separator: str) -> bool:
    # "4 123 45 6789" is a run of space-joined groups; a dash before is already excluded by the pattern
    return start >= 2 and text[start - 1] == separator and text[start - 2] in "0123456789"


def _find_ssns(text: str) -> Iterator[Offsets]:
    for match in _SSN_GROUPED_RE.finditer(text):
        area, separator, group, serial = match.groups()
        if _is_ssn(area, group, serial) and not _follows_digit_group(text, match.start(), separator):
            yield match.span()
    for match in _SSN_BARE_RE.finditer(text):
        if _is_ssn(*match.groups()) and _has_ssn_context(text, match.start()):
            yield match.span()


# -- date -------------------------------------------------------------------------------------------------------

# Dates written with a month name or as a weekday and an ordinal ("4 March", "Tuesday, 4 March 2025", "March 9th,
# 2025", "3rd of May", "Friday the 14th", "Sunday 8th"); a weekday where it places an event ("on Tuesday", "Sunday
# night"; not "from Sunday school"); a year in a range written with blanks or an en dash, or after born/died/class
# of ("2017 - 2021", "2021-present", "b. 1944"; not "codes 2001-2004"). A weekday, a month or a year by itself,
# and bare numbers are not dates here.
# The day is checked against the month (calendar.monthrange; 29 February only in a leap year when a year is given).
_MONTHS = {name: number for number in range(1, 13) for name in (
    calendar.month_name[number], calendar.month_abbr[number], calendar.month_name[number].upper(),
    calendar.month_abbr[number].upper())}
_MONTHS["Sept"] = _MONTHS["SEPT"] = 9
_WEEKDAY_NAMES = "|".join(sorted({d for i in range(7) for d in (calendar.day_name[i], calendar.day_abbr[i],
                                                                 calendar.day_name[i].upper())}, key=len, reverse=True))
_MONTH_NAMES = "|".join(sorted((re.escape(m) for m in _MONTHS), key=len, reverse=True))
_DAY = r"(?P<day>[0-3]?[0-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:,? (?P<year>(?:19|20)[0-9]{2}))?(?![\w/.-][0-9])"
_WEEKDAY_PREFIX = r"(?:(?:" + _WEEKDAY_NAMES + r")\.?,? (?:the )?)?"
_DATE_RES = (
    re.compile(r"(?<![\w/.-])" + _WEEKDAY_PREFIX + _DAY + r"(?: of)? (?P<month>" + _MONTH_NAMES + r")\.?(?!\w)" + _YEAR),
    re.compile(r"(?<![\w/.-])" + _WEEKDAY_PREFIX + r"(?P<month>" + _MONTH_NAMES + r")\.? (?:the )?" + _DAY + r"(?!\w)"
               + _YEAR),
    re.compile(r"(?<![\w/.-])(?:(?:" + _WEEKDAY_NAMES + r"),? the|(?:" + "|".join(calendar.day_name) + r"),?) "
               r"(?P<day>[0-3]?[0-9])(?:st|nd|rd|th)(?!\w)(?! place\b)"),
)
# a weekday standing for a date: after a word that places an event on it ("on Tuesday", "before Friday", "next
# Monday", "since Sat."), or before a part of the day ("Sunday night"); not "every Monday" (a habit)
_WEEKDAY_DATE = re.compile(
    r"(?<![\w'’])(?i:on|before|by|until|till|since|from|next|last|this|coming|that|o[nf] the)[ \t]+"
    r"(?P<day>(?:" + _WEEKDAY_NAMES + r")\b\.?)(?!\w)"
    r"|(?<![\w'’])(?P<day2>(?:" + _WEEKDAY_NAMES + r"))(?= (?:night|morning|afternoon|evening|lunchtime)\b)")
_NOT_A_DAY_AFTER = re.compile(r" (?:school|roast|best|paper|papers|times|league|service|lunch club)\b")
# a year in a résumé or a life: a range ("2017 - 2021", "2021 - present"), or after born, died, b., d., "class of"
_YEAR_DATE = re.compile(
    r"(?<![\w/.-])(?P<y1>(?:19|20)[0-9]{2})(?:[ \t]+[-–][ \t]+|[ \t]*–[ \t]*)(?P<y2>(?:19|20)[0-9]{2}|(?i:present|now|today))"
    r"(?![\w/.-])"
    r"|(?<![\w/.-])(?P<y4>(?:19|20)[0-9]{2})-(?P<y5>(?i:present|now|today))(?![\w/.-])"
    r"|(?<![\w'’])(?i:born(?: in)?|died(?: in)?|b\.|d\.|class of)[ \t]+(?P<y3>(?:19|20)[0-9]{2})(?![\w/-]|\.[0-9])")


def _is_day(day: str, month: int | None, year: str | None) -> bool:
    if month is None:
        return 1 <= int(day) <= 31
    return 1 <= int(day) <= calendar.monthrange(int(year) if year else 2024, month)[1]  # 2024: 29 Feb may be


def _find_dates(text: str) -> Iterator[Offsets]:
    for pattern in _DATE_RES:
        for match in pattern.finditer(text):
            groups = match.groupdict()
            month = _MONTHS.get(groups.get("month") or "")
            if _is_day(groups["day"], month, groups.get("year")):
                yield match.span()
    for match in _WEEKDAY_DATE.finditer(text):
        group = "day" if match.group("day") is not None else "day2"
        end = match.end(group)
        if _NOT_A_DAY_AFTER.match(text, end):
            continue  # "from Sunday school", "the Sunday Times"
        if text[end - 1] == "." and text[match.start(group) : end - 1] in calendar.day_name:
            end -= 1  # "on Tuesday." ends a sentence; "on Wed." is an abbreviation
        yield match.start(group), end
    for match in _YEAR_DATE.finditer(text):
        if match.group("y1") is not None:
            yield match.start("y1"), match.end("y1")
            if match.group("y2")[0].isdigit():
                yield match.start("y2"), match.end("y2")
        elif match.group("y4") is not None:
            yield match.start("y4"), match.end("y4")
        else:
            yield match.start("y3"), match.end("y3")


# -- time -------------------------------------------------------------------------------------------------------

# A time of day: hours and minutes with a colon ("19:30", "07:56:49", "21:52:56,123"), or an hour of a 12-hour
# clock with "am" or "pm" ("2pm", "7.45pm", "11:24 AM", "3 p.m."), with the weekday written before it ("Thursday
# 7pm", "Fri at 18:00"); the second time of a range too ("10am-2pm", "9:00-17:00"). Not a part of a longer number, version or ratio ("1:2:3", "v2.10"); not a verse or a scale after
# a word ("John 3:16", "a 1:50 scale": a time with one-digit hours needs a word of time before it, or am/pm); not
# money per month ("£12 pm"), and a lower-case "am" after a blank only after a word of time ("at 5 am"; not
# "chapter 2 am I"). A date and time together is the model's date_time ("2026-05-20T21:52:56Z").
_TIME_CUE = r"(?:at|from|until|till|til|by|before|after|around|about|between|and|to|or|since|@|-|–)"
_TIMES = re.compile(
    r"(?<![\w.:/])(?<![£$€] )(?<![£$€])(?P<weekday>(?:" + _WEEKDAY_NAMES + r")\.?,? (?:at )?)?"
    r"(?:(?P<hour12>(?:1[0-2]|0?[1-9])(?:[:.][0-5][0-9])?)(?P<blank> ?)(?P<half>[ap]m|[AP]M|[ap]\.m\.)(?![\w])"
    r"|(?P<hour>[01]?[0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:[.,][0-9]{1,6})?)?(?![\w:]|[.,][0-9]))")
_WORD_BEFORE_TIME = re.compile(r"(?<![\w])[^\W\d_]+[ \t]*\Z")
_CUE_BEFORE_TIME = re.compile(r"(?<![\w])" + _TIME_CUE + r"[ \t]*\Z|[0-9](?:am|pm|AM|PM)?[ \t]*[-–][ \t]*\Z")


def _find_times(text: str) -> Iterator[Offsets]:
    if ":" not in text and "m" not in text and "M" not in text:
        return
    for match in _TIMES.finditer(text):
        start = match.start() if match.group("weekday") is None else match.end("weekday")
        if in_a_subtitle_cue(text, start, match.end()):
            continue  # "00:07:41,200 --> 00:07:43,900": positions in a film, not times of day
        if match.group("half") == "am" and match.group("blank") or match.group("hour") and len(match.group("hour")) == 1:
            cue = _CUE_BEFORE_TIME.search(text, max(0, start - 12), start)
            word = _WORD_BEFORE_TIME.search(text, max(0, start - 24), start)
            if cue is None and match.group("weekday") is None and (match.group("hour") is None or word is not None):
                continue  # "chapter 2 am", "John 3:16", "a 1:50 scale"; not "at 9:00", "8:30 start"
        yield match.span()


# -- age --------------------------------------------------------------------------------------------------------

# An age written as one: a number before "years old", "-year-old", "yo", "y.o." ("a 29-year-old man", "34 years
# old"), or after "aged", "age", "turned", "turning" ("aged 67", "Age: 41", "turned 90"); 0-120.
_AGES = re.compile(
    r"(?<![\w.,])(?P<a>[0-9]{1,3})(?=(?:[ -]?(?:years?|yrs?)[ -]old|-years?-old|[ -]?y\.?o\b\.?))"
    r"|(?<![\w'’])(?i:aged?|age:|turned|turning)[ \t:=]*(?P<b>[0-9]{1,3})(?![\w.,][0-9]|[\w])"
    r"(?![ \t]*(?:°|%|(?i:degrees|percent|per cent)\b))")


def _find_ages(text: str) -> Iterator[Offsets]:
    for match in _AGES.finditer(text):
        group = "a" if match.group("a") is not None else "b"
        if int(match.group(group)) <= 120:
            yield match.span(group)


# -- phone number -----------------------------------------------------------------------------------------------

_DIGIT_RE = re.compile(r"[0-9]")
_MIN_PHONE_DIGITS = 7
# Shapes phonenumbers accepts as numbers but that are not: an ISO date ("2042-01-29 06" would be a valid NANP
# number), a product version glued to its name ("Chrome/31.0.841.0") and the tail of a time or decimal number
# ("05:13:13.103398").
_ISO_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_GLUED_BEFORE_RE = re.compile(r"\w/|[0-9][.:]")


def _has_phone_digits(text: str) -> bool:
    # islice stops at the 7th digit: a long text costs no more than needed
    return sum(1 for _ in itertools.islice(_DIGIT_RE.finditer(text), _MIN_PHONE_DIGITS)) >= _MIN_PHONE_DIGITS


def _is_phone_shape(text: str, start: int, raw: str) -> bool:
    if _ISO_DATE_RE.match(raw):
        return False
    return start < 2 or _GLUED_BEFORE_RE.match(text, start - 2, start) is None


def _find_phones(text: str, region: str) -> Iterator[Offsets]:
    if not _has_phone_digits(text):
        return
    for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID):
        if _is_phone_shape(text, match.start, match.raw_string):
            yield match.start, match.end


# -- api key ----------------------------------------------------------------------------------------------------


def _is_jwt(token: str) -> bool:
    """The first part must decode to a JOSE header (a JSON object naming its "alg"), not just look like one."""
    header = token.split(".", 1)[0]
    try:
        decoded = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))
    except (ValueError, binascii.Error):  # includes JSON and UTF-8 decode errors
        return False
    return isinstance(decoded, dict) and "alg" in decoded


@dataclass(frozen=True)
class _SecretPattern:
    regex: re.Pattern[str]
    markers: tuple[str, ...]  # substrings without which the pattern cannot match: a cheap skip
    validate: Callable[[str], bool] | None = None


_ALNUM_BEFORE = r"(?<![A-Za-z0-9])"
_SECRET_PATTERNS: tuple[_SecretPattern, ...] = (
    _SecretPattern(re.compile(_ALNUM_BEFORE + r"gh[pousr]_[A-Za-z0-9]{36}(?![A-Za-z0-9])"),
                   ("ghp_", "gho_", "ghu_", "ghs_", "ghr_")),
    _SecretPattern(re.compile(_ALNUM_BEFORE + r"github_pat_[A-Za-z0-9_]{82}(?![A-Za-z0-9_])"), ("github_pat_",)),
    _SecretPattern(re.compile(_ALNUM_BEFORE + r"(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])"),
                   ("AKIA", "ASIA", "ABIA", "ACCA")),
    _SecretPattern(
        re.compile(_ALNUM_BEFORE + r"xox[baprs]-[0-9A-Za-z]{1,40}(?:-[0-9A-Za-z]{1,64}){1,5}(?![0-9A-Za-z\-])"),
        ("xox",), lambda token: len(token) >= 24,  # real tokens are far longer; short ones are examples
    ),
    _SecretPattern(
        re.compile(r"(?i:https://)hooks\.slack\.com/services/T[A-Za-z0-9_]{6,20}/B[A-Za-z0-9_]{6,20}/"
                   r"[A-Za-z0-9_]{16,64}(?![A-Za-z0-9_])"),
        ("hooks.slack.com/services/",),
    ),
    _SecretPattern(re.compile(_ALNUM_BEFORE + r"(?:sk|rk|pk)_(?:live|test)_[0-9A-Za-z]{16,247}(?![0-9A-Za-z])"),
                   ("_live_", "_test_")),
    _SecretPattern(re.compile(_ALNUM_BEFORE + r"AIza[0-9A-Za-z_\-]{35}(?![0-9A-Za-z_\-])"), ("AIza",)),
    _SecretPattern(
        re.compile(r"(?<![A-Za-z0-9_\-])eyJ[A-Za-z0-9_\-]{4,4000}\.eyJ[A-Za-z0-9_\-]{4,16000}\.[A-Za-z0-9_\-]{16,4000}"
                   r"(?![A-Za-z0-9_\-])"),
        ("eyJ",), _is_jwt,
    ),
)


# PEM armour lines of private keys ("RSA PRIVATE KEY", "PRIVATE KEY", "PGP PRIVATE KEY BLOCK", ...). BEGIN and
# END lines are found in one pass and paired afterwards: a lazy "BEGIN.*?END" regex would rescan the rest of
# the text from every BEGIN that has no END.
_PEM_ARMOR_RE = re.compile(r"-----(BEGIN|END) ((?:[A-Z0-9]{1,20} ){0,3}PRIVATE KEY(?: BLOCK)?)-----")


def _find_pem_keys(text: str) -> Iterator[Offsets]:
    if "-----BEGIN " not in text:
        return
    opened: re.Match[str] | None = None
    for armor in _PEM_ARMOR_RE.finditer(text):
        if armor.group(1) == "BEGIN":
            opened = armor  # an earlier BEGIN without its END is not a key block
        elif opened is not None and armor.group(2) == opened.group(2):
            if text[opened.end() : armor.start()].strip():  # an empty body is a template, not a key
                yield opened.start(), armor.end()
            opened = None


def _find_secrets(text: str) -> Iterator[Offsets]:
    for pattern in _SECRET_PATTERNS:
        if not any(marker in text for marker in pattern.markers):
            continue
        for match in pattern.regex.finditer(text):
            if pattern.validate is None or pattern.validate(match.group()):
                yield match.span()
    yield from _find_pem_keys(text)


# -- the rule set -----------------------------------------------------------------------------------------------

_TEXT_FINDERS: dict[str, Callable[[str], Iterator[Offsets]]] = {
    "email": _find_emails,
    "url": _find_urls,
    "ipv4": _find_ipv4,
    "ipv6": _find_ipv6,
    "mac_address": _find_macs,
    "credit_card": _find_cards,
    "iban": _find_ibans,
    "ssn": _find_ssns,
    "api_key": _find_secrets,
    "date": _find_dates,
    "time": _find_times,
    "age": _find_ages,
    "given_name": find_given_names,
    "city_name": find_city_names,
    "country_name": find_country_lines,
    "occupation": find_occupations,
    "company": find_companies,
}  # phone_number needs the region: RuleSet._offsets handles it
_RULE_RANK = {name: rank for rank, name in enumerate(RULE_NAMES)}


def _requested_rules(names) -> list[str]:
    """The rule names asked for, checked against RULE_NAMES."""
    if isinstance(names, str):
        if names == "all":
            return list(RULE_NAMES)
        raise RuleError(f"rules must be 'all' or a list of rule names, got {names!r}")
    try:
        requested = list(names)
    except TypeError:
        raise RuleError(f"rules must be 'all' or a list of rule names, got {names!r}") from None
    for name in requested:
        if not isinstance(name, str) or name not in _RULE_RANK:
            raise RuleError(f"unknown rule {name!r}; known rules: {', '.join(RULE_NAMES)}")
    return requested


def _checked_region(phone_region) -> str:
    region = phone_region.upper() if isinstance(phone_region, str) else phone_region
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise RuleError(f"phone_region {phone_region!r} is not a region phonenumbers knows (e.g. 'US', 'GB', 'DE')")
    return region


def _titles_after_names(text: str, spans: list[RuleSpan]) -> list[RuleSpan]:
    """Occupation spans start after a name or place that another rule found where they start: "[San Jose]
    [Regional Manager]", "[Priya] [Senior Engineer]" (the qualifiers of a title are capitalised words too)."""
    others = [s for s in spans if s.rule != "occupation"]
    out = []
    for span in spans:
        if span.rule == "occupation":  # only a name where the title starts: "Head of [Jordan] Operations" stays whole
            start = max((o.end for o in others if o.start == span.start and o.end < span.end), default=span.start)
            while start < span.end and text[start] in " ,":
                start += 1
            if start >= span.end:
                continue
            span = RuleSpan(start, span.end, span.label, span.rule) if start != span.start else span
        out.append(span)
    return out


def _non_overlapping(spans: list[RuleSpan], prefer: frozenset | set | None = None) -> list[RuleSpan]:
    """Longest first (ties: the earlier rule, then the earlier start), after those whose label is in `prefer`; a
    span inside one kept, or holding whole the kept spans it meets, is dropped. A span that crosses a kept one
    (each has a part outside the other) widens it to the union (with the label and rule of the best-ranked),
    so no part of what a rule found is left out: "[Salt Lake City]" and "Salt [Lake City Plumbing Services
    LLC]" give one company span over both."""
    ranked = sorted(spans, key=lambda s: (prefer is not None and s.label not in prefer, s.start - s.end,
                                          _RULE_RANK[s.rule], s.start))
    kept_starts: list[int] = []
    kept: list[RuleSpan] = []  # sorted by start; kept spans never overlap, so ends are sorted too
    partial: list[RuleSpan] = []
    for span in ranked:
        at = bisect.bisect_right(kept_starts, span.start)
        before = at and kept[at - 1].end > span.start
        after = at < len(kept) and kept[at].start < span.end
        if before or after:
            last = bisect.bisect_left(kept_starts, span.end) - 1  # the last kept span starting inside it
            crosses = (before and kept[at - 1].end < span.end and kept[at - 1].start < span.start) or (
                last >= at and kept[last].end > span.end)
            if crosses:  # not inside a kept span, nor holding the kept spans it meets whole ("a@b.c" in a URL)
                partial.append(span)
            continue
        kept_starts.insert(at, span.start)
        kept.insert(at, span)
    if not partial:
        return kept
    rank = {id(s): i for i, s in enumerate(ranked)}
    out: list[tuple[RuleSpan, RuleSpan]] = []  # each chain of overlapping spans as one, with its best-ranked member
    for span in sorted(kept + partial, key=lambda s: (s.start, -s.end)):
        if out and span.start < out[-1][0].end:
            joined, best = out[-1]
            best = span if rank[id(span)] < rank[id(best)] else best
            out[-1] = (RuleSpan(joined.start, max(joined.end, span.end), best.label, best.rule), best)
        else:
            out.append((span, span))
    return [joined for joined, _ in out]


@dataclass(frozen=True)
class RuleSet:
    enabled: dict[str, str]  # rule name -> label, in RULE_NAMES order
    disabled: dict[str, str]  # rule name -> human reason
    phone_region: str = "US"

    @classmethod
    def build(cls, names, categories: Iterable[str], phone_region: str = "US") -> "RuleSet":
        """names: "all", or a list of rule names ([] = none). categories: the checkpoint's category names.

        An unknown rule name raises RuleError naming it and listing the known ones. A rule whose categories
        the checkpoint lacks goes to `disabled` with a reason (the caller logs a warning). phone_region must
        be a region phonenumbers knows (else RuleError).
        """
        requested = set(_requested_rules(names))
        region = _checked_region(phone_region)
        known = set(categories)
        enabled: dict[str, str] = {}
        disabled: dict[str, str] = {}
        for name in RULE_NAMES:
            if name not in requested:
                continue
            label = next((c for c in RULE_CATEGORIES[name] if c in known), None)
            if label is None:
                wanted = " or ".join(RULE_CATEGORIES[name])
                disabled[name] = f"the model has no category for it (wanted: {wanted})"
            else:
                enabled[name] = label
        for rule, read in (("given_name", given_names), ("city_name", city_names), ("country_name", country_names),
                           ("occupation", job_words), ("company", everyday_words)):
            if rule in enabled:
                try:
                    read()  # a missing or unreadable list fails here, before the run, not row by row
                except OSError as error:
                    raise RuleError(f"{rule}: cannot read its name list ({error}); reinstall the package") from error
        return cls(enabled, disabled, region)

    def find(self, text: str | None, prefer: frozenset | set | None = None) -> list[RuleSpan]:
        """Every validated match of the enabled rules, sorted by start, non-overlapping: where two matches
        overlap the longer one is kept (ties: the earlier rule in RULE_NAMES), but first one whose label is in
        `prefer` (the policy's decoding.labels: an email inside a URL, with decoding.labels=[email]).
        None or "" -> []."""
        if not text:
            return []
        spans = [
            RuleSpan(start, end, label, rule)
            for rule, label in self.enabled.items()
            for start, end in self._offsets(rule, text)
        ]
        return _non_overlapping(_titles_after_names(text, spans), prefer)

    def _offsets(self, rule: str, text: str) -> Iterator[Offsets]:
        if rule == "phone_number":
            return _find_phones(text, self.phone_region)
        return _TEXT_FINDERS[rule](text)

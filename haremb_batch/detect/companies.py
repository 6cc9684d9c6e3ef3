"""Legal forms of companies, and the `company` rule: a company name is the capitalised words written right before
a legal form ("Quantora Systems [Inc.]", "Brannigan Hughes Solicitors [LLP]", "ARAUJO CONSTRUÇÕES [LTDA.]"), or a
trade name, a distinctive word before what the firm does ("Netlink [Fibre]", "CVS [Pharmacy]": find_trade_names).

The legal forms are cleanco's table of legal forms by country and type ("GmbH", "Sp. z o.o.", "& Co."), and the
same written without their periods ("SpA", "BV", "Pvt Ltd"), less those that are English words in running text.
A form counts only as a legal form is written (_written_as_legal_form): with a capital, a two-letter form only
in capitals right after a word in Title Case ("Elektro AS"; not "Denver, CO", "MITCHELL AS A DESIGNER").
Completion (complete.py) uses the same table to grow the model's names over a legal form ("Hofbauer [OG]").

The rule is not weak: the model's usual mistake here is a word of the name read as a person's or a place's
("Brannigan" -> first_name, "Lincoln" -> city), and the merge joins those into the company's span. It takes up to
MAX_NAME_WORDS words, each in Title Case or capitals, joined by blanks, "&" or hyphens, on the form's line. It
stops at a function word ("at Acme Ltd"), a calendar word, an everyday word written in capitals after the first
("DIPLOMA BEFORE JOINING MITCHELL INC": capitals say nothing of a name), and drops a first word that is an
everyday word capitalised only because it starts a sentence ("Joining Acme Ltd"), unless the name fills its
line (a letterhead: "Thistle & Pine Joinery Ltd"). A form must end at a blank or punctuation ("INC-48213" is a
ticket) and be no calendar word ("Sep"). Forms of two letters without periods are no forms for the rule: they
are US states and provinces ("Las Vegas NV", "Calgary AB"), records and time zones ("Abbey Road LP", "Noon
ET"); nor is "Co." alone ("Denver CO. 80202"); "S.A.", "N.V." and "& Co." are. The English words "Company", "Corporation", "Limited" and
"Incorporated" are no form for this rule ("Special Limited Edition"); completion still grows a found name over
them.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterator

import ahocorasick
from cleanco.termdata import terms_by_country, terms_by_type

# cleanco's legal forms that are English words in running text ("joining Mitchell as a ..."), or units, tax
LEGAL_FORM_EXCLUDED = frozenset({"at", "e.g.", "fa", "fop", "kg", "ok", "pp", "private", "pt", "secs", "uk",
                                 "vat"})
# forms that are English words in Title Case too: completion takes them after a found name, the rule does not
WORD_FORMS = frozenset({"company", "& company", "and company", "corporation", "limited", "unlimited",
                        "incorporated"})
WEEKDAYS = ("Monday Tuesday Wednesday Thursday Friday Saturday Sunday Mon Tue Tues Wed Thu Thur Thurs Fri Sat "
            "Sun").split()
CALENDAR_WORDS = frozenset(WEEKDAYS + """January February March April May June July August September October
November December Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec""".split())
# words that are no part of a name: they end a company name (and head no job title: complete.py)
FUNCTION_WORDS = frozenset("""
a an the our my your his her their its this that these those as is was are were be been being and or but of
for to at in on with by from into per via new former current acting we i you he she they who which
dear hi hello hey meet call ask contact email
""".split())
MAX_NAME_WORDS = 4  # words of a name before its legal form
LINE_WINDOW = 120  # characters read on each side of a name for the line it stands on
_WORD_BEFORE_FORM = re.compile(r"([^\W\d_][\w'’-]*)\Z")
_NAME_WORD_BEFORE = re.compile(r"(?<![\w&.'’@/-])[^\W_][\w'’.-]*\Z")
_KG_AFTER = re.compile(r" KG(?![^\W_])")
_SEPARATOR_BEFORE = re.compile(r"(?: |, | & |-)\Z")
# lower-case words that join the names of partners: "Cabrero y Pujadas S.A.", "Jónás és Horváth Kht.", "van de
# Velden NV"
JOINERS = frozenset("e y i és és und et en og och ja a van de der den von da di del della dos das du le la".split())
# caption words before a name on a form: "Business Nguyen PLC", "Employer Acme Ltd"
CAPTIONS = frozenset("Business Company Employer Client Customer Vendor Supplier Payee Payer Tenant Landlord "
                     "Name".split())


@lru_cache(maxsize=1)
def legal_form_after() -> re.Pattern:
    """A legal form right after a name (see the module docstring); longest first; matched without regard to
    case, checked for a capital by written_as_legal_form."""
    forms = sorted(_all_forms(), key=len, reverse=True)
    return re.compile(r",? (" + "|".join(re.escape(t) for t in forms) + r")(?![^\W_])", re.IGNORECASE)


def _all_forms() -> set[str]:
    return {t for t in cleanco_forms() | forms_without_periods() if t and t not in LEGAL_FORM_EXCLUDED}


@lru_cache(maxsize=1)
def cleanco_forms() -> frozenset[str]:
    return frozenset(t.strip() for terms in (*terms_by_type.values(), *terms_by_country.values()) for t in terms)


@lru_cache(maxsize=1)
def forms_without_periods() -> frozenset[str]:
    """cleanco's forms with periods, written without them ("s.p.a." -> "spa", "pvt. ltd." -> "pvt ltd"), of three
    letters or more: "c.a.", "s.c.", "p.c." would be "CA", "SC", "PC" (US states, a CV)."""
    return frozenset(t.replace(".", "") for t in cleanco_forms()
                     if "." in t and len(t.replace(".", "").replace(" ", "")) >= 3) - cleanco_forms()


def written_as_legal_form(text: str, m: re.Match) -> bool:
    """A capital in it ("AG", "Ltd", not "ltd" in prose); a form of two letters only in capitals, with no comma,
    right after a word in Title Case ("Elektro AS", "Siemens AG"; not "MITCHELL AS A DESIGNER", "Denver, CO"); a
    form without its periods not in Title Case ("SpA"; "Ong", "Spa", "Coop" are words and names)."""
    form = m.group(1)
    if not any(ch.isupper() for ch in form):
        return False
    if form.lower() in forms_without_periods() and " " not in form and form.istitle():
        return False  # a form without its periods only as written in capitals or mixed: "SpA", "SPA"; not "Wei Ong"
    if len(form) == 2:  # not "Maria Da Silva", "Denver, CO", "MITCHELL AS A DESIGNER"
        word = _WORD_BEFORE_FORM.search(text, max(0, m.start() - 40), m.start())
        return form.isupper() and not m.group().startswith(",") and word is not None and word.group(1).istitle()
    return True


def is_name_word(word: str, names: set[int] = frozenset(), start: int = -1) -> bool:
    """A word of a name: in Title Case, not a function or calendar word; in any case where the model read it as
    a name or place (`names`: start offsets of those spans), so "JOINING" does not join "MITCHELL INC"."""
    if word.lower() in FUNCTION_WORDS or word in CALENDAR_WORDS:
        return False
    return word.istitle() or start in names


@lru_cache(maxsize=1)
def _form_automaton() -> ahocorasick.Automaton:
    """Every form the rule takes, after a blank, in lower case: one pass over a text finds where forms may stand
    (a regex of 300 alternatives tried at every blank costs ten times more)."""
    automaton = ahocorasick.Automaton()
    for form in _all_forms() - WORD_FORMS:
        automaton.add_word(" " + form, len(form) + 1)
    automaton.make_automaton()
    return automaton


def find_companies(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each company name: with its legal form (see the module docstring), or a trade name
    (find_trade_names); in text order, never overlapping."""
    found = sorted([*_with_legal_forms(text), *find_trade_names(text)], key=lambda se: (se[0], -se[1]))
    last_end = -1
    for start, end in found:
        if start >= last_end:
            last_end = end
            yield start, end


# What a firm does, written after its name: "Kora [Health]", "Netlink [Fibre]", "AQUAFLOW [WATER]". A noun that
# ends many ordinary headings too ("Social Media", "Data Analytics") counts only after a distinctive word.
TRADE_NOUNS = frozenset("""
Pharmacy Pharmaceuticals Bank Insurance Assurance Realty Furniture Health Healthcare Grill Bakery Bakehouse Fibre
Fiber Payments Freight Logistics Plumbing Motors Dental Foods Robotics Telecom Telecoms Airlines Airways Consulting
Technologies Ventures Capital Holdings Properties Builders Construction Cleaning Catering Hotel Hotels Café Cafe
Restaurant Salon Garage Electrical Roofing Removals Travel Tours Shipping Textiles Brewery Brewing Printing
Security Supermarket Supermarkets Stores Hardware Opticians Veterinary Vets Accountants Solicitors Architects
Fitness Tyres Florist Florists Water Energy Power Media Studio Studios Labs Partners Solutions Systems Group Trust
Finance Lending Mortgages Estates Interiors Joinery Landscaping Couriers Express Pizzeria Trattoria Bistro
""".split()) | {"Credit Union", "Medical Centre", "Medical Center", "Aged Care", "Title Co."}
# words that are surnames too (so not in everyday_words) but head ordinary headings: "West Bank", "Green Energy"
GENERIC_HEADS = frozenset("""
green west east north south northern southern western eastern data global digital general central royal united
modern young little long white black brown gray grey rich strong best good great fine street church hall hill
wood field king queen prince love joy price cash banks money city town new old big small mobile online
""".split())
_TRADE_NOUN = re.compile(r"(?<![\w&@./-])(" + "|".join(
    re.escape(w) for w in sorted(TRADE_NOUNS | {w.upper() for w in TRADE_NOUNS}, key=len, reverse=True)) + r")(?![\w-])")
MAX_TRADE_WORDS = 3  # words of a name before what the firm does
_WORD_AFTER = re.compile(r" ([^\W\d_]+)")


def find_trade_names(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each trade name: up to MAX_TRADE_WORDS name words right before a TRADE_NOUN in the same
    case (Title Case before "Pharmacy", capitals before "PHARMACY"), with a legal form after it if there is one.
    At least one of the words must be distinctive (not an everyday word, job word or GENERIC_HEADS word): so
    "Kora Health", "CVS Pharmacy", "Celtic Shield Insurance", not "Mental Health", "Social Media", "West Bank".
    Leading everyday words are dropped ("Thanks [Netlink Fibre]"), so capitals alone make no name ("FOOD BANK
    ROTA"); a street word after the noun makes it a street ("Bank Street")."""
    from .occupations import job_words
    from .plausible import everyday_words, street_words

    everyday, jobs, streets = everyday_words(), job_words(), street_words()
    for m in _TRADE_NOUN.finditer(text):
        upper = m.group(1).isupper() and len(m.group(1)) > 1
        after = _WORD_AFTER.match(text, m.end())
        if after and after.group(1)[0].isupper() and after.group(1).lower() in streets:
            continue
        words, pos = [], m.start()
        while len(words) < MAX_TRADE_WORDS:
            if pos < 2 or text[pos - 1] not in " -":
                break
            word = _NAME_WORD_BEFORE.search(text, max(0, pos - 41), pos - 1)
            if not word or not _written_as_name(word.group()):
                break
            acronym = word.group().isupper() and 1 < len(word.group()) <= 4  # "CVS Pharmacy", "ABC PHARMACY"
            if word.group() in CAPTIONS or not acronym and (word.group().isupper() and len(word.group()) > 1) != upper:
                break
            words.insert(0, word)
            pos = word.start()
        while words and words[0].group().lower() in everyday:
            words.pop(0)  # "Thanks Netlink Fibre", "Joining Kora Health"
        if not words or not any(_distinctive(w.group(), everyday, jobs) for w in words):
            continue
        end = m.end()
        if (form := legal_form_after().match(text, end)) and _ends_a_name(text, form.end()) and \
                written_as_legal_form(text, form):
            end = form.end()
        yield words[0].start(), end


def _distinctive(word: str, everyday: frozenset, jobs: frozenset) -> bool:
    lower = word.lower().strip(".'’-")
    return len(lower) > 1 and not lower.isdigit() and lower not in everyday and lower not in GENERIC_HEADS and \
        lower not in jobs and lower not in FUNCTION_WORDS


def _with_legal_forms(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each company name with its legal form (see the module docstring)."""
    from .plausible import everyday_word_starting_sentence, everyday_words, is_cased

    lower = text.lower()
    if len(lower) != len(text):  # a character whose lower case is longer ("İ" -> "i̇"): one for one, as is
        lower = "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in text)
    cased, last_end = None, -1
    for last, length in _form_automaton().iter(lower):
        at = last - length + 1  # the blank before the form
        if at < last_end:
            continue
        at -= at > 0 and text[at - 1] == ","
        m = legal_form_after().match(text, at)
        if not m or m.end() != last + 1 or not written_as_legal_form(text, m):
            continue
        form = m.group(1)
        if form.lower() in WORD_FORMS or form.title() in CALENDAR_WORDS or not _ends_a_name(text, m.end()):
            continue
        if len(form) <= 2 or form.replace(".", "").lower() == "co":
            continue  # "Las Vegas NV", "Abbey Road LP", "Denver CO. 80202": states, records; "S.A." and "& Co." count
        words, start, pos, joiner = [], m.start(), m.start(), None  # pos: where the next word to the left ends
        partners = False  # a joiner seen: commas may list the other partners ("Napolitano, Mantegazza e Ritacca")
        while len(words) < MAX_NAME_WORDS:
            word = _NAME_WORD_BEFORE.search(text, max(0, pos - 60), pos)
            if word and words and joiner is None and word.group() in JOINERS:
                joiner, partners = word, True  # "Cabrero [y] Pujadas S.A.": only with a name word before it
            elif not word or not _written_as_name(word.group()) or word.group() in CAPTIONS:
                break
            elif words and word.group().isupper() and word.group().lower() in everyday_words():
                break  # capitals say nothing of a name: "DIPLOMA BEFORE JOINING [MITCHELL INC]"
            else:
                words.append(word)
                start, joiner = word.start(), None
            separator = _SEPARATOR_BEFORE.search(text, max(0, word.start() - 3), word.start())
            if not separator or separator.group() == ", " and not partners:
                break
            pos = separator.start()
        if not words:
            continue
        cased = is_cased(text) if cased is None else cased
        if len(words) > 1 and not _fills_its_line(text, start, m.end()) and \
                everyday_word_starting_sentence(text, start, words[-1].end(), cased):
            start = words[-2].start()  # "Joining [Acme Ltd]"
        end = m.end()
        while (more := legal_form_after().match(text, end)) and _ends_a_name(text, more.end()) and \
                written_as_legal_form(text, more) and (len(more.group(1)) > 2 or "." in more.group(1)):
            end = more.end()  # "AG & Co. OHG"
        if kg := _KG_AFTER.match(text, end):
            end = kg.end()  # "GmbH & Co. KG": a unit elsewhere (LEGAL_FORM_EXCLUDED), a form after a form
        last_end = end
        yield start, end


def _written_as_name(word: str) -> bool:
    """A word of a company's name: in Title Case or capitals (or a number with them: "3M"), not a function or
    calendar word."""
    letters = [ch for ch in word if ch.isalpha()]
    if not letters or word.lower() in FUNCTION_WORDS or word in CALENDAR_WORDS or word.upper() in CALENDAR_WORDS:
        return False
    return word[0].isupper() or word[0].isdigit() and word.isupper()


def _ends_a_name(text: str, end: int) -> bool:
    """Whether the form ends there: the text's end, a blank or punctuation; not "INC-48213" (a ticket)."""
    return end == len(text) or text[end].isspace() or text[end] in ".,;:!?)]}\"'’|·"


def _fills_its_line(text: str, start: int, end: int) -> bool:
    """Whether only blanks and periods or commas stand beside text[start:end] on its line; a letterhead line is
    short, so only LINE_WINDOW characters on each side are read (no quadratic cost on long lines)."""
    low, high = max(0, start - LINE_WINDOW), min(len(text), end + LINE_WINDOW)
    line_start, line_end = text.rfind("\n", low, start), text.find("\n", end, high)
    if line_start < 0 and low > 0 or line_end < 0 and high < len(text):
        return False
    return not text[line_start + 1 : start].strip() and not text[end : line_end if line_end >= 0 else high].strip(" .,\r")

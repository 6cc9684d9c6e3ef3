"""Span completion (`detection.complete_spans`): the piece the model left out at the edge of a span it found.

A one-layer model often finds the street but not its house number ("Via dei Serragli [88]", "[17] Elm Grove"),
the date but not the weekday written before it ("[Thursday] 13 March"), the company but not the period of its
legal form ("Analytics Inc[.]"), the job but not the word that heads it ("[Senior] Data Engineer"). These
pieces belong to the value by how addresses, dates, company names and job titles are written, and a piece
left visible narrows down the person. So each of the model's spans grows over them: also over a legal form
after it, which makes it a company's ("Hofbauer [OG]"), over the other words of a company's name, and over
the flat, floor or house name of an address, taking in what the model labelled otherwise there. Completion
only grows spans that were found (the model's; for legal forms, the name and city rules' too): the one new span
it makes is the city written after a postcode the model found ("41012 [Carpi]"), so text without PII gets no new
span from it. It runs before the merge with the rules (policy.py), so a piece another detector claims stays
theirs.
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_left, bisect_right

from .companies import FUNCTION_WORDS, WEEKDAYS, is_name_word, legal_form_after, written_as_legal_form
from .merge import Candidate
from .names import city_names
from .plausible import everyday_word_starting_sentence, everyday_words

ADDRESS_LABELS = frozenset({"street_address"})
DATE_LABELS = frozenset({"date", "date_time", "date_of_birth"})
TIME_LABELS = frozenset({"time", "date_time"})
# what stands between a date and its time: "22 May 2025, 4:15pm", "18 Feb 2025 at 23:51", "10:00am on 2 July"
_DATE_TIME_GAP = re.compile(r",?[ \t]*(?:(?:at|on|@|-|–)[ \t]+)?")
OCCUPATION_LABELS = frozenset({"occupation"})
# a legal form after a name makes it a company's: "Hofbauer [OG]", "MITCHELL [INC]" (the model: a surname)
COMPANY_LABEL = "company_name"
NAME_OR_PLACE_LABELS = frozenset({"first_name", "last_name", "city", "country", "state"})
LEGAL_FORM_AFTER = NAME_OR_PLACE_LABELS | {COMPANY_LABEL}
# a house number: digits with an optional letter ("221B", "12a"), or after "No"/"Nr" ("No:214", "Nr. 5")
_NUMBER_AFTER = re.compile(r" (?:(?:No|Nr|no|nr)[.:]? ?)?\d{1,5}[A-Za-z]?(?!\w)")
_NUMBER_BEFORE = re.compile(r"(?<!\w)\d{1,5}[A-Za-z]?(?:-\d{1,5}[A-Za-z]?)?,? \Z")
# a flat, floor or door written after a street, each word short: "2. th.", "int. 5", "2º Esq.", "6è 2a", "bajo",
# "Bât. C", "II. em. 3."; then a comma, a line end or the text's end. Never a postcode: numbers of 1-3 digits
_UNIT_WORD = r"(?:\d{1,3}(?:[º°ª]|[a-zè]{1,2}|/\d{1,3})?\.?|[^\W\d_]{1,4}\.|[a-zà-ÿ]{1,4}|[A-Z]|[IVX]{1,4}\.)"
_UNIT_AFTER = re.compile(r"\.?, ?" + _UNIT_WORD + r"(?: " + _UNIT_WORD + r"){0,2}(?=,|\s*$|\s*\n)"
                         r"|(?<=[0-9º°ª])\.? [a-zæøå]{1,2}\.(?=,|\s*$|\s*\n)"
                         r"|(?<=[0-9º°ª]) [A-Z][^\W\d_]{0,3}\.(?!\w)",
                         re.M)
# a street span that is only a unit ("Unit 7", "Flat 3", "Apartment 6"), and the capitalised piece after it
_LONE_UNIT = re.compile(r"(?i:unit|flat|apartment|apt|suite|ste|room|floor|building|block|office)\.? \w{1,5}")
_STREET_PIECE_AFTER = re.compile(r"(?:, [A-Z0-9][\w'’.-]*(?: [A-Z][\w'’.-]*){0,4}){1,2}(?=,|\s*$|\s*\n)", re.M)
# a city after a postcode, up to the line's end, a comma or a bracket: "41012 [Carpi] (MO)", "37000 [TOURS]"
POSTCODE_LABELS = frozenset({"postcode"})
_ADDRESS_BEFORE = re.compile(r"(?:^|,)[ \t]*\Z", re.M)  # a postcode that starts its line or follows a comma
CITY_LABEL = "city"
_CITY_AFTER = re.compile(r"[ \t]+([^\W\d_][\w'’.]*(?:[ -][^\W\d_][\w'’.]*){0,2}?)(?=[ \t]*(?:\r?$|,|\(| - ))", re.M)
# a house name or unit before a street, then a comma: "The Old Rectory, ", "Flat 3, ", "Unit 14, "
_PIECE_BEFORE = re.compile(r"(?<![\w'’.-])(The(?: [A-Z][\w'’-]*){1,3}|(?i:unit|flat|apartment|apt|suite|ste|room|"
                           r"floor|building|block|house|shop|tower|plot|villa|door|stand)\.?(?: (?i:no)\.?)? \w{1,5}"
                           r"(?:, (?i:unit|flat|apartment|apt|suite|floor)\.? \w{1,5})?|(?i:no)\. ?\d{1,5}[A-Za-z]?), \Z")
# a street-type abbreviation written before the street: "[C/ ]San Vicente Ferrer 33", "[Av. ]Paulista 1578"
_TYPE_BEFORE = re.compile(r"(?<![\w/.-])(?:C/|Av\.|Avda\.|Pza\.|Pl\.|Ul\.|ul\.|Str\.|Bd\.|Blv\.) ?\Z"
                          r"|(?<![\w/.-])(?P<unit>House|Shop|Flat|Unit|Plot|Villa|Door|Apt|Suite|Tower|Block|No\.?) \Z")
# a compass point after a street ("1420 12th Ave [N]"), a unit after a comma ("10 Anson Road[, #22-05]")
_DIRECTION_AFTER = re.compile(r" (?:N|S|E|W|NE|NW|SE|SW|North|South|East|West)(?![\w.])|, #\d{1,4}(?:-\d{1,4})?(?![\w-])")
# as written in dates, Title Case or capitals: "sat" and "wed" in lower case are verbs ("sat 12 March"); before a
# time, "at" may stand between ("Thursday at 4pm"), not before a date
_WEEKDAY_BEFORE = re.compile(r"(?<!\w)(?:" + "|".join(WEEKDAYS + [d.upper() for d in WEEKDAYS]) + r")\.?,? (?P<at>at )?\Z")
# what ends a time the model cut short: milliseconds of a log stamp ("17:03:11[,482]"), "9:30[ a.m.]", "4[pm]"
_TIME_AFTER = re.compile(r"[,.]\d{3}(?![\d.,])| ?(?:[ap]\.m\.|[AP]\.M\.|[ap]m|[AP]M)(?![^\W\d_])")
# a syslog stamp's month and day before its clock: "[Mar 11 ]03:00:04", "[Apr  2 ]14:07:51"
_MONTH_DAY_BEFORE = re.compile(r"(?<![\w.])(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) {1,2}\d{1,2} \Z")
_CLOCK = re.compile(r"\d{1,2}:\d{2}(?::\d{2})?")
# words written with a period as abbreviations: legal forms, street types, months, "Co." (county, company)
ABBREVIATIONS = frozenset("""
Inc Ltd Lda Corp Co Bros Pvt Pty Plc Ltda Cia Cie Mfg Assn Intl
St Ave Av Rd Blvd Dr Ln Ct Pl Sq Hwy Pkwy Ter Cres Esq Apt Ste Fl Str Mt izq dcha dcho Blv Mah Cd Sok
Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec
""".split())
_LAST_WORD = re.compile(r"(?<![^\W\d_])[^\W\d_]{1,5}\Z")  # abbreviations are short: no long scan
# words that head a job title; a title-case word before a title-case occupation joins it too ("Software Engineer")
_WORD_BEFORE = re.compile(r"(?<![\w-])([^\W\d_][\w-]{0,30}) \Z")
# company names: capitalised words around a company span, and the word before a two-letter legal form
MAX_NAME_WORDS = 3  # capitalised words a company span grows over, on each side
_CAPITAL_WORD_BEFORE = re.compile(r"(?<![\w&.'’-])([^\W\d_][\w'’-]*)(?: | & |-)\Z")
_CAPITAL_WORD_AFTER = re.compile(r"(?: | & |-)([^\W\d_][\w'’-]*)(?![\w&-])")
MAX_PIECE = 8  # characters of a flat or door the model read as something else ("5" -> age, "6è 2a" -> plate)


def _legal_form(text: str, end: int, high: int) -> int:
    """The end of a legal form written right after text[:end] (in Title Case or capitals: "AG", "Sp. z o.o."),
    perhaps after a few capitalised words ("Nordkap[ Marine AS]"), or `end`."""
    start_end = end
    for _ in range(MAX_NAME_WORDS + 1):  # the form right after, or after one to MAX_NAME_WORDS words
        m = legal_form_after().match(text, end, high)
        if m and written_as_legal_form(text, m):
            return m.end()
        word = _CAPITAL_WORD_AFTER.match(text, end, high)  # "Nordkap [Marine] AS"
        if not word or not word.group().startswith(" ") or not word.group(1).istitle() or not is_name_word(word.group(1)):
            break
        end = word.end()
    return start_end


def join_address_pieces(text: str, spans: list[Candidate], others: list[Candidate] = ()) -> list[Candidate]:
    """Each street address of `spans` grown over the model's spans of other labels that are pieces of it: a word
    right before it with only a blank between ("[Avinguda] Diagonal 477": city), or what lies in the flat or floor
    written after it, up to the next span of `others` (the rules'; the pieces _UNIT_AFTER takes: "Via Garibaldi
    23, [int]. [5]": city and age; "477, [6è 2a]": plate). The grown span overlaps those pieces, and the merge
    joins them (merge.py: the street's label, unless decoding.labels leaves it out and keeps a piece's)."""
    out = sorted(spans, key=lambda c: c.start)
    starts = sorted(c.start for c in others)
    for i in range(len(out) - 1):
        a, b = out[i], out[i + 1]
        if b.label in ADDRESS_LABELS and a.label in NAME_OR_PLACE_LABELS and text[a.end : b.start] == " " and \
                not text[b.start].isdigit() and (text[a.start : a.end].istitle() or text[a.start : a.end].isupper()):
            out[i + 1] = Candidate(a.start, b.end, b.label, b.detectors, b.model_score)  # not "Anna Smith [12 Elm Road]"
        elif a.label in ADDRESS_LABELS and a.end <= b.start and b.end - b.start <= MAX_PIECE:
            j = bisect_left(starts, a.end)
            unit = _UNIT_AFTER.match(text, a.end, starts[j] if j < len(starts) else len(text))
            if unit and b.end <= unit.end():
                out[i] = Candidate(a.start, unit.end(), a.label, a.detectors, a.model_score)
        if a.label in ADDRESS_LABELS and _LONE_UNIT.fullmatch(text, a.start, a.end):
            j = bisect_left(starts, a.end)  # "Unit 7[, Carrick Business Park]" over "Carrick" read as a first name
            street = _STREET_PIECE_AFTER.match(text, a.end, starts[j] if j < len(starts) else len(text))
            if street and _only_names_inside(out, i + 1, street.end()):
                out[i] = Candidate(a.start, street.end(), a.label, a.detectors, a.model_score)
    return out


def join_dates_and_times(text: str, merged: list[Candidate]) -> list[Candidate]:
    """Merged spans (sorted, not overlapping) where a date and the time written right beside it ("22 May 2025,
    4:15pm", "18 Feb 2025 at 23:51", "10:00am on 2 July 2025") are joined by the first span growing over the
    comma, "at" or "on" between them, so it does not stand alone between two redactions. Both spans keep their
    labels, scores and thresholds: the policy decides each as before (a time left out of decoding.labels stays
    visible, a date under its threshold too), and a joined pair never turns into one span of another label."""
    out = list(merged)
    for k in range(len(out) - 1):
        a, b = out[k], out[k + 1]
        if a.end < b.start and _date_and_time(a, b) and _DATE_TIME_GAP.fullmatch(text, a.end, b.start):
            out[k] = Candidate(a.start, b.start, a.label, a.detectors, a.model_score)
    return out


def _date_and_time(a: Candidate, b: Candidate) -> bool:
    return (a.label in DATE_LABELS and b.label in TIME_LABELS) or (a.label in TIME_LABELS and b.label in DATE_LABELS)


def _only_names_inside(spans: list[Candidate], k: int, end: int) -> bool:
    """Whether the spans from spans[k] on (sorted) that start before `end` are names, places or addresses that end
    by `end`; only those are read, so a text of many units costs no quadratic time."""
    while k < len(spans) and spans[k].start < end:
        if spans[k].label not in NAME_OR_PLACE_LABELS | ADDRESS_LABELS or spans[k].end > end:
            return False
        k += 1
    return True


def cities_after_postcodes(text: str, postcodes: list[Candidate], others: list[Candidate] = ()) -> list[Candidate]:
    """A city span for the capitalised words written right after each postcode span of `postcodes` (spans of
    other labels are skipped) and ending its line or followed by a comma or a bracket, where no span of
    `postcodes` or `others` is: "41012 [Carpi] (MO)", "37000 [TOURS]"; everyday words only in capitals or as a
    listed city (_written_as_city). The model often finds the postcode of an address block but not the city
    after it. These spans are new, so they are the rule detector's (the entity table's `rule`), not the model's.
    The caller passes only the spans it acts on."""
    postcodes = [c for c in postcodes if c.label in POSTCODE_LABELS]
    if not postcodes:
        return []
    taken = _Intervals([(c.start, c.end) for c in (*postcodes, *others)])
    found = []
    for c in postcodes:
        city = _CITY_AFTER.match(text, c.end)
        if city and not taken.hit(city.start(1), city.end(1)) and \
                _written_as_city(city.group(1), _ADDRESS_BEFORE.search(text, max(0, c.start - 4), c.start) is not None):
            found.append(Candidate(city.start(1), city.end(1), CITY_LABEL, frozenset({"rule"})))
    return found


def _written_as_city(value: str, in_an_address: bool) -> bool:
    """Capitalised words; everyday words ("Order 10234 Confirmed", "ZIP 62704 Thanks") only in capitals, as
    address blocks write them ("37000 TOURS"), as a listed city, or after a postcode that starts its line or
    follows a comma (`in_an_address`: "Via Roma 221, 41012 Carpi")."""
    words = re.split(r"[ -]", value)
    if len(value) < 3 or not all(w.istitle() or w.isupper() for w in words):
        return False  # "PIN 4821 OK"
    if value.isupper() or value in city_names() or in_an_address:
        return True
    return not all(w.lower() in everyday_words() for w in words)


def grow_companies(text: str, spans: list[Candidate], others: list[Candidate] = ()) -> list[Candidate]:
    """Each company span of `spans` grown over the capitalised words of the name it stands in, on its line: to the
    left when it ends with a legal form ("Nimbus [Analytics Pvt. Ltd.]", "Thistle & Pine [Joinery Ltd]"), taking in
    a name or place span of `spans` right beside it ("[Lombardi]" first_name, "Meccanica SpA"); to the right when
    it does not ("Kora [Finance]"). It stops at a function word ("from", "at", "Call"), a calendar word, an
    everyday word that starts a sentence ("Joining"), a line break and every other span; "and" is no part of a
    name here ("NASA and De Smedt VOF")."""
    taken = _Intervals([(c.start, c.end) for c in spans if c.label not in NAME_OR_PLACE_LABELS]
                       + [(c.start, c.end) for c in others])  # names and places a company may take in
    names = {c.start for c in spans if c.label in NAME_OR_PLACE_LABELS}
    every = _Intervals([(c.start, c.end) for c in (*spans, *others)])
    out = []
    for c in spans:
        if c.label != COMPANY_LABEL:
            out.append(c)
            continue
        start, end = c.start, c.end
        legal_form = _ends_with_legal_form(text, c.start, end)
        for _ in range(MAX_NAME_WORDS if legal_form else 0):
            word = _CAPITAL_WORD_BEFORE.search(text, max(0, start - 40), start)
            if not word or taken.hit(word.start(1), start) or not is_name_word(word.group(1), names, word.start(1)):
                break
            if word.start(1) not in names and everyday_word_starting_sentence(text, word.start(1), word.end(1), True):
                break  # "Joining Hofbauer OG"
            start = word.start(1)
        for _ in range(0 if legal_form else MAX_NAME_WORDS):
            word = _CAPITAL_WORD_AFTER.match(text, end)
            if not word or every.hit(end, word.end(1)) or not is_name_word(word.group(1)):
                break  # no other span, a name neither: "Thanks, Acme [Anna] will call"
            end = word.end(1)
        out.append(Candidate(start, end, c.label, c.detectors, c.model_score) if (start, end) != (c.start, c.end)
                   else c)
    return out


class _Intervals:
    """Intervals that may overlap, asked whether any of them meets [start, end): bisection over the starts and a
    running maximum of the ends, so long texts with many spans cost no quadratic time."""

    def __init__(self, intervals: list[tuple[int, int]]):
        ordered = sorted(intervals)
        self.starts = [a for a, _ in ordered]
        self.max_end = list(itertools.accumulate((b for _, b in ordered), max))

    def hit(self, start: int, end: int) -> bool:
        k = bisect_left(self.starts, end)  # intervals starting before `end`
        return k > 0 and self.max_end[k - 1] > start


def _ends_with_legal_form(text: str, start: int, end: int) -> bool:
    words = text[start:end].split()
    return bool(words) and legal_form_after().fullmatch(" " + words[-1]) is not None


def complete_spans(text: str, spans: list[Candidate], others: list[tuple[int, int]] = ()) -> list[Candidate]:
    """Each span grown over its missing edge pieces (see the module docstring). A span grows up to the
    edges of the spans beside it, of `spans` or of `others` (the rules' spans, so "San [Jose] Regional Manager"
    leaves "San Jose" to the city rule), never into them; a piece between two spans may join both (the merge
    then joins them)."""
    edges = [(c.start, c.end) for c in spans] + list(others)
    starts, ends = sorted(a for a, _ in edges), sorted(b for _, b in edges)
    out = []
    for c in spans:
        i, j = bisect_right(ends, c.start), bisect_left(starts, c.end)
        low, high = ends[i - 1] if i else 0, starts[j] if j < len(starts) else len(text)
        start, end = _grown(text, c, low, high)
        grown = (start, end) != (c.start, c.end)
        out.append(Candidate(start, end, c.label, c.detectors, c.model_score) if grown else c)
    return out


def grow_legal_forms(text: str, spans: list[Candidate], others: list[Candidate] = (),
                     company_label: str | None = None) -> list[Candidate]:
    """Each name, place or company span of `spans` grown over a legal form written right after it ("Hofbauer
    [OG]", "MITCHELL [INC]", "Jones[ & Co.]"), up to the next span of `spans` or `others`, and then labelled
    `company_label` when given: a name with a legal form is a company's."""
    starts = sorted(c.start for c in (*spans, *others))
    out = []
    for c in spans:
        if c.label not in LEGAL_FORM_AFTER:
            out.append(c)
            continue
        j = bisect_left(starts, c.end)
        end = _legal_form(text, c.end, starts[j] if j < len(starts) else len(text))
        out.append(Candidate(c.start, end, company_label or c.label, c.detectors, c.model_score) if end != c.end else c)
    return out


def _grown(text: str, c: Candidate, low: int, high: int) -> tuple[int, int]:
    start, end = c.start, c.end
    if c.label in ADDRESS_LABELS:
        after = _NUMBER_AFTER.match(text, end, high)
        if after:
            end = after.end()
        direction = _DIRECTION_AFTER.match(text, end, high)
        if direction:
            end = direction.end()
        kind = _TYPE_BEFORE.search(text, max(low, start - 8), start)
        if kind and (kind.group("unit") is None or text[start].isdigit()):  # a unit word only before its number
            start = kind.start()
        before = _PIECE_BEFORE.search(text, max(low, start - 48), start) or \
            _NUMBER_BEFORE.search(text, max(low, start - 16), start)
        if before:
            start = before.start()
        end = _address_pieces(text, start, end, high)
    if c.label in DATE_LABELS | TIME_LABELS:
        before = _WEEKDAY_BEFORE.search(text, max(low, start - 16), start)
        if before and (before.group("at") is None or c.label not in DATE_LABELS):
            start = before.start()
    if c.label in TIME_LABELS and text[end - 1 : end].isdigit():
        after = _TIME_AFTER.match(text, end, high)
        if after:
            end = after.end()
        month = _MONTH_DAY_BEFORE.search(text, max(low, start - 8), start) if _CLOCK.match(text, start, end) else None
        if month:
            start = month.start()
    if c.label in OCCUPATION_LABELS:
        start = _job_head(text, start, end, low)
    if end < high and text[end] == ".":
        last = _LAST_WORD.search(text, max(start, end - 6), end)
        if last and last.group() in ABBREVIATIONS:
            end += 1
    return start, end


def _address_pieces(text: str, start: int, end: int, high: int) -> int:
    """The end of a street address grown over the pieces of it written after a comma: the flat or floor
    ("Vesterbrogade 41[, 2. th.]", "Via Garibaldi 23[, int. 5]", "Rua do Ouro 88, 2º[ Esq.]"), and the street
    after a lone unit ("Unit 7[, Carrick Business Park]")."""
    unit = _UNIT_AFTER.match(text, end, high)
    if unit:
        end = unit.end()
    if _LONE_UNIT.fullmatch(text, start, end):
        street = _STREET_PIECE_AFTER.match(text, end, high)
        if street:
            end = street.end()
    return end


def _job_head(text: str, start: int, end: int, low: int) -> int:
    """One word before an occupation, written like the occupation's first word (Title Case before Title
    Case, lower case before lower case) and not a function word: "Senior" in "Senior Data Engineer"."""
    before = _WORD_BEFORE.search(text, max(low, start - 40), start)
    words = text[start:end].split()
    if not before or not words:
        return start
    word, first = before.group(1), words[0]
    if word.lower() in FUNCTION_WORDS:
        return start
    title = word[0].isupper() and first[0].isupper() and not word.isupper()
    same_case = title or (word.islower() and first.islower())
    return before.start() if same_case else start

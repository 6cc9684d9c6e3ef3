"""Model spans that cannot be what their label says (`detection.check_casing`).

In text written with ordinary capitals, names of people, places and companies are capitalised. The small model
still reads lower-case everyday words as names or places ("a spoonful" -> country, "switched" -> last name,
"damp cloth" -> street address), and pronouns as first names ("She"). Such a span is kept (listed in the
entity table with action `kept`), not redacted, when its label is a name, place or company and
- it is one of the words that are never a name by themselves: pronouns, articles, possessives, written in
  lower case or as the first word of a sentence ("She said"; "ME" is Maine, "Kou Her" a name), or
- it is one lower-case everyday word or Python keyword or built-in name on a line of code or a shell command
  ("def normalise(s: str)", "git commit -m 'fix pagination'"): there it is an identifier, or
- it is written in lower case, every word of it is an everyday English word that is no given name or surname
  (data/everyday_words.txt, written by jobs/make_given_names.py: "john", "smith", "rose" are not in it; numbers
  and single letters between the words do not count: "60 degrees"; but a street address with a number and a
  street type of data/street_words.txt is one: "45 church road"), and the text around it is written with
  ordinary capitals: most of its sentences start with one, or
- its label is a person's name, it is one word written in Title Case only because it starts a sentence of cased
  text, and in lower case it is an everyday English word ("Deploy to us-east-1", "Chapter 4", "Interest rates").
A span right beside another name, place or company span of the model ("john smith") is not kept by the last two
checks, unless that span is itself everyday words ("sourdough starter", "coastal areas").
Text in lower case throughout (chat, "hey john call me") keeps every such span redacted, and so does a
lower-case span that is not made of everyday words: user names ("kfranklin", "salvador.muro") are written in
lower case on purpose.

An occupation span of the model is kept when it is lower-case everyday words in cased text with no word of a job
title in it ("commuting", "shot handheld"; the job words of occupations.py: "nurse" stays).
Then, wherever the span stands: a person's name that is only titles and kinship words ("Dr", "cousin", "née"), a
span with no letter or digit or naming a number scheme ("PESEL"), an everyday word captioning a field
("Passenger:"), a person's name (or a place in lower case) that is one everyday word in lower case or capitals and
stands where no surname does ("gonna", "SQUAD"; not "jane weaver"), code on a line of code ("normalise(s",
"get_user(request)"), and a company or place on a verb in the imperative starting a sentence ("Mind the gap").
An occupation of lower-case everyday words none of which names a person is kept too ("hospital").
Only spans the model alone found are checked; a rule or deny-list span never is.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .names import read_word_list

NAME_LABELS = frozenset({"first_name", "last_name", "city", "country", "state", "county", "company_name",
                         "street_address", "private_person", "private_address"})
PERSON_LABELS = frozenset({"first_name", "last_name", "private_person"})
# never a name by themselves, lower case or starting a sentence ("She said"); not "an", "mine" (An Jung-hoon,
# Mine Yilmaz); "Her" inside a sentence is a Hmong surname (Kou Her), so only a sentence's first word counts
NEVER_NAMES = frozenset("""
i me my you your yours he him his she her hers it its we us our ours they them their theirs
this that these those who whom whose what which a the
""".split())
# words that stand before or after a person's name without being one: honorifics, kinship and address terms
# ("Dr Okafor", "Frau Albrecht", "my aunt Joost", "née Szabó", "Rahul bhai"); not "sr" (John Smith Sr), "nana"
# or "didi" (given names too), nor those that are surnames or given names too: Son (Masayoshi Son), Pan (Wei
# Pan), Cousin, Papa, Mama (Mama Diallo), Herr, Dame
TITLE_WORDS = frozenset("""
mr mrs ms miss mx dr prof sir madam madame mme mlle mister frau sra srta sig dott pani
mum mom mam dad daughter aunt auntie uncle nonna nonno grandma grandpa granny gran
wife husband sister brother bhai née nee
""".split())
# salutations and closings of letters and messages in English and other European languages ("Mit freundlichen
# Grüßen", "Ystävällisin terveisin", "Abraços", "Hola"): read as names by the model, never one when a span is
# made of nothing else. Not those that are names too: Best, Kind, Warm, Cher, Caro, Cara, Gentile, Lieber, Moi,
# Salamat, Tak, Den, Dona, Dear, Liebe, Querido, Hey, Salut, those names-dataset ranks among a country's 500
# commonest names: Bye (Norway), Hi, Hei, Hoi (Hong Kong, Macao), Tack (Belgium), and any given name of the
# given_name rule's list (Beste); the policy keeps such a span only with no name beside it on its line
# (policy._greeting_only)
GREETING_WORDS = frozenset("""
hello hiya regards cheers thanks thank goodbye greetings sincerely faithfully congratulations
mit freundlichen freundliche grüßen grüssen grüße grüsse viele hallo servus tschüss danke sehr geehrte
geehrter herzliche beste cordialement bonjour bonsoir merci bisous amitiés salutations distinguées sincères chère
hola saludos cordiales atentamente gracias estimado estimada querida abrazos besos olá abraços beijos
obrigado obrigada atenciosamente cumprimentos ciao saluti cordiali distinti grazie buongiorno carissimo carissima
groeten groetjes groet vriendelijke hartelijke geachte bedankt doei hej hilsen hälsningar vänliga venlig
vennlig mvh takk kiitos terveisin ystävällisin pozdrawiam pozdrowienia serdecznie dziękuję szanowny szanowna
szanowni cześć witam pozdravem děkuji vážený vážená ahoj üdvözlettel tisztelettel köszönöm szia kedves
saygılarımla merhaba teşekkürler sevgiler selamlar mulțumesc
""".split())
# a sentence start: the text's start, after . ! ? and blanks, or after a line break; possessive groups keep it
# linear on long runs of blanks
_SENTENCE_START = re.compile(r"(?:^|[.!?](?>\s+)|(?<!\s)(?>\s*\n\s*))[\"'(\[]*([^\W\d_])")
_AT_SENTENCE_START = re.compile(r"(?:[.!?]|\n)[\"'(\[\s]*\Z")
# a line of code: a keyword or command first, or two marks of code (a call, an assignment, an arrow, a brace)
_CODE_START = re.compile(r"\s*(?:\$[ \t]+(?=[a-z])|(?:def|class|elif|const|var|function|async def|git|npm|pip|docker|"
                         r"kubectl|curl|sudo)\s|(?:SELECT|INSERT INTO|UPDATE|DELETE FROM)\s|#include|//)")
_CODE_MARKS = re.compile(r"\w\(|\)\s*[:;{]|;\s*$| = |->|=>|==|!=|[{}]|\w\.\w+\(")
# built-in names that are names of people too, as given names or surnames the given-name list leaves out (it
# drops everyday words): Max, Min, Bin, Sum, Ord, Else, Any, Iter
NAMES_IN_CODE = frozenset({"max", "min", "bin", "sum", "ord", "else", "any", "iter", "hash", "round", "id"})
# units written after a number, never a name there ("212 MB" read as a last name)
UNITS = frozenset("KB MB GB TB PB KiB MiB GiB TiB kb mb gb Hz kHz MHz GHz km cm mm kg mg ml kW kWh mph kph ms min hrs "
                  "sec px pt".split())  # no single letters: "350 W 34th St", "221 B Baker Street", "table 4 L Chen"
_NUMBER_BEFORE = re.compile(r"[0-9][ \t]?\Z")
_UNIT = r"[ \t]?(?:" + "|".join(sorted(UNITS, key=len, reverse=True)) + r")(?![\w])"  # a unit after a number
_NUMBER_UNIT, _UNIT_AFTER = re.compile(r"[0-9]" + _UNIT), re.compile(_UNIT)
_PLATE_MEASURE = re.compile(r"[0-9]+(?:[.,][0-9]+)?" + _UNIT)  # "750 ml" read as a plate
_COUNTED_LABELS = frozenset({"age", "cvv", "pin"})
# what counts things, before a number: a word of count or position, a shell flag, or a key whose name holds no
# word of the label's value ("evicted=12"; not "patient_age=47", "passcode=4821", "cvn=123")
_COUNT_BEFORE = re.compile(r"(?i:(?<![\w])(?:character|char|line|column|col|size|count|limit|port|retries|retry|"
                           r"attempts?|threads?|workers?|items?|rows?|bytes?|step|level|chapter|page|version|width|"
                           r"height|timeout|max|min|top|tail|head)[ \t]*[:=#]?[ \t]*|[ \t]-n[ \t]*|#|"
                           r"[0-9][ \t]+of[ \t]+)\Z")  # "attempt 3 of 10": the second number counts too
_KEY_BEFORE = re.compile(r"([A-Za-z_][\w.-]*)[ \t]*=[ \t]*\Z")
_SENSITIVE_KEY = re.compile(r"(?i:age|cv|code|pin|pass|sec|dob|birth|born|year|old|card)")
DATE_LABELS_FORM = frozenset({"date", "date_of_birth", "date_time"})
_DATE_FORMAT = re.compile(r"(?:DD|dd|MM|mm|YY|yy|YYYY|yyyy|hh|HH|ss)(?:[/.\-: ](?:DD|dd|MM|mm|YY|yy|YYYY|yyyy|hh|HH|"
                          r"ss))*")
_DOTTED_BEFORE, _DOTTED_AFTER = re.compile(r"(?:[0-9.]|\[\.\])*\Z"), re.compile(r"(?:[0-9.]|\[\.\]){0,16}")
# a number of years someone spent at something, not their age ("after 38 years as a porter", "worked 31 years",
# "retires after 19 years"): years that are not "old", "of age" or "of life", after a word of tenure or before
# "as", "ago", "experience" or "service"; clinical and translated ages stay ages ("a woman of 45 years with a
# history of asthma", "María, with 45 years", "67 years in good health", "he lived for 45 years")
_YEARS_AFTER = re.compile(r"[ \t]*(?:years?|yrs?)\b(?![ \t-]*(?:old|of[ \t]+age))", re.I)
_TENURE_BEFORE = re.compile(r"(?<![\w])(?:after|worked|spent|served)[ \t]+\Z", re.I)
_TENURE_AFTER = re.compile(r"[ \t]*(?:years?|yrs?)[ \t]+(?:as|ago|(?:of[ \t]+)?(?:experience|service))(?![\w])", re.I)
_NOT_TENURE_AFTER = re.compile(r"[ \t]*(?:years?|yrs?)[ \t]+of[ \t]+(?:age|life)(?![\w])", re.I)
# an amount of money ("£395,000", "DKK 11,500", "3.120,00 €"): read as an address, a plate, a phone number or an
# age by the model, never one of the labels below
MONEY_MISREAD_LABELS = frozenset({"street_address", "postcode", "phone_number", "fax_number", "age", "date", "time",
                                  "date_time"})  # not plates: "CAD 4821", "EUR-5521" are plates
_CURRENCY = (r"(?:[£€$¥₹]|(?:USD|EUR|GBP|DKK|SEK|NOK|CHF|PLN|CZK|HUF|INR|JPY|AUD|CAD|NZD|ZAR|BRL|MXN|XOF|KES|NGN|"
             r"RON)(?![A-Za-z]))")
_DIGITS_OF_AMOUNT = r"\d{1,3}(?:[,. ]\d{3})*(?:[.,]\d{1,2})?"  # "395,000", "3.120,00", "1 245,90"; not "12.03.2024"
_AMOUNT = re.compile(rf"{_CURRENCY}[ \t]?{_DIGITS_OF_AMOUNT}|-?{_DIGITS_OF_AMOUNT}[ \t]?{_CURRENCY}")
_CURRENCY_BEFORE = re.compile(rf"{_CURRENCY}[ \t]?\Z")
_CURRENCY_AFTER = re.compile(rf"(?:[.,]\d{{1,2}})?[ \t]?{_CURRENCY}")
# a measure after a number: the number is no age, CVV or PIN ("25 Nm", "highs of 18 degrees", "40 min", "90%")
_MEASURE_AFTER = re.compile(r"[ \t]?(?:°|%|(?:degrees?|Nm|kg|km|cm|mm|mg|ml|kW|kWh|mph|kph|ms|min|mins|KB|MB|GB|TB|"
                            r"Hz|kHz|MHz|GHz)(?![\w]))")
# a temperature, the whole span: degrees with their scale, or the word; not a bare C or F ("Apt 12C", "seat
# 17F"), not an ordinal's degree sign or a flat within an address ("Facture n° 118", "Corrientes 1234, 5° C")
_DEGREES = re.compile(r"-?[0-9]+(?:[.,][0-9]+)?[ \t]?"
                      r"(?:°[ \t]?[CF]|(?i:degrees?(?:[ \t]?(?:C|F|celsius|fahrenheit))?))")
CLOCK_LABELS = frozenset({"time", "date", "date_time"})
# a length of time, not a point in it ("24 hours", "2.5 hrs", "90 minutes", "3 weeks"); at most two digits before
# hours, so a clock time written the military way stays one ("2215 hrs", "0800 hours")
_DURATION = re.compile(r"(?:\d{1,2}(?:[.,]\d+)?[ \t]*(?:hours?|hrs?)|\d{1,3}(?:[.,]\d+)?[ \t]*(?:minutes?|mins?|"
                       r"seconds?|secs?|days?|weeks?|months?))", re.I)
# a subtitle's cue line ("00:07:41,200 --> 00:07:43,900"): positions in a film, not times of day; only the whole
# form, so a shift change in a log ("12:00 --> 13:00") stays two times
_CUE = re.compile(r"[0-9]{2}:[0-9]{2}:[0-9]{2}[,.][0-9]{3}[ \t]*-->[ \t]*[0-9]{2}:[0-9]{2}:[0-9]{2}[,.][0-9]{3}")
_CLOCK_WORD_BEFORE = re.compile(r"(?<![\w])(?:at|by|until|till|from|to)[ \t]+\Z|@[ \t]*\Z", re.I)  # "at 14 hrs"
# the forms a value of a label always has (docs/detection.md, seventh round): an email without its "@" (written,
# spelled out or encoded: "jo (at) x dot org", "jo%40x.org") is no everyday word alone ("breastfeeding"; a user
# name or a web address read as an email is still PII: "kwame.b", "github.com"); a plate is no score or range ("won
# 3-1", "3–5 working days") and no measure ("750 ml"); a postcode is letters, digits, blanks and hyphens ("HEAD~3"
# is git's, "2–1" a score); a gender of one lower-case letter is m, f or x ("b. 1871" is born; a capital may be a
# flat: "Bât. C"); a password has three characters or more in its word (a shorter span inside a longer word is a
# piece of one)
_EMAIL_AT = re.compile(r"[@＠]|%40|[(\[{<][ \t]*at[ \t]*[)\]}>]|[ \t]at[ \t]", re.I)
_SCORE_OR_RANGE = re.compile(r"[0-9]{1,2}[ \t]?[-–—:][ \t]?[0-9]{1,2}")
_POSTCODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 \-]*")
_EDGE_PUNCTUATION = " \t\n,.;:()[]\"'-–—"
SHORTEST_PASSWORD = 3
# an age before a plural noun that counts things ("(3 partitions)", "5 retries"); not a unit of age
_PLURAL_AFTER = re.compile(r"[ \t]+([a-z]{3,}s)(?![\w-])")
AGE_UNITS = frozenset({"years", "yrs", "months", "mos", "weeks", "wks", "days", "hours"})
_TEMPERATURE = re.compile(r"°\s*[CF]\b|\d\s*(?:degrees?\s*)?(?:C|F|celsius|fahrenheit)\Z", re.I)
CODE_LINE_WINDOW = 240  # characters of a line read around a word, on each side (long lines: no quadratic cost)
NAME_WINDOW = 2000  # characters around a word searched for it written as a name
ADDRESS_LABELS = frozenset({"street_address", "private_address"})
CASED_SHARE = 0.6  # share of sentence starts written with a capital for the text to count as cased
EVERYDAY_WORDS_FILE, STREET_WORDS_FILE = "everyday_words.txt", "street_words.txt"
_LETTERS = re.compile(r"[^\W\d_]+")


@lru_cache(maxsize=1)
def everyday_words() -> frozenset[str]:
    return read_word_list(EVERYDAY_WORDS_FILE)


@lru_cache(maxsize=1)
def street_words() -> frozenset[str]:
    return read_word_list(STREET_WORDS_FILE)


def is_cased(text: str) -> bool:
    """Whether most sentences of `text` start with a capital letter (at least two sentence starts, or one
    capital start in a one-sentence text)."""
    starts = [m.group(1) for m in _SENTENCE_START.finditer(text)]
    if not starts:
        return False
    return sum(ch.isupper() for ch in starts) / len(starts) >= CASED_SHARE


def never_a_name(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is a pronoun or article written as one (see the module docstring), or a number and
    its unit ("212 MB", "5 km": either read as a name)."""
    word = text[start:end].strip()
    if word in UNITS and _NUMBER_BEFORE.search(text, max(0, start - 8), start):
        return True
    if word.isdigit() and _UNIT_AFTER.match(text, end):
        return True  # "(212 MB)": a size; a number read as a name elsewhere may be an age or a house number
    # in capitals it may be a code: ME (Maine), US, IT
    return word.lower() in NEVER_NAMES and (word.islower() or (word.istitle() and _starts_sentence(text, start)))


# the names of number schemes and of fields written before their number ("PESEL 92081504321", "CPF
# 372.418.559-06", "PNR X7KQ2M", "Tel +47 934 12 775", "Cédula: 1.036.482.559"): read as a place or a name by the
# model, never one. Not those that are names too: Sin, Tin, Nin, Nie, Fin, Nino, Pan, Swift, and those names-dataset
# ranks among a country's 700 commonest names: Visa (Finland), Siret (Estonia), Siren (Norway), Mob (Algeria)
SCHEME_WORDS = frozenset("""
ssn nhs ein itin vat aadhaar pesel nip regon cpf cnpj rg nif dni cif bsn ird tfn abn
cuit curp rfc nric hkid pnr awb iban bic cvv cvc pin otp mrn ref
tel tél fax mastercard amex cédula cedula tracking salary brutto importe fare
""".split())
# what a scheme's number looks like after its name: a code with a digit ("92081504321", "no. 372.418", "X7KQ2M"),
# or a phone number's "+" or "(" ("+47 934", "(01970)")
_SCHEME_NUMBER_AFTER = re.compile(r"[ \t]*(?:(?:[:#]|no\.?|number)[ \t]*)?(?:[A-Z]*|\+|\()\d", re.I)
# captions that may be nicknames too ("Ask Tel (07700 900123)"): only where a caption stands, at a line's start or
# after a separator ("| Tel +47 ...", "· Fax ...")
CAPTION_SCHEME_WORDS = frozenset({"tel", "tél", "fax"})
_CAPTION_PLACE = re.compile(r"(?:^|[\n|·•,;\t]|[ ]{2})[ \t]*\Z")


def no_name_at_all(text: str, start: int, end: int) -> bool:
    """Whether a name, place or company span has no letter or digit (an emoji, rating stars, an arrow, dashes),
    or is the name of a number scheme written before its number ("PESEL 92081504321", "CPF: 372.418.559-06"; see
    SCHEME_WORDS)."""
    value = text[start:end]
    return not any(ch.isalnum() for ch in value) or (
        value.strip().lower() in SCHEME_WORDS and _SCHEME_NUMBER_AFTER.match(text, end) is not None and (
            value.strip().lower() not in CAPTION_SCHEME_WORDS or
            _CAPTION_PLACE.search(text, max(0, start - 8), start) is not None))




def only_greeting_words(value: str) -> bool:
    """Whether a name, place or company span is only salutations and closings ("Mit freundlichen Grüßen",
    "Ystävällisin terveisin", "Hola"; see GREETING_WORDS): never a name, wherever it stands. A span that also
    holds a name is one ("Hola Marta")."""
    from .names import given_names

    words = _LETTERS.findall(value)
    return bool(words) and all(w.lower() in GREETING_WORDS and w.title() not in given_names() for w in words)


def only_title_words(value: str) -> bool:
    """Whether a person's-name span is only honorifics and kinship words ("Dr", "Frau", "cousin", "née"; see
    TITLE_WORDS): never a name, wherever it stands."""
    words = _LETTERS.findall(value)
    return bool(words) and all(w.lower() in TITLE_WORDS for w in words)


def everyday_word_in_one_case(value: str) -> bool:
    """Whether `value` is one everyday English word written all in lower case or all in capitals ("calling",
    "SQUAD"). Given names and the commonest surnames are not in the word list ("john", "SMITH"), but rarer
    surnames are ("crane", "BISHOP"), so the policy keeps such a span only in lower case in cased text and not
    after a name ("Jane weaver"). Street and unit words are left out: a unit read as a name begins an address
    ("flat 3, 19 hartington rd")."""
    word = value.strip()
    return word.isalpha() and (word.islower() or word.isupper()) and len(word) > 1 and \
        word.lower() in everyday_words() and word.lower() not in street_words()  # "flat 3, 19 hartington rd"


def caption_word(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is one everyday English word in Title Case or capitals right before a colon: the
    caption of a field ("Passenger: ...", "Guarantor:", "Tel:"), not the name in it. Given names and the commonest
    surnames are not in the word list, so a speaker in a transcript ("Baker: yes") stays."""
    word = text[start:end]
    if after_a_title(text, start):
        return False  # "BY MR. STRONG:", a speaker in a transcript
    return word.isalpha() and (word.istitle() or word.isupper()) and len(word) > 1 and \
        word.lower() in everyday_words() and text[end : end + 1] == ":"


_WORD_BEFORE = re.compile(r"([^\W\d_]+)\.?[ \t]+\Z")


def after_a_title(text: str, start: int) -> bool:
    """Whether a title or kinship word stands right before `start` ("Ms Dear", "Dr. Querido")."""
    before = _WORD_BEFORE.search(text, max(0, start - 12), start)
    return before is not None and before.group(1).lower() in TITLE_WORDS


def in_a_subtitle_cue(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] lies inside a subtitle's whole cue line ("00:07:41,200 --> 00:07:43,900"); the
    policy's time check and the time rule (rules.py) both ask it."""
    if "-->" not in text[max(0, start - 8) : end + 8]:
        return False
    return any(m.start() <= start and end <= m.end() for m in _CUE.finditer(text, max(0, start - 32), end + 32))


def implausible_value(text: str, start: int, end: int, label: str) -> bool:
    """Whether a model span cannot be what its label says by its form (see the module docstring and
    docs/detection.md): an age, CVV or PIN that is a number counting or placing things ("at character 15", "queue
    size 1024", "tail -n 50", "evicted=12"; not after a key that names the value: "patient_age=47",
    "passcode=4821") or a number before its unit ("25 Nm", "18 degrees"); a date's format ("DD/MM/YYYY"; "YYYY"
    under any label); an IPv4 address of fewer than four numbers ("eslint@9.1.0"); a temperature as a coordinate
    ("25°C") or as an address, postcode, phone number, age, date or time ("25 °C", the whole span); an amount of
    money under those labels ("£395,000", "DKK 11,500"; not a plate); an age that is years of tenure ("after 38
    years as a porter"; not "38 years old", "45 years of age", "a woman of 45 years with ..."); a time or date that
    is a duration ("within 24 hours"; not "2215 hrs", "at 14 hrs") or inside a subtitle's cue line ("00:07:41,200
    --> 00:07:43,900"); and the forms of _wrong_form ("attempt 3 of 10" and "(3 partitions)" as ages, a score as a
    plate, an everyday word as an email)."""
    value = text[start:end]
    if len(value.strip()) >= 4 and _DATE_FORMAT.fullmatch(value.strip()):
        return True  # a date's format under any label ("YYYY" read as a country; not "MM", which may be initials)
    if label in MONEY_MISREAD_LABELS and _DEGREES.fullmatch(value.strip()):
        return True  # a temperature ("Store below 25 °C" read as an address)
    if label in _COUNTED_LABELS and value.isdigit() and _MEASURE_AFTER.match(text, end):
        return True  # a measure: "25 Nm", "highs of 18 degrees", "waited 40 min"
    if label in MONEY_MISREAD_LABELS and (_AMOUNT.fullmatch(value.strip().rstrip(".")) or (
            re.fullmatch(_DIGITS_OF_AMOUNT, value.strip()) and (_CURRENCY_BEFORE.search(text, max(0, start - 6), start)
                                                             or _CURRENCY_AFTER.match(text, end)))):
        return True  # an amount of money: "£395,000", "DKK 11,500", "3.120,00 €"
    if label == "age" and value.isdigit() and _YEARS_AFTER.match(text, end) and not _NOT_TENURE_AFTER.match(text, end) \
            and (_TENURE_BEFORE.search(text, max(0, start - 12), start) or _TENURE_AFTER.match(text, end)):
        return True  # years spent at something: "after 38 years as a porter"
    if label in _COUNTED_LABELS and value.isdigit() and _counted_number(text, start):
        return True  # a count, a size or a position: "at character 15", "queue size 1024"
    if label in CLOCK_LABELS and ((_DURATION.fullmatch(value.strip()) and
                                   not _CLOCK_WORD_BEFORE.search(text, max(0, start - 8), start)) or
                                  in_a_subtitle_cue(text, start, end)):
        return True  # a duration ("within 24 hours") or a subtitle's cue time, not a date or a time of day
    if label in DATE_LABELS_FORM:
        return _DATE_FORMAT.fullmatch(value) is not None  # a format ("DD/MM/YYYY"), not a date
    if label == "ipv4":  # the whole dotted number around the span: a cut address still has four numbers
        low = _DOTTED_BEFORE.search(text, max(0, start - 16), start).start()
        high = _DOTTED_AFTER.match(text, end).end()
        return text[low:high].replace("[.]", ".").strip(".").count(".") < 3  # "185.220.101[.]4" is four
    if label == "coordinate":
        return _TEMPERATURE.search(value) is not None
    return _wrong_form(text, start, end, label)


def _wrong_form(text: str, start: int, end: int, label: str) -> bool:
    """The forms of _EMAIL_AT and below: a value its label never takes, wherever it stands."""
    raw = text[start:end].strip()
    if len(raw) >= 2 and len(set(raw)) == 1 and not raw[0].isalnum():
        return True  # a blank to fill in or a rule, under any label: "____________", "*****", "-----"
    value = raw.strip(_EDGE_PUNCTUATION)
    if label == "email":
        return value.isalpha() and value.lower() in everyday_words() and _EMAIL_AT.search(text[start:end]) is None
    if label == "license_plate":
        return bool(_SCORE_OR_RANGE.fullmatch(value) or _PLATE_MEASURE.fullmatch(value))
    if label == "postcode":
        return bool(value) and _POSTCODE.fullmatch(value) is None
    if label == "gender":
        return len(value) == 1 and value.islower() and value not in "mfx"
    if label == "password":
        low, high = start, end  # the whole word around the span: a piece of a longer password is still one
        while low > 0 and not text[low - 1].isspace():
            low -= 1
        while high < len(text) and not text[high].isspace():
            high += 1
        return len(text[low:high].strip(_EDGE_PUNCTUATION)) < SHORTEST_PASSWORD
    if label == "age" and value.isdigit():
        noun = _PLURAL_AFTER.match(text, end)
        return noun is not None and noun.group(1) not in AGE_UNITS and noun.group(1) in everyday_words()
    return False


def everyday_in_cased_text(value: str, cased: bool, label: str | None = None) -> bool:
    """Whether `value` is lower-case everyday words in cased text (see the module docstring); numbers, single
    letters and punctuation between the words do not count ("60 degrees", "150 ml cider", "the auto-off"),
    except in an address that names a street type, where a number is the house's ("45 church road")."""
    if not cased or any(ch.isupper() for ch in value):
        return False
    words = [w for w in _LETTERS.findall(value) if len(w) > 1]
    if label in ADDRESS_LABELS and any(ch.isdigit() for ch in value) and any(w in street_words() for w in words):
        return False
    return bool(words) and all(w in everyday_words() or w in UNITS and _NUMBER_UNIT.search(value) for w in words)


def no_job_in_cased_text(value: str, cased: bool) -> bool:
    """Whether an occupation span is no noun at all: no word of two letters ("m"), or lower-case everyday
    words in cased text that are all verb forms in -ing or -ed ("commuting"; "cop", "nun", "nurse" stay). Other
    everyday words may name a person's work ("landlord", "referee", "army colonel"): they stay redacted."""
    words = [w for w in _LETTERS.findall(value) if len(w) > 1]
    if not words:
        return True
    return everyday_in_cased_text(value, cased) and all(w.endswith(("ing", "ed")) for w in words)


@lru_cache(maxsize=1)
def _code_words() -> frozenset[str]:
    """Python's keywords and built-in names ("str", "len", "elif", "isinstance"), less those that are given names
    (names.py) and NAMES_IN_CODE: on a line of code they are code, not a person."""
    import builtins
    import keyword

    from .names import given_names

    words = {w for w in (*dir(builtins), *keyword.kwlist) if w.isalpha() and w.islower()}
    return frozenset(w for w in words if w.title() not in given_names()) - NAMES_IN_CODE


def _counted_number(text: str, start: int) -> bool:
    """Whether the number at `start` follows a word that counts or places things, a shell flag or "#", or a key
    whose name holds no word of a sensitive value ("evicted=12")."""
    if _COUNT_BEFORE.search(text, max(0, start - 16), start):
        return True
    key = _KEY_BEFORE.search(text, max(0, start - 40), start)
    return key is not None and _SENSITIVE_KEY.search(key.group(1)) is None


def _line_around(text: str, start: int, end: int) -> tuple[str, bool]:
    """The line of text[start:end], at most CODE_LINE_WINDOW characters on each side, and whether its start is in."""
    low, high = max(0, start - CODE_LINE_WINDOW), min(len(text), end + CODE_LINE_WINDOW)
    line_break, line_end = text.rfind("\n", low, start), text.find("\n", end, high)
    line = text[line_break + 1 if line_break >= 0 else low : line_end if line_end >= 0 else high]
    return line, line_break >= 0 or low == 0


def word_on_code_line(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is one lower-case everyday word or Python keyword or built-in name on a line of
    code or a shell command ("def normalise(s: str)", "git commit -m 'fix pagination'"): an identifier or a word
    of a commit message. Names are not everyday words ("... for ana", "surname = 'smith'", "OWNER=okonkwo" stay
    redacted)."""
    word = text[start:end]
    if not word.isalpha() or not word.islower() or (word not in everyday_words() and word not in _code_words()):
        return False
    line, line_start_seen = _line_around(text, start, end)
    return (line_start_seen and _CODE_START.match(line) is not None) or len(_CODE_MARKS.findall(line)) >= 2


# code inside a span: a call, a path, a long option, an increment, a shell "and"/"or"
_CODE_IN_SPAN = re.compile(r"\w\(|\)|[A-Za-z_]/[A-Za-z_]|(?<![\w-])--\w|\+\+|&&|\|\|")
# a key that names a secret right before the span: its value stays redacted even on a line of code
_SECRET_KEY_BEFORE = re.compile(r"(?i:pass|pwd|secret|token|key|auth|cred|pin|cvv|cvc|code)\w*[\"']?\s*"
                                r"(?:[=:(]|==|!=|[<>]=?)\s*[\"']?\Z|(?<!\S)-p\Z")  # "mysql -u root -ps3/cret"
# a home folder: the path names its user ("/home/jsmith/docs", "C:\\Users\\amelie")
_HOME_FOLDER = re.compile(r"(?i:[/\\](?:home|users)[/\\])")
_JSON_VALUE_BEFORE = re.compile(r"[\"']\s*:\s*[\"']\Z")  # "street":"ul. Marszałkowska 104/122": data, not code
# the labels the model puts on code: names, places, user names, numbers read as ages or PINs, and secrets
CODE_MISREAD_LABELS = NAME_LABELS | frozenset({"user_name", "age", "pin", "cvv", "gender", "blood_type",
                                               "street_address"})
SECRET_LABELS = frozenset({"password", "api_key"})
_LOWER_CASE_CODE = re.compile(r"[a-z_][a-z0-9_.]*\([a-z0-9_.()]*|/?[a-z0-9_.-]+(?:/[a-z0-9_.-]+)+")
_COMPARED_NUMBER = re.compile(r"(?:[<>]=?|==|(?<=\w)\(|\*|\+|-)\s*\Z")  # "range(10)"; not "Reed (47)"


def code_on_code_line(text: str, start: int, end: int, label: str) -> bool:
    """Whether text[start:end], on a line of code or a shell command (as in word_on_code_line), is code: it holds
    a call, a path, a long option or an operator ("normalise(s", "/var/log/syslog", "-- --watch", "i++"), or it
    is an identifier called right after it ("get_user(request)"), or a number compared or computed with ("age >
    18", "range(10)", "i * 2"). Not after a key that names a secret ("password = 'p/w(1)'" stays redacted), nor
    a quoted value of a JSON key ("street":"ul. Marszałkowska 104/122"): that is data. Only for the labels the
    model puts on code (CODE_MISREAD_LABELS, a phone number there is still one), and for a secret only a
    lower-case call or path ("print(i", "/var/log/syslog"; "N(vWiNd" in a connection string stays redacted)."""
    line, line_start_seen = _line_around(text, start, end)
    if not ((line_start_seen and _CODE_START.match(line) is not None) or len(_CODE_MARKS.findall(line)) >= 2):
        return False
    if _SECRET_KEY_BEFORE.search(text, max(0, start - 40), start) or \
            _JSON_VALUE_BEFORE.search(text, max(0, start - 8), start):
        return False
    value = text[start:end]
    if label in SECRET_LABELS:  # only what cannot be a secret: a lower-case call or path ("print(i", "dev/sda1")
        return _LOWER_CASE_CODE.fullmatch(value) is not None
    if label not in CODE_MISREAD_LABELS:
        return False  # a phone number, an e-mail address, an IP address in a line of code is still one
    if _CODE_IN_SPAN.search(value):
        return label != "user_name" or _HOME_FOLDER.search(text, max(0, start - 8), end) is None
    if re.fullmatch(r"[A-Za-z_]\w*", value) and text[end : end + 1] == "(":
        return True
    return value.isdigit() and _COMPARED_NUMBER.search(text, max(0, start - 8), start) is not None


def everyday_word_starting_sentence(text: str, start: int, end: int, cased: bool) -> bool:
    """Whether text[start:end] is one everyday English word capitalised only because it starts a sentence of
    cased text ("Deploy to us-east-1", "Chapter 4", "Interest rates held"). Given names and the commonest
    surnames are not in the word list ("Will", "Rose", "Brown", "Smith"); a word that stands capitalised
    elsewhere in the text, not at a sentence start ("Weaver said ... met Jane Weaver"), or alone on its line
    (a signature: "Thanks,\\nRusty") is a name too."""
    word = text[start:end]
    if not (cased and word.istitle() and word.isalpha() and word.lower() in everyday_words()):
        return False
    if not _starts_sentence(text, start) or _alone_on_its_line(text, start, end):
        return False
    window = max(0, start - NAME_WINDOW), min(len(text), end + NAME_WINDOW)
    pattern = re.compile(r"(?<!\w)" + re.escape(word) + r"(?!\w)")
    return all(_starts_sentence(text, m.start()) for m in pattern.finditer(text, *window))


# what follows a verb in the imperative and never a name that is a sentence's subject ("Chop the onions", "Mix 250
# g", "Mind your step"; "Target said", "Reading is" stay); a number only with its unit ("Shell 2023 results",
# "Nice 06000" stay)
_OBJECT_AFTER = re.compile(r"[ \t]+(?:(?:the|a|an|your|my|our|their|his|her|its|it|them|this|these|those|all|some|"
                           r"many|much|every|each|two|three|four|five)\b|\d+(?:[.,/]\d+)?[ \t]?"
                           r"(?:g|kg|mg|ml|cl|l|oz|lb|lbs|cups?|tbsp|tsp|minutes?|mins?|hours?|seconds?|times)\b)")


def imperative_starting_sentence(text: str, start: int, end: int, cased: bool) -> bool:
    """Whether text[start:end] is an everyday English word in Title Case that starts a sentence of cased text and
    is followed by its object, as a verb in the imperative is ("Chop the onions", "Mix 250 g flour", "Too many
    cooks"): a company or place read there by the model is a recipe's or a manual's step."""
    word = text[start:end]
    return cased and word.istitle() and word.isalpha() and word.lower() in everyday_words() and \
        _starts_sentence(text, start) and _OBJECT_AFTER.match(text, end) is not None


def everyday_words_starting_sentence(text: str, start: int, end: int, cased: bool) -> bool:
    """Whether text[start:end] is an article and everyday words in lower case at the start of a sentence of cased
    text: "A stitch" (in time saves nine). Not a listed city or country, nor words holding a job word."""
    words = list(_LETTERS.finditer(text, start, end))
    if len(words) < 2 or words[0].start() != start or words[0].group().lower() not in _ARTICLES or any(
            not w.group().islower() or w.group() not in everyday_words() for w in words[1:]):
        return False  # "Target", "Shell", "Bath" alone may be a company or a place
    if text[start:end] in _places() or any(is_job_word(w.group()) for w in words):
        return False  # a listed place; a job inside ("Had a plasterer": the model's span, mislabelled)
    return everyday_word_starting_sentence(text, start, words[0].end(), cased)


_ARTICLES = frozenset({"a", "an", "the", "this", "that", "some", "no", "every"})


def is_job_word(word: str) -> bool:
    """Whether `word` is a head word of a job title (occupations.py's list: "plasterer", "trainer")."""
    from .occupations import job_words

    return word.lower() in job_words()


@lru_cache(maxsize=1)
def _places() -> frozenset[str]:
    from .names import city_names, country_names

    return city_names() | country_names()


def _alone_on_its_line(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - 16) : start]
    after = text[end : end + 16]
    return (start <= 16 and not before.strip() or before.rstrip(" \t").endswith("\n") or not before) and (
        not after.strip(" \t.,!") or after.lstrip(" \t.,!").startswith("\n"))


def _starts_sentence(text: str, start: int) -> bool:
    head = text[max(0, start - 64) : start]
    if not head.strip():  # the text's first word, unless a long run of blanks and a sentence end came before
        return start <= 64 or not text[:start].strip()
    return _AT_SENTENCE_START.search(text, max(0, start - 8), start) is not None

"""The `occupation` rule: job titles written where a title is expected ("works as a [senior paralegal]",
"Elin Sandberg, [Head of Origination]", "Position: [Warehouse Shift Supervisor]", "[Lead Backend Developer] at
Kodexa"). The one-layer model misses most job titles outside the shapes it was trained on, and a job title left
visible beside a name narrows the person down.

A title is a head word of data/job_words.txt (written by jobs/make_given_names.py: the head words of Faker's job
titles plus trades and offices Faker lacks: "engineer", "paralegal", "roofer", "CEO"), grown to the left over the
words that qualify it, written in the same case ("Senior Business Analyst", "former bank clerk", "QA engineer"),
and to the right over "of ..." ("Head of Procurement", "Associate Professor of Linguistics") and a grade ("II").
A head word alone is not enough: "ask a pharmacist", "the manager will call" name nobody. A title counts when

- a word before it says that what follows is someone's job: "is", "was", "as", "became", "turned", "appointed",
  "promoted to", "from ... to", or a comma, a dash or an opening bracket after a name ("Ravi (Company Secretary)"),
  optionally with "a", "an" or "the" in between; a one-word title in lower case after a name only where the
  phrase ends with it ("Oluwaseun, the locksmith.", "Ruud (foreman, ..."; not "Dear Anna, the manager will
  call");
- a caption names it: "Position:", "Job title:", "Role:", "Occupation:", at the start of a line;
- an employer follows it: "at", "@", "for", "with" or a comma, then a capitalised word ("SOC Team Lead at Redoubt");
- it fills a line of its own in Title Case or capitals, under another line (a signature: "Claire\\nHR Business
  Partner");
- "the" comes before a title in Title Case of two words or more, or an office in capitals ("the Finance
  Director", "the CFO": one person of an organisation), "our", "his", "her", "my" or "their" before any title
  ("our joiner"; not "your": "ask your doctor" is advice), or a listed given name after it ("master watchmaker
  Reto Brunner", names.py); or
- a word after it says it is a job ("a Senior Data Engineer role", "the Pharmacist vacancy"), or it fills a
  field of a record line (CSV, TSV, semicolons, pipes: "...;Warehouse Supervisor;+90 ..."), or a job advert asks
  for it ("hiring a", "looking for a"; not "we need a plumber": nobody is named), or
- it is an office that only a person holds, in Title Case: "Head of ...", "Director of ...", "Vice President",
  "Chief ... Officer", "Managing Director", or an office in capitals of a named organisation ("CEO of Ridewise":
  the title is "CEO" alone).
After "works as a", "job as an", "career as a" any noun of up to three words is a title, head word or not
("worked as a mountain guide"), but a collective is not ("work as a team").

The rule is not weak: where it overlaps a model span, the merge joins both, with this rule's label
(`Policy.decide`), since the model's usual mistake here is a piece of the title read as a name ("Managing" ->
last_name). Plurals ("our engineers") are never titles.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterator

from .names import read_word_list

JOB_WORDS_FILE = "job_words.txt"
# endings of job words the list need not hold: "marine biologist", "orthodontist", "electrician"
JOB_SUFFIXES = ("ologist", "ician", "iatrist", "ographer", "therapist", "dontist", "mason", "maker")
MAX_QUALIFIERS = 4  # words before the head ("Group Head of ...", "licensed real estate salesperson")
MAX_OF_WORDS = 4  # words after "of" ("Director of Customer Experience")
LINE_WINDOW = 120  # characters read around a title for the line it stands on

# words that never qualify a title: they end the walk to the left
_STOP = frozenset("""
a an the this that these those our your my his her their its some any every each no another one two
is was are were be been being am as at by for from in into of on onto to with without via per and or but nor
who whom whose which what where when while if then than so also just only very too now not new
i you he she we they me him us them it there here
has have had do does did will would can could should may might must shall
said says say told tells asked asks meet meets met call calls called contact contacted email ask
hire hired hiring need needs needed want wants wanted find found get got see saw know knew looking
turned became become becomes named appointed promoted elected joined joins left leaves works worked working
currently formerly previously recently later still already once soon today yesterday tomorrow
dear hi hello hey thanks thank regards mr mrs ms miss dr prof sir madam
""".split())
_OFFICES = re.compile(
    r"(?:Head|Director|Professor|Chair|Dean|Minister|Secretary|Commissioner|Governor) of"
    r"|Vice[- ]President|Managing Director|Managing Partner|Chief\b.*\bOfficer")
_CUE_BEFORE = re.compile(
    r"(?:(?P<word>(?<![\w'’])(?i:is|was|am|are|were|be|been|being|became|become|becomes|remains|(?<!such )as|turned|"
    r"appointed|named|promoted to|elected|hired as|work(?:s|ed|ing)? as|job as|career as|role as|role of|"
    r"position of|post of|title of|hiring|hires|seeking|seeks|looking for|wanted)[ \t]+|(?<![\w'’])(?i:(?:he|she|who|i|you|we|they)['’](?:s|m|re))[ \t]+)"
    r"|[,—–(·|/][ \t]*|(?<= )-[ \t]+)"
    r"(?P<article>(?i:a|an|the|our|their|his|her|my|your|new|now)[ \t]+)?\Z")
# a title before a word that says it is a job: "a Senior Data Engineer role at", "the Pharmacist vacancy"
_JOB_NOUN_AFTER = re.compile(r" (?:role|position|vacancy|job|post|opening|opportunity|contract|shift)\b")
# a title that fills a field of a record: CSV, TSV, semicolon or pipe separated ("...;Warehouse Supervisor;+90...")
_FIELD_BEFORE = re.compile(r"(?:^|[;\t|,])[ ]?\"?\Z", re.M)
_FIELD_AFTER = re.compile(r"\"?[ ]?(?:[;\t|,]|\r?$)", re.M)
_AFTER_A_NAME = re.compile(r"[A-Z][^\W\d_]+(?:,[ \t]+| \()\Z")  # a capitalised word and a comma or bracket
# the same with an article or possessive between, before a lower-case title that ends a phrase (an apposition)
_AFTER_A_NAME_THE = re.compile(r"[A-Z][^\W\d_]+(?:,[ \t]+| \()(?:(?i:the|our|my|his|her|their)[ \t]+)?\Z")
_APPOSITION_END = re.compile(r"[ \t]*(?:[.,;:)!?]|$)", re.M)
_WORKED_AS = re.compile(r"(?<![\w'’])(?i:work(?:s|ed|ing)?|job|career|started|start|employed|hired|trained)[ \t]+"
                        r"(?i:as)[ \t]+(?i:an?)[ \t]+([^\W\d_][\w-]*(?: [^\W\d_][\w-]*){0,2}?)(?=[ \t]*(?:[,.;:!?)]|$|"
                        r"[ \t](?:at|for|in|with|and|but|from|since|until|before|after|on|to|who|when|where)\b))",
                        re.M)
_NOT_JOBS = frozenset("team group unit whole pair family result favour favor matter rule hobby kid child "
                      "student volunteer".split())
_POSSESSIVE_BEFORE = re.compile(r"(?<![\w'’])(?i:our|his|her|my|their)[ \t]+(?:(?i:new|old|former|local)[ \t]+)?\Z")
_THE_BEFORE = re.compile(r"(?<![\w'’])(?i:the)[ \t]+\Z")
_NOUN_AFTER = re.compile(r" ([a-z][a-z-]*)(?![\w'’])")
_NAME_AFTER = re.compile(r" ([A-Z][^\W\d_]+)(?![\w-])")
_FROM_BEFORE = re.compile(r"(?<![\w'’])(?i:from)[ \t]+\Z")
_FROM_TO_BEFORE = re.compile(r"(?<![\w'’])(?i:from)[ \t]+[^\n]{1,50}(?<![\w'’])(?i:to)[ \t]+\Z")
_CAPTION = re.compile(
    r"[ \t]*(?i:position|job title|job|title|role|occupation|profession|designation|current role|"
    r"current position|employment)[ \t]*[:\-–—][ \t]*")
_AT_AFTER = re.compile(r"(?:[ \t]+(?:at|@|for|with)[ \t]+|[ \t]*@[ \t]*)[\"“(]?[A-Z0-9]")
_PUNCT_AFTER = re.compile(r"(?:,[ \t]+|[ \t]+[—–|-][ \t]+)[\"“(]?[A-Z0-9]")
_OF_AFTER = re.compile(r" (?:of|for) ")
_OF_CAPITAL = re.compile(r" of [A-Z0-9]")
_GRADE_AFTER = re.compile(r" (?:I{1,3}|IV|V|[1-5])(?![\w-])")
_WORD = re.compile(r"[^\W\d_][\w&'’.-]*(?<![.'’-])")


@lru_cache(maxsize=1)
def job_words() -> frozenset[str]:
    """Head words of job titles, lower case, plus a few capital-letter titles ("CEO")."""
    return read_word_list(JOB_WORDS_FILE)


def find_occupations(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each job title standing where a title is expected (see the module docstring)."""
    heads = job_words()
    words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
    found = sorted(set(_titles(text, words, heads)) | set(_worked_as(text)))
    last_end = -1
    for start, end in found:
        if start >= last_end:
            last_end = end
            yield start, end


def _worked_as(text: str) -> Iterator[tuple[int, int]]:
    """The noun after "works as a", "job as an", "career as a", whatever its head word: "worked as a [mountain
    guide]", "started as a [keg washer]"; up to three words, not a collective ("work as a team")."""
    for match in _WORKED_AS.finditer(text):
        words = match.group(1).split()
        if words[-1].lower() not in _NOT_JOBS and not any(w.lower() in _STOP for w in words):
            yield match.start(1), match.end(1)


def _titles(text: str, words: list, heads: frozenset[str]) -> Iterator[tuple[int, int]]:
    last_end = -1
    for i, (start, end, word) in enumerate(words):
        if start < last_end or not _is_head(word, heads):
            continue
        if word.lower() in ("head", "chair") and not text.startswith(" of ", end):
            continue  # "Head of Sales", "Chair of the Board"; not "a chair", "head office"
        if word.islower() and _NOUN_AFTER.match(text, end) and _NOUN_AFTER.match(text, end).group(1) not in _STOP:
            continue  # a noun after it: "driver bug", "partner integration"; the head word only qualifies it
        title = word[0].isupper()
        first = _qualifiers(text, words, i, title)
        stop = _of_part(text, words, i, title)
        grade = _GRADE_AFTER.match(text, stop)
        if grade and title:
            stop = grade.end()
        span_start = words[first][0]
        if _counts(text, span_start, stop, title):
            last_end = stop
            yield span_start, stop


def _is_head(word: str, heads: frozenset[str]) -> bool:
    if word.isupper() and len(word) > 1:
        return word in heads or (len(word) > 3 and _is_job_word(word.lower(), heads))  # "CEO"; "ENGINEER"
    return (word.islower() or word.istitle()) and _is_job_word(word.lower(), heads)


def _is_job_word(word: str, heads: frozenset[str]) -> bool:
    return word in heads or (len(word) > 7 and word.endswith(JOB_SUFFIXES))



def _same_case(word: str, title: bool) -> bool:
    if word.isupper() and len(word) > 1:
        return True  # an acronym qualifies either case: "HR Business Partner", "QA engineer"
    return word[0].isupper() if title else word.islower()


def _qualifiers(text: str, words: list, i: int, title: bool) -> int:
    """Index of the first word of the title ending at words[i]: qualifiers in its case, blanks between; never a
    listed given name ("my name is Tom Porter" holds no title)."""
    from .names import given_names

    first = i
    while first > 0 and i - first < MAX_QUALIFIERS:
        start, end, word = words[first - 1]
        gap = text[end : words[first][0]]
        if gap != " " or word.lower() in _STOP or not _same_case(word, title) or not word.isalnum() and "-" not in word:
            break  # "she's", "Ltd." end it
        if word in given_names():
            break
        first -= 1
    return first


def _of_part(text: str, words: list, i: int, title: bool) -> int:
    """End of the title headed by words[i]: "of"/"for" and up to MAX_OF_WORDS words in its case."""
    end = words[i][1]
    if not _OF_AFTER.match(text, end) or words[i][2].isupper():
        return end  # "CEO of Ridewise": the office, not the organisation
    stop, k, taken = end, i + 2, 0
    if text.startswith(" of the ", end):  # "Chair of the Supervisory Board"
        k += 1
    while k < len(words) and taken < MAX_OF_WORDS:
        start, word_end, word = words[k]
        if text[stop:start] not in (" ", " of ", " for ", " and ", " & ", " of the "):
            break
        if word.lower() in _STOP or not _same_case(word, title):
            break
        stop, k, taken = word_end, k + 1, taken + 1
    return stop


def _counts(text: str, start: int, end: int, title: bool) -> bool:
    """Whether the title at text[start:end] stands where a title is expected (see the module docstring)."""
    value = text[start:end]
    one_word = " " not in value and not (value.isupper() and value in job_words())  # "CEO" is a title by itself
    cue = _CUE_BEFORE.search(text, max(0, start - 40), start)
    article = (cue.group("article") or "").strip().lower() if cue else ""
    if cue and (cue.group("word") or article in ("a", "an") or title and not one_word):  # "Anna, Head of ..."
        return True
    if cue and not one_word and _AFTER_A_NAME.search(text, max(0, start - 40), start):  # "Dana Whitfield, licensed
        return True  # real estate salesperson", "Wouter de Graaf (project architect)"
    if not title and _AFTER_A_NAME_THE.search(text, max(0, start - 48), start) and _APPOSITION_END.match(text, end):
        return True  # "Oluwaseun, the locksmith.", "Ruud (foreman, ..."; not "Dear Anna, the manager will call"
    office = title and not one_word or value.isupper() and value in job_words()
    if office and _THE_BEFORE.search(text, max(0, start - 8), start):
        return True  # "the Finance Director", "the CFO": one person of an organisation
    if _POSSESSIVE_BEFORE.search(text, max(0, start - 12), start):
        return True  # "our joiner", "her new sacristan": one person, named by the job
    if _before_a_given_name(text, end):  # "master watchmaker Reto Brunner", "IT manager Rolf"
        return True
    line_break = text.rfind("\n", max(0, start - 40), start)
    caption = (line_break >= 0 or start <= 40) and _CAPTION.fullmatch(text, line_break + 1, start)
    if caption or _from_to(text, start):
        return True
    if title and _OFFICES.search(value):
        return True
    if _JOB_NOUN_AFTER.match(text, end) and (title and not one_word or _THE_BEFORE.search(text, max(0, start - 8), start)
                                              or cue is not None):
        return True  # "a Senior Data Engineer role", "the Pharmacist vacancy"
    if _fills_a_field(text, start, end):
        return True  # "Mehmet;Yıldırım;İzmir;Warehouse Supervisor;+90 ...", "...\tEnugu\tTreasurer"
    if one_word:  # a capitalised word after a comma is no title: "Cook", "Dean" are surnames too
        return False
    if _AT_AFTER.match(text, end) or title and _PUNCT_AFTER.match(text, end):
        return True
    if value.isupper() and value in job_words() and _OF_CAPITAL.match(text, end):
        return True  # "founder and CEO of Ridewise Mobility": an office of a named organisation
    return title and _own_line(text, start, end)


def _fills_a_field(text: str, start: int, end: int) -> bool:
    """Whether the title fills a field of a record line: a separator (or the line's edge) right on both sides, and
    at least two of that separator on its line ("Aisling Byrne\t087 220 4418\tCork\tVolunteer Coordinator")."""
    before = _FIELD_BEFORE.search(text, max(0, start - 2), start)
    after = _FIELD_AFTER.match(text, end)
    if not before or not after:
        return False
    low, high = max(0, start - LINE_WINDOW), min(len(text), end + LINE_WINDOW)
    line_start, line_end = text.rfind("\n", low, start) + 1, text.find("\n", end, high)
    line = text[line_start : line_end if line_end >= 0 else high]
    return any(line.count(sep) >= 2 for sep in (";", "\t", "|", '","')) or (line.count(",") >= 3 and ", " not in line)


def _before_a_given_name(text: str, end: int) -> bool:
    """Whether a listed given name follows the title ("watchmaker Reto Brunner"), or a run of capitalised words
    in a text that lists it; the given_name rule's list (names.py)."""
    from .names import given_names

    after = _NAME_AFTER.match(text, end)
    return after is not None and after.group(1) in given_names()


def _from_to(text: str, start: int) -> bool:
    """"from QA engineer to test automation lead": both ends of a move between jobs."""
    return bool(_FROM_BEFORE.search(text, max(0, start - 8), start)
                or _FROM_TO_BEFORE.search(text, max(0, start - 70), start))


def _own_line(text: str, start: int, end: int) -> bool:
    """Whether the title fills its line (blanks aside) and a non-empty line is right above it. A title line is
    short: only LINE_WINDOW characters around it are read, so long one-line texts cost no quadratic time."""
    line_break = text.rfind("\n", max(0, start - LINE_WINDOW), start)
    line_end = text.find("\n", end, end + LINE_WINDOW)
    if line_break <= 0 or text[line_break + 1 : start].strip():
        return False  # the text's first line, or words before the title on its line
    if line_end < 0 and end + LINE_WINDOW < len(text):
        return False  # a long line: no title line
    if text[end : line_end if line_end >= 0 else len(text)].strip():
        return False  # words after the title on its line
    above = text[max(0, line_break - LINE_WINDOW) : line_break].rsplit("\n", 1)[-1]
    return bool(above.strip())

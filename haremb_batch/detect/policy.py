"""The redaction policy: which detectors run besides the model, how their spans merge, which spans are
redacted or kept, and how each is replaced. Ray-free; the job's write stage and `jobs/apply.py` share it.

Order (docs/detection.md): model spans (already snapped to word edges by the engine; grown over the pieces
they left out at their edges, legal forms, the words of a company's name and the pieces of an address,
complete.py) + rule spans + deny-list spans -> merge (merge.py) -> action per merged span:
  1. a span the deny list found is redacted, whatever else holds;
  2. a span whose text the allow list allows is kept (detector `allow_list`);
  3. a span outside `decoding.labels` is kept (a part inside it names a merged span, so a narrowed list never
     hides what it names: merge.py, RuleSet.find's `prefer`, _rule_span_stands);
  4. a span only the model found, scoring below `decoding.min_score` of its label, is kept;
  5. a span only the model found that cannot be what its label says (a pronoun as a name, a lower-case word as
     a name or place in text written with capitals, an everyday word capitalised by a sentence start, a
     salutation or closing ("Mit freundlichen Grüßen"), an identifier on a line of code, an occupation that is
     a verb form: plausible.py, `detection.check_casing`)
     is kept; a weak rule that found the same span makes it `model+rule`, which no check keeps;
  6. everything else is redacted, with `redaction.method` of its label.
"""

from __future__ import annotations

import hashlib
import logging
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Iterable

from ..config import ConfigError, JobConfig
from ..redaction import RedactionMethod, method_table, replacement
from .complete import (CITY_LABEL, COMPANY_LABEL, OCCUPATION_LABELS, cities_after_postcodes,
                       complete_spans, grow_companies, grow_legal_forms, join_address_pieces, join_dates_and_times)
from .lists import AllowList, DenyList, ListError, load_entries
from .merge import Candidate, merge_candidates, model_candidate, validated_candidate
from .names import CITY_NAMES_FILE, COUNTRY_NAMES_FILE, GIVEN_NAMES_FILE, WORD_LIST_DIR, city_names, given_names
from .occupations import JOB_WORDS_FILE, job_words
from .plausible import (ADDRESS_LABELS, EVERYDAY_WORDS_FILE, NAME_LABELS, PERSON_LABELS, STREET_WORDS_FILE,
                        after_a_title, caption_word, code_on_code_line, everyday_in_cased_text,
                        everyday_word_in_one_case, everyday_word_starting_sentence, everyday_words,
                        everyday_words_starting_sentence,
                        imperative_starting_sentence, implausible_value, is_cased, is_job_word, never_a_name,
                        no_job_in_cased_text, no_name_at_all, only_greeting_words, only_title_words, street_words,
                        word_on_code_line)
from .rules import WEAK_RULES, RuleError, RuleSet, RuleSpan

log = logging.getLogger("haremb_batch")
FIRST_NAME_LABELS = frozenset({"first_name", "private_person"})
# labels whose model spans are kept when they are an article and everyday words at the start of a sentence ("A
# stitch in time"); a single capitalised word there may be a company ("Target", "Shell"), a city ("Bath") too
SENTENCE_START_LABELS = frozenset({"company_name"})
# places whose lower-case everyday words are kept wherever they stand ("in accounts", "cost"); not in capitals
# ("MS", "ID" are states); not companies: a lower-case firm is often an everyday word ("olivier texier (bigot)")
# rule -> its word list under data/
# the package's word lists each detector reads: they are part of a run's identity (Policy.word_lists)
WORD_LISTS = {"given_name": (GIVEN_NAMES_FILE,), "city_name": (CITY_NAMES_FILE,), "country_name": (COUNTRY_NAMES_FILE,),
              "occupation": (JOB_WORDS_FILE,), "company": (EVERYDAY_WORDS_FILE,)}


@dataclass(frozen=True)
class Decision:
    """A merged span and what the policy does with it."""

    start: int
    end: int
    label: str
    score: float
    detector: str
    action: str  # redacted | kept
    replacement: str | None  # for redacted spans


class Policy:
    def __init__(self, categories: Iterable[str], rules: RuleSet, deny: DenyList | None, allow: AllowList | None,
                 act_on: set[str], min_score: dict[str, float], methods: dict, key: bytes | None,
                 complete: bool = True, check_casing: bool = True):
        self.categories = tuple(categories)
        self.complete, self.check_casing = complete, check_casing
        self.rules, self.deny, self.allow = rules, deny, allow
        self.act_on, self.min_score, self.methods, self.key = act_on, min_score, methods, key
        # a name with a legal form becomes a company's only where companies are redacted: else it keeps its label
        self.company_label = COMPANY_LABEL if COMPANY_LABEL in self.categories and COMPANY_LABEL in act_on else None

    @classmethod
    def from_config(cls, cfg: JobConfig, categories: Iterable[str], key: bytes | None) -> "Policy":
        """ConfigError naming the key for anything that cannot work with this model's categories."""
        categories = tuple(categories)
        det, dec = cfg.detection, cfg.decoding
        try:
            rules = RuleSet.build(det.rules, categories, det.phone_region)
            deny_entries = load_entries(det.deny_list, "detection.deny_list", cfg.io.storage_options)
            allow_entries = load_entries(det.allow_list, "detection.allow_list", cfg.io.storage_options)
            deny = DenyList(deny_entries, set(categories)) if deny_entries else None
            allow = AllowList(allow_entries) if allow_entries else None
        except RuleError as error:
            raise ConfigError(f"detection.rules: {error}") from error
        except ListError as error:
            raise ConfigError(str(error)) from error
        for setting, on, lists in (("detection.check_casing", det.check_casing,
                                    (everyday_words, job_words, street_words, given_names)),
                                   ("detection.complete_spans", det.complete_spans, (everyday_words, city_names))):
            try:
                for read in lists if on else ():
                    read()  # a missing or unreadable list fails here, before the run, not row by row
            except OSError as error:
                raise ConfigError(f"{setting}: cannot read its word list ({error}); reinstall the package") from error
        act_on = set(categories) if dec.labels == "all" else set(dec.labels)
        scores = dec.min_score if isinstance(dec.min_score, dict) else {c: dec.min_score for c in categories}
        for name, labels in (("decoding.labels", act_on), ("decoding.min_score", set(scores)),
                             ("redaction.method", set(cfg.redaction.methods) - {"default"})):
            unknown = sorted(set(labels) - set(categories))
            if unknown:
                raise ConfigError(f"{name}: {unknown[0]!r} is not a category of the model")
        policy = cls(categories, rules, deny, allow, act_on, {c: float(scores.get(c, 0.0)) for c in categories},
                     method_table(cfg.redaction.method), key, det.complete_spans, det.check_casing)
        policy.list_entries = (deny_entries, allow_entries)  # as loaded: their content goes into the config digest
        return policy

    def word_lists(self) -> dict[str, str]:
        """sha256 of each word list of the package this policy reads (data/*.txt), by file name."""
        wanted = [name for r in self.rules.enabled for name in WORD_LISTS.get(r, ())]
        if self.check_casing:  # given names: the code words that are names too (plausible._code_words)
            wanted += [EVERYDAY_WORDS_FILE, JOB_WORDS_FILE, STREET_WORDS_FILE, GIVEN_NAMES_FILE]
        if self.complete:  # completion stops at an everyday word that starts a sentence; a city after a postcode
            wanted += [EVERYDAY_WORDS_FILE, CITY_NAMES_FILE]
        return {name: hashlib.sha256(WORD_LIST_DIR.joinpath(name).read_bytes()).hexdigest()
                for name in sorted(set(wanted))}

    def warn_disabled(self) -> None:
        for rule, why in self.rules.disabled.items():
            log.warning("rule %s is disabled: %s", rule, why)

    def method_for(self, label: str) -> RedactionMethod:
        return self.methods.get(label, self.methods["default"])

    # -- the two entry points -------------------------------------------------------------------------------

    def decide(self, text: str | None, model_spans: Iterable) -> list[Decision]:
        """The job: the model's spans (start, end, label, score) of one text, plus rules and the deny list."""
        if not text:
            return []
        model = sorted((model_candidate(s.start, s.end, s.label, s.score) for s in model_spans), key=lambda c: c.start)
        found = self.rules.find(text, self.act_on)
        overlapped = [_overlapping(model, r) for r in found]  # model index ranges, by bisection: no quadratic cost
        confirmed = {i for r, hit in zip(found, overlapped) if r.rule in WEAK_RULES for i in hit}
        # a weak rule's span where the model found one too: the model's span and label stand, confirmed ("model+rule":
        # no threshold or casing check can keep it)
        model = [_confirmed(m) if i in confirmed else m for i, m in enumerate(model)]
        validated = [validated_candidate(r.start, r.end, r.label, "rule") for r, hit in zip(found, overlapped)
                     if _rule_span_stands(text, r, [model[i] for i in hit], self.act_on)]
        validated += self._deny_candidates(text)
        if self.complete:  # after the weak rules were weighed against the model's own spans, up to their edges
            model = complete_spans(text, model, [(c.start, c.end) for c in validated])
            model = grow_legal_forms(text, model, validated, self.company_label)
            validated = grow_legal_forms(text, validated, model, self.company_label)  # "MITCHELL [INC]": given_name
            model = grow_companies(text, model, validated)
            model = join_address_pieces(text, model, validated)
            if CITY_LABEL in self.categories:  # beside postcodes the policy redacts, not those a threshold keeps
                postcodes = [m for m in model if m.label in self.act_on and m.score >= self.min_score.get(m.label, 0.0)]
                validated += cities_after_postcodes(text, postcodes, [*validated, *model])
        merged = merge_candidates(model, validated, self.act_on)
        if self.complete:
            merged = join_dates_and_times(text, merged)
        return self._act(text, merged)

    def redecide(self, text: str | None, recorded: list[Candidate]) -> list[Decision]:
        """`jobs/apply.py`: spans recorded in a finished output's entity table (already merged), plus the deny
        list of this policy; no model, no rules."""
        if not text:
            return []
        return self._act(text, merge_candidates(recorded, self._deny_candidates(text), self.act_on))  # see merge.py

    def _deny_candidates(self, text: str) -> list[Candidate]:
        if self.deny is None:
            return []
        return [validated_candidate(d.start, d.end, d.label, "deny_list") for d in self.deny.find(text)]

    def _act(self, text: str, merged: list[Candidate]) -> list[Decision]:
        decisions = []
        cased = None
        for i, c in enumerate(merged):  # merge_candidates' output: sorted, overlaps already united
            value, score = text[c.start : c.end], round(c.score, 4)  # as the entity table stores it
            detector, action = c.detector, "redacted"
            if "deny_list" in c.detectors:
                pass
            elif self.allow is not None and self.allow.allows(value):
                detector, action = "allow_list", "kept"
            elif c.label not in self.act_on:
                action = "kept"
            elif c.detectors == {"model"} and score < self.min_score.get(c.label, 0.0):
                action = "kept"
            elif c.detectors == {"model"} and self.check_casing and (code_on_code_line(text, c.start, c.end, c.label) or
                                                                     implausible_value(text, c.start, c.end, c.label)):
                action = "kept"
            elif c.detectors == {"model"} and self.check_casing and c.label in NAME_LABELS:
                cased = is_cased(text) if cased is None else cased
                action = "kept" if _no_name(text, merged, i, cased) else action
            elif c.detectors == {"model"} and self.check_casing and c.label in OCCUPATION_LABELS:
                cased = is_cased(text) if cased is None else cased
                action = "kept" if no_job_in_cased_text(value, cased) else action
            swap = replacement(value, c.label, self.method_for(c.label), self.key) if action == "redacted" else None
            decisions.append(Decision(c.start, c.end, c.label, score, detector, action, swap))
        return decisions


def _rule_span_stands(text: str, r: RuleSpan, overlapped: list[Candidate], act_on: set[str]) -> bool:
    """Whether a rule's span joins the merge (`overlapped`: the model's spans it overlaps). A weak rule's only where
    the model found nothing, or where only labels outside `decoding.labels` did while its own is inside ("Priya"
    read as a city, with decoding.labels=[first_name]). An occupation rule's not over the model's first name ("my
    name is [Tom] Porter" is a person; the model's other misreadings inside a title stay covered: "[Managing]
    Director"), unless that first name is a job word ("personal [trainer] Filip") or an everyday word in lower
    case or capitals, which the casing checks keep ("[deputy] mayor")."""
    if r.rule in WEAK_RULES:
        return not overlapped or (r.label in act_on and not any(m.label in act_on for m in overlapped))
    return r.rule != "occupation" or not any(
        m.label in FIRST_NAME_LABELS and not is_job_word(text[m.start : m.end].strip()) and
        not everyday_word_in_one_case(text[m.start : m.end]) for m in overlapped)


def _overlapping(model: list[Candidate], r) -> range:
    """Indices of the model's spans (sorted, not overlapping each other) that overlap r."""
    low = bisect_right(model, r.start, key=lambda c: c.end)
    high = bisect_left(model, r.end, lo=low, key=lambda c: c.start)
    return range(low, high)


def _confirmed(c: Candidate) -> Candidate:
    return Candidate(c.start, c.end, c.label, c.detectors | {"rule"}, c.model_score)


def _beside_a_name(text: str, merged: list[Candidate], i: int) -> bool:
    """Whether merged[i] has a name, place or company span right beside it, only blanks between ("john smith"),
    or a comma between two parts of a person's name ("Carpenter, Thomas"); a pronoun there does not count ("She
    switched"), nor everyday words ("sourdough starter")."""
    for j in (i - 1, i + 1):
        other = merged[j] if 0 <= j < len(merged) else None
        if other is None or other.label not in NAME_LABELS or never_a_name(text, other.start, other.end):
            continue
        if other.label in ADDRESS_LABELS and merged[i].label not in ADDRESS_LABELS and \
                text[merged[i].start : merged[i].end].islower():
            continue  # "[was arrested] near [1420 12th Ave N]": an address beside lower-case words makes them no name
        if other.detectors == {"model"} and (everyday_in_cased_text(text[other.start : other.end], True) or (
                other.label in PERSON_LABELS and everyday_word_starting_sentence(text, other.start, other.end, True))):
            continue  # "sourdough starter", "Interest rates": everyday words side by side are no name either
        a, b = sorted((merged[i], other), key=lambda c: c.start)
        gap = text[a.end : b.start]
        if len(gap) <= 2 and (not gap.strip() or gap.strip() == "," and {a.label, b.label} <= PERSON_LABELS):
            return True  # "john smith"; "Carpenter, Thomas"
    return False


def _no_name(text: str, merged: list[Candidate], i: int, cased: bool) -> bool:
    """Whether the model's name, place or company span merged[i] cannot be one (docs/detection.md, "Names that
    cannot be names"; the checks are in plausible.py)."""
    c = merged[i]
    value = text[c.start : c.end]
    if never_a_name(text, c.start, c.end) or word_on_code_line(text, c.start, c.end):
        return True
    if no_name_at_all(text, c.start, c.end) or _greeting_only(text, merged, i) or (c.label in PERSON_LABELS and (
            only_title_words(value) or caption_word(text, c.start, c.end))):
        return True
    if cased and value.islower() and c.label in PERSON_LABELS and everyday_word_in_one_case(value) and \
            not _after_a_name(text, merged, i):
        return True
    if _beside_a_name(text, merged, i):
        return False
    return everyday_in_cased_text(value, cased, c.label) or (
        c.label in PERSON_LABELS and everyday_word_starting_sentence(text, c.start, c.end, cased)) or (
        c.label in SENTENCE_START_LABELS and everyday_words_starting_sentence(text, c.start, c.end, cased)) or (
        c.label not in PERSON_LABELS | ADDRESS_LABELS and imperative_starting_sentence(text, c.start, c.end, cased))


def _greeting_only(text: str, merged: list[Candidate], i: int) -> bool:
    """Whether merged[i] is only salutations and closings ("Mit freundlichen Grüßen", "Hola"; see GREETING_WORDS)
    with no name beside it on its line and no title before it: "Jennifer Dear", "Ms Dear", "DEAR, Jennifer" are a
    surname, while a signature's name on the next line does not count ("Grüßen\nAnna Schmidt")."""
    c = merged[i]
    if not only_greeting_words(text[c.start : c.end]) or after_a_title(text, c.start):
        return False
    for j in (i - 1, i + 1):
        other = merged[j] if 0 <= j < len(merged) else None
        if other is None or other.label not in NAME_LABELS or only_greeting_words(text[other.start : other.end]) or \
                never_a_name(text, other.start, other.end):
            continue
        a, b = sorted((c, other), key=lambda x: x.start)
        gap = text[a.end : b.start]
        if len(gap) <= 2 and "\n" not in gap and gap.strip() in ("", ","):
            return False
    return True


def _after_a_name(text: str, merged: list[Candidate], i: int) -> bool:
    """Whether merged[i] stands where a surname does: right after a name span ("jane weaver", "MARIA WEAVER"), or
    right before one after a comma ("WEAVER, Maria"). A neighbour that is itself an everyday word, a title or a
    pronoun does not count ("GOLD DONORS", "auntie chioma")."""
    for j, gap_ok in ((i - 1, lambda gap: not gap.strip()), (i + 1, lambda gap: gap.strip() == ",")):
        if not 0 <= j < len(merged):
            continue
        other = merged[j]
        value = text[other.start : other.end]
        if other.label not in NAME_LABELS or never_a_name(text, other.start, other.end) or \
                everyday_word_in_one_case(value) or only_title_words(value):
            continue
        a, b = sorted((merged[i], other), key=lambda c: c.start)
        gap = text[a.end : b.start]
        if len(gap) <= 2 and gap_ok(gap):
            return True
    return False


def apply_decisions(text: str | None, decisions: list[Decision]) -> str | None:
    """`text` with every redacted decision's span replaced (offsets of the original text). Decisions must be
    sorted, non-overlapping and inside the text (ValueError otherwise: the caller quarantines the row)."""
    if text is None:
        return None
    pieces, cursor, last_end = [], 0, 0
    for d in decisions:
        if not 0 <= d.start < d.end <= len(text) or d.start < last_end:
            raise ValueError(f"span [{d.start}, {d.end}) lies outside a text of {len(text)} characters or overlaps")
        last_end = d.end
        if d.action != "redacted":
            continue
        pieces += [text[cursor : d.start], d.replacement]
        cursor = d.end
    pieces.append(text[cursor:])
    return "".join(pieces)


def recorded_candidate(start: int, end: int, label: str, score: float, detector: str) -> Candidate:
    """A span as an entity table recorded it. An allow-listed span counts as the model's (its score decides
    under a threshold); its first finder is not recorded."""
    names = frozenset(detector.split("+")) if detector != "allow_list" else frozenset({"model"})
    return Candidate(start, end, label, names, float(score) if "model" in names else None)

"""One non-overlapping span list per text from several detectors, by a fixed rule (docs/detection.md):

1. Spans that overlap become one span covering their union, whatever their detectors and categories:
   nothing any detector found stays visible. So a rule span that is longer than the model's (a URL the model
   cut before `.pt/`, an email missing its first letter) gives the whole value, and a model span that is
   longer than a rule's (an access key id and the secret after it) keeps the secret covered.
2. The union takes the label of the highest-priority detector among its parts (deny_list > rule > model;
   then the longer part, then the earlier) and names every detector that agreed, in the order
   `model+rule+deny_list`. With `decoding.labels` narrowed, a part whose label is in it comes first.
3. A merged span's score is the model's when the model found part of it (so a threshold still reads the
   model's confidence), else 1.0.

The rule is idempotent: merging merged spans again with the same validated spans changes nothing, which is
what lets `jobs/apply.py` reproduce the job from its entity tables.
"""

from __future__ import annotations

from dataclasses import dataclass

PRIORITY = {"model": 0, "rule": 1, "deny_list": 2}
DETECTOR_ORDER = ("model", "rule", "deny_list")


@dataclass(frozen=True)
class Candidate:
    start: int
    end: int
    label: str
    detectors: frozenset
    model_score: float | None = None  # the model's score, when the model is among the detectors

    @property
    def score(self) -> float:
        return 1.0 if self.model_score is None else self.model_score

    @property
    def detector(self) -> str:
        return "+".join(d for d in DETECTOR_ORDER if d in self.detectors)

    def overlaps(self, other: "Candidate") -> bool:
        return self.start < other.end and other.start < self.end


def model_candidate(start: int, end: int, label: str, score: float) -> Candidate:
    return Candidate(start, end, label, frozenset({"model"}), float(score))


def validated_candidate(start: int, end: int, label: str, detector: str) -> Candidate:
    return Candidate(start, end, label, frozenset({detector}))


def merge_candidates(model: list[Candidate], validated: list[Candidate],
                     acted_on: frozenset | set | None = None) -> list[Candidate]:
    """The module rule; the result is sorted and non-overlapping. `acted_on` (the policy's decoding.labels): a
    part whose label is in it wins the union's label before any other rank, so a label the policy keeps never
    hides one it redacts (an email rule over the model's first name, with decoding.labels=[first_name])."""
    return union_overlaps(list(model) + list(validated), acted_on)


def union_overlaps(candidates: list[Candidate], acted_on: frozenset | set | None = None) -> list[Candidate]:
    merged: list[Candidate] = []
    for c in sorted(candidates, key=lambda c: (c.start, -c.end)):
        if merged and c.start < merged[-1].end:
            merged[-1] = _union(merged[-1], c, acted_on)
        else:
            merged.append(c)
    return merged


def _rank(c: Candidate, acted_on: frozenset | set | None = None) -> tuple:
    acted = acted_on is None or c.label in acted_on
    return (acted, max(PRIORITY[d] for d in c.detectors), c.end - c.start, -c.start)


def _union(a: Candidate, b: Candidate, acted_on: frozenset | set | None = None) -> Candidate:
    best = max((a, b), key=lambda c: _rank(c, acted_on))
    return Candidate(min(a.start, b.start), max(a.end, b.end), best.label, a.detectors | b.detectors,
                     _max_score(a.model_score, b.model_score))


def _max_score(a: float | None, b: float | None) -> float | None:
    return b if a is None else a if b is None else max(a, b)

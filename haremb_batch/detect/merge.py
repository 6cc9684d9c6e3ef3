"""One non-overlapping span list per text from several detectors, by a fixed rule (docs/detection.md):

1. A model span that overlaps validated spans (rule or deny list) all of its own category takes their edges:
   the validated span replaces it, and records that the model agreed (`model+rule`).
2. Whatever still overlaps (different categories, or deny and rule spans among themselves) becomes one span
   covering the union: redacting more is the safe side. Its label is the one of the highest-priority detector
   (deny_list > rule > model; then the longer span, then the earlier); its detector names all that agreed.
3. A merged span's score is the model's when the model found it (so a threshold still reads the model's
   confidence), else 1.0.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

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


def merge_candidates(model: list[Candidate], validated: list[Candidate]) -> list[Candidate]:
    """Steps 1 and 2 of the module rule; the result is sorted and non-overlapping."""
    fixed = list(validated)
    rest = []
    for m in model:
        over = [i for i, v in enumerate(fixed) if v.overlaps(m)]
        if over and all(fixed[i].label == m.label for i in over):
            for i in over:
                fixed[i] = replace(fixed[i], detectors=fixed[i].detectors | m.detectors,
                                   model_score=_max_score(fixed[i].model_score, m.model_score))
        else:
            rest.append(m)
    return union_overlaps(fixed + rest)


def union_overlaps(candidates: list[Candidate]) -> list[Candidate]:
    merged: list[Candidate] = []
    for c in sorted(candidates, key=lambda c: (c.start, -c.end)):
        if merged and c.start < merged[-1].end:
            merged[-1] = _union(merged[-1], c)
        else:
            merged.append(c)
    return merged


def _rank(c: Candidate) -> tuple:
    return (max(PRIORITY[d] for d in c.detectors), c.end - c.start, -c.start)


def _union(a: Candidate, b: Candidate) -> Candidate:
    best = max((a, b), key=_rank)
    return Candidate(min(a.start, b.start), max(a.end, b.end), best.label, a.detectors | b.detectors,
                     _max_score(a.model_score, b.model_score))


def _max_score(a: float | None, b: float | None) -> float | None:
    return b if a is None else a if b is None else max(a, b)

"""The BIOES label space of a checkpoint: `O` plus B/I/E/S for each category."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TAG_O, TAG_B, TAG_I, TAG_E, TAG_S = 0, 1, 2, 3, 4
_PREFIX_TAG = {"B": TAG_B, "I": TAG_I, "E": TAG_E, "S": TAG_S}


@dataclass(frozen=True)
class LabelSet:
    """Per label id: its tag (O/B/I/E/S) and its category index (-1 for O)."""

    names: tuple[str, ...]
    categories: tuple[str, ...]
    tags: np.ndarray  # (L,) int8
    category_of: np.ndarray  # (L,) int32, -1 for O

    @classmethod
    def from_id2label(cls, id2label: dict) -> "LabelSet":
        by_id = {int(k): str(v) for k, v in id2label.items()}
        if sorted(by_id) != list(range(len(by_id))):
            raise ValueError("id2label ids must be 0..n-1 without gaps")
        names = tuple(by_id[i] for i in range(len(by_id)))
        categories: list[str] = []
        tags = np.zeros(len(names), dtype=np.int8)
        category_of = np.full(len(names), -1, dtype=np.int32)
        for idx, name in enumerate(names):
            if name == "O":
                continue
            prefix, sep, category = name.partition("-")
            if not sep or prefix not in _PREFIX_TAG or not category:
                raise ValueError(f"label {name!r} (id {idx}) is not O or B-/I-/E-/S-<category>")
            if category not in categories:
                categories.append(category)
            tags[idx] = _PREFIX_TAG[prefix]
            category_of[idx] = categories.index(category)
        if "O" not in names:
            raise ValueError("id2label has no 'O' label")
        label_set = cls(names, tuple(categories), tags, category_of)
        label_set._check_complete()
        return label_set

    def _check_complete(self) -> None:
        for c, category in enumerate(self.categories):
            present = {int(t) for t in self.tags[self.category_of == c]}
            missing = [p for p, t in _PREFIX_TAG.items() if t not in present]
            if missing:
                raise ValueError(f"category {category!r} lacks {', '.join(p + '-' for p in missing)} labels")

    @property
    def o_id(self) -> int:
        return self.names.index("O")

    def ids(self, tag: int) -> np.ndarray:
        """Label ids with this tag, ordered by category index."""
        ids = np.flatnonzero(self.tags == tag)
        return ids[np.argsort(self.category_of[ids])]


def bioes_label_names(categories: list[str] | tuple[str, ...]) -> list[str]:
    """`O` then B/I/E/S of each category, in the given order (the Nemotron head's layout)."""
    return ["O"] + [f"{p}-{c}" for c in categories for p in ("B", "I", "E", "S")]


# Nemotron-PII's 55 categories, in the id order of the 221-label head (MODEL_NOTES.md)
NEMOTRON_CATEGORIES = (
    "account_number", "age", "api_key", "bank_routing_number", "biometric_identifier", "blood_type",
    "certificate_license_number", "city", "company_name", "coordinate", "country", "county", "credit_debit_card",
    "customer_id", "cvv", "date", "date_of_birth", "date_time", "device_identifier", "education_level", "email",
    "employee_id", "employment_status", "fax_number", "first_name", "gender", "health_plan_beneficiary_number",
    "http_cookie", "ipv4", "ipv6", "language", "last_name", "license_plate", "mac_address", "medical_record_number",
    "national_id", "occupation", "password", "phone_number", "pin", "political_view", "postcode", "race_ethnicity",
    "religious_belief", "sexuality", "ssn", "state", "street_address", "swift_bic", "tax_id", "time", "unique_id",
    "url", "user_name", "vehicle_identifier",
)


def token_labels(offsets: np.ndarray, spans: list[dict], label2id: dict[str, int]) -> np.ndarray:
    """Label id per token: B/I/E (or S for one token) over the tokens overlapping each span, O elsewhere.

    offsets: (T, 2) code-point offsets. A token overlaps [start, end) when it starts before `end` and ends after
    `start`; a token's leading space does not matter.
    """
    labels = np.full(len(offsets), label2id["O"], dtype=np.int64)
    if not len(offsets):
        return labels
    starts, ends = offsets[:, 0], offsets[:, 1]
    for span in spans:
        hit = np.flatnonzero((starts < span["end"]) & (ends > span["start"]))
        if not len(hit):
            continue
        first, last = hit[0], hit[-1]
        category = span["label"]
        if first == last:
            labels[first] = label2id[f"S-{category}"]
            continue
        labels[first] = label2id[f"B-{category}"]
        labels[first + 1 : last] = label2id[f"I-{category}"]
        labels[last] = label2id[f"E-{category}"]
    return labels

"""Constrained BIOES decoding: one Viterbi per document over per-token log-probabilities.

Allowed: start in O/B/S, end in O/E/S; from O, E-X, S-X to O, B-*, S-*; from B-X, I-X to I-X, E-X.
Because every B-* and S-* target sees the same predecessors, the max over predecessors costs O(categories)
per token instead of O(labels^2); `viterbi_reference` is the plain dense version the fast one is tested against.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from .labels import TAG_B, TAG_E, TAG_I, TAG_O, TAG_S, LabelSet

NEG = np.float32(-1e30)


@dataclass(frozen=True)
class TransitionBiases:
    transition_bias_background_stay: float = 0.0  # O -> O
    transition_bias_background_to_start: float = 0.0  # O -> B/S
    transition_bias_inside_to_continue: float = 0.0  # B/I -> I
    transition_bias_inside_to_end: float = 0.0  # B/I -> E
    transition_bias_end_to_background: float = 0.0  # E/S -> O
    transition_bias_end_to_start: float = 0.0  # E/S -> B/S

    @classmethod
    def from_mapping(cls, mapping: dict | None) -> "TransitionBiases":
        mapping = dict(mapping or {})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(mapping) - known)
        if unknown:
            raise ValueError(f"unknown transition bias {unknown[0]!r}; known: {', '.join(sorted(known))}")
        return cls(**{k: float(v) for k, v in mapping.items()})

    def as_dict(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _state_columns(labels: LabelSet) -> np.ndarray:
    """Label ids in the order [O, B_0..B_C-1, I_0.., E_0.., S_0..] used by the fast decoder."""
    return np.concatenate([[labels.o_id], labels.ids(TAG_B), labels.ids(TAG_I), labels.ids(TAG_E), labels.ids(TAG_S)])


def viterbi_decode(
    emissions: list[np.ndarray], labels: LabelSet, biases: TransitionBiases = TransitionBiases()
) -> list[np.ndarray]:
    """Best allowed label path per document. emissions[d]: (T_d, L) log-probs; returns label ids (T_d,)."""
    C = len(labels.categories)
    columns = _state_columns(labels)
    lengths = np.array([len(e) for e in emissions], dtype=np.int64)
    order = np.argsort(-lengths, kind="stable")  # longest first: the active documents are a prefix
    results: list[np.ndarray] = [np.zeros(0, dtype=np.int64) for _ in emissions]
    if len(emissions) == 0 or lengths.max() == 0:
        return results
    D, T = len(emissions), int(lengths.max())
    em = np.full((D, T, 1 + 4 * C), 0.0, dtype=np.float32)  # (D, T, S) in state-column order
    for row, d in enumerate(order):
        em[row, : lengths[d]] = emissions[d][:, columns]
    active_at = (lengths[order][None, :] > np.arange(T)[:, None]).sum(1)

    b = biases
    o = em[:, 0, 0].copy()
    bsc = em[:, 0, 1 : 1 + C].copy()
    isc = np.full((D, C), NEG, dtype=np.float32)
    esc = np.full((D, C), NEG, dtype=np.float32)
    ssc = em[:, 0, 1 + 3 * C :].copy()
    # backpointers for the step into t: where O came from, where B/S came from, and B-or-I for I/E
    es_arg = np.zeros((D, T), dtype=np.int32)
    o_from_o = np.zeros((D, T), dtype=bool)
    entry_from_o = np.zeros((D, T), dtype=bool)
    inside_from_b = np.zeros((D, T, C), dtype=bool)
    for t in range(1, T):
        k = int(active_at[t])
        e_t = em[:k, t]
        es = np.concatenate([esc[:k], ssc[:k]], axis=1)  # (k, 2C)
        arg = es.argmax(axis=1)
        es_max = es[np.arange(k), arg]
        o_k = o[:k]
        stay, leave = o_k + b.transition_bias_background_stay, es_max + b.transition_bias_end_to_background
        enter_o, enter_es = o_k + b.transition_bias_background_to_start, es_max + b.transition_bias_end_to_start
        from_b = bsc[:k] >= isc[:k]
        inside = np.maximum(bsc[:k], isc[:k])
        es_arg[:k, t], o_from_o[:k, t], entry_from_o[:k, t], inside_from_b[:k, t] = arg, stay >= leave, enter_o >= enter_es, from_b
        entry = np.maximum(enter_o, enter_es)[:, None]
        o[:k] = np.maximum(stay, leave) + e_t[:, 0]
        bsc[:k] = entry + e_t[:, 1 : 1 + C]
        isc[:k] = inside + b.transition_bias_inside_to_continue + e_t[:, 1 + C : 1 + 2 * C]
        esc[:k] = inside + b.transition_bias_inside_to_end + e_t[:, 1 + 2 * C : 1 + 3 * C]
        ssc[:k] = entry + e_t[:, 1 + 3 * C :]

    for row, d in enumerate(order):
        n = int(lengths[d])
        if n == 0:
            continue
        # end only in O, E-*, S-*: states are (tag, category)
        finals = np.concatenate([[o[row]], esc[row], ssc[row]])
        best = int(finals.argmax())
        state = (TAG_O, -1) if best == 0 else ((TAG_E, best - 1) if best <= C else (TAG_S, best - 1 - C))
        path = np.empty(n, dtype=np.int64)
        for t in range(n - 1, -1, -1):
            tag, c = state
            path[t] = columns[0] if tag == TAG_O else columns[1 + (tag - 1) * C + c]
            if t == 0:
                break
            if tag in (TAG_I, TAG_E):
                state = (TAG_B if inside_from_b[row, t, c] else TAG_I, c)
            else:
                came_from_o = o_from_o[row, t] if tag == TAG_O else entry_from_o[row, t]
                a = int(es_arg[row, t])
                state = (TAG_O, -1) if came_from_o else ((TAG_E, a) if a < C else (TAG_S, a - C))
        results[d] = path
    return results


def transition_matrix(labels: LabelSet, biases: TransitionBiases) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Dense (L, L) transition scores (NEG where forbidden), start and end masks."""
    tags, cats = labels.tags, labels.category_of
    L = len(tags)
    trans = np.full((L, L), NEG, dtype=np.float32)
    for i in range(L):
        for j in range(L):
            ti, tj, same = tags[i], tags[j], cats[i] == cats[j]
            if ti == TAG_O and tj == TAG_O:
                trans[i, j] = biases.transition_bias_background_stay
            elif ti == TAG_O and tj in (TAG_B, TAG_S):
                trans[i, j] = biases.transition_bias_background_to_start
            elif ti in (TAG_B, TAG_I) and tj == TAG_I and same:
                trans[i, j] = biases.transition_bias_inside_to_continue
            elif ti in (TAG_B, TAG_I) and tj == TAG_E and same:
                trans[i, j] = biases.transition_bias_inside_to_end
            elif ti in (TAG_E, TAG_S) and tj == TAG_O:
                trans[i, j] = biases.transition_bias_end_to_background
            elif ti in (TAG_E, TAG_S) and tj in (TAG_B, TAG_S):
                trans[i, j] = biases.transition_bias_end_to_start
    start = np.isin(tags, (TAG_O, TAG_B, TAG_S))
    end = np.isin(tags, (TAG_O, TAG_E, TAG_S))
    return trans, start, end


def viterbi_reference(emission: np.ndarray, labels: LabelSet, biases: TransitionBiases = TransitionBiases()) -> np.ndarray:
    """Textbook O(T * L^2) Viterbi over the dense transition matrix; the oracle for `viterbi_decode`."""
    trans, start, end = transition_matrix(labels, biases)
    T = len(emission)
    if T == 0:
        return np.zeros(0, dtype=np.int64)
    score = np.where(start, emission[0], NEG).astype(np.float64)
    back = np.zeros((T, len(start)), dtype=np.int64)
    for t in range(1, T):
        cand = score[:, None] + trans  # (prev, next)
        back[t] = cand.argmax(axis=0)
        score = cand.max(axis=0) + emission[t]
    score = np.where(end, score, -np.inf)
    path = np.empty(T, dtype=np.int64)
    path[-1] = int(score.argmax())
    for t in range(T - 1, 0, -1):
        path[t - 1] = back[t, path[t]]
    return path

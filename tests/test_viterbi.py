import numpy as np
import pytest

from haremb_batch.engine.labels import NEMOTRON_CATEGORIES, TAG_B, TAG_E, TAG_I, TAG_O, TAG_S, LabelSet, bioes_label_names
from haremb_batch.engine.spans import token_spans
from haremb_batch.engine.viterbi import TransitionBiases, transition_matrix, viterbi_decode, viterbi_reference


@pytest.fixture(scope="module")
def small_labels():
    return LabelSet.from_id2label(dict(enumerate(bioes_label_names(["name", "email", "phone"]))))


def random_emissions(rng, T, L, concentration=0.3):
    return np.log(np.maximum(rng.dirichlet(np.full(L, concentration), size=T), 1e-30)).astype(np.float32)


def test_fast_viterbi_equals_dense_reference(small_labels):
    rng = np.random.default_rng(0)
    for _ in range(150):
        biases = TransitionBiases(*rng.normal(size=6))
        docs = [random_emissions(rng, int(rng.integers(1, 40)), 13) for _ in range(int(rng.integers(1, 5)))]
        fast = viterbi_decode(docs, small_labels, biases)
        for em, path in zip(docs, fast):
            np.testing.assert_array_equal(path, viterbi_reference(em, small_labels, biases))


def test_viterbi_on_221_labels_matches_reference():
    labels = LabelSet.from_id2label(dict(enumerate(bioes_label_names(NEMOTRON_CATEGORIES))))
    rng = np.random.default_rng(1)
    docs = [random_emissions(rng, 60, 221, concentration=0.05) for _ in range(3)]
    for em, path in zip(docs, viterbi_decode(docs, labels)):
        np.testing.assert_array_equal(path, viterbi_reference(em, labels))


def test_paths_obey_bioes_constraints(small_labels):
    rng = np.random.default_rng(2)
    trans, start, end = transition_matrix(small_labels, TransitionBiases())
    allowed = trans > -1e29
    for path in viterbi_decode([random_emissions(rng, 50, 13, 0.1) for _ in range(30)], small_labels):
        assert start[path[0]] and end[path[-1]]
        assert all(allowed[a, b] for a, b in zip(path[:-1], path[1:]))


def test_viterbi_repairs_what_argmax_breaks(small_labels):
    names = small_labels.names
    want = ["O", "B-name", "I-name", "I-name", "E-name", "O"]
    em = np.full((6, 13), np.log(0.01), dtype=np.float32)
    for t, name in enumerate(want):
        em[t, names.index(name)] = np.log(0.5)
    em[2, names.index("I-name")] = np.log(0.2)  # argmax would read O in the middle of the name
    em[2, names.index("O")] = np.log(0.3)
    path = viterbi_decode([em], small_labels)[0]
    assert [names[i] for i in path] == want
    assert token_spans(path, small_labels) == [(1, 5, 0)]
    assert len(token_spans(em.argmax(1), small_labels)) == 2


def test_background_bias_trades_recall(small_labels):
    names = small_labels.names
    em = np.full((3, 13), np.log(0.02), dtype=np.float32)
    em[:, names.index("O")] = np.log(0.5)
    em[1, names.index("S-phone")] = np.log(0.4)
    assert token_spans(viterbi_decode([em], small_labels)[0], small_labels) == []
    eager = TransitionBiases(transition_bias_background_to_start=1.0, transition_bias_background_stay=-1.0)
    assert token_spans(viterbi_decode([em], small_labels, eager)[0], small_labels) == [(1, 2, 2)]


def test_empty_inputs(small_labels):
    assert viterbi_decode([], small_labels) == []
    out = viterbi_decode([np.zeros((0, 13), np.float32), np.zeros((2, 13), np.float32)], small_labels)
    assert len(out[0]) == 0 and len(out[1]) == 2


def test_unknown_bias_name_is_named():
    with pytest.raises(ValueError, match="transition_bias_typo"):
        TransitionBiases.from_mapping({"transition_bias_typo": 1.0})


def test_label_set_rejects_incomplete_bioes():
    with pytest.raises(ValueError, match="lacks"):
        LabelSet.from_id2label({0: "O", 1: "B-x", 2: "I-x", 3: "E-x"})
    with pytest.raises(ValueError, match="not O or"):
        LabelSet.from_id2label({0: "O", 1: "X-y"})
    labels = LabelSet.from_id2label(dict(enumerate(bioes_label_names(["a", "b"]))))
    assert labels.categories == ("a", "b")
    assert [int(labels.tags[i]) for i in range(5)] == [TAG_O, TAG_B, TAG_I, TAG_E, TAG_S]

"""The hand-written tuning sets of README.md as training documents (`jobs/train_default_model.py --hand-written`).

Only the six sets that are tuned on already (`tune`, `tune2`, `tune3`, `blind4`, `blind5`, `blind6` with their
texts without PII); `blind7.txt` and later sets stay out of training: they measure the model.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

HERE = Path(__file__).resolve().parent
TRAINING_SETS = (("tune", "no_pii"), ("tune2", "no_pii2"), ("tune3", "no_pii3"), ("blind4", "no_pii4"),
                 ("blind5", "no_pii5"), ("blind6", "no_pii6"))


def _markup():
    """eval/build_handwritten.py, the one reader of the markup (eval/ is no package)."""
    path = HERE.parent.parent / "eval" / "build_handwritten.py"
    spec = importlib.util.spec_from_file_location("build_handwritten", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def held_out_texts() -> set[str]:
    """Every text of the sets that measure the model: the blind sets not in TRAINING_SETS, with their texts without
    PII, and the model card's hand-written set (eval/)."""
    markup = _markup()
    training = {name for name, _ in TRAINING_SETS}
    texts = set()
    for path in sorted(HERE.glob("blind*.txt")):
        if path.stem not in training:
            texts |= {r["text"] for r in markup.build(path)}
            no_pii = path.with_name(path.name.replace("blind", "no_pii"))
            if no_pii.exists():
                texts |= set(markup.check_no_pii(no_pii))
    evaluation = HERE.parent.parent / "eval"
    texts |= {r["text"] for r in markup.build(evaluation / "handwritten_dev.txt")}
    return texts | set(markup.check_no_pii(evaluation / "no_pii_sentences.txt"))


def training_documents() -> list[dict]:
    """{text, spans} of every labelled text and every text without PII of TRAINING_SETS, in file order, less any
    text that is also in a held-out set (short everyday lines recur: "Kind regards,")."""
    markup = _markup()
    held_out = held_out_texts()
    rows = []
    for labelled, no_pii in TRAINING_SETS:
        rows += [{"text": r["text"], "spans": r["spans"]} for r in markup.build(HERE / f"{labelled}.txt")]
        rows += [{"text": line, "spans": []} for line in markup.check_no_pii(HERE / f"{no_pii}.txt")]
    return [r for r in rows if r["text"] not in held_out]

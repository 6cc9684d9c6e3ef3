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


def training_documents() -> list[dict]:
    """{text, spans} of every labelled text and every text without PII of TRAINING_SETS, in file order."""
    markup = _markup()
    rows = []
    for labelled, no_pii in TRAINING_SETS:
        rows += [{"text": r["text"], "spans": r["spans"]} for r in markup.build(HERE / f"{labelled}.txt")]
        rows += [{"text": line, "spans": []} for line in markup.check_no_pii(HERE / f"{no_pii}.txt")]
    return rows

"""haremb-batch: batch de-identification with privacy-filter token classifiers.

The public API loads lazily, so CPU-side stages that only need config or redaction never import torch.
"""

from importlib import import_module

__all__ = ["CheckpointError", "Detector", "RedactionMethod", "Span", "redact_text"]
__version__ = "0.1.0"

_HOMES = {
    "CheckpointError": ".engine.checkpoint",
    "Detector": ".engine.detector",
    "Span": ".engine.spans",
    "RedactionMethod": ".redaction",
    "redact_text": ".redaction",
}


def __getattr__(name: str):
    if name in _HOMES:
        return getattr(import_module(_HOMES[name], __name__), name)
    raise AttributeError(f"module 'haremb_batch' has no attribute {name!r}")

"""haremb-batch: batch de-identification with privacy-filter token classifiers."""

from .engine import CheckpointError, Detector, Span
from .redaction import RedactionMethod, redact_text

__all__ = ["CheckpointError", "Detector", "RedactionMethod", "Span", "redact_text"]
__version__ = "0.1.0"

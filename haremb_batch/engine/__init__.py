"""The detection engine: checkpoint loading, the fast forward pass, windows, Viterbi decoding. Ray-free."""

from .checkpoint import CheckpointError
from .detector import Detector, Encoded
from .spans import Span

__all__ = ["CheckpointError", "Detector", "Encoded", "Span"]

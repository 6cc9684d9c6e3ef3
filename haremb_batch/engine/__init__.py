"""The detection engine: checkpoint loading, the fast forward pass, windows, Viterbi decoding. Ray-free."""

from importlib import import_module

__all__ = ["CheckpointError", "Detector", "Encoded", "Span"]
_HOMES = {"CheckpointError": ".checkpoint", "Detector": ".detector", "Encoded": ".tokens", "Span": ".spans"}


def __getattr__(name: str):
    if name in _HOMES:
        return getattr(import_module(_HOMES[name], __name__), name)
    raise AttributeError(f"module 'haremb_batch.engine' has no attribute {name!r}")

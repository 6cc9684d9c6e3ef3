"""Input shards: find them under a file, folder or glob URI, and name their outputs."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

import fsspec

SUFFIXES = {".parquet": "parquet", ".jsonl": "jsonl", ".jsonl.gz": "jsonl", ".json": "jsonl"}


class InputError(ValueError):
    """The input cannot be listed or holds no shards (exit 2)."""


@dataclass(frozen=True)
class Shard:
    path: str  # filesystem path (no protocol), as fsspec's filesystem sees it
    relative: str  # path under the input root, used to name every output
    format: str  # parquet or jsonl
    size: int

    @property
    def stem(self) -> str:
        for suffix in sorted(SUFFIXES, key=len, reverse=True):
            if self.relative.endswith(suffix):
                return self.relative[: -len(suffix)]
        return self.relative


def shard_format(name: str, forced: str = "auto") -> str | None:
    for suffix in sorted(SUFFIXES, key=len, reverse=True):
        if name.endswith(suffix):
            return SUFFIXES[suffix] if forced == "auto" else forced
    return None


def filesystem(uri: str, storage_options: dict) -> tuple[fsspec.AbstractFileSystem, str]:
    try:
        return fsspec.core.url_to_fs(uri, **storage_options)
    except (ImportError, ValueError) as error:
        raise InputError(f"{uri}: cannot open this location ({error})") from error


def discover_shards(uri: str, storage_options: dict, forced_format: str = "auto") -> tuple[fsspec.AbstractFileSystem, list[Shard]]:
    """Shards under `uri` sorted by relative path. A folder is read recursively; a glob matches files."""
    fs, root = filesystem(uri, storage_options)
    try:
        if any(ch in root for ch in "*?["):
            base = root[: min(root.index(ch) for ch in "*?[" if ch in root)].rsplit("/", 1)[0]
            paths = sorted(p for p in fs.glob(root) if fs.isfile(p))
        elif fs.isdir(root):
            base, paths = root.rstrip("/"), sorted(fs.find(root))
        elif fs.isfile(root):
            base, paths = posixpath.dirname(root), [root]
        else:
            raise InputError(f"--input {uri}: no such file or folder")
        sizes = {p: fs.size(p) for p in paths if shard_format(p, forced_format)}
    except InputError:
        raise
    except (OSError, PermissionError) as error:
        raise InputError(f"--input {uri}: cannot list ({error.__class__.__name__}: {error})") from error
    except Exception as error:  # object stores raise their own types (botocore, aiohttp); one line either way
        raise InputError(f"--input {uri}: cannot list ({error.__class__.__name__}: {error})") from error
    shards = [Shard(p, posixpath.relpath(p, base) if base else p, shard_format(p, forced_format), sizes[p])
              for p in paths if p in sizes]
    if not shards:
        raise InputError(f"--input {uri}: no shards found (*.parquet, *.jsonl, *.jsonl.gz, *.json)")
    return fs, shards


@dataclass(frozen=True)
class OutputPaths:
    """Where each output of a shard goes, under the output root (paths as the output filesystem sees them)."""

    root: str

    def redacted(self, shard: Shard) -> str:
        return f"{self.root}/redacted/{shard.relative}"

    def entities(self, shard: Shard) -> str:
        return f"{self.root}/entities/{shard.stem}.parquet"

    def quarantine(self, shard: Shard) -> str:
        return f"{self.root}/quarantine/{shard.stem}.jsonl"

    def manifest(self, shard: Shard) -> str:
        return f"{self.root}/_manifest/{shard.relative}.json"

    def parts(self, relative: str) -> str:
        return f"{self.root}/_parts/{relative}"

    @property
    def report(self) -> str:
        return f"{self.root}/_report.json"

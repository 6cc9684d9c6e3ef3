"""Input shards: find them under a file, folder or glob URI, and name their outputs."""

from __future__ import annotations

import posixpath
from collections import Counter
from dataclasses import dataclass, field

import fsspec

# name ending (lower case) -> (format, compression); matched case-insensitively, longest first
SUFFIXES = {
    ".parquet": ("parquet", None),
    **{f"{kind}{ext}": ("jsonl", compression)
       for kind in (".jsonl", ".ndjson", ".json")
       for ext, compression in (("", None), (".gz", "gzip"), (".zst", "zstd"))},
}
_BY_LENGTH = sorted(SUFFIXES, key=len, reverse=True)


class InputError(ValueError):
    """The input cannot be listed or holds no shards (exit 2)."""


@dataclass(frozen=True)
class Shard:
    path: str  # filesystem path (no protocol), as fsspec's filesystem sees it
    relative: str  # path under the input root, used to name every output
    format: str  # parquet or jsonl
    size: int
    compression: str | None = None  # gzip or zstd for compressed JSON Lines
    version: str = ""  # what the store says identifies this content: ETag, generation, or mtime


def shard_kind(name: str) -> tuple[str, str | None] | None:
    """(format, compression) of a shard name, or None when the name is not a shard's."""
    lowered = name.lower()
    for suffix in _BY_LENGTH:
        if lowered.endswith(suffix):
            return SUFFIXES[suffix]
    return None


def content_version(info: dict) -> str:
    """A store's own mark of a file's content: ETag (S3, Azure), generation or md5 (GCS), else its mtime. A
    rewrite of the same size changes it, so a finished shard's manifest no longer matches."""
    for key in ("ETag", "etag", "generation", "md5Hash", "mtime", "LastModified", "last_modified", "created"):
        if info.get(key) not in (None, ""):
            return str(info[key])
    return ""


def filesystem(uri: str, storage_options: dict) -> tuple[fsspec.AbstractFileSystem, str]:
    try:
        return fsspec.core.url_to_fs(uri, **storage_options)
    except (ImportError, ValueError) as error:
        raise InputError(f"{uri}: cannot open this location ({error})") from error


@dataclass
class Inputs:
    fs: fsspec.AbstractFileSystem
    base: str  # the folder every shard's relative path starts from (a file input: the file itself)
    shards: list[Shard]
    skipped: Counter = field(default_factory=Counter)  # files that are not shards, by extension


def discover_shards(uri: str, storage_options: dict, forced_format: str = "auto") -> Inputs:
    """Shards under `uri` sorted by relative path. A folder is read recursively; a glob matches files."""
    fs, root = filesystem(uri, storage_options)
    try:
        if any(ch in root for ch in "*?["):
            base = root[: min(root.index(ch) for ch in "*?[" if ch in root)].rsplit("/", 1)[0]
            paths, scope = sorted(p for p in fs.glob(root) if fs.isfile(p)), base
        elif fs.isdir(root):
            base = scope = root.rstrip("/")
            paths = sorted(fs.find(root))
        elif fs.isfile(root):
            base, paths, scope = posixpath.dirname(root), [root], root
        else:
            raise InputError(f"--input {uri}: no such file or folder")
        outputs = {posixpath.dirname(p) for p in paths if posixpath.basename(p) == "_report.json"}
        ours = {p for p in paths if any(p.startswith(o + "/") for o in outputs)}  # an output of this job: not input
        paths = [p for p in paths if p not in ours]
        kinds = {p: shard_kind(p) for p in paths}
        kinds = {p: k for p, k in kinds.items() if k and forced_format in ("auto", k[0])}  # a forced format filters
        infos = {p: fs.info(p) for p in paths if p in kinds}
    except InputError:
        raise
    except Exception as error:  # object stores raise their own types (botocore, aiohttp); one line either way
        raise InputError(f"--input {uri}: cannot list ({error.__class__.__name__}: {error})") from error
    shards = [Shard(p, posixpath.relpath(p, base) if base else p, kinds[p][0], int(infos[p]["size"]), kinds[p][1],
                    content_version(infos[p]))
              for p in paths if p in infos]
    skipped = Counter(_extension(p) for p in paths if p not in infos)
    if ours:
        skipped["(files of haremb-batch outputs)"] = len(ours)
    if not shards:
        raise InputError(f"--input {uri}: no shards found (*.parquet, *.jsonl, *.ndjson, *.json, "
                         f"JSON Lines also .gz/.zst){_skipped_note(skipped)}")
    return Inputs(fs, scope, shards, skipped)


def _extension(path: str) -> str:
    name = posixpath.basename(path)
    return name[name.index("."):].lower() if "." in name.lstrip(".") else "(none)"


def _skipped_note(skipped: Counter) -> str:
    if not skipped:
        return ""
    kinds = ", ".join(f"{ext}: {n}" for ext, n in skipped.most_common(5))
    return f"; skipped {sum(skipped.values())} other files ({kinds})"


def describe_skipped(skipped: Counter) -> str:
    """One log line for the files that look like data but are not read."""
    return _skipped_note(skipped).removeprefix("; ")


@dataclass(frozen=True)
class OutputPaths:
    """Where each output of a shard goes, under the output root (paths as the output filesystem sees them).

    Every name is the shard's full relative path plus a suffix, so two shards never share an output
    (`x.jsonl` and `x.parquet` give `entities/x.jsonl.parquet` and `entities/x.parquet.parquet`).
    """

    root: str

    def redacted(self, shard: Shard) -> str:
        return f"{self.root}/redacted/{shard.relative}"

    def entities(self, shard: Shard) -> str:
        return f"{self.root}/entities/{shard.relative}.parquet"

    def quarantine(self, shard: Shard) -> str:
        return f"{self.root}/quarantine/{shard.relative}.jsonl"

    def manifest(self, shard: Shard) -> str:
        return f"{self.root}/_manifest/{shard.relative}.json"

    def parts(self, relative: str) -> str:
        return f"{self.root}/_parts/{relative}"

    @property
    def manifests(self) -> str:
        return f"{self.root}/_manifest"

    @property
    def report(self) -> str:
        return f"{self.root}/_report.json"

    def run_record(self, stamp: str) -> str:
        return f"{self.root}/_runs/{stamp}.json"


def raw_quarantine_path(root: str, shard: Shard) -> str:
    """Where `output.quarantine_raw` copies a shard's unparseable lines: outside the output tree."""
    return f"{root.rstrip('/')}/{shard.relative}.jsonl"

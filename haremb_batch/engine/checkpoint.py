"""Find and read a privacy-filter checkpoint: config, weights, tokenizer, labels, Viterbi calibration."""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .options import BIAS_NAMES, ConfigError

DEFAULT_MODEL_DIR = Path(__file__).resolve().parent.parent / "default_model"
CALIBRATION_FILE = "viterbi_calibration.json"  # operating points of the Viterbi decoder (jobs/calibrate.py)
CACHE_DIR = Path(os.environ.get("HAREMB_CACHE", Path.home() / ".cache" / "haremb_batch"))


class CheckpointError(ValueError):
    """The model location does not hold a usable privacy-filter checkpoint."""


@dataclass
class Checkpoint:
    folder: Path
    config: object  # transformers.OpenAIPrivacyFilterConfig
    weights: "LazyWeights"  # name -> torch.Tensor, read from the files on each access
    tokenizer: object  # transformers fast tokenizer
    operating_points: dict  # point name -> {transition bias name -> value}, from viterbi_calibration.json



def resolve_model_folder(model: str | os.PathLike | None, version: str | None = None,
                         storage_options: dict | None = None) -> Path:
    """A local folder for `model`: None (the embedded default), a folder, an fsspec URL or a hub id.
    version: for a URL, the version the copy must be (the job's driver passes the one it copied, so an actor that
    starts after the model was replaced at its URL fails instead of running another model).
    storage_options: passed to fsspec for a URL (JobConfig.model_storage_options: endpoint, credentials)."""
    if model is None:
        return DEFAULT_MODEL_DIR
    model = str(model)
    if "://" in model and not model.startswith("file://"):
        return _copy_from_url(model, version, storage_options or {})
    local = Path(model.removeprefix("file://")).expanduser()
    if local.exists():
        return local
    if model.count("/") == 1 and not model.startswith((".", "/", "~")):
        return _download_from_hub(model)
    raise CheckpointError(f"model {model!r}: no such folder, and not an fsspec URL or a hub id (owner/name)")


# what tells one version of a remote file from another: S3's version id and ETag, Azure's ETag, GCS's generation
# and md5, the hub's blob id, an HTTP server's ETag or digest, modification times (S3, local, SFTP, FTP, WebHDFS),
# the memory filesystem's creation time; the file's size is taken as well. A listing without them (an HTTP index
# page) is completed file by file from fs.info (a HEAD request); where that has none either, a copy is pinned by
# its content.
VERSION_KEYS = ("VersionId", "ETag", "etag", "generation", "md5Hash", "blob_id", "Content-MD5", "Digest",
                "LastModified", "last_modified", "updated", "modificationTime", "modify", "mtime", "created")
STALE_COPY_SECONDS = 24 * 3600  # a `.partial` folder this old is a copy whose process was killed


def remote_version(fs, path: str, shown: str) -> str | None:
    """The version of the remote folder `path`: a hash of its files' names, sizes and version fields, so a model
    replaced at the same URL is copied again; None when a file's listing has no size or version field.
    CheckpointError (naming `shown`, the URL with its credentials masked) when it is no folder or holds no file."""
    if not fs.isdir(path):
        raise CheckpointError(f"model {shown}: not a folder")
    listing = fs.find(path, detail=True)
    if not listing:
        raise CheckpointError(f"model {shown}: an empty folder")
    digest = hashlib.sha256()
    for name in sorted(listing):
        stamp, size = _stamp(listing[name])
        if stamp is None or size is None:
            stamp, size = _stamp(fs.info(name))
        if stamp is None or size is None:
            return None
        digest.update(f"{os.path.relpath(name, path)}\0{size}\0{stamp}\n".encode())
    return digest.hexdigest()[:16]


def _stamp(info: dict) -> tuple[str | None, object]:
    return next((str(info[k]) for k in VERSION_KEYS if info.get(k) is not None), None), info.get("size")


def url_model_version(folder: Path) -> str | None:
    """The version a copy made by resolve_model_folder holds; None for a folder that is no such copy."""
    match = re.fullmatch(r"[0-9a-f]{16}-([0-9a-f]{16})", folder.name)
    return match.group(1) if match and folder.parent == CACHE_DIR / "models" else None


def _copy_from_url(url: str, expected: str | None, storage_options: dict) -> Path:
    """A local copy of the model folder at `url`, one per version of it: remote_version, or the copy's content
    digest where the store gives no version fields. A nightly job whose model was replaced at the same URL runs
    the new one, and its run identity's model digest says so. `expected`: the version the copy must be."""
    import fsspec

    from ..credentials import mask_text, storage_secrets

    def masked(text: str) -> str:
        return mask_text(text, storage_secrets(storage_options))

    shown = masked(url)
    models = CACHE_DIR / "models"
    stem = hashlib.sha256(url.split("?")[0].split("#")[0].encode()).hexdigest()[:16]  # not a rotating signature
    if expected is not None and (models / f"{stem}-{expected}" / "config.json").exists():
        return models / f"{stem}-{expected}"
    try:
        fs, path = fsspec.core.url_to_fs(url, **storage_options)
        listed = remote_version(fs, path, shown)
    except CheckpointError:
        raise
    except Exception as error:  # an unknown protocol, options it does not take, an unreachable store: one line
        # `from None`: the cause's text and traceback may hold the URL's or the options' secrets
        raise CheckpointError(f"model {shown}: cannot list it: {type(error).__name__}: {masked(str(error))}") from None
    if listed is not None:
        _check_version(shown, expected, listed)
        if (models / f"{stem}-{listed}" / "config.json").exists():
            return models / f"{stem}-{listed}"
    # a folder of this process's own: the actors of one node copy at the same time, and one writing into a file
    # another has renamed into place and mapped would change or truncate that one's weights (SIGBUS)
    models.mkdir(parents=True, exist_ok=True)
    _remove_stale_copies(models)
    partial = Path(tempfile.mkdtemp(prefix=f"{stem}.", suffix=".partial", dir=models))
    inode = partial.stat().st_ino
    try:
        remotes = {os.path.relpath(remote, path): remote for remote in fs.find(path)}
        names = sorted(remotes)
        for name in names:
            local = partial / name
            for folder in reversed(Path(name).parents[:-1]):  # never `partial` itself: see below
                (partial / folder).mkdir(exist_ok=True)
            fs.get_file(remotes[name], str(local))
            os.utime(partial)  # a slow copy is no stale one (_remove_stale_copies)
        # a cleaner that took this folder for a killed process's renamed it away: what stands here now is not
        # this copy (a filesystem may have made the folder again to write a file), so it must not be published
        copied = sorted(p.relative_to(partial).as_posix() for p in partial.rglob("*") if p.is_file())
        if partial.stat().st_ino != inode or copied != names:
            raise CheckpointError(f"model {shown}: the copy's folder was removed as stale while copying; run again")
        if listed is not None and remote_version(fs, path, shown) != listed:  # the copy may mix two versions
            raise CheckpointError(f"model {shown} changed while it was being copied; run again")
        version = listed or model_content_digest(partial)[:16]
        _check_version(shown, expected, version)
        target = models / f"{stem}-{version}"
        try:
            partial.rename(target)
        except OSError:
            if not (target / "config.json").exists():  # not another process's copy of it, finished first
                raise
    except CheckpointError:
        raise
    except Exception as error:  # a file gone meanwhile, a full disk, a cleaner that took this folder
        raise CheckpointError(f"model {shown}: copy failed: {type(error).__name__}: {masked(str(error))}") from None
    finally:
        shutil.rmtree(partial, ignore_errors=True)  # mkdtemp's name: whatever stands there now is this copy's
    return target


def _check_version(shown: str, expected: str | None, version: str) -> None:
    if expected is not None and version != expected:
        raise CheckpointError(f"model {shown} was replaced after the run started (version {expected}, now {version}); "
                              "run again, or publish new models at a new URL")


def _remove_stale_copies(models: Path) -> None:
    """Copies left by killed processes: `.partial` folders whose mtime (touched after each file) is a day old.
    Each is first renamed, atomically, so a live owner that was only stuck finds its folder gone and fails
    instead of publishing a half-removed copy. Earlier versions of a model stay: a job may still map them."""
    import time

    for folder in [*models.glob("*.partial"), *models.glob("*.stale-*")]:
        try:
            if time.time() - folder.stat().st_mtime > STALE_COPY_SECONDS:
                claimed = folder.with_name(f"{folder.name.split('.')[0]}.stale-{os.getpid()}-{time.monotonic_ns()}")
                folder.rename(claimed)
                shutil.rmtree(claimed, ignore_errors=True)
        except OSError:  # removed or claimed by another process meanwhile
            pass


def _download_from_hub(repo_id: str) -> Path:
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(repo_id))
    except Exception as error:  # the hub is often unreachable; say so in one line
        raise CheckpointError(f"model {repo_id!r}: not a local folder and the hub download failed ({error.__class__.__name__})") from error


def check_checkpoint_folder(folder: Path) -> dict:
    """The folder's config.json if it is a privacy-filter checkpoint; CheckpointError naming what is missing."""
    missing = [name for name in ("config.json",) if not (folder / name).exists()]
    weight_files = sorted(folder.glob("*.safetensors"))
    if not weight_files:
        missing.append("*.safetensors weights")
    if not ((folder / "tokenizer.json").exists() or (folder / "tokenizer_config.json").exists()):
        missing.append("tokenizer (tokenizer.json)")
    if missing:
        raise CheckpointError(f"model folder {folder} is not a privacy-filter checkpoint: missing {', '.join(missing)}")
    try:
        config = json.loads((folder / "config.json").read_text())
    except json.JSONDecodeError as error:
        raise CheckpointError(f"model folder {folder}: config.json is not valid JSON") from error
    model_type = config.get("model_type")
    if model_type != "openai_privacy_filter":
        raise CheckpointError(f"model folder {folder}: config.json has model_type {model_type!r}, expected 'openai_privacy_filter'")
    return config


def model_content_digest(folder: Path) -> str:
    """sha256 over the names and bytes of the files that decide predictions (weights, config, tokenizer,
    calibration); documentation (*.md) and hidden files do not count. Outputs record it so that a rerun notices
    when the files behind a model path changed."""
    digest = hashlib.sha256()
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix != ".md"
                   and not any(part.startswith(".") for part in p.relative_to(folder).parts))
    for path in files:
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        with path.open("rb") as f:
            while chunk := f.read(1 << 24):
                digest.update(chunk)
        digest.update(b"\0")
    return digest.hexdigest()


def load_checkpoint(model: str | os.PathLike | None) -> Checkpoint:
    folder = resolve_model_folder(model)
    check_checkpoint_folder(folder)

    from transformers import AutoConfig, AutoTokenizer

    config = AutoConfig.from_pretrained(folder)
    weights = LazyWeights(sorted(folder.glob("*.safetensors")))
    tokenizer = AutoTokenizer.from_pretrained(folder)
    if not getattr(tokenizer, "is_fast", False):
        raise CheckpointError(f"model folder {folder}: the tokenizer is not a fast tokenizer (character offsets are needed)")
    return Checkpoint(folder, config, weights, tokenizer, read_operating_points(folder))


SLICE_BYTES = 32 << 20
_SAFETENSORS_DTYPES = {"F32": "float32", "BF16": "bfloat16", "F16": "float16"}


class LazyWeights(Mapping):
    """A checkpoint's tensors by name, each read from its safetensors file only when asked for, never kept.
    The engine takes them one at a time and converts each to its compute dtype, so an fp32 copy of the whole
    model never sits beside the converted one (peak: the converted model plus one tensor as stored)."""

    def __init__(self, files: list[Path]):
        from safetensors import safe_open

        self._where: dict[str, Path] = {}
        self._mapped: dict[Path, object] = {}  # one open file per path: tensors as stored share its one mapping
        for path in files:
            with safe_open(str(path), framework="pt") as f:
                self._where.update({name: path for name in f.keys()})

    def __getitem__(self, name: str):
        from safetensors import safe_open

        with safe_open(str(self._where[name]), framework="pt") as f:
            return f.get_tensor(name)

    def converted(self, name: str, dtype) -> "torch.Tensor":
        """The tensor in `dtype`. Stored in `dtype`: the file's mapping itself, whose pages are read as they are
        touched (an embedding's unseen rows never are) and stay clean page cache the kernel can drop. Otherwise
        converted SLICE_BYTES of the stored rows at a time, each through a mapping of its own: neither the
        stored copy nor its mapped pages ever sit whole beside the converted tensor (the largest expert tensor
        of the slice shapes is 419 MB in fp32). Mapped weights change with their file: a checkpoint must be
        replaced by a new file (renamed into place), never rewritten or truncated in place while in use."""
        import torch

        if self.stored_dtype(name) == dtype:  # as stored: mapped, its pages read as they are touched
            from safetensors import safe_open

            path = self._where[name]
            if path not in self._mapped:  # opened per tensor, each mapped the whole file (124 times for 8 layers)
                self._mapped[path] = safe_open(str(path), framework="pt")
            return self._mapped[path].get_tensor(name)
        shape, out = self.shape(name), None
        for lo, part in self.row_slices(name, dtype):
            if lo == 0 and (not shape or part.shape[0] == shape[0]):  # in one piece
                return part
            if out is None:
                out = torch.empty(shape, dtype=dtype)
            out[lo : lo + len(part)] = part
            del part  # one slice at a time, not two
        return out

    def stored_dtype(self, name: str) -> "torch.dtype | None":
        """The tensor's dtype in the file (None for one torch has no float dtype for here)."""
        import torch
        from safetensors import safe_open

        with safe_open(str(self._where[name]), framework="pt") as f:
            stored_name = _SAFETENSORS_DTYPES.get(f.get_slice(name).get_dtype())
        return getattr(torch, stored_name) if stored_name else None

    def shape(self, name: str) -> list[int]:
        from safetensors import safe_open

        with safe_open(str(self._where[name]), framework="pt") as f:
            return f.get_slice(name).get_shape()

    def row_slices(self, name: str, dtype):
        """(first row, rows in `dtype`) of the tensor, SLICE_BYTES of the stored rows at a time, each read
        through a mapping of its own (see `converted`); a scalar or an empty tensor in one piece."""
        from safetensors import safe_open

        path = str(self._where[name])
        shape, stored_dtype = self.shape(name), self.stored_dtype(name)
        if not shape or 0 in shape or stored_dtype is None:
            yield 0, self[name].to(dtype)
            return
        rows = max(1, SLICE_BYTES // (math.prod(shape[1:]) * stored_dtype.itemsize))
        for lo in range(0, shape[0], rows):
            with safe_open(path, framework="pt") as f:
                yield lo, f.get_slice(name)[lo : lo + rows].to(dtype)

    def __contains__(self, name) -> bool:
        return name in self._where

    def __iter__(self):
        return iter(list(self._where))

    def __len__(self) -> int:
        return len(self._where)


def read_operating_points(folder: Path) -> dict[str, dict]:
    """Each operating point's biases from the folder's viterbi_calibration.json ({} when there is none).
    The file is `{"operating_points": {name: {"biases": {...}, ...}}}`; other keys of a point (targets,
    metrics, written by jobs/calibrate.py) are for people and are not read. Unknown bias names fail here,
    at load, rather than when a point is chosen."""
    path = folder / CALIBRATION_FILE
    if not path.exists():
        return {}
    try:
        points = {name: dict(point["biases"]) for name, point in json.loads(path.read_text())["operating_points"].items()}
    except (KeyError, TypeError, ValueError, AttributeError, json.JSONDecodeError) as error:
        raise CheckpointError(f"{path}: expected {{'operating_points': {{name: {{'biases': {{...}}}}}}}}") from error
    for name, biases in points.items():
        for key, value in biases.items():
            if key not in BIAS_NAMES or isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise CheckpointError(f"{path}: operating point {name!r}: {key!r}: {value!r} is not a known transition bias with a number")
    return points


def checkpoint_biases(points: dict[str, dict], option: str, folder: Path) -> dict:
    """The biases `decoding.biases` asks for with `checkpoint` (the point `default`; zeros when the folder has no
    calibration file) or `checkpoint:<name>` (that point). A file without the point asked for is a ConfigError
    listing the points it has, not a quiet fall back to zeros."""
    name = option.partition(":")[2] or "default"
    if not points and option == "checkpoint":
        return {}
    if name not in points:
        raise ConfigError(f"decoding.biases: {option!r}: the model folder {folder} has no operating point "
                          f"{name!r} in {CALIBRATION_FILE} (points: {', '.join(sorted(points)) or 'none'})")
    return points[name]


def expected_weight_names(num_layers: int) -> list[str]:
    names = ["model.embed_tokens.weight", "model.norm.weight", "score.weight", "score.bias"]
    for i in range(num_layers):
        p = f"model.layers.{i}."
        names += [p + "input_layernorm.weight", p + "post_attention_layernorm.weight", p + "self_attn.sinks"]
        names += [p + f"self_attn.{n}_proj.{w}" for n in "qkvo" for w in ("weight", "bias")]
        names += [p + "mlp.router.weight", p + "mlp.router.bias"]
        names += [p + f"mlp.experts.{n}" for n in ("gate_up_proj", "gate_up_proj_bias", "down_proj", "down_proj_bias")]
    return names

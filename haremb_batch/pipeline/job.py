"""The redaction job on Ray Data: check everything that can be checked before any cluster work, plan shards,
stream documents through the stages, finalize each shard as soon as all its rows are in, and always write the
run's record and the output's report."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import re
import secrets
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..config import ConfigError, JobConfig
from ..credentials import mask_text, storage_secrets
from ..redaction import RedactionMethod, key_fingerprint
from .finalize import FinalizeOptions, finalize_shard, manifest_problem, remove_shard_outputs
from .report import run_record, write_records
from .shards import Inputs, OutputPaths, Shard, describe_skipped, discover_shards, filesystem
from .stages import ModelStage, read_shards, tokenize_documents, write_parts
from .tracking import ProgressPrinter, Tracker

log = logging.getLogger("haremb_batch")


@dataclass
class RunState:
    done: dict = field(default_factory=dict)  # relative -> manifest
    skipped: list = field(default_factory=list)
    failed: dict = field(default_factory=dict)  # relative -> reason
    redone: dict = field(default_factory=dict)  # relative -> why a shard with a manifest was redone
    finalized_on: dict = field(default_factory=dict)  # relative -> Ray node id of its finalize task
    status: str = "running"  # then: ok, failed (some shard), interrupted, error
    error: str | None = None


@dataclass
class Plan:
    """Everything checked before any cluster work."""

    inputs: Inputs
    fs_out: object
    paths: OutputPaths
    raw_quarantine: tuple | None  # (filesystem, root) with output.quarantine_raw
    key: bytes
    identity: dict  # config_digest, model_digest, categories_digest, key_fingerprint
    categories: list  # the model's
    secrets: list  # credential strings to keep out of every message
    model_folder: Path | None = None  # to hash (identity["model_digest"] is None until hash_model_digest)


def run_key(cfg: JobConfig) -> tuple[bytes, bool]:
    """The secret for hash/replace and entity HMACs, and whether the user gave it. Without it, hash and replace
    cannot be consistent: refuse. Other methods get a random per-run key (entity HMACs then only join within
    the run)."""
    value = os.environ.get(cfg.redaction.key_env)
    if value:
        return value.encode("utf-8"), True
    keyed = [m for m in cfg.redaction.methods.values() if m in (RedactionMethod.HASH, RedactionMethod.REPLACE)]
    if keyed:
        raise ConfigError(f"redaction.method={keyed[0]} needs a secret key in ${cfg.redaction.key_env}")
    log.warning("$%s is not set: entity text_hmac values use a random key for this run only", cfg.redaction.key_env)
    return secrets.token_bytes(32), False


def check_model(cfg: JobConfig, key: bytes):
    """Fail before any cluster work when the model or the policy cannot work (exit 2, one line); returns the
    model's local folder, its categories, the deny/allow entries as loaded, the rules that will run and the
    digests of the word lists they read."""
    from ..detect.policy import Policy
    from ..engine.checkpoint import check_checkpoint_folder, checkpoint_biases, read_operating_points, resolve_model_folder
    from ..engine.labels import LabelSet

    folder = resolve_model_folder(cfg.model.path, storage_options=cfg.model_storage_options())
    config = check_checkpoint_folder(folder)
    if isinstance(cfg.decoding.biases, str) and cfg.decoding.biases.startswith("checkpoint"):
        checkpoint_biases(read_operating_points(folder), cfg.decoding.biases, folder)  # the file parses, the point exists
    categories = LabelSet.from_id2label(config.get("id2label") or {0: "O"}).categories
    experts, top_k = config.get("num_local_experts"), cfg.model.experts_per_token
    if top_k is not None and experts is not None and top_k > experts:
        raise ConfigError(f"model.experts_per_token={top_k} but the model has {experts} experts")
    policy = Policy.from_config(cfg, categories, key)  # rules, lists, labels, methods against the model
    policy.warn_disabled()
    return folder, list(categories), policy.list_entries, tuple(policy.rules.enabled), policy.word_lists()


def _place(fs, path: str) -> tuple[frozenset, str]:
    protocols = fs.protocol if isinstance(fs.protocol, (tuple, list)) else (fs.protocol,)
    path = path.rstrip("/")
    if "file" in protocols or "local" in protocols:
        path = os.path.realpath(path)
    return frozenset(protocols), path


def _within(inner: tuple, outer: tuple) -> bool:
    (p_in, path_in), (p_out, path_out) = inner, outer
    return bool(p_in & p_out) and (path_in == path_out or path_in.startswith(path_out + "/"))


def check_locations(places: list[tuple[str, str, object, str]]) -> None:
    """No place inside another: output inside input would be read back as input by the next run, input inside
    output would be overwritten or mixed with outputs, raw quarantine inside either defeats its purpose.
    `places`: (option name, URI as given, filesystem, path)."""
    resolved = [(name, uri, _place(fs, path)) for name, uri, fs, path in places]
    for i, (name_a, uri_a, a) in enumerate(resolved):
        for name_b, uri_b, b in resolved[i + 1:]:
            for (n1, u1, p1), (n2, u2, p2) in (((name_a, uri_a, a), (name_b, uri_b, b)), ((name_b, uri_b, b), (name_a, uri_a, a))):
                if _within(p1, p2):
                    raise ConfigError(f"{n1} {u1} is inside {n2} {u2}: use separate locations")


def probe_writable(fs, root: str, option: str, uri: str) -> None:
    """Write and remove a small file, so an unwritable location fails now, not after the model ran."""
    probe = f"{root}/.haremb-write-probe-{uuid.uuid4().hex[:12]}"
    try:
        fs.makedirs(root, exist_ok=True)
        with fs.open(probe, "wb") as f:
            f.write(b"haremb-batch write probe\n")
        fs.rm(probe)
    except Exception as error:  # noqa: BLE001 - any storage error means the job cannot write there
        raise ConfigError(f"{option} {uri}: not writable ({error.__class__.__name__}: {error})") from error


def preflight(cfg: JobConfig, hash_model: bool = True, extra_places: tuple = ()) -> Plan:
    """Every check that needs no cluster: keys and values (done on load), the key, the input, the model, the
    output locations and that they can be written. Raises ConfigError / InputError / CheckpointError (exit 2).
    The model's content digest is left to `hash_model_digest` (it reads the whole checkpoint, so run() does
    it while the cluster starts); `hash_model=False` (jobs/apply.py, which never runs the model) leaves it
    out for good. `extra_places` are more (option, URI) locations that must not overlap the others."""
    key, given = run_key(cfg)
    inputs = discover_shards(cfg.input.uri, cfg.io.storage_options, cfg.input.format)
    if inputs.skipped:
        log.info("%s", describe_skipped(inputs.skipped))
    folder, categories, lists, rules, word_lists = check_model(cfg, key)
    fs_out, out_root = filesystem(cfg.output.uri, cfg.io.storage_options)
    out_root = out_root.rstrip("/")
    places = [("--input", cfg.input.uri, inputs.fs, inputs.base), ("--output", cfg.output.uri, fs_out, out_root)]
    raw_quarantine = None
    if cfg.output.quarantine_raw:
        fs_raw, raw_root = filesystem(cfg.output.quarantine_uri, cfg.io.storage_options)
        raw_quarantine = (fs_raw, raw_root.rstrip("/"))
        places.append(("output.quarantine_uri", cfg.output.quarantine_uri, fs_raw, raw_quarantine[1]))
    for option, uri in extra_places:
        places.append((option, uri, *filesystem(uri, cfg.io.storage_options)))
    check_locations(places)
    if cfg.output.mode == "error_if_exists" and fs_out.exists(out_root) and fs_out.ls(out_root):
        raise ConfigError(f"output.mode=error_if_exists and --output {cfg.output.uri} is not empty")
    probe_writable(fs_out, out_root, "--output", cfg.output.uri)
    if raw_quarantine is not None:
        probe_writable(*raw_quarantine, "output.quarantine_uri", cfg.output.quarantine_uri)
    identity = {"config_digest": cfg.digest(lists, rules, word_lists), "model_digest": None,
                "categories_digest": hashlib.sha256(json.dumps(categories).encode()).hexdigest(),
                "key_fingerprint": key_fingerprint(key) if given else None}
    return Plan(inputs, fs_out, OutputPaths(out_root), raw_quarantine, key, identity, categories,
                storage_secrets(cfg.io.storage_options), folder if hash_model else None)


def hash_model_digest(p: Plan) -> Plan:
    """Fills identity["model_digest"] (sha256 of the checkpoint's files: ~0.5 s per GB); returns p."""
    from ..engine.checkpoint import model_content_digest

    if p.model_folder is not None and p.identity["model_digest"] is None:
        p.identity["model_digest"] = model_content_digest(p.model_folder)
    return p


def _while_ray_starts(p: Plan) -> None:
    """What run() does beside ray.init, which mostly waits for its processes: hash the model and import Ray
    Data (0.3 s) for the dataset that follows."""
    hash_model_digest(p)
    import ray.data  # noqa: F401


def plan(cfg: JobConfig, p: Plan, state: RunState, ignore: tuple = ()) -> list[Shard]:
    """Which shards to run, by output.mode (nothing is removed yet: see clear_outputs). Says why a shard that
    has a manifest is redone. `ignore`: identity fields not to compare (apply.py has no model digest)."""
    todo = []
    for shard in p.inputs.shards:
        if cfg.output.mode == "skip_existing":
            why = manifest_problem(p.fs_out, p.paths, shard, p.identity, ignore)
            if why is None:
                state.skipped.append(shard.relative)
                continue
            if why != "not done yet":
                state.redone[shard.relative] = why
        todo.append(shard)
    for why, shards in _group(state.redone).items():
        log.warning("redoing %d shard(s) that were done before: %s (%s%s)", len(shards), why, ", ".join(shards[:3]),
                    ", ..." if len(shards) > 3 else "")
    return todo


def clear_outputs(p: Plan, todo: list[Shard]) -> None:
    """Remove what earlier runs left of the shards about to run: only once every check has passed."""
    for shard in todo:
        remove_shard_outputs(p.fs_out, p.paths, shard, p.raw_quarantine)


def _group(reasons: dict) -> dict:
    grouped: dict[str, list] = {}
    for name, why in reasons.items():
        grouped.setdefault(why, []).append(name)
    return grouped


def runtime_sizes(cfg: JobConfig) -> dict:
    import ray

    resources = ray.cluster_resources()
    cpus, gpus = int(resources.get("CPU", 1)), int(resources.get("GPU", 0))
    if cfg.model.device.startswith("cuda") and not gpus:
        raise ConfigError(f"model.device={cfg.model.device} but the Ray cluster has no GPU")
    node_cpus = max((n["Resources"].get("CPU", 0) for n in ray.nodes() if n.get("Alive")), default=0)
    node_gpus = max((n["Resources"].get("GPU", 0) for n in ray.nodes() if n.get("Alive")), default=0)
    rt_ = cfg.runtime
    if rt_.gpus_per_actor != "auto" and rt_.gpus_per_actor > node_gpus:
        raise ConfigError(f"runtime.gpus_per_actor={rt_.gpus_per_actor:g} but no node of the cluster has that many GPUs "
                          f"(most: {node_gpus:g}): the model actors could never start")
    if rt_.cpus_per_actor != "auto" and rt_.cpus_per_actor > node_cpus:
        raise ConfigError(f"runtime.cpus_per_actor={rt_.cpus_per_actor:g} but no node of the cluster has that many CPUs "
                          f"(most: {node_cpus:g}): the model actors could never start")
    rt = cfg.runtime
    gpus_per_actor = (1.0 if gpus else 0.0) if rt.gpus_per_actor == "auto" else float(rt.gpus_per_actor)
    if rt.actors != "auto":
        actors = rt.actors
    elif gpus_per_actor > 0:
        actors = max(1, int(gpus / gpus_per_actor))
    else:
        actors = max(1, (cpus - 1) // 4) if cpus > 4 else 1  # leave CPUs for reading and writing
    if rt.cpus_per_actor != "auto":
        cpus_per_actor = float(rt.cpus_per_actor)
    elif cpus < 2:  # one CPU: the read, tokenize and write tasks (0.5 each) must still fit beside the actor
        cpus_per_actor = 0.5
    else:
        cpus_per_actor = 1.0 if gpus_per_actor or cpus <= 4 else 4.0
    # 64 on CPU: the first batch is tokenized before the model starts and the last one is written after it
    # ends, so a smaller batch shortens both; below ~64 short documents the engine loses speed (BENCHMARKS.md)
    docs = (1024 if gpus_per_actor else 64) if rt.docs_per_batch == "auto" else rt.docs_per_batch
    threads = max(1, cpus // actors) if not gpus_per_actor else max(1, int(cpus_per_actor))
    return {"actors": actors, "gpus_per_actor": gpus_per_actor, "cpus_per_actor": cpus_per_actor,
            "docs_per_batch": docs, "torch_threads": threads, "cluster_cpus": cpus, "cluster_gpus": gpus}


TASK_CPUS = 0.5  # each read+tokenize and write task


def build_dataset(cfg: JobConfig, shards: list[Shard], key: bytes, sizes: dict, categories: list[str],
                  model_version: str | None = None):
    """model_version: of a model given as a URL, the version the driver copied (engine/checkpoint.py), which
    every task and actor must load: one replaced at its URL during the run fails them, never mixes models."""
    import ray
    from ray.data import ActorPoolStrategy

    items = [dataclasses.asdict(s) for s in shards]
    ds = ray.data.from_items(items, override_num_blocks=max(1, len(items)))
    ds = ds.map_batches(read_shards, fn_kwargs={"config": cfg}, batch_size=1, batch_format="pyarrow",
                        num_cpus=TASK_CPUS)
    # batch_size=None: Ray Data fuses read and tokenize into one task, bundling its inputs to the larger batch
    # size; a row count here would bundle every small shard into one task, so the model stage would see a
    # single block and no shard would finish before all were through. tokenize_documents slices instead.
    ds = ds.map_batches(tokenize_documents,
                        fn_kwargs={"config": cfg, "docs": sizes["docs_per_batch"], "model_version": model_version},
                        batch_size=None, batch_format="pyarrow", num_cpus=TASK_CPUS)
    actor_cpus = sizes["cpus_per_actor"]
    if not sizes["gpus_per_actor"] and actor_cpus == TASK_CPUS:
        # the same resources would let Ray Data fuse read and tokenize into the actor pool, bundling shard
        # items up to a model batch: the actor would then read them all, one block again
        actor_cpus = TASK_CPUS * 0.98
    ds = ds.map_batches(
        ModelStage, fn_constructor_kwargs={"config": cfg, "threads": sizes["torch_threads"], "model_version": model_version},
        compute=ActorPoolStrategy(min_size=1, max_size=sizes["actors"]), num_gpus=sizes["gpus_per_actor"],
        num_cpus=actor_cpus, batch_size=sizes["docs_per_batch"], batch_format="pyarrow",
    )
    return ds.map_batches(write_parts, fn_kwargs={"config": cfg, "key": key, "categories": categories},
                          batch_size=None, batch_format="pyarrow", num_cpus=TASK_CPUS)


def quiet_ray_data() -> None:
    """Ray Data's own progress bars with a terminal; without one, our progress line instead of its log lines."""
    from ray.data import DataContext

    context = DataContext.get_current()
    context.target_max_block_size = BLOCK_BYTES  # blocks of a few MB stream: no shard goes through as one block
    if not sys.stderr.isatty():
        context.enable_progress_bars = False
        logging.getLogger("ray.data").setLevel(logging.WARNING)
        # it would say that the bars we turned off are off, and how to turn them on: not for this job's user
        logging.getLogger("ray.data._internal.progress").setLevel(logging.ERROR)


BLOCK_BYTES = 8 << 20


def check_cluster_paths(cfg: JobConfig) -> None:
    """A local path is seen by every node only on a shared filesystem; on more than one node, say so."""
    import ray

    nodes = [n for n in ray.nodes() if n.get("Alive")]
    if len(nodes) <= 1 or cfg.io.shared_filesystem:
        return
    for option, uri in (("--input", cfg.input.uri), ("--output", cfg.output.uri),
                        ("output.quarantine_uri", cfg.output.quarantine_uri if cfg.output.quarantine_raw else None)):
        if uri is not None and "file" in _place(filesystem(uri, cfg.io.storage_options)[0], "")[0]:
            raise ConfigError(f"{option} {uri} is a local path and the Ray cluster has {len(nodes)} nodes: use object "
                              "storage, or set io.shared_filesystem=true if every node sees this path")


def run(cfg: JobConfig) -> dict:
    """Runs the job; returns this run's record (also saved as `_runs/<UTC timestamp>.json`; `_report.json`
    describes the whole output). ConfigError / InputError / CheckpointError for bad configuration or input,
    raised before any output is touched (the model's files are hashed while the cluster starts, so one that
    cannot be read fails just after). Whatever happens after that (shard failures, an error, Ctrl-C), both
    records are written before returning or raising."""
    started = time.time()
    p = preflight(cfg)
    state = RunState()
    try:
        with ThreadPoolExecutor(1, thread_name_prefix="model-digest") as pool:
            hashing = pool.submit(_while_ray_starts, p)
            # with no manifest in the output every shard runs, whatever the digest: start the cluster meanwhile
            sizes = connect(cfg) if p.inputs.shards and not p.fs_out.exists(p.paths.manifests) else None
            hashing.result()
        todo = plan(cfg, p, state)
        log.info("%d shards: %d to run, %d already done", len(p.inputs.shards), len(todo), len(state.skipped))
        if sizes is None:
            sizes = connect(cfg) if todo else {}  # the checks that need the cluster, before anything is removed
    except KeyboardInterrupt:
        state.status = "interrupted"
        write_records(p, run_record(cfg, p, state, {}, started))
        raise
    clear_outputs(p, todo)
    try:
        if todo:
            _execute(cfg, p, todo, state, sizes)
        state.status = "failed" if state.failed else "ok"
    except KeyboardInterrupt:
        state.status = "interrupted"
        raise
    except BaseException as error:
        state.status, state.error = "error", describe_error(error)
        raise
    finally:
        record = run_record(cfg, p, state, sizes, started)
        write_records(p, record)
    return record


def connect(cfg: JobConfig) -> dict:
    """Join (or start) the cluster and check what needs it: paths every node must see, GPUs and CPUs the
    actors ask for. Returns the runtime sizes. ConfigError (exit 2) before any output is touched."""
    global _ray_opened_here
    import ray

    if not ray.is_initialized():
        logging.getLogger("ray._private.authentication.authentication_token_setup").addFilter(_token_auth_default)
        ray.init(log_to_driver=True, logging_level=logging.WARNING, include_dashboard=False)
        _ray_opened_here = True  # leave_cluster ends only a session this module began
    check_cluster_paths(cfg)
    quiet_ray_data()
    sizes = runtime_sizes(cfg)
    log.info("runtime: %s", sizes)
    return sizes


_ray_opened_here = False  # connect() called ray.init in this process


def _token_auth_default(record: logging.LogRecord) -> bool:
    """Drops Ray's notice that a local cluster it starts has token auth on (its default, which the job keeps);
    its warning that token auth is off still shows."""
    return not record.getMessage().startswith("Token authentication is enabled")


def leave_cluster() -> None:
    """Leave Ray at the end of a command-line run, before the interpreter exits.

    Ray's exit hook would do it too, but 1.5 s slower: it first sleeps 0.5 s for late log lines, and a
    cluster that ray.init started is stopped process by process, the autoscaler monitor after the GCS, so
    the monitor spends its 1 s grace period trying to report to a GCS that is gone. A local cluster has
    nothing to autoscale: its monitor is killed first. On a cluster the job joined (`ray job submit`,
    RAY_ADDRESS) this only disconnects; the cluster stays up. A Ray session the caller opened before run()
    (the Python API, tests) is left as it is."""
    import ray

    global _ray_opened_here
    if not _ray_opened_here or not ray.is_initialized():
        return
    _ray_opened_here = False
    try:
        from ray._private import worker

        node = worker._global_node
        if node is not None and node.is_head():
            node.kill_monitor(check_alive=False)
    except Exception:  # noqa: BLE001 - Ray's private API moved: ray.shutdown alone still stops everything
        log.debug("could not stop the autoscaler monitor first", exc_info=True)
    ray.shutdown()


def _execute(cfg: JobConfig, p: Plan, todo: list[Shard], state: RunState, sizes: dict) -> None:
    """Stream the shards through the stages; start each shard's finalize task on the cluster as soon as all
    its rows are back. The driver sees only accounting records and manifests."""
    import ray

    from ..engine.checkpoint import url_model_version

    tracker = Tracker(todo)
    # SPREAD: finalization is I/O-heavy; on several nodes it runs on all of them
    finalize = ray.remote(num_cpus=0.25, max_retries=2, scheduling_strategy="SPREAD")(finalize_task)
    running: dict = {}  # ObjectRef -> shard relative path
    try:
        with ProgressPrinter(tracker):
            dataset = build_dataset(cfg, todo, p.key, sizes, p.categories,
                                    url_model_version(p.model_folder) if p.model_folder else None)
            # prefetch_batches=0: a report reaches the driver when its part is written, not one block later
            for batch in dataset.iter_batches(batch_format="pyarrow", batch_size=None, prefetch_batches=0):
                for report in batch.to_pylist():
                    complete = tracker.add(report)
                    if complete is not None:
                        ref = finalize.remote(cfg, complete.shard, complete.parts, complete.total, p.identity)
                        running[ref] = complete.shard.relative
                _collect(running, tracker, state, timeout=0)
            _collect(running, tracker, state, timeout=None)
    finally:  # whatever happened: no part files of unfinished shards are left in the output
        for relative, progress in tracker.shards.items():
            if relative not in state.done and relative not in running.values():
                _remove_parts(p, relative)
        if not running:
            _remove_parts(p, "")  # the emptied _parts/ folder itself
    for relative, progress in tracker.shards.items():
        if progress.failure is not None:
            state.failed[relative] = progress.failure
        elif not progress.finished and relative not in state.failed:
            state.failed[relative] = (f"only {progress.rows} of {progress.total} rows came back" if progress.total is not None
                                      else f"the shard's end never came back ({progress.rows} rows did)")
        if relative in state.failed:
            log.error("shard %s failed: %s", relative, mask_text(state.failed[relative], p.secrets))
            remove_shard_outputs(p.fs_out, p.paths, progress.shard, p.raw_quarantine)


def _collect(running: dict, tracker: Tracker, state: RunState, timeout: float | None) -> None:
    """Take the results of finished finalize tasks (all of them with timeout=None)."""
    import ray

    while running:
        ready, _ = ray.wait(list(running), num_returns=1, timeout=timeout)
        if not ready:
            return
        relative = running.pop(ready[0])
        tracker.shards[relative].finished = True
        try:
            result = ray.get(ready[0])
        except Exception as error:  # noqa: BLE001 - the task died past its retries (memory, a lost node): this shard fails
            state.failed[relative] = f"its finalize task died: {describe_error(error)}"
            continue
        if result["failure"] is not None:
            state.failed[relative] = result["failure"]
            continue
        manifest = result["manifest"]
        state.done[relative] = manifest
        state.finalized_on[relative] = result["node"]
        print(f"done {relative}: {manifest['rows_redacted']} rows redacted, {manifest['rows_quarantined']} "
              f"quarantined, {manifest['entities_redacted']} entities redacted, {manifest['entities_kept']} kept",
              file=sys.stderr, flush=True)


def _remove_parts(p: Plan, relative: str) -> None:
    """A shard's part files (`relative` "": the whole _parts/ folder, once nothing runs that could still use it)."""
    path = p.paths.parts(relative).rstrip("/")
    try:
        if p.fs_out.exists(path):
            p.fs_out.rm(path, recursive=True)
    except Exception as error:  # noqa: BLE001 - best effort; a rerun clears them too
        log.warning("could not remove the part files of %s: %s", relative, error)


def finalize_task(cfg: JobConfig, shard: Shard, parts: list, shard_rows: int, identity: dict) -> dict:
    """A Ray task: merge a shard's parts and write its outputs, then its manifest; remove the parts. Returns
    the manifest (or the failure) and the node it ran on: all the driver ever receives of a shard."""
    import ray

    fs_in, _ = filesystem(cfg.input.uri, cfg.io.storage_options)
    fs_out, root = filesystem(cfg.output.uri, cfg.io.storage_options)
    paths = OutputPaths(root.rstrip("/"))
    raw = None
    if cfg.output.quarantine_raw:
        fs_raw, raw_root = filesystem(cfg.output.quarantine_uri, cfg.io.storage_options)
        raw = (fs_raw, raw_root.rstrip("/"))
    options = FinalizeOptions(cfg.input.text_columns, cfg.output.include_span_text, identity,
                              cfg.runtime.max_failed_fraction, raw)
    node = ray.get_runtime_context().get_node_id()
    if not fs_out.exists(paths.parts(shard.relative)) and manifest_problem(fs_out, paths, shard, identity) is None:
        with fs_out.open(paths.manifest(shard), "rb") as f:  # a retry of a task that had finished: keep its work
            return {"manifest": json.loads(f.read()), "failure": None, "node": node}
    try:
        manifest = finalize_shard(fs_in, fs_out, paths, shard, parts, shard_rows, options)
    except Exception as error:  # noqa: BLE001 - this shard fails (no manifest); the others go on
        remove_shard_outputs(fs_out, paths, shard, raw)
        return {"manifest": None, "failure": f"{error.__class__.__name__}: {error}", "node": node}
    if fs_out.exists(paths.parts(shard.relative)):
        fs_out.rm(paths.parts(shard.relative), recursive=True)
    return {"manifest": manifest, "failure": None, "node": node}


def root_cause(error: BaseException) -> BaseException:
    """The innermost exception object inside Ray's wrappers (RayTaskError, UserCodeException, ...). Ray does not
    carry the worker's own exception across processes when a library wraps it: see `describe_error`."""
    seen = set()
    while id(error) not in seen and type(error).__module__.startswith("ray."):
        seen.add(id(error))
        inner = getattr(error, "cause", None)  # RayTaskError keeps the worker's exception here
        inner = inner if isinstance(inner, BaseException) else error.__cause__
        if inner is None:
            break
        error = inner
    return error


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_EXCEPTION_LINE = re.compile(r"^([A-Za-z_][\w.]*)(?:\((?:[\w.]+)\))?(?:: (.*))?$")


def describe_error(error: BaseException) -> str:
    """`ClassName: message` of the error a worker raised, as the user should see it: the first exception in
    the worker's traceback that is not one of Ray's wrappers, else the innermost exception object."""
    cause = root_cause(error)
    if not type(cause).__module__.startswith("ray."):
        return _one_line(cause.__class__.__name__, str(cause))
    node: BaseException | None = error
    while node is not None:
        for line in _ANSI.sub("", str(node)).splitlines():  # a RayTaskError reads as the worker's traceback
            match = _EXCEPTION_LINE.match(line)
            if match and line != "Traceback (most recent call last):" and _is_user_error(match.group(1)):
                return _one_line(match.group(1).rsplit(".", 1)[-1], match.group(2) or "")
        node = getattr(node, "cause", None) if isinstance(getattr(node, "cause", None), BaseException) else node.__cause__
    return _one_line(cause.__class__.__name__, str(cause))


def _is_user_error(name: str) -> bool:
    short = name.rsplit(".", 1)[-1]
    return (short.endswith(("Error", "Exception", "Interrupt", "Exit")) and not name.startswith("ray.")
            and short not in ("UserCodeException", "RayTaskError", "RayError"))


def _one_line(name: str, message: str) -> str:
    lines = message.strip().splitlines()
    return f"{name}: {lines[0]}" if lines else name

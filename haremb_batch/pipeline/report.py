"""The job's two records: one per run (`_runs/<UTC timestamp>.json`) and one for the whole output
(`_report.json`, aggregated from every shard's manifest, so a resumed run does not replace it with its own part).
Neither holds a credential: the configuration is saved masked (`credentials.py`)."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections import Counter

from ..config import JobConfig
from ..credentials import mask_credentials, mask_text

log = logging.getLogger("haremb_batch")


def _sum(manifests: list[dict], key: str) -> dict:
    total: Counter = Counter()
    for m in manifests:
        total.update(m.get(key, {}))
    return dict(sorted(total.items()))


def entity_figures(manifests: list[dict]) -> dict:
    redacted, kept = _sum(manifests, "entities_per_label"), _sum(manifests, "entities_kept_per_label")
    return {"total": sum(m["entities"] for m in manifests), "redacted": sum(redacted.values()),
            "kept": sum(kept.values()), "redacted_per_label": redacted, "kept_per_label": kept,
            "per_detector": _sum(manifests, "entities_per_detector")}


def row_figures(manifests: list[dict]) -> dict:
    return {"in": sum(m["rows_in"] for m in manifests), "redacted": sum(m["rows_redacted"] for m in manifests),
            "quarantined": sum(m["rows_quarantined"] for m in manifests),
            "quarantined_per_cause": _sum(manifests, "rows_quarantined_per_cause")}


def warnings_for(entities: dict) -> list[str]:
    """Policy that leaves everything visible must not look like success."""
    if entities["total"] and not entities["redacted"]:
        return [f"every one of the {entities['total']} spans found was kept, nothing was redacted "
                "(check decoding.min_score and decoding.labels)"]
    return []


def utc_stamp(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")


def run_record(cfg: JobConfig, plan, state, sizes: dict, started: float) -> dict:
    import time

    finished = time.time()
    manifests = list(state.done.values())
    tokens = sum(m["tokens"] for m in manifests)
    seconds = finished - started
    entities = entity_figures(manifests)
    return {
        "run": utc_stamp(started),
        "status": state.status,
        **({"error": mask_text(state.error, plan.secrets)} if state.error else {}),
        "started_at": utc_stamp(started), "finished_at": utc_stamp(finished),
        "shards": {"total": len(plan.inputs.shards), "done": len(state.done), "skipped": len(state.skipped),
                   "failed": len(state.failed)},
        "failed": {k: mask_text(v, plan.secrets) for k, v in state.failed.items()},
        "redone": dict(state.redone),
        "skipped": list(state.skipped),
        "skipped_files": dict(plan.inputs.skipped),
        "finalized_on": dict(state.finalized_on),  # Ray node id per shard finalized in this run
        "rows": row_figures(manifests),
        "tokens": tokens,
        "entities": entities,
        "warnings": warnings_for(entities),
        "seconds": round(seconds, 2),
        "tokens_per_s": round(tokens / seconds, 1) if seconds else 0.0,
        "runtime": sizes,
        "identity": plan.identity,
        "config": mask_credentials(cfg.to_dict()),
    }


def read_manifests(fs, root: str) -> list[dict]:
    if not fs.exists(root):
        return []
    manifests = []
    for path in sorted(fs.find(root)):
        if not path.endswith(".json"):
            continue
        try:
            with fs.open(path, "rb") as f:
                manifests.append(json.loads(f.read()))
        except (OSError, ValueError) as error:
            log.warning("cannot read manifest %s (%s): left out of _report.json", path, error)
    return manifests


def output_report(manifests: list[dict], last_run: dict) -> dict:
    """The whole output: every shard with a manifest, whichever run finished it."""
    tokens = sum(m["tokens"] for m in manifests)
    entities = entity_figures(manifests)
    identities = {name: dict(Counter(m.get(name) for m in manifests)) for name in
                  ("config_digest", "model_digest", "key_fingerprint")}
    return {
        "shards": {"done": len(manifests), "failed": last_run["shards"]["failed"]},
        "failed": last_run["failed"],
        "rows": row_figures(manifests),
        "tokens": tokens,
        "entities": entities,
        "warnings": warnings_for(entities)
        + [f"shards were produced by {len(v)} different {k.replace('_', ' ')}s" for k, v in identities.items() if len(v) > 1],
        "identity": identities,  # value -> shards; more than one value means a mixed output
        "last_run": {"run": last_run["run"], "status": last_run["status"], "record": f"_runs/{last_run['run']}.json"},
    }


def write_records(plan, record: dict) -> None:
    """`_runs/<stamp>.json`, then `_report.json`. Errors are logged, not raised: the run's own outcome stands."""
    fs, paths = plan.fs_out, plan.paths
    try:
        _write_json(fs, paths.run_record(record["run"]), record)
        _write_json(fs, paths.report, output_report(read_manifests(fs, paths.manifests), record))
    except Exception as error:  # noqa: BLE001 - e.g. the output became unwritable; say so, keep the run's exit
        log.error("could not write the run report under %s: %s: %s", paths.root, error.__class__.__name__, error)


def _write_json(fs, path: str, data: dict) -> None:
    fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
    with fs.open(path, "wb") as f:
        f.write(json.dumps(data, indent=2).encode("utf-8"))

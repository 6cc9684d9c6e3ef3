"""Redact PII in Parquet/JSONL shards: `python jobs/redact.py --input URI --output URI [--config FILE]
[--model PATH_OR_ID] [--set KEY=VALUE ...]`. Runs the same under `ray job submit -- python jobs/redact.py ...`.

Exit codes: 0 every shard done (or skipped as already done); 1 some shard failed (the others are complete);
2 bad configuration or unreadable input, with one line saying why; 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from haremb_batch.config import ConfigError, load_job_config  # noqa: E402
from haremb_batch.credentials import mask_text, storage_secrets  # noqa: E402
from haremb_batch.engine.checkpoint import CheckpointError  # noqa: E402
from haremb_batch.pipeline.shards import InputError  # noqa: E402


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="redact.py", description=__doc__.split("\n")[0])
    parser.add_argument("--input", help="file, folder (recursive) or glob; local path or fsspec URL")
    parser.add_argument("--output", help="output folder; local path or fsspec URL")
    parser.add_argument("--config", help="YAML file of configuration keys (see configs/default.yaml)")
    parser.add_argument("--model", help="checkpoint folder, hub id or fsspec URL (default: the embedded model)")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="override any configuration key, e.g. --set redaction.method=hash (repeatable)")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    from haremb_batch.pipeline.job import leave_cluster, run

    try:
        return run_cli("redact.py", parse_args(argv), run)
    finally:
        leave_cluster()


def run_cli(prog: str, args, run) -> int:
    """Load the configuration, call `run(cfg)` and turn its outcome into one summary line and an exit code:
    0 done, 1 some shard failed (or the job failed, with the worker's own error), 2 bad configuration or
    input, 130 interrupted. Credentials never reach the terminal. Shared with jobs/apply.py."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr)
    secrets: list[str] = []
    try:
        cfg = load_job_config(args.config, args.overrides, input__uri=args.input, output__uri=args.output,
                              model__path=args.model)
        secrets = storage_secrets(cfg.io.storage_options)
        if not cfg.input.uri or not cfg.output.uri:
            raise ConfigError("--input and --output are required (or input.uri / output.uri in the config)")
        record = run(cfg)
    except KeyboardInterrupt:
        print(f"{prog}: interrupted; shards with a manifest are complete, rerun to finish the rest", file=sys.stderr)
        return 130
    except (ConfigError, InputError, CheckpointError) as error:
        print(mask_text(f"{prog}: error: {error}", secrets), file=sys.stderr)
        return 2
    except Exception as error:  # noqa: BLE001 - e.g. a lost cluster: the worker's own error, one line, exit 1
        from haremb_batch.pipeline.job import describe_error

        logging.debug("job failed", exc_info=True)
        print(mask_text(f"{prog}: error: {describe_error(error)}; shards with a manifest are complete, rerun "
                        "to finish the rest", secrets), file=sys.stderr)
        return 1
    print(mask_text(summary(record, cfg.output.uri), secrets))
    for warning in record["warnings"]:
        print(f"WARNING: {warning}", file=sys.stderr)
    for source, reason in list(record["failed"].items())[:5]:
        print(mask_text(f"{prog}: shard {source} failed: {reason}", secrets), file=sys.stderr)
    return 1 if record["shards"]["failed"] else 0


def summary(record: dict, output: str) -> str:
    shards, rows, entities = record["shards"], record["rows"], record["entities"]
    kept = ", ".join(f"{label}: {n}" for label, n in entities["kept_per_label"].items())
    return (f"{shards['done']} shards done, {shards['skipped']} skipped, {shards['failed']} failed; "
            f"{rows['in']} rows ({rows['quarantined']} quarantined), {entities['redacted']} entities redacted, "
            f"{entities['kept']} kept{f' ({kept})' if kept else ''}, {record['tokens_per_s']:.0f} tokens/s. "
            f"Outputs in {output} (report: {output.rstrip('/')}/_report.json, this run: _runs/{record['run']}.json)")


def exit_now(code: int) -> None:
    """Exit with `code` once main() has returned: every output and record is written and closed and Ray is
    left, so only the interpreter's own teardown of Ray's, Ray Data's and pyarrow's modules remains (0.4-0.7 s
    on 2 cores, BENCHMARKS.md). Output streams are flushed first; atexit hooks are skipped (Ray's has already
    run through leave_cluster; with a Ray session still open this exits the usual way, so Ray's hook ends it)."""
    ray = sys.modules.get("ray")
    if ray is not None and ray.is_initialized():
        sys.exit(code)
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader that went away (`| head`) or a closed stream: nothing to keep
            pass
    os._exit(code)


if __name__ == "__main__":
    exit_now(main())

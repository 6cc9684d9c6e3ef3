"""Redact PII in Parquet/JSONL shards: `python jobs/redact.py --input URI --output URI [--config FILE]
[--model PATH_OR_ID] [--set KEY=VALUE ...]`. Runs the same under `ray job submit -- python jobs/redact.py ...`.

Exit codes: 0 every shard done (or skipped as already done); 1 some shard failed (the others are complete);
2 bad configuration or unreadable input, with one line saying why.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from haremb_batch.config import ConfigError, load_job_config  # noqa: E402
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
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr)
    try:
        cfg = load_job_config(args.config, args.overrides, input__uri=args.input, output__uri=args.output,
                              model__path=args.model)
        if not cfg.input.uri or not cfg.output.uri:
            raise ConfigError("--input and --output are required (or input.uri / output.uri in the config)")
        from haremb_batch.pipeline.job import run

        report = run(cfg)
    except (ConfigError, InputError, CheckpointError) as error:
        print(f"redact.py: error: {error}", file=sys.stderr)
        return 2
    except Exception as error:  # noqa: BLE001 - e.g. an unwritable output or a lost cluster: one line, exit 1
        logging.debug("job failed", exc_info=True)
        print(f"redact.py: error: the job failed ({error.__class__.__name__}: {str(error).splitlines()[0] if str(error) else ''}); "
              "shards with a manifest are complete, rerun to finish the rest", file=sys.stderr)
        return 1
    shards = report["shards"]
    print(f"{shards['done']} shards done, {shards['skipped']} skipped, {shards['failed']} failed; "
          f"{report['rows']['in']} rows ({report['rows']['quarantined']} quarantined), "
          f"{report['entities']['total']} entities, {report['tokens_per_s']:.0f} tokens/s. "
          f"Outputs in {cfg.output.uri} (report: {cfg.output.uri.rstrip('/')}/_report.json)")
    return 1 if shards["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())

"""Redact input shards again from a finished output's entity tables under a (possibly changed) policy, without
the model: `python jobs/apply.py --input URI --from FINISHED_OUTPUT --output URI [--config FILE] [--model ...]
[--set KEY=VALUE ...]`. Thresholds, labels, allow/deny lists, methods and the key may differ from the job's;
with the job's own policy the redacted shards are byte-identical to the job's. `--model` (or model.path) names
the checkpoint the output was made with: only its config.json (the categories) is read.

Exit codes as jobs/redact.py: 0 done, 1 some shard failed, 2 bad configuration or input, 130 interrupted.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # redact.py: the CLI this one mirrors

from redact import exit_now, parse_args as parse_job_args, run_cli  # noqa: E402


USAGE = ("usage: apply.py --input URI --from FINISHED_OUTPUT --output URI [--config FILE] [--model PATH_OR_ID] "
         "[--set KEY=VALUE ...]")


def parse_args(argv):
    """The job's arguments plus --from (also --from=PATH); None when --from is missing."""
    argv = list(sys.argv[1:] if argv is None else argv)
    argv = [part for a in argv for part in (a.split("=", 1) if a.startswith("--from=") else [a])]
    if "--from" not in argv or argv.index("--from") + 1 >= len(argv):
        return None, None
    i = argv.index("--from")
    return parse_job_args(argv[:i] + argv[i + 2:]), argv[i + 1]


def main(argv=None) -> int:
    from haremb_batch.pipeline.apply import run_apply

    if any(a in ("-h", "--help") for a in (sys.argv[1:] if argv is None else argv)):
        print(f"{USAGE}\n\n{__doc__}")
        return 0
    args, source = parse_args(argv)
    if args is None:
        print(f"apply.py: error: --from FINISHED_OUTPUT is required\n{USAGE}", file=sys.stderr)
        return 2
    return run_cli("apply.py", args, lambda cfg: run_apply(cfg, source))


if __name__ == "__main__":
    exit_now(main())

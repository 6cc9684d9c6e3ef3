"""Development tools, not the job: the synthetic corpus, tokenizer training, random checkpoints for tests and
the benchmark, and local Ray clusters that stop only what they started. `haremb_batch` never imports this."""

import os
import sys


def pin_hash_seed() -> None:
    """Run this script again with PYTHONHASHSEED=0 unless the hash seed is already fixed. Faker builds some value
    lists from sets (it_IT's cities), whose order follows string hashing: a corpus is a function of its seed
    only under one hash seed, and the scripts that write artifacts (corpus, examples, model) need that."""
    if os.environ.get("PYTHONHASHSEED") != "0":
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, "PYTHONHASHSEED": "0"})

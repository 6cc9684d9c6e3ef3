"""Development tools, not the job: the synthetic corpus, tokenizer training, random checkpoints for tests and
the benchmark, and local Ray clusters that stop only what they started. `haremb_batch` never imports this."""

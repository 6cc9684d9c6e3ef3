"""The engine's attention band (`plan_band` + `banded_attention`) against a dense (N, N) computation."""

import numpy as np
import pytest
import torch

from haremb_batch.engine.modeling import QUERY_BLOCK, banded_attention, plan_band


def dense_reference(q, k, v, segments, sinks, window):
    """Every query against every key of the stream, masked to its window's band, the sink as a softmax column."""
    N, KV, G, D = q.shape
    kk = k.repeat_interleave(G, dim=1).view(N, KV * G, D)
    vv = v.repeat_interleave(G, dim=1).view(N, KV * G, D)
    scores = torch.einsum("qhd,khd->hqk", q.reshape(N, KV * G, D), kk)  # (H, N, N)
    pos = torch.arange(N)
    allowed = (segments[:, None] == segments[None, :]) & ((pos[:, None] - pos[None, :]).abs() <= window)
    scores = scores.masked_fill(~allowed, float("-inf"))
    scores = torch.cat([scores, sinks.view(-1, 1, 1).expand(-1, N, 1)], dim=-1)
    probs = torch.softmax(scores, dim=-1)[..., :N]
    return torch.einsum("hqk,khd->qhd", probs, vv).view(N, KV, G, D)


@pytest.mark.parametrize("lengths, window", [
    ([250, 250, 250, 250, 250], 128),  # the benchmark's short documents: blocks follow the windows
    ([1000, 7, 3, 40, 1, 300, 129, 128, 127, 600], 128),  # long, tiny (packed), and around one block
    ([5, 5, 5, 5, 200, 5, 5], 16),  # a narrow band: keys far inside a window are out of reach
    ([2048], 3),
])
def test_band_matches_dense_attention(lengths, window):
    gen = torch.Generator().manual_seed(sum(lengths) + window)
    N, KV, G, D = sum(lengths), 2, 3, 8
    q = torch.randn(N, KV, G, D, generator=gen, dtype=torch.float64)
    k = torch.randn(N, KV, D, generator=gen, dtype=torch.float64)
    v = torch.randn(N, KV, D, generator=gen, dtype=torch.float64)
    sinks = torch.randn(KV * G, generator=gen, dtype=torch.float64)
    segments = torch.from_numpy(np.repeat(np.arange(len(lengths)), lengths))
    plan = plan_band(segments, window, torch.float64)
    ours = banded_attention(q, k, v, plan, sinks)
    torch.testing.assert_close(ours, dense_reference(q, k, v, segments, sinks, window), rtol=1e-9, atol=1e-9)


def test_plan_computes_no_key_a_window_cannot_reach():
    """250-token windows: each block sees its own window's 250 keys (rounded to 256), not a flat block's 384;
    every token is a query exactly once."""
    segments = torch.from_numpy(np.repeat(np.arange(16), 250))
    plan = plan_band(segments, 128)
    assert [g.keys.shape[1] - 1 for g in plan] == [256]
    rows = torch.cat([g.queries.flatten() for g in plan])
    assert sorted(rows[rows < len(segments)].tolist()) == list(range(len(segments)))
    # windows shorter than a block share blocks: 100 windows of 10 tokens fill 8 blocks, not 100
    tiny = plan_band(torch.from_numpy(np.repeat(np.arange(100), 10)), 128)
    assert sum(len(g.queries) for g in tiny) == -(-1000 // (QUERY_BLOCK // 10 * 10))

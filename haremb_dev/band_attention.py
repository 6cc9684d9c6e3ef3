"""A training-time attention function for transformers' privacy-filter model: fused SDPA with the sink as a key.

transformers' `eager` attention for `openai_privacy_filter` builds the full (T, T) score matrix, appends each head's
sink logit as a column, and runs softmax and two batched matmuls; with their backward passes that is most of a
training step of the default model. This function gives the same result through
`torch.nn.functional.scaled_dot_product_attention` (the fused CPU kernel, forward and backward), with the trick the
engine uses (`banded_attention` in haremb_batch/engine/modeling.py): every query gets one more coordinate equal to
its head's sink logit, every key a 0 there, and one extra key (0, ..., 0, 1) with a zero value joins every row. So
the sink only adds to each row's softmax denominator, as in the reference, and its gradient flows through the
query's extra coordinate. The sliding-window and padding mask comes from transformers (`sdpa_mask`, boolean).

    import haremb_dev.band_attention  # registers "haremb_band"
    model = AutoModelForTokenClassification.from_config(config, attn_implementation="haremb_band")

tests/test_band_attention.py checks outputs and gradients against `eager`.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from transformers import AttentionInterface
from transformers.masking_utils import AttentionMaskInterface, sdpa_mask

NAME = "haremb_band"  # not "...sdpa...": transformers refuses names that claim its own sdpa for this model


def sink_attention(module, query, key, value, attention_mask, scaling=1.0, dropout=0.0, **kwargs):
    """query (B, H, T, D), already scaled; key, value (B, KV, T, D); mask (B, 1, T, T) bool. Returns (B, T, H, D)."""
    B, H, T, D = query.shape
    KV = key.shape[1]
    sinks = module.sinks.to(query.dtype).view(1, H, 1, 1).expand(B, H, T, 1)
    q = torch.cat([query, sinks], dim=-1)
    sink_key = query.new_zeros(B, KV, 1, D + 1)
    sink_key[..., D] = 1.0
    k = torch.cat([F.pad(key, (0, 1)), sink_key], dim=2)  # (B, KV, T+1, D+1)
    v = F.pad(value, (0, 1, 0, 1))  # (B, KV, T+1, D+1): a zero row for the sink, a zero column to match q's width
    groups = H // KV
    k, v = k.repeat_interleave(groups, dim=1), v.repeat_interleave(groups, dim=1)
    mask = attention_mask
    if mask is not None:
        if mask.dtype != torch.bool:  # an additive float mask: what is far below zero is masked
            mask = mask > torch.finfo(mask.dtype).min / 2
        mask = F.pad(mask.expand(B, 1, T, mask.shape[-1]), (0, 1), value=True)  # the sink always counts
    p = dropout if module.training else 0.0
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=p, scale=scaling)[..., :D]
    return out.transpose(1, 2).contiguous(), None


AttentionInterface.register(NAME, sink_attention)
AttentionMaskInterface.register(NAME, sdpa_mask)

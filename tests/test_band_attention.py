"""The trainer's fused attention (haremb_dev/band_attention.py) computes what transformers' eager attention does."""

import copy

import pytest
import torch
from transformers import AutoModelForTokenClassification, OpenAIPrivacyFilterConfig

from haremb_dev import band_attention


def _pair(window: int):
    config = OpenAIPrivacyFilterConfig(
        num_hidden_layers=2, vocab_size=300, pad_token_id=0, eos_token_id=0, num_labels=9, hidden_size=64,
        intermediate_size=64, num_attention_heads=4, num_key_value_heads=2, head_dim=16, num_local_experts=4,
        num_experts_per_tok=2, sliding_window=window, max_position_embeddings=4096,
    )
    torch.manual_seed(0)
    # each model gets its own config: transformers writes the attention choice into the config object
    eager = AutoModelForTokenClassification.from_config(copy.deepcopy(config), attn_implementation="eager")
    with torch.no_grad():
        for p in eager.parameters():  # large random weights, so sinks and far keys matter
            p.normal_(0, 0.3)
    fused = AutoModelForTokenClassification.from_config(copy.deepcopy(config), attn_implementation=band_attention.NAME)
    fused.load_state_dict(eager.state_dict())
    return eager, fused


@pytest.mark.parametrize("window", [3, 16])
def test_outputs_and_gradients_match_eager(window):
    eager, fused = _pair(window)
    assert fused.config._attn_implementation == band_attention.NAME
    ids = torch.randint(1, 300, (3, 40), generator=torch.Generator().manual_seed(1))
    mask = torch.ones_like(ids)
    mask[1, 25:] = 0  # a padded row: its padding must neither be attended to nor break the softmax
    real = mask.bool()
    a, b = eager(input_ids=ids, attention_mask=mask).logits, fused(input_ids=ids, attention_mask=mask).logits
    assert torch.isfinite(b).all()
    torch.testing.assert_close(b[real], a[real], rtol=1e-4, atol=1e-4)
    a[real].square().sum().backward()
    b[real].square().sum().backward()
    grads = dict(eager.named_parameters())
    checked = 0
    for name, p in fused.named_parameters():
        if "sinks" in name or "q_proj" in name or "k_proj" in name or "v_proj" in name:
            torch.testing.assert_close(p.grad, grads[name].grad, rtol=1e-3, atol=1e-4)
            checked += 1
    assert checked == 2 * 7  # sinks and the q/k/v weights and biases of both layers


def test_window_limits_what_a_token_sees():
    """A token past the window changes nothing for the first token; one inside it does."""
    _, fused = _pair(window=3)
    fused.eval()
    ids = torch.randint(1, 300, (1, 30), generator=torch.Generator().manual_seed(2))
    base = fused(input_ids=ids).logits[0, 0]
    far, near = ids.clone(), ids.clone()
    far[0, 20] = (far[0, 20] + 1) % 299 + 1  # 20 tokens away: beyond two layers of a +-3 window
    near[0, 2] = (near[0, 2] + 1) % 299 + 1
    torch.testing.assert_close(fused(input_ids=far).logits[0, 0], base)
    assert not torch.allclose(fused(input_ids=near).logits[0, 0], base)

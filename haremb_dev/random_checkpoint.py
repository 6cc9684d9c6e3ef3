"""Privacy-filter checkpoints with random weights, saved with transformers' own config class.

For tests and the benchmark: model hubs are out of reach, so checkpoints of the real architecture are made
here. The score head is drawn wider than the initializer's so random models emit varied, confident labels.
"""

from __future__ import annotations

from pathlib import Path

from haremb_batch.engine.labels import NEMOTRON_CATEGORIES, bioes_label_names

REAL_SLICE_SHAPE = dict(hidden_size=640, intermediate_size=640, num_attention_heads=14, num_key_value_heads=2,
                        head_dim=64, num_local_experts=128, num_experts_per_tok=4)


def build_random_checkpoint(folder: str | Path, tokenizer, *, num_hidden_layers: int = 1, seed: int = 0,
                            categories=NEMOTRON_CATEGORIES, score_std: float = 0.5, o_bias: float = 0.0,
                            **shape) -> Path:
    """`score_std` and `o_bias` (added to label O's logit) set how many spans the random model finds: the
    defaults put a span on about every other token; score_std=0.05, o_bias=5 gives ~8 per 250 tokens."""
    import torch
    from transformers import AutoModelForTokenClassification, OpenAIPrivacyFilterConfig

    names = bioes_label_names(categories)
    vocab_size = shape.pop("vocab_size", len(tokenizer))  # more rows than tokens: the real model's table size
    defaults = dict(hidden_size=64, intermediate_size=64, num_attention_heads=4, num_key_value_heads=2, head_dim=16,
                    num_local_experts=8, num_experts_per_tok=2)
    config = OpenAIPrivacyFilterConfig(
        num_hidden_layers=num_hidden_layers,
        vocab_size=vocab_size,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.pad_token_id,
        id2label=dict(enumerate(names)),
        label2id={n: i for i, n in enumerate(names)},
        **{**defaults, **shape},
    )
    torch.manual_seed(seed)
    model = AutoModelForTokenClassification.from_config(config)
    with torch.no_grad():
        model.score.weight.normal_(0.0, score_std)
        model.score.bias.normal_(0.0, 1.0).mul_(score_std / 0.5)
        model.score.bias[names.index("O")] += o_bias
        for layer in model.model.layers:  # larger expert weights make the MoE matter in the comparison
            layer.mlp.experts.gate_up_proj.normal_(0.0, 0.1)
            layer.mlp.experts.down_proj.normal_(0.0, 0.1)
            layer.mlp.router.weight.normal_(0.0, 0.5)
            layer.self_attn.sinks.normal_(0.0, 1.0)
    folder = Path(folder)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(str(folder))
    return folder

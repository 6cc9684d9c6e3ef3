"""The engine's own forward pass of the privacy-filter model (MODEL_NOTES.md), built for batch inference.

A batch is one flat token stream: windows laid end to end, each token carrying its position inside its
window and its window's index. Nothing is padded, attention only looks at the +-sliding_window band of the
same window (computed block by block, never a T x T matrix), and MoE tokens are grouped per expert.
transformers' `OpenAIPrivacyFilterForTokenClassification` is the reference this is tested against.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch.profiler import record_function

from .checkpoint import LazyWeights

QUERY_BLOCK = 128
# Each expert's rows are padded (with zero rows of weight 0) to a multiple of this: oneDNN builds and caches
# one JIT primitive per GEMM shape, and with a new row count for nearly every expert of every forward that
# cache alone grew the process by ~650 MB and building primitives cost ~30% of the speed (BENCHMARKS.md).
EXPERT_ROWS = 16
SCORE_BUDGET = 32 * 2**20  # floats of attention scores held at once


@dataclass(frozen=True)
class ModelShape:
    vocab_size: int
    hidden_size: int
    num_layers: int
    num_heads: int
    num_kv_heads: int
    head_dim: int
    num_experts: int
    experts_per_token: int
    sliding_window: int
    num_labels: int
    rms_norm_eps: float
    swiglu_alpha: float
    swiglu_limit: float

    @classmethod
    def from_config(cls, config) -> "ModelShape":
        return cls(
            vocab_size=config.vocab_size,
            hidden_size=config.hidden_size,
            num_layers=config.num_hidden_layers,
            num_heads=config.num_attention_heads,
            num_kv_heads=config.num_key_value_heads,
            head_dim=config.head_dim,
            num_experts=config.num_local_experts,
            experts_per_token=config.num_experts_per_tok,
            sliding_window=config.sliding_window,
            num_labels=len(config.id2label),
            rms_norm_eps=config.rms_norm_eps,
            swiglu_alpha=config.swiglu_alpha,
            swiglu_limit=config.swiglu_limit,
        )


def rms_norm(x: torch.Tensor, weight: torch.Tensor, eps: float) -> torch.Tensor:
    x32 = x.float()
    return (weight.float() * (x32 * torch.rsqrt(x32.pow(2).mean(-1, keepdim=True) + eps))).to(x.dtype)


def apply_rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """Interleaved pairs (x0, x1), (x2, x3) ... rotated. x: (N, H, D); cos/sin: (N, 1, D/2)."""
    even, odd = x[..., ::2], x[..., 1::2]
    return torch.stack((even * cos - odd * sin, odd * cos + even * sin), dim=-1).flatten(-2)


class PrivacyFilterEngine:
    """Inference-only forward over a flat stream of windows. Weights come from the checkpoint's state dict."""

    def __init__(self, shape: ModelShape, weights: dict[str, torch.Tensor], inv_freq: torch.Tensor,
                 rope_scaling: float, dtype: torch.dtype, device: torch.device, experts_per_token: int | None = None):
        self.shape = shape
        self.dtype, self.device = dtype, device
        self.top_k = experts_per_token or shape.experts_per_token
        if not 1 <= self.top_k <= shape.num_experts:
            raise ValueError(f"experts_per_token must be in 1..{shape.num_experts}, got {self.top_k}")
        # fp32 where the reference insists on it (norms, router, sinks); the rest in the compute dtype
        keep_fp32 = ("layernorm", "norm.weight", "router", "sinks")
        # one tensor at a time (LazyWeights reads each on access): the stored copy is freed once converted
        self.w = {}
        for name in list(weights):
            target = torch.float32 if any(k in name for k in keep_fp32) else dtype
            tensor = weights.converted(name, target) if isinstance(weights, LazyWeights) else weights[name]
            self.w[name] = tensor.to(device=device, dtype=target).contiguous()
            del tensor
        self.inv_freq = inv_freq.to(device=device, dtype=torch.float32)
        self._pool: ThreadPoolExecutor | None = None
        self._pool_threads = 0
        self.rope_scaling = rope_scaling

    def _expert_pool(self) -> tuple[ThreadPoolExecutor, int] | None:
        """On CPU with several intra-op threads: as many worker threads, each running its experts on one core."""
        threads = torch.get_num_threads()
        if self.device.type != "cpu" or threads < 2:
            return None
        if self._pool is None or self._pool_threads != threads:
            if self._pool is not None:
                self._pool.shutdown(wait=False)
            self._pool = ThreadPoolExecutor(threads, thread_name_prefix="haremb-experts",
                                            initializer=torch.set_num_threads, initargs=(1,))
            self._pool_threads = threads
        return self._pool, threads

    def param_count(self) -> int:
        return sum(t.numel() for t in self.w.values())

    @torch.inference_mode()
    def forward(self, input_ids: torch.Tensor, positions: torch.Tensor, segments: torch.Tensor) -> torch.Tensor:
        """(N,) ids, positions within window, window index -> (N, num_labels) fp32 log-probabilities."""
        s = self.shape
        input_ids, positions, segments = (t.to(self.device) for t in (input_ids, positions, segments))
        with record_function("embed"):
            x = F.embedding(input_ids, self.w["model.embed_tokens.weight"])  # (N, H)
            angles = positions[:, None].float() * self.inv_freq[None, :]  # (N, D/2)
            cos = (angles.cos() * self.rope_scaling)[:, None, :].to(self.dtype)
            sin = (angles.sin() * self.rope_scaling)[:, None, :].to(self.dtype)
        for layer in range(s.num_layers):
            p = f"model.layers.{layer}."
            h = rms_norm(x, self.w[p + "input_layernorm.weight"], s.rms_norm_eps)
            x = x + self._attention(p + "self_attn.", h, cos, sin, segments)
            h = rms_norm(x, self.w[p + "post_attention_layernorm.weight"], s.rms_norm_eps)
            x = x + self._moe(p + "mlp.", h)
        with record_function("score"):
            h = rms_norm(x, self.w["model.norm.weight"], s.rms_norm_eps)
            logits = F.linear(h, self.w["score.weight"], self.w["score.bias"]).float()
            return torch.log_softmax(logits, dim=-1)

    def _attention(self, p: str, h: torch.Tensor, cos, sin, segments: torch.Tensor) -> torch.Tensor:
        s = self.shape
        N, D, KV, G = h.shape[0], s.head_dim, s.num_kv_heads, s.num_heads // s.num_kv_heads
        with record_function("attention.qkv"):
            scale = D**-0.25  # the reference scales q and k separately
            q = F.linear(h, self.w[p + "q_proj.weight"], self.w[p + "q_proj.bias"]).view(N, s.num_heads, D)
            k = F.linear(h, self.w[p + "k_proj.weight"], self.w[p + "k_proj.bias"]).view(N, KV, D)
            v = F.linear(h, self.w[p + "v_proj.weight"], self.w[p + "v_proj.bias"]).view(N, KV, D)
            q = apply_rope(q, cos, sin) * scale
            k = apply_rope(k, cos, sin) * scale
        with record_function("attention.band"):
            out = banded_attention(q.view(N, KV, G, D), k, v, segments, self.w[p + "sinks"], s.sliding_window)
        with record_function("attention.out"):
            return F.linear(out.reshape(N, s.num_heads * D), self.w[p + "o_proj.weight"], self.w[p + "o_proj.bias"])

    def _moe(self, p: str, h: torch.Tensor) -> torch.Tensor:
        s = self.shape
        N, k = h.shape[0], self.top_k
        with record_function("moe.route"):
            router = F.linear(h.float(), self.w[p + "router.weight"], self.w[p + "router.bias"])  # (N, E)
            top_logits, top_experts = router.topk(k, dim=-1)  # (N, k)
            weights = torch.softmax(top_logits, dim=-1)  # the reference's /k and *k cancel
            flat_experts = top_experts.reshape(-1)
            order = torch.argsort(flat_experts, stable=True)
            rows = torch.bincount(flat_experts, minlength=s.num_experts)
            multiple = EXPERT_ROWS if h.device.type == "cpu" else 1  # the primitive cache is oneDNN's (CPU)
            padded = (rows + multiple - 1) // multiple * multiple
            counts = padded.tolist()
            # where each sorted assignment lands among its expert's padded rows
            expert_of = flat_experts[order]
            shift = (torch.cumsum(padded, 0) - padded) - (torch.cumsum(rows, 0) - rows)  # padded - real first row
            slot = torch.arange(N * k, device=h.device) + shift[expert_of]
            token_of = torch.full((sum(counts),), N, dtype=torch.long, device=h.device)  # N: a zero row
            token_of[slot] = order // k  # the token of each row; padding rows point at row N
            x_sorted = torch.cat([h, h.new_zeros(1, h.shape[1])])[token_of]  # (rows, H)
            w_sorted = torch.zeros(len(token_of), 1, dtype=h.dtype, device=h.device)
            w_sorted[slot, 0] = weights.reshape(-1)[order].to(h.dtype)  # padding rows weigh 0
        gate_up, gate_up_b = self.w[p + "experts.gate_up_proj"], self.w[p + "experts.gate_up_proj_bias"]
        down, down_b = self.w[p + "experts.down_proj"], self.w[p + "experts.down_proj_bias"]
        y_sorted = torch.empty_like(x_sorted)
        starts = [0]
        for n in counts:
            starts.append(starts[-1] + n)

        @torch.inference_mode()
        def run_experts(experts: list[int]) -> None:
            for e in experts:
                lo, hi = starts[e], starts[e + 1]
                gu = torch.addmm(gate_up_b[e], x_sorted[lo:hi], gate_up[e])  # (n, 2I), laid out [gate | up]
                gate, up = gu.chunk(2, dim=-1)
                gate = gate.clamp_(max=s.swiglu_limit)
                glu = torch.mul(gate, s.swiglu_alpha).sigmoid_().mul_(gate)
                act = up.clamp_(-s.swiglu_limit, s.swiglu_limit).add_(1).mul_(glu)  # in place, a view of gu
                # the routing weight scales the expert's whole output, bias included
                torch.addmm(down_b[e], act, down[e], out=y_sorted[lo:hi]).mul_(w_sorted[lo:hi])

        with record_function("moe.experts"):
            used = [e for e, n in enumerate(counts) if n]
            workers = self._expert_pool()
            if workers is None:
                run_experts(used)
            else:
                pool, threads = workers
                # one expert GEMM of ~100 rows barely feeds two cores; whole experts per core do
                list(pool.map(run_experts, balance(used, counts, threads)))
        with record_function("moe.combine"):
            out = torch.zeros(N + 1, h.shape[1], dtype=torch.float32, device=h.device)  # row N takes the padding
            out.index_add_(0, token_of, y_sorted.float())
            return out[:N].to(h.dtype)


def balance(experts: list[int], counts: list[int], parts: int) -> list[list[int]]:
    """Experts split into `parts` lists of about equal rows: largest first, each to the lightest list."""
    groups: list[list[int]] = [[] for _ in range(parts)]
    load = [0] * parts
    for e in sorted(experts, key=lambda e: -counts[e]):
        i = load.index(min(load))
        groups[i].append(e)
        load[i] += counts[e]
    return [g for g in groups if g]


def banded_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, segments: torch.Tensor,
                     sinks: torch.Tensor, window: int) -> torch.Tensor:
    """Attention of each token to keys within +-window in the same segment, plus one sink logit per head.

    q: (N, KV, G, D); k, v: (N, KV, D); segments: (N,); sinks: (KV*G,). Returns (N, KV, G, D).
    Queries go in blocks of QUERY_BLOCK; each block sees the QUERY_BLOCK + 2*window keys around it, through
    the fused scaled_dot_product_attention. The sink rides along as one extra key: q gets a last coordinate
    equal to its head's sink logit, that key is (0, ..., 0, 1) and its value is zero, so it only joins the
    softmax denominator.
    """
    N, KV, G, D = q.shape
    B, span = QUERY_BLOCK, QUERY_BLOCK + 2 * window
    n_blocks = -(-N // B)
    pad_q = n_blocks * B - N
    sink_col = sinks.to(q.dtype).view(1, KV, G, 1).expand(N, -1, -1, -1)
    q = torch.cat([q, sink_col], dim=-1)  # (N, KV, G, D+1)
    q = F.pad(q, (0, 0, 0, 0, 0, 0, 0, pad_q)).view(n_blocks, B, KV * G, D + 1).transpose(1, 2)  # (n, H, B, D+1)
    k = F.pad(k, (0, 1, 0, 0, window, window + pad_q))  # (window + N + pad + window, KV, D+1)
    v = F.pad(v, (0, 0, 0, 0, window, window + pad_q))
    seg_pad = F.pad(segments, (window, window + pad_q), value=-1)
    k_blocks = k.unfold(0, span, B)  # (n, KV, D+1, span)
    v_blocks = v.unfold(0, span, B)  # (n, KV, D, span)
    seg_q = seg_pad[window : window + n_blocks * B].view(n_blocks, B)
    seg_k = seg_pad.unfold(0, span, B)  # (n, span)
    offset = torch.arange(span, device=q.device)[None, :] - window - torch.arange(B, device=q.device)[:, None]
    in_band = offset.abs() <= window  # (B, span): key index - query index within the band
    sink_key = torch.zeros(1, KV, 1, D + 1, dtype=q.dtype, device=q.device)
    sink_key[..., D] = 1.0
    out = torch.empty(n_blocks, KV * G, B, D, dtype=q.dtype, device=q.device)
    step = max(1, SCORE_BUDGET // (KV * G * B * span))
    for lo in range(0, n_blocks, step):
        hi = min(n_blocks, lo + step)
        n = hi - lo
        keys = torch.cat([k_blocks[lo:hi].transpose(2, 3), sink_key.expand(n, -1, -1, -1)], dim=2)  # (n, KV, span+1, D+1)
        values = F.pad(v_blocks[lo:hi].transpose(2, 3), (0, 0, 0, 1))  # (n, KV, span+1, D)
        allowed = in_band & (seg_q[lo:hi, :, None] == seg_k[lo:hi, None, :])  # (n, B, span)
        allowed = F.pad(allowed, (0, 1), value=True)[:, None]  # (n, 1, B, span+1): the sink always counts
        # the value width differs from the key width (D vs D+1); pad values so SDPA sees one head size
        out[lo:hi] = F.scaled_dot_product_attention(q[lo:hi], keys, F.pad(values, (0, 1)), attn_mask=allowed,
                                                    scale=1.0, enable_gqa=True)[..., :D]
    return out.transpose(1, 2).reshape(n_blocks * B, KV, G, D)[:N]

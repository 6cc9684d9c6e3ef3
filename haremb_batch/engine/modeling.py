"""The engine's own forward pass of the privacy-filter model (MODEL_NOTES.md), built for batch inference.

A batch is one flat token stream: windows laid end to end, each token carrying its position inside its
window and its window's index. Nothing is padded, attention only looks at the +-sliding_window band of the
same window (computed block by block, never a T x T matrix), and MoE tokens are grouped per expert.
transformers' `OpenAIPrivacyFilterForTokenClassification` is the reference this is tested against.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch.profiler import record_function

from .checkpoint import LazyWeights

EMBEDDING = "model.embed_tokens.weight"
QUERY_BLOCK = 128
KEY_STEP = 32  # key widths of the attention band's blocks are rounded up to this, grouping blocks of similar reach
# Each expert's rows are padded (with zero rows of weight 0) to a multiple of this: oneDNN builds and caches
# one JIT primitive per GEMM shape, and with a new row count for nearly every expert of every forward that
# cache alone grew the process by ~650 MB and building primitives cost ~30% of the speed (BENCHMARKS.md).
EXPERT_ROWS = 16
SCORE_BUDGET = 32 * 2**20  # floats of attention scores held at once
# On CPU each expert's two weight matrices are reordered once, at load, into oneDNN's blocked layout: a GEMM of
# ~128 rows otherwise spends much of its time packing the weights it streams (expert GEMMs 18% faster in bf16 and
# ~60% in fp32 than addmm on two cores, BENCHMARKS.md). The row count only hints the layout; any count works.
PACKED_WEIGHTS = ("experts.gate_up_proj", "experts.down_proj")
PACK_ROWS_HINT = 128


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
        self.packed: dict[str, list[torch.Tensor]] = {}  # expert weights in oneDNN's layout, one per expert (CPU)
        pack = device.type == "cpu" and can_prepack(dtype)
        for name in list(weights):
            target = torch.float32 if any(k in name for k in keep_fp32) else dtype
            if name == EMBEDDING:
                target = embedding_dtype(weights, dtype, device)
            if pack and name.endswith(PACKED_WEIGHTS):
                self.packed[name] = list(_packed_experts(weights, name, target))
                continue
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
        return sum(t.numel() for t in self.w.values()) + sum(t.numel() for ts in self.packed.values() for t in ts)

    @torch.inference_mode()
    def forward(self, input_ids: torch.Tensor, positions: torch.Tensor, segments: torch.Tensor) -> torch.Tensor:
        """(N,) ids, positions within window, window index -> (N, num_labels) fp32 log-probabilities."""
        s = self.shape
        input_ids, positions, segments = (t.to(self.device) for t in (input_ids, positions, segments))
        with record_function("embed"):
            x = F.embedding(input_ids, self.w[EMBEDDING]).to(self.dtype)  # (N, H)
            angles = positions[:, None].float() * self.inv_freq[None, :]  # (N, D/2)
            cos = (angles.cos() * self.rope_scaling)[:, None, :].to(self.dtype)
            sin = (angles.sin() * self.rope_scaling)[:, None, :].to(self.dtype)
        with record_function("attention.plan"):
            plan = plan_band(segments, s.sliding_window, self.dtype)
        for layer in range(s.num_layers):
            p = f"model.layers.{layer}."
            h = rms_norm(x, self.w[p + "input_layernorm.weight"], s.rms_norm_eps)
            x = x + self._attention(p + "self_attn.", h, cos, sin, plan)
            h = rms_norm(x, self.w[p + "post_attention_layernorm.weight"], s.rms_norm_eps)
            x = x + self._moe(p + "mlp.", h)
        with record_function("score"):
            h = rms_norm(x, self.w["model.norm.weight"], s.rms_norm_eps)
            logits = F.linear(h, self.w["score.weight"], self.w["score.bias"]).float()
            return torch.log_softmax(logits, dim=-1)

    def _attention(self, p: str, h: torch.Tensor, cos, sin, plan: list["BandGroup"]) -> torch.Tensor:
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
            out = banded_attention(q.view(N, KV, G, D), k, v, plan, self.w[p + "sinks"])
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
        gate_up_b, down_b = self.w[p + "experts.gate_up_proj_bias"], self.w[p + "experts.down_proj_bias"]
        packed = p + "experts.gate_up_proj" in self.packed
        if packed:
            gate_up, down = self.packed[p + "experts.gate_up_proj"], self.packed[p + "experts.down_proj"]
        else:
            gate_up, down = self.w[p + "experts.gate_up_proj"], self.w[p + "experts.down_proj"]
        y_sorted = torch.empty_like(x_sorted)
        starts = [0]
        for n in counts:
            starts.append(starts[-1] + n)

        @torch.inference_mode()
        def run_experts(experts: list[int]) -> None:
            for e in experts:
                lo, hi = starts[e], starts[e + 1]
                if packed:
                    gu = torch.ops.mkldnn._linear_pointwise(x_sorted[lo:hi], gate_up[e], gate_up_b[e], "none", [], "")
                else:
                    gu = torch.addmm(gate_up_b[e], x_sorted[lo:hi], gate_up[e])  # (n, 2I), laid out [gate | up]
                gate, up = gu.chunk(2, dim=-1)
                gate = gate.clamp_(max=s.swiglu_limit)
                glu = torch.mul(gate, s.swiglu_alpha).sigmoid_().mul_(gate)
                act = up.clamp_(-s.swiglu_limit, s.swiglu_limit).add_(1).mul_(glu)  # in place, a view of gu
                # the routing weight scales the expert's whole output, bias included
                if packed:
                    torch.mul(torch.ops.mkldnn._linear_pointwise(act, down[e], down_b[e], "none", [], ""),
                              w_sorted[lo:hi], out=y_sorted[lo:hi])
                else:
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


def embedding_dtype(weights, dtype: torch.dtype, device: torch.device) -> torch.dtype:
    """The dtype the embedding table is kept in. Its gathered rows are converted to the compute dtype, which gives
    the values of a table converted at load, bit for bit (conversion is element by element). On CPU it stays as
    stored: with the file's mapping (LazyWeights) only the rows the text uses are ever read, and no copy is made.
    On a device it is copied anyway, so it takes the narrower of the two dtypes."""
    stored = weights.stored_dtype(EMBEDDING) if isinstance(weights, LazyWeights) else weights[EMBEDDING].dtype
    if stored is None or not stored.is_floating_point:
        return dtype
    if device.type == "cpu" or stored.itemsize < dtype.itemsize:
        return stored
    return dtype


def can_prepack(dtype: torch.dtype) -> bool:
    """Whether this CPU build can run the expert GEMMs on weights reordered for oneDNN in `dtype`. For bf16
    that is any CPU where oneDNN runs bf16 at all: AVX512-BF16 and AMX natively, older AVX512 CPUs emulated
    (correct, speed not measured; `dtype: auto` picks fp32 there); on AVX2 the engine keeps plain addmm.
    Packed weights are opaque oneDNN tensors: a loaded Detector cannot be pickled or deep-copied (build one per
    process, as the job's actors do)."""
    if not torch.backends.mkldnn.is_available() or not hasattr(torch.ops.mkldnn, "_reorder_linear_weight"):
        return False
    if dtype == torch.bfloat16:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    return dtype == torch.float32


def _packed_experts(weights, name: str, dtype: torch.dtype):
    """Each expert's (in, out) matrix of `name` in `dtype`, reordered for oneDNN's linear. Read a slice of
    experts at a time (LazyWeights.row_slices), so the stacked tensor never sits whole beside the packed copies."""
    slices = weights.row_slices(name, dtype) if isinstance(weights, LazyWeights) else [(0, weights[name].to(dtype))]
    transposed = None  # one (out, in) buffer for all: a fresh copy per expert, freed between the packed ones,
    for _, part in slices:  # left the heap fragmented (fp32 slice shapes: ~570 MB more resident)
        for matrix in part:
            if transposed is None:
                transposed = torch.empty(matrix.shape[::-1], dtype=dtype)
            yield torch.ops.mkldnn._reorder_linear_weight(transposed.copy_(matrix.t()), PACK_ROWS_HINT)
        part = matrix = None  # one slice of stored rows at a time, not two (a view keeps its slice alive)


def balance(experts: list[int], counts: list[int], parts: int) -> list[list[int]]:
    """Experts split into `parts` lists of about equal rows: largest first, each to the lightest list."""
    groups: list[list[int]] = [[] for _ in range(parts)]
    load = [0] * parts
    for e in sorted(experts, key=lambda e: -counts[e]):
        i = load.index(min(load))
        groups[i].append(e)
        load[i] += counts[e]
    return [g for g in groups if g]


@dataclass(frozen=True)
class BandGroup:
    """Query blocks whose reachable keys fit in one width: each block's query rows and key rows of the flat
    stream (the stream's length N: a zero padding row; N + 1: the sink key) and which keys each query may see."""
    queries: torch.Tensor  # (n, QUERY_BLOCK) long
    keys: torch.Tensor  # (n, width + 1) long, the last column the sink
    mask: torch.Tensor  # (n, 1, QUERY_BLOCK, width + 1): 0 where a query may see the key, -inf elsewhere


def plan_band(segments: torch.Tensor, window: int, dtype: torch.dtype = torch.float32) -> list[BandGroup]:
    """Cut the flat stream into query blocks that follow its windows, so no block pays for keys it cannot reach.

    A window of QUERY_BLOCK tokens or more is cut into blocks of its own; each sees only its window's keys within
    +-`window` of it (a 250-token window: 250 keys, not a flat block's 128 + 2 * 128). Shorter windows are packed
    whole, side by side, into shared blocks whose keys are the block's own tokens. Blocks are grouped by key width
    (rounded up to KEY_STEP), one batched attention call per group. The plan depends only on the windows, so a
    forward builds it once for all its layers, masks included (additive, in the compute dtype: the fused kernel
    turns a boolean mask into one on every call). `segments` as `flatten_batch` (windows.py) writes them: each
    window's tokens side by side, window indices from 0.
    """
    seg = segments.cpu().numpy()
    n_tokens = len(seg)
    cuts = np.flatnonzero(np.diff(seg)) + 1
    starts, ends = np.concatenate([[0], cuts]), np.concatenate([cuts, [n_tokens]])
    blocks: list[tuple[int, int, int, int]] = []  # query rows [lo, hi), key rows [lo, hi)
    i = 0
    while i < len(starts):
        lo, hi = int(starts[i]), int(ends[i])
        if hi - lo < QUERY_BLOCK:  # short windows, packed whole
            j = i
            while j + 1 < len(starts) and ends[j + 1] - lo <= QUERY_BLOCK:
                j += 1
            blocks.append((lo, int(ends[j]), lo, int(ends[j])))
            i = j + 1
            continue
        for q_lo in range(lo, hi, QUERY_BLOCK):
            q_hi = min(q_lo + QUERY_BLOCK, hi)
            blocks.append((q_lo, q_hi, max(lo, q_lo - window), min(hi, q_hi + window)))
        i += 1
    by_width: dict[int, list[tuple[int, int, int, int]]] = {}
    for block in blocks:
        width = -(-(block[3] - block[2]) // KEY_STEP) * KEY_STEP
        by_width.setdefault(width, []).append(block)
    device = segments.device  # the masks are built where they are used: on a GPU, not by the host
    seg_ext = torch.cat([segments.to(torch.int32), torch.tensor([-1, -2], dtype=torch.int32, device=device)])
    steps = torch.arange(max(QUERY_BLOCK, max(by_width, default=0)), device=device)
    groups = []
    for width, members in sorted(by_width.items()):
        bounds = torch.tensor(members, dtype=torch.long, device=device)  # (n, 4)
        q_rows = bounds[:, :1] + steps[:QUERY_BLOCK]
        q_rows = torch.where(q_rows < bounds[:, 1:2], q_rows, n_tokens)
        k_rows = bounds[:, 2:3] + steps[:width]
        k_rows = torch.where(k_rows < bounds[:, 3:4], k_rows, n_tokens)
        k_rows = torch.cat([k_rows, torch.full((len(members), 1), n_tokens + 1, device=device)], dim=1)
        q32, k32 = q_rows.to(torch.int32), k_rows.to(torch.int32)  # (n, B, width + 1) comparisons: half the bytes
        allowed = (seg_ext[q_rows][:, :, None] == seg_ext[k_rows][:, None, :]) \
            & ((q32[:, :, None] - k32[:, None, :]).abs() <= window)
        allowed[:, :, -1] = True  # the sink counts for every query (padding rows included: no empty softmax)
        mask = torch.zeros(allowed.shape, dtype=dtype, device=device).masked_fill_(~allowed, float("-inf"))
        groups.append(BandGroup(q_rows, k_rows, mask[:, None]))
    return groups


def banded_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, plan: list[BandGroup],
                     sinks: torch.Tensor) -> torch.Tensor:
    """Attention of each token to keys within +-window in the same window, plus one sink logit per head.

    q: (N, KV, G, D); k, v: (N, KV, D); sinks: (KV*G,); `plan` from `plan_band`. Returns (N, KV, G, D).
    Each group of query blocks runs through the fused scaled_dot_product_attention. The sink rides along as one
    extra key: q gets a last coordinate equal to its head's sink logit, that key is (0, ..., 0, 1) and its value
    is zero, so it only joins the softmax denominator.
    """
    N, KV, G, D = q.shape
    H = KV * G
    sink_col = sinks.to(q.dtype).view(1, KV, G, 1).expand(N, -1, -1, -1)
    q_ext = F.pad(torch.cat([q, sink_col], dim=-1).view(N, H, D + 1), (0, 0, 0, 0, 0, 1))  # row N: padding
    k_ext = F.pad(k, (0, 1, 0, 0, 0, 2))  # (N + 2, KV, D + 1): row N padding, row N + 1 the sink key
    k_ext[N + 1, :, D] = 1.0
    v_ext = F.pad(v, (0, 1, 0, 0, 0, 2))  # values padded to the keys' width: SDPA wants one head size
    out = q.new_empty(N + 1, H, D)
    for group in plan:
        n, width = group.keys.shape
        step = max(1, SCORE_BUDGET // (H * QUERY_BLOCK * width))
        for lo in range(0, n, step):
            rows = group.queries[lo : lo + step]
            keys = group.keys[lo : lo + step]
            att = F.scaled_dot_product_attention(q_ext[rows].transpose(1, 2), k_ext[keys].transpose(1, 2),
                                                 v_ext[keys].transpose(1, 2), attn_mask=group.mask[lo : lo + step],
                                                 scale=1.0, enable_gqa=True)
            out[rows] = att[..., :D].transpose(1, 2)  # padding queries all land in row N
    return out[:N].view(N, KV, G, D)

"""PyTorch peer of the Fathom KV-cache generation benchmark (bench/llm_generate_side_by_side.sh).

A straightforward eager Llama with a key/value cache as a PyTorch user would write it: torch.no_grad,
preallocated cache tensors, F.linear projections, matmul + softmax attention (PyTorch 1.13 has no
scaled_dot_product_attention), greedy decoding. Weights come from the same Hugging Face checkpoint
through tools/golden/llama_reference.py's load_hf.

  python3 bench/llm_generate_torch.py DIR --prompt 128 --new 256 --reps 3 --threads 2 [--int8]

--int8: PyTorch's dynamic int8 quantization (torch.ao.quantization.quantize_dynamic with the
per-channel qconfig) of every projection and the head, what a PyTorch user reaches for to make a
model smaller and faster on CPU: int8 weights per output channel, activations quantized per call.
"""
import argparse
import math
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer_env  # noqa: E402  (before numpy/torch: it sets variables they read when they load)

peer_env.tune()

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools", "golden"))
from llama_reference import inv_freq, load_hf, window  # noqa: E402


class CachedLlama:
    def __init__(self, ref, max_seq):
        c = self.c = ref.c
        self.p = ref.p
        self.h, self.hkv, self.dh = c["num_attention_heads"], c["num_key_value_heads"], c["head_dim"]
        self.eps = c["rms_norm_eps"]
        self.window = window(c)
        self.layers = c["num_hidden_layers"]
        self.k = [torch.zeros(1, self.hkv, max_seq, self.dh) for _ in range(self.layers)]
        self.v = [torch.zeros(1, self.hkv, max_seq, self.dh) for _ in range(self.layers)]
        freqs = torch.outer(torch.arange(max_seq, dtype=torch.float32), inv_freq(c))
        emb = torch.cat([freqs, freqs], dim=-1)
        self.cos, self.sin = emb.cos(), emb.sin()
        self.head = ref.head()
        self.q = None  # the dynamically quantized modules, after quantize_dynamic()

    def rms(self, x, w):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * w

    def lin(self, x, name):
        if self.q is not None:
            return self.q[name.replace(".", "_")](x)
        return F.linear(x, self.p[name + ".weight"], self.p.get(name + ".bias"))

    def quantize_dynamic(self):
        """Every projection and the head become dynamically quantized int8 Linear modules."""
        from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

        mods = torch.nn.ModuleDict()
        for name, w in self.p.items():
            if name.endswith("_proj.weight"):
                base = name[: -len(".weight")]
                b = self.p.get(base + ".bias")
                lin = torch.nn.Linear(w.shape[1], w.shape[0], bias=b is not None)
                with torch.no_grad():
                    lin.weight.copy_(w)
                    if b is not None:
                        lin.bias.copy_(b)
                mods[base.replace(".", "_")] = lin
        head = torch.nn.Linear(self.head.shape[1], self.head.shape[0], bias=False)
        with torch.no_grad():
            head.weight.copy_(self.head)
        mods["lm_head"] = head
        self.q = quantize_dynamic(mods, {torch.nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8)

    def rot(self, x, cos, sin):
        half = self.dh // 2
        return x * cos + torch.cat([-x[..., half:], x[..., :half]], dim=-1) * sin

    @torch.no_grad()
    def forward(self, ids, start):
        """ids (1, T) at positions start.. -> logits of the last position (1, V)."""
        t = ids.shape[1]
        end = start + t
        cos, sin = self.cos[start:end], self.sin[start:end]
        x = self.p["model.embed_tokens.weight"][ids]
        mask = None
        if t > 1 or self.window:
            qpos = torch.arange(start, end).unsqueeze(1)
            kpos = torch.arange(end).unsqueeze(0)
            allowed = kpos <= qpos
            if self.window:
                allowed &= kpos > qpos - self.window
            mask = torch.zeros(t, end).masked_fill(~allowed, float("-inf"))
        for i in range(self.layers):
            pre = "model.layers.%d." % i
            a = self.rms(x, self.p[pre + "input_layernorm.weight"])
            q = self.lin(a, pre + "self_attn.q_proj").view(1, t, self.h, self.dh).transpose(1, 2)
            k = self.lin(a, pre + "self_attn.k_proj").view(1, t, self.hkv, self.dh).transpose(1, 2)
            v = self.lin(a, pre + "self_attn.v_proj").view(1, t, self.hkv, self.dh).transpose(1, 2)
            q, k = self.rot(q, cos, sin), self.rot(k, cos, sin)
            self.k[i][:, :, start:end] = k
            self.v[i][:, :, start:end] = v
            kk, vv = self.k[i][:, :, :end], self.v[i][:, :, :end]
            if self.h != self.hkv:
                kk = kk.repeat_interleave(self.h // self.hkv, dim=1)
                vv = vv.repeat_interleave(self.h // self.hkv, dim=1)
            s = torch.matmul(q, kk.transpose(-1, -2)) / math.sqrt(self.dh)
            if mask is not None:
                s = s + mask
            y = torch.matmul(s.softmax(-1), vv).transpose(1, 2).reshape(1, t, self.h * self.dh)
            x = x + self.lin(y, pre + "self_attn.o_proj")
            m = self.rms(x, self.p[pre + "post_attention_layernorm.weight"])
            x = x + self.lin(F.silu(self.lin(m, pre + "mlp.gate_proj")) * self.lin(m, pre + "mlp.up_proj"), pre + "mlp.down_proj")
        x = self.rms(x[:, -1], self.p["model.norm.weight"])
        return self.q["lm_head"](x) if self.q is not None else F.linear(x, self.head)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--prompt", type=int, default=128)
    ap.add_argument("--new", type=int, default=256)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--int8", action="store_true", help="dynamic int8 quantization of the projections and the head")
    ap.add_argument("--qengine", default=None, help="torch.backends.quantized.engine for --int8 (this build: onednn, qnnpack)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    ref = load_hf(a.dir)
    v = ref.c["vocab_size"]
    prompt = torch.tensor([[(i * 7 + 3) % v for i in range(a.prompt)]])
    model = CachedLlama(ref, a.prompt + a.new)
    if a.int8:
        if a.qengine:
            torch.backends.quantized.engine = a.qengine
        model.quantize_dynamic()
    for rep in range(-1, a.reps):  # one warm-up round
        t0 = time.perf_counter()
        logits = model.forward(prompt, 0)
        t1 = time.perf_counter()
        out = []
        pos = a.prompt
        for _ in range(a.new):
            tok = int(logits[0].argmax())
            out.append(tok)
            logits = model.forward(torch.tensor([[tok]]), pos)
            pos += 1
        t2 = time.perf_counter()
        if rep >= 0:
            print("torch%s prefill_tok_s=%.1f decode_tok_s=%.1f threads=%d first=%s"
                  % ("-int8-" + torch.backends.quantized.engine if a.int8 else "", a.prompt / (t1 - t0), a.new / (t2 - t1), torch.get_num_threads(), out[:8]), flush=True)


if __name__ == "__main__":
    main()

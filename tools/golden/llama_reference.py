"""A PyTorch reference of the Llama family (Llama, Qwen2, Mistral) in the Hugging Face layout.

Written from the published architecture with torch and numpy only (no transformers package):
RMSNorm, rotary embeddings in the "rotate half" layout with rope_theta and rope_scaling (linear,
llama3), SwiGLU MLP, grouped-query attention, optional q/k/v(/o) biases, optional sliding window,
tied or separate embeddings. It reads and writes checkpoints the way Hugging Face does:
config.json + model.safetensors (or shards + model.safetensors.index.json), F32/F16/BF16.

Used by make_llama_golden.py and bench/llm_*.py.
"""
import json
import math
import os
import struct

import numpy as np
import torch

_ST_DTYPES = {"F32": (torch.float32, 4), "F16": (torch.float16, 2), "BF16": (torch.bfloat16, 2), "F64": (torch.float64, 8)}


# ----------------------------------------------------------------------------- config

def normalize_config(c):
    """Hugging Face's defaults for absent fields."""
    c = dict(c)
    mt = c.setdefault("model_type", "llama")
    c.setdefault("num_key_value_heads", c["num_attention_heads"])
    c.setdefault("head_dim", c["hidden_size"] // c["num_attention_heads"])
    c.setdefault("rms_norm_eps", 1e-6)
    c.setdefault("rope_theta", 10000.0)
    c.setdefault("rope_scaling", None)
    c.setdefault("attention_bias", mt == "qwen2")
    c.setdefault("mlp_bias", False)
    c.setdefault("sliding_window", None)
    c.setdefault("use_sliding_window", mt != "qwen2")
    c.setdefault("tie_word_embeddings", False)
    return c


def window(c):
    return c["sliding_window"] if (c["sliding_window"] and c["use_sliding_window"]) else 0


def inv_freq(c):
    d = c["head_dim"]
    f = 1.0 / (c["rope_theta"] ** (torch.arange(0, d, 2, dtype=torch.int64).float() / d))
    s = c.get("rope_scaling")
    if not s or s.get("rope_type", s.get("type")) == "default":
        return f
    kind = s.get("rope_type", s.get("type"))
    if kind == "linear":
        return f / s["factor"]
    assert kind == "llama3", kind
    factor, low, high, orig = s["factor"], s["low_freq_factor"], s["high_freq_factor"], s["original_max_position_embeddings"]
    out = []
    for freq in f.tolist():
        wavelen = 2 * math.pi / freq
        if wavelen < orig / high:
            out.append(freq)
        elif wavelen > orig / low:
            out.append(freq / factor)
        else:
            smooth = (orig / wavelen - low) / (high - low)
            out.append((1 - smooth) * freq / factor + smooth * freq)
    return torch.tensor(out, dtype=torch.float32)


# ----------------------------------------------------------------------------- model

class Llama(torch.nn.Module):
    """Parameters live in a flat dict keyed by Hugging Face names."""

    def __init__(self, config, seed=0, std=0.02):
        super().__init__()
        self.c = c = normalize_config(config)
        g = torch.Generator().manual_seed(seed)
        d, f, v = c["hidden_size"], c["intermediate_size"], c["vocab_size"]
        h, hkv, dh = c["num_attention_heads"], c["num_key_value_heads"], c["head_dim"]
        qkv_bias = c["attention_bias"]
        o_bias = c["attention_bias"] and c["model_type"] != "qwen2"
        p = {}

        def lin(name, out_f, in_f, bias):
            p[name + ".weight"] = torch.randn(out_f, in_f, generator=g) * std
            if bias:
                p[name + ".bias"] = torch.randn(out_f, generator=g) * std

        p["model.embed_tokens.weight"] = torch.randn(v, d, generator=g) * std
        for i in range(c["num_hidden_layers"]):
            pre = "model.layers.%d." % i
            lin(pre + "self_attn.q_proj", h * dh, d, qkv_bias)
            lin(pre + "self_attn.k_proj", hkv * dh, d, qkv_bias)
            lin(pre + "self_attn.v_proj", hkv * dh, d, qkv_bias)
            lin(pre + "self_attn.o_proj", d, h * dh, o_bias)
            lin(pre + "mlp.gate_proj", f, d, c["mlp_bias"])
            lin(pre + "mlp.up_proj", f, d, c["mlp_bias"])
            lin(pre + "mlp.down_proj", d, f, c["mlp_bias"])
            p[pre + "input_layernorm.weight"] = 1 + 0.1 * torch.randn(d, generator=g)
            p[pre + "post_attention_layernorm.weight"] = 1 + 0.1 * torch.randn(d, generator=g)
        p["model.norm.weight"] = 1 + 0.1 * torch.randn(d, generator=g)
        if not c["tie_word_embeddings"]:
            lin("lm_head", v, d, False)
        self.p = p

    def head(self):
        return self.p["model.embed_tokens.weight"] if self.c["tie_word_embeddings"] else self.p["lm_head.weight"]

    def forward(self, ids, dtype=torch.float64):
        """ids (B, T) int64 -> logits (B, T, V), computed in `dtype` from the (float32) weights."""
        c = self.c
        P = {k: w.to(dtype) for k, w in self.p.items()}
        b, t = ids.shape
        h, hkv, dh = c["num_attention_heads"], c["num_key_value_heads"], c["head_dim"]
        eps = c["rms_norm_eps"]
        freqs = torch.outer(torch.arange(t, dtype=torch.float32), inv_freq(c))
        emb = torch.cat([freqs, freqs], dim=-1)
        cos, sin = emb.cos().to(dtype), emb.sin().to(dtype)

        def rms(x, w):
            return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w

        def lin(x, name):
            y = x @ P[name + ".weight"].T
            return y + P[name + ".bias"] if name + ".bias" in P else y

        def rot(x):  # (B, H, T, Dh)
            x1, x2 = x[..., : dh // 2], x[..., dh // 2:]
            return x * cos + torch.cat([-x2, x1], dim=-1) * sin

        allowed = torch.ones(t, t, dtype=torch.bool).tril()
        w = window(c)
        if w:
            allowed &= ~torch.ones(t, t, dtype=torch.bool).tril(-w)
        x = P["model.embed_tokens.weight"][ids]
        for i in range(c["num_hidden_layers"]):
            pre = "model.layers.%d." % i
            a = rms(x, P[pre + "input_layernorm.weight"])
            q = rot(lin(a, pre + "self_attn.q_proj").view(b, t, h, dh).transpose(1, 2))
            k = rot(lin(a, pre + "self_attn.k_proj").view(b, t, hkv, dh).transpose(1, 2))
            v = lin(a, pre + "self_attn.v_proj").view(b, t, hkv, dh).transpose(1, 2)
            k = k.repeat_interleave(h // hkv, dim=1)
            v = v.repeat_interleave(h // hkv, dim=1)
            s = (q @ k.transpose(-1, -2)) / math.sqrt(dh)
            s = s.masked_fill(~allowed, float("-inf"))
            y = (s.softmax(-1) @ v).transpose(1, 2).reshape(b, t, h * dh)
            x = x + lin(y, pre + "self_attn.o_proj")
            m = rms(x, P[pre + "post_attention_layernorm.weight"])
            g_ = lin(m, pre + "mlp.gate_proj")
            u = lin(m, pre + "mlp.up_proj")
            x = x + lin(torch.nn.functional.silu(g_) * u, pre + "mlp.down_proj")
        x = rms(x, P["model.norm.weight"])
        return x @ self.head().to(dtype).T

    def greedy(self, prompt, n):
        ids = list(prompt)
        for _ in range(n):
            logits = self.forward(torch.tensor([ids]))
            ids.append(int(logits[0, -1].argmax()))
        return ids[len(prompt):]


# ----------------------------------------------------------------------------- safetensors

def write_safetensors(path, tensors, dtype="F32"):
    torch_dtype, _ = _ST_DTYPES[dtype]
    header, blobs, off = {}, [], 0
    for name, w in tensors.items():
        a = w.detach().to(torch_dtype).contiguous()
        if torch_dtype == torch.bfloat16:
            raw = a.view(torch.int16).numpy().astype("<i2").tobytes()
        else:
            raw = a.numpy().astype(a.numpy().dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": dtype, "shape": list(a.shape), "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    header["__metadata__"] = {"format": "pt"}
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        buf = data[a:b]
        dt = info["dtype"]
        if dt == "BF16":
            x = torch.from_numpy(np.frombuffer(buf, dtype="<i2").copy()).view(torch.bfloat16).float()
        else:
            x = torch.from_numpy(np.frombuffer(buf, dtype={"F32": "<f4", "F16": "<f2", "F64": "<f8"}[dt]).astype(np.float32))
        out[name] = x.reshape(info["shape"])
    return out


def save_hf(model, out_dir, dtype="F32", shards=1):
    """config.json + model.safetensors, or `shards` files + model.safetensors.index.json."""
    os.makedirs(out_dir, exist_ok=True)
    names = list(model.p)
    if shards == 1:
        write_safetensors(os.path.join(out_dir, "model.safetensors"), model.p, dtype)
    else:
        per = math.ceil(len(names) / shards)
        weight_map = {}
        for s in range(shards):
            part = {k: model.p[k] for k in names[s * per:(s + 1) * per]}
            fn = "model-%05d-of-%05d.safetensors" % (s + 1, shards)
            write_safetensors(os.path.join(out_dir, fn), part, dtype)
            weight_map.update({k: fn for k in part})
        with open(os.path.join(out_dir, "model.safetensors.index.json"), "w") as f:
            json.dump({"metadata": {"total_size": 0}, "weight_map": weight_map}, f, indent=2)
    cfg = dict(model.c)
    cfg["architectures"] = [{"qwen2": "Qwen2ForCausalLM", "mistral": "MistralForCausalLM"}.get(cfg["model_type"], "LlamaForCausalLM")]
    cfg["torch_dtype"] = {"F32": "float32", "F16": "float16", "BF16": "bfloat16"}[dtype]
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)


def load_hf(model_dir):
    """A Llama of the checkpoint's config with its weights (as float32)."""
    with open(os.path.join(model_dir, "config.json")) as f:
        cfg = json.load(f)
    m = Llama(cfg)
    idx = os.path.join(model_dir, "model.safetensors.index.json")
    if os.path.exists(idx):
        with open(idx) as f:
            files = sorted(set(json.load(f)["weight_map"].values()))
    else:
        files = ["model.safetensors"]
    loaded = {}
    for fn in files:
        loaded.update(read_safetensors(os.path.join(model_dir, fn)))
    missing = set(m.p) - set(loaded)
    assert not missing, "missing tensors: %s" % sorted(missing)
    for k in m.p:
        assert tuple(loaded[k].shape) == tuple(m.p[k].shape), (k, loaded[k].shape, m.p[k].shape)
        m.p[k] = loaded[k].float()
    return m

"""PyTorch peer of `fathom lm train`: the same Llama architecture, data, batches and optimizer.

  OMP_NUM_THREADS=2 /usr/bin/python3 bench/llm_train_torch.py --preset small --minutes 15
  OMP_NUM_THREADS=2 /usr/bin/python3 bench/llm_train_torch.py --preset small --steps 20   # throughput

Byte-level Tiny Shakespeare (last 10% validation), random windows of --context tokens, AdamW
(weight decay on matrices only), linear warmup then cosine decay by the further of step and
time progress, global-norm clipping. The clock counts training steps only, like Fathom's.
Eager float32 PyTorch 1.13 as a PyTorch user writes it (1.13 has no scaled_dot_product_attention,
so attention is matmul + mask + softmax).
"""
import argparse
import math
import time

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer_env  # noqa: E402  (before numpy/torch: it sets variables they read when they load)

peer_env.tune()

import torch
import torch.nn as nn
import torch.nn.functional as F

PRESETS = {  # hidden, intermediate, layers, heads — as LlamaPresets
    "tiny": (128, 384, 4, 4),
    "small": (256, 688, 4, 4),
    "base": (512, 1376, 8, 8),
}


class RMSNorm(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


class Layer(nn.Module):
    def __init__(self, d, f, h, eps):
        super().__init__()
        self.h = h
        self.q_proj = nn.Linear(d, d, bias=False)
        self.k_proj = nn.Linear(d, d, bias=False)
        self.v_proj = nn.Linear(d, d, bias=False)
        self.o_proj = nn.Linear(d, d, bias=False)
        self.gate_proj = nn.Linear(d, f, bias=False)
        self.up_proj = nn.Linear(d, f, bias=False)
        self.down_proj = nn.Linear(f, d, bias=False)
        self.input_layernorm = RMSNorm(d, eps)
        self.post_attention_layernorm = RMSNorm(d, eps)

    def forward(self, x, cos, sin, mask):
        b, t, d = x.shape
        h, dh = self.h, d // self.h
        a = self.input_layernorm(x)
        q = self.q_proj(a).view(b, t, h, dh).transpose(1, 2)
        k = self.k_proj(a).view(b, t, h, dh).transpose(1, 2)
        v = self.v_proj(a).view(b, t, h, dh).transpose(1, 2)
        q, k = rope(q, cos, sin), rope(k, cos, sin)
        s = (q @ k.transpose(-1, -2)) / math.sqrt(dh)
        y = s.masked_fill(mask, float("-inf")).softmax(-1) @ v
        x = x + self.o_proj(y.transpose(1, 2).reshape(b, t, d))
        m = self.post_attention_layernorm(x)
        return x + self.down_proj(F.silu(self.gate_proj(m)) * self.up_proj(m))


def rope(x, cos, sin):
    half = x.shape[-1] // 2
    return x * cos + torch.cat([-x[..., half:], x[..., :half]], dim=-1) * sin


class Llama(nn.Module):
    def __init__(self, vocab, d, f, layers, h, ctx, eps=1e-5, theta=10000.0):
        super().__init__()
        self.embed_tokens = nn.Embedding(vocab, d)
        self.layers = nn.ModuleList(Layer(d, f, h, eps) for _ in range(layers))
        self.norm = RMSNorm(d, eps)
        self.lm_head = nn.Linear(d, vocab, bias=False)
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, std=0.02)
        dh = d // h
        inv = 1.0 / (theta ** (torch.arange(0, dh, 2).float() / dh))
        fr = torch.outer(torch.arange(ctx).float(), inv)
        emb = torch.cat([fr, fr], dim=-1)
        self.register_buffer("cos", emb.cos(), persistent=False)
        self.register_buffer("sin", emb.sin(), persistent=False)

    def forward(self, ids):
        t = ids.shape[1]
        mask = torch.ones(t, t, dtype=torch.bool).triu(1)
        x = self.embed_tokens(ids)
        for layer in self.layers:
            x = layer(x, self.cos[:t], self.sin[:t], mask)
        return self.lm_head(self.norm(x))


def evaluate(model, val, ctx, batch, max_tokens):
    model.eval()
    nats, count = 0.0, 0
    windows = (len(val) - 1 + ctx - 1) // ctx
    with torch.no_grad():
        w = 0
        while w < windows and (max_tokens <= 0 or count < max_tokens):
            n = 0
            while w + n < windows and n < batch and (w + n + 1) * ctx <= len(val) - 1:
                n += 1
            if n <= 1:
                s = w * ctx
                L = min(ctx, len(val) - 1 - s)
                x, y = val[s:s + L][None], val[s + 1:s + 1 + L][None]
                w += 1
            else:
                x = torch.stack([val[(w + i) * ctx:(w + i + 1) * ctx] for i in range(n)])
                y = torch.stack([val[(w + i) * ctx + 1:(w + i + 1) * ctx + 1] for i in range(n)])
                w += n
            logits = model(x)
            nats += F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1), reduction="sum").item()
            count += y.numel()
    model.train()
    return nats / count, count


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--text", default="../shared/data/tinyshakespeare.txt")
    ap.add_argument("--preset", default="small", choices=sorted(PRESETS))
    ap.add_argument("--steps", type=int, default=0)
    ap.add_argument("--minutes", type=float, default=0)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--context", type=int, default=256)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--min-lr", type=float, default=1e-4)
    ap.add_argument("--warmup", type=int, default=100)
    ap.add_argument("--eval-tokens", type=int, default=200000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1337)
    ap.add_argument("--log-every", type=int, default=10)
    a = ap.parse_args()
    assert a.steps > 0 or a.minutes > 0, "give --steps or --minutes"
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    data = torch.tensor(list(open(a.text, "rb").read()), dtype=torch.long)
    split = int(len(data) * 0.9)
    train, val = data[:split], data[split:]
    d, f, L, h = PRESETS[a.preset]
    model = Llama(256, d, f, L, h, a.context)
    print("%s: %d parameters, batch %d x %d, torch %s" % (a.preset, sum(p.numel() for p in model.parameters()), a.batch,
                                                           a.context, torch.__version__))
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=a.lr, betas=(0.9, 0.99), eps=1e-8)
    step, elapsed, win_loss, win_steps, win_start = 0, 0.0, 0.0, 0, 0.0
    tokens_per_step = a.batch * a.context

    def done():
        return (a.steps and step >= a.steps) or (a.minutes and elapsed >= a.minutes * 60)

    while not done():
        t0 = time.perf_counter()
        if step < a.warmup:
            lr = a.lr * (step + 1) / a.warmup
        else:
            p = max(step / a.steps if a.steps else 0, elapsed / (a.minutes * 60) if a.minutes else 0)
            lr = a.min_lr + 0.5 * (a.lr - a.min_lr) * (1 + math.cos(math.pi * min(1.0, p)))
        for g in opt.param_groups:
            g["lr"] = lr
        ix = torch.randint(len(train) - a.context, (a.batch,))
        x = torch.stack([train[i:i + a.context] for i in ix])
        y = torch.stack([train[i + 1:i + 1 + a.context] for i in ix])
        loss = F.cross_entropy(model(x).reshape(-1, 256), y.reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        step += 1
        elapsed += time.perf_counter() - t0
        win_loss += loss.item()
        win_steps += 1
        if step % a.log_every == 0 or done():
            secs = elapsed - win_start
            print("step %d | loss %.4f | lr %.2e | %.0f tokens/s | %.1f s" % (
                step, win_loss / win_steps, lr, win_steps * tokens_per_step / secs, elapsed), flush=True)
            win_loss, win_steps, win_start = 0.0, 0, elapsed
    vl, n = evaluate(model, val, a.context, a.batch, a.eval_tokens)
    print("eval step %d | val loss %.4f | ppl %.2f | %.4f bits/byte | %d tokens" % (step, vl, math.exp(vl), vl / math.log(2), n))


if __name__ == "__main__":
    main()

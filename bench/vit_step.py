#!/usr/bin/python3
"""PyTorch peer of Fathom's ViT (dev.fathom.vision.models.Vit) for a speed ratio: the same
network (patch conv, class token, learned positions, pre-norm blocks with separate q/k/v/o
projections with bias, GELU MLP, LayerNorm eps 1e-6, a linear head), timed for
  --mode train: AdamW steps (forward, cross-entropy, backward, update) on a fixed random batch;
  --mode infer: no-grad eval forwards over --images random images in batches of --batch.
Compare with `fathom bench tokens` (the "none" row, infer) or the training log's ex/s (train)
taken right before or after, on the same machine.

Usage: /usr/bin/python3 bench/vit_step.py --mode infer [--threads 2] [--batch 250] [--images 2000] [--rounds 5]
       /usr/bin/python3 bench/vit_step.py --mode train [--batch 128] [--steps 10]
"""
import argparse
import json
import time

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer_env  # noqa: E402  (before numpy/torch: it sets variables they read when they load)

peer_env.tune()

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, d, heads, hidden):
        super().__init__()
        self.heads = heads
        self.norm1 = nn.LayerNorm(d, eps=1e-6)
        self.q, self.k, self.v, self.o = (nn.Linear(d, d) for _ in range(4))
        self.norm2 = nn.LayerNorm(d, eps=1e-6)
        self.fc1, self.fc2 = nn.Linear(d, hidden), nn.Linear(hidden, d)

    def forward(self, x):
        n, t, d = x.shape
        h = self.norm1(x)
        q, k, v = (p(h).reshape(n, t, self.heads, d // self.heads).transpose(1, 2) for p in (self.q, self.k, self.v))
        a = torch.softmax(q @ k.transpose(-1, -2) / (d // self.heads) ** 0.5, dim=-1) @ v
        x = x + self.o(a.transpose(1, 2).reshape(n, t, d))
        return x + self.fc2(F.gelu(self.fc1(self.norm2(x))))


class Vit(nn.Module):
    def __init__(self, image=28, patch=4, channels=1, d=64, depth=4, heads=4, mlp_ratio=2.0, classes=10):
        super().__init__()
        p = (image // patch) ** 2
        self.proj = nn.Conv2d(channels, d, patch, patch)
        self.cls = nn.Parameter(torch.randn(1, 1, d) * 0.02)
        self.pos = nn.Parameter(torch.randn(1, p + 1, d) * 0.02)
        self.blocks = nn.ModuleList(Block(d, heads, int(round(mlp_ratio * d))) for _ in range(depth))
        self.norm = nn.LayerNorm(d, eps=1e-6)
        self.head = nn.Linear(d, classes)

    def forward(self, x):
        t = self.proj(x).flatten(2).transpose(1, 2) + self.pos[:, 1:]
        t = torch.cat([(self.cls + self.pos[:, :1]).expand(x.shape[0], -1, -1), t], 1)
        for b in self.blocks:
            t = b(t)
        return self.head(self.norm(t)[:, 0])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", choices=["train", "infer"], default="infer")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=None)
    ap.add_argument("--images", type=int, default=2000)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--patch", type=int, default=4)
    ap.add_argument("--dim", type=int, default=64)
    ap.add_argument("--depth", type=int, default=4)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--mlp-ratio", type=float, default=2.0)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    m = Vit(patch=a.patch, d=a.dim, depth=a.depth, heads=a.heads, mlp_ratio=a.mlp_ratio)
    if a.mode == "infer":
        batch = a.batch or 250
        x = torch.randn(a.images, 1, 28, 28)
        m.eval()
        rates = []
        with torch.no_grad():
            for r in range(a.rounds + 1):
                t0 = time.perf_counter()
                for s in range(0, a.images, batch):
                    m(x[s:s + batch])
                if r > 0:  # round 0 is the warm-up
                    rates.append(a.images / (time.perf_counter() - t0))
        rates.sort()
        print(json.dumps({"mode": "infer", "threads": a.threads, "batch": batch, "images_per_second_median": rates[len(rates) // 2],
                          "rounds": rates}))
    else:
        batch = a.batch or 128
        x, y = torch.randn(batch, 1, 28, 28), torch.randint(0, 10, (batch,))
        opt = torch.optim.AdamW(m.parameters(), lr=1e-3, weight_decay=1e-4)
        for s in range(a.steps + 3):
            if s == 3:
                t0 = time.perf_counter()
            opt.zero_grad()
            F.cross_entropy(m(x), y).backward()
            opt.step()
        secs = time.perf_counter() - t0
        print(json.dumps({"mode": "train", "threads": a.threads, "batch": batch, "images_per_second": a.steps * batch / secs}))


if __name__ == "__main__":
    main()

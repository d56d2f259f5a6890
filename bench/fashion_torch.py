#!/usr/bin/python3
"""PyTorch peer of `fathom train --data fashion-mnist`: the same network, data order policy,
optimizer (AdamW), cosine-with-warmup schedule, batch size and thread count, so images/s and
accuracy compare side by side with Fathom's figures from the same run.

Usage: /usr/bin/python3 bench/fashion_torch.py --model cnn --epochs 5 [--threads 2] [--batch 128]
Prints one JSON object per epoch and a final summary line, like metrics.jsonl.
"""
import argparse
import gzip
import json
import math
import os
import time

import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer_env  # noqa: E402  (before numpy/torch: it sets variables they read when they load)

peer_env.tune()

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DATA = os.environ.get("FATHOM_DATA", "/usr/share/datasets/fashion-mnist")


def idx(name):
    path = os.path.join(DATA, name)
    with (gzip.open(path) if path.endswith(".gz") else open(path, "rb")) as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def model(kind):
    # Same layers, sizes, dropout and PyTorch default init as dev.fathom.models.Classifiers.
    if kind == "cnn":
        return nn.Sequential(
            nn.Conv2d(1, 32, 3, 1, 1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, 1, 1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Dropout(0.25), nn.Linear(128, 10))
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                         nn.Dropout(0.1), nn.Linear(128, 10))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", default="cnn", choices=["cnn", "mlp"])
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--lr", type=float, default=0.002)
    p.add_argument("--weight-decay", type=float, default=1e-4)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--channels-last", action="store_true",
                   help="cnn: NHWC memory format for the model and every batch (oneDNN's faster path, "
                        "about 1.3x images/s on an AVX-512 CPU)")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    xtr = torch.from_numpy(idx("train-images-idx3-ubyte.gz").astype(np.float32) / 255).unsqueeze(1)
    ytr = torch.from_numpy(idx("train-labels-idx1-ubyte.gz").astype(np.int64))
    xte = torch.from_numpy(idx("t10k-images-idx3-ubyte.gz").astype(np.float32) / 255).unsqueeze(1)
    yte = torch.from_numpy(idx("t10k-labels-idx1-ubyte.gz").astype(np.int64))
    net = model(a.model)
    fmt = torch.channels_last if a.channels_last and a.model == "cnn" else torch.contiguous_format
    if a.channels_last and a.model == "cnn":
        net = net.to(memory_format=fmt)
        xtr, xte = xtr.contiguous(memory_format=fmt), xte.contiguous(memory_format=fmt)
    opt = torch.optim.AdamW(net.parameters(), lr=a.lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=a.weight_decay)
    batches = math.ceil(len(xtr) / a.batch)
    total = a.epochs * batches
    warmup = min(100, total // 10)
    min_lr = a.lr * 0.01

    def lr_at(step):  # same as LrSchedule.cosineWithWarmup
        if step < warmup:
            return a.lr * (step + 1) / warmup
        if step >= total:
            return min_lr
        prog = (step - warmup) / max(1, total - warmup)
        return min_lr + 0.5 * (a.lr - min_lr) * (1 + math.cos(math.pi * prog))

    step = 0
    g = torch.Generator().manual_seed(a.seed)
    t_all = time.time()
    rates = []
    for epoch in range(a.epochs):
        net.train()
        perm = torch.randperm(len(xtr), generator=g)
        t0 = time.time()
        loss_sum, correct = 0.0, 0
        for b in range(batches):
            idxs = perm[b * a.batch:(b + 1) * a.batch]
            x, y = xtr[idxs].contiguous(memory_format=fmt), ytr[idxs]
            for group in opt.param_groups:
                group["lr"] = lr_at(step)
            out = net(x)
            loss = F.cross_entropy(out, y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            loss_sum += loss.item() * len(y)
            correct += (out.argmax(1) == y).sum().item()
        secs = time.time() - t0
        rates.append(len(xtr) / secs)
        net.eval()
        with torch.no_grad():
            te_correct, te_loss = 0, 0.0
            for s in range(0, len(xte), 500):
                out = net(xte[s:s + 500])
                te_loss += F.cross_entropy(out, yte[s:s + 500], reduction="sum").item()
                te_correct += (out.argmax(1) == yte[s:s + 500]).sum().item()
        print(json.dumps({"epoch": epoch + 1, "train_loss": loss_sum / len(xtr), "train_accuracy": correct / len(xtr),
                          "val_loss": te_loss / len(xte), "val_accuracy": te_correct / len(xte), "seconds": secs,
                          "examples_per_second": len(xtr) / secs}), flush=True)
    print(json.dumps({"peer": "pytorch " + torch.__version__, "model": a.model, "threads": a.threads,
                      "channels_last": a.channels_last and a.model == "cnn",
                      "test_accuracy": te_correct / len(xte), "wall_seconds": time.time() - t_all,
                      "train_images_per_second": sum(rates) / len(rates)}))


if __name__ == "__main__":
    main()

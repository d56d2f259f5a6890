#!/usr/bin/env python3
"""Golden values of the optimizers, gradient clipping and learning-rate schedules from PyTorch
(float32, CPU), for dev.fathom.optim.OptimGoldenTest.

Optimizers: a tiny linear least-squares model, loss = mse_loss(x @ W.T + b, y), trained for a
few full-batch steps with torch.optim.SGD (plain, momentum + dampening + weight decay, Nesterov
+ weight decay), Adam (default and with L2 weight decay) and AdamW. The file holds the initial
parameters, the data, and per step the loss before the update and the parameters after it.

clip_grad_norm: gradients set by hand, torch.nn.utils.clip_grad_norm_ with a norm below and
above max_norm, total norm and clipped gradients.

Schedules: StepLR's learning rates, and the cosine schedule with linear warmup: the hand formula
(warmup lr·(s+1)/W, then minLr + (lr − minLr)·(1 + cos(π·(s − W)/(T − W)))/2, minLr from T on),
checked here against torch's LinearLR + CosineAnnealingLR chained with SequentialLR.

Outputs (committed): core/src/test/resources/golden/optim.json
Run from anywhere: /usr/bin/python3 tools/golden/make_optim_golden.py
"""
import math
import sys
import warnings

import torch
import torch.nn.functional as F

sys.dont_write_bytecode = True  # importing golden_common leaves no __pycache__ in tools/golden
from golden_common import randn, setup, t, write

STEPS = 6


def optimizer_cases():
    w0, b0 = randn(3, 4) * 0.5, randn(3) * 0.1
    x, y = randn(5, 4), randn(5, 3)
    configs = {
        "sgd": ("SGD", {"lr": 0.1}),
        "sgd_momentum_dampening_wd": ("SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.01}),
        "sgd_nesterov_wd": ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.05}),
        "adam": ("Adam", {"lr": 0.05}),
        "adam_l2": ("Adam", {"lr": 0.02, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.1}),
        "adamw": ("AdamW", {"lr": 0.05, "weight_decay": 0.1}),
    }
    cases = {"data": {"weight": t(w0), "bias": t(b0), "x": t(x), "y": t(y)}}
    for name, (cls, kw) in configs.items():
        w, b = w0.clone().requires_grad_(True), b0.clone().requires_grad_(True)
        opt = getattr(torch.optim, cls)([w, b], **kw)
        losses, ws, bs = [], [], []
        for _ in range(STEPS):
            opt.zero_grad()
            loss = F.mse_loss(x @ w.T + b, y)
            loss.backward()
            opt.step()
            losses.append(float(loss))
            ws.append(t(w))
            bs.append(t(b))
        hyper = dict(kw)
        if "betas" in hyper:
            hyper["beta1"], hyper["beta2"] = hyper.pop("betas")
        cases[name] = {"optimizer": cls, "hyper": hyper, "losses": losses, "weight": ws, "bias": bs}
    return cases


def clip_cases():
    g1, g2 = randn(3, 4), randn(5) * 2
    out = {"g1": t(g1), "g2": t(g2)}
    for name, max_norm in (("clip_above", 1.5), ("clip_below", 100.0)):
        p1, p2 = torch.zeros(3, 4, requires_grad=True), torch.zeros(5, requires_grad=True)
        p1.grad, p2.grad = g1.clone(), g2.clone()
        total = torch.nn.utils.clip_grad_norm_([p1, p2], max_norm)
        out[name] = {"max_norm": max_norm, "total_norm": float(total), "g1": t(p1.grad), "g2": t(p2.grad)}
    return out


def schedule_cases():
    base, warmup, total, min_lr = 0.1, 5, 20, 0.01

    def hand(s):
        if s < warmup:
            return base * (s + 1) / warmup
        if s >= total:
            return min_lr
        progress = (s - warmup) / (total - warmup)
        return min_lr + 0.5 * (base - min_lr) * (1 + math.cos(math.pi * progress))

    # The same schedule from torch's own schedulers, for steps 0 .. total.
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=base)
    warm = torch.optim.lr_scheduler.LinearLR(opt, start_factor=1 / warmup, end_factor=1.0, total_iters=warmup - 1)
    cos = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=total - warmup, eta_min=min_lr)
    seq = torch.optim.lr_scheduler.SequentialLR(opt, [warm, cos], milestones=[warmup])
    torch_lrs = []
    for _ in range(total + 1):
        torch_lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        seq.step()
    hand_lrs = [hand(s) for s in range(total + 5)]
    for s, v in enumerate(torch_lrs):
        assert abs(v - hand_lrs[s]) < 1e-9, (s, v, hand_lrs[s])

    opt2 = torch.optim.SGD([p], lr=0.5)
    step_lr = torch.optim.lr_scheduler.StepLR(opt2, step_size=3, gamma=0.1)
    step_lrs = []
    for _ in range(10):
        step_lrs.append(opt2.param_groups[0]["lr"])
        opt2.step()
        step_lr.step()
    return {"cosine_warmup": {"base_lr": base, "warmup": warmup, "total": total, "min_lr": min_lr, "lrs": hand_lrs,
                              "torch_lrs": torch_lrs},
            "step_decay": {"base_lr": 0.5, "step_size": 3, "gamma": 0.1, "lrs": step_lrs}}


def main():
    setup()
    # SequentialLR passes an epoch to CosineAnnealingLR internally (torch 1.13 warns about it).
    warnings.filterwarnings("ignore", message="The epoch parameter")
    cases = optimizer_cases()
    cases["clip"] = clip_cases()
    cases.update(schedule_cases())
    write("optim.json", "make_optim_golden.py", cases)


if __name__ == "__main__":
    main()

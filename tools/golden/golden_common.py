"""Shared helpers of the PyTorch golden-value generators (make_*_golden.py).

Every golden file is JSON with a "generator" line (script, torch version) and named cases. A
tensor is written as {"shape": [...], "data": [...]} (row-major, float32 values as exact
decimal doubles) or, for index tensors, {"dtype": "int64", "shape": [...], "data": [...]}.
Inputs are written next to the outputs, so the Java tests never need PyTorch's RNG.
"""
import json
import os

import torch

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                       "core", "src", "test", "resources", "golden")


def setup():
    """Deterministic, single-threaded float32 PyTorch."""
    torch.manual_seed(0)
    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float32)


def t(x):
    """A tensor (or a Python number) as a JSON-ready dict."""
    if not torch.is_tensor(x):
        x = torch.tensor(x)
    x = x.detach().cpu().contiguous()
    if x.dtype in (torch.int64, torch.int32, torch.bool):
        return {"dtype": "int64", "shape": list(x.shape), "data": [int(v) for v in x.reshape(-1).tolist()]}
    return {"shape": list(x.shape), "data": [float(v) for v in x.float().reshape(-1).tolist()]}


def state(module):
    """A module's state_dict as {name: tensor-dict}, in PyTorch's key order."""
    return {k: t(v) for k, v in module.state_dict().items()}


def grads(module):
    """Gradients of a module's parameters by name (zeros where none)."""
    out = {}
    for k, p in module.named_parameters():
        out[k] = t(p.grad if p.grad is not None else torch.zeros_like(p))
    return out


def randn(*shape, scale=1.0):
    """Seeded-by-call-order normal values, rounded to 4 decimals (short, exact-enough JSON)."""
    return torch.round(torch.randn(*shape) * scale * 1e4) / 1e4


def leaf(x):
    return x.clone().detach().requires_grad_(True)


def write(name, script, cases):
    path = os.path.join(OUT_DIR, name)
    os.makedirs(OUT_DIR, exist_ok=True)
    doc = {"generator": "tools/golden/" + script + " with torch " + torch.__version__, "cases": cases}
    with open(path, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print("wrote", os.path.relpath(path), os.path.getsize(path), "bytes,", len(cases), "cases")

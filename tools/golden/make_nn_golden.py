#!/usr/bin/env python3
"""Golden values of layers, activations and losses from PyTorch (float32, CPU), for
dev.fathom.nn.NnGoldenTest and dev.fathom.nn.ModuleContractTest.

For each case the script writes the inputs, the module's state_dict (PyTorch key names), a fixed
output gradient grad_out, the forward output and the gradients of sum(out * grad_out) with
respect to the input and every parameter. Buffers updated by the forward pass (BatchNorm's
running statistics) are written as state_after. "contract" lists, per layer, PyTorch's
state_dict keys with shapes and the parameter count.

Outputs (committed): core/src/test/resources/golden/nn.json
Run from anywhere: /usr/bin/python3 tools/golden/make_nn_golden.py
"""
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.dont_write_bytecode = True  # importing golden_common leaves no __pycache__ in tools/golden
from golden_common import grads, leaf, randn, setup, state, t, write


def module_case(module, x, **extra):
    """Forward + backward of a module on x with a random output gradient."""
    before = state(module)
    xl = leaf(x)
    out = module(xl)
    g = randn(*out.shape)
    out.backward(g)
    case = {"state": before, "inputs": {"x": t(x)}, "grad_out": t(g), "out": t(out),
            "grads": dict(grads(module), x=t(xl.grad))}
    case.update(extra)
    return case


def fn_case(fn, inputs, **extra):
    """Forward + backward of a function of named float inputs (all differentiated)."""
    leaves = {k: leaf(v) for k, v in inputs.items()}
    out = fn(**leaves)
    g = randn(*out.shape) if out.dim() > 0 else torch.tensor(1.0)
    out.backward(g)
    case = {"inputs": {k: t(v) for k, v in inputs.items()}, "grad_out": t(g), "out": t(out),
            "grads": {k: t(v.grad) for k, v in leaves.items()}}
    case.update(extra)
    return case


def nn_cases():
    c = {}
    lin = nn.Linear(4, 5)
    c["linear"] = module_case(lin, randn(2, 3, 4))
    lin_nb = nn.Linear(4, 3, bias=False)
    c["linear_no_bias"] = module_case(lin_nb, randn(5, 4))

    conv = nn.Conv2d(4, 6, 3, stride=2, padding=1, groups=2)
    c["conv2d"] = module_case(conv, randn(2, 4, 7, 7),
                              config={"in": 4, "out": 6, "kernel": 3, "stride": 2, "padding": 1, "dilation": 1, "groups": 2})
    conv_d = nn.Conv2d(3, 4, (3, 2), stride=(1, 2), padding=(2, 1), dilation=(2, 1), bias=False)
    c["conv2d_dilated"] = module_case(conv_d, randn(1, 3, 6, 7),
                                      config={"in": 3, "out": 4, "kernel": [3, 2], "stride": [1, 2], "padding": [2, 1],
                                              "dilation": [2, 1], "groups": 1})

    x_pool = randn(2, 3, 7, 7)
    c["max_pool2d_k3_s2_p1"] = module_case(nn.MaxPool2d(3, 2, 1), x_pool, config={"kernel": 3, "stride": 2, "padding": 1})
    c["max_pool2d_k2"] = module_case(nn.MaxPool2d(2), x_pool, config={"kernel": 2, "stride": 2, "padding": 0})
    c["avg_pool2d_k3_s2_p1"] = module_case(nn.AvgPool2d(3, 2, 1), x_pool, config={"kernel": 3, "stride": 2, "padding": 1})
    c["avg_pool2d_k2"] = module_case(nn.AvgPool2d(2), x_pool, config={"kernel": 2, "stride": 2, "padding": 0})

    # BatchNorm2d: two training steps from non-default running statistics, then eval.
    bn = nn.BatchNorm2d(3)
    with torch.no_grad():
        bn.weight.copy_(1 + 0.3 * randn(3))
        bn.bias.copy_(0.2 * randn(3))
        bn.running_mean.copy_(0.5 * randn(3))
        bn.running_var.copy_(1 + torch.rand(3))
    x1, x2, x3 = randn(4, 3, 3, 3) * 2 + 1, randn(4, 3, 3, 3), randn(2, 3, 3, 3)
    case = module_case(bn, x1)
    out2 = bn(x2)
    after = state(bn)
    bn.eval()
    out3 = bn(x3)
    case.update({"x2": t(x2), "out2": t(out2), "state_after": after, "x_eval": t(x3), "out_eval": t(out3)})
    c["batchnorm2d"] = case

    bn1 = nn.BatchNorm1d(4, momentum=0.2, eps=1e-3)
    with torch.no_grad():
        bn1.weight.copy_(1 + 0.3 * randn(4))
        bn1.bias.copy_(0.2 * randn(4))
    case = module_case(bn1, randn(6, 4), config={"eps": 1e-3, "momentum": 0.2})
    case["state_after"] = state(bn1)
    c["batchnorm1d"] = case

    ln = nn.LayerNorm(4)
    with torch.no_grad():
        ln.weight.copy_(1 + 0.3 * randn(4))
        ln.bias.copy_(0.2 * randn(4))
    c["layernorm"] = module_case(ln, randn(2, 3, 4) * 3 + 1, config={"shape": [4]})
    ln2 = nn.LayerNorm([3, 4], eps=1e-3)
    with torch.no_grad():
        ln2.weight.copy_(1 + 0.3 * randn(3, 4))
        ln2.bias.copy_(0.2 * randn(3, 4))
    c["layernorm_2d"] = module_case(ln2, randn(2, 3, 4), config={"shape": [3, 4], "eps": 1e-3})

    emb = nn.Embedding(7, 3)
    ids = torch.tensor([[1, 6, 1], [0, 3, 3]])
    out = emb(ids)
    g = randn(*out.shape)
    out.backward(g)
    c["embedding"] = {"state": {"weight": t(emb.weight)}, "ids": t(ids), "grad_out": t(g), "out": t(out),
                      "grads": {"weight": t(emb.weight.grad)}}
    return c


def activation_cases():
    c = {}
    x = torch.cat([torch.linspace(-6, 6, 49), randn(15) * 2])
    c["gelu"] = fn_case(lambda x: F.gelu(x), {"x": x})
    c["gelu_tanh"] = fn_case(lambda x: F.gelu(x, approximate="tanh"), {"x": x})
    c["silu"] = fn_case(lambda x: F.silu(x), {"x": x})
    c["sigmoid"] = fn_case(lambda x: torch.sigmoid(x), {"x": x})
    c["tanh"] = fn_case(lambda x: torch.tanh(x), {"x": x})
    xs = randn(3, 4, 5) * 3
    for d in (0, 1, 2, -1):
        c["softmax_dim%d" % d] = fn_case(lambda x, d=d: F.softmax(x, dim=d), {"x": xs}, dim=d)
        c["log_softmax_dim%d" % d] = fn_case(lambda x, d=d: F.log_softmax(x, dim=d), {"x": xs}, dim=d)
    return c


def loss_cases():
    c = {}
    logits = randn(6, 5) * 2
    targets = torch.tensor([4, 0, 2, 2, 1, 3])
    ignored = torch.tensor([4, -100, 2, 2, -100, 3])
    with_two = torch.tensor([4, 2, 2, 0, 1, 2])
    for name, tg, ignore, smooth in [("cross_entropy", targets, -100, 0.0),
                                     ("cross_entropy_smoothing", targets, -100, 0.1),
                                     ("cross_entropy_ignore", ignored, -100, 0.0),
                                     ("cross_entropy_ignore_smoothing", ignored, -100, 0.2),
                                     ("cross_entropy_ignore2_smoothing", with_two, 2, 0.1)]:
        c[name] = fn_case(lambda logits, tg=tg, ignore=ignore, smooth=smooth:
                          F.cross_entropy(logits, tg, ignore_index=ignore, label_smoothing=smooth),
                          {"logits": logits}, targets=t(tg), ignore_index=ignore, label_smoothing=smooth)
    logp = F.log_softmax(randn(6, 5), dim=1)
    c["nll_loss_ignore"] = fn_case(lambda logp: F.nll_loss(logp, ignored, ignore_index=-100), {"logp": logp},
                                   targets=t(ignored), ignore_index=-100)
    a, b = randn(3, 4), randn(3, 4)
    c["mse_loss"] = fn_case(lambda a, b: F.mse_loss(a, b), {"a": a, "b": b})
    z = randn(4, 3) * 3
    y = torch.rand(4, 3)
    y[0] = torch.tensor([0.0, 1.0, 1.0])
    z[1] = 0.0  # zero logits (a zero-initialized head): the gradient there is sigmoid(0) - y = 0.5 - y
    y[1] = torch.tensor([0.0, 0.5, 1.0])
    c["bce_with_logits"] = fn_case(lambda z, y: F.binary_cross_entropy_with_logits(z, y), {"z": z, "y": y})
    inp = F.log_softmax(randn(4, 5), dim=1)
    tgt = F.softmax(randn(4, 5) * 2, dim=1)
    c["kl_div"] = fn_case(lambda inp, tgt: F.kl_div(inp, tgt, reduction="batchmean"), {"inp": inp, "tgt": tgt},
                          log_target=False)
    c["kl_div_log_target"] = fn_case(lambda inp, tgt: F.kl_div(inp, tgt, reduction="batchmean", log_target=True),
                                     {"inp": inp, "tgt": torch.log(tgt)}, log_target=True)
    return c


def attention_cases():
    """softmax(q kᵀ/√D + mask) v written out, with grouped-query heads repeated as Hugging Face's repeat_kv."""
    def sdpa(q, k, v, causal, mask):
        rep = q.shape[1] // k.shape[1]
        k = k.repeat_interleave(rep, dim=1)
        v = v.repeat_interleave(rep, dim=1)
        s = q @ k.transpose(-1, -2) / q.shape[-1] ** 0.5
        T, S = q.shape[2], k.shape[2]
        if causal:
            keep = torch.ones(T, S).tril(diagonal=S - T).bool()
            s = s.masked_fill(~keep, float("-inf"))
        if mask is not None:
            s = s + mask
        return torch.softmax(s, dim=-1) @ v

    c = {}
    q, k, v = randn(2, 4, 3, 4), randn(2, 2, 5, 4), randn(2, 2, 5, 3)
    c["attention_gqa_causal"] = fn_case(lambda q, k, v: sdpa(q, k, v, True, None), {"q": q, "k": k, "v": v}, causal=True)
    mask = randn(1, 1, 3, 5)
    c["attention_gqa_mask"] = fn_case(lambda q, k, v: sdpa(q, k, v, False, mask), {"q": q, "k": k, "v": v},
                                      causal=False, mask=t(mask))
    return c


def model_case():
    """A small Conv-BN-ReLU-Pool-Linear classifier end to end with cross-entropy."""
    model = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(4 * 3 * 3, 3))
    before = state(model)
    x = randn(5, 2, 6, 6)
    y = torch.tensor([0, 2, 1, 1, 0])
    xl = leaf(x)
    logits = model(xl)
    loss = F.cross_entropy(logits, y)
    loss.backward()
    return {"state": before, "x": t(x), "targets": t(y), "logits": t(logits), "loss": t(loss),
            "grads": dict(grads(model), x=t(xl.grad)), "state_after": state(model)}


def contract():
    """PyTorch's state_dict keys, shapes and parameter counts for layers configured like Fathom's."""
    class Attention(nn.Module):  # Hugging Face Llama projection names, grouped-query
        def __init__(self, d, h, hkv, bias):
            super().__init__()
            hd = d // h
            self.q_proj = nn.Linear(d, h * hd, bias=bias)
            self.k_proj = nn.Linear(d, hkv * hd, bias=bias)
            self.v_proj = nn.Linear(d, hkv * hd, bias=bias)
            self.o_proj = nn.Linear(h * hd, d, bias=bias)

    class RMSNorm(nn.Module):  # torch 1.13 has no nn.RMSNorm; torch>=2.4's has this one parameter
        def __init__(self, d):
            super().__init__()
            self.weight = nn.Parameter(torch.ones(d))

    layers = {
        "Linear(4,3)": nn.Linear(4, 3),
        "Linear(4,3,bias=False)": nn.Linear(4, 3, bias=False),
        "Conv2d(4,6,3,groups=2)": nn.Conv2d(4, 6, 3, groups=2),
        "Conv2d(3,5,3,bias=False)": nn.Conv2d(3, 5, 3, bias=False),
        "BatchNorm1d(4)": nn.BatchNorm1d(4),
        "BatchNorm2d(3)": nn.BatchNorm2d(3),
        "LayerNorm(4)": nn.LayerNorm(4),
        "LayerNorm(3,4)": nn.LayerNorm([3, 4]),
        "RMSNorm(4)": RMSNorm(4),
        "Embedding(7,3)": nn.Embedding(7, 3),
        "Attention(8,4,2,bias)": Attention(8, 4, 2, True),
        "Attention(8,2,1,nobias)": Attention(8, 2, 1, False),
        "Sequential": nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                                    nn.Flatten(), nn.Linear(36, 3)),
    }
    out = {}
    for name, m in layers.items():
        out[name] = {"keys": [[k, list(v.shape)] for k, v in m.state_dict().items()],
                     "num_parameters": sum(p.numel() for p in m.parameters())}
    return out


def main():
    setup()
    cases = {}
    cases.update(nn_cases())
    cases.update(activation_cases())
    cases.update(loss_cases())
    cases.update(attention_cases())
    cases["model"] = model_case()
    cases["contract"] = contract()
    write("nn.json", "make_nn_golden.py", cases)


if __name__ == "__main__":
    main()

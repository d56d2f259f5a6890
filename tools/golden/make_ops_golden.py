#!/usr/bin/env python3
"""Golden values of Tensor operations from PyTorch (float32, CPU), for
dev.fathom.tensor.OpsGoldenTest: forward values and gradients of sum(out * grad_out) w.r.t.
every float input.

Each case names the op as the Java test knows it; "inputs" are the float operands in order,
"index" an integer operand where the op takes one (indices, a condition or a mask), "grads" the gradients in input order.
Inputs avoid kinks (no ties for max/min, no zeros for abs/relu, positive bases for pow).

Outputs (committed): core/src/test/resources/golden/ops.json
Run from anywhere: /usr/bin/python3 tools/golden/make_ops_golden.py
"""
import sys

import torch
import torch.nn.functional as F

sys.dont_write_bytecode = True  # importing golden_common leaves no __pycache__ in tools/golden
from golden_common import leaf, randn, setup, t, write


def case(fn, *inputs, index=None):
    leaves = [leaf(x) for x in inputs]
    out = fn(*leaves) if index is None else fn(*leaves, index)
    g = randn(*out.shape) if out.dim() > 0 else torch.tensor(0.7)
    out.backward(g)
    c = {"inputs": [t(x) for x in inputs], "grad_out": t(g), "out": t(out), "grads": [t(x.grad) for x in leaves]}
    if index is not None:
        c["index"] = t(index)
    return c


def distinct(*shape):
    n = torch.Size(shape).numel()
    return ((torch.randperm(n).float() + 0.5) * (2.0 / n) - 1).reshape(shape)


def away_from_zero(*shape):
    x = randn(*shape)
    return x + 0.1 * torch.sign(x)


def cases():
    c = {}
    a, b3, col = randn(2, 3, 4), randn(3, 4), randn(3, 1)
    c["add_bcast"] = case(lambda x, y: x + y, a, col)
    c["sub_bcast"] = case(lambda x, y: x - y, randn(4), a)
    c["mul_bcast"] = case(lambda x, y: x * y, a, b3)
    c["div_bcast"] = case(lambda x, y: x / y, a, torch.rand(3, 1) + 0.5)
    c["pow_tensor"] = case(lambda x, y: x.pow(y), torch.rand(2, 3) * 1.5 + 0.5, randn(2, 3))
    c["pow_scalar3"] = case(lambda x: x.pow(3.0), randn(2, 3))
    c["pow_scalar_half"] = case(lambda x: x.pow(0.5), torch.rand(2, 3) + 0.5)
    p, q = distinct(3, 4), distinct(4)
    c["maximum_bcast"] = case(lambda x, y: torch.maximum(x, y), p, q * 0.97 + 0.013)
    c["minimum_bcast"] = case(lambda x, y: torch.minimum(x, y), p, q * 0.97 + 0.013)
    c["add_scalar"] = case(lambda x: x + 1.5, b3)
    c["mul_scalar"] = case(lambda x: x * -2.5, b3)
    c["div_scalar"] = case(lambda x: x / 0.75, b3)
    c["rsub_scalar"] = case(lambda x: 3.0 - x, b3)

    u = randn(3, 5) * 2
    pos = torch.rand(3, 5) * 2.5 + 0.5
    nz = away_from_zero(3, 5)
    for name, fn, x in [("neg", torch.neg, u), ("abs", torch.abs, nz), ("exp", torch.exp, u), ("log", torch.log, pos),
                        ("sqrt", torch.sqrt, pos), ("rsqrt", torch.rsqrt, pos), ("tanh", torch.tanh, u),
                        ("sigmoid", torch.sigmoid, u), ("relu", torch.relu, nz), ("gelu", F.gelu, u),
                        ("gelu_tanh", lambda x: F.gelu(x, approximate="tanh"), u), ("silu", F.silu, u),
                        ("sin", torch.sin, u), ("cos", torch.cos, u)]:
        c[name] = case(fn, x)
    cl = torch.tensor([[-1.2, -0.7, -0.44, -0.1], [0.05, 0.3, 0.42, 0.58], [0.9, 2.0, -0.3, 0.2]])
    c["clamp"] = case(lambda x: x.clamp(-0.5, 0.5), cl)
    c["where"] = case(lambda x, y, i: torch.where(i != 0, x, y), a, randn(4), index=torch.tensor([[1], [0], [1]]))
    c["masked_fill"] = case(lambda x, i: x.masked_fill(i.bool(), -3.0), a, index=torch.tensor([[0], [1], [0]]))

    r = randn(2, 3, 4)
    c["sum_all"] = case(lambda x: x.sum(), r)
    c["sum_dim1"] = case(lambda x: x.sum(1), r)
    c["sum_dims02_keep"] = case(lambda x: x.sum((0, 2), keepdim=True), r)
    c["mean_all"] = case(lambda x: x.mean(), r)
    c["mean_dim_last_keep"] = case(lambda x: x.mean(-1, keepdim=True), r)
    c["var_dim1"] = case(lambda x: x.var(1), r)
    c["var_dims12_pop_keep"] = case(lambda x: x.var((1, 2), unbiased=False, keepdim=True), r)
    d = distinct(2, 3, 4)
    c["max_dim1"] = case(lambda x: x.max(1).values, d)
    c["min_dim2_keep"] = case(lambda x: x.min(2, keepdim=True).values, d)
    c["max_all"] = case(lambda x: x.max(), d)
    c["logsumexp_dim1"] = case(lambda x: torch.logsumexp(x, 1), r * 3)
    c["logsumexp_dim0_keep"] = case(lambda x: torch.logsumexp(x, 0, keepdim=True), r * 3)
    c["softmax_dim1"] = case(lambda x: torch.softmax(x, 1), r * 3)
    c["log_softmax_dim0"] = case(lambda x: torch.log_softmax(x, 0), r * 3)

    c["reshape"] = case(lambda x: x.reshape(4, 6), r)
    c["flatten_1_2"] = case(lambda x: x.flatten(1, 2), r)
    c["transpose_0_2"] = case(lambda x: x.transpose(0, 2), r)
    c["permute_2_0_1"] = case(lambda x: x.permute(2, 0, 1), r)
    c["narrow_1_1_2"] = case(lambda x: x.narrow(1, 1, 2), r)
    c["expand"] = case(lambda x: x.expand(2, 3, 5, 4), randn(3, 1, 4))
    c["cat_dim1"] = case(lambda x, y: torch.cat([x, y], 1), r, randn(2, 2, 4))
    c["stack_dim1"] = case(lambda x, y: torch.stack([x, y], 1), b3, randn(3, 4))

    g = randn(3, 4)
    c["gather_dim1"] = case(lambda x, i: x.gather(1, i), g, index=torch.tensor([[0, 0], [3, 1], [2, 2]]))
    c["index_select_dim0"] = case(lambda x, i: x.index_select(0, i), g, index=torch.tensor([2, 0, 2]))
    c["scatter_add_dim1"] = case(lambda x, s, i: x.scatter_add(1, i, s), g, randn(3, 2),
                                 index=torch.tensor([[0, 0], [3, 1], [2, 2]]))
    c["masked_select"] = case(lambda x, i: x.masked_select(i.bool()), g,
                              index=torch.tensor([[1, 0, 0, 1], [1, 1, 0, 0], [0, 1, 0, 1]]))

    c["matmul_vec_vec"] = case(lambda x, y: x @ y, randn(4), randn(4))
    c["matmul_vec_mat"] = case(lambda x, y: x @ y, randn(4), randn(4, 5))
    c["matmul_mat_vec"] = case(lambda x, y: x @ y, randn(3, 4), randn(4))
    c["matmul_mat_mat"] = case(lambda x, y: x @ y, randn(3, 4), randn(4, 5))
    c["matmul_batched"] = case(lambda x, y: x @ y, randn(2, 3, 4), randn(2, 4, 5))
    c["matmul_bcast_batch"] = case(lambda x, y: x @ y, randn(2, 1, 3, 4), randn(5, 4, 2))
    c["matmul_mat_batched"] = case(lambda x, y: x @ y, randn(3, 4), randn(2, 4, 5))
    c["matmul_batched_mat"] = case(lambda x, y: x @ y, randn(2, 3, 4), randn(4, 5))

    w, bias = 1 + 0.3 * randn(4), 0.2 * randn(4)
    c["rms_norm"] = case(lambda x, w: x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6) * w, r, w)
    c["layer_norm"] = case(lambda x, w, b: F.layer_norm(x, (4,), w, b, 1e-5), r, w, bias)
    return c


def main():
    setup()
    write("ops.json", "make_ops_golden.py", cases())


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Golden values of the depthwise causal 1-D convolution from PyTorch (float32, CPU), for
dev.fathom.nn.CausalDepthwiseConv1dGoldenTest.

Each case builds torch.nn.Conv1d(C, C, K, groups=C, padding=K-1) (PyTorch's default init), runs
it on x.transpose(1, 2) for x of shape (B, T, C), keeps the first T outputs and transposes back
to (B, T, C): the causal convolution Fathom computes on the (B, T, C) layout. It writes x, the
module's state_dict (weight (C, 1, K), bias (C)), a fixed output gradient grad_out, the output and
the gradients of sum(out * grad_out) with respect to x, weight and bias.

Outputs (committed): core/src/test/resources/golden/causal_conv1d.json
Run from anywhere: /usr/bin/python3 tools/golden/make_causal_conv1d_golden.py
"""
import sys

import torch.nn as nn

sys.dont_write_bytecode = True  # importing golden_common leaves no __pycache__ in tools/golden
from golden_common import grads, leaf, randn, setup, state, t, write


def causal_case(b, time, c, k, bias):
    conv = nn.Conv1d(c, c, k, groups=c, padding=k - 1, bias=bias)
    x = randn(b, time, c)
    before = state(conv)
    xl = leaf(x)
    out = conv(xl.transpose(1, 2))[:, :, :time].transpose(1, 2)  # (B, T, C)
    g = randn(*out.shape)
    out.backward(g)
    return {"config": {"channels": c, "kernel_size": k, "bias": bias}, "state": before, "inputs": {"x": t(x)},
            "grad_out": t(g), "out": t(out), "grads": dict(grads(conv), x=t(xl.grad))}


def main():
    setup()
    cases = {
        "b2_t5_c3_k3": causal_case(2, 5, 3, 3, True),
        "b1_t2_c4_k4_no_bias": causal_case(1, 2, 4, 4, False),  # K > T: every output sees the zero padding
        "b2_t7_c17_k2": causal_case(2, 7, 17, 2, True),
        "b3_t6_c33_k4": causal_case(3, 6, 33, 4, True),
    }
    write("causal_conv1d.json", "make_causal_conv1d_golden.py", cases)


if __name__ == "__main__":
    main()

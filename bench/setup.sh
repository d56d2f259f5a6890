#!/usr/bin/env bash
# Peers for the side-by-side figures: Debian's PyTorch and numpy, with OpenBLAS as libblas.so.3
# (without libopenblas, Debian's numpy and torch.nn.Linear fall back to the reference BLAS at a
# few GFLOP/s, which would flatter Fathom).
set -euo pipefail
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch python3-numpy libopenblas0-pthread dataset-fashion-mnist bc

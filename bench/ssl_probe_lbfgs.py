# The linear probe's reference: multinomial logistic regression on the frozen features that
# `fathom ssl probe` caches (MODEL/features-{train,test}-60000-10000.safetensors), standardized with
# the training rows' statistics, fitted to convergence with PyTorch's L-BFGS (strong Wolfe line
# search), objective (1/n) sum CE + (lambda/2) ||W||^2 as Fathom's LinearProbe. Prints train and
# test accuracy for each lambda (docs/vision/ssl.md, "a converged probe").
#   /usr/bin/python3 bench/ssl_probe_lbfgs.py /tmp/ssl-runs/simclr-w128-e6-s2 1e-2,1e-3,1e-4,1e-5,0
import gzip
import json
import struct
import sys
import time

import os

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer_env  # noqa: E402  (before numpy/torch: it sets variables they read when they load)

peer_env.tune()

import numpy as np
import torch

torch.set_num_threads(2)
DATA = '/usr/share/datasets/fashion-mnist/'


def features(path):
    with open(path, 'rb') as f:
        n = struct.unpack('<Q', f.read(8))[0]
        t = json.loads(f.read(n))['features']
        return np.frombuffer(f.read(), dtype=np.float32).reshape(t['shape'])


def labels(name):
    return torch.tensor(np.frombuffer(gzip.open(DATA + name, 'rb').read()[8:], dtype=np.uint8).astype(np.int64))


model = sys.argv[1]
ytr, yte = labels('train-labels-idx1-ubyte.gz'), labels('t10k-labels-idx1-ubyte.gz')
xtr = features(model + '/features-train-60000-10000.safetensors')
xte = features(model + '/features-test-60000-10000.safetensors')
mu, sd = xtr.mean(0), xtr.std(0)
sd[sd < 1e-6] = 1
xtr, xte = torch.tensor((xtr - mu) / sd), torch.tensor((xte - mu) / sd)
for lam in (float(a) for a in sys.argv[2].split(',')):
    t0 = time.time()
    w = torch.zeros(xtr.shape[1], 10, requires_grad=True)
    b = torch.zeros(10, requires_grad=True)
    opt = torch.optim.LBFGS([w, b], max_iter=1000, tolerance_grad=1e-7, tolerance_change=1e-10, history_size=20,
                            line_search_fn='strong_wolfe')

    def closure():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(xtr @ w + b, ytr) + lam / 2 * (w * w).sum()
        loss.backward()
        return loss

    opt.step(closure)
    with torch.no_grad():
        tr = ((xtr @ w + b).argmax(1) == ytr).float().mean().item()
        te = ((xte @ w + b).argmax(1) == yte).float().mean().item()
    print(f'lambda {lam:g}: train {100 * tr:.2f} test {100 * te:.2f} ({time.time() - t0:.1f} s)', flush=True)

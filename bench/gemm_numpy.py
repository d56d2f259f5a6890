#!/usr/bin/python3
"""numpy (OpenBLAS) float32 matmul GFLOP/s: the peer of core's GemmBenchmark.

Same shapes, same FLOP count (2*m*n*k), same report (best and median call after a warm-up),
so the two tables can be read side by side. Run it right after the Java benchmark, with the
thread count pinned to Fathom's:

    OPENBLAS_NUM_THREADS=2 /usr/bin/python3 bench/gemm_numpy.py [seconds-per-shape [filter]]

filter: a substring a shape's line must contain to run (as in GemmBenchmark), e.g. "4096".

Debian's python3-numpy calls whatever libblas.so.3 the alternatives system selects. With only
libblas3 installed that is the reference BLAS (a few GFLOP/s), not OpenBLAS; install
libopenblas0-pthread, or unpack it without installing and point the loader at it:

    apt-get download libopenblas0-pthread && dpkg -x libopenblas0-pthread_*.deb /tmp/openblas
    LD_LIBRARY_PATH=/tmp/openblas/usr/lib/x86_64-linux-gnu/openblas-pthread \\
        OPENBLAS_NUM_THREADS=2 /usr/bin/python3 bench/gemm_numpy.py

The first line printed names the BLAS library numpy actually loaded.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer_env  # noqa: E402  (before numpy/torch: it sets variables they read when they load)

peer_env.tune()

import numpy as np


def shapes():
    """(name, transA, transB, m, n, k) in GemmBenchmark's order."""
    out = [("square", False, False, s, s, s) for s in (256, 512, 1024, 2048)]
    out += [("tall", False, False, 4096, n, k) for n, k in ((256, 256), (688, 256), (256, 688),
                                                             (256, 4096))]
    for ta in (False, True):
        for tb in (False, True):
            out.append(("NT"[ta] + "NT"[tb], ta, tb, 512, 512, 512))
    return out


def blas_library():
    """Path of the BLAS shared library mapped into this process."""
    with open("/proc/self/maps") as maps:
        libs = {line.split()[-1] for line in maps if "blas" in line.lower() and ".so" in line}
    return ", ".join(sorted(libs)) or "unknown"


def time_shape(ta, tb, m, n, k, seconds):
    """Best and median GFLOP/s of op(A) @ op(B), with op a transposed view as in BLAS."""
    rng = np.random.default_rng(42)
    a = rng.uniform(-1, 1, (k, m) if ta else (m, k)).astype(np.float32)
    b = rng.uniform(-1, 1, (n, k) if tb else (k, n)).astype(np.float32)
    a_op = a.T if ta else a
    b_op = b.T if tb else b
    c = np.empty((m, n), dtype=np.float32)
    flops = 2.0 * m * n * k
    warm_end = time.perf_counter() + 0.4 * max(0.5, seconds / 1.5)
    warm = 0
    while warm < 3 or time.perf_counter() < warm_end:
        np.matmul(a_op, b_op, out=c)
        warm += 1
    rates = []
    end = time.perf_counter() + seconds
    while len(rates) < 5 or time.perf_counter() < end:
        t = time.perf_counter()
        np.matmul(a_op, b_op, out=c)
        rates.append(flops / (time.perf_counter() - t) / 1e9)
    rates.sort()
    return rates[-1], rates[len(rates) // 2]


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 1.5
    only = sys.argv[2] if len(sys.argv) > 2 else ""
    np.matmul(np.ones((64, 64), np.float32), np.ones((64, 64), np.float32))
    print(f"numpy {np.__version__} matmul, OPENBLAS_NUM_THREADS="
          f"{os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}, BLAS: {blas_library()}")
    print(f"{'shape':<7} {'m':>5} {'n':>5} {'k':>5}  {'best':>9} {'median':>9}  GFLOP/s")
    for name, ta, tb, m, n, k in shapes():
        if only not in f"{name:<7} {m:>5} {n:>5} {k:>5}":
            continue
        best, median = time_shape(ta, tb, m, n, k, seconds)
        print(f"{name:<7} {m:>5} {n:>5} {k:>5}  {best:>9.1f} {median:>9.1f}")


if __name__ == "__main__":
    main()

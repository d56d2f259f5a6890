#!/usr/bin/env bash
# Fathom vs PyTorch on Fashion-MNIST, same architecture, batch, optimizer and 2 threads, back to back.
#   bash bench/fashion_side_by_side.sh cnn 5
#   PEER_ARGS=--channels-last bash bench/fashion_side_by_side.sh cnn 3   # the peer in NHWC
# Prints each side's per-epoch lines, then the steady-state images/s of both (epochs 2 and later
# when there are at least 2, so the JVM's JIT warm-up of epoch 1 is left out on both sides) and
# their ratio. The machine is shared and noisy: quote the ratio, and repeat when in doubt.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
model="${1:-cnn}"; epochs="${2:-5}"
out="runs/bench-$model"
peer_log="$(mktemp)"
trap 'rm -f "$peer_log"' EXIT
echo "== Fathom ($model, $epochs epochs, FATHOM_THREADS=2)"
start=$(date +%s.%N)
FATHOM_THREADS=2 ./fathom train --data fashion-mnist --model "$model" --epochs "$epochs" --batch 128 --out "$out" | grep -v "batch "
end=$(date +%s.%N)
echo "fathom wall seconds: $(echo "$end - $start" | bc)"
tail -n "$epochs" "$out/metrics.jsonl"
echo "== PyTorch ($model, $epochs epochs, 2 threads)"
OMP_NUM_THREADS=2 /usr/bin/python3 bench/fashion_torch.py --model "$model" --epochs "$epochs" --threads 2 ${PEER_ARGS:-} | tee "$peer_log"
/usr/bin/python3 - "$out/metrics.jsonl" "$peer_log" "$epochs" <<'PY'
import json, sys
fathom = [json.loads(l) for l in open(sys.argv[1]) if l.strip()][-int(sys.argv[3]):]
peer = [json.loads(l) for l in open(sys.argv[2]) if l.startswith('{"epoch"')]
def steady(rows):
    rows = rows[1:] if len(rows) > 1 else rows
    return sum(r["examples_per_second"] for r in rows) / len(rows), len(rows)
f, nf = steady(fathom)
p, npeer = steady(peer)
first = 2 if len(fathom) > 1 else 1
gc = sum(r.get("gc_seconds", 0) for r in fathom) / max(1e-9, sum(r["seconds"] for r in fathom))
print(f"== steady state (epochs {first}-{len(fathom)}): Fathom {f:,.0f} images/s, PyTorch {p:,.0f} images/s, "
      f"ratio {f / p:.2f}x; Fathom test accuracy {fathom[-1]['val_accuracy']:.2%}, "
      f"PyTorch {peer[-1]['val_accuracy']:.2%}; Fathom GC share {gc:.1%}")
PY

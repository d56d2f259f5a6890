#!/usr/bin/env bash
# Fathom vs PyTorch on Fashion-MNIST, same architecture, batch, optimizer and 2 threads, back to back.
#   bash bench/fashion_side_by_side.sh cnn 5
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
model="${1:-cnn}"; epochs="${2:-5}"
out="runs/bench-$model"
echo "== Fathom ($model, $epochs epochs, FATHOM_THREADS=2)"
start=$(date +%s.%N)
FATHOM_THREADS=2 ./fathom train --data fashion-mnist --model "$model" --epochs "$epochs" --batch 128 --out "$out" | grep -v "batch "
end=$(date +%s.%N)
echo "fathom wall seconds: $(echo "$end - $start" | bc)"
tail -n "$epochs" "$out/metrics.jsonl"
echo "== PyTorch ($model, $epochs epochs, 2 threads)"
OMP_NUM_THREADS=2 /usr/bin/python3 bench/fashion_torch.py --model "$model" --epochs "$epochs" --threads 2

#!/usr/bin/env bash
# Fathom vs PyTorch: the same Llama preset trained on byte-level Tiny Shakespeare for the same
# training-time budget (evaluation excluded on both sides), then the validation loss of each.
#   bash bench/llm_train_side_by_side.sh small 15          # 15 minutes each, back to back
#   bash bench/llm_train_side_by_side.sh small 0 30        # 30 steps each: throughput only
#   BATCH=8 LR=2e-3 bash bench/llm_train_side_by_side.sh small 15   # sequences per step, peak lr
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
preset="${1:-small}"; minutes="${2:-15}"; steps="${3:-0}"; lr="${LR:-2e-3}"; batch="${BATCH:-16}"
text="${TEXT:-../shared/data/tinyshakespeare.txt}"
budget=(--minutes "$minutes"); [[ "$steps" != 0 ]] && budget=(--steps "$steps")
echo "== Fathom ($preset, ${budget[*]}, batch $batch, lr $lr, FATHOM_THREADS=2)"
FATHOM_THREADS=2 ./fathom lm train --text "$text" --preset "$preset" --tokenizer byte "${budget[@]}" --batch "$batch" --lr "$lr" \
  --eval-every 0 --save-every 0 --out "runs/lm-$preset" | grep -E "^(model|step [0-9]*0 |eval|saved)"
echo "== PyTorch ($preset, ${budget[*]}, batch $batch, lr $lr, 2 threads)"
OMP_NUM_THREADS=2 /usr/bin/python3 bench/llm_train_torch.py --text "$text" --preset "$preset" "${budget[@]}" --batch "$batch" --lr "$lr" \
  --min-lr "$(python3 -c "print($lr/10)")" --threads 2 | grep -E "^(small|tiny|base|step [0-9]*0 |eval)"

#!/bin/sh
# Structured pruning (docs/compress/structured-pruning.md quotes it): MLP neurons and attention heads of
# the Tiny Shakespeare `base` Llama, conv channels of the Fashion-MNIST CNN; quality (validation loss on
# the first EVAL_TOKENS validation tokens; test accuracy) and speed side by side in one run each.
# Usage: bench/compress_structured.sh LM_DIR CNN_DIR OUT_DIR [FATHOM]
# Calibration: 128 windows of 256 tokens from the training part (first 90%) of the text, seed 0.
set -e
LM=${1:?language model directory}; CNN=${2:?cnn directory}; OUT=${3:?output directory}; FATHOM=${4:-./fathom}
TEXT=${TEXT:-../shared/data/tinyshakespeare.txt}
EVAL_TOKENS=${EVAL_TOKENS:-16384}
CAL="--calib $TEXT --calib-part train"
P="$FATHOM compress prune"
[ -d "$OUT/base-n30" ] || $P --model "$LM" --method neurons --sparsity 0.3 $CAL --out "$OUT/base-n30"
[ -d "$OUT/base-n30w" ] || $P --model "$LM" --method neurons --sparsity 0.3 --score weight --out "$OUT/base-n30w"
[ -d "$OUT/base-n30w-r32" ] || $P --model "$LM" --method neurons --sparsity 0.3 --score weight --round-to 32 --out "$OUT/base-n30w-r32"
[ -d "$OUT/base-h25" ] || $P --model "$LM" --method heads --sparsity 0.25 $CAL --out "$OUT/base-h25"
[ -d "$OUT/base-h50" ] || $P --model "$LM" --method heads --sparsity 0.5 $CAL --out "$OUT/base-h50"
[ -d "$OUT/base-n30-h25" ] || $P --model "$OUT/base-n30" --method heads --sparsity 0.25 $CAL --out "$OUT/base-n30-h25"
[ -d "$OUT/cnn-c30" ] || $P --model "$CNN" --method channels --sparsity 0.3 --out "$OUT/cnn-c30"
[ -d "$OUT/cnn-c50" ] || $P --model "$CNN" --method channels --sparsity 0.5 --out "$OUT/cnn-c50"
[ -d "$OUT/cnn-c30l1" ] || $P --model "$CNN" --method channels --sparsity 0.3 --score l1 --out "$OUT/cnn-c30l1"
[ -d "$OUT/cnn-c50l1" ] || $P --model "$CNN" --method channels --sparsity 0.5 --score l1 --out "$OUT/cnn-c50l1"
echo "== CNN: test accuracy"
for m in "$CNN" "$OUT/cnn-c30" "$OUT/cnn-c50" "$OUT/cnn-c30l1" "$OUT/cnn-c50l1"; do echo "$m"; $FATHOM eval --model "$m"; done
echo "== CNN: speed"
$FATHOM bench prune --cnn "$CNN" "$OUT/cnn-c30" "$OUT/cnn-c50" --rounds 9
echo "== LM: speed"
$FATHOM bench prune --lm "$LM" "$OUT/base-n30" "$OUT/base-n30w-r32" "$OUT/base-h25" "$OUT/base-h50" "$OUT/base-n30-h25" --rounds 7
echo "== LM: validation loss"
$FATHOM compress report --models "$LM" "$OUT/base-n30" "$OUT/base-n30w" "$OUT/base-h25" "$OUT/base-h50" "$OUT/base-n30-h25" \
  --text "$TEXT" --eval-tokens "$EVAL_TOKENS" --rounds 1 --decode-tokens 16

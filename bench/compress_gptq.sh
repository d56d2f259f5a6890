#!/bin/sh
# GPTQ / AWQ / RTN at q4_0, int4g128 and 3 bits (int3g32), and magnitude / Wanda / SparseGPT pruning
# at 50% unstructured and 2:4, on the Tiny Shakespeare `base` model; then one side-by-side report
# (validation loss on the same validation tokens for every model).
# Usage: bench/compress_gptq.sh MODEL_DIR OUT_DIR [FATHOM]   (docs/compress/gptq-pruning.md quotes it)
# Calibration: 128 windows of 256 tokens from the training part (first 90%) of the text, seed 0.
set -e
MODEL=${1:?model directory}; OUT=${2:?output directory}; FATHOM=${3:-./fathom}
TEXT=${TEXT:-../shared/data/tinyshakespeare.txt}
EVAL_TOKENS=${EVAL_TOKENS:-0}
CAL="--calib $TEXT --calib-part train"
for f in q4_0 int3g32; do
  for m in rtn gptq awq; do
    [ -d "$OUT/base-$m-$f" ] || $FATHOM compress quantize --model "$MODEL" --method $m --format $f $CAL --out "$OUT/base-$m-$f"
  done
done
for m in magnitude wanda sparsegpt; do
  [ -d "$OUT/base-$m-50" ] || $FATHOM compress prune --model "$MODEL" --method $m --sparsity 0.5 $CAL --out "$OUT/base-$m-50"
  [ -d "$OUT/base-$m-2of4" ] || $FATHOM compress prune --model "$MODEL" --method $m --pattern 2:4 $CAL --out "$OUT/base-$m-2of4"
done
$FATHOM compress report --models "$MODEL" "$OUT"/base-rtn-q4_0 "$OUT"/base-gptq-q4_0 "$OUT"/base-awq-q4_0 \
  "$OUT"/base-rtn-int3g32 "$OUT"/base-gptq-int3g32 "$OUT"/base-awq-int3g32 \
  "$OUT"/base-magnitude-50 "$OUT"/base-wanda-50 "$OUT"/base-sparsegpt-50 \
  "$OUT"/base-magnitude-2of4 "$OUT"/base-wanda-2of4 "$OUT"/base-sparsegpt-2of4 \
  --text "$TEXT" --eval-tokens "$EVAL_TOKENS" --rounds 1 --decode-tokens 16

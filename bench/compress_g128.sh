#!/bin/sh
# RTN / GPTQ / AWQ at 3 bits in groups of 128 (int3g128, float values on the grid) and packed int4g128
# on the Tiny Shakespeare `base` model, whose down_proj (1376 = 10·128 + 96 in-features) ends every row
# in a short group of 96; then one report per width on the same validation tokens.
# Usage: bench/compress_g128.sh MODEL_DIR OUT_DIR [FATHOM]   (docs/compress/gptq-pruning.md quotes it)
set -e
MODEL=${1:?model directory}; OUT=${2:?output directory}; FATHOM=${3:-./fathom}
TEXT=${TEXT:-../shared/data/tinyshakespeare.txt}
EVAL_TOKENS=${EVAL_TOKENS:-16384}
for f in int3g128 int4g128; do
  for m in rtn gptq awq; do
    [ -d "$OUT/base-$m-$f" ] || $FATHOM compress quantize --model "$MODEL" --method $m --format $f --calib "$TEXT" --calib-part train \
      --out "$OUT/base-$m-$f"
  done
  $FATHOM compress report --models "$MODEL" "$OUT/base-rtn-$f" "$OUT/base-gptq-$f" "$OUT/base-awq-$f" --text "$TEXT" \
    --eval-tokens "$EVAL_TOKENS" --rounds 1 --decode-tokens 16
done

#!/bin/sh
# W8A8 (plain), SmoothQuant W8A8 and LLM.int8 on the Tiny Shakespeare `base` model, with and without
# injected activation outliers (1% of the channels of every linear-layer input ×20..50, function-preserving);
# then one side-by-side report (validation loss on the same validation tokens; decode tok/s at batch 1).
# Usage: bench/compress_w8a8.sh MODEL_DIR OUT_DIR [FATHOM]   (docs/compress/w8a8.md quotes it)
# Calibration: CALIB_SAMPLES (default 32) windows of 256 tokens from the training part (first 90%) of the text, seed 0.
set -e
MODEL=${1:?model directory}; OUT=${2:?output directory}; FATHOM=${3:-./fathom}
TEXT=${TEXT:-../shared/data/tinyshakespeare.txt}
EVAL_TOKENS=${EVAL_TOKENS:-16384}
CAL="--calib $TEXT --calib-part train --calib-samples ${CALIB_SAMPLES:-32}"
mkdir -p "$OUT"
[ -d "$OUT/inj" ] || $FATHOM compress inject-outliers --model "$MODEL" --fraction 0.01 --factor 20:50 --seed 0 --out "$OUT/inj"
for src in base inj; do
  SRC=$MODEL; [ $src = inj ] && SRC="$OUT/inj"
  [ -d "$OUT/$src-w8a8" ] || $FATHOM compress quantize --model "$SRC" --method w8a8 --format int8 --out "$OUT/$src-w8a8"
  [ -d "$OUT/$src-smoothquant" ] || $FATHOM compress quantize --model "$SRC" --method smoothquant --format int8 $CAL --out "$OUT/$src-smoothquant"
  [ -d "$OUT/$src-llm-int8" ] || $FATHOM compress quantize --model "$SRC" --method llm-int8 --format int8 $CAL --out "$OUT/$src-llm-int8"
done
$FATHOM compress report --models "$MODEL" "$OUT"/base-w8a8 "$OUT"/base-smoothquant "$OUT"/base-llm-int8 \
  "$OUT"/inj "$OUT"/inj-w8a8 "$OUT"/inj-smoothquant "$OUT"/inj-llm-int8 \
  --text "$TEXT" --eval-tokens "$EVAL_TOKENS" --rounds ${ROUNDS:-2} --decode-tokens ${DECODE_TOKENS:-64}

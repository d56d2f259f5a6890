#!/bin/sh
# Round-to-nearest quantization of the Tiny Shakespeare `base` model in every format, then one
# side-by-side report (size on disk, decode tokens/s at batch 1 in the same run, validation loss
# on the last 10% of the text). Usage: bench/compress_quantize.sh MODEL_DIR OUT_DIR [FATHOM]
# (FATHOM: the command that runs the CLI, default ./fathom). docs/compress/quantization.md quotes it.
set -e
MODEL=${1:?model directory}; OUT=${2:?output directory}; FATHOM=${3:-./fathom}
TEXT=${TEXT:-../shared/data/tinyshakespeare.txt}
# int4g128 is left out: base's down_proj has 1376 in-features, not a multiple of 128.
for f in q8_0 q4_0 int8 int4pt; do
  $FATHOM compress quantize --model "$MODEL" --method rtn --format $f --out "$OUT/base-$f"
done
$FATHOM compress report --models "$MODEL" "$OUT/base-q8_0" "$OUT/base-q4_0" "$OUT/base-int8" "$OUT/base-int4pt" \
  --text "$TEXT" --rounds 5 --decode-tokens 128 --chart "$OUT/compress-report.png"

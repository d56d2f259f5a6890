#!/bin/sh
# The GPTQ rows of docs/compress/qat.md: GPTQ of runs/lm-small at int3g16 and int2g16, scored on the
# first 16,384 validation tokens like the QAT runs.  usage: bench/compress_qat_gptq.sh FATHOM OUTDIR
set -e
F=$1; OUT=$2
TEXT=${TEXT:-/work/shared/data/tinyshakespeare.txt}
LM=${LM:-/work/main/runs/lm-small}
for G in int3g16 int2g16; do
  $F compress quantize --model "$LM" --method gptq --format $G --calib "$TEXT" --calib-part train --out "$OUT/lm-gptq-$G"
done
$F compress report --models "$LM" "$OUT/lm-gptq-int3g16" "$OUT/lm-gptq-int2g16" --text "$TEXT" --eval-tokens 16384 --rounds 1 --decode-tokens 4

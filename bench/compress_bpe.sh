#!/bin/sh
# Every quantization bar of the compression issue on one model: the BPE-tokenized `base`
# (lm train --preset base --tokenizer bpe:1024 --minutes 20 --batch 8 --lr 1e-3). Files as
# `compress quantize` writes them by default (embedding and head rounded too, a q4_0 file's head
# in q8_0), the same with the embedding and the head kept float (--embed-format float
# --head-format float), the 3-bit method comparison, then reports on the whole validation split.
# Usage: bench/compress_bpe.sh MODEL_DIR OUT_DIR [FATHOM]. docs/compress/gptq-pruning.md quotes it.
set -e
MODEL=${1:?model directory}; OUT=${2:?output directory}; FATHOM=${3:-./fathom}
TEXT=${TEXT:-../shared/data/tinyshakespeare.txt}
mkdir -p "$OUT"
for f in q8_0 q4_0 int4pt; do
  $FATHOM compress quantize --model "$MODEL" --method rtn --format $f --out "$OUT/rtn-$f"
  $FATHOM compress quantize --model "$MODEL" --method rtn --format $f --embed-format float --head-format float --out "$OUT/rtn-$f-proj"
done
for m in rtn gptq awq; do
  $FATHOM compress quantize --model "$MODEL" --method $m --format int3g128 --calib "$TEXT" --calib-part train --out "$OUT/$m-int3g128"
done
$FATHOM compress quantize --model "$MODEL" --method awq --awq-grid 1 --format int3g128 --calib "$TEXT" --calib-part train --out "$OUT/awq-clip-int3g128"
# quality: the whole validation split
$FATHOM compress report --models "$MODEL" "$OUT"/rtn-q8_0 "$OUT"/rtn-q4_0 "$OUT"/rtn-int4pt "$OUT"/rtn-q8_0-proj "$OUT"/rtn-q4_0-proj \
  "$OUT"/rtn-int4pt-proj "$OUT"/rtn-int3g128 "$OUT"/gptq-int3g128 "$OUT"/awq-int3g128 "$OUT"/awq-clip-int3g128 \
  --text "$TEXT" --eval-tokens 0 --rounds 1 --decode-tokens 16 --json
# speed: decode at batch 1, the float model and the default files in one run
$FATHOM compress report --models "$MODEL" "$OUT"/rtn-q8_0 "$OUT"/rtn-q4_0 --text "$TEXT" --eval-tokens 64 --rounds 5 --decode-tokens 128

#!/bin/sh
# Healing after structured pruning and a longer LM speed run (docs/compress/structured-pruning.md quotes it).
# Needs the models of bench/compress_structured.sh in OUT_DIR.
# Usage: bench/compress_structured_heal.sh LM_DIR CNN_DIR OUT_DIR [FATHOM]   (SPEED=0 skips the speed run)
# Note: on the shared machine (load ~18) LM healing trained at 61 tokens/s (20 steps ~ 11 min per model), so the
# LM healing lines were stopped and not measured; docs/compress/structured-pruning.md says so and quotes the
# commands that measured 50% neurons and CNN healing instead.
# Healing control: the float model fine-tuned the same way (neurons at sparsity 0 keeps every unit), since
# `base` itself is under-trained and would gain from the extra steps alone.
set -e
LM=${1:?language model directory}; CNN=${2:?cnn directory}; OUT=${3:?output directory}; FATHOM=${4:-./fathom}
TEXT=${TEXT:-../shared/data/tinyshakespeare.txt}
EVAL_TOKENS=${EVAL_TOKENS:-16384}
LM_STEPS=${LM_STEPS:-20}; CNN_STEPS=${CNN_STEPS:-200}
P="$FATHOM compress prune"
[ -d "$OUT/base-n50" ] || $P --model "$LM" --method neurons --sparsity 0.5 --calib "$TEXT" --calib-part train --out "$OUT/base-n50"
if [ "${SPEED:-1}" != 0 ]; then
  echo "== LM: speed, longer run"
  $FATHOM bench prune --lm "$LM" "$OUT/base-n30" "$OUT/base-n50" "$OUT/base-n30-h25" --rounds 15 --decode-tokens 128
fi
[ -d "$OUT/base-heal$LM_STEPS" ] || $P --model "$LM" --method neurons --sparsity 0 --score weight --heal-steps $LM_STEPS --heal-text "$TEXT" --out "$OUT/base-heal$LM_STEPS"
[ -d "$OUT/base-n30-h25-heal$LM_STEPS" ] || $P --model "$OUT/base-n30-h25" --method neurons --sparsity 0 --score weight --heal-steps $LM_STEPS --heal-text "$TEXT" --out "$OUT/base-n30-h25-heal$LM_STEPS"
# lm-base (1.7880) and base-n30-h25 were scored by bench/compress_structured.sh on the same tokens; not repeated here
$FATHOM compress report --models "$OUT/base-n50" "$OUT/base-heal$LM_STEPS" "$OUT/base-n30-h25-heal$LM_STEPS" \
  --text "$TEXT" --eval-tokens "$EVAL_TOKENS" --rounds 1 --decode-tokens 16
[ -d "$OUT/cnn-c30-heal$CNN_STEPS" ] || $P --model "$CNN" --method channels --sparsity 0.3 --heal-steps $CNN_STEPS --out "$OUT/cnn-c30-heal$CNN_STEPS"
[ -d "$OUT/cnn-c50-heal$CNN_STEPS" ] || $P --model "$CNN" --method channels --sparsity 0.5 --heal-steps $CNN_STEPS --out "$OUT/cnn-c50-heal$CNN_STEPS"
[ -d "$OUT/cnn-heal$CNN_STEPS" ] || $P --model "$CNN" --method channels --sparsity 0 --heal-steps $CNN_STEPS --out "$OUT/cnn-heal$CNN_STEPS"
for m in "$OUT/cnn-heal$CNN_STEPS" "$OUT/cnn-c30-heal$CNN_STEPS" "$OUT/cnn-c50-heal$CNN_STEPS"; do echo "$m"; $FATHOM eval --model "$m"; done

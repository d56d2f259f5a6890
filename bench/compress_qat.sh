#!/bin/sh
# QAT vs PTQ measurements of docs/compress/qat.md, one run at a time (nice 5).
# usage: bench/compress_qat.sh FATHOM OUTDIR [STEPS] [LM_LR] [SEED]
#   FATHOM: a fathom launcher (e.g. a snapshot of the CLI jar), OUTDIR: where models go
set -e
F=$1; OUT=$2; STEPS=${3:-120}; LR=${4:-5e-4}; SEED=${5:-0}
TEXT=${TEXT:-/work/shared/data/tinyshakespeare.txt}
LM=${LM:-/work/main/runs/lm-small}; CNN=${CNN:-/work/main/runs/cnn}
mkdir -p "$OUT"
for G in int3g16 int2g16; do
  $F compress qat --model "$LM" --format $G --data "$TEXT" --steps $STEPS --lr $LR --seed $SEED --out "$OUT/lm-qat-$G-s$SEED"
  $F compress qat --model "$LM" --format $G --data "$TEXT" --steps $STEPS --lr $LR --seed $SEED --float-control --out "$OUT/lm-ctl-$G-s$SEED"
done
for G in int2g32 q4_0; do
  $F compress qat --model "$CNN" --format $G --data fashion-mnist --epochs 1 --seed $SEED --out "$OUT/cnn-qat-$G-s$SEED"
  $F compress qat --model "$CNN" --format $G --data fashion-mnist --epochs 1 --seed $SEED --float-control --out "$OUT/cnn-ctl-$G-s$SEED"
done

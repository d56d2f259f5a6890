#!/bin/bash
# Knowledge-distillation measurements of docs/compress/distillation.md, one run after another.
# Usage: bash bench/distill_runs.sh cnn SEED | lm SEED   (from the checkout; teachers in ../main/runs or RUNS=...)
#   cnn: EPOCHS=N (default 3) and CNN_TEACHER=DIR (default $RUNS/cnn) change the schedule and the teacher.
# Each call trains the distilled student and the hard-label baseline with the same seed and steps.
set -euo pipefail
RUNS=${RUNS:-/work/main/runs}
TEXT=${TEXT:-/work/shared/data/tinyshakespeare.txt}
OUT=${OUT:-/tmp/distill-runs}
EPOCHS=${EPOCHS:-3}
CNN_TEACHER=${CNN_TEACHER:-$RUNS/cnn}
what=$1; seed=$2
F="nice -n 5 ./fathom"
case $what in
  cnn)
    for arm in "kd-t2a05 --temperature 2 --alpha 0.5" "hard --hard-labels-only"; do
      set -- $arm
      $F compress distill --teacher "$CNN_TEACHER" --student-preset cnn-quarter --data fashion-mnist --epochs "$EPOCHS" --seed "$seed" \
        "${@:2}" --out "$OUT/cnn-$1-e$EPOCHS-s$seed"
    done ;;
  lm)
    for arm in "t1a1 --temperature 1 --alpha 1" "hard --hard-labels-only"; do
      set -- $arm
      $F compress distill --teacher "$RUNS/lm-small" --student-preset tiny --data "$TEXT" --steps 200 --seed "$seed" \
        "${@:2}" --out "$OUT/lm-$1-s$seed"
    done ;;
  *) echo "usage: $0 cnn|lm SEED" >&2; exit 2 ;;
esac

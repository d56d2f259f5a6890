package dev.fathom.quant;

/**
 * Round-to-nearest quantization into each {@link QuantFormat}: every group gets its step from its
 * own values ({@link GroupGrid#fit}) and each value its nearest code. Scales stored as fp16 are
 * rounded to fp16 before the values are quantized with them, so the stored grid is the one rounded
 * to: every element is within half a step of its dequantized value, except where a grid's end
 * clamps (Q4_0's +8·|d| side, at most one step).
 */
final class RoundToNearest {
  private RoundToNearest() {}

  static QuantizedMatrix quantize(QuantFormat f, float[] w, int off, int rows, int cols) {
    GroupGrid grid = GroupGrid.of(f);
    int[] codes = new int[Math.multiplyExact(rows, cols)];
    GroupGrid.Step[] steps = new GroupGrid.Step[rows * grid.groups(cols)];
    grid.roundToNearest(w, off, rows, cols, codes, steps);
    return PackedCodes.pack(f, rows, cols, codes, steps);
  }
}

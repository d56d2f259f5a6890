package dev.fathom.compress;

import dev.fathom.quant.GroupGrid;
import dev.fathom.quant.QuantizedMatrix;

/**
 * A weight matrix (rows, cols) on a {@link GroupGrid}: the values, their integer codes and each
 * group's step, as round to nearest, GPTQ and AWQ produce them.
 *
 * @param values the rounded values (rows, cols) row-major: {@code steps[g].scale·(codes[i] − zero)}
 * @param steps one per group, row by row
 */
public record GridWeights(GroupGrid grid, int rows, int cols, float[] values, int[] codes, GroupGrid.Step[] steps) {

  /** Round to nearest: every group's step from its own values, every value to its nearest code. */
  public static GridWeights roundToNearest(GroupGrid grid, float[] w, int rows, int cols) {
    grid.checkColumns(cols);
    int g = grid.groupSize(cols);
    int[] codes = new int[rows * cols];
    GroupGrid.Step[] steps = new GroupGrid.Step[rows * grid.groups(cols)];
    grid.roundToNearest(w, 0, rows, cols, codes, steps);
    float[] v = new float[rows * cols];
    for (int i = 0; i < v.length; i++) v[i] = grid.value(codes[i], steps[(i / cols) * grid.groups(cols) + (i % cols) / g]);
    return new GridWeights(grid, rows, cols, v, codes, steps);
  }

  /**
   * The packed matrix of the grid's format.
   *
   * @throws IllegalStateException for a grid without a packed format (int3g32)
   */
  public QuantizedMatrix toMatrix() {
    if (grid.format() == null) throw new IllegalStateException(grid + " has no packed format; its values are kept as float32");
    return QuantizedMatrix.fromCodes(grid.format(), rows, cols, codes, steps);
  }
}

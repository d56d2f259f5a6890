package dev.fathom.compress;

import dev.fathom.quant.GroupGrid;

/**
 * AWQ's weight clipping (Lin et al. 2024, the search that follows the scale search in the
 * authors' code): for every group of every row, the range the group's step is fitted to is
 * shrunk by a ratio r in {1, 1 − 1/20, ..., 1 − (steps − 1)/20} and the r whose rounding error
 * changes the layer's output least on the calibration inputs wins. The error of a group g with
 * rounding error Δ = w_g − Q_r(w_g) is the group's share of ‖(W − Ŵ)X‖²/n, {@code Δᵀ·H_gg·Δ/2}
 * with H = 2·XᵀX/n ({@link LinearStats#hessian}); cross-group terms are ignored, as the authors'
 * per-group search ignores them. r = 1 is plain round to nearest, so no group gets worse on the
 * calibration data. A short last group (group size not dividing the in-features) is searched
 * the same way over its own columns.
 *
 * <p>A grid with groups wider than {@link #MAX_GROUP} (int8's scale per row) is rounded to
 * nearest: clipping a per-row 8-bit scale gains nothing measurable, and its (in × in) block would
 * cost O(in²) per row and ratio.
 */
public final class AwqClip {
  /** Ratios tried: 1, 0.95, ..., 0.55 (the authors' n_grid = 20, max_shrink = 0.5). */
  public static final int STEPS = 10;
  /** The widest group searched. */
  public static final int MAX_GROUP = 128;

  private AwqClip() {}

  /**
   * Rounds W (rows, cols) onto {@code grid} with the clipping ratio of each group chosen against H.
   *
   * @param h the layer's input Hessian (cols, cols) row-major
   * @throws IllegalArgumentException if the shapes do not match or the grid does not suit cols
   */
  public static GridWeights round(GroupGrid grid, float[] w, int rows, int cols, double[] h) {
    grid.checkColumns(cols);
    if (w.length != rows * cols || h.length != (long) cols * cols) {
      throw new IllegalArgumentException("AwqClip: expected " + rows * cols + " weights and a (" + cols + ", " + cols + ") Hessian, got "
          + w.length + " and " + h.length + " values");
    }
    int g = grid.groupSize(cols), perRow = grid.groups(cols);
    if (g > MAX_GROUP) return GridWeights.roundToNearest(grid, w, rows, cols);
    float[] v = new float[rows * cols];
    int[] codes = new int[rows * cols];
    GroupGrid.Step[] steps = new GroupGrid.Step[rows * perRow];
    double[] block = new double[g * g], delta = new double[g];
    for (int b = 0; b < perRow; b++) {
      int c0 = b * g, n = grid.groupLength(cols, b);  // n < g for a short last group
      for (int i = 0; i < n; i++) System.arraycopy(h, (c0 + i) * cols + c0, block, i * n, n);
      for (int r = 0; r < rows; r++) {
        int at = r * cols + c0;
        GroupGrid.Step best = null;
        double bestErr = Double.POSITIVE_INFINITY;
        for (int k = 0; k < STEPS; k++) {
          GroupGrid.Step st = grid.fit(w, at, n, 1f - k / 20f);
          for (int i = 0; i < n; i++) delta[i] = w[at + i] - grid.round(w[at + i], st);
          double err = quadratic(block, delta, n);
          if (err < bestErr) {
            bestErr = err;
            best = st;
          }
        }
        steps[r * perRow + b] = best;
        for (int i = at; i < at + n; i++) {
          codes[i] = grid.code(w[i], best);
          v[i] = grid.value(codes[i], best);
        }
      }
    }
    return new GridWeights(grid, rows, cols, v, codes, steps);
  }

  /** Δᵀ·A·Δ for A (n, n) row-major. */
  static double quadratic(double[] a, double[] d, int n) {
    double sum = 0;
    for (int i = 0; i < n; i++) {
      double row = 0;
      for (int j = 0; j < n; j++) row += a[i * n + j] * d[j];
      sum += d[i] * row;
    }
    return sum;
  }
}

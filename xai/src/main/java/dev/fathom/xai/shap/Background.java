package dev.fathom.xai.shap;

import dev.fathom.data.Table;
import dev.fathom.tensor.Rng;
import java.util.Objects;

/**
 * Background (reference) rows for {@link KernelShap} and training rows for {@link Lime}: a
 * table's rows as {@code double[][]}, and a seeded simple random sample of them.
 *
 * <p>KernelSHAP's cost is linear in the background size and its base value is the mean output
 * over it. A simple random sample of about 100 training rows is what the shap documentation
 * recommends as the plain alternative to k-means summaries; a sample estimates E f without the
 * bias a few weighted centroids bring for a nonlinear f.
 */
public final class Background {
  private Background() {}

  /**
   * {@code size} distinct rows drawn uniformly without replacement (the first {@code size}
   * entries of {@link Rng#permutation} of {@code new Rng(seed)}), or all rows when there are
   * no more than {@code size}; copies, in draw order.
   *
   * @param rows (n, d) candidate rows, n &ge; 1
   * @param size rows to keep, at least 1
   * @param seed the draw's seed
   * @return (min(size, n), d) rows
   * @throws IllegalArgumentException if there are no rows or size &lt; 1
   */
  public static double[][] sample(double[][] rows, int size, long seed) {
    Objects.requireNonNull(rows, "rows");
    if (rows.length == 0) throw new IllegalArgumentException("Background.sample: expected at least 1 row, got 0");
    if (size < 1) throw new IllegalArgumentException("Background.sample: size must be >= 1, got " + size);
    int[] perm = new Rng(seed).permutation(rows.length);
    double[][] out = new double[Math.min(size, rows.length)][];
    for (int i = 0; i < out.length; i++) out[i] = rows[perm[i]].clone();
    return out;
  }

  /**
   * The feature rows of a table (after its one-hot expansion) as doubles.
   *
   * @param table the table; impute missing values first, KernelSHAP and LIME reject NaN
   * @param rowIndices the rows to take, in this order
   * @return (rowIndices.length, F) rows
   * @throws IndexOutOfBoundsException if an index is outside [0, rows)
   */
  public static double[][] rows(Table table, int[] rowIndices) {
    int f = table.numFeatures();
    float[] x = table.features();
    double[][] out = new double[rowIndices.length][f];
    for (int i = 0; i < rowIndices.length; i++) {
      int r = Objects.checkIndex(rowIndices[i], table.rows());
      for (int j = 0; j < f; j++) out[i][j] = x[r * f + j];
    }
    return out;
  }
}

package dev.fathom.xai.shap;

import dev.fathom.xai.Predictor;

/** Input checks and predictor calls shared by {@link KernelShap} and {@link Lime}. */
final class Rows {
  private Rows() {}

  /**
   * Checks a non-empty matrix of finite values with rows of equal width.
   *
   * @return the width d, at least 1
   * @throws IllegalArgumentException naming {@code who} and {@code name} otherwise
   */
  static int checkMatrix(String who, String name, double[][] rows) {
    if (rows == null || rows.length == 0) {
      throw new IllegalArgumentException(who + ": " + name + " must have at least 1 row, got " + (rows == null ? "null" : "0 rows"));
    }
    if (rows[0] == null || rows[0].length == 0) {
      throw new IllegalArgumentException(who + ": " + name + " rows must have at least 1 feature, row 0 has "
          + (rows[0] == null ? "null" : "0"));
    }
    int d = rows[0].length;
    for (int r = 0; r < rows.length; r++) {
      if (rows[r] == null || rows[r].length != d) {
        throw new IllegalArgumentException(who + ": " + name + " row " + r + " has " + (rows[r] == null ? "null" : rows[r].length)
            + " features, expected " + d + " (the width of row 0)");
      }
      checkFinite(who, name + " row " + r, rows[r]);
    }
    return d;
  }

  /** Checks that {@code x} has {@code width} finite features. */
  static void checkRow(String who, double[] x, int width, String widthSource) {
    if (x == null || x.length != width) {
      throw new IllegalArgumentException(who + ": the explained row has " + (x == null ? "null" : x.length + " features")
          + ", expected " + width + " (the width of the " + widthSource + ")");
    }
    checkFinite(who, "the explained row", x);
  }

  private static void checkFinite(String who, String what, double[] row) {
    for (int j = 0; j < row.length; j++) {
      if (!Double.isFinite(row[j])) {
        throw new IllegalArgumentException(who + ": " + what + " has " + row[j] + " at feature " + j + ", expected finite values");
      }
    }
  }

  /**
   * Calls the predictor and checks that it returned one row per input row, all of one width.
   *
   * @return (n, k) scores
   */
  static double[][] predict(String who, Predictor f, double[][] rows) {
    return predict(who, f, rows, -1);
  }

  /** As {@link #predict(String, Predictor, double[][])}, also checking the width {@code k} (unless -1). */
  static double[][] predict(String who, Predictor f, double[][] rows, int expectedWidth) {
    double[][] out = f.predict(rows);
    if (out == null || out.length != rows.length) {
      throw new IllegalStateException(who + ": the predictor returned " + (out == null ? "null" : out.length + " rows")
          + " for " + rows.length + " input rows");
    }
    int k = expectedWidth >= 0 ? expectedWidth : out.length == 0 ? 0 : (out[0] == null ? -1 : out[0].length);
    for (int r = 0; r < out.length; r++) {
      if (out[r] == null || out[r].length != k || k == 0) {
        throw new IllegalStateException(who + ": the predictor returned a row " + r + " of " + (out[r] == null ? "null" : out[r].length)
            + " scores, expected " + k + (expectedWidth >= 0 ? " as before" : " like row 0") + " and at least 1");
      }
    }
    return out;
  }

  /** Checks that {@code outputIndex} names one of the {@code k} output columns. */
  static void checkOutput(String who, int outputIndex, int k) {
    if (outputIndex < 0 || outputIndex >= k) {
      throw new IllegalArgumentException(who + ": outputIndex " + outputIndex + " is outside [0, " + k + "): the predictor returns "
          + k + " score" + (k == 1 ? "" : "s") + " per row");
    }
  }

  /** Indices of {@code v} by decreasing |v_i|, ties by index. */
  static int[] byMagnitude(double[] v) {
    return java.util.stream.IntStream.range(0, v.length).boxed()
        .sorted((a, b) -> Double.compare(Math.abs(v[b]), Math.abs(v[a])))
        .mapToInt(Integer::intValue).toArray();
  }
}

package dev.fathom.insight.dynamics;

import dev.fathom.insight.Correlation;

/**
 * How well a predicted change matches the actual one, over all entries (probes × classes).
 *
 * @param n number of entries
 * @param pearson Pearson correlation of predicted and actual
 * @param residualNorm ‖actual − predicted‖₂
 * @param actualNorm ‖actual‖₂
 */
public record Agreement(int n, double pearson, double residualNorm, double actualNorm) {

  /** ‖actual − predicted‖ / ‖actual‖. */
  public double relativeResidual() {
    return residualNorm / actualNorm;
  }

  /**
   * Scores flattened predicted and actual values.
   *
   * @throws IllegalArgumentException if the lengths differ or fewer than two entries
   */
  public static Agreement of(double[] predicted, double[] actual) {
    if (predicted.length != actual.length) {
      throw new IllegalArgumentException("agreement: " + predicted.length + " predicted values but " + actual.length + " actual");
    }
    int n = predicted.length;
    if (n < 2) throw new IllegalArgumentException("agreement: need at least 2 values, got " + n);
    double res = 0, act = 0;
    for (int i = 0; i < n; i++) {
      double r = actual[i] - predicted[i];
      res += r * r;
      act += actual[i] * actual[i];
    }
    return new Agreement(n, Correlation.pearson(predicted, actual), Math.sqrt(res), Math.sqrt(act));
  }

  /** {@link #of(double[], double[])} on row-major flattenings of (N, V) tables. */
  public static Agreement of(double[][] predicted, double[][] actual) {
    return of(flatten(predicted), flatten(actual));
  }

  static double[] flatten(double[][] t) {
    int n = 0;
    for (double[] r : t) n += r.length;
    double[] f = new double[n];
    int o = 0;
    for (double[] r : t) {
      System.arraycopy(r, 0, f, o, r.length);
      o += r.length;
    }
    return f;
  }
}

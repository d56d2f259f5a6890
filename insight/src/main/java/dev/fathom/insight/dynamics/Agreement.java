package dev.fathom.insight.dynamics;

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
    double mp = 0, ma = 0;
    for (int i = 0; i < n; i++) {
      mp += predicted[i];
      ma += actual[i];
    }
    mp /= n;
    ma /= n;
    double spa = 0, spp = 0, saa = 0, res = 0, act = 0;
    for (int i = 0; i < n; i++) {
      double p = predicted[i] - mp, a = actual[i] - ma, r = actual[i] - predicted[i];
      spa += p * a;
      spp += p * p;
      saa += a * a;
      res += r * r;
      act += actual[i] * actual[i];
    }
    return new Agreement(n, spa / Math.sqrt(spp * saa), Math.sqrt(res), Math.sqrt(act));
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

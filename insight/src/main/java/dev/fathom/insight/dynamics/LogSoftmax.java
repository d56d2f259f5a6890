package dev.fathom.insight.dynamics;

/**
 * The softmax terms of the decomposition, in double: log π, A = ∂ log π / ∂z = I − 1·πᵀ and the
 * cross-entropy gradient G = ∂(−log π_y)/∂z = π − e_y.
 */
public final class LogSoftmax {
  private LogSoftmax() {}

  /** log softmax of {@code z[off .. off+v)}, computed in double with the max subtracted. */
  public static double[] of(float[] z, int off, int v) {
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < v; i++) max = Math.max(max, z[off + i]);
    double s = 0;
    for (int i = 0; i < v; i++) s += Math.exp(z[off + i] - max);
    double lse = max + Math.log(s);
    double[] out = new double[v];
    for (int i = 0; i < v; i++) out[i] = z[off + i] - lse;
    return out;
  }

  /** π = exp(log π). */
  public static double[] probabilities(double[] logProbs) {
    double[] p = new double[logProbs.length];
    for (int i = 0; i < p.length; i++) p[i] = Math.exp(logProbs[i]);
    return p;
  }

  /**
   * A(π) = I − 1·πᵀ, the Jacobian of log-softmax: A[i][j] = ∂ log π_i / ∂z_j = δ_ij − π_j.
   *
   * @param pi probabilities (V)
   * @return (V, V)
   */
  public static double[][] jacobian(double[] pi) {
    int v = pi.length;
    double[][] a = new double[v][v];
    for (int i = 0; i < v; i++) {
      for (int j = 0; j < v; j++) a[i][j] = (i == j ? 1 : 0) - pi[j];
    }
    return a;
  }

  /**
   * G = π − e_y, the gradient of the cross-entropy −log π_y w.r.t. the logits.
   *
   * @throws IllegalArgumentException if {@code y} is not a class index
   */
  public static double[] crossEntropyGradient(double[] pi, int y) {
    if (y < 0 || y >= pi.length) throw new IllegalArgumentException("label: expected a class in [0, " + pi.length + "), got " + y);
    double[] g = pi.clone();
    g[y] -= 1;
    return g;
  }

  /** Index of the largest entry (the first on ties). */
  public static int argmax(double[] x) {
    int best = 0;
    for (int i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
    return best;
  }

  /** Index of the smallest entry (the first on ties). */
  public static int argmin(double[] x) {
    int best = 0;
    for (int i = 1; i < x.length; i++) if (x[i] < x[best]) best = i;
    return best;
  }

  static double[] matVec(double[][] m, double[] x) {
    double[] y = new double[m.length];
    for (int i = 0; i < m.length; i++) {
      double s = 0;
      for (int j = 0; j < x.length; j++) s += m[i][j] * x[j];
      y[i] = s;
    }
    return y;
  }
}

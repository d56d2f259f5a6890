package dev.fathom.insight;

/**
 * U(S) = validation accuracy of a ridge classifier fit on S: one-hot targets Y, features with a
 * constant 1 appended, W = (λI + XᵀX)⁻¹ XᵀY, prediction argmax_c (xW)_c. A closed form makes U a
 * true set function (no training order, no seed), and lets a permutation path add one example
 * with a Sherman–Morrison update of (λI + XᵀX)⁻¹ in O(d²) instead of refitting, which is what
 * makes Monte Carlo Shapley over hundreds of examples take seconds.
 *
 * <p>U(∅) is the accuracy of W = 0, which predicts class 0 everywhere (argmax ties go to the
 * lowest class).
 */
public final class RidgeUtility implements Utility {
  private final double[] x; // (n, p) with the constant column, p = d + 1
  private final int[] y;
  private final double[] vx; // (m, p)
  private final int[] vy;
  private final int n, p, m, classes;
  private final double lambda;

  /**
   * @param trainX (n, d) row-major
   * @param validX (m, d) row-major
   * @param classes labels lie in [0, classes)
   * @param lambda ridge penalty, > 0
   */
  public RidgeUtility(float[] trainX, int[] trainY, float[] validX, int[] validY, int d, int classes, double lambda) {
    if (d < 1) throw new IllegalArgumentException("ridge utility: feature count must be >= 1, got " + d);
    if (!(lambda > 0)) throw new IllegalArgumentException("ridge utility: lambda must be > 0, got " + lambda);
    if (classes < 2) throw new IllegalArgumentException("ridge utility: need at least 2 classes, got " + classes);
    if (trainX.length != (long) trainY.length * d) {
      throw new IllegalArgumentException("ridge utility: expected " + trainY.length + " x " + d + " training features, got " + trainX.length);
    }
    if (validX.length != (long) validY.length * d) {
      throw new IllegalArgumentException("ridge utility: expected " + validY.length + " x " + d + " validation features, got " + validX.length);
    }
    if (validY.length < 1) throw new IllegalArgumentException("ridge utility: needs at least 1 validation example");
    checkLabels(trainY, classes, "training");
    checkLabels(validY, classes, "validation");
    this.n = trainY.length;
    this.m = validY.length;
    this.p = d + 1;
    this.classes = classes;
    this.lambda = lambda;
    this.y = trainY.clone();
    this.vy = validY.clone();
    this.x = withBias(trainX, n, d);
    this.vx = withBias(validX, m, d);
  }

  @Override
  public int size() {
    return n;
  }

  @Override
  public double of(int[] members, int count) {
    double[] a = new double[p * p];
    double[] b = new double[p * classes];
    for (int i = 0; i < p; i++) a[i * p + i] = lambda;
    for (int k = 0; k < count; k++) {
      int r = members[k] * p;
      for (int i = 0; i < p; i++) {
        double xi = x[r + i];
        if (xi == 0) continue;
        for (int j = 0; j < p; j++) a[i * p + j] += xi * x[r + j];
        b[i * classes + y[members[k]]] += xi;
      }
    }
    choleskySolve(a, b, p, classes);
    return accuracy(b);
  }

  /**
   * Walks the prefixes with rank-one updates of A⁻¹ = (λI + XᵀX)⁻¹, of Q = V·A⁻¹ (V the
   * validation features) and of the validation scores S = Q·B, B = XᵀY: adding x with label c,
   * u = A⁻¹x, δ = 1 + xᵀu,
   *
   * <pre>
   *   A⁻¹ ← A⁻¹ − u uᵀ/δ      Q ← Q − (Qx) uᵀ/δ      S ← S + (Qx)(e_c − Bᵀu)ᵀ/δ      B ← B + x e_cᵀ
   * </pre>
   *
   * O(m·p + p²) per step instead of O(m·p·C) for scoring from scratch.
   */
  @Override
  public Path path(int[] order) {
    double[] inv = new double[p * p];
    for (int i = 0; i < p; i++) inv[i * p + i] = 1 / lambda;
    double[] q = new double[m * p];
    for (int i = 0; i < q.length; i++) q[i] = vx[i] / lambda;
    double[] b = new double[p * classes];
    double[] scores = new double[m * classes];
    double[] u = new double[p], qx = new double[m], ub = new double[classes];
    return new Path() {
      int k;

      @Override
      public double next() {
        int idx = order[k++], c = y[idx];
        int r = idx * p;
        double denom = 1;
        for (int i = 0; i < p; i++) {
          double s = 0;
          for (int j = 0; j < p; j++) s += inv[i * p + j] * x[r + j];
          u[i] = s;
          denom += x[r + i] * s;
        }
        java.util.Arrays.fill(ub, 0);
        for (int i = 0; i < p; i++) {
          for (int cc = 0; cc < classes; cc++) ub[cc] += u[i] * b[i * classes + cc];
        }
        for (int v = 0; v < m; v++) {
          double s = 0;
          for (int j = 0; j < p; j++) s += q[v * p + j] * x[r + j];
          qx[v] = s;
        }
        for (int i = 0; i < p; i++) {
          double ui = u[i] / denom;
          for (int j = 0; j < p; j++) inv[i * p + j] -= ui * u[j];
        }
        for (int v = 0; v < m; v++) {
          double f = qx[v] / denom;
          for (int j = 0; j < p; j++) q[v * p + j] -= f * u[j];
          for (int cc = 0; cc < classes; cc++) scores[v * classes + cc] += f * ((cc == c ? 1 : 0) - ub[cc]);
        }
        for (int i = 0; i < p; i++) b[i * classes + c] += x[r + i];
        return accuracyOfScores(scores);
      }
    };
  }

  private double accuracyOfScores(double[] scores) {
    int right = 0;
    for (int v = 0; v < m; v++) {
      int best = 0;
      for (int c = 1; c < classes; c++) if (scores[v * classes + c] > scores[v * classes + best]) best = c;
      if (best == vy[v]) right++;
    }
    return (double) right / m;
  }

  /** Fraction of validation rows whose argmax_c (x·W)_c equals the label; W is (p, classes). */
  private double accuracy(double[] w) {
    int right = 0;
    double[] score = new double[classes];
    for (int v = 0; v < m; v++) {
      java.util.Arrays.fill(score, 0);
      int r = v * p;
      for (int i = 0; i < p; i++) {
        double xi = vx[r + i];
        if (xi == 0) continue;
        for (int c = 0; c < classes; c++) score[c] += xi * w[i * classes + c];
      }
      int best = 0;
      for (int c = 1; c < classes; c++) if (score[c] > score[best]) best = c;
      if (best == vy[v]) right++;
    }
    return (double) right / m;
  }

  /** Solves A·X = B in place (B becomes X) for symmetric positive definite A (p×p), B (p×k). */
  static void choleskySolve(double[] a, double[] b, int p, int k) {
    for (int j = 0; j < p; j++) {
      double s = a[j * p + j];
      for (int t = 0; t < j; t++) s -= a[j * p + t] * a[j * p + t];
      double l = Math.sqrt(s);
      a[j * p + j] = l;
      for (int i = j + 1; i < p; i++) {
        double v = a[i * p + j];
        for (int t = 0; t < j; t++) v -= a[i * p + t] * a[j * p + t];
        a[i * p + j] = v / l;
      }
    }
    for (int c = 0; c < k; c++) {
      for (int i = 0; i < p; i++) { // L z = b
        double v = b[i * k + c];
        for (int t = 0; t < i; t++) v -= a[i * p + t] * b[t * k + c];
        b[i * k + c] = v / a[i * p + i];
      }
      for (int i = p - 1; i >= 0; i--) { // Lᵀ x = z
        double v = b[i * k + c];
        for (int t = i + 1; t < p; t++) v -= a[t * p + i] * b[t * k + c];
        b[i * k + c] = v / a[i * p + i];
      }
    }
  }

  private static double[] withBias(float[] f, int rows, int d) {
    double[] r = new double[rows * (d + 1)];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < d; j++) r[i * (d + 1) + j] = f[i * d + j];
      r[i * (d + 1) + d] = 1;
    }
    return r;
  }

  private static void checkLabels(int[] labels, int classes, String what) {
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] >= classes) {
        throw new IllegalArgumentException("ridge utility: " + what + " label " + i + " must be in [0, " + classes + "), got " + labels[i]);
      }
    }
  }
}

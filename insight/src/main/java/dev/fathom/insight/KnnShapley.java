package dev.fathom.insight;

import dev.fathom.autograd.Grad;
import dev.fathom.tensor.Tensor;
import java.util.Arrays;

/**
 * Exact Shapley values of training examples for a K-nearest-neighbour classifier (Jia et al.,
 * "Efficient Task-Specific Data Valuation for Nearest Neighbor Algorithms", VLDB 2019, Theorem 1).
 *
 * <p>For one test point (x, y), the utility of a training subset S is the KNN likelihood of the
 * right label, U(S) = (1/K) Σ_{j ≤ min(K, |S|)} 1[y_{α_j(S)} = y], with α_j(S) the j-th nearest
 * point of S. Sorting the N training points by distance to x (α_1 nearest) gives the Shapley
 * values in one backward sweep:
 *
 * <pre>
 *   s(α_N) = 1[y_{α_N} = y] · min(K, N) / (K·N)          (= 1[·] / N when N ≥ K, the paper's case)
 *   s(α_i) = s(α_{i+1}) + (1[y_{α_i} = y] − 1[y_{α_{i+1}} = y]) / K · min(K, i) / i
 * </pre>
 *
 * The value of a training example is the mean of its s over the test points. Distances are
 * squared Euclidean, computed as ‖a‖² + ‖b‖² − 2a·b with one matrix product per block of test
 * points; ties in distance are broken by training index, so values are deterministic.
 */
public final class KnnShapley {
  private KnnShapley() {}

  /** Test points per distance block (bounds the block's N × block distance matrix). */
  static final int BLOCK = 256;

  /**
   * @param trainX (N, d) row-major features
   * @param trainY N labels
   * @param testX (M, d) row-major features
   * @param testY M labels
   * @param k neighbours, K ≥ 1
   * @return N values, in training order
   */
  public static double[] values(float[] trainX, int[] trainY, float[] testX, int[] testY, int d, int k) {
    int n = trainY.length, m = testY.length;
    if (d < 1) throw new IllegalArgumentException("knn-shapley: feature count must be >= 1, got " + d);
    if (trainX.length != (long) n * d) {
      throw new IllegalArgumentException("knn-shapley: expected " + n + " x " + d + " training features, got " + trainX.length);
    }
    if (testX.length != (long) m * d) {
      throw new IllegalArgumentException("knn-shapley: expected " + m + " x " + d + " test features, got " + testX.length);
    }
    if (n < 1 || m < 1) throw new IllegalArgumentException("knn-shapley: need training and test points, got " + n + " and " + m);
    if (k < 1) throw new IllegalArgumentException("knn-shapley: K must be >= 1, got " + k);
    double[] value = new double[n];
    double[] trainNorm = norms(trainX, n, d);
    Tensor train = Tensor.of(trainX, n, d);
    try (var g = Grad.disabled()) {
      for (int s = 0; s < m; s += BLOCK) {
        int len = Math.min(BLOCK, m - s);
        float[] block = Arrays.copyOfRange(testX, s * d, (s + len) * d);
        float[] dot = Tensor.of(block, len, d).matmul(train.t()).data(); // (len, N)
        double[] testNorm = norms(block, len, d);
        for (int t = 0; t < len; t++) {
          double[] dist = new double[n];
          for (int i = 0; i < n; i++) dist[i] = trainNorm[i] + testNorm[t] - 2.0 * dot[t * n + i];
          accumulate(dist, trainY, testY[s + t], k, value);
        }
      }
    }
    for (int i = 0; i < n; i++) value[i] /= m;
    return value;
  }

  /** Adds the Shapley values of one test point (label y, distances dist to each training point) to {@code value}. */
  static void accumulate(double[] dist, int[] trainY, int y, int k, double[] value) {
    int n = dist.length;
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) order[i] = i;
    Arrays.sort(order, (a, b) -> {
      int c = Double.compare(dist[a], dist[b]);
      return c != 0 ? c : Integer.compare(a, b);
    });
    double s = (trainY[order[n - 1]] == y ? 1.0 : 0.0) * Math.min(k, n) / ((double) k * n);
    value[order[n - 1]] += s;
    for (int i = n - 2; i >= 0; i--) {
      int rank = i + 1; // 1-based position of order[i]
      double here = trainY[order[i]] == y ? 1 : 0, next = trainY[order[i + 1]] == y ? 1 : 0;
      s += (here - next) / k * Math.min(k, rank) / rank;
      value[order[i]] += s;
    }
  }

  private static double[] norms(float[] x, int rows, int d) {
    double[] r = new double[rows];
    for (int i = 0; i < rows; i++) {
      double a = 0;
      for (int j = 0; j < d; j++) a += (double) x[i * d + j] * x[i * d + j];
      r[i] = a;
    }
    return r;
  }
}

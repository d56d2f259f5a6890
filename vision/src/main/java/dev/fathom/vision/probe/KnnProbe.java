package dev.fathom.vision.probe;

import dev.fathom.autograd.Grad;
import dev.fathom.tensor.Tensor;

/**
 * Weighted k-nearest-neighbour classification on frozen features (Wu et al. 2018, as DINO uses
 * it): features are L2-normalized, the k training rows with the highest cosine similarity s vote
 * for their class with weight exp(s/T), and the class with the largest total wins.
 *
 * @param k neighbours (capped at the number of training rows)
 * @param temperature T > 0
 */
public record KnnProbe(int k, double temperature) {
  public KnnProbe {
    if (k < 1) throw new IllegalArgumentException("KnnProbe: k must be >= 1, got " + k);
    if (!(temperature > 0)) throw new IllegalArgumentException("KnnProbe: temperature must be > 0, got " + temperature);
  }

  /** k = 20, T = 0.07 (DINO's defaults). */
  public static KnnProbe defaults() {
    return new KnnProbe(20, 0.07);
  }

  /**
   * @param train n·d training features
   * @param labels their classes
   * @param test m·d features to classify
   * @return m predicted classes
   */
  public int[] predict(float[] train, int d, int[] labels, int numClasses, float[] test) {
    int n = labels.length, m = test.length / d;
    if (train.length != (long) n * d || test.length % d != 0) {
      throw new IllegalArgumentException("KnnProbe: expected " + n + " x " + d + " training and M x " + d + " test features, got "
          + train.length + " and " + test.length + " values");
    }
    int kk = Math.min(k, n);
    Tensor tr = Tensor.of(normalized(train, d), n, d);
    float[] te = normalized(test, d);
    int[] out = new int[m];
    try (var g = Grad.disabled()) {
      for (int s = 0; s < m; s += 512) {
        int rows = Math.min(512, m - s);
        float[] chunk = new float[rows * d];
        System.arraycopy(te, s * d, chunk, 0, rows * d);
        float[] sim = Tensor.of(chunk, rows, d).matmul(tr.t()).data();  // (rows, n)
        int[] top = new int[kk];
        for (int r = 0; r < rows; r++) {
          selectTop(sim, r * n, n, top);
          double[] votes = new double[numClasses];
          for (int t : top) votes[labels[t]] += Math.exp(sim[r * n + t] / temperature);
          int best = 0;
          for (int c = 1; c < numClasses; c++) if (votes[c] > votes[best]) best = c;
          out[s + r] = best;
        }
      }
    }
    return out;
  }

  /** Indices of the top.length largest of sim[off .. off + n), by a partial insertion sort. */
  private static void selectTop(float[] sim, int off, int n, int[] top) {
    int kk = top.length, filled = 0;
    for (int i = 0; i < n; i++) {
      float v = sim[off + i];
      if (filled == kk && v <= sim[off + top[kk - 1]]) continue;
      int pos = filled < kk ? filled++ : kk - 1;
      while (pos > 0 && sim[off + top[pos - 1]] < v) {
        top[pos] = top[pos - 1];
        pos--;
      }
      top[pos] = i;
    }
  }

  private static float[] normalized(float[] x, int d) {
    float[] out = new float[x.length];
    for (int i = 0; i < x.length / d; i++) {
      double ss = 0;
      for (int j = 0; j < d; j++) ss += (double) x[i * d + j] * x[i * d + j];
      float inv = (float) (1 / Math.sqrt(ss + 1e-12));
      for (int j = 0; j < d; j++) out[i * d + j] = x[i * d + j] * inv;
    }
    return out;
  }
}

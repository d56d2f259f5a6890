package dev.fathom.compress;

import dev.fathom.tensor.Rng;

/** Test layers: weights W (rows, cols) and inputs X (n, cols), and the reconstruction error ‖XWᵀ − XŴᵀ‖². */
final class LayerData {
  final int rows, cols, n;
  final float[] w, x;

  private LayerData(int rows, int cols, int n, float[] w, float[] x) {
    this.rows = rows;
    this.cols = cols;
    this.n = n;
    this.w = w;
    this.x = x;
  }

  /** Gaussian W; X iid Gaussian (correlated = false) or mixed through a random matrix with channel scales spanning 100x (true). */
  static LayerData random(int rows, int cols, int n, boolean correlated, long seed) {
    Rng rng = new Rng(seed);
    float[] w = new float[rows * cols], x = new float[n * cols];
    for (int i = 0; i < w.length; i++) w[i] = (float) rng.nextGaussian() * 0.05f;
    if (!correlated) {
      for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
    } else {
      int k = Math.max(4, cols / 8);  // a low-dimensional latent: strongly correlated channels
      float[] mix = new float[k * cols], scale = new float[cols];
      for (int i = 0; i < mix.length; i++) mix[i] = (float) rng.nextGaussian();
      for (int j = 0; j < cols; j++) scale[j] = (float) Math.pow(100, rng.nextDouble());
      for (int r = 0; r < n; r++) {
        float[] z = new float[k];
        for (int i = 0; i < k; i++) z[i] = (float) rng.nextGaussian();
        for (int j = 0; j < cols; j++) {
          double v = 0.1 * rng.nextGaussian();
          for (int i = 0; i < k; i++) v += z[i] * mix[i * cols + j];
          x[r * cols + j] = (float) (v * scale[j] / Math.sqrt(k));
        }
      }
    }
    return new LayerData(rows, cols, n, w, x);
  }

  LinearStats stats() {
    LinearStats s = new LinearStats(cols);
    s.add(x, n);
    return s;
  }

  /** ‖X Wᵀ − X Ŵᵀ‖² in float64. */
  double error(float[] wHat) {
    double sum = 0;
    double[] d = new double[cols];
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < cols; j++) d[j] = (double) w[r * cols + j] - wHat[r * cols + j];
      for (int s = 0; s < n; s++) {
        double y = 0;
        for (int j = 0; j < cols; j++) y += d[j] * x[s * cols + j];
        sum += y * y;
      }
    }
    return sum;
  }
}

package dev.fathom.compress;

import dev.fathom.kernel.Gemm;
import dev.fathom.tensor.Tensor;

/**
 * What the calibration inputs X (n, in) of one linear layer tell the compression methods:
 * XᵀX (for the Hessian H = 2·XᵀX/n of the layer's squared reconstruction error ‖WX − ŴX‖²,
 * as in GPTQ and SparseGPT), Σ|X_j| (AWQ's mean activation magnitude) and n. Accumulated batch
 * by batch in float64 from float32 products.
 */
public final class LinearStats {
  private final int in;
  private final double[] xtx, absSum;
  private final float[] batchXtx;
  private long n;

  public LinearStats(int inFeatures) {
    if (inFeatures < 1) throw new IllegalArgumentException("LinearStats: expected in-features >= 1, got " + inFeatures);
    this.in = inFeatures;
    this.xtx = new double[inFeatures * inFeatures];
    this.absSum = new double[inFeatures];
    this.batchXtx = new float[inFeatures * inFeatures];
  }

  /** Adds the rows of x (..., in). */
  public void add(Tensor x) {
    if (x.size(-1) != in) throw new IllegalArgumentException("LinearStats: expected inputs (..., " + in + "), got last dim " + x.size(-1));
    int rows = x.numel() / in;
    float[] a = x.reshape(rows, in).data();
    if (a.length != rows * in) a = x.toFloatArray();
    add(a, rows);
  }

  /** Adds {@code rows} rows of {@code a} (rows, in) row-major. */
  public void add(float[] a, int rows) {
    Gemm.sgemm(true, false, in, in, rows, 1f, a, 0, in, a, 0, in, 0f, batchXtx, 0, in);
    for (int i = 0; i < xtx.length; i++) xtx[i] += batchXtx[i];
    for (int r = 0; r < rows; r++) for (int j = 0; j < in; j++) absSum[j] += Math.abs(a[r * in + j]);
    n += rows;
  }

  public int inFeatures() {
    return in;
  }

  /** Rows seen. */
  public long count() {
    return n;
  }

  /** H = 2·XᵀX/n (in, in) row-major, a new array. */
  public double[] hessian() {
    checkSeen();
    double[] h = new double[xtx.length];
    for (int i = 0; i < h.length; i++) h[i] = 2 * xtx[i] / n;
    return h;
  }

  /** ‖X_j‖₂ over all rows seen, per input channel j (Wanda's activation norm). */
  public double[] columnNorms() {
    double[] out = new double[in];
    for (int j = 0; j < in; j++) out[j] = Math.sqrt(xtx[j * in + j]);
    return out;
  }

  /** mean_n |X_nj| per input channel j (AWQ's activation magnitude). */
  public double[] meanAbs() {
    checkSeen();
    double[] out = new double[in];
    for (int j = 0; j < in; j++) out[j] = absSum[j] / n;
    return out;
  }

  private void checkSeen() {
    if (n == 0) throw new IllegalStateException("LinearStats: no calibration inputs were added");
  }
}

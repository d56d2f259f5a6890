package dev.fathom.kernel;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Parity of {@link NormKernels} with its scalar twin {@link ScalarNormKernels} at awkward sizes,
 * determinism, and argument checks. The element-wise steps are the same float operations, so the
 * two paths can differ only where a double row sum rounds differently to float; the comparison
 * allows a few ulps of the row's scale.
 */
class NormKernelsTest {

  private static final int[] COLS = {1, 7, 8, 9, 31, 1023};
  private static final int[] ROWS = {1, 3, 17};
  /** Large enough that the rows are split over several parallel chunks (weight/bias partials). */
  private static final int BIG_ROWS = 300, BIG_COLS = 129;

  private static float[] random(SplittableRandom rnd, int n, double lo, double hi) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) a[i] = (float) (lo + (hi - lo) * rnd.nextDouble());
    return a;
  }

  /** |a − b| ≤ ulps·ulp(scale) per element, scale = max |expected| over the array (at least 1e-30). */
  private static void assertClose(float[] expected, float[] actual, int ulps, String what) {
    float scale = 1e-30f;
    for (float e : expected) scale = Math.max(scale, Math.abs(e));
    double tol = ulps * (double) Math.ulp(scale);
    for (int i = 0; i < expected.length; i++) {
      if (Float.isNaN(expected[i]) != Float.isNaN(actual[i]) || Math.abs(expected[i] - actual[i]) > tol) {
        fail(what + ": element " + i + " expected " + expected[i] + " got " + actual[i] + " (tolerance " + tol + ")");
      }
    }
  }

  /** Per-row tolerance: the rows of a normalized matrix all have scale about 1. */
  private static void assertCloseRows(float[] expected, float[] actual, int rows, int cols, int ulps, String what) {
    for (int r = 0; r < rows; r++) {
      float[] e = java.util.Arrays.copyOfRange(expected, r * cols, (r + 1) * cols);
      float[] a = java.util.Arrays.copyOfRange(actual, r * cols, (r + 1) * cols);
      assertClose(e, a, ulps, what + " row " + r);
    }
  }

  @Test
  void layerNormMatchesScalarTwin() {
    SplittableRandom rnd = new SplittableRandom(1);
    for (int rows : ROWS) {
      for (int cols : COLS) {
        for (int affine = 0; affine < 2; affine++) {
          layerNormCase(rnd, rows, cols, affine == 1);
        }
      }
    }
    layerNormCase(rnd, BIG_ROWS, BIG_COLS, true);
    layerNormCase(rnd, BIG_ROWS, BIG_COLS, false);
  }

  private static void layerNormCase(SplittableRandom rnd, int rows, int cols, boolean affine) {
    String at = "layerNorm " + rows + "x" + cols + (affine ? " affine" : "");
    int n = rows * cols;
    float[] x = random(rnd, n, -2, 3), g = random(rnd, n, -1, 1);
    float[] w = affine ? random(rnd, cols, 0.5, 1.5) : null, b = affine ? random(rnd, cols, -1, 1) : null;
    float[] y = new float[n], mean = new float[rows], rstd = new float[rows];
    float[] ys = new float[n], means = new float[rows], rstds = new float[rows];
    NormKernels.layerNormForward(x, rows, cols, w, b, 1e-5, y, mean, rstd);
    ScalarNormKernels.layerNormForward(x, rows, cols, w, b, 1e-5, ys, means, rstds);
    assertClose(means, mean, 1, at + " mean");
    assertClose(rstds, rstd, 1, at + " rstd");
    assertCloseRows(ys, y, rows, cols, 8, at + " y");

    float[] gx = new float[n], gw = new float[cols], gb = new float[cols];
    float[] gxs = new float[n], gws = new float[cols], gbs = new float[cols];
    NormKernels.layerNormBackward(g, x, rows, cols, w, mean, rstd, gx, affine ? gw : null, affine ? gb : null);
    ScalarNormKernels.layerNormBackward(g, x, rows, cols, w, mean, rstd, gxs, affine ? gws : null, affine ? gbs : null);
    assertCloseRows(gxs, gx, rows, cols, 16, at + " gx");
    if (affine) {
      assertClose(gws, gw, 4, at + " gw");
      assertClose(gbs, gb, 4, at + " gb");
    }
    // Only the weight/bias gradients: the same values as with gx.
    float[] gw2 = new float[cols], gb2 = new float[cols];
    NormKernels.layerNormBackward(g, x, rows, cols, w, mean, rstd, null, gw2, gb2);
    if (affine) {
      assertArrayEquals(gw, gw2, at + " gw without gx");
      assertArrayEquals(gb, gb2, at + " gb without gx");
    }
    // In place: y may be x.
    float[] xi = x.clone();
    NormKernels.layerNormForward(xi, rows, cols, w, b, 1e-5, xi, new float[rows], new float[rows]);
    assertArrayEquals(y, xi, at + " in place");
  }

  @Test
  void rmsNormMatchesScalarTwin() {
    SplittableRandom rnd = new SplittableRandom(2);
    for (int rows : ROWS) {
      for (int cols : COLS) {
        rmsNormCase(rnd, rows, cols, true);
        rmsNormCase(rnd, rows, cols, false);
      }
    }
    rmsNormCase(rnd, BIG_ROWS, BIG_COLS, true);
  }

  private static void rmsNormCase(SplittableRandom rnd, int rows, int cols, boolean affine) {
    String at = "rmsNorm " + rows + "x" + cols + (affine ? " weight" : "");
    int n = rows * cols;
    float[] x = random(rnd, n, -2, 3), g = random(rnd, n, -1, 1);
    float[] w = affine ? random(rnd, cols, 0.5, 1.5) : null;
    float[] y = new float[n], rstd = new float[rows], ys = new float[n], rstds = new float[rows];
    NormKernels.rmsNormForward(x, rows, cols, w, 1e-6, y, rstd);
    ScalarNormKernels.rmsNormForward(x, rows, cols, w, 1e-6, ys, rstds);
    assertClose(rstds, rstd, 1, at + " rstd");
    assertCloseRows(ys, y, rows, cols, 4, at + " y");
    float[] gx = new float[n], gw = new float[cols], gxs = new float[n], gws = new float[cols];
    NormKernels.rmsNormBackward(g, x, rows, cols, w, rstd, gx, affine ? gw : null);
    ScalarNormKernels.rmsNormBackward(g, x, rows, cols, w, rstd, gxs, affine ? gws : null);
    assertCloseRows(gxs, gx, rows, cols, 16, at + " gx");
    if (affine) assertClose(gws, gw, 4, at + " gw");
  }

  @Test
  void layerNormStatisticsAreRight() {
    // Rows with a large offset: the two-pass variance keeps the precision that E[x²] − μ² loses.
    int rows = 2, cols = 33;
    float[] x = new float[rows * cols];
    for (int j = 0; j < cols; j++) {
      x[j] = 1000f + (j % 2 == 0 ? 0.5f : -0.5f);
      x[cols + j] = j;
    }
    float[] y = new float[x.length], mean = new float[rows], rstd = new float[rows];
    NormKernels.layerNormForward(x, rows, cols, null, null, 0, y, mean, rstd);
    double mu0 = 1000 + 0.5 / 33, var0 = 0.25 - (0.5 / 33) * (0.5 / 33);
    assertClose(new float[] {(float) mu0, 16f}, mean, 1, "mean");
    assertClose(new float[] {(float) (1 / Math.sqrt(var0)), (float) (1 / Math.sqrt((33.0 * 33 - 1) / 12))}, rstd, 2, "rstd");
  }

  @Test
  void deterministic() {
    SplittableRandom rnd = new SplittableRandom(3);
    int rows = 513, cols = 257, n = rows * cols;
    float[] x = random(rnd, n, -2, 3), g = random(rnd, n, -1, 1);
    float[] w = random(rnd, cols, 0.5, 1.5), b = random(rnd, cols, -1, 1);
    float[][] first = null;
    for (int run = 0; run < 2; run++) {
      float[] y = new float[n], mean = new float[rows], rstd = new float[rows];
      float[] gx = new float[n], gw = new float[cols], gb = new float[cols];
      NormKernels.layerNormForward(x, rows, cols, w, b, 1e-5, y, mean, rstd);
      NormKernels.layerNormBackward(g, x, rows, cols, w, mean, rstd, gx, gw, gb);
      float[] ry = new float[n], rr = new float[rows], rgx = new float[n], rgw = new float[cols];
      NormKernels.rmsNormForward(x, rows, cols, w, 1e-6, ry, rr);
      NormKernels.rmsNormBackward(g, x, rows, cols, w, rr, rgx, rgw);
      float[][] all = {y, mean, rstd, gx, gw, gb, ry, rr, rgx, rgw};
      if (first == null) {
        first = all;
      } else {
        for (int k = 0; k < all.length; k++) assertArrayEquals(first[k], all[k], "output " + k + " differs between runs");
      }
    }
  }

  @Test
  void zeroRowsWriteZeroGradients() {
    float[] gw = {7f, 7f}, gb = {7f, 7f};
    NormKernels.layerNormBackward(new float[0], new float[0], 0, 2, null, new float[0], new float[0], null, gw, gb);
    assertArrayEquals(new float[] {0f, 0f}, gw);
    assertArrayEquals(new float[] {0f, 0f}, gb);
  }

  @Test
  void badArgumentsAreRejected() {
    float[] x = new float[12], y = new float[12], s = new float[3];
    assertThatThrownBy(() -> NormKernels.layerNormForward(x, 3, 0, null, null, 1e-5, y, s, s))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cols >= 1");
    assertThatThrownBy(() -> NormKernels.layerNormForward(x, 3, 5, null, null, 1e-5, y, s, s))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x has length 12, expected at least 15");
    assertThatThrownBy(() -> NormKernels.layerNormForward(x, 3, 4, new float[3], null, 1e-5, y, s, s))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("weight has length 3, expected at least 4");
    assertThatThrownBy(() -> NormKernels.layerNormForward(x, 3, 4, null, null, 1e-5, y, new float[2], s))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mean has length 2, expected at least 3");
    assertThatThrownBy(() -> NormKernels.layerNormBackward(new float[11], x, 3, 4, null, s, s, y, null, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("g has length 11");
    assertThatThrownBy(() -> NormKernels.rmsNormForward(x, 3, 4, null, 1e-6, y, new float[1]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rstd has length 1, expected at least 3");
    assertThatThrownBy(() -> NormKernels.rmsNormBackward(x, x, 3, 4, null, s, y, new float[2]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gw has length 2, expected at least 4");
  }
  @Test
  void batchNormMatchesScalarTwinAndDoubleReference() {
    SplittableRandom rnd = new SplittableRandom(7);
    for (int n : new int[] {1, 2, 3}) {
      for (int c : new int[] {1, 3}) {
        for (int l : new int[] {1, 7, 8, 9, 31, 196}) {
          for (int mode = 0; mode < 4; mode++) {
            if (n * l == 1 && mode < 2) continue;
            batchNormCase(rnd, n, c, l, mode < 2, mode % 2 == 0);
          }
        }
      }
    }
    batchNormCase(rnd, 16, 8, 784, true, true);  // channels split over threads
  }

  private static void batchNormCase(SplittableRandom rnd, int n, int c, int l, boolean training, boolean affine) {
    String at = "n=" + n + " c=" + c + " l=" + l + (training ? " train" : " eval") + (affine ? " affine" : "");
    int total = n * c * l;
    float[] x = random(rnd, total, 3, 5);  // mean far from 0: the shifted sums must not cancel
    float[] g = random(rnd, total, -1, 1);
    float[] w = affine ? random(rnd, c, 0.5, 1.5) : null, b = affine ? random(rnd, c, -1, 1) : null;
    double[] mean = new double[c], var = new double[c], meanT = new double[c], varT = new double[c];
    if (!training) {
      for (int ch = 0; ch < c; ch++) {
        mean[ch] = meanT[ch] = 4 + 0.1 * ch;
        var[ch] = varT[ch] = 0.3 + 0.05 * ch;
      }
    }
    float[] rstd = new float[c], rstdT = new float[c], y = new float[total], yT = new float[total];
    NormKernels.batchNormForward(x, n, c, l, w, b, 1e-5, training, mean, var, rstd, y);
    ScalarNormKernels.batchNormForward(x, n, c, l, w, b, 1e-5, training, meanT, varT, rstdT, yT);
    for (int ch = 0; ch < c; ch++) {
      double s = 0, ss = 0;
      for (int i = 0; i < n; i++) for (int j = 0; j < l; j++) s += x[(i * c + ch) * l + j];
      double mu = training ? s / (n * l) : mean[ch];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < l; j++) {
          double d = x[(i * c + ch) * l + j] - mu;
          ss += d * d;
        }
      }
      double v = training ? ss / (n * l) : var[ch];
      org.junit.jupiter.api.Assertions.assertEquals(mu, mean[ch], 1e-6 * Math.abs(mu), at + " mean");
      org.junit.jupiter.api.Assertions.assertEquals(v, var[ch], 1e-5 * v + 1e-9, at + " var");
      org.junit.jupiter.api.Assertions.assertEquals(meanT[ch], mean[ch], 1e-7 * Math.abs(mu), at + " mean twin");
    }
    assertClose(rstdT, rstd, 2, at + " rstd");
    assertClose(yT, y, 16, at + " y");
    float[] gx = new float[total], gxT = new float[total], gw = new float[c], gwT = new float[c], gb = new float[c], gbT = new float[c];
    NormKernels.batchNormBackward(g, x, n, c, l, w, mean, rstd, training, gx, gw, gb);
    ScalarNormKernels.batchNormBackward(g, x, n, c, l, w, meanT, rstdT, training, gxT, gwT, gbT);
    // gx is a difference of terms of size |γ·r·g| (it cancels to ~0 when M is 2): compare on that scale
    double kScale = 0;
    for (int ch = 0; ch < c; ch++) kScale = Math.max(kScale, Math.abs((affine ? w[ch] : 1f) * rstd[ch]));
    for (int i = 0; i < total; i++) {
      org.junit.jupiter.api.Assertions.assertEquals(gxT[i], gx[i], 1e-5 * kScale, at + " gx " + i);
    }
    assertClose(gwT, gw, 64, at + " gw");
    assertClose(gbT, gb, 16, at + " gb");
  }

  @Test
  void batchNormRejectsShortArrays() {
    assertThatThrownBy(() -> NormKernels.batchNormForward(new float[10], 2, 3, 2, null, null, 1e-5, true,
        new double[3], new double[3], new float[3], new float[12]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("x needs at least 12");
  }
}

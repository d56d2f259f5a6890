package dev.fathom.llm.generate;

import dev.fathom.kernel.Kernels;
import dev.fathom.kernel.VecMath;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API kernels of the decode step: y = W·x (+ bias) for a few input vectors at once, dot
 * products and axpy over short rows. {@link ScalarMatVec} is the scalar twin of each; every call
 * goes there when {@link Kernels#scalarOnly()} is set.
 *
 * <p>W is row-major (out, in), as {@code nn.Linear} stores its weight. Each output element is
 * computed by one loop whose order depends only on {@code in} and the vector width: lane partials
 * with fused multiply-add, folded by a fixed halving tree (never {@code reduceLanes(ADD)}, whose
 * order is unspecified), then the tail in index order. Groups of four rows share the loads of x
 * but keep one accumulator per row, so a row's bits do not depend on the range it was computed in
 * (results do not depend on the thread count).
 */
final class MatVec {
  private static final VectorSpecies<Float> F = Kernels.F;
  private static final int L = F.length();

  private MatVec() {}

  /**
   * For rows o in [o0, o1) and inputs r in [0, batch):
   * {@code y[yOff + r·yStride + o] (+)= bias[bOff + o] + Σ_i w[wOff + o·in + i] · x[xOff + r·xStride + i]}.
   *
   * @param bias null for none
   * @param accumulate add to y instead of overwriting it (a residual connection)
   */
  static void rows(float[] w, int wOff, int in, float[] bias, int bOff, float[] x, int xOff, int xStride, int batch,
      float[] y, int yOff, int yStride, int o0, int o1, boolean accumulate) {
    if (Kernels.scalarOnly()) {
      ScalarMatVec.rows(w, wOff, in, bias, bOff, x, xOff, xStride, batch, y, yOff, yStride, o0, o1, accumulate);
      return;
    }
    int bound = F.loopBound(in);
    int o = o0;
    for (; o + 4 <= o1; o += 4) {
      int w0 = wOff + o * in, w1 = w0 + in, w2 = w1 + in, w3 = w2 + in;
      int r = 0;
      for (; r + 2 <= batch; r += 2) rows4x2(w, w0, in, bound, bias, bOff + o, x, xOff + r * xStride, xStride, y, yOff + r * yStride + o, yStride,
          accumulate);
      for (; r < batch; r++) {
        int xb = xOff + r * xStride;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int i = 0; i < bound; i += L) {
          FloatVector xv = FloatVector.fromArray(F, x, xb + i);
          a0 = FloatVector.fromArray(F, w, w0 + i).fma(xv, a0);
          a1 = FloatVector.fromArray(F, w, w1 + i).fma(xv, a1);
          a2 = FloatVector.fromArray(F, w, w2 + i).fma(xv, a2);
          a3 = FloatVector.fromArray(F, w, w3 + i).fma(xv, a3);
        }
        float s0 = fold(a0), s1 = fold(a1), s2 = fold(a2), s3 = fold(a3);
        for (int i = bound; i < in; i++) {
          float xi = x[xb + i];
          s0 = Math.fma(w[w0 + i], xi, s0);
          s1 = Math.fma(w[w1 + i], xi, s1);
          s2 = Math.fma(w[w2 + i], xi, s2);
          s3 = Math.fma(w[w3 + i], xi, s3);
        }
        int yb = yOff + r * yStride + o;
        store(y, yb, s0, bias, bOff + o, accumulate);
        store(y, yb + 1, s1, bias, bOff + o + 1, accumulate);
        store(y, yb + 2, s2, bias, bOff + o + 2, accumulate);
        store(y, yb + 3, s3, bias, bOff + o + 3, accumulate);
      }
    }
    for (; o < o1; o++) {
      for (int r = 0; r < batch; r++) {
        float s = dotUnchecked(w, wOff + o * in, x, xOff + r * xStride, in, bound);
        store(y, yOff + r * yStride + o, s, bias, bOff + o, accumulate);
      }
    }
  }

  /**
   * Four weight rows (from {@code w0}, {@code in} apart) against two inputs ({@code xStride}
   * apart): 8 accumulators, each weight vector loaded once per step for two multiply-adds, which
   * is what scoring several tokens at once (speculative verification) needs. Every output sees
   * the same operations in the same order as in the one-input loop. (Four inputs at once, 16
   * accumulators, measured slower: C2 did not keep that method's vectors in registers.)
   */
  private static void rows4x2(float[] w, int w0, int in, int bound, float[] bias, int bo, float[] x, int xb, int xStride, float[] y,
      int yb, int yStride, boolean accumulate) {
    int w1 = w0 + in, w2 = w1 + in, w3 = w2 + in, x1 = xb + xStride;
    FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a03 = a00, a10 = a00, a11 = a00, a12 = a00, a13 = a00;
    for (int i = 0; i < bound; i += L) {
      FloatVector v0 = FloatVector.fromArray(F, w, w0 + i), v1 = FloatVector.fromArray(F, w, w1 + i);
      FloatVector v2 = FloatVector.fromArray(F, w, w2 + i), v3 = FloatVector.fromArray(F, w, w3 + i);
      FloatVector xa = FloatVector.fromArray(F, x, xb + i), xc = FloatVector.fromArray(F, x, x1 + i);
      a00 = v0.fma(xa, a00);
      a01 = v1.fma(xa, a01);
      a02 = v2.fma(xa, a02);
      a03 = v3.fma(xa, a03);
      a10 = v0.fma(xc, a10);
      a11 = v1.fma(xc, a11);
      a12 = v2.fma(xc, a12);
      a13 = v3.fma(xc, a13);
    }
    // One call per output, no array of vectors: an array would box them.
    finish(fold(a00), w, w0, x, xb, bound, in, y, yb, bias, bo, accumulate);
    finish(fold(a01), w, w1, x, xb, bound, in, y, yb + 1, bias, bo + 1, accumulate);
    finish(fold(a02), w, w2, x, xb, bound, in, y, yb + 2, bias, bo + 2, accumulate);
    finish(fold(a03), w, w3, x, xb, bound, in, y, yb + 3, bias, bo + 3, accumulate);
    int y1 = yb + yStride;
    finish(fold(a10), w, w0, x, x1, bound, in, y, y1, bias, bo, accumulate);
    finish(fold(a11), w, w1, x, x1, bound, in, y, y1 + 1, bias, bo + 1, accumulate);
    finish(fold(a12), w, w2, x, x1, bound, in, y, y1 + 2, bias, bo + 2, accumulate);
    finish(fold(a13), w, w3, x, x1, bound, in, y, y1 + 3, bias, bo + 3, accumulate);
  }

  /** Adds the scalar tail [bound, in) of one dot product to its folded vector part and stores it. */
  private static void finish(float s, float[] w, int wr, float[] x, int xr, int bound, int in, float[] y, int yi, float[] bias, int bi,
      boolean accumulate) {
    for (int i = bound; i < in; i++) s = Math.fma(w[wr + i], x[xr + i], s);
    store(y, yi, s, bias, bi, accumulate);
  }

  private static void store(float[] y, int i, float s, float[] bias, int bi, boolean accumulate) {
    if (bias != null) s += bias[bi];
    y[i] = accumulate ? y[i] + s : s;
  }

  /** {@code Σ a[aOff + i] · b[bOff + i]} for i in [0, n), in the order of {@link #rows}. */
  static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
    if (Kernels.scalarOnly()) return ScalarMatVec.dot(a, aOff, b, bOff, n);
    return dotUnchecked(a, aOff, b, bOff, n, F.loopBound(n));
  }

  private static float dotUnchecked(float[] a, int aOff, float[] b, int bOff, int n, int bound) {
    FloatVector acc = FloatVector.zero(F);
    for (int i = 0; i < bound; i += L) {
      acc = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), acc);
    }
    float s = fold(acc);
    for (int i = bound; i < n; i++) s = Math.fma(a[aOff + i], b[bOff + i], s);
    return s;
  }

  /** {@code y[yOff + i] += alpha · x[xOff + i]} for i in [0, n) (fused multiply-add per element). */
  static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
    if (Kernels.scalarOnly()) {
      ScalarMatVec.axpy(alpha, x, xOff, y, yOff, n);
      return;
    }
    int i = 0;
    FloatVector av = FloatVector.broadcast(F, alpha);
    for (int bound = F.loopBound(n); i < bound; i += L) {
      FloatVector.fromArray(F, x, xOff + i).fma(av, FloatVector.fromArray(F, y, yOff + i)).intoArray(y, yOff + i);
    }
    for (; i < n; i++) y[yOff + i] = Math.fma(x[xOff + i], alpha, y[yOff + i]);
  }

  /** Folds lane partials by a halving tree, in the order of {@code slice}-based folding ({@link VecMath#foldLanes}). */
  private static float fold(FloatVector v) {
    return VecMath.foldLanes(v);
  }
}

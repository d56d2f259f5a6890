package dev.fathom.llm.generate;

import dev.fathom.kernel.Gemm;
import dev.fathom.kernel.Parallel;
import dev.fathom.kernel.VecMath;
import dev.fathom.quant.QuantizedMatrix;
import dev.fathom.quant.W8A8Matrix;

/**
 * A weight matrix W (out, in) of the engine: the model's float parameter, or its packed
 * {@link QuantizedMatrix} when the model is quantized (then the float copy is never read here),
 * or a {@link W8A8Matrix} when its activations are quantized too (each call quantizes its inputs
 * per token, then multiplies int8 by int8).
 */
final class Projection {
  private final float[] w;
  private final QuantizedMatrix q;
  private final W8A8Matrix a8;
  private final int in;

  private Projection(float[] w, QuantizedMatrix q, W8A8Matrix a8, int in) {
    this.w = w;
    this.q = q;
    this.a8 = a8;
    this.in = in;
  }

  /** Output rows of W. */
  int rowsCount() {
    return a8 != null ? a8.rows() : q != null ? q.rows() : w.length / in;
  }

  static Projection of(float[] w, int in) {
    return new Projection(w, null, null, in);
  }

  static Projection of(QuantizedMatrix q) {
    return new Projection(null, q, null, q.cols());
  }

  static Projection of(W8A8Matrix m) {
    return new Projection(null, null, m, m.cols());
  }

  boolean quantized() {
    return q != null || a8 != null;
  }

  /**
   * For rows o in [o0, o1) and inputs r in [0, batch), on the calling thread:
   * {@code y[yOff + r·yStride + o] (+)= bias[o] + Σ_i W[o, i] · x[xOff + r·xStride + i]}.
   */
  void rows(float[] bias, float[] x, int xOff, int xStride, int batch, float[] y, int yOff, int yStride, int o0, int o1,
      boolean accumulate) {
    if (a8 != null) {
      a8.rows(x, xOff, xStride, batch, bias, 0, y, yOff, yStride, o0, o1, accumulate);
    } else if (q != null) {
      q.rows(x, xOff, xStride, batch, bias, 0, y, yOff, yStride, o0, o1, accumulate);
    } else {
      MatVec.rows(w, 0, in, bias, 0, x, xOff, xStride, batch, y, yOff, yStride, o0, o1, accumulate);
    }
  }

  /** out (T, outF) (+)= x (T, in) · Wᵀ + bias, on the shared pool (a GEMM for float weights). */
  void linear(float[] x, float[] bias, float[] out, int outF, int t, boolean accumulate) {
    if (a8 != null) {
      a8.apply(x, t, bias, out, accumulate);
      return;
    }
    if (q != null) {
      Parallel.forRange(outF, 16, (s, e) -> q.rows(x, 0, in, t, bias, 0, out, 0, outF, s, e, accumulate));
      return;
    }
    Gemm.sgemm(false, true, t, outF, in, 1f, x, 0, in, w, 0, in, accumulate ? 1f : 0f, out, 0, outF);
    if (bias != null) {
      for (int i = 0; i < t; i++) VecMath.add(out, i * outF, bias, 0, out, i * outF, outF);
    }
  }
}

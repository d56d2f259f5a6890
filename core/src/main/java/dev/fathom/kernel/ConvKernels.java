package dev.fathom.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Layout helpers of the batched convolution: a per-channel bias added to NCHW planes, and the
 * permute of an NCHW tensor into the channel-major matrix (C, N·L) that one GEMM over the whole
 * batch consumes, with the per-channel sums (the bias gradient) taken on the way.
 *
 * <pre>
 *   addChannelBias:  y[i][c][q] += b[c]
 *   toChannelMajor:  dst[c][i·L + q] = src[i][c][q],   sums[c] = Σ_i Σ_q src[i][c][q]
 * </pre>
 *
 * <p>Each has a scalar twin in {@link ScalarConvKernels}; the element-wise results agree bitwise,
 * the sums to rounding (the vector path adds float lanes per plane, then the lanes in a fixed
 * order into a double per channel). Work is parallel over channels with each channel on one
 * thread, so results do not depend on the thread count.
 */
public final class ConvKernels {
  private static final VectorSpecies<Float> F = Kernels.F;
  private static final int L = F.length();
  /** Minimum number of elements per parallel chunk. */
  private static final int GRAIN = 1 << 15;

  private ConvKernels() {}

  /**
   * {@code y[i][c][q] += bias[c]} for a (N, C, L) tensor.
   *
   * @throws IllegalArgumentException on negative dims or short arrays
   */
  public static void addChannelBias(float[] y, int n, int c, int l, float[] bias) {
    check(y.length, n, c, l, "y");
    if (bias.length < c) throw new IllegalArgumentException("bias: expected " + c + " entries, got " + bias.length);
    if (Kernels.scalarOnly()) {
      ScalarConvKernels.addChannelBias(y, n, c, l, bias);
      return;
    }
    int planes = n * c;
    Parallel.forRange(planes, Math.max(1, GRAIN / Math.max(1, l)), (p0, p1) -> {
      for (int p = p0; p < p1; p++) {
        int base = p * l;
        float v = bias[p % c];
        FloatVector bv = FloatVector.broadcast(F, v);
        int q = 0;
        for (int bound = F.loopBound(l); q < bound; q += L) {
          FloatVector.fromArray(F, y, base + q).add(bv).intoArray(y, base + q);
        }
        for (; q < l; q++) y[base + q] += v;
      }
    });
  }

  /**
   * Permutes a (N, C, L) tensor starting at {@code srcOff} into the (C, N·L) matrix {@code dst[ch][i·L + q]} and, when
   * {@code sums} is not null, writes {@code sums[ch] = Σ src[·][ch][·]}.
   *
   * @throws IllegalArgumentException on negative dims or short arrays
   */
  public static void toChannelMajor(float[] src, int srcOff, int n, int c, int l, float[] dst, double[] sums) {
    check(src.length - srcOff, n, c, l, "src");
    check(dst.length, n, c, l, "dst");
    if (sums != null && sums.length < c) throw new IllegalArgumentException("sums: expected " + c + " entries, got " + sums.length);
    if (Kernels.scalarOnly()) {
      ScalarConvKernels.toChannelMajor(src, srcOff, n, c, l, dst, sums);
      return;
    }
    long perChannel = (long) n * l;
    Parallel.forRange(c, (int) Math.max(1, GRAIN / Math.max(1, perChannel)), (c0, c1) -> {
      float[] lanes = new float[L];
      for (int ch = c0; ch < c1; ch++) {
        double s = 0;
        int d = ch * n * l;
        for (int i = 0; i < n; i++, d += l) {
          int from = srcOff + (i * c + ch) * l;
          System.arraycopy(src, from, dst, d, l);
          if (sums != null) s += planeSum(src, from, l, lanes);
        }
        if (sums != null) sums[ch] = s;
      }
    });
  }

  /** Largest column-matrix height K (C/groups·kH·kW) for the small-K kernels below. */
  public static final int SMALL_K = 16;

  /**
   * The convolution product for a small K (a first layer on 1–3 input channels), where GEMM's
   * tiles would be mostly overhead: for every image i of the chunk,
   * {@code out[outOff + (i·O + oc)·hw + p] = bias[oc] + Σ_t w[oc·K + t]·col[t·ld + i·hw + p]},
   * accumulated with fused multiply-adds in order t = 0..K−1 (bias first, 0 without one).
   *
   * @param col column matrix (K, ld) holding the n images side by side, image i at column i·hw
   * @param w weights (O, K)
   * @param biasOrNull (O) or null
   * @param out NCHW output, image i of the chunk at {@code outOff + i·O·hw}
   * @throws IllegalArgumentException on bad dims or short arrays
   */
  public static void smallKForward(float[] col, int ld, int n, int hw, int k, float[] w, int o, float[] biasOrNull,
      float[] out, int outOff) {
    checkSmallK(col, ld, n, hw, k, w, o);
    check(out.length - outOff, n, o, hw, "out");
    if (Kernels.scalarOnly()) {
      ScalarConvKernels.smallKForward(col, ld, n, hw, k, w, o, biasOrNull, out, outOff);
      return;
    }
    Parallel.forRange(n, Math.max(1, GRAIN / Math.max(1, o * hw)), (i0, i1) -> {
      int bound = F.loopBound(hw);
      for (int i = i0; i < i1; i++) {
        int c0 = i * hw;
        for (int oc = 0; oc < o; oc++) {
          float b = biasOrNull == null ? 0f : biasOrNull[oc];
          int dst = outOff + (i * o + oc) * hw, wo = oc * k;
          int p = 0;
          for (; p < bound; p += L) {
            FloatVector acc = FloatVector.broadcast(F, b);
            for (int t = 0; t < k; t++) {
              acc = FloatVector.fromArray(F, col, t * ld + c0 + p).fma(FloatVector.broadcast(F, w[wo + t]), acc);
            }
            acc.intoArray(out, dst + p);
          }
          for (; p < hw; p++) {
            float acc = b;
            for (int t = 0; t < k; t++) acc = Math.fma(col[t * ld + c0 + p], w[wo + t], acc);
            out[dst + p] = acc;
          }
        }
      }
    });
  }

  /**
   * Weight and bias gradients for a small K, straight from the NCHW output gradient (no permute,
   * no GEMM): {@code gw[oc·K + t] += Σ_i Σ_p g[gOff + (i·O + oc)·hw + p]·col[t·ld + i·hw + p]} and
   * {@code gb[oc] += Σ_i Σ_p g[...]}, in double. Per image and tap the products are summed in float
   * lanes, folded lane by lane into the double; each output channel is summed by one thread in
   * image order, so results do not depend on the thread count.
   *
   * @param gw (O, K) accumulated
   * @param gbOrNull (O) accumulated, or null
   * @throws IllegalArgumentException on bad dims or short arrays
   */
  public static void smallKWeightGrad(float[] g, int gOff, float[] col, int ld, int n, int hw, int k, int o,
      double[] gw, double[] gbOrNull) {
    checkSmallK(col, ld, n, hw, k, null, o);
    check(g.length - gOff, n, o, hw, "g");
    if (gw.length < (long) o * k) throw new IllegalArgumentException("gw: expected " + o * k + " entries, got " + gw.length);
    if (gbOrNull != null && gbOrNull.length < o) throw new IllegalArgumentException("gb: expected " + o + " entries, got " + gbOrNull.length);
    if (Kernels.scalarOnly()) {
      ScalarConvKernels.smallKWeightGrad(g, gOff, col, ld, n, hw, k, o, gw, gbOrNull);
      return;
    }
    Parallel.forRange(o, 1, (o0, o1) -> {
      float[] lanes = new float[L];
      int bound = F.loopBound(hw);
      for (int i = 0; i < n; i++) {
        int c0 = i * hw;
        for (int oc = o0; oc < o1; oc++) {
          int src = gOff + (i * o + oc) * hw;
          for (int t = 0; t < k; t++) {
            int cr = t * ld + c0;
            FloatVector acc = FloatVector.zero(F);
            int p = 0;
            for (; p < bound; p += L) {
              acc = FloatVector.fromArray(F, g, src + p).fma(FloatVector.fromArray(F, col, cr + p), acc);
            }
            acc.intoArray(lanes, 0);
            double s = 0;
            for (int j = 0; j < L; j++) s += lanes[j];
            for (; p < hw; p++) s += g[src + p] * col[cr + p];
            gw[oc * k + t] += s;
          }
          if (gbOrNull != null) gbOrNull[oc] += planeSum(g, src, hw, lanes);
        }
      }
    });
  }

  static void checkSmallK(float[] col, int ld, int n, int hw, int k, float[] w, int o) {
    if (k < 1 || k > SMALL_K) throw new IllegalArgumentException("small-K kernel: K must be in [1, " + SMALL_K + "], got " + k);
    if (n < 0 || hw < 0 || o < 0) throw new IllegalArgumentException("small-K kernel: negative dims n=" + n + " hw=" + hw + " o=" + o);
    if (ld < (long) n * hw) throw new IllegalArgumentException("col: row distance " + ld + " is smaller than n·hw = " + (long) n * hw);
    long need = (long) (k - 1) * ld + (long) n * hw;
    if (col.length < need) throw new IllegalArgumentException("col: expected at least " + need + " entries, got " + col.length);
    if (w != null && w.length < (long) o * k) throw new IllegalArgumentException("w: expected " + o * k + " entries, got " + w.length);
  }

  /** Σ a[off .. off+len) : float lanes, folded lane by lane into a double, then the tail. */
  static double planeSum(float[] a, int off, int len, float[] lanes) {
    FloatVector acc = FloatVector.zero(F);
    int q = 0;
    for (int bound = F.loopBound(len); q < bound; q += L) acc = acc.add(FloatVector.fromArray(F, a, off + q));
    acc.intoArray(lanes, 0);
    double s = 0;
    for (int j = 0; j < L; j++) s += lanes[j];
    for (; q < len; q++) s += a[off + q];
    return s;
  }

  static void check(int length, int n, int c, int l, String name) {
    if (n < 0 || c < 0 || l < 0) {
      throw new IllegalArgumentException(name + ": negative dims (" + n + ", " + c + ", " + l + ")");
    }
    long need = (long) n * c * l;
    if (need > Integer.MAX_VALUE) throw new IllegalArgumentException(name + ": " + need + " entries exceed 2^31 - 1");
    if (length < need) {
      throw new IllegalArgumentException(name + ": expected at least " + need + " entries for (" + n + ", " + c + ", " + l + "), got " + length);
    }
  }
}

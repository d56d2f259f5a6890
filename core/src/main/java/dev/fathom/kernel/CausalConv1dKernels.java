package dev.fathom.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Depthwise causal 1-D convolution over time of a (B, T, C) sequence (channels contiguous), the
 * "multi-dconv-head" step of Primer (So et al. 2021, "Primer: Searching for Efficient
 * Transformers for Language Modeling"), forward and backward, with the Vector API.
 *
 * <pre>
 * y[b,t,c]  = bias[c] + Σ_{j=0}^{K−1} w[c,j]·x[b, t−(K−1)+j, c]        (x at negative t = 0)
 * gx[b,t,c] = Σ_j w[c,j]·gy[b, t+(K−1)−j, c]                          (gy at t ≥ T = 0)
 * gw[c,j]   = Σ_{b,t} gy[b,t,c]·x[b, t−(K−1)+j, c],   gb[c] = Σ_{b,t} gy[b,t,c]
 * </pre>
 *
 * <p>The weight is PyTorch's depthwise {@code Conv1d} weight (C, 1, K), flat as (C, K): the
 * forward equals {@code torch.nn.Conv1d(C, C, K, groups=C, padding=K−1)} applied to
 * {@code x.transpose(1, 2)} with its output cut to the first T steps.
 *
 * <p>When {@link Kernels#scalarOnly()} is set each method delegates to its twin in
 * {@link ScalarCausalConv1dKernels}, which it matches bitwise. Every method throws
 * {@link IllegalArgumentException} (expected vs got) on bad dims or short arrays before writing
 * anything. Outputs must not alias inputs.
 */
public final class CausalConv1dKernels {

  /*
   * Design. Each row (b, t) of y and gx is a sum of K rows of the input taken lane-wise over the
   * channels, so the weight is transposed once per call to (K, C) and a row is K fused
   * multiply-adds per channel vector; the tail channels (C not a multiple of the lane count, or
   * C smaller than it) run the same Math.fma as scalars. FMA is an IEEE-exact lane operation,
   * so the vector and scalar paths agree bitwise, interpreted or compiled. Rows are split by
   * Parallel.forRange; each output element is written by one thread, so y and gx do not depend
   * on the thread count.
   *
   * The weight and bias gradients are sums over all B·T rows per channel. They are split over
   * blocks of channels instead of rows: one thread owns a channel's whole sum and adds its
   * terms in the fixed order (b, t), in double lanes (a product of two floats is exact in
   * double, so the double FMA rounds as the twin's s += (double) g·x). The result therefore
   * does not depend on the thread count at all, and needs no partials to combine.
   */

  private static final VectorSpecies<Float> F = Kernels.F;
  private static final VectorSpecies<Double> D = F.withLanes(double.class);
  private static final int L = F.length();
  private static final int DL = D.length();
  /** Minimum number of multiply-adds per parallel chunk. */
  private static final int GRAIN = 1 << 15;
  /** Channels whose weight-gradient accumulators one pass over the rows keeps (K·256 doubles, in L1/L2). */
  private static final int SUB_BLOCK = 256;

  private CausalConv1dKernels() {}

  /**
   * y = causal depthwise convolution of x.
   *
   * @param x input, (batch, time, channels)
   * @param weight w, (channels, 1, kernelSize) as PyTorch's depthwise Conv1d weight
   * @param biasOrNull b, (channels), or null for 0
   * @param y written, (batch, time, channels); must not be x
   * @throws IllegalArgumentException on bad dims (kernelSize &lt; 1, channels &lt; 1) or short arrays
   */
  public static void forward(float[] x, int batch, int time, int channels, float[] weight, int kernelSize,
      float[] biasOrNull, float[] y) {
    ScalarCausalConv1dKernels.checkForward("causalConv1d forward", x, batch, time, channels, weight, kernelSize,
        biasOrNull, y);
    if (Kernels.scalarOnly()) {
      ScalarCausalConv1dKernels.forward(x, batch, time, channels, weight, kernelSize, biasOrNull, y);
      return;
    }
    float[] wt = transpose(weight, channels, kernelSize);
    Parallel.forRange(batch * time, rowGrain(channels, kernelSize), (r0, r1) -> {
      for (int r = r0; r < r1; r++) {
        int t = r % time, first = Math.max(0, kernelSize - 1 - t);
        taps(x, r * channels, -(kernelSize - 1), first, channels, wt, kernelSize, biasOrNull, y);
      }
    });
  }

  /**
   * Gradients of {@link #forward} given the upstream gradient gy.
   *
   * @param gy upstream gradient, (batch, time, channels)
   * @param x the forward input, (batch, time, channels)
   * @param weight w of the forward, (channels, 1, kernelSize)
   * @param gxOrNull written (not accumulated): gradient w.r.t. x, or null to skip
   * @param gwOrNull written: gradient w.r.t. w, (channels, 1, kernelSize), or null to skip
   * @param gbOrNull written: Σ_{b,t} gy, (channels), or null to skip
   * @throws IllegalArgumentException on bad dims or short arrays
   */
  public static void backward(float[] gy, float[] x, int batch, int time, int channels, float[] weight,
      int kernelSize, float[] gxOrNull, float[] gwOrNull, float[] gbOrNull) {
    ScalarCausalConv1dKernels.checkBackward("causalConv1d backward", gy, x, batch, time, channels, weight, kernelSize,
        gxOrNull, gwOrNull, gbOrNull);
    if (Kernels.scalarOnly()) {
      ScalarCausalConv1dKernels.backward(gy, x, batch, time, channels, weight, kernelSize, gxOrNull, gwOrNull,
          gbOrNull);
      return;
    }
    int k = kernelSize, c = channels, rows = batch * time;
    if (gxOrNull != null) {
      float[] wt = transpose(weight, c, k);
      Parallel.forRange(rows, rowGrain(c, k), (r0, r1) -> {
        for (int r = r0; r < r1; r++) {
          int t = r % time, first = Math.max(0, t + k - time);  // taps reading gy beyond T are skipped
          reverseTaps(gy, r * c, first, c, wt, k, gxOrNull);
        }
      });
    }
    if (gwOrNull == null && gbOrNull == null) return;
    int groups = (c + L - 1) / L;
    long perGroup = (long) rows * L * (k + 1);
    int grain = (int) Math.max(1, GRAIN / Math.max(1, perGroup));
    Parallel.forRange(groups, grain, (g0, g1) -> {
      int cEnd = Math.min(c, g1 * L);
      double[] acc = new double[k * SUB_BLOCK], accB = new double[SUB_BLOCK];
      for (int cs = g0 * L; cs < cEnd; cs += SUB_BLOCK) {
        paramGradBlock(gy, x, batch, time, c, k, cs, Math.min(cEnd, cs + SUB_BLOCK), acc, accB, gwOrNull, gbOrNull);
      }
    });
  }

  /**
   * One time step of the convolution for a decoder: y at {@code time} for channels [c0, c1),
   * given the inputs of the last K steps in a ring buffer. Scalar by design (K·(c1 − c0)
   * multiply-adds per token, small next to the projections that feed it), and bitwise equal to
   * {@link #forward} at that step.
   *
   * <p>Ring layout: {@code ring[ringOff + (τ mod K)·channels + c]} holds x at time τ, channel c,
   * for the K steps τ = time − K + 1 .. time (a (K, channels) block). The caller writes x at
   * {@code time} into slot {@code time mod K} and then calls this; slots of negative times are
   * never read, so the ring needs no clearing.
   *
   * @param weight w, (channels, 1, kernelSize)
   * @param biasOrNull b, (channels), or null for 0
   * @param time the step, at least 0
   * @param out written: {@code out[outOff + c] = y[time, c]} for c in [c0, c1); may be any array but ring
   * @throws IllegalArgumentException on bad dims, channel range, offsets or short arrays
   */
  public static void step(float[] weight, float[] biasOrNull, int channels, int kernelSize, float[] ring, int ringOff,
      int time, int c0, int c1, float[] out, int outOff) {
    ScalarCausalConv1dKernels.step(weight, biasOrNull, channels, kernelSize, ring, ringOff, time, c0, c1, out, outOff);
  }

  // ------------------------------------------------------------ rows

  /**
   * out[row + ch] = init[ch] + Σ_{j ≥ first} wt[j][ch]·in[row + (shift + j)·C + ch], j ascending,
   * with init the bias (or 0).
   */
  private static void taps(float[] in, int row, int shift, int first, int c, float[] wt, int k, float[] init,
      float[] out) {
    int ch = 0;
    for (int bound = F.loopBound(c); ch < bound; ch += L) {
      FloatVector acc = init == null ? FloatVector.zero(F) : FloatVector.fromArray(F, init, ch);
      for (int j = first; j < k; j++) {
        FloatVector w = FloatVector.fromArray(F, wt, j * c + ch);
        acc = w.fma(FloatVector.fromArray(F, in, row + (shift + j) * c + ch), acc);
      }
      acc.intoArray(out, row + ch);
    }
    for (; ch < c; ch++) {
      float acc = init == null ? 0f : init[ch];
      for (int j = first; j < k; j++) acc = Math.fma(wt[j * c + ch], in[row + (shift + j) * c + ch], acc);
      out[row + ch] = acc;
    }
  }

  /** gx[row + ch] = Σ_{j ≥ first} wt[j][ch]·gy[row + (K−1−j)·C + ch], j ascending, from 0. */
  private static void reverseTaps(float[] gy, int row, int first, int c, float[] wt, int k, float[] gx) {
    int ch = 0;
    for (int bound = F.loopBound(c); ch < bound; ch += L) {
      FloatVector acc = FloatVector.zero(F);
      for (int j = first; j < k; j++) {
        FloatVector w = FloatVector.fromArray(F, wt, j * c + ch);
        acc = w.fma(FloatVector.fromArray(F, gy, row + (k - 1 - j) * c + ch), acc);
      }
      acc.intoArray(gx, row + ch);
    }
    for (; ch < c; ch++) {
      float acc = 0f;
      for (int j = first; j < k; j++) acc = Math.fma(wt[j * c + ch], gy[row + (k - 1 - j) * c + ch], acc);
      gx[row + ch] = acc;
    }
  }

  // ------------------------------------------------------------ weight and bias gradients

  /** gw and gb of channels [cs, ce), summed in double over the rows in (b, t) order. */
  private static void paramGradBlock(float[] gy, float[] x, int batch, int time, int c, int k, int cs, int ce,
      double[] acc, double[] accB, float[] gw, float[] gb) {
    int w = ce - cs;
    java.util.Arrays.fill(acc, 0, k * w, 0);
    java.util.Arrays.fill(accB, 0, w, 0);
    for (int b = 0; b < batch; b++) {
      for (int t = 0; t < time; t++) {
        int row = (b * time + t) * c;
        if (gb != null) biasRow(gy, row, cs, ce, accB);
        if (gw == null) continue;
        for (int j = Math.max(0, k - 1 - t); j < k; j++) {
          weightRow(gy, row, x, row + (j - (k - 1)) * c, cs, ce, acc, j * w);
        }
      }
    }
    for (int i = 0; i < w; i++) {
      if (gw != null) {
        for (int j = 0; j < k; j++) gw[(cs + i) * k + j] = (float) acc[j * w + i];
      }
      if (gb != null) gb[cs + i] = (float) accB[i];
    }
  }

  /** acc[accOff + i] += (double) gy[gRow + cs + i]·x[xRow + cs + i] for i in [0, ce − cs). */
  private static void weightRow(float[] gy, int gRow, float[] x, int xRow, int cs, int ce, double[] acc, int accOff) {
    int ch = cs;
    for (; ch + L <= ce; ch += L) {
      FloatVector g = FloatVector.fromArray(F, gy, gRow + ch), xv = FloatVector.fromArray(F, x, xRow + ch);
      int a = accOff + ch - cs;
      lo(g).fma(lo(xv), DoubleVector.fromArray(D, acc, a)).intoArray(acc, a);
      hi(g).fma(hi(xv), DoubleVector.fromArray(D, acc, a + DL)).intoArray(acc, a + DL);
    }
    for (; ch < ce; ch++) acc[accOff + ch - cs] += (double) gy[gRow + ch] * x[xRow + ch];
  }

  /** accB[i] += gy[row + cs + i] for i in [0, ce − cs). */
  private static void biasRow(float[] gy, int row, int cs, int ce, double[] accB) {
    int ch = cs;
    for (; ch + L <= ce; ch += L) {
      FloatVector g = FloatVector.fromArray(F, gy, row + ch);
      int a = ch - cs;
      lo(g).add(DoubleVector.fromArray(D, accB, a)).intoArray(accB, a);
      hi(g).add(DoubleVector.fromArray(D, accB, a + DL)).intoArray(accB, a + DL);
    }
    for (; ch < ce; ch++) accB[ch - cs] += gy[row + ch];
  }

  // ------------------------------------------------------------ helpers

  /** (C, K) → (K, C): one row of taps per time offset, contiguous over the channels. */
  private static float[] transpose(float[] w, int c, int k) {
    float[] wt = new float[k * c];
    for (int ch = 0; ch < c; ch++) {
      for (int j = 0; j < k; j++) wt[j * c + ch] = w[ch * k + j];
    }
    return wt;
  }

  private static int rowGrain(int c, int k) {
    return (int) Math.max(1, GRAIN / Math.max(1L, (long) c * k));
  }

  private static DoubleVector lo(FloatVector v) {
    return (DoubleVector) v.convertShape(VectorOperators.F2D, D, 0);
  }

  private static DoubleVector hi(FloatVector v) {
    return (DoubleVector) v.convertShape(VectorOperators.F2D, D, 1);
  }
}

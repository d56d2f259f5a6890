package dev.fathom.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * 2-D max and average pooling over a batch in NCHW layout, forward and backward, with PyTorch's
 * semantics ({@code max_pool2d}, {@code avg_pool2d} with {@code ceil_mode=false},
 * {@code count_include_pad=true}).
 *
 * <p>Every (n, c) plane of shape (H, W) is pooled on its own with a window (kH, kW), stride
 * (sH, sW) and implicit padding (pH, pW); the output plane is (oH, oW) with
 * {@code oH = (H + 2·pH − kH) / sH + 1}. For window {@code Ω(oh, ow)} (the window's pixels that
 * lie inside the image):
 *
 * <pre>
 *   max:  y[oh][ow] = max over Ω of x[ih][iw]     (padding counts as −∞; NaN wins)
 *         argmax[oh][ow] = ih·W + iw of the first maximum in row-major window order
 *   avg:  y[oh][ow] = (Σ over Ω of x[ih][iw]) / (kH·kW)   (padding: 0, counted in the divisor)
 * </pre>
 *
 * Backward passes accumulate into the input gradient: {@code dx[argmax] += dy} for max,
 * {@code dx[ih][iw] += dy[oh][ow] / (kH·kW)} over each window for avg. Padding must be at most
 * half the kernel (as in PyTorch), so every window holds at least one real pixel. Callers get
 * oH and oW from {@link Im2col#outSize} with dilation 1.
 */
public final class Pool2d {

  /*
   * Design. Work is parallel over the N·C planes (disjoint outputs; backward writes disjoint
   * input-gradient planes), with the scalar order of accumulation fixed inside each plane, so
   * results do not depend on the thread count. The forward passes have a Vector API path for
   * strides 1 and 2 along W (3x3/s1, 2x2/s2, 3x3/s2 cover nearly every CNN): a vector holds L
   * adjacent output columns, each kernel tap (i, j) is one contiguous load (stride 1) or one
   * two-vector deinterleave (stride 2), and the running max and its index are updated with
   * masked blends. The last interior columns are covered by one more block that overlaps the
   * previous one (it rewrites equal values). Columns whose window touches the left or right
   * padding, a block whose deinterleaving load would run past the end of the array, and other
   * strides take the scalar per-output loop, which visits taps in the same order, so vector and
   * scalar outputs agree bitwise. Backward is a scatter (max) or a spread (avg) and stays scalar.
   */

  private static final VectorSpecies<Float> F = Kernels.F;
  private static final VectorSpecies<Integer> I = F.withLanes(int.class);
  private static final int L = F.length();
  private static final FloatVector EVEN = lanes(2, 0);
  private static final FloatVector ODD = lanes(2, 1);
  private static final IntVector IOTA1 = IntVector.zero(I).addIndex(1);
  private static final IntVector IOTA2 = IntVector.zero(I).addIndex(2);
  /** Minimum number of window taps per parallel chunk. */
  private static final int GRAIN = 1 << 14;

  private Pool2d() {}

  private static FloatVector lanes(int step, int first) {
    float[] idx = new float[L];
    for (int i = 0; i < L; i++) idx[i] = first + step * i;
    return FloatVector.fromArray(F, idx, 0);
  }

  /**
   * Max pooling forward.
   *
   * @param x input, (N, C, H, W)
   * @param out output, (N, C, oH, oW)
   * @param argmax for every output, the flat index {@code ih·W + iw} of its maximum within the
   *     input plane, (N, C, oH, oW)
   * @throws IllegalArgumentException on a bad geometry or arrays too short for it
   */
  public static void maxForward(float[] x, int n, int channels, int height, int width,
      int kernelH, int kernelW, int strideH, int strideW, int padH, int padW,
      float[] out, int[] argmax) {
    Geometry g = new Geometry(n, channels, height, width, kernelH, kernelW,
        strideH, strideW, padH, padW);
    g.checkInput("x", x.length);
    g.checkOutput("out", out.length);
    g.checkOutput("argmax", argmax.length);
    boolean vector = !Kernels.scalarOnly() && strideW <= 2;
    Parallel.forRange(g.planes(), g.minPlanes(), (p0, p1) -> {
      int limit = p1 * g.outH * g.outW;
      for (int p = p0; p < p1; p++) maxPlane(x, g, out, argmax, p, vector, limit);
    });
  }

  /**
   * Max pooling backward: {@code gradIn[plane][argmax[o]] += gradOut[o]} for every output o.
   *
   * @param gradOut gradient of the output, (N, C, oH, oW)
   * @param argmax the indices {@link #maxForward} wrote, (N, C, oH, oW)
   * @param gradIn input gradient to accumulate into, (N, C, H, W)
   * @throws IllegalArgumentException on a bad geometry, short arrays or an index outside the
   *     plane (gradIn may then be partly updated)
   */
  public static void maxBackward(float[] gradOut, int[] argmax, int n, int channels, int height,
      int width, int kernelH, int kernelW, int strideH, int strideW, int padH, int padW,
      float[] gradIn) {
    Geometry g = new Geometry(n, channels, height, width, kernelH, kernelW,
        strideH, strideW, padH, padW);
    g.checkOutput("gradOut", gradOut.length);
    g.checkOutput("argmax", argmax.length);
    g.checkInput("gradIn", gradIn.length);
    int inPlane = height * width, outPlane = g.outH * g.outW;
    Parallel.forRange(g.planes(), Math.max(1, GRAIN / outPlane), (p0, p1) -> {
      for (int p = p0; p < p1; p++) {
        int src = p * outPlane, dst = p * inPlane;
        for (int o = src; o < src + outPlane; o++) {
          int k = argmax[o];
          if (k < 0 || k >= inPlane) {
            throw new IllegalArgumentException("maxBackward: argmax[" + o + "] = " + k
                + " is outside the input plane [0, " + inPlane + ")");
          }
          gradIn[dst + k] += gradOut[o];
        }
      }
    });
  }

  /**
   * Average pooling forward (count_include_pad: the divisor is always kH·kW).
   *
   * @param x input, (N, C, H, W)
   * @param out output, (N, C, oH, oW)
   * @throws IllegalArgumentException on a bad geometry or arrays too short for it
   */
  public static void avgForward(float[] x, int n, int channels, int height, int width,
      int kernelH, int kernelW, int strideH, int strideW, int padH, int padW, float[] out) {
    Geometry g = new Geometry(n, channels, height, width, kernelH, kernelW,
        strideH, strideW, padH, padW);
    g.checkInput("x", x.length);
    g.checkOutput("out", out.length);
    boolean vector = !Kernels.scalarOnly() && strideW <= 2;
    Parallel.forRange(g.planes(), g.minPlanes(), (p0, p1) -> {
      for (int p = p0; p < p1; p++) avgPlane(x, g, out, p, vector);
    });
  }

  /**
   * Average pooling backward: {@code gradIn[ih][iw] += gradOut[oh][ow] / (kH·kW)} for every input
   * pixel of every window.
   *
   * @param gradOut gradient of the output, (N, C, oH, oW)
   * @param gradIn input gradient to accumulate into, (N, C, H, W)
   * @throws IllegalArgumentException on a bad geometry or arrays too short for it
   */
  public static void avgBackward(float[] gradOut, int n, int channels, int height, int width,
      int kernelH, int kernelW, int strideH, int strideW, int padH, int padW, float[] gradIn) {
    Geometry g = new Geometry(n, channels, height, width, kernelH, kernelW,
        strideH, strideW, padH, padW);
    g.checkOutput("gradOut", gradOut.length);
    g.checkInput("gradIn", gradIn.length);
    float divisor = kernelH * kernelW;
    Parallel.forRange(g.planes(), g.minPlanes(), (p0, p1) -> {
      for (int p = p0; p < p1; p++) {
        int src = p * g.outH * g.outW, dst = p * height * width;
        for (int oh = 0; oh < g.outH; oh++) {
          int hs = oh * strideH - padH, h0 = Math.max(hs, 0), h1 = Math.min(hs + kernelH, height);
          for (int ow = 0; ow < g.outW; ow++) {
            int ws = ow * strideW - padW, w0 = Math.max(ws, 0), w1 = Math.min(ws + kernelW, width);
            float d = gradOut[src + oh * g.outW + ow] / divisor;
            for (int ih = h0; ih < h1; ih++) {
              for (int iw = w0; iw < w1; iw++) gradIn[dst + ih * width + iw] += d;
            }
          }
        }
      }
    });
  }

  /** The scalar twin of {@link #maxForward}, single-threaded. */
  static void maxForwardScalar(float[] x, int n, int channels, int height, int width,
      int kernelH, int kernelW, int strideH, int strideW, int padH, int padW,
      float[] out, int[] argmax) {
    Geometry g = new Geometry(n, channels, height, width, kernelH, kernelW,
        strideH, strideW, padH, padW);
    for (int p = 0; p < g.planes(); p++) maxPlane(x, g, out, argmax, p, false, 0);
  }

  /** The scalar twin of {@link #avgForward}, single-threaded. */
  static void avgForwardScalar(float[] x, int n, int channels, int height, int width,
      int kernelH, int kernelW, int strideH, int strideW, int padH, int padW, float[] out) {
    Geometry g = new Geometry(n, channels, height, width, kernelH, kernelW,
        strideH, strideW, padH, padW);
    for (int p = 0; p < g.planes(); p++) avgPlane(x, g, out, p, false);
  }

  private static void maxPlane(float[] x, Geometry g, float[] out, int[] argmax, int p,
      boolean vector, int limit) {
    int in = p * g.height * g.width, o = p * g.outH * g.outW;
    if (vector && g.kernelH == 2 && g.kernelW == 2 && g.strideH == 2 && g.strideW == 2 && g.padH == 0 && g.padW == 0) {
      max2x2(x, in, g, out, argmax, o, limit);
      return;
    }
    for (int oh = 0; oh < g.outH; oh++, o += g.outW) {
      int hs = oh * g.strideH - g.padH;
      int h0 = Math.max(hs, 0), h1 = Math.min(hs + g.kernelH, g.height);
      int ow = 0;
      if (vector) {
        int lo = g.interiorLo(), hi = g.interiorHi();
        for (; ow < lo; ow++) maxOne(x, in, g, h0, h1, ow, out, argmax, o + ow);
        for (; ow + L <= hi && g.blockFits(x.length, in, h1, ow); ow += L) {
          maxBlock(x, in, g, h0, h1, ow, out, argmax, o + ow);
        }
        int last = hi - L;
        if (ow < hi && last >= lo && g.blockFits(x.length, in, h1, last)) {
          maxBlock(x, in, g, h0, h1, last, out, argmax, o + last);
          ow = hi;
        }
      }
      for (; ow < g.outW; ow++) maxOne(x, in, g, h0, h1, ow, out, argmax, o + ow);
    }
  }

  /**
   * The common 2×2, stride 2, no padding case, vectorized for planes of any width: per output
   * row, 2L input columns of both input rows give L outputs. Each input row is split into its
   * even and odd columns (two-vector lane selects), which are the four taps of L windows; the
   * taps are visited in row-major order with "greater, or NaN" replacing the running maximum and
   * its index, exactly as the scalar loop does, so outputs and argmax agree bitwise with the twin.
   *
   * <p>Narrow planes (14 or 7 outputs per row) would need masked loads and stores, which are
   * slow; instead every load and store is a full vector. Loads past the row read the next row
   * (dropped); a store writes L lanes of which the first are valid and the rest land on later
   * outputs of this thread's chunk, which the following stores (in ascending order) overwrite
   * with their valid lanes. A row whose loads would leave the array, or whose stores would pass
   * {@code limit} (the end of this chunk's outputs), takes the scalar loop.
   */
  private static void max2x2(float[] x, int in, Geometry g, float[] out, int[] argmax, int o, int limit) {
    int width = g.width, outH = g.outH, outW = g.outW;
    int lastOw = (outW - 1) / L * L;
    for (int oh = 0; oh < outH; oh++, o += outW) {
      int r0 = 2 * oh * width, r1 = r0 + width;
      boolean fits = (long) in + r1 + 2 * lastOw + 2 * L <= x.length && o + lastOw + L <= limit;
      if (!fits) {
        for (int ow = 0; ow < outW; ow++) maxOne(x, in, g, 2 * oh, 2 * oh + 2, ow, out, argmax, o + ow);
        continue;
      }
      for (int ow = 0; ow < outW; ow += L) {
        int c = 2 * ow;
        FloatVector a0 = FloatVector.fromArray(F, x, in + r0 + c), a1 = FloatVector.fromArray(F, x, in + r0 + c + L);
        FloatVector b0 = FloatVector.fromArray(F, x, in + r1 + c), b1 = FloatVector.fromArray(F, x, in + r1 + c + L);
        FloatVector best = EVEN.selectFrom(a0, a1);
        IntVector at = IOTA2.add(r0 + c);
        FloatVector v = ODD.selectFrom(a0, a1);
        VectorMask<Float> m = v.compare(VectorOperators.GT, best).or(v.compare(VectorOperators.NE, v));
        best = best.blend(v, m);
        at = at.blend(IOTA2.add(r0 + c + 1), m.cast(I));
        v = EVEN.selectFrom(b0, b1);
        m = v.compare(VectorOperators.GT, best).or(v.compare(VectorOperators.NE, v));
        best = best.blend(v, m);
        at = at.blend(IOTA2.add(r1 + c), m.cast(I));
        v = ODD.selectFrom(b0, b1);
        m = v.compare(VectorOperators.GT, best).or(v.compare(VectorOperators.NE, v));
        best = best.blend(v, m);
        at = at.blend(IOTA2.add(r1 + c + 1), m.cast(I));
        best.intoArray(out, o + ow);
        at.intoArray(argmax, o + ow);
      }
    }
  }

  private static void maxOne(float[] x, int in, Geometry g, int h0, int h1, int ow,
      float[] out, int[] argmax, int o) {
    int width = g.width;
    int ws = ow * g.strideW - g.padW, w0 = Math.max(ws, 0), w1 = Math.min(ws + g.kernelW, width);
    float best = Float.NEGATIVE_INFINITY;
    int at = h0 * width + w0;
    for (int ih = h0; ih < h1; ih++) {
      for (int iw = w0; iw < w1; iw++) {
        float v = x[in + ih * width + iw];
        if (v > best || v != v) {
          best = v;
          at = ih * width + iw;
        }
      }
    }
    out[o] = best;
    argmax[o] = at;
  }

  /** L adjacent outputs from ow, all of whose windows lie inside the image along W. */
  private static void maxBlock(float[] x, int in, Geometry g, int h0, int h1, int ow,
      float[] out, int[] argmax, int o) {
    int width = g.width, sW = g.strideW;
    IntVector iota = sW == 1 ? IOTA1 : IOTA2;
    int ws = ow * sW - g.padW;
    FloatVector best = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
    IntVector at = iota.add(h0 * width + ws);
    for (int ih = h0; ih < h1; ih++) {
      int row = in + ih * width + ws;
      for (int j = 0; j < g.kernelW; j++) {
        FloatVector v = load(x, row + j, sW);
        VectorMask<Float> m =
            v.compare(VectorOperators.GT, best).or(v.test(VectorOperators.IS_NAN));
        best = best.blend(v, m);
        at = at.blend(iota.add(ih * width + ws + j), m.cast(I));
      }
    }
    best.intoArray(out, o);
    at.intoArray(argmax, o);
  }

  private static void avgPlane(float[] x, Geometry g, float[] out, int p, boolean vector) {
    int in = p * g.height * g.width, o = p * g.outH * g.outW;
    float divisor = g.kernelH * g.kernelW;
    for (int oh = 0; oh < g.outH; oh++, o += g.outW) {
      int hs = oh * g.strideH - g.padH;
      int h0 = Math.max(hs, 0), h1 = Math.min(hs + g.kernelH, g.height);
      int ow = 0;
      if (vector) {
        int lo = g.interiorLo(), hi = g.interiorHi();
        for (; ow < lo; ow++) out[o + ow] = avgOne(x, in, g, h0, h1, ow) / divisor;
        for (; ow + L <= hi && g.blockFits(x.length, in, h1, ow); ow += L) {
          avgBlock(x, in, g, h0, h1, ow, divisor, out, o + ow);
        }
        int last = hi - L;
        if (ow < hi && last >= lo && g.blockFits(x.length, in, h1, last)) {
          avgBlock(x, in, g, h0, h1, last, divisor, out, o + last);
          ow = hi;
        }
      }
      for (; ow < g.outW; ow++) out[o + ow] = avgOne(x, in, g, h0, h1, ow) / divisor;
    }
  }

  /** L adjacent averages from ow, all of whose windows lie inside the image along W. */
  private static void avgBlock(float[] x, int in, Geometry g, int h0, int h1, int ow, float divisor,
      float[] out, int o) {
    int ws = ow * g.strideW - g.padW;
    FloatVector sum = FloatVector.zero(F);
    for (int ih = h0; ih < h1; ih++) {
      int row = in + ih * g.width + ws;
      for (int j = 0; j < g.kernelW; j++) sum = sum.add(load(x, row + j, g.strideW));
    }
    sum.div(divisor).intoArray(out, o);
  }

  /** Sum of the window at output column ow, rows [h0, h1), in row-major order starting from 0. */
  private static float avgOne(float[] x, int in, Geometry g, int h0, int h1, int ow) {
    int ws = ow * g.strideW - g.padW, w0 = Math.max(ws, 0), w1 = Math.min(ws + g.kernelW, g.width);
    float sum = 0f;
    for (int ih = h0; ih < h1; ih++) {
      for (int iw = w0; iw < w1; iw++) sum += x[in + ih * g.width + iw];
    }
    return sum;
  }

  /** L elements x[at], x[at + s], ... for s in {1, 2}. */
  private static FloatVector load(float[] x, int at, int s) {
    if (s == 1) return FloatVector.fromArray(F, x, at);
    return EVEN.selectFrom(FloatVector.fromArray(F, x, at), FloatVector.fromArray(F, x, at + L));
  }

  /** Validated pooling geometry with its output size. */
  private record Geometry(int n, int channels, int height, int width, int kernelH, int kernelW,
      int strideH, int strideW, int padH, int padW, int outH, int outW) {

    Geometry(int n, int channels, int height, int width, int kernelH, int kernelW,
        int strideH, int strideW, int padH, int padW) {
      this(n, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW,
          Im2col.outSize(height, kernelH, strideH, padH, 1),
          Im2col.outSize(width, kernelW, strideW, padW, 1));
    }

    Geometry {
      if (n < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + n);
      if (channels < 1) {
        throw new IllegalArgumentException("channels must be >= 1, got " + channels);
      }
      if (2 * padH > kernelH || 2 * padW > kernelW) {
        throw new IllegalArgumentException("padding must be at most half the kernel size, got"
            + " padding (" + padH + ", " + padW + ") for kernel (" + kernelH + ", " + kernelW
            + ")");
      }
      if ((long) n * channels * height * width > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("input " + n + " x " + channels + " x " + height
            + " x " + width + " has more than 2^31 - 1 entries");
      }
    }

    int planes() {
      return n * channels;
    }

    int minPlanes() {
      return (int) Math.max(1, GRAIN / ((long) outH * outW * kernelH * kernelW));
    }

    /** First output column whose window starts at or after input column 0. */
    int interiorLo() {
      return Math.min(outW, Math.ceilDiv(padW, strideW));
    }

    /** One past the last output column whose window lies inside the row; at least interiorLo(). */
    int interiorHi() {
      int last = Math.floorDiv(width - kernelW + padW, strideW);
      return Math.max(interiorLo(), Math.min(outW, last + 1));
    }

    /**
     * Whether the vector block of L outputs from ow reads inside the array: with stride 2 the
     * deinterleaving load of the last tap also reads the element after it, which lies in the
     * next row (harmless, it is dropped) or, at the very end of the array, outside it.
     */
    boolean blockFits(int length, int in, int h1, int ow) {
      if (strideW == 1) return true;
      long last = in + (long) (h1 - 1) * width + (long) (ow + L - 1) * strideW - padW + kernelW;
      return last < length;
    }

    void checkInput(String name, int length) {
      long need = (long) planes() * height * width;
      if (length < need) {
        throw new IllegalArgumentException(name + ": expected at least " + need + " elements for ("
            + n + ", " + channels + ", " + height + ", " + width + "), got " + length);
      }
    }

    void checkOutput(String name, int length) {
      long need = (long) planes() * outH * outW;
      if (length < need) {
        throw new IllegalArgumentException(name + ": expected at least " + need + " elements for ("
            + n + ", " + channels + ", " + outH + ", " + outW + "), got " + length);
      }
    }
  }
}

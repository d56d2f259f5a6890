package dev.fathom.kernel;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Matrix-vector products y = W·x (+ bias) with W in a quantized format (see
 * {@code dev.fathom.quant.QuantFormat}) and x, y float, reading the quantized bytes directly:
 * each group of L bytes is widened to L float lanes (sign-extend, convert), multiplied into x
 * with fused multiply-adds, and the lane partials of a block are scaled once per block:
 * {@code acc += d_b · Σ_{i in b} q_i x_i}. The decode step of an LLM is memory-bound, so reading
 * 8.5 or 4.5 bits per weight instead of 32 is the speed-up, once the widening is cheap enough:
 * two rows go through each input at once (shared input loads, two FMA chains), nibbles are
 * masked and shifted after widening to int lanes (Q4_0 needs no shift: its inputs are rewritten
 * once per call so that the whole byte can stand in for the high nibble, see splitQ4_0Inputs;
 * 7–21% faster than the shift in bench/quant_kernels_ab.java), and the zero point of a nibble format is taken
 * out once per group, {@code Σ (n − z)·x = Σ n·x − z·Σ x}, with Σ x computed once per input
 * (together about 2× the speed of one row with byte-lane nibble arithmetic on AVX-512; figures
 * in docs/BENCHMARKS.md). {@link ScalarQuantKernels} holds
 * the scalar twin of each; every call goes there when {@link Kernels#scalarOnly()} is set.
 *
 * <p>Arrays as {@code dev.fathom.quant.QuantizedMatrix} holds them: {@code q} the values (int8,
 * or nibbles in ggml's order), {@code s} one float scale per block/group (per row for int8),
 * {@code z} the int4g128 zero points. W is (out, in) row-major. For more than {@link #FUSED_ROWS}
 * inputs at once (a prompt's prefill) each weight row is dequantized once into a per-thread
 * buffer and dotted with every input: the widening then costs once per row, not once per input.
 */
public final class QuantKernels {
  private static final VectorSpecies<Float> F = Kernels.F;
  private static final int L = F.length();
  /** Byte lanes that widen to one float vector; the kernels need 8 or 16 of them (AVX2, AVX-512). */
  private static final VectorSpecies<Byte> B = L >= 8 && L <= 16 ? VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8)) : null;
  /** Int lanes, as many as float lanes: nibbles are unpacked there. */
  private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
  private static final boolean VECTOR = B != null && !Kernels.scalarOnly();
  /** Inputs per call up to which each input is dotted with the quantized row itself. */
  static final int FUSED_ROWS = 4;
  private static final ThreadLocal<float[]> ROW = ThreadLocal.withInitial(() -> new float[0]);
  private static final ThreadLocal<float[]> SUMS = ThreadLocal.withInitial(() -> new float[0]);
  private static final ThreadLocal<float[]> SPLIT = ThreadLocal.withInitial(() -> new float[0]);
  private static final ThreadLocal<float[]> PAIR = ThreadLocal.withInitial(() -> new float[4]);

  private static final int Q8_0 = 0, Q4_0 = 1, INT8 = 2, INT4 = 3;

  private QuantKernels() {}

  /** Q8_0: {@code W[o, i] = s[o·in/32 + i/32] · q[o·in + i]}. Rows o in [o0, o1), inputs r in [0, batch). */
  public static void q8_0(byte[] q, float[] s, int in, float[] x, int xOff, int xStride, int batch, float[] bias, int bOff, float[] y,
      int yOff, int yStride, int o0, int o1, boolean accumulate) {
    if (!VECTOR) {
      ScalarQuantKernels.q8_0(q, s, in, x, xOff, xStride, batch, bias, bOff, y, yOff, yStride, o0, o1, accumulate);
      return;
    }
    rows(Q8_0, q, s, null, in, x, xOff, xStride, batch, bias, bOff, y, yOff, yStride, o0, o1, accumulate);
  }

  /** Q4_0: {@code W[o, b·32 + j] = s[o·in/32 + b] · (nibble − 8)}, low nibbles j < 16, high j ≥ 16. */
  public static void q4_0(byte[] q, float[] s, int in, float[] x, int xOff, int xStride, int batch, float[] bias, int bOff, float[] y,
      int yOff, int yStride, int o0, int o1, boolean accumulate) {
    if (!VECTOR) {
      ScalarQuantKernels.q4_0(q, s, in, x, xOff, xStride, batch, bias, bOff, y, yOff, yStride, o0, o1, accumulate);
      return;
    }
    rows(Q4_0, q, s, null, in, x, xOff, xStride, batch, bias, bOff, y, yOff, yStride, o0, o1, accumulate);
  }

  /** int8 per output channel: {@code W[o, i] = s[o] · q[o·in + i]}. */
  public static void int8(byte[] q, float[] s, int in, float[] x, int xOff, int xStride, int batch, float[] bias, int bOff, float[] y,
      int yOff, int yStride, int o0, int o1, boolean accumulate) {
    if (!VECTOR) {
      ScalarQuantKernels.int8(q, s, in, x, xOff, xStride, batch, bias, bOff, y, yOff, yStride, o0, o1, accumulate);
      return;
    }
    rows(INT8, q, s, null, in, x, xOff, xStride, batch, bias, bOff, y, yOff, yStride, o0, o1, accumulate);
  }

  /**
   * int4g128: {@code W[o, g·128 + j] = s[o·G + g] · (nibble − z[o·G + g])}, G = ⌈in/128⌉ groups per
   * row, low nibbles j < 64, high j ≥ 64; row o's nibbles start at byte o·⌈in/2⌉. When 128 does not
   * divide in, the last group holds r = in mod 128 weights in ⌈r/2⌉ bytes (low j, high j + ⌈r/2⌉):
   * its pairs of nibbles go through the same vector loop, an odd remainder of bytes element by element.
   */
  public static void int4g128(byte[] q, float[] s, byte[] z, int in, float[] x, int xOff, int xStride, int batch, float[] bias, int bOff,
      float[] y, int yOff, int yStride, int o0, int o1, boolean accumulate) {
    if (!VECTOR) {
      ScalarQuantKernels.int4g128(q, s, z, in, x, xOff, xStride, batch, bias, bOff, y, yOff, yStride, o0, o1, accumulate);
      return;
    }
    rows(INT4, q, s, z, in, x, xOff, xStride, batch, bias, bOff, y, yOff, yStride, o0, o1, accumulate);
  }

  private static void rows(int fmt, byte[] q, float[] s, byte[] z, int in, float[] x, int xOff, int xStride, int batch, float[] bias,
      int bOff, float[] y, int yOff, int yStride, int o0, int o1, boolean accumulate) {
    if (batch > FUSED_ROWS) {
      float[] row = scratch(ROW, in);
      for (int o = o0; o < o1; o++) {
        dequantize(fmt, q, s, z, in, o, row, 0);
        for (int r = 0; r < batch; r++) store(dot(row, x, xOff + r * xStride, in), bias, bOff, o, y, yOff + r * yStride, accumulate);
      }
      return;
    }
    // Q4_0 and int4g128 subtract a zero point per group: Σ (n − z)·x = Σ n·x − z·Σ x, with Σ x per
    // group computed once per input here instead of a subtraction per weight in the loop.
    int group = fmt == Q4_0 ? 32 : 128, ng = (in + group - 1) / group;  // int4g128: a short last group counts
    float[] sums = fmt == Q4_0 || fmt == INT4 ? scratch(SUMS, batch * ng) : null;
    if (sums != null) {
      for (int r = 0; r < batch; r++) groupSums(x, xOff + r * xStride, ng, group, in, sums, r * ng);
    }
    if (fmt == Q4_0) {  // the kernel reads the inputs in the split form of splitQ4_0Inputs
      float[] xs = scratch(SPLIT, batch * in);
      for (int r = 0; r < batch; r++) splitQ4_0Inputs(x, xOff + r * xStride, in, xs, r * in);
      x = xs;
      xOff = 0;
      xStride = in;
    }
    float[] pair = scratch(PAIR, 4);
    int o = o0;
    if (batch == 1 && (fmt == Q8_0 || fmt == INT8)) {  // the decode case: four rows per pass, four weight streams in flight
      for (; o + 4 <= o1; o += 4) {
        if (fmt == Q8_0) dotQ8_0x4(q, s, in, o, x, xOff, pair);
        else dotInt8x4(q, s, in, o, x, xOff, pair);
        for (int k = 0; k < 4; k++) store(pair[k], bias, bOff, o + k, y, yOff, accumulate);
      }
    }
    for (; o < o1; o += 2) {
      int o2 = Math.min(o + 1, o1 - 1);  // an odd last row is paired with itself; a row's value never depends on its partner
      for (int r = 0; r < batch; r++) {
        int xb = xOff + r * xStride;
        switch (fmt) {
          case Q8_0 -> dotQ8_0(q, s, in, o, o2, x, xb, pair);
          case Q4_0 -> dotQ4_0(q, s, in, o, o2, x, xb, sums, r * ng, pair);
          case INT8 -> dotInt8(q, s, in, o, o2, x, xb, pair);
          default -> dotInt4(q, s, z, in, o, o2, x, xb, sums, r * ng, pair);
        }
        int yb = yOff + r * yStride;
        store(pair[0], bias, bOff, o, y, yb, accumulate);
        if (o2 != o) store(pair[1], bias, bOff, o2, y, yb, accumulate);
      }
    }
  }

  private static void store(float v, float[] bias, int bOff, int o, float[] y, int yb, boolean accumulate) {
    if (bias != null) v += bias[bOff + o];
    y[yb + o] = accumulate ? y[yb + o] + v : v;
  }

  private static float[] scratch(ThreadLocal<float[]> local, int n) {
    float[] a = local.get();
    if (a.length < n) {
      a = new float[n];
      local.set(a);
    }
    return a;
  }

  /** {@code out[off + g] = Σ_{j < n_g} x[xb + g·size + j]} for g in [0, groups), n_g = size, or in − g·size for a short last group. */
  private static void groupSums(float[] x, int xb, int groups, int size, int in, float[] out, int off) {
    for (int g = 0; g < groups; g++) {
      int n = Math.min(size, in - g * size), bound = F.loopBound(n), c = 0;
      FloatVector acc = FloatVector.zero(F);
      for (; c < bound; c += L) acc = acc.add(FloatVector.fromArray(F, x, xb + g * size + c));
      float t = VecMath.foldLanes(acc);
      for (; c < n; c++) t += x[xb + g * size + c];
      out[off + g] = t;
    }
  }

  private static void dequantize(int fmt, byte[] q, float[] s, byte[] z, int in, int o, float[] out, int off) {
    switch (fmt) {
      case Q8_0 -> dequantizeQ8_0(q, s, in, o, out, off);
      case Q4_0 -> dequantizeQ4_0(q, s, in, o, out, off);
      case INT8 -> dequantizeInt8(q, s, in, o, out, off);
      default -> dequantizeInt4g128(q, s, z, in, o, out, off);
    }
  }

  /*
   * The kernels below spell out every vector operation in their own bodies, with no small helper
   * methods: C2 refuses to inline a callee whose code it already compiled on its own beyond
   * InlineSmallCode bytes, and a Vector API helper compiled by C1 first is that large (its vectors
   * are objects there). A kernel that then calls it passes boxed vectors and ran about 10× slower
   * (in 3 of 5 JVM runs of bench/quant_kernels_ab.java, depending on compilation order).
   */

  /*
   * The dot kernels below take two rows at once (o and o2, possibly equal) against one input: the
   * input's vectors are loaded once for both, and two independent accumulator chains keep the FMA
   * units busy. Each row's arithmetic is the same whichever row it is paired with.
   */

  /**
   * Q8_0 sums q·x over a block of 32 first and scales once per block: one multiply, FMAs for the
   * rest of the block, then one FMA with d_b into the row's accumulator, so the accumulator's
   * dependent chain is one FMA per block instead of one per vector. A block is two vectors at L = 16
   * (AVX-512), four at L = 8.
   */
  private static void dotQ8_0(byte[] q, float[] s, int in, int o, int o2, float[] x, int xb, float[] out) {
    int nb = in / 32, qa = o * in, qb = o2 * in, sa = o * nb, sb = o2 * nb;
    FloatVector acc = FloatVector.zero(F), acc2 = FloatVector.zero(F);
    for (int b = 0, c = 0; b < nb; b++, c += 32) {
      FloatVector xv = FloatVector.fromArray(F, x, xb + c);
      FloatVector p = ((FloatVector) ByteVector.fromArray(B, q, qa + c).convertShape(VectorOperators.B2F, F, 0)).mul(xv);
      FloatVector p2 = ((FloatVector) ByteVector.fromArray(B, q, qb + c).convertShape(VectorOperators.B2F, F, 0)).mul(xv);
      for (int k = L; k < 32; k += L) {
        xv = FloatVector.fromArray(F, x, xb + c + k);
        p = ((FloatVector) ByteVector.fromArray(B, q, qa + c + k).convertShape(VectorOperators.B2F, F, 0)).fma(xv, p);
        p2 = ((FloatVector) ByteVector.fromArray(B, q, qb + c + k).convertShape(VectorOperators.B2F, F, 0)).fma(xv, p2);
      }
      acc = p.fma(FloatVector.broadcast(F, s[sa + b]), acc);
      acc2 = p2.fma(FloatVector.broadcast(F, s[sb + b]), acc2);
    }
    out[0] = VecMath.foldLanes(acc);
    out[1] = VecMath.foldLanes(acc2);
  }

  /** {@link #dotQ8_0} for rows o..o+3 against one input. */
  private static void dotQ8_0x4(byte[] q, float[] s, int in, int o, float[] x, int xb, float[] out) {
    int nb = in / 32, q0 = o * in, q1 = q0 + in, q2 = q1 + in, q3 = q2 + in, s0 = o * nb, s1 = s0 + nb, s2 = s1 + nb, s3 = s2 + nb;
    FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
    for (int b = 0, c = 0; b < nb; b++, c += 32) {
      FloatVector xv = FloatVector.fromArray(F, x, xb + c);
      FloatVector p0 = ((FloatVector) ByteVector.fromArray(B, q, q0 + c).convertShape(VectorOperators.B2F, F, 0)).mul(xv);
      FloatVector p1 = ((FloatVector) ByteVector.fromArray(B, q, q1 + c).convertShape(VectorOperators.B2F, F, 0)).mul(xv);
      FloatVector p2 = ((FloatVector) ByteVector.fromArray(B, q, q2 + c).convertShape(VectorOperators.B2F, F, 0)).mul(xv);
      FloatVector p3 = ((FloatVector) ByteVector.fromArray(B, q, q3 + c).convertShape(VectorOperators.B2F, F, 0)).mul(xv);
      for (int k = L; k < 32; k += L) {
        xv = FloatVector.fromArray(F, x, xb + c + k);
        p0 = ((FloatVector) ByteVector.fromArray(B, q, q0 + c + k).convertShape(VectorOperators.B2F, F, 0)).fma(xv, p0);
        p1 = ((FloatVector) ByteVector.fromArray(B, q, q1 + c + k).convertShape(VectorOperators.B2F, F, 0)).fma(xv, p1);
        p2 = ((FloatVector) ByteVector.fromArray(B, q, q2 + c + k).convertShape(VectorOperators.B2F, F, 0)).fma(xv, p2);
        p3 = ((FloatVector) ByteVector.fromArray(B, q, q3 + c + k).convertShape(VectorOperators.B2F, F, 0)).fma(xv, p3);
      }
      a0 = p0.fma(FloatVector.broadcast(F, s[s0 + b]), a0);
      a1 = p1.fma(FloatVector.broadcast(F, s[s1 + b]), a1);
      a2 = p2.fma(FloatVector.broadcast(F, s[s2 + b]), a2);
      a3 = p3.fma(FloatVector.broadcast(F, s[s3 + b]), a3);
    }
    out[0] = VecMath.foldLanes(a0);
    out[1] = VecMath.foldLanes(a1);
    out[2] = VecMath.foldLanes(a2);
    out[3] = VecMath.foldLanes(a3);
  }

  /*
   * The nibble kernels step through a row L bytes at a time (no inner loop per block: a loop of
   * one trip, as at L = 16, costs C2 a third of the speed). Σ_b d_b·Σ_b x is added after the loop.
   * Q4_0 and int4g128 have one kernel each although they differ only in the group size and the
   * zero point: one shared kernel with the group size as an argument ran Q4_0 at 60% of the speed
   * of its own kernel (bench/quant_kernels_ab.java), the two call sites' constants no longer folded.
   */

  /**
   * Q4_0's inputs rewritten per block of 32 so that a byte needs one mask and no shift: with u a
   * byte (zero-extended, u = lo + 16·hi), lo·x_j + hi·x_{16+j} = lo·(x_j − x_{16+j}/16) + u·(x_{16+j}/16).
   * {@code out[32b + j] = x_j − x_{16+j}/16}, {@code out[32b + 16 + j] = x_{16+j}/16} (j < 16); the
   * division by 16 is exact.
   */
  private static void splitQ4_0Inputs(float[] x, int xb, int in, float[] out, int off) {
    FloatVector sixteenth = FloatVector.broadcast(F, 1f / 16);
    for (int b = 0; b < in; b += 32) {
      for (int j = 0; j < 16; j += L) {
        FloatVector hi = FloatVector.fromArray(F, x, xb + b + 16 + j).mul(sixteenth);
        FloatVector.fromArray(F, x, xb + b + j).sub(hi).intoArray(out, off + b + j);
        hi.intoArray(out, off + b + 16 + j);
      }
    }
  }

  /**
   * Nibbles n stored with an offset of 8: {@code Σ_b d_b·Σ_{i in b} n_i·x_i − 8·Σ_b d_b·Σ_{i in b} x_i},
   * x in the split form of {@link #splitQ4_0Inputs} for the first term, plain in {@code sums}.
   */
  private static void dotQ4_0(byte[] q, float[] s, int in, int o, int o2, float[] x, int xb, float[] sums, int so, float[] out) {
    int nb = in / 32, half = in / 2, qa = o * half, qb = o2 * half, sa = o * nb, sb = o2 * nb;
    FloatVector acc = FloatVector.zero(F), acc2 = FloatVector.zero(F);
    for (int c = 0; c < half; c += L) {
      int b = c >> 4, xo = xb + (b << 5) + (c & 15);  // block b: bytes [16b, 16b + 16), low nibbles x[32b + j], high x[32b + 16 + j]
      FloatVector lo = FloatVector.fromArray(F, x, xo), hi = FloatVector.fromArray(F, x, xo + 16);
      IntVector v = (IntVector) ByteVector.fromArray(B, q, qa + c).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
      IntVector v2 = (IntVector) ByteVector.fromArray(B, q, qb + c).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
      FloatVector u = (FloatVector) v.convert(VectorOperators.I2F, 0), n = (FloatVector) v.and(0x0F).convert(VectorOperators.I2F, 0);
      FloatVector u2 = (FloatVector) v2.convert(VectorOperators.I2F, 0), n2 = (FloatVector) v2.and(0x0F).convert(VectorOperators.I2F, 0);
      acc = u.fma(hi, n.mul(lo)).fma(FloatVector.broadcast(F, s[sa + b]), acc);
      acc2 = u2.fma(hi, n2.mul(lo)).fma(FloatVector.broadcast(F, s[sb + b]), acc2);
    }
    // −8·Σ_b d_b·Σx_b, L blocks at a time into the same accumulators, then the last blocks in two
    // chains. (One scalar chain of nb dependent FMAs cost as much as the nibble loop itself at
    // in = 1376, where a row has 43 blocks: a 4-cycle latency per block.)
    FloatVector m8 = FloatVector.broadcast(F, -8f);
    int b = 0;
    for (; b + L <= nb; b += L) {
      FloatVector sv = FloatVector.fromArray(F, sums, so + b).mul(m8);
      acc = FloatVector.fromArray(F, s, sa + b).fma(sv, acc);
      acc2 = FloatVector.fromArray(F, s, sb + b).fma(sv, acc2);
    }
    float p0 = 0, p1 = 0, r0 = 0, r1 = 0;
    for (; b + 2 <= nb; b += 2) {
      p0 = Math.fma(s[sa + b], sums[so + b], p0);
      p1 = Math.fma(s[sa + b + 1], sums[so + b + 1], p1);
      r0 = Math.fma(s[sb + b], sums[so + b], r0);
      r1 = Math.fma(s[sb + b + 1], sums[so + b + 1], r1);
    }
    if (b < nb) {
      p0 = Math.fma(s[sa + b], sums[so + b], p0);
      r0 = Math.fma(s[sb + b], sums[so + b], r0);
    }
    out[0] = VecMath.foldLanes(acc) - 8 * (p0 + p1);
    out[1] = VecMath.foldLanes(acc2) - 8 * (r0 + r1);
  }

  /**
   * Nibbles n with a zero point z per group of 128: {@code Σ_g d_g·Σ_{i in g} n_i·x_i − Σ_g d_g·z_g·Σ_{i in g} x_i}.
   * A short last group of r weights (h = ⌈r/2⌉ bytes) runs its first ⌊r/2⌋ bytes rounded down to
   * whole vectors through the vector loop (low nibbles x[.. + j], high x[.. + h + j]) and the rest
   * element by element; an odd r's last high nibble is padding and is skipped.
   */
  private static void dotInt4(byte[] q, float[] s, byte[] z, int in, int o, int o2, float[] x, int xb, float[] sums, int so,
      float[] out) {
    int full = in / 128, ng = (in + 127) / 128, rowQ = (in + 1) / 2, qa = o * rowQ, qb = o2 * rowQ, sa = o * ng, sb = o2 * ng;
    FloatVector acc = FloatVector.zero(F), acc2 = FloatVector.zero(F);
    for (int c = 0; c < full * 64; c += L) {
      int g = c >> 6, xo = xb + (g << 7) + (c & 63);  // group g: bytes [64g, 64g + 64), low nibbles x[128g + j], high x[128g + 64 + j]
      FloatVector lo = FloatVector.fromArray(F, x, xo), hi = FloatVector.fromArray(F, x, xo + 64);
      IntVector v = (IntVector) ByteVector.fromArray(B, q, qa + c).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
      IntVector v2 = (IntVector) ByteVector.fromArray(B, q, qb + c).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
      FloatVector n = (FloatVector) v.and(0x0F).convert(VectorOperators.I2F, 0), m = (FloatVector) v.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0);
      FloatVector n2 = (FloatVector) v2.and(0x0F).convert(VectorOperators.I2F, 0), m2 = (FloatVector) v2.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0);
      acc = m.fma(hi, n.mul(lo)).fma(FloatVector.broadcast(F, s[sa + g]), acc);
      acc2 = m2.fma(hi, n2.mul(lo)).fma(FloatVector.broadcast(F, s[sb + g]), acc2);
    }
    float tail = 0, tail2 = 0;
    int r = in - full * 128;
    if (r > 0) {
      int h = (r + 1) / 2, bound = F.loopBound(r / 2), q0 = full * 64, xo = xb + full * 128, j = 0;
      FloatVector ds = FloatVector.broadcast(F, s[sa + full]), ds2 = FloatVector.broadcast(F, s[sb + full]);
      for (; j < bound; j += L) {
        FloatVector lo = FloatVector.fromArray(F, x, xo + j), hi = FloatVector.fromArray(F, x, xo + h + j);
        IntVector v = (IntVector) ByteVector.fromArray(B, q, qa + q0 + j).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
        IntVector v2 = (IntVector) ByteVector.fromArray(B, q, qb + q0 + j).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
        FloatVector n = (FloatVector) v.and(0x0F).convert(VectorOperators.I2F, 0), m = (FloatVector) v.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0);
        FloatVector n2 = (FloatVector) v2.and(0x0F).convert(VectorOperators.I2F, 0), m2 = (FloatVector) v2.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0);
        acc = m.fma(hi, n.mul(lo)).fma(ds, acc);
        acc2 = m2.fma(hi, n2.mul(lo)).fma(ds2, acc2);
      }
      float p = 0, p2 = 0;
      for (; j < h; j++) {
        int v = q[qa + q0 + j], v2 = q[qb + q0 + j];
        p = Math.fma(v & 0x0F, x[xo + j], p);
        p2 = Math.fma(v2 & 0x0F, x[xo + j], p2);
        if (j + h < r) {
          p = Math.fma((v >> 4) & 0x0F, x[xo + h + j], p);
          p2 = Math.fma((v2 >> 4) & 0x0F, x[xo + h + j], p2);
        }
      }
      tail = s[sa + full] * p;
      tail2 = s[sb + full] * p2;
    }
    float corr = 0, corr2 = 0;
    for (int g = 0; g < ng; g++) {
      corr = Math.fma(s[sa + g] * z[sa + g], sums[so + g], corr);
      corr2 = Math.fma(s[sb + g] * z[sb + g], sums[so + g], corr2);
    }
    out[0] = VecMath.foldLanes(acc) + tail - corr;
    out[1] = VecMath.foldLanes(acc2) + tail2 - corr2;
  }

  /** {@link #dotInt8} for rows o..o+3 against one input. */
  private static void dotInt8x4(byte[] q, float[] s, int in, int o, float[] x, int xb, float[] out) {
    int q0 = o * in, q1 = q0 + in, q2 = q1 + in, q3 = q2 + in, bound = B.loopBound(in), i = 0;
    FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
    for (; i < bound; i += L) {
      FloatVector xv = FloatVector.fromArray(F, x, xb + i);
      a0 = ((FloatVector) ByteVector.fromArray(B, q, q0 + i).convertShape(VectorOperators.B2F, F, 0)).fma(xv, a0);
      a1 = ((FloatVector) ByteVector.fromArray(B, q, q1 + i).convertShape(VectorOperators.B2F, F, 0)).fma(xv, a1);
      a2 = ((FloatVector) ByteVector.fromArray(B, q, q2 + i).convertShape(VectorOperators.B2F, F, 0)).fma(xv, a2);
      a3 = ((FloatVector) ByteVector.fromArray(B, q, q3 + i).convertShape(VectorOperators.B2F, F, 0)).fma(xv, a3);
    }
    float t0 = VecMath.foldLanes(a0), t1 = VecMath.foldLanes(a1), t2 = VecMath.foldLanes(a2), t3 = VecMath.foldLanes(a3);
    for (; i < in; i++) {
      float xi = x[xb + i];
      t0 = Math.fma(q[q0 + i], xi, t0);
      t1 = Math.fma(q[q1 + i], xi, t1);
      t2 = Math.fma(q[q2 + i], xi, t2);
      t3 = Math.fma(q[q3 + i], xi, t3);
    }
    out[0] = s[o] * t0;
    out[1] = s[o + 1] * t1;
    out[2] = s[o + 2] * t2;
    out[3] = s[o + 3] * t3;
  }

  private static void dotInt8(byte[] q, float[] s, int in, int o, int o2, float[] x, int xb, float[] out) {
    int qa = o * in, qb = o2 * in, bound = B.loopBound(in), i = 0;
    FloatVector acc = FloatVector.zero(F), acc2 = FloatVector.zero(F);
    for (; i < bound; i += L) {
      FloatVector xv = FloatVector.fromArray(F, x, xb + i);
      acc = ((FloatVector) ByteVector.fromArray(B, q, qa + i).convertShape(VectorOperators.B2F, F, 0)).fma(xv, acc);
      acc2 = ((FloatVector) ByteVector.fromArray(B, q, qb + i).convertShape(VectorOperators.B2F, F, 0)).fma(xv, acc2);
    }
    float t = VecMath.foldLanes(acc), t2 = VecMath.foldLanes(acc2);
    for (; i < in; i++) {
      t = Math.fma(q[qa + i], x[xb + i], t);
      t2 = Math.fma(q[qb + i], x[xb + i], t2);
    }
    out[0] = s[o] * t;
    out[1] = s[o2] * t2;
  }

  /** {@code Σ a[i] · x[xb + i]} for i in [0, n): lane partials with fma, a halving fold, the tail in order. */
  private static float dot(float[] a, float[] x, int xb, int n) {
    int bound = F.loopBound(n), i = 0;
    FloatVector acc = FloatVector.zero(F);
    for (; i < bound; i += L) acc = FloatVector.fromArray(F, a, i).fma(FloatVector.fromArray(F, x, xb + i), acc);
    float t = VecMath.foldLanes(acc);
    for (; i < n; i++) t = Math.fma(a[i], x[xb + i], t);
    return t;
  }

  /** Row o of a Q8_0 matrix as floats, to {@code out[off..off + in)}. */
  public static void dequantizeQ8_0(byte[] q, float[] s, int in, int o, float[] out, int off) {
    int nb = in / 32;
    for (int b = 0; b < nb; b++) {
      float d = s[o * nb + b];
      for (int j = 0; j < 32; j++) out[off + b * 32 + j] = d * q[o * in + b * 32 + j];
    }
  }

  /** Row o of a Q4_0 matrix as floats. */
  public static void dequantizeQ4_0(byte[] q, float[] s, int in, int o, float[] out, int off) {
    int nb = in / 32;
    for (int b = 0; b < nb; b++) {
      float d = s[o * nb + b];
      int qo = o * (in / 2) + b * 16, ob = off + b * 32;
      for (int j = 0; j < 16; j++) {
        out[ob + j] = d * ((q[qo + j] & 0x0F) - 8);
        out[ob + j + 16] = d * (((q[qo + j] >> 4) & 0x0F) - 8);
      }
    }
  }

  /** Row o of an int8 per-channel matrix as floats. */
  public static void dequantizeInt8(byte[] q, float[] s, int in, int o, float[] out, int off) {
    float so = s[o];
    for (int i = 0; i < in; i++) out[off + i] = so * q[o * in + i];
  }

  /** Row o of an int4g128 matrix as floats (a short last group included). */
  public static void dequantizeInt4g128(byte[] q, float[] s, byte[] z, int in, int o, float[] out, int off) {
    int ng = (in + 127) / 128, qo = o * ((in + 1) / 2);
    for (int g = 0; g < ng; g++) {
      float d = s[o * ng + g];
      int zero = z[o * ng + g], n = Math.min(128, in - g * 128), h = (n + 1) / 2, ob = off + g * 128;
      for (int j = 0; j < h; j++) {
        out[ob + j] = d * ((q[qo + j] & 0x0F) - zero);
        if (j + h < n) out[ob + j + h] = d * (((q[qo + j] >> 4) & 0x0F) - zero);
      }
      qo += h;
    }
  }
}

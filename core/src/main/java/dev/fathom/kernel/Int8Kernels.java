package dev.fathom.kernel;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Integer products for W8A8 (int8 weights × int8 activations, LLM.int8 / SmoothQuant style):
 * {@code y[r, o] = sx[r] · sw[o] · Σ_i qx[r, i] · qw[o, i]} with the sum taken exactly in int32 and
 * one float rescale per (token, output).
 *
 * <p>The Vector API has no byte dot-product instruction (vpdpbusd), so the vector path loads
 * half-width byte vectors, sign-extends them to 16-bit lanes, multiplies in 16 bits (|q| ≤ 127,
 * so a product fits: 127² = 16129), and widens the products to 32-bit lanes for the sum. Integer
 * addition is associative, so the vector kernel and its scalar twin ({@link ScalarInt8Kernels})
 * agree bit for bit; every call goes to the twin when {@link Kernels#scalarOnly()} is set.
 * The int32 sum cannot overflow for in-features below 2³¹ / 127² ≈ 133,000.
 */
public final class Int8Kernels {
  private static final int BITS = Kernels.F.vectorBitSize();
  private static final VectorSpecies<Byte> B = BITS >= 256 ? VectorSpecies.of(byte.class, VectorShape.forBitSize(BITS / 2)) : null;
  private static final VectorSpecies<Short> S = B != null ? VectorSpecies.of(short.class, VectorShape.forBitSize(BITS)) : null;
  private static final VectorSpecies<Integer> I = B != null ? VectorSpecies.of(int.class, VectorShape.forBitSize(BITS)) : null;
  private static final boolean VECTOR = B != null && !Kernels.scalarOnly();
  /** The largest in-features whose int32 sums cannot overflow. */
  public static final int MAX_IN = Integer.MAX_VALUE / (127 * 127);

  private Int8Kernels() {}

  /** {@code Σ_{i < n} a[aOff + i] · b[bOff + i]}, exact in int32 (codes in [−127, 127], n ≤ {@link #MAX_IN}). */
  public static int dot(byte[] a, int aOff, byte[] b, int bOff, int n) {
    if (!VECTOR) return ScalarInt8Kernels.dot(a, aOff, b, bOff, n);
    int step = B.length(), bound = n - n % step, i = 0;
    IntVector acc = IntVector.zero(I);
    for (; i < bound; i += step) {
      ShortVector x = (ShortVector) ByteVector.fromArray(B, a, aOff + i).convertShape(VectorOperators.B2S, S, 0);
      ShortVector w = (ShortVector) ByteVector.fromArray(B, b, bOff + i).convertShape(VectorOperators.B2S, S, 0);
      ShortVector p = x.mul(w);  // (step) 16-bit products
      acc = acc.add(p.convertShape(VectorOperators.S2I, I, 0)).add(p.convertShape(VectorOperators.S2I, I, 1));
    }
    int t = acc.reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) t += a[aOff + i] * b[bOff + i];
    return t;
  }

  /**
   * W8A8 rows: for outputs o in [o0, o1) and tokens r in [0, batch),
   * {@code y[yOff + r·yStride + o] (+)= (float) Σ_i qx[r·in + i]·qw[o·in + i] · (sx[r]·sw[o]) + bias[bOff + o]}.
   * Single-threaded; callers split the rows.
   *
   * @param qx activation codes (batch, in) row-major; sx their per-token scales
   * @param qw weight codes (out, in) row-major; sw their per-output-channel scales
   * @param bias null for none
   */
  public static void w8a8(byte[] qx, float[] sx, int batch, byte[] qw, float[] sw, int in, float[] bias, int bOff, float[] y, int yOff,
      int yStride, int o0, int o1, boolean accumulate) {
    ScalarInt8Kernels.rows(VECTOR ? Int8Kernels::dot : ScalarInt8Kernels::dot, qx, sx, batch, qw, sw, in, bias, bOff, y, yOff, yStride, o0,
        o1, accumulate);
  }
}

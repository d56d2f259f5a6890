package dev.fathom.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * A vector e^x built only from IEEE-exact lane operations (add, mul, compare, blend, integer
 * shifts), so it gives the same bits interpreted and JIT-compiled. The JDK's
 * {@code VectorOperators.EXP} does not: compiled code calls SVML, the interpreter a Java
 * fallback, and a training run would then depend on when the JIT kicked in.
 *
 * <p>Method (Cephes expf): n = floor(x·log2 e + 1/2), r = x − n·ln 2 in two parts, e^r by a
 * degree-6 polynomial, times 2^n built in the exponent bits (as two factors, so n = 128 does not
 * overflow the exponent field). Error about 1 ulp over
 * [−87.3, 88.7]; below that the result is 0, above it +∞; NaN stays NaN.
 */
final class VecExp {
  private VecExp() {}

  private static final float HI = 88.72283f, LO = -87.33654f;

  static FloatVector exp(FloatVector x) {
    var s = x.species();
    VectorMask<Float> over = x.compare(VectorOperators.GT, HI);
    VectorMask<Float> under = x.compare(VectorOperators.LT, LO);
    FloatVector c = x.max(LO).min(HI);
    FloatVector t = c.mul(1.44269504088896341f).add(0.5f);
    IntVector ti = (IntVector) t.convert(VectorOperators.F2I, 0);
    FloatVector fl = (FloatVector) ti.convert(VectorOperators.I2F, 0);
    fl = fl.sub(FloatVector.broadcast(s, 1f), fl.compare(VectorOperators.GT, t));  // floor for negatives
    FloatVector r = c.sub(fl.mul(0.693359375f)).sub(fl.mul(-2.12194440e-4f));
    FloatVector z = r.mul(r);
    FloatVector p = r.mul(1.9875691500E-4f).add(1.3981999507E-3f);
    p = p.mul(r).add(8.3334519073E-3f);
    p = p.mul(r).add(4.1665795894E-2f);
    p = p.mul(r).add(1.6666665459E-1f);
    p = p.mul(r).add(5.0000001201E-1f);
    p = p.mul(z).add(r).add(1f);
    IntVector n = (IntVector) fl.convert(VectorOperators.F2I, 0);
    IntVector n1 = n.lanewise(VectorOperators.ASHR, 1), n2 = n.sub(n1);  // 2^n = 2^n1 · 2^n2, each factor normal
    FloatVector y = p.mul(n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
        .mul(n2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
    y = y.blend(0f, under);
    return y.blend(Float.POSITIVE_INFINITY, over);
  }

  /** Scalar form of the same algorithm (for tails and tests). */
  static float exp(float x) {
    if (Float.isNaN(x)) return x;
    if (x > HI) return Float.POSITIVE_INFINITY;
    if (x < LO) return 0f;
    float t = x * 1.44269504088896341f + 0.5f;
    float fl = (float) (int) t;
    if (fl > t) fl -= 1f;
    float r = x - fl * 0.693359375f - fl * -2.12194440e-4f;
    float z = r * r;
    float p = r * 1.9875691500E-4f + 1.3981999507E-3f;
    p = p * r + 8.3334519073E-3f;
    p = p * r + 4.1665795894E-2f;
    p = p * r + 1.6666665459E-1f;
    p = p * r + 5.0000001201E-1f;
    p = p * z + r + 1f;
    int n = (int) fl, n1 = n >> 1, n2 = n - n1;
    return p * Float.intBitsToFloat((n1 + 127) << 23) * Float.intBitsToFloat((n2 + 127) << 23);
  }
}

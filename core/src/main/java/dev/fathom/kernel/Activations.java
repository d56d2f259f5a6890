package dev.fathom.kernel;

import java.util.Objects;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API kernels of the smooth activations and their gradients, each in one pass over
 * contiguous arrays: SiLU, GELU (exact erf form and tanh form) and the fused SwiGLU gate
 * {@code silu(gate)·up} with both of its input gradients. {@link ScalarActivations} is the
 * scalar twin (same float formulas, same operation order), taken when
 * {@link Kernels#scalarOnly()} is set.
 *
 * <p>Arrays are addressed as {@code (array, offset)} with a shared length {@code n}; an output
 * may alias an input exactly. Transcendentals are built from exact lane operations only:
 * e^x is {@link VecExp}, {@code tanh(u) = 1 − 2/(e^{2u} + 1)} and erf is Abramowitz–Stegun
 * 7.1.26 (|error| ≤ 1.5e-7) on top of it, never {@code VectorOperators.EXP/TANH}, whose bits
 * differ between interpreter and JIT. The last partial vector runs the same code under a mask,
 * so results do not depend on where a parallel chunk begins. Each method throws
 * {@link IndexOutOfBoundsException} when a range does not fit its array, before writing.
 */
public final class Activations {

  private static final VectorSpecies<Float> F = Kernels.F;
  private static final int L = F.length();
  private static final int GRAIN = 1 << 14;
  private static final int PARALLEL_MIN = 2 * GRAIN;
  private static final FloatVector ONE = FloatVector.broadcast(F, 1f);
  private static final float RSQRT2 = 0.70710678118654752f;
  private static final float RSQRT2PI = 0.39894228040143268f;
  private static final float SQRT2PI = 0.79788456080286536f;
  private static final float C3 = 0.044715f;

  private Activations() {}

  /** {@code out[i] = x[i]·σ(x[i])} (SiLU, swish). */
  public static void silu(float[] x, int xOff, float[] out, int outOff, int n) {
    check(x, xOff, n);
    check(out, outOff, n);
    if (Kernels.scalarOnly()) {
      ScalarActivations.silu(x, xOff, out, outOff, n);
    } else if (n < PARALLEL_MIN) {
      siluRange(x, xOff, out, outOff, 0, n);
    } else {
      Parallel.forRange(n, GRAIN, (s, e) -> siluRange(x, xOff, out, outOff, s, e));
    }
  }

  private static void siluRange(float[] xArr, int xOff, float[] outArr, int outOff, int from, int to) {
    for (int i = from; i < to; i += L) {
      VectorMask<Float> m = F.indexInRange(i, to);
      FloatVector x = FloatVector.fromArray(F, xArr, xOff + i, m);
      FloatVector s = sigmoid(x);
      FloatVector out = x.mul(s);
      out.intoArray(outArr, outOff + i, m);
    }
  }

  /** Gradient of {@link #silu}: {@code dx[i] = grad[i]·σ(x)·(1 + x·(1 − σ(x)))}. */
  public static void siluBackward(float[] grad, int gradOff, float[] x, int xOff, float[] dx, int dxOff, int n) {
    check(grad, gradOff, n);
    check(x, xOff, n);
    check(dx, dxOff, n);
    if (Kernels.scalarOnly()) {
      ScalarActivations.siluBackward(grad, gradOff, x, xOff, dx, dxOff, n);
    } else if (n < PARALLEL_MIN) {
      siluBackwardRange(grad, gradOff, x, xOff, dx, dxOff, 0, n);
    } else {
      Parallel.forRange(n, GRAIN, (s, e) -> siluBackwardRange(grad, gradOff, x, xOff, dx, dxOff, s, e));
    }
  }

  private static void siluBackwardRange(float[] gradArr, int gradOff, float[] xArr, int xOff, float[] dxArr, int dxOff, int from, int to) {
    for (int i = from; i < to; i += L) {
      VectorMask<Float> m = F.indexInRange(i, to);
      FloatVector grad = FloatVector.fromArray(F, gradArr, gradOff + i, m);
      FloatVector x = FloatVector.fromArray(F, xArr, xOff + i, m);
      FloatVector s = sigmoid(x);
      FloatVector dx = grad.mul(s.mul(x.mul(ONE.sub(s)).add(1f)));
      dx.intoArray(dxArr, dxOff + i, m);
    }
  }

  /** {@code out[i] = x·Φ(x) = ½·x·(1 + erf(x/√2))} (exact GELU; erf to about 1.5e-7). */
  public static void gelu(float[] x, int xOff, float[] out, int outOff, int n) {
    check(x, xOff, n);
    check(out, outOff, n);
    if (Kernels.scalarOnly()) {
      ScalarActivations.gelu(x, xOff, out, outOff, n);
    } else if (n < PARALLEL_MIN) {
      geluRange(x, xOff, out, outOff, 0, n);
    } else {
      Parallel.forRange(n, GRAIN, (s, e) -> geluRange(x, xOff, out, outOff, s, e));
    }
  }

  private static void geluRange(float[] xArr, int xOff, float[] outArr, int outOff, int from, int to) {
    for (int i = from; i < to; i += L) {
      VectorMask<Float> m = F.indexInRange(i, to);
      FloatVector x = FloatVector.fromArray(F, xArr, xOff + i, m);
      FloatVector out = x.mul(0.5f).mul(erf(x.mul(RSQRT2)).add(1f));
      out.intoArray(outArr, outOff + i, m);
    }
  }

  /** Gradient of {@link #gelu}: {@code dx = grad·(Φ(x) + x·φ(x))}, φ the standard normal density. */
  public static void geluBackward(float[] grad, int gradOff, float[] x, int xOff, float[] dx, int dxOff, int n) {
    check(grad, gradOff, n);
    check(x, xOff, n);
    check(dx, dxOff, n);
    if (Kernels.scalarOnly()) {
      ScalarActivations.geluBackward(grad, gradOff, x, xOff, dx, dxOff, n);
    } else if (n < PARALLEL_MIN) {
      geluBackwardRange(grad, gradOff, x, xOff, dx, dxOff, 0, n);
    } else {
      Parallel.forRange(n, GRAIN, (s, e) -> geluBackwardRange(grad, gradOff, x, xOff, dx, dxOff, s, e));
    }
  }

  private static void geluBackwardRange(float[] gradArr, int gradOff, float[] xArr, int xOff, float[] dxArr, int dxOff, int from, int to) {
    for (int i = from; i < to; i += L) {
      VectorMask<Float> m = F.indexInRange(i, to);
      FloatVector grad = FloatVector.fromArray(F, gradArr, gradOff + i, m);
      FloatVector x = FloatVector.fromArray(F, xArr, xOff + i, m);
      FloatVector cdf = erf(x.mul(RSQRT2)).add(1f).mul(0.5f);
      FloatVector pdf = VecExp.exp(x.mul(x).mul(-0.5f)).mul(RSQRT2PI);
      FloatVector dx = grad.mul(x.mul(pdf).add(cdf));
      dx.intoArray(dxArr, dxOff + i, m);
    }
  }

  /** {@code out[i] = ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))} (GELU, tanh approximation). */
  public static void geluTanh(float[] x, int xOff, float[] out, int outOff, int n) {
    check(x, xOff, n);
    check(out, outOff, n);
    if (Kernels.scalarOnly()) {
      ScalarActivations.geluTanh(x, xOff, out, outOff, n);
    } else if (n < PARALLEL_MIN) {
      geluTanhRange(x, xOff, out, outOff, 0, n);
    } else {
      Parallel.forRange(n, GRAIN, (s, e) -> geluTanhRange(x, xOff, out, outOff, s, e));
    }
  }

  private static void geluTanhRange(float[] xArr, int xOff, float[] outArr, int outOff, int from, int to) {
    for (int i = from; i < to; i += L) {
      VectorMask<Float> m = F.indexInRange(i, to);
      FloatVector x = FloatVector.fromArray(F, xArr, xOff + i, m);
      FloatVector t = tanh(x.mul(x).mul(x).mul(C3).add(x).mul(SQRT2PI));
      FloatVector out = x.mul(0.5f).mul(t.add(1f));
      out.intoArray(outArr, outOff + i, m);
    }
  }

  /** Gradient of {@link #geluTanh}: {@code dx = grad·(½(1 + t) + ½·x·(1 − t²)·√(2/π)·(1 + 3·0.044715·x²))}. */
  public static void geluTanhBackward(float[] grad, int gradOff, float[] x, int xOff, float[] dx, int dxOff, int n) {
    check(grad, gradOff, n);
    check(x, xOff, n);
    check(dx, dxOff, n);
    if (Kernels.scalarOnly()) {
      ScalarActivations.geluTanhBackward(grad, gradOff, x, xOff, dx, dxOff, n);
    } else if (n < PARALLEL_MIN) {
      geluTanhBackwardRange(grad, gradOff, x, xOff, dx, dxOff, 0, n);
    } else {
      Parallel.forRange(n, GRAIN, (s, e) -> geluTanhBackwardRange(grad, gradOff, x, xOff, dx, dxOff, s, e));
    }
  }

  private static void geluTanhBackwardRange(float[] gradArr, int gradOff, float[] xArr, int xOff, float[] dxArr, int dxOff, int from, int to) {
    for (int i = from; i < to; i += L) {
      VectorMask<Float> m = F.indexInRange(i, to);
      FloatVector grad = FloatVector.fromArray(F, gradArr, gradOff + i, m);
      FloatVector x = FloatVector.fromArray(F, xArr, xOff + i, m);
      FloatVector x2 = x.mul(x);
      FloatVector t = tanh(x2.mul(x).mul(C3).add(x).mul(SQRT2PI));
      FloatVector du = x2.mul(3f * C3).add(1f).mul(SQRT2PI);
      FloatVector d = t.add(1f).add(x.mul(ONE.sub(t.mul(t))).mul(du)).mul(0.5f);
      FloatVector dx = grad.mul(d);
      dx.intoArray(dxArr, dxOff + i, m);
    }
  }

  /** {@code out[i] = silu(gate[i])·up[i]} (the SwiGLU gate of a Llama MLP) in one pass. */
  public static void swiglu(float[] gate, int gateOff, float[] up, int upOff, float[] out, int outOff, int n) {
    check(gate, gateOff, n);
    check(up, upOff, n);
    check(out, outOff, n);
    if (Kernels.scalarOnly()) {
      ScalarActivations.swiglu(gate, gateOff, up, upOff, out, outOff, n);
    } else if (n < PARALLEL_MIN) {
      swigluRange(gate, gateOff, up, upOff, out, outOff, 0, n);
    } else {
      Parallel.forRange(n, GRAIN, (s, e) -> swigluRange(gate, gateOff, up, upOff, out, outOff, s, e));
    }
  }

  private static void swigluRange(float[] gateArr, int gateOff, float[] upArr, int upOff, float[] outArr, int outOff, int from, int to) {
    for (int i = from; i < to; i += L) {
      VectorMask<Float> m = F.indexInRange(i, to);
      FloatVector gate = FloatVector.fromArray(F, gateArr, gateOff + i, m);
      FloatVector up = FloatVector.fromArray(F, upArr, upOff + i, m);
      FloatVector out = gate.mul(sigmoid(gate)).mul(up);
      out.intoArray(outArr, outOff + i, m);
    }
  }

  /** Both gradients of {@link #swiglu} in one pass: {@code dGate = grad·up·σ(g)·(1 + g·(1 − σ(g)))}, {@code dUp = grad·g·σ(g)}. */
  public static void swigluBackward(float[] grad, int gradOff, float[] gate, int gateOff, float[] up, int upOff, float[] dGate, int dGateOff, float[] dUp, int dUpOff, int n) {
    check(grad, gradOff, n);
    check(gate, gateOff, n);
    check(up, upOff, n);
    check(dGate, dGateOff, n);
    check(dUp, dUpOff, n);
    if (Kernels.scalarOnly()) {
      ScalarActivations.swigluBackward(grad, gradOff, gate, gateOff, up, upOff, dGate, dGateOff, dUp, dUpOff, n);
    } else if (n < PARALLEL_MIN) {
      swigluBackwardRange(grad, gradOff, gate, gateOff, up, upOff, dGate, dGateOff, dUp, dUpOff, 0, n);
    } else {
      Parallel.forRange(n, GRAIN, (s, e) -> swigluBackwardRange(grad, gradOff, gate, gateOff, up, upOff, dGate, dGateOff, dUp, dUpOff, s, e));
    }
  }

  private static void swigluBackwardRange(float[] gradArr, int gradOff, float[] gateArr, int gateOff, float[] upArr, int upOff, float[] dGateArr, int dGateOff, float[] dUpArr, int dUpOff, int from, int to) {
    for (int i = from; i < to; i += L) {
      VectorMask<Float> m = F.indexInRange(i, to);
      FloatVector grad = FloatVector.fromArray(F, gradArr, gradOff + i, m);
      FloatVector gate = FloatVector.fromArray(F, gateArr, gateOff + i, m);
      FloatVector up = FloatVector.fromArray(F, upArr, upOff + i, m);
      FloatVector s = sigmoid(gate);
      FloatVector dUp = grad.mul(gate.mul(s));
      FloatVector dGate = grad.mul(up).mul(s.mul(gate.mul(ONE.sub(s)).add(1f)));
      dGate.intoArray(dGateArr, dGateOff + i, m);
      dUp.intoArray(dUpArr, dUpOff + i, m);
    }
  }

  /** 1 / (1 + e^−v); exactly 0 below about −88. */
  private static FloatVector sigmoid(FloatVector v) {
    return ONE.div(VecExp.exp(v.neg()).add(1f));
  }

  /** tanh(u) = 1 − 2 / (e^{2u} + 1): ±1 exactly once e^{2u} over- or underflows. */
  private static FloatVector tanh(FloatVector u) {
    return ONE.sub(FloatVector.broadcast(F, 2f).div(VecExp.exp(u.add(u)).add(1f)));
  }

  /** erf(z), Abramowitz–Stegun 7.1.26: |error| ≤ 1.5e-7, odd in z. */
  private static FloatVector erf(FloatVector z) {
    FloatVector a = z.abs();
    FloatVector t = ONE.div(a.mul(0.3275911f).add(1f));
    FloatVector p = t.mul(1.061405429f).sub(1.453152027f);
    p = p.mul(t).add(1.421413741f);
    p = p.mul(t).sub(0.284496736f);
    p = p.mul(t).add(0.254829592f);
    FloatVector y = ONE.sub(p.mul(t).mul(VecExp.exp(a.mul(a).neg())));
    return y.blend(y.neg(), z.compare(VectorOperators.LT, 0f));
  }

  private static void check(float[] a, int off, int n) {
    Objects.checkFromIndexSize(off, n, a.length);
  }
}

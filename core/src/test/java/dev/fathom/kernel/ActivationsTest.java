package dev.fathom.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Activations} against its scalar twin {@link ScalarActivations}: bitwise, at awkward
 * sizes (around the vector width, and above the parallel threshold), with offsets and in place;
 * plus special values. Accuracy against the textbook formulas is in
 * {@code dev.fathom.nn.FusedActivationTest}.
 */
class ActivationsTest {

  private static final int[] SIZES = {1, 7, 8, 9, 15, 16, 17, 31, 1023, 40_001};
  private static final int OFF = 3;

  @FunctionalInterface
  private interface One {
    void apply(float[] x, int xOff, float[] out, int outOff, int n);
  }

  @FunctionalInterface
  private interface Two {
    void apply(float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int n);
  }

  private static float[] random(SplittableRandom r, int n, double scale) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) x[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
    return x;
  }

  private static void one(String name, One vec, One ref) {
    SplittableRandom r = new SplittableRandom(name.hashCode());
    for (int n : SIZES) {
      float[] x = random(r, n + OFF, 12);
      float[] out = new float[n + 1], want = new float[n + 1];
      vec.apply(x, OFF, out, 1, n);
      ref.apply(x, OFF, want, 1, n);
      assertArrayEquals(want, out, name + " n=" + n);
      vec.apply(x, OFF, x, OFF, n);
      assertArrayEquals(Arrays.copyOfRange(want, 1, n + 1), Arrays.copyOfRange(x, OFF, OFF + n),
          name + " in place n=" + n);
    }
  }

  private static void two(String name, Two vec, Two ref) {
    SplittableRandom r = new SplittableRandom(name.hashCode());
    for (int n : SIZES) {
      float[] a = random(r, n + OFF, 12), b = random(r, n + 2 * OFF, 3);
      float[] out = new float[n + 1], want = new float[n + 1];
      vec.apply(a, OFF, b, 2 * OFF, out, 1, n);
      ref.apply(a, OFF, b, 2 * OFF, want, 1, n);
      assertArrayEquals(want, out, name + " n=" + n);
    }
  }

  @Test
  void forwardKernelsMatchScalarTwinBitwise() {
    one("silu", Activations::silu, ScalarActivations::silu);
    one("gelu", Activations::gelu, ScalarActivations::gelu);
    one("geluTanh", Activations::geluTanh, ScalarActivations::geluTanh);
    two("swiglu", Activations::swiglu, ScalarActivations::swiglu);
  }

  @Test
  void backwardKernelsMatchScalarTwinBitwise() {
    two("siluBackward", (g, go, x, xo, o, oo, n) -> Activations.siluBackward(x, xo, g, go, o, oo, n),
        (g, go, x, xo, o, oo, n) -> ScalarActivations.siluBackward(x, xo, g, go, o, oo, n));
    two("geluBackward", (g, go, x, xo, o, oo, n) -> Activations.geluBackward(x, xo, g, go, o, oo, n),
        (g, go, x, xo, o, oo, n) -> ScalarActivations.geluBackward(x, xo, g, go, o, oo, n));
    two("geluTanhBackward",
        (g, go, x, xo, o, oo, n) -> Activations.geluTanhBackward(x, xo, g, go, o, oo, n),
        (g, go, x, xo, o, oo, n) -> ScalarActivations.geluTanhBackward(x, xo, g, go, o, oo, n));
    SplittableRandom r = new SplittableRandom(5);
    for (int n : SIZES) {
      float[] grad = random(r, n, 2), gate = random(r, n + 1, 12), up = random(r, n + 2, 3);
      float[] dg = new float[n], du = new float[n], dgWant = new float[n], duWant = new float[n];
      Activations.swigluBackward(grad, 0, gate, 1, up, 2, dg, 0, du, 0, n);
      ScalarActivations.swigluBackward(grad, 0, gate, 1, up, 2, dgWant, 0, duWant, 0, n);
      assertArrayEquals(dgWant, dg, "swigluBackward dGate n=" + n);
      assertArrayEquals(duWant, du, "swigluBackward dUp n=" + n);
    }
  }

  @Test
  void specialValues() {
    float[] x = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 200f, -200f, 0f,
        -0f, 1e-30f};
    for (One f : new One[] {Activations::silu, Activations::gelu, Activations::geluTanh}) {
      float[] y = new float[x.length];
      f.apply(x, 0, y, 0, x.length);
      assertThat(y[0]).isNaN();
      assertThat(y[1]).isEqualTo(Float.POSITIVE_INFINITY);
      assertThat(y[3]).isEqualTo(200f);
      assertThat(y[4]).isEqualTo(-0f);
      assertThat(y[5]).isZero();
      assertThat(Math.abs(y[7])).isLessThan(1e-29f);
    }
    assertThatThrownBy(() -> Activations.gelu(new float[4], 1, new float[4], 0, 4))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }
}

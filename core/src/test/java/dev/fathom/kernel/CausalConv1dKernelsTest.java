package dev.fathom.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Parity of {@link CausalConv1dKernels} with its scalar twin {@link ScalarCausalConv1dKernels}
 * (bitwise: both add the same fused multiply-adds in the same order, and the parameter
 * gradients the same double terms in the same order) at awkward sizes, the one-step form
 * against the whole sequence, and argument checks. Agreement with the definition is tested
 * in {@code nn.CausalDepthwiseConv1dTest}.
 */
class CausalConv1dKernelsTest {

  private static final int[] BATCH = {1, 2, 3};
  private static final int[] TIME = {1, 2, 7, 33};
  private static final int[] CHANNELS = {1, 7, 16, 17, 31, 1023};
  private static final int[] KERNEL = {1, 2, 3, 4, 7};

  private static float[] random(SplittableRandom rnd, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) a[i] = (float) (rnd.nextDouble() * 2 - 1);
    return a;
  }

  @Test
  void vectorKernelMatchesScalarTwinBitwise() {
    SplittableRandom rnd = new SplittableRandom(11);
    int cases = 0;
    for (int b : BATCH) {
      for (int t : TIME) {
        for (int c : CHANNELS) {
          for (int k : KERNEL) {
            parityCase(rnd, b, t, c, k, (b + t + c + k) % 2 == 0);
            cases++;
          }
        }
      }
    }
    // rows and channel blocks split over several parallel chunks, sub-blocks of the weight gradient
    parityCase(rnd, 4, 300, 1023, 4, true);
    parityCase(rnd, 2, 64, 4100, 3, false);
    assertThat(cases).isEqualTo(BATCH.length * TIME.length * CHANNELS.length * KERNEL.length);
  }

  private static void parityCase(SplittableRandom rnd, int b, int t, int c, int k, boolean bias) {
    String at = "B" + b + " T" + t + " C" + c + " K" + k + (bias ? " bias" : "");
    int n = b * t * c;
    float[] x = random(rnd, n), gy = random(rnd, n), w = random(rnd, c * k), bb = bias ? random(rnd, c) : null;
    float[] y = new float[n], ys = new float[n];
    CausalConv1dKernels.forward(x, b, t, c, w, k, bb, y);
    ScalarCausalConv1dKernels.forward(x, b, t, c, w, k, bb, ys);
    assertArrayEquals(ys, y, at + " y");

    float[] gx = new float[n], gw = new float[c * k], gb = new float[c];
    float[] gxs = new float[n], gws = new float[c * k], gbs = new float[c];
    CausalConv1dKernels.backward(gy, x, b, t, c, w, k, gx, gw, gb);
    ScalarCausalConv1dKernels.backward(gy, x, b, t, c, w, k, gxs, gws, gbs);
    assertArrayEquals(gxs, gx, at + " gx");
    assertArrayEquals(gws, gw, at + " gw");
    assertArrayEquals(gbs, gb, at + " gb");
    assertThat(nonZero(gw) + nonZero(gx)).as(at + ": gradients were written").isPositive();

    // each gradient alone (the others null) is the same
    float[] gx2 = new float[n], gw2 = new float[c * k], gb2 = new float[c];
    CausalConv1dKernels.backward(gy, x, b, t, c, w, k, gx2, null, null);
    CausalConv1dKernels.backward(gy, x, b, t, c, w, k, null, gw2, null);
    CausalConv1dKernels.backward(gy, x, b, t, c, w, k, null, null, gb2);
    assertArrayEquals(gx, gx2, at + " gx alone");
    assertArrayEquals(gw, gw2, at + " gw alone");
    assertArrayEquals(gb, gb2, at + " gb alone");
  }

  private static int nonZero(float[] a) {
    int n = 0;
    for (float v : a) if (v != 0) n++;
    return n;
  }

  @Test
  void stepIsBitwiseTheForwardAtEveryTime() {
    SplittableRandom rnd = new SplittableRandom(5);
    for (int c : new int[] {1, 17, 40}) {
      for (int k : new int[] {1, 3, 7}) {
        int t = 12, ringOff = 5;
        float[] x = random(rnd, t * c), w = random(rnd, c * k), bias = random(rnd, c);
        float[] y = new float[t * c];
        CausalConv1dKernels.forward(x, 1, t, c, w, k, bias, y);
        float[] ring = random(rnd, ringOff + k * c);  // garbage in the slots of negative times must not be read
        float[] out = new float[3 + c];
        for (int time = 0; time < t; time++) {
          System.arraycopy(x, time * c, ring, ringOff + (time % k) * c, c);
          int mid = c / 3;
          CausalConv1dKernels.step(w, bias, c, k, ring, ringOff, time, 0, mid, out, 3);
          CausalConv1dKernels.step(w, bias, c, k, ring, ringOff, time, mid, c, out, 3);
          for (int ch = 0; ch < c; ch++) {
            assertThat(out[3 + ch]).as("C%d K%d t%d c%d", c, k, time, ch).isEqualTo(y[time * c + ch]);
          }
        }
      }
    }
  }

  @Test
  void badArgumentsNameExpectedAndGot() {
    float[] a = new float[24];
    assertThatThrownBy(() -> CausalConv1dKernels.forward(a, 1, 4, 6, a, 0, null, new float[24]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("kernelSize >= 1").hasMessageContaining("kernelSize 0");
    assertThatThrownBy(() -> CausalConv1dKernels.forward(a, 1, 4, 6, new float[17], 3, null, new float[24]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("weight has length 17, expected at least 18");
    assertThatThrownBy(() -> CausalConv1dKernels.forward(a, 2, 4, 6, a, 1, null, new float[48]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x has length 24, expected at least 48");
    assertThatThrownBy(() -> CausalConv1dKernels.backward(a, a, 1, 4, 6, a, 2, null, new float[11], null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gw has length 11, expected at least 12");
    assertThatThrownBy(() -> CausalConv1dKernels.step(a, null, 6, 2, a, 0, 3, 4, 2, a, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected 0 <= c0 <= c1 <= 6, got [4, 2)");
    assertThatThrownBy(() -> CausalConv1dKernels.step(a, null, 6, 2, a, 0, -1, 0, 6, a, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected time >= 0, got -1");
    assertThatThrownBy(() -> CausalConv1dKernels.step(a, null, 6, 4, a, 1, 0, 0, 6, a, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ring has length 24, expected at least 25");
  }
}

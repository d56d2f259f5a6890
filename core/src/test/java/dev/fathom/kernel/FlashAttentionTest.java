package dev.fathom.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

class FlashAttentionTest {

  private record Case(int b, int h, int hkv, int t, int s, int d, int dv, boolean causal) {}

  private static float[] rand(Random r, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
    return a;
  }

  /** Plain double-precision attention, the math written out: out and lse. */
  private static double[][] naive(Case c, float[] q, float[] k, float[] v, float scale) {
    double[] out = new double[c.b * c.h * c.t * c.dv], lse = new double[c.b * c.h * c.t];
    int group = c.h / c.hkv;
    for (int bh = 0; bh < c.b * c.h; bh++) {
      int kvh = (bh / c.h) * c.hkv + (bh % c.h) / group;
      for (int i = 0; i < c.t; i++) {
        double[] sc = new double[c.s];
        double m = Double.NEGATIVE_INFINITY;
        int seen = 0;
        for (int j = 0; j < c.s; j++) {
          if (c.causal && j > i + c.s - c.t) {
            sc[j] = Double.NEGATIVE_INFINITY;
            continue;
          }
          double dot = 0;
          for (int e = 0; e < c.d; e++) dot += (double) q[(bh * c.t + i) * c.d + e] * k[(kvh * c.s + j) * c.d + e];
          sc[j] = dot * scale;
          m = Math.max(m, sc[j]);
          seen++;
        }
        if (seen == 0) {
          lse[bh * c.t + i] = Double.NEGATIVE_INFINITY;
          continue;
        }
        double z = 0;
        for (int j = 0; j < c.s; j++) z += Math.exp(sc[j] - m);
        lse[bh * c.t + i] = m + Math.log(z);
        for (int j = 0; j < c.s; j++) {
          double p = Math.exp(sc[j] - m) / z;
          for (int e = 0; e < c.dv; e++) out[(bh * c.t + i) * c.dv + e] += p * v[(kvh * c.s + j) * c.dv + e];
        }
      }
    }
    return new double[][] {out, lse};
  }

  private static float[][] run(boolean vector, Case c, long seed) {
    Random r = new Random(seed);
    float[] q = rand(r, c.b * c.h * c.t * c.d), k = rand(r, c.b * c.hkv * c.s * c.d);
    float[] v = rand(r, c.b * c.hkv * c.s * c.dv), g = rand(r, c.b * c.h * c.t * c.dv);
    float scale = (float) (1 / Math.sqrt(c.d));
    float[] out = new float[c.b * c.h * c.t * c.dv], lse = new float[c.b * c.h * c.t];
    float[] gq = new float[q.length], gk = new float[k.length], gv = new float[v.length];
    java.util.Arrays.fill(gq, Float.NaN);  // overwritten, never read
    java.util.Arrays.fill(gk, Float.NaN);
    java.util.Arrays.fill(gv, Float.NaN);
    if (vector) {
      FlashAttention.forward(q, k, v, out, lse, c.b, c.h, c.hkv, c.t, c.s, c.d, c.dv, scale, c.causal);
      FlashAttention.backward(q, k, v, out, lse, g, gq, gk, gv, c.b, c.h, c.hkv, c.t, c.s, c.d, c.dv, scale, c.causal);
    } else {
      ScalarFlashAttention.forward(q, k, v, out, lse, c.b, c.h, c.hkv, c.t, c.s, c.d, c.dv, scale, c.causal);
      ScalarFlashAttention.backward(q, k, v, out, lse, g, gq, gk, gv, c.b, c.h, c.hkv, c.t, c.s, c.d, c.dv, scale,
          c.causal);
    }
    return new float[][] {out, lse, gq, gk, gv, q, k, v};
  }

  private static Case[] cases() {
    java.util.List<Case> list = new java.util.ArrayList<>();
    int[] lens = {1, 7, 33, 65};
    int[] ds = {8, 16, 31};
    int n = 0;
    for (int t : lens) {
      for (int s : lens) {
        int d = ds[n % 3], dv = ds[(n + 1) % 3];
        int[][] heads = {{1, 1}, {4, 2}, {4, 1}};
        int[] hh = heads[n % 3];
        list.add(new Case(n % 2 + 1, hh[0], hh[1], t, s, d, dv, false));
        if (s >= t) list.add(new Case(1, hh[0], hh[1], t, s, d, d, true));
        n++;
      }
    }
    list.add(new Case(1, 4, 2, 130, 130, 16, 16, true));
    // Awkward sizes around the 16-lane vector: 8, 9 and 31 keys/dims, and a 1023-long sequence.
    list.add(new Case(1, 2, 1, 9, 9, 9, 7, true));
    list.add(new Case(1, 1, 1, 8, 31, 7, 9, false));
    list.add(new Case(1, 1, 1, 31, 8, 1, 8, false));
    list.add(new Case(1, 1, 1, 1023, 1023, 8, 9, true));
    // awkward sizes around the tile (64) and register-block (4 rows, 16 lanes) edges
    for (int t : new int[] {1, 7, 8, 9, 31, 1023}) {
      for (int d : new int[] {8, 64}) {
        if (t == 1023 && d == 8) continue;
        list.add(new Case(1, 2, t == 1023 ? 1 : 2, t, t, d, d, true));
        if (t <= 31) list.add(new Case(2, 2, 1, t, t, d, d, false));
      }
    }
    list.add(new Case(1, 2, 1, 100, 70, 32, 128, true));  // kv cache (S < T): rows that see no key
    list.add(new Case(1, 2, 2, 77, 200, 128, 32, true));  // S > T: queries at the end of the keys
    list.add(new Case(2, 4, 1, 65, 129, 31, 8, true));
    return list.toArray(new Case[0]);
  }

  @Test
  void vectorKernelEqualsScalarTwinBitwise() {
    long seed = 1;
    for (Case c : cases()) {
      float[][] a = run(true, c, seed), s = run(false, c, seed);
      String[] names = {"out", "lse", "gq", "gk", "gv"};
      for (int i = 0; i < names.length; i++) {
        assertThat(a[i]).as("%s %s", names[i], c).containsExactly(s[i]);
      }
      seed++;
    }
  }

  @Test
  void forwardMatchesDoublePrecisionAttention() {
    long seed = 100;
    for (Case c : cases()) {
      float[][] a = run(true, c, seed++);
      float scale = (float) (1 / Math.sqrt(c.d));
      double[][] want = naive(c, a[5], a[6], a[7], scale);
      for (int i = 0; i < want[0].length; i++) {
        assertThat((double) a[0][i]).as("out[%d] %s", i, c).isCloseTo(want[0][i], org.assertj.core.data.Offset.offset(2e-5));
      }
      for (int i = 0; i < want[1].length; i++) {
        assertThat((double) a[1][i]).as("lse[%d] %s", i, c).isCloseTo(want[1][i], org.assertj.core.data.Offset.offset(2e-5));
      }
    }
  }

  @Test
  void backwardMatchesFiniteDifferencesOfDoubleAttention() {
    Case c = new Case(1, 4, 2, 9, 11, 8, 5, true);
    float[][] a = run(true, c, 5);
    Random r = new Random(5);
    float[] q = rand(r, a[5].length), k = rand(r, a[6].length), v = rand(r, a[7].length), g = rand(r, a[0].length);
    float scale = (float) (1 / Math.sqrt(c.d));
    float[][] inputs = {q, k, v};
    for (int which = 0; which < 3; which++) {
      float[] x = inputs[which], grad = a[2 + which];
      for (int idx = 0; idx < x.length; idx += 3) {
        float old = x[idx];
        float h = 1e-2f;
        x[idx] = old + h;
        double lp = dot(naive(c, q, k, v, scale)[0], g);
        x[idx] = old - h;
        double lm = dot(naive(c, q, k, v, scale)[0], g);
        x[idx] = old;
        double num = (lp - lm) / (2 * h);
        assertThat((double) grad[idx]).as("input %d at %d", which, idx).isCloseTo(num,
            org.assertj.core.data.Offset.offset(1e-3 + 1e-3 * Math.abs(num)));
      }
    }
  }

  private static double dot(double[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) s += a[i] * b[i];
    return s;
  }

  @Test
  void twoRunsAreBitwiseEqual() {
    Case c = new Case(2, 4, 2, 200, 200, 32, 32, true);
    float[][] a = run(true, c, 9), b = run(true, c, 9);
    for (int i = 0; i < 5; i++) assertThat(a[i]).containsExactly(b[i]);
  }

  @Test
  void serialRunEqualsParallelRunBitwise() throws Exception {
    // A call from a foreign fork-join worker runs every Parallel.forRange inline (one thread):
    // each output element has one writer with a fixed order of additions, so the bits match.
    Case c = new Case(2, 4, 2, 300, 300, 64, 64, true);
    float[][] parallel = run(true, c, 11);
    var pool = new java.util.concurrent.ForkJoinPool(1);
    try {
      float[][] serial = pool.submit(() -> run(true, c, 11)).get();
      for (int i = 0; i < 5; i++) assertThat(serial[i]).containsExactly(parallel[i]);
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void maskedRowsGiveZeroOutputAndNoGradient() {
    // S < T: the first T − S query rows see no key at all.
    Case c = new Case(1, 2, 1, 5, 3, 4, 4, true);
    for (boolean vector : new boolean[] {true, false}) {
      float[][] a = run(vector, c, 3);
      for (int bh = 0; bh < 2; bh++) {
        for (int i = 0; i < 2; i++) {
          assertThat(a[1][bh * 5 + i]).isEqualTo(Float.NEGATIVE_INFINITY);
          for (int e = 0; e < 4; e++) {
            assertThat(a[0][(bh * 5 + i) * 4 + e]).isEqualTo(0f);
            assertThat(a[2][(bh * 5 + i) * 4 + e]).isEqualTo(0f);
          }
        }
      }
      for (float[] arr : a) for (float x : arr) assertThat(Float.isNaN(x)).isFalse();
    }
  }

  @Test
  void causalMaskGivesExactlyZeroWeightToFutureKeys() {
    // Huge values in the future keys and values must not leak into earlier rows.
    int t = 70, d = 8;
    Random r = new Random(4);
    float[] q = rand(r, t * d), k = rand(r, t * d), v = rand(r, t * d);
    float[] out1 = new float[t * d], lse1 = new float[t], out2 = new float[t * d], lse2 = new float[t];
    FlashAttention.forward(q, k, v, out1, lse1, 1, 1, 1, t, t, d, d, 0.35f, true);
    for (int e = 0; e < d; e++) {
      k[(t - 1) * d + e] = 1e4f;
      v[(t - 1) * d + e] = 1e30f;
    }
    FlashAttention.forward(q, k, v, out2, lse2, 1, 1, 1, t, t, d, d, 0.35f, true);
    for (int i = 0; i < (t - 1) * d; i++) assertThat(out2[i]).isEqualTo(out1[i]);
  }

  @Test
  void badArgumentsAreRejected() {
    float[] a = new float[64];
    assertThatThrownBy(() -> FlashAttention.forward(a, a, a, a, a, 1, 3, 2, 2, 2, 4, 4, 1f, false))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("H=3 is not a multiple of Hkv=2");
    assertThatThrownBy(() -> FlashAttention.forward(a, a, a, a, new float[1], 1, 1, 1, 2, 2, 4, 4, 1f, false))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lse has 1 elements, expected at least 2");
  }
}

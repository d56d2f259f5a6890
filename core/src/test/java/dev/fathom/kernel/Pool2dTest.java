package dev.fathom.kernel;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Pool2dTest {

  /** n, c, h, w, k (square), stride, pad. */
  private record Geo(int n, int c, int h, int w, int k, int s, int p) {
    int outH() {
      return (h + 2 * p - k) / s + 1;
    }

    int outW() {
      return (w + 2 * p - k) / s + 1;
    }

    int in() {
      return n * c * h * w;
    }

    int out() {
      return n * c * outH() * outW();
    }
  }

  private static List<Geo> geometries() {
    List<Geo> list = new ArrayList<>();
    int[][] kernels = {
        {2, 2, 0}, {3, 2, 1}, {3, 1, 1}, {2, 1, 0}, {3, 3, 0}, {2, 2, 1}, {1, 1, 0}, {5, 2, 2}};
    int[] widths = {1, 7, 8, 9, 15, 16, 17, 33, 34, 35, 67};
    for (int[] ksp : kernels) {
      for (int w : widths) {
        if (w + 2 * ksp[2] < ksp[0]) continue;
        list.add(new Geo(2, 3, Math.max(ksp[0], 5), w, ksp[0], ksp[1], ksp[2]));
      }
    }
    list.add(new Geo(4, 16, 32, 32, 2, 2, 0));
    list.add(new Geo(2, 8, 56, 56, 3, 2, 1));
    return list;
  }

  private static float[] random(SplittableRandom rnd, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) a[i] = (float) (rnd.nextDouble() * 2 - 1);
    return a;
  }

  /** Distinct values 0.01 apart in random order: a finite-difference step never moves a maximum. */
  private static float[] spaced(SplittableRandom rnd, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) a[i] = 0.01f * i - 0.005f * n;
    for (int i = n - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      float t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  /** Small integers: many ties, to check that the first maximum wins. */
  private static float[] ties(SplittableRandom rnd, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) a[i] = rnd.nextInt(3);
    return a;
  }

  /** Reference max pooling over the padded window, padding = −∞, first maximum wins. */
  private static void naiveMax(Geo g, float[] x, float[] out, int[] arg) {
    for (int p = 0; p < g.n * g.c; p++) {
      for (int oh = 0; oh < g.outH(); oh++) {
        for (int ow = 0; ow < g.outW(); ow++) {
          float best = Float.NEGATIVE_INFINITY;
          int at = -1;
          for (int i = 0; i < g.k; i++) {
            for (int j = 0; j < g.k; j++) {
              int ih = oh * g.s - g.p + i, iw = ow * g.s - g.p + j;
              if (ih < 0 || ih >= g.h || iw < 0 || iw >= g.w) continue;
              float v = x[(p * g.h + ih) * g.w + iw];
              if (at < 0 || v > best || Float.isNaN(v)) {
                best = v;
                at = ih * g.w + iw;
              }
            }
          }
          int o = (p * g.outH() + oh) * g.outW() + ow;
          out[o] = best;
          arg[o] = at;
        }
      }
    }
  }

  /** Reference average pooling in double, padding counted as zeros in the kernel-size divisor. */
  private static double[] naiveAvg(Geo g, float[] x) {
    double[] out = new double[g.out()];
    for (int p = 0; p < g.n * g.c; p++) {
      for (int oh = 0; oh < g.outH(); oh++) {
        for (int ow = 0; ow < g.outW(); ow++) {
          double s = 0;
          for (int i = 0; i < g.k; i++) {
            for (int j = 0; j < g.k; j++) {
              int ih = oh * g.s - g.p + i, iw = ow * g.s - g.p + j;
              if (ih >= 0 && ih < g.h && iw >= 0 && iw < g.w) s += x[(p * g.h + ih) * g.w + iw];
            }
          }
          out[(p * g.outH() + oh) * g.outW() + ow] = s / (g.k * g.k);
        }
      }
    }
    return out;
  }

  private static void maxForward(Geo g, float[] x, float[] out, int[] arg) {
    Pool2d.maxForward(x, g.n, g.c, g.h, g.w, g.k, g.k, g.s, g.s, g.p, g.p, out, arg);
  }

  @Test
  void maxForwardMatchesNaiveLoopsAndScalarTwin() {
    SplittableRandom rnd = new SplittableRandom(1);
    for (Geo g : geometries()) {
      for (float[] x : new float[][] {random(rnd, g.in()), ties(rnd, g.in())}) {
        float[] out = new float[g.out()], ref = new float[g.out()], twin = new float[g.out()];
        int[] arg = new int[g.out()], refArg = new int[g.out()], twinArg = new int[g.out()];
        maxForward(g, x, out, arg);
        naiveMax(g, x, ref, refArg);
        Pool2d.maxForwardScalar(x, g.n, g.c, g.h, g.w, g.k, g.k, g.s, g.s, g.p, g.p, twin, twinArg);
        assertArrayEquals(ref, out, g.toString());
        assertArrayEquals(refArg, arg, g.toString());
        assertArrayEquals(twin, out, g.toString());
        assertArrayEquals(twinArg, arg, g.toString());
      }
    }
  }

  @Test
  void twoByTwoFastPathMatchesTwinWithNaNsAndTies() {
    SplittableRandom rnd = new SplittableRandom(7);
    for (int w : new int[] {2, 3, 7, 14, 15, 16, 17, 28, 31, 32, 33, 57}) {
      Geo g = new Geo(3, 2, 6, w, 2, 2, 0);
      float[] x = new float[g.in()];
      for (int i = 0; i < x.length; i++) {
        int r = rnd.nextInt(10);
        x[i] = r == 0 ? Float.NaN : r < 4 ? 0f : r == 4 ? Float.NEGATIVE_INFINITY : rnd.nextInt(3);
      }
      float[] out = new float[g.out()], twin = new float[g.out()];
      int[] arg = new int[g.out()], twinArg = new int[g.out()];
      maxForward(g, x, out, arg);
      Pool2d.maxForwardScalar(x, g.n, g.c, g.h, g.w, 2, 2, 2, 2, 0, 0, twin, twinArg);
      assertArrayEquals(twin, out, g.toString());
      assertArrayEquals(twinArg, arg, g.toString());
    }
  }

  @Test
  void maxForwardPropagatesNaNAndHandlesMinusInfinity() {
    Geo g = new Geo(1, 1, 4, 40, 2, 2, 0);
    float[] x = new float[g.in()];
    Arrays.fill(x, Float.NEGATIVE_INFINITY);
    x[3] = Float.NaN;
    x[40 + 20] = Float.NaN;
    x[40 + 21] = 5f;
    float[] out = new float[g.out()], ref = new float[g.out()];
    int[] arg = new int[g.out()], refArg = new int[g.out()];
    maxForward(g, x, out, arg);
    naiveMax(g, x, ref, refArg);
    assertArrayEquals(ref, out);
    assertArrayEquals(refArg, arg);
    assertEquals(Float.NaN, out[1]);
    assertEquals(3, arg[1]);
    assertEquals(Float.NaN, out[10]);
    assertEquals(60, arg[10]);
    assertEquals(Float.NEGATIVE_INFINITY, out[0]);
    assertEquals(0, arg[0]);
  }

  @Test
  void maxBackwardScattersToTheArgmaxAndMatchesFiniteDifferences() {
    SplittableRandom rnd = new SplittableRandom(2);
    List<Geo> cases = List.of(
        new Geo(1, 2, 5, 7, 3, 2, 1), new Geo(2, 1, 6, 19, 2, 2, 0), new Geo(1, 1, 4, 9, 3, 1, 1));
    for (Geo g : cases) {
      float[] x = spaced(rnd, g.in());
      float[] dy = random(rnd, g.out());
      float[] out = new float[g.out()];
      int[] arg = new int[g.out()];
      maxForward(g, x, out, arg);
      float[] dx = new float[g.in()];
      Arrays.fill(dx, 0.5f);
      Pool2d.maxBackward(dy, arg, g.n, g.c, g.h, g.w, g.k, g.k, g.s, g.s, g.p, g.p, dx);
      float h = 1e-3f;
      for (int i = 0; i < g.in(); i++) {
        float keep = x[i];
        x[i] = keep + h;
        double plus = weighted(g, x, dy, true);
        x[i] = keep - h;
        double minus = weighted(g, x, dy, true);
        x[i] = keep;
        assertEquals((plus - minus) / (2 * h), dx[i] - 0.5f, 1e-3, g + " at " + i);
      }
    }
  }

  @Test
  void avgForwardMatchesNaiveLoopsAndScalarTwin() {
    SplittableRandom rnd = new SplittableRandom(3);
    for (Geo g : geometries()) {
      float[] x = random(rnd, g.in());
      float[] out = new float[g.out()], twin = new float[g.out()];
      Pool2d.avgForward(x, g.n, g.c, g.h, g.w, g.k, g.k, g.s, g.s, g.p, g.p, out);
      Pool2d.avgForwardScalar(x, g.n, g.c, g.h, g.w, g.k, g.k, g.s, g.s, g.p, g.p, twin);
      assertArrayEquals(twin, out, g.toString());
      double[] ref = naiveAvg(g, x);
      for (int i = 0; i < ref.length; i++) assertEquals(ref[i], out[i], 1e-6, g + " at " + i);
    }
  }

  @Test
  void avgBackwardMatchesFiniteDifferences() {
    SplittableRandom rnd = new SplittableRandom(4);
    List<Geo> cases = List.of(
        new Geo(1, 2, 5, 7, 3, 2, 1), new Geo(2, 1, 6, 9, 2, 1, 1), new Geo(1, 1, 7, 20, 3, 3, 0));
    for (Geo g : cases) {
      float[] x = random(rnd, g.in());
      float[] dy = random(rnd, g.out());
      float[] dx = new float[g.in()];
      Pool2d.avgBackward(dy, g.n, g.c, g.h, g.w, g.k, g.k, g.s, g.s, g.p, g.p, dx);
      float h = 1e-2f;
      for (int i = 0; i < g.in(); i++) {
        float keep = x[i];
        x[i] = keep + h;
        double plus = weighted(g, x, dy, false);
        x[i] = keep - h;
        double minus = weighted(g, x, dy, false);
        x[i] = keep;
        assertEquals((plus - minus) / (2 * h), dx[i], 1e-4, g + " at " + i);
      }
    }
  }

  /** Σ dy · pool(x), with the pooled values in double. */
  private static double weighted(Geo g, float[] x, float[] dy, boolean max) {
    double s = 0;
    if (max) {
      float[] out = new float[g.out()];
      naiveMax(g, x, out, new int[g.out()]);
      for (int i = 0; i < out.length; i++) s += (double) dy[i] * out[i];
    } else {
      double[] out = naiveAvg(g, x);
      for (int i = 0; i < out.length; i++) s += dy[i] * out[i];
    }
    return s;
  }

  @Test
  void badGeometryAndArraysAreRejected() {
    assertThatThrownBy(() -> Pool2d.maxForward(new float[16], 1, 1, 4, 4, 2, 2, 2, 2, 2, 2,
            new float[9], new int[9]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at most half the kernel");
    assertThatThrownBy(() -> Pool2d.maxForward(new float[15], 1, 1, 4, 4, 2, 2, 2, 2, 0, 0,
            new float[4], new int[4]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("x: expected at least 16");
    assertThatThrownBy(() -> Pool2d.avgForward(new float[16], 1, 1, 4, 4, 2, 2, 2, 2, 0, 0,
            new float[3]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("out: expected at least 4");
    assertThatThrownBy(() -> Pool2d.maxForward(new float[4], 1, 1, 2, 2, 3, 3, 1, 1, 0, 0,
            new float[1], new int[1]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("kernel size 3");
    int[] badArg = {0, 1, 16, 2};
    assertThatThrownBy(() -> Pool2d.maxBackward(new float[4], badArg, 1, 1, 4, 4, 2, 2, 2, 2, 0, 0,
            new float[16]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("argmax[2] = 16");
  }
  @Test
  void narrowTwoByTwoPlanesMatchScalarTwinAcrossThreadChunks() {
    SplittableRandom rnd = new SplittableRandom(17);
    for (int w : new int[] {1, 2, 7, 8, 9, 14, 28, 31, 33}) {
      for (int h : new int[] {2, 5, 14}) {
        for (int planes : new int[] {1, 3, 200}) {
          Geo g = new Geo(planes > 1 ? 2 : 1, Math.max(1, planes / 2), h, w, 2, 2, 0);
          if (w < 2) continue;
          for (float[] x : new float[][] {random(rnd, g.in()), ties(rnd, g.in())}) {
            float[] out = new float[g.out()], twin = new float[g.out()];
            int[] arg = new int[g.out()], twinArg = new int[g.out()];
            maxForward(g, x, out, arg);
            Pool2d.maxForwardScalar(x, g.n, g.c, g.h, g.w, 2, 2, 2, 2, 0, 0, twin, twinArg);
            assertArrayEquals(twin, out, g.toString());
            assertArrayEquals(twinArg, arg, g.toString());
          }
        }
      }
    }
  }

  @Test
  void nanWinsInNarrowTwoByTwoPlanes() {
    Geo g = new Geo(1, 2, 2, 14, 2, 2, 0);
    float[] x = new float[g.in()];
    x[3] = Float.NaN;
    x[14 + 3] = 5f;
    x[28 + 14 + 8] = Float.NaN;
    float[] out = new float[g.out()], twin = new float[g.out()];
    int[] arg = new int[g.out()], twinArg = new int[g.out()];
    maxForward(g, x, out, arg);
    Pool2d.maxForwardScalar(x, g.n, g.c, g.h, g.w, 2, 2, 2, 2, 0, 0, twin, twinArg);
    assertArrayEquals(twin, out);
    assertArrayEquals(twinArg, arg);
    assertEquals(3, arg[1]);
    assertEquals(14 + 8, arg[7 + 4]);
  }
}

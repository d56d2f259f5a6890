package dev.fathom.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fathom.autograd.Grad;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The batched convolution (one column matrix and one weight-gradient GEMM for the whole batch,
 * buffers from {@link Workspace}) against a direct double-precision convolution, in one chunk and
 * split into chunks of images, and the reuse of its workspace buffers across steps.
 */
class ConvBatchedTest {

  /** n, c, h, w, o, k (square), stride, pad, dilation, groups. */
  private record Geo(int n, int c, int h, int w, int o, int k, int s, int p, int d, int groups) {
    int outH() {
      return (h + 2 * p - d * (k - 1) - 1) / s + 1;
    }

    int outW() {
      return (w + 2 * p - d * (k - 1) - 1) / s + 1;
    }
  }

  private static final List<Geo> GEOMETRIES = List.of(
      new Geo(1, 1, 1, 1, 1, 1, 1, 0, 1, 1),
      new Geo(3, 2, 7, 7, 5, 3, 1, 1, 1, 1),
      new Geo(2, 3, 8, 9, 4, 3, 1, 1, 1, 1),
      new Geo(4, 1, 9, 31, 8, 3, 1, 1, 1, 1),
      new Geo(2, 4, 9, 8, 6, 3, 2, 1, 1, 2),
      new Geo(3, 2, 11, 10, 3, 3, 1, 2, 2, 1),
      new Geo(2, 3, 6, 7, 2, 5, 1, 2, 1, 1),
      new Geo(5, 1, 28, 28, 32, 3, 1, 1, 1, 1),
      new Geo(3, 32, 14, 14, 64, 3, 1, 1, 1, 1));

  @AfterEach
  void restore() {
    ConvOps.colCap = 1L << 26;
    Workspace.poison = false;
  }

  private static Tensor randn(Rng rng, boolean grad, int... shape) {
    Tensor t = Tensor.randn(rng, shape);
    return grad ? t.requiresGrad(true) : t;
  }

  /** Output and gradients (x, w, b) for upstream gradient gy, from the op under test. */
  private static float[][] run(Geo g, Tensor x, Tensor w, Tensor b, Tensor gy) {
    x.setGrad(null);
    w.setGrad(null);
    b.setGrad(null);
    Tensor y = F.conv2d(x, w, b, new int[] {g.s, g.s}, new int[] {g.p, g.p}, new int[] {g.d, g.d}, g.groups);
    y.backward(gy);
    return new float[][] {y.data().clone(), x.grad().data().clone(), w.grad().data().clone(), b.grad().data().clone()};
  }

  /** The same in double by the definition: y[i][oc][oh][ow] = b[oc] + Σ w[oc][ci][a][e]·x[i][g·cg + ci][ih][iw]. */
  private static double[][] reference(Geo g, float[] x, float[] w, float[] b, float[] gy) {
    int cg = g.c / g.groups, og = g.o / g.groups, oh = g.outH(), ow = g.outW();
    double[] y = new double[g.n * g.o * oh * ow], gx = new double[x.length], gw = new double[w.length], gb = new double[g.o];
    for (int i = 0; i < g.n; i++) {
      for (int oc = 0; oc < g.o; oc++) {
        int grp = oc / og;
        for (int r = 0; r < oh; r++) {
          for (int q = 0; q < ow; q++) {
            int yi = ((i * g.o + oc) * oh + r) * ow + q;
            double acc = b[oc];
            double up = gy[yi];
            gb[oc] += up;
            for (int ci = 0; ci < cg; ci++) {
              for (int a = 0; a < g.k; a++) {
                for (int e = 0; e < g.k; e++) {
                  int ih = r * g.s - g.p + a * g.d, iw = q * g.s - g.p + e * g.d;
                  if (ih < 0 || ih >= g.h || iw < 0 || iw >= g.w) continue;
                  int xi = ((i * g.c + grp * cg + ci) * g.h + ih) * g.w + iw;
                  int wi = ((oc * cg + ci) * g.k + a) * g.k + e;
                  acc += (double) w[wi] * x[xi];
                  gx[xi] += up * w[wi];
                  gw[wi] += up * x[xi];
                }
              }
            }
            y[yi] = acc;
          }
        }
      }
    }
    return new double[][] {y, gx, gw, gb};
  }

  private static void assertNear(double[] expected, float[] actual, String what) {
    double scale = 1e-6;
    for (double e : expected) scale = Math.max(scale, Math.abs(e));
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], 2e-5 * scale + 1e-6, what + " at " + i);
    }
  }

  private static void checkAgainstReference(long cap) {
    ConvOps.colCap = cap;
    Rng rng = new Rng(11);
    for (Geo g : GEOMETRIES) {
      Tensor x = randn(rng, true, g.n, g.c, g.h, g.w);
      Tensor w = randn(rng, true, g.o, g.c / g.groups, g.k, g.k);
      Tensor b = randn(rng, true, g.o);
      Tensor gy = Tensor.randn(rng, g.n, g.o, g.outH(), g.outW());
      float[][] got = run(g, x, w, b, gy);
      double[][] ref = reference(g, x.data(), w.data(), b.data(), gy.data());
      String at = g + " cap " + cap;
      assertNear(ref[0], got[0], at + " y");
      assertNear(ref[1], got[1], at + " grad x");
      assertNear(ref[2], got[2], at + " grad w");
      assertNear(ref[3], got[3], at + " grad b");
    }
  }

  @Test
  void wholeBatchMatchesDirectConvolution() {
    checkAgainstReference(1L << 26);
  }

  @Test
  void chunksOfImagesMatchDirectConvolution() {
    checkAgainstReference(1);  // one image per chunk
    checkAgainstReference(3000);  // a few images per chunk, last chunk shorter
  }

  @Test
  void reusedWorkspaceBuffersGiveTheSameBitsAsFreshOnes() {
    Geo g = new Geo(4, 3, 9, 9, 5, 3, 1, 1, 1, 1);
    Rng rng = new Rng(5);
    Tensor x = randn(rng, true, g.n, g.c, g.h, g.w);
    Tensor w = randn(rng, true, g.o, g.c, g.k, g.k);
    Tensor b = randn(rng, true, g.o);
    Tensor gy = Tensor.randn(rng, g.n, g.o, g.outH(), g.outW());
    Workspace.clear();
    float[][] fresh = run(g, x, w, b, gy);
    assertThat(Workspace.retainedBytes()).as("buffers given back after the backward").isPositive();
    Workspace.poison = true;  // recycled buffers now hold NaN: any read before write would show
    for (int step = 0; step < 3; step++) {
      float[][] again = run(g, x, w, b, gy);
      for (int k = 0; k < fresh.length; k++) assertArrayEquals(fresh[k], again[k], "step " + step + " output " + k);
    }
  }

  @Test
  void secondBackwardThroughTheSameGraphRecomputesTheColumns() {
    Geo g = new Geo(2, 2, 6, 6, 3, 3, 1, 1, 1, 1);
    Rng rng = new Rng(9);
    Tensor x = randn(rng, true, g.n, g.c, g.h, g.w);
    Tensor w = randn(rng, true, g.o, g.c, g.k, g.k);
    Tensor b = randn(rng, true, g.o);
    Tensor gy = Tensor.randn(rng, g.n, g.o, g.outH(), g.outW());
    Workspace.poison = true;
    Tensor y = F.conv2d(x, w, b, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1);
    y.backward(gy);
    float[] once = w.grad().data().clone();
    y.backward(gy);
    float[] twice = w.grad().data();
    for (int i = 0; i < once.length; i++) assertEquals(2 * once[i], twice[i], "weight grad " + i);
  }

  @Test
  void forwardWithoutGradientGivesItsColumnsBack() {
    Rng rng = new Rng(3);
    Tensor x = Tensor.randn(rng, 2, 3, 8, 8);
    Tensor w = randn(rng, true, 4, 3, 3, 3);
    Workspace.clear();
    try (var off = Grad.disabled()) {
      F.conv2d(x, w, null, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1);
    }
    assertEquals(4L * 27 * 2 * 64, Workspace.retainedBytes());
  }
}

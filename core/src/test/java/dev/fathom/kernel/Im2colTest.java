package dev.fathom.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Im2colTest {

  /** channels, height, width, kH, kW, sH, sW, pH, pW, dH, dW. */
  private record Geo(int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw,
      int dh, int dw) {
    int outH() {
      return Im2col.outSize(h, kh, sh, ph, dh);
    }

    int outW() {
      return Im2col.outSize(w, kw, sw, pw, dw);
    }

    int rows() {
      return c * kh * kw;
    }

    int cols() {
      return outH() * outW();
    }
  }

  private static final List<Geo> GEOMETRIES = List.of(
      new Geo(1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1),
      new Geo(3, 7, 9, 3, 3, 1, 1, 1, 1, 1, 1),
      new Geo(2, 8, 8, 3, 3, 2, 2, 1, 1, 1, 1),
      new Geo(2, 9, 17, 3, 3, 2, 2, 1, 1, 1, 1),
      new Geo(2, 15, 16, 5, 5, 1, 1, 2, 2, 1, 1),
      new Geo(1, 17, 15, 3, 2, 3, 3, 1, 0, 1, 1),
      new Geo(2, 16, 33, 3, 3, 1, 2, 2, 3, 2, 2),
      new Geo(2, 9, 40, 1, 1, 2, 2, 0, 0, 1, 1),
      new Geo(3, 12, 67, 7, 7, 2, 2, 3, 3, 1, 1),
      new Geo(1, 5, 5, 3, 3, 1, 1, 4, 4, 1, 1),
      new Geo(16, 32, 32, 3, 3, 1, 1, 1, 1, 1, 1),
      new Geo(8, 30, 61, 3, 3, 2, 2, 1, 1, 1, 1));

  private static float[] random(SplittableRandom rnd, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) a[i] = (float) (rnd.nextDouble() * 2 - 1);
    return a;
  }

  private static void im2col(Geo g, float[] x, int xOff, float[] col, int colOff) {
    Im2col.im2col(x, xOff, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw,
        col, colOff);
  }

  private static void col2im(Geo g, float[] x, int xOff, float[] col, int colOff) {
    Im2col.col2im(x, xOff, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw,
        col, colOff);
  }

  @Test
  void im2colTimesWeightsEqualsDirectConvolution() {
    SplittableRandom rnd = new SplittableRandom(1);
    int k = 4;
    for (Geo g : GEOMETRIES) {
      float[] x = random(rnd, g.c * g.h * g.w);
      float[] w = random(rnd, k * g.rows());
      float[] col = new float[g.rows() * g.cols()];
      im2col(g, x, 0, col, 0);
      for (int f = 0; f < k; f++) {
        for (int oh = 0; oh < g.outH(); oh++) {
          for (int ow = 0; ow < g.outW(); ow++) {
            double direct = 0;
            for (int c = 0; c < g.c; c++) {
              for (int i = 0; i < g.kh; i++) {
                for (int j = 0; j < g.kw; j++) {
                  int ih = oh * g.sh - g.ph + i * g.dh, iw = ow * g.sw - g.pw + j * g.dw;
                  if (ih < 0 || ih >= g.h || iw < 0 || iw >= g.w) continue;
                  float wv = w[((f * g.c + c) * g.kh + i) * g.kw + j];
                  direct += (double) wv * x[(c * g.h + ih) * g.w + iw];
                }
              }
            }
            double gemm = 0;
            for (int r = 0; r < g.rows(); r++) {
              gemm += (double) w[f * g.rows() + r] * col[r * g.cols() + oh * g.outW() + ow];
            }
            assertEquals(direct, gemm, 1e-9, g + " filter " + f + " at (" + oh + ", " + ow + ")");
          }
        }
      }
    }
  }

  @Test
  void fastPathMatchesScalarTwinBitwiseAndWritesEveryEntry() {
    SplittableRandom rnd = new SplittableRandom(2);
    for (Geo g : GEOMETRIES) {
      int xOff = 3, colOff = 5;
      float[] x = random(rnd, xOff + g.c * g.h * g.w);
      float[] fast = new float[colOff + g.rows() * g.cols() + 2];
      Arrays.fill(fast, Float.NaN);
      float[] twin = fast.clone();
      im2col(g, x, xOff, fast, colOff);
      Im2col.im2colScalar(x, xOff, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw,
          twin, colOff);
      assertArrayEquals(twin, fast, g.toString());
      for (int i = colOff; i < colOff + g.rows() * g.cols(); i++) {
        assertThat(fast[i]).as("%s entry %d", g, i).isNotNaN();
      }
      assertThat(fast[0]).isNaN();
      assertThat(fast[fast.length - 1]).isNaN();
    }
  }

  @Test
  void col2imMatchesScalarTwinBitwiseAndAccumulates() {
    SplittableRandom rnd = new SplittableRandom(3);
    for (Geo g : GEOMETRIES) {
      int xOff = 2, colOff = 7;
      float[] col = random(rnd, colOff + g.rows() * g.cols());
      float[] x0 = random(rnd, xOff + g.c * g.h * g.w);
      float[] fast = x0.clone(), twin = x0.clone(), fromZero = new float[x0.length];
      col2im(g, fast, xOff, col, colOff);
      Im2col.col2imScalar(twin, xOff, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh,
          g.dw, col, colOff);
      assertArrayEquals(twin, fast, g.toString());
      col2im(g, fromZero, xOff, col, colOff);
      for (int i = 0; i < x0.length; i++) {
        assertEquals(x0[i] + fromZero[i], fast[i], 1e-5f, g + " at " + i);
      }
      for (int i = 0; i < xOff; i++) assertEquals(x0[i], fast[i]);
    }
  }

  @Test
  void col2imIsTheAdjointOfIm2col() {
    SplittableRandom rnd = new SplittableRandom(4);
    for (Geo g : GEOMETRIES) {
      float[] x = random(rnd, g.c * g.h * g.w);
      float[] y = random(rnd, g.rows() * g.cols());
      float[] col = new float[y.length];
      float[] back = new float[x.length];
      im2col(g, x, 0, col, 0);
      col2im(g, back, 0, y, 0);
      double lhs = 0, rhs = 0, scale = 0;
      for (int i = 0; i < y.length; i++) {
        lhs += (double) col[i] * y[i];
        scale += Math.abs((double) col[i] * y[i]);
      }
      for (int i = 0; i < x.length; i++) rhs += (double) x[i] * back[i];
      assertEquals(lhs, rhs, 1e-6 * Math.max(1, scale), g.toString());
    }
  }

  @Test
  void outSizeFollowsTheFormulaAndRejectsEmptyOutputs() {
    assertEquals(32, Im2col.outSize(32, 3, 1, 1, 1));
    assertEquals(16, Im2col.outSize(32, 3, 2, 1, 1));
    assertEquals(28, Im2col.outSize(32, 5, 1, 0, 1));
    assertEquals(28, Im2col.outSize(32, 3, 1, 0, 2));
    assertEquals(1, Im2col.outSize(3, 3, 5, 0, 1));
    assertThatThrownBy(() -> Im2col.outSize(2, 3, 1, 0, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("padded input size 2")
        .hasMessageContaining("dilated kernel size 5");
    assertThatThrownBy(() -> Im2col.outSize(4, 7, 2, 1, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("6")
        .hasMessageContaining("7");
    assertThatThrownBy(() -> Im2col.outSize(4, 3, 0, 1, 1)).hasMessageContaining("stride");
    assertThatThrownBy(() -> Im2col.outSize(4, 3, 1, -1, 1)).hasMessageContaining("padding");
  }

  @Test
  void shortArraysAreRejected() {
    assertThatThrownBy(() -> Im2col.im2col(new float[10], 0, 1, 4, 4, 3, 3, 1, 1, 1, 1, 1, 1,
        new float[144], 0))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> Im2col.col2im(new float[16], 0, 1, 4, 4, 3, 3, 1, 1, 1, 1, 1, 1,
        new float[143], 0))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }
  /** "Same" 3x3 / 5x5 / dilated geometries at awkward widths: the shifted-plane fast path. */
  private static List<Geo> sameGeometries() {
    List<Geo> list = new java.util.ArrayList<>();
    for (int w : new int[] {1, 7, 8, 9, 14, 28, 31}) {
      list.add(new Geo(2, 5, w, 3, 3, 1, 1, 1, 1, 1, 1));
      list.add(new Geo(1, 7, w, 5, 5, 1, 1, 2, 2, 1, 1));
      list.add(new Geo(2, 9, w, 3, 3, 1, 1, 2, 2, 2, 2));
      list.add(new Geo(1, 3, w, 3, 1, 1, 1, 0, 0, 1, 1));
    }
    return list;
  }

  @Test
  void wideColumnMatrixMatchesScalarTwinBitwise() {
    SplittableRandom rnd = new SplittableRandom(21);
    List<Geo> all = new java.util.ArrayList<>(GEOMETRIES);
    all.addAll(sameGeometries());
    for (Geo g : all) {
      int images = 3, cols = g.cols(), gap = 5, ld = images * cols + gap;
      int plane = g.c * g.h * g.w;
      float[] x = random(rnd, images * plane);
      float[] fast = new float[g.rows() * ld], twin = new float[g.rows() * ld];
      java.util.Arrays.fill(fast, Float.NaN);
      java.util.Arrays.fill(twin, Float.NaN);
      for (int i = 0; i < images; i++) {
        Im2col.im2col(x, i * plane, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, fast, i * cols, ld);
        Im2col.im2colScalar(x, i * plane, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, twin, i * cols, ld);
      }
      assertArrayEquals(twin, fast, g.toString());
      for (int r = 0; r < g.rows(); r++) {
        for (int k = images * cols; k < ld; k++) assertThat(fast[r * ld + k]).as("%s gap", g).isNaN();
        float[] single = new float[g.rows() * cols];
        Im2col.im2colScalar(x, plane, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, single, 0);
        for (int k = 0; k < cols; k++) assertEquals(single[r * cols + k], fast[r * ld + cols + k], g + " image 1");
      }
      float[] col = random(rnd, g.rows() * ld);
      float[] gx = random(rnd, images * plane), gxTwin = gx.clone();
      for (int i = 0; i < images; i++) {
        Im2col.col2im(gx, i * plane, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, col, i * cols, ld);
        Im2col.col2imScalar(gxTwin, i * plane, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, col, i * cols, ld);
      }
      assertArrayEquals(gxTwin, gx, g + " col2im");
    }
  }

  @Test
  void rowDistanceShorterThanTheRowIsRejected() {
    assertThatThrownBy(() -> Im2col.im2col(new float[16], 0, 1, 4, 4, 3, 3, 1, 1, 1, 1, 1, 1, new float[200], 0, 15))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("15")
        .hasMessageContaining("16 columns");
  }
}

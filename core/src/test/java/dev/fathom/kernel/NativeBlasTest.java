package dev.fathom.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Parity of the optional native backend ({@link NativeBlas}, {@code cblas_sgemm}) with the
 * pure-Java {@link Gemm}: all transpose combinations, offsets and padded leading dimensions,
 * alpha/beta variants, beta = 0 over NaN, alpha = 0 and k = 0, batches with broadcast operands,
 * and the same argument errors. Skipped when no BLAS library is found. Also checks that the
 * default selection (no {@code fathom.gemm}) is pure Java.
 *
 * <p>Tolerance: the two paths sum in different orders, so each element may differ by about
 * 2·k·u·bound with u = 2^-24 and {@code bound = sum_p |alpha·A(i,p)·B(p,j)| + |beta·C(i,j)|};
 * the test allows {@code TOL_PER_TERM * (k + 4) * bound}.
 */
class NativeBlasTest {

  private static final double TOL_PER_TERM = 4e-7;
  private static final int[] SIZES = {1, 7, 16, 17, 33, 100, 257};
  private static final boolean[] BOOLS = {false, true};

  private static void assumeNative() {
    assumeTrue(NativeBlas.available(), () -> "native BLAS unavailable: " + NativeBlas.reason());
  }

  @Test
  void defaultSelectionIsPureJava() {
    assumeTrue(System.getProperty("fathom.gemm") == null && System.getenv("FATHOM_GEMM") == null,
        "fathom.gemm / FATHOM_GEMM is set in this JVM");
    assertThat(Gemm.nativeActive()).isFalse();
    assertThat(NativeBlas.requested()).isFalse();
    if (!Kernels.scalarOnly()) {
      assertThat(Kernels.describeGemm()).startsWith("pure Java").doesNotContain("native");
    }
  }

  @Test
  void requestParsing() {
    assertThat(NativeBlas.requested(null, null)).isFalse();
    assertThat(NativeBlas.requested("", "")).isFalse();
    assertThat(NativeBlas.requested("java", null)).isFalse();
    assertThat(NativeBlas.requested("native", null)).isTrue();
    assertThat(NativeBlas.requested(" NATIVE ", null)).isTrue();
    assertThat(NativeBlas.requested(null, "native")).isTrue();
    assertThat(NativeBlas.requested("java", "native")).isFalse(); // the property wins
    assertThat(NativeBlas.requested("native", "java")).isTrue();
  }

  @Test
  void unavailableStateIsExplainedNotThrown() {
    // Reaching here means class init did not throw, whatever the machine has.
    if (NativeBlas.available()) {
      assertThat(NativeBlas.library()).isNotBlank();
      assertThat(NativeBlas.reason()).isEmpty();
    } else {
      assertThat(NativeBlas.library()).isNull();
      assertThat(NativeBlas.reason()).contains("cblas_sgemm");
      assertThatThrownBy(() -> NativeBlas.sgemm(false, false, 1, 1, 1, 1f, new float[1], 0, 1,
          new float[1], 0, 1, 0f, new float[1], 0, 1)).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void matchesPureJavaForAllTransposesAndSizes() {
    assumeNative();
    long seed = 1;
    for (boolean ta : BOOLS) {
      for (boolean tb : BOOLS) {
        for (int m : SIZES) {
          for (int n : new int[] {1, 9, 33, 130}) {
            for (int k : new int[] {1, 8, 17, 200}) {
              GemmCase cs = GemmCase.random(ta, tb, m, n, k, 1f, 0f, 0, seed++);
              cs.assertClose(cs.nativeBlas(), cs.gemm(), TOL_PER_TERM, "native");
            }
          }
        }
      }
    }
  }

  @Test
  void alphaBetaOffsetsAndPaddedLeadingDimensions() {
    assumeNative();
    float[][] alphaBeta = {{1f, 0f}, {0.5f, 1f}, {-2f, -1.25f}, {1.5f, 0.75f}};
    long seed = 100;
    for (boolean ta : BOOLS) {
      for (boolean tb : BOOLS) {
        for (float[] ab : alphaBeta) {
          for (int pad : new int[] {1, 5}) {
            GemmCase cs = GemmCase.random(ta, tb, 37, 29, 51, ab[0], ab[1], pad, seed++);
            cs.assertClose(cs.nativeBlas(), cs.gemm(), TOL_PER_TERM, "native");
            GemmCase big = GemmCase.random(ta, tb, 150, 140, 96, ab[0], ab[1], pad, seed++);
            big.assertClose(big.nativeBlas(), big.gemm(), TOL_PER_TERM, "native");
          }
        }
      }
    }
  }

  @Test
  void betaZeroOverwritesNaN() {
    assumeNative();
    for (boolean ta : BOOLS) {
      for (boolean tb : BOOLS) {
        GemmCase cs = GemmCase.random(ta, tb, 40, 24, 19, 1.25f, 0f, 2, 7);
        float[] c = cs.c().clone();
        for (int i = 0; i < cs.m(); i++) {
          Arrays.fill(c, cs.cOff() + i * cs.ldc(), cs.cOff() + i * cs.ldc() + cs.n(), Float.NaN);
        }
        GemmCase nan = new GemmCase(ta, tb, cs.m(), cs.n(), cs.k(), cs.alpha(), 0f, cs.a(), cs.aOff(),
            cs.lda(), cs.b(), cs.bOff(), cs.ldb(), c, cs.cOff(), cs.ldc());
        float[] got = nan.nativeBlas();
        for (int i = 0; i < cs.m(); i++) {
          for (int j = 0; j < cs.n(); j++) {
            assertThat(got[cs.cOff() + i * cs.ldc() + j]).as("%s C(%d,%d)", nan, i, j).isNotNaN();
          }
        }
        nan.assertClose(got, nan.gemm(), TOL_PER_TERM, "native");
      }
    }
  }

  @Test
  void alphaZeroAndKZeroScaleCWithoutReadingAB() {
    assumeNative();
    float[] c = {1f, 2f, Float.NaN, 4f};
    float[] got = c.clone();
    NativeBlas.sgemm(false, false, 2, 2, 0, 1f, new float[0], 0, 1, new float[0], 0, 2,
        0.5f, got, 0, 2);
    assertThat(got).containsExactly(0.5f, 1f, Float.NaN, 2f);
    got = c.clone();
    float[] a = {Float.NaN, 1f, 1f, 1f};
    NativeBlas.sgemm(false, false, 2, 2, 2, 0f, a, 0, 2, a, 0, 2, 0f, got, 0, 2);
    assertThat(got).containsExactly(0f, 0f, 0f, 0f);
    got = c.clone();
    NativeBlas.sgemm(false, false, 0, 2, 2, 1f, a, 0, 2, a, 0, 2, 0f, got, 0, 2);
    assertThat(got).isEqualTo(c);
  }

  @Test
  void batchedWithBroadcastOperands() {
    assumeNative();
    SplittableRandom r = new SplittableRandom(42);
    int batch = 5, m = 19, n = 23, k = 31;
    for (boolean ta : BOOLS) {
      for (boolean tb : BOOLS) {
        for (long[] strides : new long[][] {{m * k, k * n}, {0, k * n}, {m * k, 0}}) {
          int lda = (ta ? m : k) + 1, ldb = (tb ? k : n) + 2, ldc = n + 3;
          long sa = strides[0] == 0 ? 0 : (long) (ta ? k : m) * lda + 1;
          long sb = strides[1] == 0 ? 0 : (long) (tb ? n : k) * ldb + 2;
          long sc = (long) m * ldc + 4;
          float[] a = GemmCase.fill(r, (int) (3 + sa * (batch - 1) + (ta ? k : m) * lda));
          float[] b = GemmCase.fill(r, (int) (5 + sb * (batch - 1) + (tb ? n : k) * ldb));
          float[] c = GemmCase.fill(r, (int) (7 + sc * (batch - 1) + m * ldc));
          float[] want = c.clone(), got = c.clone();
          Gemm.sgemmBatched(batch, ta, tb, m, n, k, 0.75f, a, 3, sa, lda, b, 5, sb, ldb,
              -0.5f, want, 7, sc, ldc);
          NativeBlas.sgemmBatched(batch, ta, tb, m, n, k, 0.75f, a, 3, sa, lda, b, 5, sb, ldb,
              -0.5f, got, 7, sc, ldc);
          for (int e = 0; e < batch; e++) {
            GemmCase cs = new GemmCase(ta, tb, m, n, k, 0.75f, -0.5f, a, (int) (3 + e * sa), lda,
                b, (int) (5 + e * sb), ldb, c, (int) (7 + e * sc), ldc);
            float[] g = c.clone(), w = c.clone();
            copyEntry(got, g, cs);
            copyEntry(want, w, cs);
            cs.assertClose(g, w, TOL_PER_TERM, "native");
          }
          for (int idx = 0; idx < c.length; idx++) {
            int rel = Math.floorMod(idx - 7, (int) sc);
            boolean inC = idx >= 7 && (idx - 7) / sc < batch && rel / ldc < m && rel % ldc < n;
            if (!inC) assertThat(got[idx]).as("outside every C at %d", idx).isEqualTo(c[idx]);
          }
        }
      }
    }
  }

  /** Copies entry {@code cs}'s C region from {@code from} into {@code to}. */
  private static void copyEntry(float[] from, float[] to, GemmCase cs) {
    for (int i = 0; i < cs.m(); i++) {
      int o = cs.cOff() + i * cs.ldc();
      System.arraycopy(from, o, to, o, cs.n());
    }
  }

  @Test
  void rejectsTheSameArgumentsAsGemmBeforeAnyNativeCall() {
    assumeNative();
    float[] small = new float[10];
    assertThatThrownBy(() -> NativeBlas.sgemm(false, false, 4, 4, 4, 1f, small, 0, 4,
        new float[16], 0, 4, 0f, new float[16], 0, 4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("array a has 10 elements");
    assertThatThrownBy(() -> NativeBlas.sgemm(false, true, 2, 2, 3, 1f, new float[6], 0, 3,
        new float[6], 0, 2, 0f, new float[4], 0, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ldb must be >= 3");
    assertThatThrownBy(() -> NativeBlas.sgemm(false, false, 1, 1, 1, 1f, null, 0, 1,
        new float[1], 0, 1, 0f, new float[1], 0, 1)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> NativeBlas.sgemmBatched(2, false, false, 2, 2, 2, 1f,
        new float[8], 0, 4, 2, new float[8], 0, 4, 2, 0f, new float[8], 0, 2, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("strideC must be >= 4");
  }
}

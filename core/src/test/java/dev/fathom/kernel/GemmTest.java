package dev.fathom.kernel;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Parity of {@link Gemm} with its scalar twin {@link ScalarGemm}, and of both with a naive
 * double-precision triple loop, at awkward sizes, all transpose combinations, alpha/beta
 * variants, offsets and padded leading dimensions; plus batches, empty shapes, bitwise
 * determinism and argument errors.
 *
 * <p>Tolerance: a float sum of k products has error at most about k·u·sum|alpha·a·b|
 * (u = 2^-24),
 * so each element is compared against {@code TOL_PER_TERM * (k + 4) * bound(i,j)} where
 * {@code bound = sum_p |alpha·A(i,p)·B(p,j)| + |beta·C(i,j)|}.
 */
class GemmTest {

  private static final double TOL_PER_TERM = 2e-7;
  private static final int[] SIZES = {1, 7, 8, 9, 15, 16, 17, 33, 100, 257};
  private static final boolean[] BOOLS = {false, true};

  @Test
  void scalarMatchesDoubleReference() {
    long seed = 1;
    for (boolean ta : BOOLS) {
      for (boolean tb : BOOLS) {
        for (int[] s : new int[][] {{1, 1, 1}, {7, 9, 8}, {16, 15, 17}, {33, 1, 100}, {9, 33, 7}}) {
          GemmCase cs = GemmCase.random(ta, tb, s[0], s[1], s[2], 0.5f, -0.75f, 2, seed++);
          cs.assertClose(cs.scalar(), null, TOL_PER_TERM, "ScalarGemm");
        }
      }
    }
  }

  @Test
  void vectorMatchesScalarAtAwkwardSizes() {
    long seed = 100;
    for (boolean ta : BOOLS) {
      for (boolean tb : BOOLS) {
        for (int x = 0; x < SIZES.length; x++) {
          for (int y = 0; y < SIZES.length; y++) {
            int m = SIZES[x], n = SIZES[y];
            int k = SIZES[(x + 3 * y + (ta ? 3 : 0) + (tb ? 5 : 0)) % SIZES.length];
            if ((long) m * n * k > 1_000_000) k = 9;
            GemmCase cs = GemmCase.random(ta, tb, m, n, k, 1f, 0f, 0, seed++);
            float[] got = cs.gemm();
            assertClosePair(cs, got, cs.scalar());
          }
        }
        for (int[] s : new int[][] {{1023, 17, 9}, {9, 1023, 17}, {17, 9, 1023}, {257, 33, 257},
            {250, 12, 520}, {13, 2100, 5}}) {
          GemmCase cs = GemmCase.random(ta, tb, s[0], s[1], s[2], 1f, 0f, 0, seed++);
          float[] got = cs.gemm();
          assertClosePair(cs, got, cs.scalar());
          cs.assertClose(got, null, TOL_PER_TERM, "Gemm");
        }
      }
    }
  }

  /** Gemm and ScalarGemm agree within twice the single-sum tolerance. */
  private static void assertClosePair(GemmCase cs, float[] got, float[] want) {
    double tol = 2 * TOL_PER_TERM * (cs.k() + 4);
    for (int i = 0; i < cs.m(); i++) {
      for (int j = 0; j < cs.n(); j++) {
        int idx = cs.cOff() + i * cs.ldc() + j;
        double bound = 0;
        for (int p = 0; p < cs.k(); p++) bound += Math.abs((double) cs.av(i, p) * cs.bv(p, j));
        bound = bound * Math.abs(cs.alpha()) + Math.abs(cs.beta() * cs.c()[idx]);
        if (!(Math.abs(got[idx] - want[idx]) <= tol * bound + 1e-30)) {
          fail(String.format("%s: Gemm C(%d,%d) = %s but ScalarGemm has %s (allowed %.3g)",
              cs, i, j, got[idx], want[idx], tol * bound));
        }
      }
    }
  }

  /** The two arrays hold the same bits; on failure names the first differing index. */
  private static void assertSameBits(float[] got, float[] want, String what) {
    int at = Arrays.mismatch(got, want);
    if (at >= 0) {
      fail(String.format("%s: first difference at index %d: %s vs %s", what, at,
          at < got.length ? got[at] : "end", at < want.length ? want[at] : "end"));
    }
  }

  @Test
  void alphaBetaOffsetsAndPaddedLeadingDimensions() {
    long seed = 1000;
    float[][] ab = {{1f, 0f}, {1f, 1f}, {0.5f, 0f}, {0.5f, -0.75f}, {-2f, 1f}};
    for (boolean ta : BOOLS) {
      for (boolean tb : BOOLS) {
        for (float[] v : ab) {
          for (int[] s : new int[][] {{3, 5, 2}, {17, 33, 9}, {40, 70, 65}, {2, 100, 40},
              {60, 5, 50}}) {
            GemmCase cs = GemmCase.random(ta, tb, s[0], s[1], s[2], v[0], v[1], 3, seed++);
            cs.assertClose(cs.gemm(), null, TOL_PER_TERM, "Gemm");
            cs.assertClose(cs.scalar(), null, TOL_PER_TERM, "ScalarGemm");
          }
        }
      }
    }
  }

  @Test
  void betaZeroOverwritesNaN() {
    for (boolean ta : BOOLS) {
      for (boolean tb : BOOLS) {
        for (int[] s : new int[][] {{5, 6, 7}, {64, 64, 64}, {3, 40, 30}, {100, 50, 20}}) {
          GemmCase cs = GemmCase.random(ta, tb, s[0], s[1], s[2], 1.5f, 0f, 1, 7);
          for (int i = 0; i < cs.m(); i++) {
            int row = cs.cOff() + i * cs.ldc();
            Arrays.fill(cs.c(), row, row + cs.n(), Float.NaN);
          }
          cs.assertClose(cs.gemm(), null, TOL_PER_TERM, "Gemm");
          cs.assertClose(cs.scalar(), null, TOL_PER_TERM, "ScalarGemm");
        }
      }
    }
  }

  @Test
  void infinityAndNaNStayInTheirRowAndColumn() {
    for (boolean ta : BOOLS) {
      for (boolean tb : BOOLS) {
        for (int[] s : new int[][] {{9, 20, 11}, {40, 70, 65}, {3, 300, 40}, {300, 5, 40}}) {
          GemmCase cs = GemmCase.random(ta, tb, s[0], s[1], s[2], 1f, 0f, 1, 31);
          cs.a()[cs.aOff() + (ta ? 3 * cs.lda() + 2 : 2 * cs.lda() + 3)] = Float.POSITIVE_INFINITY;
          cs.b()[cs.bOff() + (tb ? 4 * cs.ldb() + 5 : 5 * cs.ldb() + 4)] = Float.NaN;
          float[] got = cs.gemm(), want = cs.scalar();
          for (int i = 0; i < cs.m(); i++) {
            for (int j = 0; j < cs.n(); j++) {
              int idx = cs.cOff() + i * cs.ldc() + j;
              boolean special = i == 2 || j == 4;
              if (Float.isFinite(got[idx]) == special
                  || !special && Math.abs(got[idx] - want[idx]) > 1e-4 * (1 + Math.abs(want[idx]))
                  || special && !Float.valueOf(got[idx]).equals(want[idx])) {
                fail(String.format("%s: C(%d,%d) = %s, ScalarGemm has %s", cs, i, j, got[idx],
                    want[idx]));
              }
            }
          }
        }
      }
    }
  }

  @Test
  void alphaZeroAndKZeroScaleC() {
    for (int[] s : new int[][] {{4, 5, 0}, {70, 80, 0}, {4, 5, 3}, {70, 80, 90}}) {
      for (float beta : new float[] {0f, 1f, -0.5f}) {
        GemmCase cs = GemmCase.random(false, true, s[0], s[1], s[2], s[2] == 0 ? 1f : 0f, beta, 1, 11);
        Arrays.fill(cs.a(), Float.NaN);
        float[] want = cs.c().clone();
        for (int i = 0; i < cs.m(); i++) {
          for (int j = 0; j < cs.n(); j++) {
            int idx = cs.cOff() + i * cs.ldc() + j;
            want[idx] = beta == 0f ? 0f : beta * want[idx];
          }
        }
        assertSameBits(cs.gemm(), want, "Gemm " + cs);
        assertSameBits(cs.scalar(), want, "ScalarGemm " + cs);
      }
    }
  }

  @Test
  void emptyShapesLeaveCAlone() {
    for (int[] s : new int[][] {{0, 5, 3}, {5, 0, 3}, {0, 0, 0}}) {
      GemmCase cs = GemmCase.random(false, false, s[0], s[1], s[2], 1f, 0f, 1, 5);
      assertSameBits(cs.gemm(), cs.c(), "Gemm " + cs);
      assertSameBits(cs.scalar(), cs.c(), "ScalarGemm " + cs);
    }
  }

  @Test
  void bitwiseDeterministicAcrossRunsAndPartitions() {
    for (boolean ta : BOOLS) {
      for (boolean tb : BOOLS) {
        GemmCase cs = GemmCase.random(ta, tb, 203, 181, 530, 0.75f, 0.5f, 1, 21);
        float[] first = cs.gemm();
        assertSameBits(cs.gemm(), first, "second run " + cs);
        float[] whole = cs.c().clone();
        Gemm.region(cs.problem(whole), false, 0, cs.m(), 0, cs.n());
        if (!Kernels.scalarOnly()) assertSameBits(first, whole, "sgemm vs one region " + cs);
        float[] pooled = cs.c().clone();
        Gemm.split(cs.problem(pooled), false);
        assertSameBits(pooled, whole, "split over the pool vs one region " + cs);
        for (int[] s : new int[][] {{3, 700, 200}, {300, 5, 200}, {60, 70, 80}}) {
          for (boolean direct : BOOLS) {
            GemmCase sc = GemmCase.random(ta, tb, s[0], s[1], s[2], 0.75f, 0.5f, 1, 23);
            float[] one = sc.c().clone(), split = sc.c().clone();
            Gemm.region(sc.problem(one), direct, 0, sc.m(), 0, sc.n());
            Gemm.split(sc.problem(split), direct);
            assertSameBits(split, one, "split vs one region, direct=" + direct + ", " + sc);
          }
        }
        assertPartitionFree(cs, false, new int[] {0, 5, 77, 150, cs.m()},
            new int[] {0, 31, 32, 100, cs.n()});
        for (int[] s : new int[][] {{30, 50, 40}, {20, 300, 60}, {300, 20, 60}, {45, 7, 90},
            {3, 70, 90}}) {
          GemmCase small = GemmCase.random(ta, tb, s[0], s[1], s[2], 0.75f, 0.5f, 1, 22);
          assertPartitionFree(small, true, cuts(small.m()), cuts(small.n()));
        }
      }
    }
  }

  /** Cut points 0 = c0 < c1 < ... = len at awkward places. */
  private static int[] cuts(int len) {
    return IntStream.of(0, 1, len / 3, len / 2 + 1, len)
        .map(x -> Math.min(x, len)).distinct().sorted().toArray();
  }

  /** Computing C region by region along odd cuts gives the same bits as one region. */
  private static void assertPartitionFree(GemmCase cs, boolean direct, int[] rows, int[] cols) {
    float[] whole = cs.c().clone();
    Gemm.region(cs.problem(whole), direct, 0, cs.m(), 0, cs.n());
    float[] parts = cs.c().clone();
    GemmProblem g = cs.problem(parts);
    for (int x = 0; x + 1 < rows.length; x++) {
      for (int y = 0; y + 1 < cols.length; y++) {
        Gemm.region(g, direct, rows[x], rows[x + 1], cols[y], cols[y + 1]);
      }
    }
    assertSameBits(parts, whole, "odd partition, direct=" + direct + ", " + cs);
  }

  @Test
  void batchedWithBroadcastOperands() {
    int batch = 5, m = 19, n = 37, k = 23;
    SplittableRandom r = new SplittableRandom(3);
    for (boolean ta : BOOLS) {
      for (boolean tb : BOOLS) {
        for (long[] st : new long[][] {{m * k, k * n}, {0, k * n + 3}, {m * k + 1, 0}}) {
          int lda = ta ? m : k, ldb = tb ? k : n, ldc = n + 2;
          long strideC = (long) m * ldc + 1;
          float[] a = GemmCase.fill(r, 2 + (int) (st[0] * (batch - 1)) + m * k);
          float[] b = GemmCase.fill(r, 1 + (int) (st[1] * (batch - 1)) + k * n);
          float[] c = GemmCase.fill(r, 4 + (int) (strideC * batch));
          float[] got = c.clone(), want = c.clone(), ref = c.clone();
          Gemm.sgemmBatched(batch, ta, tb, m, n, k, 0.5f, a, 2, st[0], lda, b, 1, st[1], ldb,
              0.25f, got, 4, strideC, ldc);
          ScalarGemm.sgemmBatched(batch, ta, tb, m, n, k, 0.5f, a, 2, st[0], lda, b, 1, st[1],
              ldb, 0.25f, ref, 4, strideC, ldc);
          for (int e = 0; e < batch; e++) {
            Gemm.sgemm(ta, tb, m, n, k, 0.5f, a, (int) (2 + e * st[0]), lda,
                b, (int) (1 + e * st[1]), ldb, 0.25f, want, (int) (4 + e * strideC), ldc);
          }
          assertSameBits(got, want, "batched vs a loop of sgemm");
          for (int e = 0; e < batch; e++) {
            GemmCase cs = new GemmCase(ta, tb, m, n, k, 0.5f, 0.25f, a, (int) (2 + e * st[0]), lda,
                b, (int) (1 + e * st[1]), ldb, c, (int) (4 + e * strideC), ldc);
            float[] mine = c.clone(), theirs = c.clone();
            copyEntry(got, mine, cs);
            copyEntry(ref, theirs, cs);
            cs.assertClose(mine, null, TOL_PER_TERM, "Gemm batched entry " + e);
            cs.assertClose(theirs, null, TOL_PER_TERM, "ScalarGemm batched entry " + e);
          }
        }
      }
    }
  }

  /** Copies C of one batch entry from {@code from} into {@code to}. */
  private static void copyEntry(float[] from, float[] to, GemmCase cs) {
    for (int i = 0; i < cs.m(); i++) {
      int o = cs.cOff() + i * cs.ldc();
      System.arraycopy(from, o, to, o, cs.n());
    }
  }

  @Test
  void invalidArgumentsNameExpectedAndGot() {
    float[] a = new float[64 * 64], b = new float[64 * 64], c = new float[64 * 64];
    assertThatThrownBy(() -> Gemm.sgemm(false, false, -1, 4, 4, 1f, a, 0, 4, b, 0, 4, 0f, c, 0, 4))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("sgemm: m must be >= 0, got -1");
    assertThatThrownBy(() -> Gemm.sgemm(false, false, 8, 8, 64, 1f, a, 0, 32, b, 0, 8, 0f, c, 0, 8))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lda must be >= 64").hasMessageContaining("got 32");
    assertThatThrownBy(() -> Gemm.sgemm(true, false, 8, 8, 4, 1f, a, 0, 4, b, 0, 8, 0f, c, 0, 8))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lda must be >= 8").hasMessageContaining("transposed");
    assertThatThrownBy(() -> Gemm.sgemm(false, true, 8, 8, 4, 1f, a, 0, 4, b, 0, 2, 0f, c, 0, 8))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ldb must be >= 4");
    assertThatThrownBy(() -> Gemm.sgemm(false, false, 8, 8, 4, 1f, a, 0, 4, b, 0, 8, 0f, c, 0, 7))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ldc must be >= 8");
    assertThatThrownBy(() -> Gemm.sgemm(false, false, 64, 64, 64, 1f, a, 1, 64, b, 0, 64, 0f,
        c, 0, 64)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sgemm: array a has 4096 elements but A (stored 64x64, lda 64, aOff 1)"
            + " needs 4097");
    assertThatThrownBy(() -> Gemm.sgemm(false, false, 4, 4, 4, 1f, a, -2, 4, b, 0, 4, 0f, c, 0, 4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sgemm: aOff must be >= 0, got -2");
    assertThatThrownBy(() -> ScalarGemm.sgemm(false, false, 4, 4, 4, 1f, a, 0, 4, b, 0, 4, 0f,
        null, 0, 4)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("array c is null");
    assertThatThrownBy(() -> Gemm.sgemmBatched(3, false, false, 4, 4, 4, 1f, a, 0, 16, 4,
        b, 0, 0, 4, 0f, c, 0, 8, 4)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("strideC must be >= 16").hasMessageContaining("got 8");
    assertThatThrownBy(() -> Gemm.sgemmBatched(2, false, false, 4, 4, 4, 1f, a, 0, -16, 4,
        b, 0, 0, 4, 0f, c, 0, 16, 4)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sgemmBatched: strideA must be >= 0, got -16");
    assertThatThrownBy(() -> Gemm.sgemmBatched(300, false, false, 4, 4, 4, 1f, a, 0, 16, 4,
        b, 0, 0, 4, 0f, c, 0, 16, 4)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("array a has 4096 elements")
        .hasMessageContaining("300 entries 16 apart")
        .hasMessageContaining("needs 4800");
    assertThatThrownBy(() -> ScalarGemm.sgemmBatched(-1, false, false, 4, 4, 4, 1f, a, 0, 16, 4,
        b, 0, 0, 4, 0f, c, 0, 16, 4)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sgemmBatched: batch must be >= 0, got -1");
  }
}

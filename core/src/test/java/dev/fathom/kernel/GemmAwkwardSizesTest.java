package dev.fathom.kernel;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Gemm} against {@link ScalarGemm} with every dimension drawn from the awkward sizes
 * 1, 7, 8, 9, 31 and 1023 (around the 16-lane vector, the 12×32 tile and the 16-step packing
 * transposes), random transposes, alpha/beta, offsets and padded leading dimensions; single,
 * batched and strided (with broadcast operands). Every element is compared against the scalar
 * result within the float error bound of a k-term sum, and cells outside C must be untouched.
 */
class GemmAwkwardSizesTest {

  private static final int[] SIZES = {1, 7, 8, 9, 31, 1023};
  private static final long MAX_WORK = 1_100_000;

  /** One random problem: stored shapes, offsets, leading dimensions, alpha and beta. */
  private record Problem(boolean ta, boolean tb, int m, int n, int k, float alpha, float beta,
      int aOff, int lda, int bOff, int ldb, int cOff, int ldc) {

    static Problem random(SplittableRandom r, int m, int n, int k) {
      boolean ta = r.nextBoolean(), tb = r.nextBoolean();
      int pa = r.nextInt(3), pb = r.nextInt(3), pc = r.nextInt(3);
      float[] alphas = {1f, 0.5f, -1.25f};
      float[] betas = {0f, 1f, -0.5f};
      return new Problem(ta, tb, m, n, k, alphas[r.nextInt(3)], betas[r.nextInt(3)],
          r.nextInt(5), (ta ? m : k) + pa, r.nextInt(5), (tb ? k : n) + pb, r.nextInt(5),
          n + pc);
    }

    int aLen() {
      return aOff + (ta ? k : m) * lda;
    }

    int bLen() {
      return bOff + (tb ? n : k) * ldb;
    }

    int cLen() {
      return cOff + m * ldc;
    }

    /** |Gemm − ScalarGemm| within 4e-7·(k + 4)·Σ|alpha·a·b| + |beta·c| per element. */
    void assertClose(float[] a, float[] b, float[] c0, int c0Off, float[] got, float[] want,
        int at, String what) {
      for (int idx = 0; idx < got.length; idx++) {
        int rel = idx - at;
        int i = Math.floorDiv(rel, ldc), j = Math.floorMod(rel, ldc);
        boolean inside = rel >= 0 && i < m && j < n;
        if (!inside) {
          if (Float.floatToRawIntBits(got[idx]) != Float.floatToRawIntBits(want[idx])) {
            fail(this + " " + what + ": wrote outside C at " + idx);
          }
          continue;
        }
        double bound = 0;
        for (int p = 0; p < k; p++) {
          float av = a[aOff + (ta ? p * lda + i : i * lda + p)];
          float bv = b[bOff + (tb ? j * ldb + p : p * ldb + j)];
          bound += Math.abs((double) alpha * av * bv);
        }
        bound += Math.abs((double) beta * c0[c0Off + rel]);
        if (!(Math.abs(got[idx] - want[idx]) <= 4e-7 * (k + 4) * bound + 1e-30)) {
          fail(String.format("%s %s: C(%d,%d) = %s, ScalarGemm %s", this, what, i, j, got[idx],
              want[idx]));
        }
      }
    }
  }

  private static float[] fill(SplittableRandom r, int len) {
    float[] x = new float[len];
    for (int i = 0; i < len; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
    return x;
  }

  @Test
  void everyShapeFromTheAwkwardSizes() {
    SplittableRandom r = new SplittableRandom(2026);
    int ran = 0;
    for (int m : SIZES) {
      for (int n : SIZES) {
        for (int k : SIZES) {
          if ((long) m * n * k > MAX_WORK) continue;
          Problem p = Problem.random(r, m, n, k);
          float[] a = fill(r, p.aLen() + 2), b = fill(r, p.bLen() + 2), c = fill(r, p.cLen() + 2);
          float[] got = c.clone(), want = c.clone();
          Gemm.sgemm(p.ta(), p.tb(), m, n, k, p.alpha(), a, p.aOff(), p.lda(), b, p.bOff(),
              p.ldb(), p.beta(), got, p.cOff(), p.ldc());
          ScalarGemm.sgemm(p.ta(), p.tb(), m, n, k, p.alpha(), a, p.aOff(), p.lda(), b, p.bOff(),
              p.ldb(), p.beta(), want, p.cOff(), p.ldc());
          p.assertClose(a, b, c, 0, got, want, p.cOff(), "sgemm");
          ran++;
        }
      }
    }
    if (ran < 150) fail("only " + ran + " shapes ran");
  }

  /** Several K blocks with B small enough to pack whole (K inside) and too large (K outside). */
  @Test
  void bothLoopOrdersOverKBlocks() {
    SplittableRandom r = new SplittableRandom(11);
    for (int[] s : new int[][] {{40, 64, 1100}, {40, 300, 1100}, {31, 1023, 600}}) {
      Problem p = Problem.random(r, s[0], s[1], s[2]);
      float[] a = fill(r, p.aLen()), b = fill(r, p.bLen()), c = fill(r, p.cLen());
      float[] got = c.clone(), want = c.clone(), one = c.clone();
      Gemm.sgemm(p.ta(), p.tb(), p.m(), p.n(), p.k(), p.alpha(), a, p.aOff(), p.lda(), b,
          p.bOff(), p.ldb(), p.beta(), got, p.cOff(), p.ldc());
      ScalarGemm.sgemm(p.ta(), p.tb(), p.m(), p.n(), p.k(), p.alpha(), a, p.aOff(), p.lda(), b,
          p.bOff(), p.ldb(), p.beta(), want, p.cOff(), p.ldc());
      p.assertClose(a, b, c, 0, got, want, p.cOff(), "sgemm");
      GemmProblem g = new GemmProblem(p.ta(), p.tb(), p.m(), p.n(), p.k(), p.alpha(), a,
          p.aOff(), p.lda(), b, p.bOff(), p.ldb(), p.beta(), one, p.cOff(), p.ldc());
      if (!Kernels.scalarOnly()) {
        GemmPacked.region(g, 0, p.m(), 0, p.n());
        if (!java.util.Arrays.equals(one, got)) fail(p + ": one region differs from sgemm");
      }
    }
  }

  @Test
  void batchedAndStridedAtAwkwardSizes() {
    SplittableRandom r = new SplittableRandom(7);
    int[][] shapes = {{1, 1, 1}, {7, 8, 9}, {9, 31, 7}, {31, 9, 1023}, {1023, 7, 8},
        {8, 1023, 9}, {31, 31, 31}};
    for (int[] s : shapes) {
      for (int batch : new int[] {1, 3, 8}) {
        int m = s[0], n = s[1], k = s[2];
        Problem p = Problem.random(r, m, n, k);
        int aSpan = p.aLen() - p.aOff(), bSpan = p.bLen() - p.bOff();
        long strideA = r.nextInt(3) == 0 ? 0 : aSpan + r.nextInt(3);
        long strideB = r.nextInt(3) == 0 ? 0 : bSpan + r.nextInt(3);
        long strideC = (long) m * p.ldc() + r.nextInt(3);
        float[] a = fill(r, (int) (p.aOff() + strideA * (batch - 1) + aSpan));
        float[] b = fill(r, (int) (p.bOff() + strideB * (batch - 1) + bSpan));
        float[] c = fill(r, (int) (p.cOff() + strideC * batch));
        float[] got = c.clone(), want = c.clone();
        Gemm.sgemmBatched(batch, p.ta(), p.tb(), m, n, k, p.alpha(), a, p.aOff(), strideA,
            p.lda(), b, p.bOff(), strideB, p.ldb(), p.beta(), got, p.cOff(), strideC, p.ldc());
        ScalarGemm.sgemmBatched(batch, p.ta(), p.tb(), m, n, k, p.alpha(), a, p.aOff(), strideA,
            p.lda(), b, p.bOff(), strideB, p.ldb(), p.beta(), want, p.cOff(), strideC, p.ldc());
        for (int e = 0; e < batch; e++) {
          Problem pe = new Problem(p.ta(), p.tb(), m, n, k, p.alpha(), p.beta(),
              (int) (p.aOff() + e * strideA), p.lda(), (int) (p.bOff() + e * strideB), p.ldb(),
              (int) (p.cOff() + e * strideC), p.ldc());
          int from = (int) (p.cOff() + e * strideC);
          int to = e + 1 < batch ? (int) (p.cOff() + (e + 1) * strideC) : got.length;
          float[] g = java.util.Arrays.copyOfRange(got, from, to);
          float[] w = java.util.Arrays.copyOfRange(want, from, to);
          Problem local = new Problem(pe.ta(), pe.tb(), m, n, k, pe.alpha(), pe.beta(),
              pe.aOff(), pe.lda(), pe.bOff(), pe.ldb(), 0, pe.ldc());
          local.assertClose(a, b, c, from, g, w, 0, "batch " + batch + " entry " + e);
        }
      }
    }
  }
}

package dev.fathom.kernel;

import static org.assertj.core.api.Assertions.fail;

import java.util.SplittableRandom;

/**
 * One SGEMM test product with its operands laid out with offsets and padded leading dimensions,
 * shared by {@link GemmTest} and {@link NativeBlasTest}: the same case runs through the pure Java
 * path, its scalar twin and the native backend, and is checked against a double reference or
 * another path within a bound that scales with the products' magnitudes.
 */
record GemmCase(boolean ta, boolean tb, int m, int n, int k, float alpha, float beta,
    float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {

  /** Operands in [−1, 1) from {@code seed}, {@code pad} extra floats around and between rows. */
  static GemmCase random(boolean ta, boolean tb, int m, int n, int k, float alpha, float beta, int pad, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int lda = (ta ? m : k) + pad, ldb = (tb ? k : n) + pad, ldc = n + pad;
    int aOff = pad * 3, bOff = pad * 5, cOff = pad * 7;
    float[] a = fill(r, aOff + (ta ? k : m) * lda + pad);
    float[] b = fill(r, bOff + (tb ? n : k) * ldb + pad);
    float[] c = fill(r, cOff + m * ldc + pad);
    return new GemmCase(ta, tb, m, n, k, alpha, beta, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
  }

  static float[] fill(SplittableRandom r, int len) {
    float[] x = new float[len];
    for (int i = 0; i < len; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
    return x;
  }

  float av(int i, int p) {
    return a[aOff + (ta ? p * lda + i : i * lda + p)];
  }

  float bv(int p, int j) {
    return b[bOff + (tb ? j * ldb + p : p * ldb + j)];
  }

  /** C after {@link Gemm#sgemm} (on a copy). */
  float[] gemm() {
    float[] out = c.clone();
    Gemm.sgemm(ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, out, cOff, ldc);
    return out;
  }

  /** C after {@link ScalarGemm#sgemm} (on a copy). */
  float[] scalar() {
    float[] out = c.clone();
    ScalarGemm.sgemm(ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, out, cOff, ldc);
    return out;
  }

  /** C after {@link NativeBlas#sgemm} (on a copy). */
  float[] nativeBlas() {
    float[] out = c.clone();
    NativeBlas.sgemm(ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, out, cOff, ldc);
    return out;
  }

  GemmProblem problem(float[] out) {
    return new GemmProblem(ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, out, cOff, ldc);
  }

  /**
   * Checks {@code got} element by element inside C against {@code want} (or, when it is null,
   * against the double-precision reference alpha·op(A)·op(B) + beta·C) within
   * {@code tolPerTerm · (k + 4) · Σ|terms|}; cells outside C must keep their bits.
   */
  void assertClose(float[] got, float[] want, double tolPerTerm, String what) {
    double tol = tolPerTerm * (k + 4);
    for (int idx = 0; idx < c.length; idx++) {
      int rel = idx - cOff;
      int i = Math.floorDiv(rel, ldc), j = Math.floorMod(rel, ldc);
      if (rel < 0 || i >= m || j >= n) {
        if (Float.floatToRawIntBits(got[idx]) != Float.floatToRawIntBits(c[idx])) {
          fail(String.format("%s: %s wrote %s outside C at index %d, which held %s", this, what, got[idx], idx, c[idx]));
        }
        continue;
      }
      double sum = 0, bound = 0;
      for (int p = 0; p < k; p++) {
        double t = (double) alpha * av(i, p) * bv(p, j);
        sum += t;
        bound += Math.abs(t);
      }
      double old = beta == 0f ? 0 : (double) beta * c[idx];
      bound += Math.abs(old);
      double expected = want != null ? want[idx] : sum + old;
      if (!(Math.abs(got[idx] - expected) <= tol * bound + 1e-30)) {
        fail(String.format("%s: %s C(%d,%d) = %s, want %s within %.3g", this, what, i, j, got[idx], expected, tol * bound));
      }
    }
  }

  @Override
  public String toString() {
    return String.format("%s%s m=%d n=%d k=%d alpha=%s beta=%s lda=%d ldb=%d ldc=%d", ta ? "T" : "N", tb ? "T" : "N", m, n, k, alpha,
        beta, lda, ldb, ldc);
  }
}

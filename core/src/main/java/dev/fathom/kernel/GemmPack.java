package dev.fathom.kernel;

import static dev.fathom.kernel.GemmKernel.MR;
import static dev.fathom.kernel.GemmKernel.NR;
import static dev.fathom.kernel.GemmKernel.VL;
import static dev.fathom.kernel.Kernels.F;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * Packing of the operands of {@link GemmPacked} into the micro-panel layouts of
 * {@link GemmKernel}: A as MR-tall panels (element (r, p) at {@code p*MR + r}), B as NR-wide
 * panels (element (p, col) at {@code p*NR + col}), zero-padded to whole panels.
 *
 * <p>Two of the four packs copy contiguous runs (A stored transposed, B not transposed): one
 * vector load and store per run. The other two transpose in memory (A not transposed: a row of
 * A becomes a column of its panel; B transposed likewise), which a scalar loop does at about one
 * element per cycle, the same order as the micro-kernel's work per element when n or m is a
 * few hundred. They go through {@link #transpose16}: 16 rows × 16 steps loaded as 16 vectors,
 * transposed in registers by four butterfly stages of two-source permutes
 * ({@code selectFrom(v1, v2)}, one vpermt2ps each) and stored as 16 vectors. Packing only moves
 * values, so the results are bitwise those of the scalar loops kept for edges.
 */
final class GemmPack {

  /*
   * Butterfly stage b (b = 8, 4, 2, 1) pairs rows i and i+b (bit b of i clear) and swaps bit b
   * between the row index and the lane index: new_i[l] = l&b ? V_{i+b}[l-b] : V_i[l],
   * new_{i+b}[l] = l&b ? V_{i+b}[l] : V_i[l+b]. After all four stages lane l of row i holds
   * V_l[i]. selectFrom reads indices 0..15 from its first source and 16..31 from the second.
   */
  private static final boolean T16 = VL == 16;
  private static final float[] LO = new float[64];
  private static final float[] HI = new float[64];

  static {
    int q = 0;
    for (int b = 8; b >= 1; b >>= 1, q++) {
      for (int l = 0; l < 16; l++) {
        LO[q * 16 + l] = (l & b) == 0 ? l : 16 + l - b;
        HI[q * 16 + l] = (l & b) == 0 ? l + b : 16 + l;
      }
    }
  }

  private GemmPack() {}

  /**
   * Packs op(A)[ic:ic+mc, pc:pc+kc] into {@code dst}: micro-panel {@code t} (rows
   * {@code ic + t*MR ..}) at {@code t*aStride}, element (r, p) at {@code p*MR + r}; rows past
   * {@code mc} are zero. Writes may run up to 16 floats past a panel's MR·kc values, into the
   * pad that {@code aStride > MR*kc + 15} leaves.
   */
  static void packA(GemmProblem g, int ic, int mc, int pc, int kc, float[] dst, int aStride) {
    float[] a = g.a();
    int lda = g.lda();
    if (g.transA()) {
      // A stored k×m: row p holds the block's mc values contiguously, MR of them per panel.
      int s = g.aOff() + pc * lda + ic;
      for (int ir = 0; ir < mc; ir += MR) {
        int rows = Math.min(MR, mc - ir);
        int d = ir / MR * aStride, sp = s + ir;
        if (T16 && rows == MR && sp + (long) (kc - 1) * lda + VL <= a.length) {
          for (int p = 0; p < kc; p++, sp += lda) {
            FloatVector.fromArray(F, a, sp).intoArray(dst, d + p * MR);
          }
        } else if (T16) {
          VectorMask<Float> m = F.indexInRange(0, rows);
          for (int p = 0; p < kc; p++, sp += lda) {
            FloatVector.fromArray(F, a, sp, m).intoArray(dst, d + p * MR);
          }
        } else {
          for (int p = 0; p < kc; p++, sp += lda) {
            int dp = d + p * MR;
            for (int r = 0; r < rows; r++) dst[dp + r] = a[sp + r];
            for (int r = rows; r < MR; r++) dst[dp + r] = 0f;
          }
        }
      }
      return;
    }
    for (int ir = 0; ir < mc; ir += MR) {
      int rows = Math.min(MR, mc - ir);
      int d = ir / MR * aStride;
      int s = g.aOff() + (ic + ir) * lda + pc;
      int p = 0;
      if (T16) {
        for (; p + 16 <= kc; p += 16) transpose16(a, s + p, lda, rows, dst, d + p * MR, MR);
      }
      for (int r = 0; r < rows; r++) {
        for (int q = p; q < kc; q++) dst[d + q * MR + r] = a[s + r * lda + q];
      }
      for (int r = rows; r < MR; r++) {
        for (int q = p; q < kc; q++) dst[d + q * MR + r] = 0f;
      }
    }
  }

  /**
   * Packs columns {@code [jc+j0, jc+j1)} of op(B)[pc:pc+kc, :] into the B block {@code dst}
   * that starts at column {@code jc}: micro-panel {@code t} (columns {@code jc + t*NR ..}) at
   * {@code t*bStride}, element (p, col) at {@code p*NR + col}; columns past {@code j1} in the
   * last panel are zero. {@code j0} is a multiple of NR; nothing outside the panels of
   * {@code [j0, j1)} is written, so threads may pack disjoint ranges of one block.
   */
  static void packB(GemmProblem g, int pc, int kc, int jc, int j0, int j1, float[] dst,
      int dstOff, int bStride) {
    float[] b = g.b();
    int ldb = g.ldb();
    if (g.transB()) {
      // B stored n×k: column j of op(B) is row j of B, contiguous along p.
      for (int jr = j0; jr < j1; jr += NR) {
        int cols = Math.min(NR, j1 - jr);
        int d = dstOff + jr / NR * bStride;
        int s = g.bOff() + (jc + jr) * ldb + pc;
        int p = 0;
        if (T16) {
          for (; p + 16 <= kc; p += 16) {
            for (int h = 0; h < NR; h += 16) {
              int hc = Math.max(0, Math.min(16, cols - h));
              transpose16(b, s + h * ldb + p, ldb, hc, dst, d + p * NR + h, NR);
            }
          }
        }
        for (int col = 0; col < cols; col++) {
          int sc = s + col * ldb;
          for (int q = p; q < kc; q++) dst[d + q * NR + col] = b[sc + q];
        }
        for (int col = cols; col < NR; col++) {
          for (int q = p; q < kc; q++) dst[d + q * NR + col] = 0f;
        }
      }
      return;
    }
    // Row p of op(B) is contiguous: stream along it, scattering NR-wide pieces to the panels.
    int full = j0 + (j1 - j0) / NR * NR;
    for (int p = 0; p < kc; p++) {
      int s = g.bOff() + (pc + p) * ldb + jc;
      int d = dstOff + j0 / NR * bStride + p * NR;
      for (int jr = j0; jr < full; jr += NR, d += bStride) {
        FloatVector.fromArray(F, b, s + jr).intoArray(dst, d);
        FloatVector.fromArray(F, b, s + jr + VL).intoArray(dst, d + VL);
      }
      if (full < j1) {
        int cols = j1 - full;
        for (int col = 0; col < cols; col++) dst[d + col] = b[s + full + col];
        for (int col = cols; col < NR; col++) dst[d + col] = 0f;
      }
    }
  }

  /**
   * Transposes a 16×16 block: row {@code r < rows} is {@code src[s + r*ld .. +16)} (rows from
   * {@code rows} on count as zero); step {@code p} of the result (the 16 values of column p,
   * row order) goes to {@code dst[d + p*dstStride .. +16)}, p in increasing order, so a
   * {@code dstStride} below 16 lets each store overwrite the tail of the previous one.
   * Needs 16-lane vectors.
   */
  static void transpose16(float[] src, int s, int ld, int rows, float[] dst, int d,
      int dstStride) {
    FloatVector lo8 = FloatVector.fromArray(F, LO, 0), hi8 = FloatVector.fromArray(F, HI, 0);
    FloatVector lo4 = FloatVector.fromArray(F, LO, 16), hi4 = FloatVector.fromArray(F, HI, 16);
    FloatVector lo2 = FloatVector.fromArray(F, LO, 32), hi2 = FloatVector.fromArray(F, HI, 32);
    FloatVector lo1 = FloatVector.fromArray(F, LO, 48), hi1 = FloatVector.fromArray(F, HI, 48);
    FloatVector v0 = row(src, s, ld, 0, rows);
    FloatVector v1 = row(src, s, ld, 1, rows);
    FloatVector v2 = row(src, s, ld, 2, rows);
    FloatVector v3 = row(src, s, ld, 3, rows);
    FloatVector v4 = row(src, s, ld, 4, rows);
    FloatVector v5 = row(src, s, ld, 5, rows);
    FloatVector v6 = row(src, s, ld, 6, rows);
    FloatVector v7 = row(src, s, ld, 7, rows);
    FloatVector v8 = row(src, s, ld, 8, rows);
    FloatVector v9 = row(src, s, ld, 9, rows);
    FloatVector v10 = row(src, s, ld, 10, rows);
    FloatVector v11 = row(src, s, ld, 11, rows);
    FloatVector v12 = row(src, s, ld, 12, rows);
    FloatVector v13 = row(src, s, ld, 13, rows);
    FloatVector v14 = row(src, s, ld, 14, rows);
    FloatVector v15 = row(src, s, ld, 15, rows);
    FloatVector w0 = lo8.selectFrom(v0, v8);
    FloatVector w8 = hi8.selectFrom(v0, v8);
    FloatVector w1 = lo8.selectFrom(v1, v9);
    FloatVector w9 = hi8.selectFrom(v1, v9);
    FloatVector w2 = lo8.selectFrom(v2, v10);
    FloatVector w10 = hi8.selectFrom(v2, v10);
    FloatVector w3 = lo8.selectFrom(v3, v11);
    FloatVector w11 = hi8.selectFrom(v3, v11);
    FloatVector w4 = lo8.selectFrom(v4, v12);
    FloatVector w12 = hi8.selectFrom(v4, v12);
    FloatVector w5 = lo8.selectFrom(v5, v13);
    FloatVector w13 = hi8.selectFrom(v5, v13);
    FloatVector w6 = lo8.selectFrom(v6, v14);
    FloatVector w14 = hi8.selectFrom(v6, v14);
    FloatVector w7 = lo8.selectFrom(v7, v15);
    FloatVector w15 = hi8.selectFrom(v7, v15);
    FloatVector x0 = lo4.selectFrom(w0, w4);
    FloatVector x4 = hi4.selectFrom(w0, w4);
    FloatVector x1 = lo4.selectFrom(w1, w5);
    FloatVector x5 = hi4.selectFrom(w1, w5);
    FloatVector x2 = lo4.selectFrom(w2, w6);
    FloatVector x6 = hi4.selectFrom(w2, w6);
    FloatVector x3 = lo4.selectFrom(w3, w7);
    FloatVector x7 = hi4.selectFrom(w3, w7);
    FloatVector x8 = lo4.selectFrom(w8, w12);
    FloatVector x12 = hi4.selectFrom(w8, w12);
    FloatVector x9 = lo4.selectFrom(w9, w13);
    FloatVector x13 = hi4.selectFrom(w9, w13);
    FloatVector x10 = lo4.selectFrom(w10, w14);
    FloatVector x14 = hi4.selectFrom(w10, w14);
    FloatVector x11 = lo4.selectFrom(w11, w15);
    FloatVector x15 = hi4.selectFrom(w11, w15);
    FloatVector y0 = lo2.selectFrom(x0, x2);
    FloatVector y2 = hi2.selectFrom(x0, x2);
    FloatVector y1 = lo2.selectFrom(x1, x3);
    FloatVector y3 = hi2.selectFrom(x1, x3);
    FloatVector y4 = lo2.selectFrom(x4, x6);
    FloatVector y6 = hi2.selectFrom(x4, x6);
    FloatVector y5 = lo2.selectFrom(x5, x7);
    FloatVector y7 = hi2.selectFrom(x5, x7);
    FloatVector y8 = lo2.selectFrom(x8, x10);
    FloatVector y10 = hi2.selectFrom(x8, x10);
    FloatVector y9 = lo2.selectFrom(x9, x11);
    FloatVector y11 = hi2.selectFrom(x9, x11);
    FloatVector y12 = lo2.selectFrom(x12, x14);
    FloatVector y14 = hi2.selectFrom(x12, x14);
    FloatVector y13 = lo2.selectFrom(x13, x15);
    FloatVector y15 = hi2.selectFrom(x13, x15);
    FloatVector z0 = lo1.selectFrom(y0, y1);
    FloatVector z1 = hi1.selectFrom(y0, y1);
    FloatVector z2 = lo1.selectFrom(y2, y3);
    FloatVector z3 = hi1.selectFrom(y2, y3);
    FloatVector z4 = lo1.selectFrom(y4, y5);
    FloatVector z5 = hi1.selectFrom(y4, y5);
    FloatVector z6 = lo1.selectFrom(y6, y7);
    FloatVector z7 = hi1.selectFrom(y6, y7);
    FloatVector z8 = lo1.selectFrom(y8, y9);
    FloatVector z9 = hi1.selectFrom(y8, y9);
    FloatVector z10 = lo1.selectFrom(y10, y11);
    FloatVector z11 = hi1.selectFrom(y10, y11);
    FloatVector z12 = lo1.selectFrom(y12, y13);
    FloatVector z13 = hi1.selectFrom(y12, y13);
    FloatVector z14 = lo1.selectFrom(y14, y15);
    FloatVector z15 = hi1.selectFrom(y14, y15);
    z0.intoArray(dst, d + 0 * dstStride);
    z1.intoArray(dst, d + 1 * dstStride);
    z2.intoArray(dst, d + 2 * dstStride);
    z3.intoArray(dst, d + 3 * dstStride);
    z4.intoArray(dst, d + 4 * dstStride);
    z5.intoArray(dst, d + 5 * dstStride);
    z6.intoArray(dst, d + 6 * dstStride);
    z7.intoArray(dst, d + 7 * dstStride);
    z8.intoArray(dst, d + 8 * dstStride);
    z9.intoArray(dst, d + 9 * dstStride);
    z10.intoArray(dst, d + 10 * dstStride);
    z11.intoArray(dst, d + 11 * dstStride);
    z12.intoArray(dst, d + 12 * dstStride);
    z13.intoArray(dst, d + 13 * dstStride);
    z14.intoArray(dst, d + 14 * dstStride);
    z15.intoArray(dst, d + 15 * dstStride);
  }

  private static FloatVector row(float[] src, int s, int ld, int r, int rows) {
    return r < rows ? FloatVector.fromArray(F, src, s + r * ld) : FloatVector.zero(F);
  }
}

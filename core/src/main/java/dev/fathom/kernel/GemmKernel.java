package dev.fathom.kernel;

import static dev.fathom.kernel.Kernels.F;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * The register-blocked micro-kernel of the packed {@link Gemm} path and its write-back.
 *
 * <p>{@link #kernel} computes one MR×NR tile {@code T = sum_p Apanel(:,p) * Bpanel(p,:)} over a
 * packed A micro-panel (MR values per step of p) and a packed B micro-panel (NR values per step),
 * holding the whole tile in vector registers: each step loads two vectors of B, broadcasts MR
 * values of A and issues 2·MR fused multiply-adds. {@link #store} then folds the tile into C as
 * {@code C = fma(T, alpha, beta * C)} ({@code T * alpha} when {@code beta == 0}), masked at the
 * right edge of C and cut at the bottom edge.
 */
final class GemmKernel {

  /*
   * Why these shapes: AVX-512 has 32 vector registers. 12 rows × 2 vectors = 24 accumulators,
   * plus 2 B vectors and a broadcast, fit without spilling, and give 24 FMAs per 14 loads (the
   * FMA ports, not the load ports, set the pace). Machines with 16 registers (AVX2) get the
   * 6 × 2 tile. The kernel writes its tile to a small scratch array instead of C so that it
   * needs no edge cases and no vector arguments; the write-back reads it from L1 again, which
   * costs 2·MR loads per kc·2·MR FMAs.
   *
   * Every element of C gets the same sequence of operations wherever its tile sits (full or
   * edge, whichever thread): fma over p in increasing order from 0, then the same write-back.
   * That is what makes the result independent of the partition over threads.
   */

  /** Float lanes per vector. */
  static final int VL = F.length();
  /** Columns of a tile: two vectors. */
  static final int NR = 2 * VL;
  /** Rows of a tile. */
  static final int MR = VL >= 16 ? 12 : 6;

  private GemmKernel() {}

  /**
   * Computes the MR×NR tile of packed panels {@code ap[ao..]} (kc steps of MR) and
   * {@code bp[bo..]} (kc steps of NR) into {@code out[0 .. MR*NR)}, row-major.
   */
  static void kernel(float[] ap, int ao, float[] bp, int bo, int kc, float[] out) {
    if (MR == 12) {
      kernel12(ap, ao, bp, bo, kc, out);
    } else {
      kernel6(ap, ao, bp, bo, kc, out);
    }
  }

  /**
   * Folds the tile {@code t} (MR×NR, row-major) into the {@code rows}×{@code cols} corner of C
   * at {@code c[co]} with row stride {@code ldc}: {@code C = fma(T, alpha, beta * C)}, or
   * {@code T * alpha} when {@code beta == 0} (the old C is not read).
   */
  static void store(float[] t, float[] c, int co, int ldc, int rows, int cols,
      float alpha, float beta) {
    FloatVector va = FloatVector.broadcast(F, alpha);
    if (cols == NR) {
      for (int r = 0; r < rows; r++) {
        int o = co + r * ldc;
        for (int v = 0; v < NR; v += VL) {
          FloatVector x = FloatVector.fromArray(F, t, r * NR + v);
          FloatVector y;
          if (beta == 0f) {
            y = x.mul(va);
          } else {
            FloatVector old = FloatVector.fromArray(F, c, o + v);
            y = x.fma(va, beta == 1f ? old : old.mul(beta));
          }
          y.intoArray(c, o + v);
        }
      }
      return;
    }
    for (int v = 0; v < cols; v += VL) {
      VectorMask<Float> mask = F.indexInRange(v, cols);
      for (int r = 0; r < rows; r++) {
        int o = co + r * ldc + v;
        FloatVector x = FloatVector.fromArray(F, t, r * NR + v);
        FloatVector y;
        if (beta == 0f) {
          y = x.mul(va);
        } else {
          FloatVector old = FloatVector.fromArray(F, c, o, mask);
          y = x.fma(va, beta == 1f ? old : old.mul(beta));
        }
        y.intoArray(c, o, mask);
      }
    }
  }

  /** The 12×NR tile: 12 broadcast rows of A times two vectors of B, 24 accumulators. */
  private static void kernel12(float[] ap, int ao, float[] bp, int bo, int kc, float[] out) {
    FloatVector c000 = FloatVector.zero(F);
    FloatVector c001 = c000, c010 = c000, c011 = c000, c020 = c000, c021 = c000, c030 = c000;
    FloatVector c031 = c000, c040 = c000, c041 = c000, c050 = c000, c051 = c000, c060 = c000;
    FloatVector c061 = c000, c070 = c000, c071 = c000, c080 = c000, c081 = c000, c090 = c000;
    FloatVector c091 = c000, c100 = c000, c101 = c000, c110 = c000, c111 = c000;
    for (int p = 0; p < kc; p++) {
      FloatVector b0 = FloatVector.fromArray(F, bp, bo);
      FloatVector b1 = FloatVector.fromArray(F, bp, bo + VL);
      FloatVector a = FloatVector.broadcast(F, ap[ao]);
      c000 = a.fma(b0, c000);
      c001 = a.fma(b1, c001);
      a = FloatVector.broadcast(F, ap[ao + 1]);
      c010 = a.fma(b0, c010);
      c011 = a.fma(b1, c011);
      a = FloatVector.broadcast(F, ap[ao + 2]);
      c020 = a.fma(b0, c020);
      c021 = a.fma(b1, c021);
      a = FloatVector.broadcast(F, ap[ao + 3]);
      c030 = a.fma(b0, c030);
      c031 = a.fma(b1, c031);
      a = FloatVector.broadcast(F, ap[ao + 4]);
      c040 = a.fma(b0, c040);
      c041 = a.fma(b1, c041);
      a = FloatVector.broadcast(F, ap[ao + 5]);
      c050 = a.fma(b0, c050);
      c051 = a.fma(b1, c051);
      a = FloatVector.broadcast(F, ap[ao + 6]);
      c060 = a.fma(b0, c060);
      c061 = a.fma(b1, c061);
      a = FloatVector.broadcast(F, ap[ao + 7]);
      c070 = a.fma(b0, c070);
      c071 = a.fma(b1, c071);
      a = FloatVector.broadcast(F, ap[ao + 8]);
      c080 = a.fma(b0, c080);
      c081 = a.fma(b1, c081);
      a = FloatVector.broadcast(F, ap[ao + 9]);
      c090 = a.fma(b0, c090);
      c091 = a.fma(b1, c091);
      a = FloatVector.broadcast(F, ap[ao + 10]);
      c100 = a.fma(b0, c100);
      c101 = a.fma(b1, c101);
      a = FloatVector.broadcast(F, ap[ao + 11]);
      c110 = a.fma(b0, c110);
      c111 = a.fma(b1, c111);
      ao += 12;
      bo += NR;
    }
    c000.intoArray(out, 0 * NR);
    c001.intoArray(out, 0 * NR + VL);
    c010.intoArray(out, 1 * NR);
    c011.intoArray(out, 1 * NR + VL);
    c020.intoArray(out, 2 * NR);
    c021.intoArray(out, 2 * NR + VL);
    c030.intoArray(out, 3 * NR);
    c031.intoArray(out, 3 * NR + VL);
    c040.intoArray(out, 4 * NR);
    c041.intoArray(out, 4 * NR + VL);
    c050.intoArray(out, 5 * NR);
    c051.intoArray(out, 5 * NR + VL);
    c060.intoArray(out, 6 * NR);
    c061.intoArray(out, 6 * NR + VL);
    c070.intoArray(out, 7 * NR);
    c071.intoArray(out, 7 * NR + VL);
    c080.intoArray(out, 8 * NR);
    c081.intoArray(out, 8 * NR + VL);
    c090.intoArray(out, 9 * NR);
    c091.intoArray(out, 9 * NR + VL);
    c100.intoArray(out, 10 * NR);
    c101.intoArray(out, 10 * NR + VL);
    c110.intoArray(out, 11 * NR);
    c111.intoArray(out, 11 * NR + VL);
  }

  /** The 6×NR tile: 6 broadcast rows of A times two vectors of B, 12 accumulators. */
  private static void kernel6(float[] ap, int ao, float[] bp, int bo, int kc, float[] out) {
    FloatVector c00 = FloatVector.zero(F);
    FloatVector c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00;
    FloatVector c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
    for (int p = 0; p < kc; p++) {
      FloatVector b0 = FloatVector.fromArray(F, bp, bo);
      FloatVector b1 = FloatVector.fromArray(F, bp, bo + VL);
      FloatVector a = FloatVector.broadcast(F, ap[ao]);
      c00 = a.fma(b0, c00);
      c01 = a.fma(b1, c01);
      a = FloatVector.broadcast(F, ap[ao + 1]);
      c10 = a.fma(b0, c10);
      c11 = a.fma(b1, c11);
      a = FloatVector.broadcast(F, ap[ao + 2]);
      c20 = a.fma(b0, c20);
      c21 = a.fma(b1, c21);
      a = FloatVector.broadcast(F, ap[ao + 3]);
      c30 = a.fma(b0, c30);
      c31 = a.fma(b1, c31);
      a = FloatVector.broadcast(F, ap[ao + 4]);
      c40 = a.fma(b0, c40);
      c41 = a.fma(b1, c41);
      a = FloatVector.broadcast(F, ap[ao + 5]);
      c50 = a.fma(b0, c50);
      c51 = a.fma(b1, c51);
      ao += 6;
      bo += NR;
    }
    c00.intoArray(out, 0 * NR);
    c01.intoArray(out, 0 * NR + VL);
    c10.intoArray(out, 1 * NR);
    c11.intoArray(out, 1 * NR + VL);
    c20.intoArray(out, 2 * NR);
    c21.intoArray(out, 2 * NR + VL);
    c30.intoArray(out, 3 * NR);
    c31.intoArray(out, 3 * NR + VL);
    c40.intoArray(out, 4 * NR);
    c41.intoArray(out, 4 * NR + VL);
    c50.intoArray(out, 5 * NR);
    c51.intoArray(out, 5 * NR + VL);
  }
}

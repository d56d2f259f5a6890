package dev.fathom.kernel;

import static dev.fathom.kernel.GemmKernel.NR;
import static dev.fathom.kernel.GemmKernel.VL;
import static dev.fathom.kernel.Kernels.F;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * The unpacked path of {@link Gemm}, for products too small to repay packing and for skinny
 * ones (a few rows, as in a matrix-vector product, or a few columns), over one rectangular
 * region of C on the calling thread. It reads A and B where they lie, vectorised along
 * whichever index is contiguous:
 *
 * <ul>
 *   <li>rows, along j (B not transposed): {@code C(i, j..) = sum_p A(i,p) * B(p, j..)}; four
 *       rows share each load of B. When B is large the same sums run row-of-B by row-of-B into
 *       an accumulator strip in L1 ("streaming"), so B is read in address order.
 *   <li>dots, along p (A not transposed, B transposed):
 *       {@code C(i,j) = sum(lanes of sum_p A(i, p..) * B(p.., j))}; one row of A against four
 *       rows of the stored B, or four rows of A against one row of B when C is narrow.
 *   <li>columns, along i (A transposed): {@code C(i.., j) = sum_p A(i.., p) * B(p, j)}; when
 *       A is large, streaming over the stored rows of A as above.
 * </ul>
 *
 * A skinny operand that would waste lanes is first copied into the layout the dots kernel
 * wants (a few columns of B, or a few rows of A, k floats each). The kernel is chosen from the
 * shape of the whole product, and each element of C gets the same operations in the same
 * order wherever its region starts, so results do not depend on how a caller splits C.
 */
final class GemmDirect {

  /** Floats of accumulator (32 KiB) that the streaming kernels keep in L1/L2. */
  private static final int ACC = 8192;
  /** Operand elements from which the rows and columns kernels stream. */
  private static final long STREAM_MIN = 16 * 1024;

  private GemmDirect() {}

  /** Computes rows {@code [i0, i1)} × columns {@code [j0, j1)} of C (k ≥ 1). */
  static void region(GemmProblem g, int i0, int i1, int j0, int j1) {
    if (i0 >= i1 || j0 >= j1) return;
    boolean fewRows = g.m() <= Gemm.SKINNY_M, fewCols = g.n() <= Gemm.SKINNY_N;
    if (!g.transB()) {
      if (fewCols && !g.transA()) {
        dots(withBColumnsCopied(g, j0, j1), i0, i1, j0, j1);
      } else if (fewCols) {
        columnsStreaming(g, i0, i1, j0, j1);
      } else if ((long) g.k() * g.n() >= STREAM_MIN) {
        rowsStreaming(g, i0, i1, j0, j1);
      } else {
        rows(g, i0, i1, j0, j1);
      }
    } else if (!g.transA()) {
      dots(g, i0, i1, j0, j1);
    } else if (fewRows) {
      dots(withARowsCopied(g, i0, i1), i0, i1, j0, j1);
    } else if ((long) g.k() * g.m() >= STREAM_MIN) {
      columnsStreaming(g, i0, i1, j0, j1);
    } else {
      columns(g, i0, i1, j0, j1);
    }
  }

  /**
   * The same product with columns {@code [j0, j1)} of op(B) copied into a transposed
   * (n×k, row-major) array, so that the dots kernel reads them along p.
   */
  private static GemmProblem withBColumnsCopied(GemmProblem g, int j0, int j1) {
    int k = g.k(), brs = g.bRowStride(), bcs = g.bColStride();
    float[] b = g.b(), bt = new float[g.n() * k];
    for (int j = j0; j < j1; j++) {
      for (int p = 0; p < k; p++) bt[j * k + p] = b[g.bOff() + p * brs + j * bcs];
    }
    return new GemmProblem(g.transA(), true, g.m(), g.n(), k, g.alpha(), g.a(), g.aOff(),
        g.lda(), bt, 0, k, g.beta(), g.c(), g.cOff(), g.ldc());
  }

  /** The same product with rows {@code [i0, i1)} of op(A) copied row-major (m×k). */
  private static GemmProblem withARowsCopied(GemmProblem g, int i0, int i1) {
    int k = g.k(), ars = g.aRowStride(), acs = g.aColStride();
    float[] a = g.a(), ar = new float[g.m() * k];
    for (int i = i0; i < i1; i++) {
      for (int p = 0; p < k; p++) ar[i * k + p] = a[g.aOff() + i * ars + p * acs];
    }
    return new GemmProblem(false, g.transB(), g.m(), g.n(), k, g.alpha(), ar, 0, k, g.b(),
        g.bOff(), g.ldb(), g.beta(), g.c(), g.cOff(), g.ldc());
  }

  /** The rows kernel over a region, register-blocked: 4 rows × NR columns at a time. */
  private static void rows(GemmProblem g, int i0, int i1, int j0, int j1) {
    float[] tile = new float[4 * NR];
    for (int j = j0; j < j1; j += NR) {
      int cols = Math.min(NR, j1 - j);
      int i = i0;
      for (; i + 4 <= i1; i += 4) rows4(g, i, j, cols, tile);
      for (; i < i1; i++) rows1(g, i, j, cols, tile);
    }
  }

  /**
   * The rows kernel over a region, streaming: for up to 4 rows and a strip of columns,
   * {@code acc(r, :) = fma(A(i+r, p), B(p, :), acc(r, :))} for p = 0, 1, ..., reading each row
   * of B in address order. Per element this is the same fma chain as {@link #rows4}.
   */
  private static void rowsStreaming(GemmProblem g, int i0, int i1, int j0, int j1) {
    float[] a = g.a(), b = g.b();
    int k = g.k(), ldb = g.ldb(), ars = g.aRowStride(), acs = g.aColStride();
    int rowsPer = Math.min(4, i1 - i0);
    int strip = Math.min(j1 - j0, ACC / rowsPer);
    float[] acc = new float[rowsPer * strip];
    for (int jb = j0; jb < j1; jb += strip) {
      int w = Math.min(strip, j1 - jb);
      int full = w / VL * VL;
      for (int i = i0; i < i1; i += rowsPer) {
        int rows = Math.min(rowsPer, i1 - i);
        Arrays.fill(acc, 0f);
        int a0 = g.aOff() + i * ars;
        for (int p = 0; p < k; p++) {
          int bp = g.bOff() + p * ldb + jb;
          for (int r = 0; r < rows; r++) {
            FloatVector x = FloatVector.broadcast(F, a[a0 + r * ars + p * acs]);
            int o = r * strip;
            int v = 0;
            for (; v < full; v += VL) {
              x.fma(FloatVector.fromArray(F, b, bp + v), FloatVector.fromArray(F, acc, o + v))
                  .intoArray(acc, o + v);
            }
            if (v < w) {
              VectorMask<Float> m = F.indexInRange(v, w);
              x.fma(FloatVector.fromArray(F, b, bp + v, m),
                  FloatVector.fromArray(F, acc, o + v, m)).intoArray(acc, o + v, m);
            }
          }
        }
        for (int r = 0; r < rows; r++) {
          int ci = g.cOff() + (i + r) * g.ldc() + jb;
          for (int t = 0; t < w; t++) put(g, ci + t, acc[r * strip + t]);
        }
      }
    }
  }

  /**
   * The columns kernel over a region, streaming (A transposed): for a strip of rows and each
   * column j, {@code acc(j, :) = fma(A(:, p), B(p, j), acc(j, :))} for p = 0, 1, ..., reading
   * each stored row of A in address order. Per element this is the same fma chain as
   * {@link #columns4}.
   */
  private static void columnsStreaming(GemmProblem g, int i0, int i1, int j0, int j1) {
    float[] a = g.a(), b = g.b();
    int k = g.k(), lda = g.lda(), brs = g.bRowStride(), bcs = g.bColStride();
    int colsPer = Math.min(4, j1 - j0);
    int strip = Math.min(i1 - i0, ACC / colsPer);
    float[] acc = new float[colsPer * strip];
    for (int ib = i0; ib < i1; ib += strip) {
      int w = Math.min(strip, i1 - ib);
      int full = w / VL * VL;
      for (int j = j0; j < j1; j += colsPer) {
        int cols = Math.min(colsPer, j1 - j);
        Arrays.fill(acc, 0f);
        for (int p = 0; p < k; p++) {
          int ap = g.aOff() + p * lda + ib;
          for (int t = 0; t < cols; t++) {
            FloatVector x = FloatVector.broadcast(F, b[g.bOff() + p * brs + (j + t) * bcs]);
            int o = t * strip;
            int v = 0;
            for (; v < full; v += VL) {
              FloatVector.fromArray(F, a, ap + v).fma(x, FloatVector.fromArray(F, acc, o + v))
                  .intoArray(acc, o + v);
            }
            if (v < w) {
              VectorMask<Float> m = F.indexInRange(v, w);
              FloatVector.fromArray(F, a, ap + v, m).fma(x,
                  FloatVector.fromArray(F, acc, o + v, m)).intoArray(acc, o + v, m);
            }
          }
        }
        for (int t = 0; t < cols; t++) {
          for (int l = 0; l < w; l++) {
            put(g, g.cOff() + (ib + l) * g.ldc() + j + t, acc[t * strip + l]);
          }
        }
      }
    }
  }

  /** The dots kernel over a region: op(A) rows and stored B rows, both contiguous along p. */
  private static void dots(GemmProblem g, int i0, int i1, int j0, int j1) {
    float[] lanes = new float[4 * VL];
    if (j1 - j0 < 4) {
      for (int j = j0; j < j1; j++) {
        int i = i0;
        for (; i + 4 <= i1; i += 4) dotsRows4(g, i, j, lanes);
        for (; i < i1; i++) dots1(g, i, j, lanes);
      }
      return;
    }
    for (int i = i0; i < i1; i++) {
      int j = j0;
      for (; j + 4 <= j1; j += 4) dots4(g, i, j, lanes);
      for (; j < j1; j++) dots1(g, i, j, lanes);
    }
  }

  /** The columns kernel over a region: op(A) columns contiguous along i (A transposed). */
  private static void columns(GemmProblem g, int i0, int i1, int j0, int j1) {
    float[] tile = new float[4 * VL];
    for (int j = j0; j < j1; ) {
      int cols = j + 4 <= j1 ? 4 : 1;
      for (int i = i0; i < i1; i += VL) {
        int rows = Math.min(VL, i1 - i);
        if (cols == 4) {
          columns4(g, i, j, rows, tile);
        } else {
          columns1(g, i, j, rows, tile);
        }
        for (int t = 0; t < cols; t++) {
          for (int l = 0; l < rows; l++) {
            put(g, g.cOff() + (i + l) * g.ldc() + j + t, tile[t * VL + l]);
          }
        }
      }
      j += cols;
    }
  }

  /** {@code C = fma(s, alpha, beta * C)}, or {@code s * alpha} when {@code beta == 0}. */
  private static void put(GemmProblem g, int ci, float s) {
    float[] c = g.c();
    float beta = g.beta();
    c[ci] = beta == 0f ? s * g.alpha() : Math.fma(s, g.alpha(), beta == 1f ? c[ci] : c[ci] * beta);
  }

  /** Rows i..i+3, columns j..j+cols of C; B not transposed. */
  private static void rows4(GemmProblem g, int i, int j, int cols, float[] tile) {
    float[] a = g.a(), b = g.b();
    int k = g.k(), ldb = g.ldb(), acs = g.aColStride(), ars = g.aRowStride();
    VectorMask<Float> m0 = F.indexInRange(0, cols), m1 = F.indexInRange(VL, cols);
    int a0 = g.aOff() + i * ars, a1 = a0 + ars, a2 = a1 + ars, a3 = a2 + ars;
    int bo = g.bOff() + j;
    FloatVector c00 = FloatVector.zero(F);
    FloatVector c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
    for (int p = 0; p < k; p++) {
      int bp = bo + p * ldb, ap = p * acs;
      FloatVector b0 = FloatVector.fromArray(F, b, bp, m0);
      FloatVector b1 = FloatVector.fromArray(F, b, bp + VL, m1);
      FloatVector x = FloatVector.broadcast(F, a[a0 + ap]);
      c00 = x.fma(b0, c00);
      c01 = x.fma(b1, c01);
      x = FloatVector.broadcast(F, a[a1 + ap]);
      c10 = x.fma(b0, c10);
      c11 = x.fma(b1, c11);
      x = FloatVector.broadcast(F, a[a2 + ap]);
      c20 = x.fma(b0, c20);
      c21 = x.fma(b1, c21);
      x = FloatVector.broadcast(F, a[a3 + ap]);
      c30 = x.fma(b0, c30);
      c31 = x.fma(b1, c31);
    }
    c00.intoArray(tile, 0);
    c01.intoArray(tile, VL);
    c10.intoArray(tile, NR);
    c11.intoArray(tile, NR + VL);
    c20.intoArray(tile, 2 * NR);
    c21.intoArray(tile, 2 * NR + VL);
    c30.intoArray(tile, 3 * NR);
    c31.intoArray(tile, 3 * NR + VL);
    GemmKernel.store(tile, g.c(), g.cOff() + i * g.ldc() + j, g.ldc(), 4, cols,
        g.alpha(), g.beta());
  }

  /** Row i, columns j..j+cols of C; B not transposed. */
  private static void rows1(GemmProblem g, int i, int j, int cols, float[] tile) {
    float[] a = g.a(), b = g.b();
    int k = g.k(), ldb = g.ldb(), acs = g.aColStride();
    VectorMask<Float> m0 = F.indexInRange(0, cols), m1 = F.indexInRange(VL, cols);
    int a0 = g.aOff() + i * g.aRowStride();
    int bo = g.bOff() + j;
    FloatVector c00 = FloatVector.zero(F);
    FloatVector c01 = c00;
    for (int p = 0; p < k; p++) {
      int bp = bo + p * ldb;
      FloatVector x = FloatVector.broadcast(F, a[a0 + p * acs]);
      c00 = x.fma(FloatVector.fromArray(F, b, bp, m0), c00);
      c01 = x.fma(FloatVector.fromArray(F, b, bp + VL, m1), c01);
    }
    c00.intoArray(tile, 0);
    c01.intoArray(tile, VL);
    GemmKernel.store(tile, g.c(), g.cOff() + i * g.ldc() + j, g.ldc(), 1, cols,
        g.alpha(), g.beta());
  }

  /**
   * Sum of {@code VL} lanes at {@code lanes[o..]} in a fixed order. The Vector API leaves the
   * order of a float {@code reduceLanes} to the implementation (the interpreter and C2 differ),
   * which would make results depend on JIT state.
   */
  private static float sum(float[] lanes, int o) {
    float s = 0f;
    for (int l = 0; l < VL; l++) s += lanes[o + l];
    return s;
  }

  /** C(i, j..j+3); A not transposed, B transposed: four dot products along p. */
  private static void dots4(GemmProblem g, int i, int j, float[] lanes) {
    float[] a = g.a(), b = g.b();
    int k = g.k(), ldb = g.ldb();
    int ai = g.aOff() + i * g.lda();
    int b0 = g.bOff() + j * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
    FloatVector s0 = FloatVector.zero(F);
    FloatVector s1 = s0, s2 = s0, s3 = s0;
    int p = 0;
    for (; p + VL <= k; p += VL) {
      FloatVector x = FloatVector.fromArray(F, a, ai + p);
      s0 = x.fma(FloatVector.fromArray(F, b, b0 + p), s0);
      s1 = x.fma(FloatVector.fromArray(F, b, b1 + p), s1);
      s2 = x.fma(FloatVector.fromArray(F, b, b2 + p), s2);
      s3 = x.fma(FloatVector.fromArray(F, b, b3 + p), s3);
    }
    if (p < k) {
      VectorMask<Float> m = F.indexInRange(p, k);
      FloatVector x = FloatVector.fromArray(F, a, ai + p, m);
      s0 = x.fma(FloatVector.fromArray(F, b, b0 + p, m), s0);
      s1 = x.fma(FloatVector.fromArray(F, b, b1 + p, m), s1);
      s2 = x.fma(FloatVector.fromArray(F, b, b2 + p, m), s2);
      s3 = x.fma(FloatVector.fromArray(F, b, b3 + p, m), s3);
    }
    s0.intoArray(lanes, 0);
    s1.intoArray(lanes, VL);
    s2.intoArray(lanes, 2 * VL);
    s3.intoArray(lanes, 3 * VL);
    int ci = g.cOff() + i * g.ldc() + j;
    for (int t = 0; t < 4; t++) put(g, ci + t, sum(lanes, t * VL));
  }

  /** C(i..i+3, j); A not transposed, B transposed: four dot products along p. */
  private static void dotsRows4(GemmProblem g, int i, int j, float[] lanes) {
    float[] a = g.a(), b = g.b();
    int k = g.k(), lda = g.lda();
    int a0 = g.aOff() + i * lda, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
    int bj = g.bOff() + j * g.ldb();
    FloatVector s0 = FloatVector.zero(F);
    FloatVector s1 = s0, s2 = s0, s3 = s0;
    int p = 0;
    for (; p + VL <= k; p += VL) {
      FloatVector y = FloatVector.fromArray(F, b, bj + p);
      s0 = FloatVector.fromArray(F, a, a0 + p).fma(y, s0);
      s1 = FloatVector.fromArray(F, a, a1 + p).fma(y, s1);
      s2 = FloatVector.fromArray(F, a, a2 + p).fma(y, s2);
      s3 = FloatVector.fromArray(F, a, a3 + p).fma(y, s3);
    }
    if (p < k) {
      VectorMask<Float> m = F.indexInRange(p, k);
      FloatVector y = FloatVector.fromArray(F, b, bj + p, m);
      s0 = FloatVector.fromArray(F, a, a0 + p, m).fma(y, s0);
      s1 = FloatVector.fromArray(F, a, a1 + p, m).fma(y, s1);
      s2 = FloatVector.fromArray(F, a, a2 + p, m).fma(y, s2);
      s3 = FloatVector.fromArray(F, a, a3 + p, m).fma(y, s3);
    }
    s0.intoArray(lanes, 0);
    s1.intoArray(lanes, VL);
    s2.intoArray(lanes, 2 * VL);
    s3.intoArray(lanes, 3 * VL);
    int ci = g.cOff() + i * g.ldc() + j;
    for (int t = 0; t < 4; t++) put(g, ci + t * g.ldc(), sum(lanes, t * VL));
  }

  /** C(i, j); A not transposed, B transposed: one dot product along p. */
  private static void dots1(GemmProblem g, int i, int j, float[] lanes) {
    float[] a = g.a(), b = g.b();
    int k = g.k();
    int ai = g.aOff() + i * g.lda();
    int b0 = g.bOff() + j * g.ldb();
    FloatVector s0 = FloatVector.zero(F);
    int p = 0;
    for (; p + VL <= k; p += VL) {
      s0 = FloatVector.fromArray(F, a, ai + p).fma(FloatVector.fromArray(F, b, b0 + p), s0);
    }
    if (p < k) {
      VectorMask<Float> m = F.indexInRange(p, k);
      s0 = FloatVector.fromArray(F, a, ai + p, m).fma(FloatVector.fromArray(F, b, b0 + p, m), s0);
    }
    s0.intoArray(lanes, 0);
    put(g, g.cOff() + i * g.ldc() + j, sum(lanes, 0));
  }

  /** C(i..i+rows, j..j+3) into {@code tile} (column t at t*VL); A transposed. */
  private static void columns4(GemmProblem g, int i, int j, int rows, float[] tile) {
    float[] a = g.a(), b = g.b();
    int k = g.k(), lda = g.lda(), brs = g.bRowStride(), bcs = g.bColStride();
    VectorMask<Float> m = F.indexInRange(0, rows);
    int ao = g.aOff() + i;
    int b0 = g.bOff() + j * bcs, b1 = b0 + bcs, b2 = b1 + bcs, b3 = b2 + bcs;
    FloatVector s0 = FloatVector.zero(F);
    FloatVector s1 = s0, s2 = s0, s3 = s0;
    for (int p = 0; p < k; p++) {
      FloatVector x = FloatVector.fromArray(F, a, ao + p * lda, m);
      int bp = p * brs;
      s0 = x.fma(FloatVector.broadcast(F, b[b0 + bp]), s0);
      s1 = x.fma(FloatVector.broadcast(F, b[b1 + bp]), s1);
      s2 = x.fma(FloatVector.broadcast(F, b[b2 + bp]), s2);
      s3 = x.fma(FloatVector.broadcast(F, b[b3 + bp]), s3);
    }
    s0.intoArray(tile, 0);
    s1.intoArray(tile, VL);
    s2.intoArray(tile, 2 * VL);
    s3.intoArray(tile, 3 * VL);
  }

  /** C(i..i+rows, j) into {@code tile[0..VL)}; A transposed. */
  private static void columns1(GemmProblem g, int i, int j, int rows, float[] tile) {
    float[] a = g.a(), b = g.b();
    int k = g.k(), lda = g.lda(), brs = g.bRowStride();
    VectorMask<Float> m = F.indexInRange(0, rows);
    int ao = g.aOff() + i;
    int b0 = g.bOff() + j * g.bColStride();
    FloatVector s0 = FloatVector.zero(F);
    for (int p = 0; p < k; p++) {
      FloatVector x = FloatVector.fromArray(F, a, ao + p * lda, m);
      s0 = x.fma(FloatVector.broadcast(F, b[b0 + p * brs]), s0);
    }
    s0.intoArray(tile, 0);
  }
}

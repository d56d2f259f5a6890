package dev.fathom.kernel;

import static dev.fathom.kernel.GemmKernel.MR;
import static dev.fathom.kernel.GemmKernel.NR;

/**
 * Single-precision general matrix multiply (SGEMM), the one that Linear, Conv2d (via im2col),
 * batched matmul and attention call: {@code C = alpha * op(A) * op(B) + beta * C}, row-major,
 * with BLAS semantics, on the Vector API and the shared {@link Parallel} pool.
 *
 * <p>{@link ScalarGemm} is its scalar twin with the same signatures; every call goes there when
 * {@link Kernels#scalarOnly()} is set. Results are bitwise reproducible: each element of C is
 * computed by one thread with an order of additions that depends on m, n and k only, not on the
 * thread count or the partition of C. Packing buffers live per thread (at most about 5 MiB
 * each) and are reused across calls.
 */
public final class Gemm {

  /*
   * Three paths, chosen by shape only:
   * - direct (GemmDirect): m·n·k below SMALL, or skinny (m <= 4 rows, n <= 8 columns), where
   *   packing cannot be repaid; reads A and B in place.
   * - packed (GemmPacked + GemmKernel): everything else; BLIS loop nest, 12×32 register tile.
   * - C = beta * C: k == 0 or alpha == 0 (A and B are not read, as in BLAS).
   * Work of at least PARALLEL_MIN multiply-adds (about 10 µs on one core) is split over the
   * pool; handing a loop to Parallel's spinning workers costs a few µs (the bound was 4M while
   * the pool was a fork-join pool whose hand-offs cost 20-60 µs). One contiguous region of C per
   * thread along its longer side (Parallel's static partition, whole tiles per thread), each thread running the whole
   * loop nest with its own buffers. One fork-join per call and no barrier inside it: each
   * thread packs the operand that spans the split itself (the B block when rows are split),
   * a few per cent of extra packing at n = 512 and under 2% from 1024 on. An earlier version
   * packed each B block once, shared, at the price of two fork-joins per K block; on this
   * shared 2-core machine a thread that waits at a barrier for a descheduled partner loses
   * more than the duplicate packing costs, and the barrier-free split measured as fast or
   * faster (docs/BENCHMARKS.md).
   */
  static final long SMALL = 32 * 1024;
  static final long PARALLEL_MIN = 1L << 20;
  static final int SKINNY_M = 4;
  static final int SKINNY_N = 8;
  private static final int DIRECT_ROWS = 16;

  /*
   * Native backend (NativeBlas, cblas_sgemm of a system OpenBLAS): only when fathom.gemm=native
   * (or FATHOM_GEMM=native) asks for it, the library is bound, and the scalar path is not forced.
   * Decided once; the library is not even looked up unless asked for. Argument checks stay here,
   * in front of both paths.
   */
  private static final boolean NATIVE =
      !Kernels.scalarOnly() && NativeBlas.requested() && NativeBlas.available();

  private Gemm() {}

  /** Whether calls go to the native BLAS backend ({@link NativeBlas}) rather than pure Java. */
  static boolean nativeActive() {
    return NATIVE;
  }

  /**
   * C = alpha * op(A) * op(B) + beta * C; op(A) is m×k, op(B) is k×n, C is m×n, all row-major.
   *
   * <p>Addressing: {@code op(A)(i,p) = a[aOff + i*lda + p]}, or {@code a[aOff + p*lda + i]} when
   * {@code transA} (A stored k×m); {@code op(B)(p,j) = b[bOff + p*ldb + j]}, or
   * {@code b[bOff + j*ldb + p]} when {@code transB} (B stored n×k);
   * {@code C(i,j) = c[cOff + i*ldc + j]}. With {@code beta == 0} the old C is not read (NaNs
   * in it are overwritten); with {@code alpha == 0} or {@code k == 0} A and B are not read and
   * C = beta * C.
   *
   * @param transA whether A is stored transposed (k×m)
   * @param transB whether B is stored transposed (n×k)
   * @param m rows of op(A) and C
   * @param n columns of op(B) and C
   * @param k columns of op(A), rows of op(B)
   * @param alpha scale of the product
   * @param a holds A from {@code aOff}, rows {@code lda} apart
   * @param b holds B from {@code bOff}, rows {@code ldb} apart
   * @param beta scale of the old C
   * @param c holds C (m×n) from {@code cOff}, rows {@code ldc} apart; overwritten
   * @throws IllegalArgumentException on a negative dimension or offset, a leading dimension
   *     smaller than the stored row, or an array shorter than the region it is said to hold
   * @throws NullPointerException when an array is null
   */
  public static void sgemm(boolean transA, boolean transB, int m, int n, int k,
      float alpha, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float beta, float[] c, int cOff, int ldc) {
    if (Kernels.scalarOnly()) {
      ScalarGemm.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb,
          beta, c, cOff, ldc);
      return;
    }
    GemmArgs.check("sgemm", transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
    if (NATIVE) {
      NativeBlas.sgemmUnchecked(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb,
          beta, c, cOff, ldc);
      return;
    }
    run(new GemmProblem(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb,
        beta, c, cOff, ldc), true);
  }

  /**
   * A batch of independent products: for {@code e} in {@code [0, batch)},
   * C_e = alpha * op(A_e) * op(B_e) + beta * C_e, where operand {@code X_e} starts at
   * {@code xOff + e * strideX}; other arguments as in {@link #sgemm}. A stride of 0 broadcasts
   * that operand (A or B) to every entry, as in a matmul of (B, T, D) by a shared (D, E) weight.
   * Small entries run one per thread; large ones each use all threads.
   *
   * @param batch number of products
   * @param strideA distance between consecutive A matrices in {@code a}; 0 = the same A for all
   * @param strideB distance between consecutive B matrices in {@code b}; 0 = the same B for all
   * @param strideC distance between consecutive C matrices in {@code c}; must keep them apart
   * @throws IllegalArgumentException on any problem {@link #sgemm} rejects, a negative batch or
   *     stride, an entry past the end of its array, or C matrices that overlap
   * @throws NullPointerException when an array is null
   */
  public static void sgemmBatched(int batch, boolean transA, boolean transB, int m, int n, int k,
      float alpha, float[] a, int aOff, long strideA, int lda, float[] b, int bOff, long strideB,
      int ldb, float beta, float[] c, int cOff, long strideC, int ldc) {
    if (Kernels.scalarOnly()) {
      ScalarGemm.sgemmBatched(batch, transA, transB, m, n, k, alpha, a, aOff, strideA, lda,
          b, bOff, strideB, ldb, beta, c, cOff, strideC, ldc);
      return;
    }
    GemmArgs.checkBatched("sgemmBatched", batch, transA, transB, m, n, k, a, aOff, strideA, lda,
        b, bOff, strideB, ldb, c, cOff, strideC, ldc);
    if (batch == 0 || m == 0 || n == 0) return;
    if (NATIVE) {
      NativeBlas.sgemmBatchedUnchecked(batch, transA, transB, m, n, k, alpha, a, aOff, strideA,
          lda, b, bOff, strideB, ldb, beta, c, cOff, strideC, ldc);
      return;
    }
    long work = (long) m * n * k;
    int threads = Parallel.threads();
    boolean perEntry = batch >= 4 * threads || batch % threads == 0 || work < 4 * PARALLEL_MIN;
    if (!perEntry || threads == 1) {
      for (int e = 0; e < batch; e++) {
        run(entry(e, transA, transB, m, n, k, alpha, a, aOff, strideA, lda, b, bOff, strideB, ldb,
            beta, c, cOff, strideC, ldc), true);
      }
      return;
    }
    int grain = (int) Math.max(1, Math.min(batch, PARALLEL_MIN / Math.max(1, work)));
    Parallel.forRange(batch, grain, (s, t) -> {
      for (int e = s; e < t; e++) {
        run(entry(e, transA, transB, m, n, k, alpha, a, aOff, strideA, lda, b, bOff, strideB, ldb,
            beta, c, cOff, strideC, ldc), false);
      }
    });
  }

  private static GemmProblem entry(int e, boolean transA, boolean transB, int m, int n, int k,
      float alpha, float[] a, int aOff, long strideA, int lda, float[] b, int bOff, long strideB,
      int ldb, float beta, float[] c, int cOff, long strideC, int ldc) {
    return new GemmProblem(transA, transB, m, n, k, alpha, a, (int) (aOff + e * strideA), lda,
        b, (int) (bOff + e * strideB), ldb, beta, c, (int) (cOff + e * strideC), ldc);
  }

  /** Runs one validated product, split over the pool when {@code parallel} and large enough. */
  static void run(GemmProblem g, boolean parallel) {
    int m = g.m(), n = g.n();
    if (m == 0 || n == 0) return;
    if (g.k() == 0 || g.alpha() == 0f) {
      scale(g);
      return;
    }
    boolean direct = isDirect(g);
    if (!parallel || Parallel.threads() == 1 || g.work() < PARALLEL_MIN) {
      region(g, direct, 0, m, 0, n);
    } else {
      split(g, direct);
    }
  }

  /** Computes C with the pool: one contiguous region of whole tiles per thread along the longer side of C. */
  static void split(GemmProblem g, boolean direct) {
    int m = g.m(), n = g.n();
    if (m >= n) {
      int unit = direct ? DIRECT_ROWS : MR;
      Parallel.forRange((m + unit - 1) / unit, 1,
          (s, e) -> region(g, direct, s * unit, Math.min(m, e * unit), 0, n));
    } else {
      Parallel.forRange((n + NR - 1) / NR, 1,
          (s, e) -> region(g, direct, 0, m, s * NR, Math.min(n, e * NR)));
    }
  }

  /** Whether {@code g} takes the unpacked path: small or skinny. */
  static boolean isDirect(GemmProblem g) {
    return isDirect((long) g.m() * g.n() * g.k(), g.m(), g.n());
  }

  private static boolean isDirect(long work, int m, int n) {
    return work < SMALL || m <= SKINNY_M || n <= SKINNY_N;
  }

  /**
   * Whether the rows {@code [0, min(m1, m2))} of C = alpha·op(A)·op(B) + beta·C come out bitwise
   * the same when {@link #sgemm} is called with {@code m1} or with {@code m2} rows (the same
   * transposes, n, k, alpha, beta and the same values in those rows of A and C). Each element of
   * C is summed in an order fixed by the path, direct or packed, and the path depends on the
   * shape only, never on the element's row or on the region a thread takes; so it holds when both
   * shapes take the same path. It lets a caller stack extra rows under a product (In-Run Data
   * Shapley's validation rows under a training batch) without changing the original rows. Not
   * promised of the native backend.
   */
  public static boolean sameRows(int m1, int m2, int n, int k) {
    if (m1 < 0 || m2 < 0 || n < 0 || k < 0) {
      throw new IllegalArgumentException("sameRows: sizes must be >= 0, got m1=" + m1 + ", m2=" + m2 + ", n=" + n + ", k=" + k);
    }
    if (Kernels.scalarOnly()) return true;
    if (NATIVE) return false;
    return isDirect((long) m1 * n * k, m1, n) == isDirect((long) m2 * n * k, m2, n);
  }

  /**
   * Computes the region {@code [i0, i1) × [j0, j1)} of C on the calling thread with the path
   * {@link #isDirect} picks (k ≥ 1, alpha ≠ 0). Whatever the regions, C comes out bitwise the
   * same; tests use this to check that partitions do not change results.
   */
  static void region(GemmProblem g, boolean direct, int i0, int i1, int j0, int j1) {
    if (direct) {
      GemmDirect.region(g, i0, i1, j0, j1);
    } else {
      GemmPacked.region(g, i0, i1, j0, j1);
    }
  }

  /** C = beta * C, or 0 when {@code beta == 0}. */
  private static void scale(GemmProblem g) {
    float[] c = g.c();
    float beta = g.beta();
    if (beta == 1f) return;
    for (int i = 0; i < g.m(); i++) {
      int o = g.cOff() + i * g.ldc();
      for (int j = o; j < o + g.n(); j++) c[j] = beta == 0f ? 0f : beta * c[j];
    }
  }
}

package dev.fathom.kernel;

import static dev.fathom.kernel.GemmKernel.MR;
import static dev.fathom.kernel.GemmKernel.NR;
import static dev.fathom.kernel.GemmKernel.VL;
import static dev.fathom.kernel.Kernels.F;

import jdk.incubator.vector.FloatVector;

/**
 * The packed, cache-blocked path of {@link Gemm} (the GotoBLAS/BLIS loop nest).
 *
 * <pre>
 * for jc in columns, step NC:                  B block kc×nc lives in L3
 *   for each K block [pc, pc+kc):              blocks depend on k only
 *     pack op(B)[pc:pc+kc, jc:jc+nc] into NR-wide micro-panels
 *     for ic in rows, step MC:                 A block mc×kc lives in L2
 *       pack op(A)[ic:ic+mc, pc:pc+kc] into MR-tall micro-panels
 *       for jr in [0, nc), step NR:            B micro-panel kc×NR streams through L1
 *         for ir in [0, mc), step MR:
 *           tile = Apanel(ir) · Bpanel(jr);  C(ic+ir.., jc+jr..) = fma(tile, alpha, beta' * C)
 * </pre>
 *
 * with {@code beta' = beta} for the first K block and 1 afterwards. Panels are zero-padded to
 * full MR and NR, so edge tiles run the same kernel and only their write-back is cut.
 *
 * <p>Two ways to run it: {@link #region} runs the whole nest over one rectangle of C on the
 * calling thread; {@link #parallelRows} packs each B block once, shared, with the pool, then
 * lets each thread run the rows of its static share of C against it.
 */
final class GemmPacked {

  /*
   * Block sizes for this machine's 48 KiB L1d and 2 MiB L2 per core, tuned by measurement:
   * KC = 512 halves the passes over C compared with 256 (the write-back of C tiles, strided by
   * ldc, is what large sizes pay for), and the kernel keeps its pace with a 64 KiB B
   * micro-panel streaming from L2. An A block is MC·KC·4 = 480 KiB of L2; a B block at most
   * KC·NC·4 = 4 MiB of L3.
   *
   * The K blocks split k evenly into ceil(k / KC) parts (k = 600 gives 300 + 300, not
   * 512 + 88), a function of k alone, so the order of additions into each C element is the
   * same for every region and every thread count.
   */
  static final int KC = 512;
  static final int MC = MR == 12 ? 240 : 120;
  static final int NC = 2048;

  private static final int PAD = 16;
  private static final int P_CHUNK = 64;

  private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

  /** Per-thread packing buffers, grown on demand and reused across calls. */
  private static final class Buffers {
    float[] a = new float[0];
    float[] b = new float[0];
    final float[] tile = new float[MR * NR];

    float[] a(int size) {
      if (a.length < size) a = new float[size];
      return a;
    }

    float[] b(int size) {
      if (b.length < size) b = new float[size];
      return b;
    }
  }

  private GemmPacked() {}

  /** Number of K blocks for depth {@code k}. */
  static int kBlocks(int k) {
    return (k + KC - 1) / KC;
  }

  /** Start of K block {@code q} of {@code blocks} over {@code k}. */
  static int kStart(int k, int blocks, int q) {
    return (int) ((long) k * q / blocks);
  }

  /** Computes rows {@code [i0, i1)} × columns {@code [j0, j1)} of C on this thread (k ≥ 1). */
  static void region(GemmProblem g, int i0, int i1, int j0, int j1) {
    if (i0 >= i1 || j0 >= j1) return;
    Buffers buf = BUFFERS.get();
    int k = g.k(), blocks = kBlocks(k);
    for (int jc = j0; jc < j1; jc += NC) {
      int nc = Math.min(NC, j1 - jc);
      for (int q = 0; q < blocks; q++) {
        int pc = kStart(k, blocks, q);
        int kc = kStart(k, blocks, q + 1) - pc;
        float[] bp = buf.b((nc + NR - 1) / NR * bStride(kc));
        packB(g, pc, kc, jc, 0, nc, bp);
        rows(g, bp, jc, nc, pc, kc, q == 0 ? g.beta() : 1f, i0, i1, buf);
      }
    }
  }

  /**
   * Computes all of C with the pool: per B block, the threads pack disjoint column ranges of
   * it into one shared buffer, then each computes its static share of the rows (whole MR
   * panels) against it. Two fork-joins per B block; no operand is packed twice.
   */
  static void parallelRows(GemmProblem g) {
    int m = g.m(), n = g.n(), k = g.k(), blocks = kBlocks(k);
    int rowPanels = (m + MR - 1) / MR;
    Buffers own = BUFFERS.get();
    for (int jc = 0; jc < n; jc += NC) {
      int nc = Math.min(NC, n - jc), jcf = jc;
      int colPanels = (nc + NR - 1) / NR;
      for (int q = 0; q < blocks; q++) {
        int pc = kStart(k, blocks, q);
        int kc = kStart(k, blocks, q + 1) - pc;
        float beta = q == 0 ? g.beta() : 1f;
        float[] bp = own.b(colPanels * bStride(kc));
        Parallel.forRange(colPanels, 1,
            (s, e) -> packB(g, pc, kc, jcf, s * NR, Math.min(nc, e * NR), bp));
        Parallel.forRange(rowPanels, 1, (s, e) -> rows(g, bp, jcf, nc, pc, kc, beta,
            s * MR, Math.min(m, e * MR), BUFFERS.get()));
      }
    }
  }

  /**
   * Rows {@code [i0, i1)} of the C block at columns {@code [jc, jc+nc)} for K block
   * {@code [pc, pc+kc)}, against the packed B block {@code bp}; A blocks are packed here. The
   * rows are cut into equal blocks of at most MC, whole MR panels.
   */
  private static void rows(GemmProblem g, float[] bp, int jc, int nc, int pc, int kc,
      float beta, int i0, int i1, Buffers buf) {
    if (i0 >= i1) return;
    float[] tile = buf.tile;
    float[] c = g.c();
    int ldc = g.ldc(), cOff = g.cOff();
    float alpha = g.alpha();
    int mBlocks = (i1 - i0 + MC - 1) / MC;
    int mcStep = roundUp((i1 - i0 + mBlocks - 1) / mBlocks, MR);
    float[] ap = buf.a(mcStep / MR * aStride(kc));
    int as = aStride(kc), bs = bStride(kc);
    for (int ic = i0; ic < i1; ic += mcStep) {
      int mc = Math.min(mcStep, i1 - ic);
      packA(g, ic, mc, pc, kc, ap);
      for (int jr = 0; jr < nc; jr += NR) {
        int cols = Math.min(NR, nc - jr);
        for (int ir = 0; ir < mc; ir += MR) {
          GemmKernel.kernel(ap, ir / MR * as, bp, jr / NR * bs, kc, tile);
          GemmKernel.store(tile, c, cOff + (ic + ir) * ldc + jc + jr, ldc,
              Math.min(MR, mc - ir), cols, alpha, beta);
        }
      }
    }
  }

  /**
   * Distance between packed A micro-panels: MR·kc plus one cache line. Without the pad, panels
   * sit a multiple of 4 KiB apart whenever kc is a multiple of 256 (24 KiB at kc = 512), so the
   * packing loops that write several panels at once would send every write to the same L1 set.
   */
  static int aStride(int kc) {
    return MR * kc + PAD;
  }

  /** Distance between packed B micro-panels: NR·kc plus one cache line (see aStride). */
  static int bStride(int kc) {
    return NR * kc + PAD;
  }

  private static int roundUp(int x, int to) {
    return (x + to - 1) / to * to;
  }

  /**
   * Packs op(A)[ic:ic+mc, pc:pc+kc] into {@code dst}: micro-panel {@code t} (rows
   * {@code ic + t*MR ..}) at {@code t*aStride(kc)}, element (r, p) at {@code p*MR + r}; rows past
   * {@code mc} are zero.
   */
  static void packA(GemmProblem g, int ic, int mc, int pc, int kc, float[] dst) {
    float[] a = g.a();
    int lda = g.lda();
    if (g.transA()) {
      // A stored k×m: row p holds the mc values of this block contiguously; read each once.
      int s = g.aOff() + pc * lda + ic;
      for (int p = 0; p < kc; p++, s += lda) {
        for (int ir = 0; ir < mc; ir += MR) {
          int rows = Math.min(MR, mc - ir);
          int d = ir / MR * aStride(kc) + p * MR;
          for (int r = 0; r < rows; r++) dst[d + r] = a[s + ir + r];
          for (int r = rows; r < MR; r++) dst[d + r] = 0f;
        }
      }
      return;
    }
    for (int ir = 0; ir < mc; ir += MR) {
      int rows = Math.min(MR, mc - ir);
      int d = ir / MR * aStride(kc);
      int s = g.aOff() + (ic + ir) * lda + pc;
      for (int r = 0; r < rows; r++, s += lda) {
        for (int p = 0; p < kc; p++) dst[d + p * MR + r] = a[s + p];
      }
      for (int r = rows; r < MR; r++) {
        for (int p = 0; p < kc; p++) dst[d + p * MR + r] = 0f;
      }
    }
  }

  /**
   * Packs columns {@code [jc+j0, jc+j1)} of op(B)[pc:pc+kc, :] into the B block {@code dst}
   * that starts at column {@code jc}: micro-panel {@code t} (columns {@code jc + t*NR ..}) at
   * {@code t*bStride(kc)}, element (p, col) at {@code p*NR + col}; columns past {@code j1} in the
   * last panel are zero. {@code j0} is a multiple of NR.
   */
  static void packB(GemmProblem g, int pc, int kc, int jc, int j0, int j1, float[] dst) {
    float[] b = g.b();
    int ldb = g.ldb(), bs = bStride(kc);
    if (g.transB()) {
      // B stored n×k: column j of op(B) is contiguous along p. Transpose NR columns × P_CHUNK
      // steps at a time so that the strided writes stay within a few KiB of L1.
      for (int jr = j0; jr < j1; jr += NR) {
        int cols = Math.min(NR, j1 - jr);
        int d = jr / NR * bs;
        int s = g.bOff() + (jc + jr) * ldb + pc;
        for (int p0 = 0; p0 < kc; p0 += P_CHUNK) {
          int p1 = Math.min(kc, p0 + P_CHUNK);
          for (int col = 0; col < cols; col++) {
            int sc = s + col * ldb;
            for (int p = p0; p < p1; p++) dst[d + p * NR + col] = b[sc + p];
          }
          for (int col = cols; col < NR; col++) {
            for (int p = p0; p < p1; p++) dst[d + p * NR + col] = 0f;
          }
        }
      }
      return;
    }
    // Row p of op(B) is contiguous: stream along it, scattering NR-wide pieces to the panels.
    int full = j0 + (j1 - j0) / NR * NR;
    for (int p = 0; p < kc; p++) {
      int s = g.bOff() + (pc + p) * ldb + jc;
      int d = j0 / NR * bs + p * NR;
      for (int jr = j0; jr < full; jr += NR, d += bs) {
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
}

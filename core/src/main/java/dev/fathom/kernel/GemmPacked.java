package dev.fathom.kernel;

import static dev.fathom.kernel.GemmKernel.MR;
import static dev.fathom.kernel.GemmKernel.NR;

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
 * with {@code beta' = beta} for the first K block and 1 afterwards. When k needs several K
 * blocks and all of them packed for one column panel fit in {@link #WHOLE_B}, the K loop moves
 * inside the row blocks instead (B packed once per column panel, each C block finished while
 * it sits in L2); the additions into each C element are the same, in the same order. Panels
 * are zero-padded to full MR and NR, so edge tiles run the same kernel and only their
 * write-back is cut.
 *
 * <p>{@link #region} runs the whole nest over one rectangle of C on the calling thread;
 * {@link Gemm} gives each thread of the pool one such rectangle. The packing itself is in
 * {@link GemmPack} (vectorised, with in-register 16×16 transposes where the layout turns).
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
  /**
   * Most floats of packed B (all K blocks of one column panel) for the K-inside order: 1 MiB,
   * so that B, an A block and a C block share the 2 MiB L2. Measured on one thread (CPU
   * time): about 6% faster at (4096, 256, 688); with B four times larger, at (4096, 256, 4096),
   * streaming B from L3 for every row block cost more than the passes over C it saved.
   */
  static final long WHOLE_B = 1L << 18;

  private static final int PAD = 16;

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
    int mBlocks = (i1 - i0 + MC - 1) / MC;
    int mcStep = roundUp((i1 - i0 + mBlocks - 1) / mBlocks, MR);
    for (int jc = j0; jc < j1; jc += NC) {
      int nc = Math.min(NC, j1 - jc), panels = (nc + NR - 1) / NR;
      if (blocks > 1 && (long) panels * NR * k <= WHOLE_B) {
        // K inside the row blocks: pack every K block of this column panel once, then give
        // each row block all of them in turn, so its C block stays in L2 across the K blocks.
        int[] at = new int[blocks + 1];
        for (int q = 0; q < blocks; q++) {
          at[q + 1] = at[q] + panels * bStride(kStart(k, blocks, q + 1) - kStart(k, blocks, q));
        }
        float[] bp = buf.b(at[blocks]);
        for (int q = 0; q < blocks; q++) {
          int pc = kStart(k, blocks, q);
          packB(g, pc, kStart(k, blocks, q + 1) - pc, jc, 0, nc, bp, at[q]);
        }
        for (int ic = i0; ic < i1; ic += mcStep) {
          int ie = Math.min(i1, ic + mcStep);
          for (int q = 0; q < blocks; q++) {
            int pc = kStart(k, blocks, q);
            int kc = kStart(k, blocks, q + 1) - pc;
            rows(g, bp, at[q], jc, nc, pc, kc, q == 0 ? g.beta() : 1f, ic, ie, mcStep, buf);
          }
        }
        continue;
      }
      for (int q = 0; q < blocks; q++) {
        int pc = kStart(k, blocks, q);
        int kc = kStart(k, blocks, q + 1) - pc;
        float[] bp = buf.b(panels * bStride(kc));
        packB(g, pc, kc, jc, 0, nc, bp, 0);
        rows(g, bp, 0, jc, nc, pc, kc, q == 0 ? g.beta() : 1f, i0, i1, mcStep, buf);
      }
    }
  }

  /**
   * Rows {@code [i0, i1)} of the C block at columns {@code [jc, jc+nc)} for K block
   * {@code [pc, pc+kc)}, against the packed B block at {@code bp[bo..]}; A blocks of
   * {@code mcStep} rows (whole MR panels) are packed here.
   */
  private static void rows(GemmProblem g, float[] bp, int bo, int jc, int nc, int pc, int kc,
      float beta, int i0, int i1, int mcStep, Buffers buf) {
    if (i0 >= i1) return;
    float[] tile = buf.tile;
    float[] c = g.c();
    int ldc = g.ldc(), cOff = g.cOff();
    float alpha = g.alpha();
    float[] ap = buf.a(mcStep / MR * aStride(kc));
    int as = aStride(kc), bs = bStride(kc);
    for (int ic = i0; ic < i1; ic += mcStep) {
      int mc = Math.min(mcStep, i1 - ic);
      packA(g, ic, mc, pc, kc, ap);
      for (int jr = 0; jr < nc; jr += NR) {
        int cols = Math.min(NR, nc - jr);
        for (int ir = 0; ir < mc; ir += MR) {
          GemmKernel.kernel(ap, ir / MR * as, bp, bo + jr / NR * bs, kc, tile);
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
   * The pad also takes the spill of the vector packs (GemmPack), which write whole 16-float
   * vectors and may run up to 4 floats past a panel's MR·kc values.
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

  /** Packs an A block; see {@link GemmPack#packA}. */
  static void packA(GemmProblem g, int ic, int mc, int pc, int kc, float[] dst) {
    GemmPack.packA(g, ic, mc, pc, kc, dst, aStride(kc));
  }

  /** Packs part of a B block; see {@link GemmPack#packB}. */
  static void packB(GemmProblem g, int pc, int kc, int jc, int j0, int j1, float[] dst,
      int dstOff) {
    GemmPack.packB(g, pc, kc, jc, j0, j1, dst, dstOff, bStride(kc));
  }
}

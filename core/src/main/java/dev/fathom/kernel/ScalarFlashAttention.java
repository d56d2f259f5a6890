package dev.fathom.kernel;

import java.util.Arrays;

/**
 * Scalar twin of {@link FlashAttention}, and the tile walk both share. The walk (which tiles,
 * which rows, masking at tile granularity, work items and their order) lives here once, in
 * {@link #forward(Tiles, float[], float[], float[], float[], float[], int, int, int, int, int, int, int, float, boolean)}
 * and {@link #backward(Tiles, float[], float[], float[], float[], float[], float[], float[], float[], float[], int, int, int, int, int, int, int, float, boolean)};
 * all arithmetic goes through a {@link Tiles} implementation: {@link #SCALAR} here (plain loops),
 * the register-blocked Vector API one in {@link FlashAttention}. Each {@link Tiles} method
 * specifies the per-element order of its operations, so the twins agree bit for bit; this class
 * is the reference of the vector kernel in tests and the path taken when
 * {@link Kernels#scalarOnly()} is set.
 *
 * <p>See {@link FlashAttention} for the layout, the math and the parameters.
 */
public final class ScalarFlashAttention {
  /** Query rows per tile (and per forward / gq work item); a multiple of every vector length. */
  static final int BQ = 64;
  /** Keys per tile; a multiple of every vector length. */
  static final int BK = 64;
  /** Rows (or keys) per register block of {@link Tiles#accT}. */
  static final int RB = 4;

  private ScalarFlashAttention() {}

  /** See {@link FlashAttention#forward}. */
  public static void forward(float[] q, float[] k, float[] v, float[] out, float[] lse,
      int b, int h, int hkv, int t, int s, int d, int dv, float scale, boolean causal) {
    forward(SCALAR, q, k, v, out, lse, b, h, hkv, t, s, d, dv, scale, causal, 0);
  }

  /** See {@link FlashAttention#forward(float[], float[], float[], float[], float[], int, int, int, int, int, int, int, float, int)}. */
  public static void forward(float[] q, float[] k, float[] v, float[] out, float[] lse,
      int b, int h, int hkv, int t, int s, int d, int dv, float scale, int window) {
    forward(SCALAR, q, k, v, out, lse, b, h, hkv, t, s, d, dv, scale, true, window);
  }

  /** See {@link FlashAttention#backward}. */
  public static void backward(float[] q, float[] k, float[] v, float[] out, float[] lse, float[] gOut,
      float[] gq, float[] gk, float[] gv,
      int b, int h, int hkv, int t, int s, int d, int dv, float scale, boolean causal) {
    backward(SCALAR, q, k, v, out, lse, gOut, gq, gk, gv, b, h, hkv, t, s, d, dv, scale, causal, 0);
  }

  /** The sliding-window backward; see {@link FlashAttention#forward(float[], float[], float[], float[], float[], int, int, int, int, int, int, int, float, int)}. */
  public static void backward(float[] q, float[] k, float[] v, float[] out, float[] lse, float[] gOut,
      float[] gq, float[] gk, float[] gv,
      int b, int h, int hkv, int t, int s, int d, int dv, float scale, int window) {
    backward(SCALAR, q, k, v, out, lse, gOut, gq, gk, gv, b, h, hkv, t, s, d, dv, scale, true, window);
  }

  /** See {@link FlashAttention#forward(float[], float[], float[], float[], float[], int, int, int, int, int, int, int, float, BlockSparseLayout)}. */
  public static void forward(float[] q, float[] k, float[] v, float[] out, float[] lse,
      int b, int h, int hkv, int t, int s, int d, int dv, float scale, BlockSparseLayout layout) {
    forward(SCALAR, q, k, v, out, lse, b, h, hkv, t, s, d, dv, scale, blockSparse(layout, t, s));
  }

  /** The block-sparse backward; see {@link FlashAttention#forward(float[], float[], float[], float[], float[], int, int, int, int, int, int, int, float, BlockSparseLayout)}. */
  public static void backward(float[] q, float[] k, float[] v, float[] out, float[] lse, float[] gOut,
      float[] gq, float[] gk, float[] gv,
      int b, int h, int hkv, int t, int s, int d, int dv, float scale, BlockSparseLayout layout) {
    backward(SCALAR, q, k, v, out, lse, gOut, gq, gk, gv, b, h, hkv, t, s, d, dv, scale, blockSparse(layout, t, s));
  }

  /*
   * The tile walk. Forward and gq: one item per (batch·head, block of BQ query rows); the block
   * of q (and gOut) is transposed once per item into qT (D×BQ), so score tiles come out as
   * Sᵀ (keys × rows, lanes over query rows) from k rows read in place: the online-softmax state
   * (m, l, alpha) is then lane-wise per row and needs no horizontal sums. gk and gv: one item
   * per (batch·kv head, tile of BK keys); k and v of the tile are transposed once per item, the
   * item walks the query heads of its group and their query blocks in order, with score tiles
   * S (rows × keys, lanes over keys). Within a head, items take their tiles in zigzag order
   * (first, last, second, ...) to balance the causal work across the static chunks. Every output element has a single writer and a fixed
   * order of additions, so results do not depend on the thread count.
   *
   * Which tiles are visited is a TilePattern's answer: per query tile, an ascending list of key
   * tiles; per key tile, ascending chunks of at most BQ query rows (the transpose). Dense
   * patterns give every tile up to the diagonal (or of a sliding window) with query tiles at
   * multiples of BQ rows, exactly the walk as it was before patterns; a block-sparse layout gives
   * the tiles of the blocks each query block sees, with query tiles at multiples of BQ positions.
   *
   * Causal masking at tile granularity: key tiles past a query block's last visible key are
   * never visited; inside a visited tile, key c is visible to row r iff c ≤ r + shift, and the
   * softmax steps give invisible entries probability exactly 0; the products that follow skip
   * whole register blocks that see no key of the tile (and add exact zeros inside one).
   *
   * Accuracy: the backward sums gq over all keys and gk, gv over all query rows (of the whole
   * group). Each tile product goes into a zeroed partial first, which is then added to the
   * gradient, so a sum over T terms is a chain of 64 products plus a chain of T/64 partials
   * instead of one chain of T: at T = 1024..8192 this keeps the gradients within 1e-5 of the
   * composed (GEMM) attention, where one long float chain drifted past it.
   *
   * Memory per thread: qT and oT (D·BQ + Dv·BQ), kT and vT (D·BK + Dv·BK), two BK·BQ tiles,
   * BQ·Dv of output accumulator and 3·BQ of softmax state, and gradient partials (BQ·D, or
   * BK·D + BK·Dv), and the tile lists (S/BK ints, or about T/BQ + 2·#blocks); plus the block
   * lists of a block-sparse layout, #blocks·(local + global + random) ints; plus B·H·T floats of lse (kept by
   * the caller) and of row dots in the backward.
   */

  static void forward(Tiles ops, float[] q, float[] k, float[] v, float[] out, float[] lse,
      int b, int h, int hkv, int t, int s, int d, int dv, float scale, boolean causal, int window) {
    checkWindow(causal, window);
    forward(ops, q, k, v, out, lse, b, h, hkv, t, s, d, dv, scale, new TilePattern.Dense(causal, window));
  }

  static void forward(Tiles ops, float[] q, float[] k, float[] v, float[] out, float[] lse,
      int b, int h, int hkv, int t, int s, int d, int dv, float scale, TilePattern pattern) {
    check("forward", q, k, v, out, lse, null, b, h, hkv, t, s, d, dv);
    boolean causal = pattern.causal();
    int window = pattern.window(), off = s - t, nqt = pattern.rowTiles(t, off), align = pattern.rowAlign(off);
    int group = h / hkv, nkt = (s + BK - 1) / BK;
    Parallel.forRange(b * h * nqt, 1, (i0, i1) -> {
      float[] qT = new float[d * BQ], st = new float[BK * BQ];
      float[] m = new float[BQ], l = new float[BQ], alpha = new float[BQ], acc = new float[BQ * dv];
      int[] k0s = new int[nkt];
      for (int item = i0; item < i1; item++) {
        int bh = item / nqt, j = zigzag(item % nqt, nqt);
        int r0 = Math.max(0, j * BQ - align), r1 = Math.min(t, (j + 1) * BQ - align), rows = r1 - r0;
        int kvh = (bh / h) * hkv + (bh % h) / group;
        int qBase = bh * t * d, kBase = kvh * s * d, vBase = kvh * s * dv;
        transpose(q, qBase + r0 * d, rows, d, qT, BQ);
        Arrays.fill(m, Float.NEGATIVE_INFINITY);
        Arrays.fill(l, 0f);
        Arrays.fill(acc, 0, rows * dv, 0f);
        int kEnd = causal ? Math.max(0, Math.min(s, r1 + off)) : s;  // keys the last row sees
        for (int x = 0, nk = pattern.keyTiles(r0 + off, kEnd, k0s); x < nk; x++) {
          int k0 = k0s[x], n = Math.min(BK, kEnd - k0), shift = causal ? r0 + off - k0 : n;
          ops.dotT(k, kBase + k0 * d, d, qT, BQ, d, n, rows, st, BQ);  // st[c·BQ + r] = k_c·q_r
          hideBelowWindow(st, 1, BQ, n, rows, shift, window);  // st[c·BQ + r]
          ops.softmaxTile(st, n, rows, shift, scale, m, l, alpha);
          ops.scaleRows(acc, dv, rows, alpha);
          for (int rb = 0; rb < rows; rb += RB) {
            int nx = Math.min(RB, rows - rb), cEnd = causal ? Math.min(n, Math.max(0, rb + nx + shift)) : n;
            ops.accT(st, BQ, rb, nx, 0, cEnd, v, vBase + k0 * dv, dv, dv, acc, 0, dv);
          }
        }
        finish(out, lse, bh * t + r0, rows, dv, m, l, acc);
      }
    });
  }

  static void backward(Tiles ops, float[] q, float[] k, float[] v, float[] out, float[] lse, float[] gOut,
      float[] gq, float[] gk, float[] gv,
      int b, int h, int hkv, int t, int s, int d, int dv, float scale, boolean causal, int window) {
    checkWindow(causal, window);
    backward(ops, q, k, v, out, lse, gOut, gq, gk, gv, b, h, hkv, t, s, d, dv, scale, new TilePattern.Dense(causal, window));
  }

  static void backward(Tiles ops, float[] q, float[] k, float[] v, float[] out, float[] lse, float[] gOut,
      float[] gq, float[] gk, float[] gv,
      int b, int h, int hkv, int t, int s, int d, int dv, float scale, TilePattern pattern) {
    check("backward", q, k, v, out, lse, gOut, b, h, hkv, t, s, d, dv);
    checkGrads(gq, gk, gv, b, h, hkv, t, s, d, dv);
    float[] rowDot = rowDots(out, gOut, b * h * t, dv);
    boolean causal = pattern.causal();
    int window = pattern.window(), off = s - t, group = h / hkv, nkt = (s + BK - 1) / BK;
    if (gq != null) {
      int nqt = pattern.rowTiles(t, off), align = pattern.rowAlign(off);
      Parallel.forRange(b * h * nqt, 1, (i0, i1) -> {
        float[] qT = new float[d * BQ], oT = new float[dv * BQ], st = new float[BK * BQ], dpt = new float[BK * BQ];
        float[] part = new float[BQ * d];
        int[] k0s = new int[nkt];
        for (int item = i0; item < i1; item++) {
          int bh = item / nqt, j = zigzag(item % nqt, nqt);
          int r0 = Math.max(0, j * BQ - align), r1 = Math.min(t, (j + 1) * BQ - align), rows = r1 - r0;
          int kvh = (bh / h) * hkv + (bh % h) / group;
          int qBase = bh * t * d, kBase = kvh * s * d, vBase = kvh * s * dv, oBase = bh * t * dv;
          Arrays.fill(gq, qBase + r0 * d, qBase + r1 * d, 0f);
          transpose(q, qBase + r0 * d, rows, d, qT, BQ);
          transpose(gOut, oBase + r0 * dv, rows, dv, oT, BQ);
          int kEnd = causal ? Math.max(0, Math.min(s, r1 + off)) : s;
          for (int x = 0, nk = pattern.keyTiles(r0 + off, kEnd, k0s); x < nk; x++) {
            int k0 = k0s[x], n = Math.min(BK, kEnd - k0), shift = causal ? r0 + off - k0 : n;
            ops.dotT(k, kBase + k0 * d, d, qT, BQ, d, n, rows, st, BQ);
            hideBelowWindow(st, 1, BQ, n, rows, shift, window);  // st[c·BQ + r]
            ops.dotT(v, vBase + k0 * dv, dv, oT, BQ, dv, n, rows, dpt, BQ);
            ops.dsRows(st, dpt, n, rows, shift, scale, lse, rowDot, bh * t + r0);
            Arrays.fill(part, 0, rows * d, 0f);
            for (int rb = 0; rb < rows; rb += RB) {
              int nx = Math.min(RB, rows - rb), cEnd = causal ? Math.min(n, Math.max(0, rb + nx + shift)) : n;
              ops.accT(st, BQ, rb, nx, 0, cEnd, k, kBase + k0 * d, d, d, part, 0, d);
            }
            ops.addTo(part, rows * d, gq, qBase + r0 * d);
          }
        }
      });
    }
    if (gk == null && gv == null) return;
    Parallel.forRange(b * hkv * nkt, 1, (i0, i1) -> {
      float[] kT = new float[d * BK], vT = new float[dv * BK], sc = new float[BQ * BK], dp = new float[BQ * BK];
      float[] partK = new float[BK * d], partV = new float[BK * dv];
      int[] starts = new int[pattern.maxRowChunks(t)], chunkRows = new int[starts.length];
      for (int item = i0; item < i1; item++) {
        int kvh = item / nkt, k0 = zigzag(item % nkt, nkt) * BK, n = Math.min(BK, s - k0);
        int kBase = kvh * s * d, vBase = kvh * s * dv;
        if (gk != null) Arrays.fill(gk, kBase + k0 * d, kBase + (k0 + n) * d, 0f);
        if (gv != null) Arrays.fill(gv, vBase + k0 * dv, vBase + (k0 + n) * dv, 0f);
        transpose(k, kBase + k0 * d, n, d, kT, BK);
        transpose(v, vBase + k0 * dv, n, dv, vT, BK);
        int chunks = pattern.rowChunks(k0, n, t, off, starts, chunkRows);
        for (int hh = 0; hh < group; hh++) {
          int bh = (kvh / hkv) * h + (kvh % hkv) * group + hh;
          int qBase = bh * t * d, oBase = bh * t * dv;
          for (int x = 0; x < chunks; x++) {
            int q0 = starts[x], rows = chunkRows[x], shift = causal ? q0 + off - k0 : n;
            ops.dotT(q, qBase + q0 * d, d, kT, BK, d, rows, n, sc, BK);  // sc[r·BK + c] = q_r·k_c
            hideBelowWindow(sc, BK, 1, n, rows, shift, window);  // sc[r·BK + c]
            ops.dotT(gOut, oBase + q0 * dv, dv, vT, BK, dv, rows, n, dp, BK);
            ops.pdsKeys(sc, dp, rows, n, shift, scale, lse, rowDot, bh * t + q0);
            Arrays.fill(partK, 0, n * d, 0f);
            Arrays.fill(partV, 0, n * dv, 0f);
            for (int cb = 0; cb < n; cb += RB) {
              int nx = Math.min(RB, n - cb), rStart = causal ? Math.max(0, Math.min(rows, cb - shift)) : 0;
              if (gv != null) ops.accT(sc, BK, cb, nx, rStart, rows, gOut, oBase + q0 * dv, dv, dv, partV, 0, dv);
              if (gk != null) ops.accT(dp, BK, cb, nx, rStart, rows, q, qBase + q0 * d, d, d, partK, 0, d);
            }
            if (gv != null) ops.addTo(partV, n * dv, gv, vBase + k0 * dv);
            if (gk != null) ops.addTo(partK, n * d, gk, kBase + k0 * d);
          }
        }
      }
    });
  }

  // ---- shared between the twins (layout, bookkeeping; no arithmetic that the vector path changes)

  private static void checkWindow(boolean causal, int window) {
    if (window < 0 || (window > 0 && !causal)) {
      throw new IllegalArgumentException("attention window: expected 0 (none) or a positive window with causal masking, got "
          + window + (causal ? "" : " without causal masking"));
    }
  }

  /** The tile pattern of a layout for T queries at the end of S keys (empty for negative sizes, which check rejects). */
  static TilePattern blockSparse(BlockSparseLayout layout, int t, int s) {
    if (layout == null) throw new NullPointerException("block-sparse attention: layout is null");
    return new BlockSparseTiles(layout, Math.max(0, t), Math.max(0, s));
  }

  /**
   * First key tile a query block starting at aligned position {@code firstRow} (= r0 + S − T)
   * needs: with a window only tiles holding a key ≥ firstRow − window + 1, else tile 0.
   */
  static int firstTile(int firstRow, int window) {
    if (window <= 0) return 0;
    return Math.max(0, firstRow - window + 1) / BK * BK;
  }

  /**
   * Sliding window: sets the raw score of key c for row r to −∞ where the key lies before the
   * row's window (c &lt; r + shift − window + 1; shift as for causal masking), at
   * {@code tile[c·cStride + r·rStride]}. The softmax steps then give it probability exactly 0,
   * as they do above the diagonal. Only the entries concerned are touched.
   */
  static void hideBelowWindow(float[] tile, int rStride, int cStride, int n, int rows, int shift, int window) {
    if (window <= 0) return;
    for (int r = 0; r < rows; r++) {
      int hide = Math.min(n, r + shift - window + 1);  // keys [0, hide) are too old for row r
      for (int c = 0; c < hide; c++) tile[c * cStride + r * rStride] = Float.NEGATIVE_INFINITY;
    }
  }

  /**
   * The j-th of n tiles in the order 0, n−1, 1, n−2, ...: causal tiles cost more the later
   * their query block (or the earlier their key tile), so contiguous static chunks of items
   * get about equal work even within one head.
   */
  static int zigzag(int j, int n) {
    return (j & 1) == 0 ? j >> 1 : n - 1 - (j >> 1);
  }

  /**
   * xT[e·ld + c] = x[base + c·cols + e] for c < n, e < cols (a block of rows turned into
   * columns); columns n..ld−1 are zeroed so padded lanes stay finite.
   */
  static void transpose(float[] x, int base, int n, int cols, float[] xT, int ld) {
    for (int c = 0; c < n; c++) {
      int src = base + c * cols;
      for (int e = 0; e < cols; e++) xT[e * ld + c] = x[src + e];
    }
    if (n < ld) for (int e = 0; e < cols; e++) Arrays.fill(xT, e * ld + n, e * ld + ld, 0f);
  }

  /** D_i = Σ_e gOut[i, e]·out[i, e] per row, in double. */
  static float[] rowDots(float[] out, float[] gOut, int rows, int dv) {
    float[] r = new float[rows];
    Parallel.forRange(rows, 256, (a, z) -> {
      for (int i = a; i < z; i++) {
        double sum = 0;
        for (int e = 0; e < dv; e++) sum += (double) out[i * dv + e] * gOut[i * dv + e];
        r[i] = (float) sum;
      }
    });
    return r;
  }

  /** out = acc / l and lse = m + ln l per row; a row that saw no key gets 0 and −∞. */
  static void finish(float[] out, float[] lse, int row0, int rows, int dv, float[] m, float[] l, float[] acc) {
    for (int r = 0; r < rows; r++) {
      int o = (row0 + r) * dv;
      if (l[r] == 0f) {
        Arrays.fill(out, o, o + dv, 0f);
        lse[row0 + r] = Float.NEGATIVE_INFINITY;
        continue;
      }
      float inv = l[r];
      for (int e = 0; e < dv; e++) out[o + e] = acc[r * dv + e] / inv;
      lse[row0 + r] = m[r] + (float) Math.log(l[r]);
    }
  }

  static void check(String op, float[] q, float[] k, float[] v, float[] out, float[] lse, float[] gOut,
      int b, int h, int hkv, int t, int s, int d, int dv) {
    if (b < 0 || h < 1 || hkv < 1 || t < 0 || s < 0 || d < 1 || dv < 1) {
      throw new IllegalArgumentException("flash attention " + op + ": bad sizes B=" + b + " H=" + h + " Hkv=" + hkv
          + " T=" + t + " S=" + s + " D=" + d + " Dv=" + dv);
    }
    if (h % hkv != 0) {
      throw new IllegalArgumentException("flash attention " + op + ": H=" + h + " is not a multiple of Hkv=" + hkv);
    }
    need(op, "q", q, (long) b * h * t * d);
    need(op, "k", k, (long) b * hkv * s * d);
    need(op, "v", v, (long) b * hkv * s * dv);
    need(op, "out", out, (long) b * h * t * dv);
    need(op, "lse", lse, (long) b * h * t);
    if (gOut != null) need(op, "gOut", gOut, (long) b * h * t * dv);
    if ((long) b * h * t * Math.max(d, dv) > Integer.MAX_VALUE || (long) b * hkv * s * Math.max(d, dv) > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("flash attention " + op + ": tensors over 2^31 elements are not supported");
    }
  }

  static void checkGrads(float[] gq, float[] gk, float[] gv, int b, int h, int hkv, int t, int s, int d, int dv) {
    if (gq != null) need("backward", "gq", gq, (long) b * h * t * d);
    if (gk != null) need("backward", "gk", gk, (long) b * hkv * s * d);
    if (gv != null) need("backward", "gv", gv, (long) b * hkv * s * dv);
  }

  private static void need(String op, String name, float[] a, long n) {
    if (a == null) throw new NullPointerException("flash attention " + op + ": " + name + " is null");
    if (a.length < n) {
      throw new IllegalArgumentException("flash attention " + op + ": " + name + " has " + a.length
          + " elements, expected at least " + n);
    }
  }

  // ---- arithmetic: the vector kernel replaces exactly these, with the same per-element order

  /**
   * The tile arithmetic of the walk. Implementations may compute extra padded lanes (columns up
   * to the next multiple of their vector length, within {@code ldb}/{@code ldc} or the tile
   * width), but every element the walk reads must come out with the bits specified here.
   */
  interface Tiles {
    /**
     * c[i·ldc + j] = Σ_e a[aOff + i·lda + e]·bt[e·ldb + j] for i < ni, j < nj: e ascending from
     * 0, each step one fused multiply-add ({@link Math#fma}).
     */
    void dotT(float[] a, int aOff, int lda, float[] bt, int ldb, int inner, int ni, int nj, float[] c, int ldc);

    /**
     * c[cOff + x·ldc + e] = fma(a[y·lda + x], b[bOff + y·ldb + e], ·) for y ascending over
     * [y0, y1), starting from the element's value, for x in [x0, x0 + nx), e < len.
     */
    void accT(float[] a, int lda, int x0, int nx, int y0, int y1,
        float[] b, int bOff, int ldb, int len, float[] c, int cOff, int ldc);

    /**
     * One key tile of the online softmax, lanes over query rows: st[c·BQ + r] (c < n, r < rows)
     * holds k_c·q_r and becomes p = e^(s − mNew) with s = scale·(k_c·q_r), or exactly 0 where
     * key c is hidden from row r (c &gt; r + shift); then per row mNew = max(m, max_c s),
     * alpha = (m == mNew ? 1 : e^(m − mNew)), l = l·alpha + Σ_c p (c ascending, float adds),
     * m = mNew. A row whose mNew is −∞ uses 0 as its shift.
     */
    void softmaxTile(float[] st, int n, int rows, int shift, float scale, float[] m, float[] l, float[] alpha);

    /** dst[off + i] += src[i] for i < n (float adds). */
    void addTo(float[] src, int n, float[] dst, int off);

    /** acc[r·dv + e] *= alpha[r] for r < rows, e < dv. */
    void scaleRows(float[] acc, int dv, int rows, float[] alpha);

    /**
     * gq pass, lanes over rows: st[c·BQ + r] = dS = p·(dp − D_r)·scale with
     * p = e^(scale·st − lse_r) (lse_r = lse[lseOff + r], D_r = rowDot[lseOff + r], dp =
     * dpt[c·BQ + r]); p is exactly 0 where key c is hidden (c &gt; r + shift) or lse_r = −∞
     * (and the shift lse_r is then replaced by 0).
     */
    void dsRows(float[] st, float[] dpt, int n, int rows, int shift, float scale, float[] lse, float[] rowDot, int lseOff);

    /**
     * gk/gv pass, lanes over keys: for r < rows, c < n, s = sc[r·BK + c]: sc ← p =
     * e^(scale·s − lse_r) and dp[r·BK + c] ← p·(dp − D_r)·scale, p as in {@link #dsRows}.
     */
    void pdsKeys(float[] sc, float[] dp, int rows, int n, int shift, float scale, float[] lse, float[] rowDot, int lseOff);
  }

  /** The plain-loop {@link Tiles}. */
  static final Tiles SCALAR = new Tiles() {
    @Override
    public void dotT(float[] a, int aOff, int lda, float[] bt, int ldb, int inner, int ni, int nj, float[] c, int ldc) {
      for (int i = 0; i < ni; i++) {
        for (int j = 0; j < nj; j++) {
          float acc = 0f;
          for (int e = 0; e < inner; e++) acc = Math.fma(a[aOff + i * lda + e], bt[e * ldb + j], acc);
          c[i * ldc + j] = acc;
        }
      }
    }

    @Override
    public void accT(float[] a, int lda, int x0, int nx, int y0, int y1,
        float[] b, int bOff, int ldb, int len, float[] c, int cOff, int ldc) {
      for (int x = x0; x < x0 + nx; x++) {
        for (int e = 0; e < len; e++) {
          float acc = c[cOff + x * ldc + e];
          for (int y = y0; y < y1; y++) acc = Math.fma(a[y * lda + x], b[bOff + y * ldb + e], acc);
          c[cOff + x * ldc + e] = acc;
        }
      }
    }

    @Override
    public void softmaxTile(float[] st, int n, int rows, int shift, float scale, float[] m, float[] l, float[] alpha) {
      for (int r = 0; r < rows; r++) {
        float mt = Float.NEGATIVE_INFINITY;
        for (int c = 0; c < n; c++) {
          float sv = c > r + shift ? Float.NEGATIVE_INFINITY : st[c * BQ + r] * scale;
          st[c * BQ + r] = sv;
          mt = Math.max(mt, sv);
        }
        float mOld = m[r], mNew = Math.max(mOld, mt), sh = mNew == Float.NEGATIVE_INFINITY ? 0f : mNew;
        float sum = 0f;
        for (int c = 0; c < n; c++) {
          float p = VecExp.exp(st[c * BQ + r] - sh);
          st[c * BQ + r] = p;
          sum += p;
        }
        float a = mOld == mNew ? 1f : VecExp.exp(mOld - mNew);
        l[r] = l[r] * a + sum;
        m[r] = mNew;
        alpha[r] = a;
      }
    }

    @Override
    public void addTo(float[] src, int n, float[] dst, int off) {
      for (int i = 0; i < n; i++) dst[off + i] += src[i];
    }

    @Override
    public void scaleRows(float[] acc, int dv, int rows, float[] alpha) {
      for (int r = 0; r < rows; r++) for (int e = 0; e < dv; e++) acc[r * dv + e] *= alpha[r];
    }

    @Override
    public void dsRows(float[] st, float[] dpt, int n, int rows, int shift, float scale, float[] lse, float[] rowDot,
        int lseOff) {
      for (int r = 0; r < rows; r++) {
        float li = lse[lseOff + r], di = rowDot[lseOff + r];
        boolean dead = li == Float.NEGATIVE_INFINITY;
        float sh = dead ? 0f : li;
        for (int c = 0; c < n; c++) {
          float p = VecExp.exp(st[c * BQ + r] * scale - sh);
          if (dead || c > r + shift) p = 0f;
          st[c * BQ + r] = p * (dpt[c * BQ + r] - di) * scale;
        }
      }
    }

    @Override
    public void pdsKeys(float[] sc, float[] dp, int rows, int n, int shift, float scale, float[] lse, float[] rowDot,
        int lseOff) {
      for (int r = 0; r < rows; r++) {
        float li = lse[lseOff + r], di = rowDot[lseOff + r];
        boolean dead = li == Float.NEGATIVE_INFINITY;
        float sh = dead ? 0f : li;
        for (int c = 0; c < n; c++) {
          float p = VecExp.exp(sc[r * BK + c] * scale - sh);
          if (dead || c > r + shift) p = 0f;
          sc[r * BK + c] = p;
          dp[r * BK + c] = p * (dp[r * BK + c] - di) * scale;
        }
      }
    }
  };
}

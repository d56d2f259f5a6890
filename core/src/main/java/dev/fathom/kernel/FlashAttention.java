package dev.fathom.kernel;

import static dev.fathom.kernel.ScalarFlashAttention.BK;
import static dev.fathom.kernel.ScalarFlashAttention.BQ;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Exact attention, tiled with an online softmax (FlashAttention-2, Dao 2023), forward and
 * backward, with causal masking and grouped-query heads; extra memory is linear in the sequence
 * length instead of the T×S score matrix.
 *
 * <pre>
 * s_ij = scale·q_i·k_j   (−∞ where causal and j &gt; i + S − T: queries aligned to the end of the keys)
 * out_i = Σ_j softmax_j(s_i)·v_j,   lse_i = ln Σ_j e^(s_ij)
 * </pre>
 *
 * <p>Layout: q (B·H, T, D), k (B·Hkv, S, D), v (B·Hkv, S, Dv), out (B·H, T, Dv), all row-major
 * {@code float[]}; query head h of batch b uses kv head h / (H/Hkv) of the same batch.
 * {@link ScalarFlashAttention} holds the tile walk (shared) and the scalar twin of the tile
 * arithmetic; every call goes there when {@link Kernels#scalarOnly()} is set.
 */
public final class FlashAttention {

  /*
   * Register blocking. Every tile product is one of two shapes (see ScalarFlashAttention.Tiles):
   * dotT, C = A·Bᵀ with Bᵀ already transposed into a tile (lanes over C's columns), computed as
   * 4 rows × 4 vectors of columns in 16 accumulators: per inner step 4 broadcasts and 4 loads
   * feed 16 FMAs; and accT, C += Aᵀ·B (A read by broadcasts at any stride, B rows contiguous),
   * 4 rows of C × 4 vectors of its columns held in registers across the whole reduction. The
   * score tiles (Q·Kᵀ, dO·Vᵀ), P·V, dS·K, Pᵀ·dO and dSᵀ·Q are all one of these. The softmax steps
   * run lane-wise over query rows (forward, gq) or keys (gk/gv), so no horizontal sum exists
   * anywhere: the twins agree bit for bit, interpreted or compiled. Products use fused
   * multiply-add (exactly rounded, so Math.fma in the twin gives the same bits); exp is VecExp.
   */
  private static final VectorSpecies<Float> F = Kernels.F;
  private static final int L = F.length();

  private FlashAttention() {}

  /**
   * Forward pass: {@code out = softmax(scale·q·kᵀ + mask)·v} per (batch, head), and the log-sum-exp
   * of each query row's scores, which the backward pass needs.
   *
   * @param q queries (B·H, T, D), row-major
   * @param k keys (B·Hkv, S, D); query head h of batch b reads kv head {@code b·Hkv + h/(H/Hkv)}
   * @param v values (B·Hkv, S, Dv)
   * @param out written: (B·H, T, Dv); a row that sees no key gets zeros
   * @param lse written: (B·H, T), {@code ln Σ_j e^(s_ij)} (−∞ for a row that sees no key)
   * @param scale multiplies q·k (usually 1/√D)
   * @param causal whether query i sees only keys {@code j ≤ i + S − T}
   * @throws IllegalArgumentException on a bad size, H not a multiple of Hkv, or a short array
   */
  public static void forward(float[] q, float[] k, float[] v, float[] out, float[] lse,
      int b, int h, int hkv, int t, int s, int d, int dv, float scale, boolean causal) {
    ScalarFlashAttention.forward(Kernels.scalarOnly() ? ScalarFlashAttention.SCALAR : VECTOR,
        q, k, v, out, lse, b, h, hkv, t, s, d, dv, scale, causal, 0);
  }

  /**
   * Causal sliding-window forward (Mistral): query i sees keys j with
   * {@code i + S − T − window < j ≤ i + S − T}, the last {@code window} positions up to its own.
   * Key tiles wholly before a query block's window are skipped, so time and memory grow with
   * T·window, not T².
   *
   * @param window keys each query sees at most, at least 1
   * @throws IllegalArgumentException as {@link #forward(float[], float[], float[], float[], float[], int, int, int, int, int, int, int, float, boolean)},
   *     or for a window below 1
   */
  public static void forward(float[] q, float[] k, float[] v, float[] out, float[] lse,
      int b, int h, int hkv, int t, int s, int d, int dv, float scale, int window) {
    if (window < 1) throw new IllegalArgumentException("attention window: expected >= 1, got " + window);
    ScalarFlashAttention.forward(Kernels.scalarOnly() ? ScalarFlashAttention.SCALAR : VECTOR,
        q, k, v, out, lse, b, h, hkv, t, s, d, dv, scale, true, window);
  }

  /**
   * Backward pass from the forward's {@code out} and {@code lse}: with
   * {@code P_ij = e^(s_ij − lse_i)}, {@code dP = gOut·vᵀ}, {@code D_i = Σ_e gOut_ie·out_ie} and
   * {@code dS = P∘(dP − D)}: {@code gq = scale·dS·k}, {@code gk = scale·dSᵀ·q},
   * {@code gv = Pᵀ·gOut}; gk and gv of a kv head are summed over the query heads that share it.
   * The gradient arrays are overwritten; pass {@code null} for one that is not needed.
   *
   * @param gOut gradient of the loss w.r.t. out, (B·H, T, Dv)
   * @param gq written: (B·H, T, D), or null
   * @param gk written: (B·Hkv, S, D), or null
   * @param gv written: (B·Hkv, S, Dv), or null
   * @throws IllegalArgumentException on a bad size, H not a multiple of Hkv, or a short array
   */
  public static void backward(float[] q, float[] k, float[] v, float[] out, float[] lse, float[] gOut,
      float[] gq, float[] gk, float[] gv,
      int b, int h, int hkv, int t, int s, int d, int dv, float scale, boolean causal) {
    ScalarFlashAttention.backward(Kernels.scalarOnly() ? ScalarFlashAttention.SCALAR : VECTOR,
        q, k, v, out, lse, gOut, gq, gk, gv, b, h, hkv, t, s, d, dv, scale, causal, 0);
  }

  /** The backward of the sliding-window forward (same window). */
  public static void backward(float[] q, float[] k, float[] v, float[] out, float[] lse, float[] gOut,
      float[] gq, float[] gk, float[] gv,
      int b, int h, int hkv, int t, int s, int d, int dv, float scale, int window) {
    if (window < 1) throw new IllegalArgumentException("attention window: expected >= 1, got " + window);
    ScalarFlashAttention.backward(Kernels.scalarOnly() ? ScalarFlashAttention.SCALAR : VECTOR,
        q, k, v, out, lse, gOut, gq, gk, gv, b, h, hkv, t, s, d, dv, scale, true, window);
  }

  /**
   * Causal block-sparse forward (BigBird / Longformer with global tokens, see
   * {@link BlockSparseLayout}): query i, at aligned position p = i + S − T, sees key j iff
   * {@code j ≤ p} and {@code layout.sees(p / blockSize, j / blockSize)}. Only the key tiles of
   * the blocks a query block sees are visited, so time grows with
   * T·(local + global + random)·blockSize, not T². When S − T is a multiple of 64 and the layout
   * sees every block, the result is bit for bit that of the causal forward.
   *
   * @param layout the block pattern
   * @throws IllegalArgumentException as {@link #forward(float[], float[], float[], float[], float[], int, int, int, int, int, int, int, float, boolean)}
   * @throws NullPointerException for a null layout
   */
  public static void forward(float[] q, float[] k, float[] v, float[] out, float[] lse,
      int b, int h, int hkv, int t, int s, int d, int dv, float scale, BlockSparseLayout layout) {
    ScalarFlashAttention.forward(Kernels.scalarOnly() ? ScalarFlashAttention.SCALAR : VECTOR,
        q, k, v, out, lse, b, h, hkv, t, s, d, dv, scale, ScalarFlashAttention.blockSparse(layout, t, s));
  }

  /** The backward of the block-sparse forward (same layout). */
  public static void backward(float[] q, float[] k, float[] v, float[] out, float[] lse, float[] gOut,
      float[] gq, float[] gk, float[] gv,
      int b, int h, int hkv, int t, int s, int d, int dv, float scale, BlockSparseLayout layout) {
    ScalarFlashAttention.backward(Kernels.scalarOnly() ? ScalarFlashAttention.SCALAR : VECTOR,
        q, k, v, out, lse, gOut, gq, gk, gv, b, h, hkv, t, s, d, dv, scale, ScalarFlashAttention.blockSparse(layout, t, s));
  }

  static final ScalarFlashAttention.Tiles VECTOR = new ScalarFlashAttention.Tiles() {
    @Override
    public void dotT(float[] a, int aOff, int lda, float[] bt, int ldb, int inner, int ni, int nj, float[] c, int ldc) {
      int njp = (nj + L - 1) / L * L;
      int j = 0;
      for (; j + 4 * L <= njp; j += 4 * L) {
        int i = 0;
        for (; i + 4 <= ni; i += 4) dot4x4(a, aOff + i * lda, lda, bt, ldb, j, inner, c, i * ldc + j, ldc);
        for (; i < ni; i++) dot1xN(a, aOff + i * lda, bt, ldb, j, 4, inner, c, i * ldc + j);
      }
      for (; j < njp; j += L) {
        int i = 0;
        for (; i + 4 <= ni; i += 4) dot4x1(a, aOff + i * lda, lda, bt, ldb, j, inner, c, i * ldc + j, ldc);
        for (; i < ni; i++) dot1xN(a, aOff + i * lda, bt, ldb, j, 1, inner, c, i * ldc + j);
      }
    }

    @Override
    public void accT(float[] a, int lda, int x0, int nx, int y0, int y1,
        float[] b, int bOff, int ldb, int len, float[] c, int cOff, int ldc) {
      if (y1 <= y0 || nx <= 0) return;
      int e = 0;
      if (nx == 4) {
        for (; e + 4 * L <= len; e += 4 * L) acc4x4(a, lda, x0, y0, y1, b, bOff + e, ldb, c, cOff + x0 * ldc + e, ldc);
        for (; e + 2 * L <= len; e += 2 * L) acc4x2(a, lda, x0, y0, y1, b, bOff + e, ldb, c, cOff + x0 * ldc + e, ldc);
        for (; e + L <= len; e += L) acc4x1(a, lda, x0, y0, y1, b, bOff + e, ldb, c, cOff + x0 * ldc + e, ldc);
      } else {
        for (int x = x0; x < x0 + nx; x++) {
          for (int f = 0; f + L <= len; f += L) acc1x1(a, lda, x, y0, y1, b, bOff + f, ldb, c, cOff + x * ldc + f);
        }
        e = len / L * L;
      }
      for (int x = x0; x < x0 + nx; x++) {
        for (int f = e; f < len; f++) {
          float acc = c[cOff + x * ldc + f];
          for (int y = y0; y < y1; y++) acc = Math.fma(a[y * lda + x], b[bOff + y * ldb + f], acc);
          c[cOff + x * ldc + f] = acc;
        }
      }
    }

    @Override
    public void softmaxTile(float[] st, int n, int rows, int shift, float scale, float[] m, float[] l, float[] alpha) {
      FloatVector ninf = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
      for (int j = 0; j < rows; j += L) {
        FloatVector mt = ninf;
        for (int c = 0; c < n; c++) {
          FloatVector sv = FloatVector.fromArray(F, st, c * BQ + j).mul(scale);
          sv = sv.blend(ninf, F.indexInRange(j, c - shift));  // rows r < c − shift do not see key c (branch-free)
          sv.intoArray(st, c * BQ + j);
          mt = mt.max(sv);
        }
        FloatVector mOld = FloatVector.fromArray(F, m, j), mNew = mOld.max(mt);
        FloatVector sh = mNew.blend(0f, mNew.compare(VectorOperators.EQ, Float.NEGATIVE_INFINITY));
        FloatVector sum = FloatVector.zero(F);
        for (int c = 0; c < n; c++) {
          FloatVector p = VecExp.exp(FloatVector.fromArray(F, st, c * BQ + j).sub(sh));
          p.intoArray(st, c * BQ + j);
          sum = sum.add(p);
        }
        FloatVector a = VecExp.exp(mOld.sub(mNew)).blend(1f, mOld.compare(VectorOperators.EQ, mNew));
        FloatVector.fromArray(F, l, j).mul(a).add(sum).intoArray(l, j);
        mNew.intoArray(m, j);
        a.intoArray(alpha, j);
      }
    }

    @Override
    public void addTo(float[] src, int n, float[] dst, int off) {
      int i = 0;
      for (; i + L <= n; i += L) {
        FloatVector.fromArray(F, dst, off + i).add(FloatVector.fromArray(F, src, i)).intoArray(dst, off + i);
      }
      for (; i < n; i++) dst[off + i] += src[i];
    }

    @Override
    public void scaleRows(float[] acc, int dv, int rows, float[] alpha) {
      for (int r = 0; r < rows; r++) {
        float a = alpha[r];
        if (a == 1f) continue;  // exact no-op
        int o = r * dv, e = 0;
        for (; e + L <= dv; e += L) FloatVector.fromArray(F, acc, o + e).mul(a).intoArray(acc, o + e);
        for (; e < dv; e++) acc[o + e] *= a;
      }
    }

    @Override
    public void dsRows(float[] st, float[] dpt, int n, int rows, int shift, float scale, float[] lse, float[] rowDot,
        int lseOff) {
      for (int j = 0; j < rows; j += L) {
        VectorMask<Float> in = F.indexInRange(j, rows);
        FloatVector li = FloatVector.fromArray(F, lse, lseOff + j, in), di = FloatVector.fromArray(F, rowDot, lseOff + j, in);
        VectorMask<Float> dead = li.compare(VectorOperators.EQ, Float.NEGATIVE_INFINITY);
        FloatVector sh = li.blend(0f, dead);
        for (int c = 0; c < n; c++) {
          int o = c * BQ + j;
          FloatVector p = VecExp.exp(FloatVector.fromArray(F, st, o).mul(scale).sub(sh));
          p = p.blend(0f, dead.or(F.indexInRange(j, c - shift)));
          p.mul(FloatVector.fromArray(F, dpt, o).sub(di)).mul(scale).intoArray(st, o);
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
        int visible = dead ? 0 : Math.min(n, Math.max(0, r + shift + 1));  // keys c < visible are seen by row r
        for (int c = 0; c < n; c += L) {
          int o = r * BK + c;
          FloatVector p = VecExp.exp(FloatVector.fromArray(F, sc, o).mul(scale).sub(sh));
          p = p.blend(0f, F.indexInRange(c, visible).not());
          p.intoArray(sc, o);
          p.mul(FloatVector.fromArray(F, dp, o).sub(di)).mul(scale).intoArray(dp, o);
        }
      }
    }
  };

  // ---- micro-kernels

  /** 4 rows of A × 4 vectors of Bᵀ's columns starting at j: c[cOff + r·ldc + ·] = Σ_e a·bt. */
  private static void dot4x4(float[] a, int a0, int lda, float[] bt, int ldb, int j, int inner,
      float[] c, int cOff, int ldc) {
    FloatVector c00 = FloatVector.zero(F), c01 = c00, c02 = c00, c03 = c00;
    FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
    FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
    FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
    int a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
    for (int e = 0; e < inner; e++) {
      int o = e * ldb + j;
      FloatVector b0 = FloatVector.fromArray(F, bt, o), b1 = FloatVector.fromArray(F, bt, o + L);
      FloatVector b2 = FloatVector.fromArray(F, bt, o + 2 * L), b3 = FloatVector.fromArray(F, bt, o + 3 * L);
      FloatVector x = FloatVector.broadcast(F, a[a0 + e]);
      c00 = x.fma(b0, c00); c01 = x.fma(b1, c01); c02 = x.fma(b2, c02); c03 = x.fma(b3, c03);
      x = FloatVector.broadcast(F, a[a1 + e]);
      c10 = x.fma(b0, c10); c11 = x.fma(b1, c11); c12 = x.fma(b2, c12); c13 = x.fma(b3, c13);
      x = FloatVector.broadcast(F, a[a2 + e]);
      c20 = x.fma(b0, c20); c21 = x.fma(b1, c21); c22 = x.fma(b2, c22); c23 = x.fma(b3, c23);
      x = FloatVector.broadcast(F, a[a3 + e]);
      c30 = x.fma(b0, c30); c31 = x.fma(b1, c31); c32 = x.fma(b2, c32); c33 = x.fma(b3, c33);
    }
    c00.intoArray(c, cOff); c01.intoArray(c, cOff + L); c02.intoArray(c, cOff + 2 * L); c03.intoArray(c, cOff + 3 * L);
    cOff += ldc;
    c10.intoArray(c, cOff); c11.intoArray(c, cOff + L); c12.intoArray(c, cOff + 2 * L); c13.intoArray(c, cOff + 3 * L);
    cOff += ldc;
    c20.intoArray(c, cOff); c21.intoArray(c, cOff + L); c22.intoArray(c, cOff + 2 * L); c23.intoArray(c, cOff + 3 * L);
    cOff += ldc;
    c30.intoArray(c, cOff); c31.intoArray(c, cOff + L); c32.intoArray(c, cOff + 2 * L); c33.intoArray(c, cOff + 3 * L);
  }

  /** 4 rows of A × 1 vector of columns. */
  private static void dot4x1(float[] a, int a0, int lda, float[] bt, int ldb, int j, int inner,
      float[] c, int cOff, int ldc) {
    FloatVector c0 = FloatVector.zero(F), c1 = c0, c2 = c0, c3 = c0;
    int a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
    for (int e = 0; e < inner; e++) {
      FloatVector bv = FloatVector.fromArray(F, bt, e * ldb + j);
      c0 = FloatVector.broadcast(F, a[a0 + e]).fma(bv, c0);
      c1 = FloatVector.broadcast(F, a[a1 + e]).fma(bv, c1);
      c2 = FloatVector.broadcast(F, a[a2 + e]).fma(bv, c2);
      c3 = FloatVector.broadcast(F, a[a3 + e]).fma(bv, c3);
    }
    c0.intoArray(c, cOff);
    c1.intoArray(c, cOff + ldc);
    c2.intoArray(c, cOff + 2 * ldc);
    c3.intoArray(c, cOff + 3 * ldc);
  }

  /** 1 row of A × nv (1 or 4) vectors of columns. */
  private static void dot1xN(float[] a, int a0, float[] bt, int ldb, int j, int nv, int inner, float[] c, int cOff) {
    for (int u = 0; u < nv; u++) {
      FloatVector acc = FloatVector.zero(F);
      for (int e = 0; e < inner; e++) {
        acc = FloatVector.broadcast(F, a[a0 + e]).fma(FloatVector.fromArray(F, bt, e * ldb + j + u * L), acc);
      }
      acc.intoArray(c, cOff + u * L);
    }
  }

  /** c rows x0..x0+3, 4 vectors from cOff: += Σ_y a[y·lda + x]·b[bOff + y·ldb + ·]. */
  private static void acc4x4(float[] a, int lda, int x0, int y0, int y1, float[] b, int bOff, int ldb,
      float[] c, int cOff, int ldc) {
    int o1 = cOff + ldc, o2 = o1 + ldc, o3 = o2 + ldc;
    FloatVector c00 = FloatVector.fromArray(F, c, cOff), c01 = FloatVector.fromArray(F, c, cOff + L);
    FloatVector c02 = FloatVector.fromArray(F, c, cOff + 2 * L), c03 = FloatVector.fromArray(F, c, cOff + 3 * L);
    FloatVector c10 = FloatVector.fromArray(F, c, o1), c11 = FloatVector.fromArray(F, c, o1 + L);
    FloatVector c12 = FloatVector.fromArray(F, c, o1 + 2 * L), c13 = FloatVector.fromArray(F, c, o1 + 3 * L);
    FloatVector c20 = FloatVector.fromArray(F, c, o2), c21 = FloatVector.fromArray(F, c, o2 + L);
    FloatVector c22 = FloatVector.fromArray(F, c, o2 + 2 * L), c23 = FloatVector.fromArray(F, c, o2 + 3 * L);
    FloatVector c30 = FloatVector.fromArray(F, c, o3), c31 = FloatVector.fromArray(F, c, o3 + L);
    FloatVector c32 = FloatVector.fromArray(F, c, o3 + 2 * L), c33 = FloatVector.fromArray(F, c, o3 + 3 * L);
    for (int y = y0; y < y1; y++) {
      int bo = bOff + y * ldb, ao = y * lda + x0;
      FloatVector b0 = FloatVector.fromArray(F, b, bo), b1 = FloatVector.fromArray(F, b, bo + L);
      FloatVector b2 = FloatVector.fromArray(F, b, bo + 2 * L), b3 = FloatVector.fromArray(F, b, bo + 3 * L);
      FloatVector x = FloatVector.broadcast(F, a[ao]);
      c00 = x.fma(b0, c00); c01 = x.fma(b1, c01); c02 = x.fma(b2, c02); c03 = x.fma(b3, c03);
      x = FloatVector.broadcast(F, a[ao + 1]);
      c10 = x.fma(b0, c10); c11 = x.fma(b1, c11); c12 = x.fma(b2, c12); c13 = x.fma(b3, c13);
      x = FloatVector.broadcast(F, a[ao + 2]);
      c20 = x.fma(b0, c20); c21 = x.fma(b1, c21); c22 = x.fma(b2, c22); c23 = x.fma(b3, c23);
      x = FloatVector.broadcast(F, a[ao + 3]);
      c30 = x.fma(b0, c30); c31 = x.fma(b1, c31); c32 = x.fma(b2, c32); c33 = x.fma(b3, c33);
    }
    c00.intoArray(c, cOff); c01.intoArray(c, cOff + L); c02.intoArray(c, cOff + 2 * L); c03.intoArray(c, cOff + 3 * L);
    c10.intoArray(c, o1); c11.intoArray(c, o1 + L); c12.intoArray(c, o1 + 2 * L); c13.intoArray(c, o1 + 3 * L);
    c20.intoArray(c, o2); c21.intoArray(c, o2 + L); c22.intoArray(c, o2 + 2 * L); c23.intoArray(c, o2 + 3 * L);
    c30.intoArray(c, o3); c31.intoArray(c, o3 + L); c32.intoArray(c, o3 + 2 * L); c33.intoArray(c, o3 + 3 * L);
  }

  /** c rows x0..x0+3, two vectors (D = 32, and the rest of D = 96). */
  private static void acc4x2(float[] a, int lda, int x0, int y0, int y1, float[] b, int bOff, int ldb,
      float[] c, int cOff, int ldc) {
    int o1 = cOff + ldc, o2 = o1 + ldc, o3 = o2 + ldc;
    FloatVector c00 = FloatVector.fromArray(F, c, cOff), c01 = FloatVector.fromArray(F, c, cOff + L);
    FloatVector c10 = FloatVector.fromArray(F, c, o1), c11 = FloatVector.fromArray(F, c, o1 + L);
    FloatVector c20 = FloatVector.fromArray(F, c, o2), c21 = FloatVector.fromArray(F, c, o2 + L);
    FloatVector c30 = FloatVector.fromArray(F, c, o3), c31 = FloatVector.fromArray(F, c, o3 + L);
    for (int y = y0; y < y1; y++) {
      int bo = bOff + y * ldb, ao = y * lda + x0;
      FloatVector b0 = FloatVector.fromArray(F, b, bo), b1 = FloatVector.fromArray(F, b, bo + L);
      FloatVector x = FloatVector.broadcast(F, a[ao]);
      c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
      x = FloatVector.broadcast(F, a[ao + 1]);
      c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
      x = FloatVector.broadcast(F, a[ao + 2]);
      c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
      x = FloatVector.broadcast(F, a[ao + 3]);
      c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
    }
    c00.intoArray(c, cOff); c01.intoArray(c, cOff + L);
    c10.intoArray(c, o1); c11.intoArray(c, o1 + L);
    c20.intoArray(c, o2); c21.intoArray(c, o2 + L);
    c30.intoArray(c, o3); c31.intoArray(c, o3 + L);
  }

  /** c rows x0..x0+3, one vector. */
  private static void acc4x1(float[] a, int lda, int x0, int y0, int y1, float[] b, int bOff, int ldb,
      float[] c, int cOff, int ldc) {
    FloatVector c0 = FloatVector.fromArray(F, c, cOff), c1 = FloatVector.fromArray(F, c, cOff + ldc);
    FloatVector c2 = FloatVector.fromArray(F, c, cOff + 2 * ldc), c3 = FloatVector.fromArray(F, c, cOff + 3 * ldc);
    for (int y = y0; y < y1; y++) {
      FloatVector bv = FloatVector.fromArray(F, b, bOff + y * ldb);
      int ao = y * lda + x0;
      c0 = FloatVector.broadcast(F, a[ao]).fma(bv, c0);
      c1 = FloatVector.broadcast(F, a[ao + 1]).fma(bv, c1);
      c2 = FloatVector.broadcast(F, a[ao + 2]).fma(bv, c2);
      c3 = FloatVector.broadcast(F, a[ao + 3]).fma(bv, c3);
    }
    c0.intoArray(c, cOff);
    c1.intoArray(c, cOff + ldc);
    c2.intoArray(c, cOff + 2 * ldc);
    c3.intoArray(c, cOff + 3 * ldc);
  }

  /** c row x, one vector. */
  private static void acc1x1(float[] a, int lda, int x, int y0, int y1, float[] b, int bOff, int ldb, float[] c, int cOff) {
    FloatVector acc = FloatVector.fromArray(F, c, cOff);
    for (int y = y0; y < y1; y++) {
      acc = FloatVector.broadcast(F, a[y * lda + x]).fma(FloatVector.fromArray(F, b, bOff + y * ldb), acc);
    }
    acc.intoArray(c, cOff);
  }
}

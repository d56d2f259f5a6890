package dev.fathom.kernel;

import static dev.fathom.kernel.LegacyScalarFlashAttention.BK;
import static dev.fathom.kernel.LegacyScalarFlashAttention.BQ;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/*
 * The attention kernel as it was before register blocking (one query row at a time against a
 * transposed key tile), kept in the test sources only as the "before" of
 * AttentionKernelCompare and docs/BENCHMARKS.md; not used by the library.
 */
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
 * {@link LegacyScalarFlashAttention} is the scalar twin; every call goes there when
 * {@link Kernels#scalarOnly()} is set.
 */
public final class LegacyFlashAttention {

  /*
   * Work items and determinism. Forward and gq: one item per (batch·head, tile of BQ query
   * rows); each item walks the key tiles in order, keeping per row the running max m, the sum l
   * and the unnormalized output acc (rescaled by e^(m_old − m_new) when the max grows). gk and
   * gv: one item per (batch·kv head, tile of BK keys), which walks the query heads of its group
   * and their query rows in order. Every output element is thus written by one item with a fixed
   * order of additions, so results do not depend on the thread count at all.
   *
   * Arithmetic: a tile of keys (and values) is transposed into kT (D×BK), so a row of scores is
   * Σ_e q_e·kT[e, ·]: lanes run over keys and no horizontal sum is needed. P·V and the gradient
   * updates are axpys over D or Dv, the updated row held in registers across a tile (the gk/gv
   * pass keeps P and dS of a block of BQ query rows for that). Multiply then add, never fused,
   * and exp by VecExp: the scalar twin does the same operations in the same order per element,
   * so the two agree bit for bit. Probabilities are only computed for the keys a row may see, so masked keys get
   * exactly 0. The backward recomputes P twice (once for gq, once for gk/gv): 9 tile products
   * in all instead of the 7 of a single pass, in exchange for parallelism and a single writer.
   *
   * Memory per thread: kT and vT (D·BK + Dv·BK floats), BQ·Dv for acc, 2·BQ·BK for P and dS, a
   * few BK rows; plus B·H·T floats of lse (kept by the caller) and of row dots in the backward.
   */
  private static final VectorSpecies<Float> F = Kernels.F;
  private static final int L = F.length();

  private LegacyFlashAttention() {}

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
    if (Kernels.scalarOnly()) {
      LegacyScalarFlashAttention.forward(q, k, v, out, lse, b, h, hkv, t, s, d, dv, scale, causal);
      return;
    }
    LegacyScalarFlashAttention.check("forward", q, k, v, out, lse, null, b, h, hkv, t, s, d, dv);
    int nqt = (t + BQ - 1) / BQ, off = s - t, group = h / hkv;
    Parallel.forRange(b * h * nqt, 1, (i0, i1) -> {
      float[] kT = new float[d * BK], sc = new float[BK];
      float[] m = new float[BQ], l = new float[BQ], acc = new float[BQ * dv];
      for (int item = i0; item < i1; item++) {
        int bh = item / nqt, r0 = (item % nqt) * BQ, r1 = Math.min(t, r0 + BQ), rows = r1 - r0;
        int kvh = (bh / h) * hkv + (bh % h) / group;
        int qBase = bh * t * d, kBase = kvh * s * d, vBase = kvh * s * dv;
        Arrays.fill(m, Float.NEGATIVE_INFINITY);
        Arrays.fill(l, 0f);
        Arrays.fill(acc, 0, rows * dv, 0f);
        int kEnd = causal ? Math.max(0, Math.min(s, r1 + off)) : s;  // keys the last row sees
        for (int k0 = 0; k0 < kEnd; k0 += BK) {
          int n = Math.min(BK, kEnd - k0);
          LegacyScalarFlashAttention.transpose(k, kBase + k0 * d, n, d, kT);
          for (int r = 0; r < rows; r++) {
            int i = r0 + r;
            int valid = causal ? Math.min(n, i + off + 1 - k0) : n;
            if (valid <= 0) continue;
            scores(q, qBase + i * d, kT, d, valid, scale, sc);
            float mOld = m[r], mNew = Math.max(mOld, LegacyScalarFlashAttention.max(sc, valid));
            if (mNew == Float.NEGATIVE_INFINITY) continue;  // only with −∞ inputs
            float sum = expShift(sc, valid, mNew);
            if (mOld != mNew) {
              float alpha = VecExp.exp(mOld - mNew);
              l[r] *= alpha;
              scaleRow(acc, r * dv, dv, alpha);
            }
            l[r] += sum;
            m[r] = mNew;
            accumulate(sc, 1, null, 0, valid, v, vBase + k0 * dv, dv, acc, r * dv, dv);
          }
        }
        LegacyScalarFlashAttention.finish(out, lse, bh * t + r0, rows, dv, m, l, acc);
      }
    });
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
    if (Kernels.scalarOnly()) {
      LegacyScalarFlashAttention.backward(q, k, v, out, lse, gOut, gq, gk, gv, b, h, hkv, t, s, d, dv, scale, causal);
      return;
    }
    LegacyScalarFlashAttention.check("backward", q, k, v, out, lse, gOut, b, h, hkv, t, s, d, dv);
    LegacyScalarFlashAttention.checkGrads(gq, gk, gv, b, h, hkv, t, s, d, dv);
    float[] rowDot = LegacyScalarFlashAttention.rowDots(out, gOut, b * h * t, dv);
    int off = s - t, group = h / hkv;
    if (gq != null) {
      int nqt = (t + BQ - 1) / BQ;
      Parallel.forRange(b * h * nqt, 1, (i0, i1) -> {
        float[] kT = new float[d * BK], vT = new float[dv * BK], sc = new float[BK], dp = new float[BK];
        for (int item = i0; item < i1; item++) {
          int bh = item / nqt, r0 = (item % nqt) * BQ, r1 = Math.min(t, r0 + BQ), rows = r1 - r0;
          int kvh = (bh / h) * hkv + (bh % h) / group;
          int qBase = bh * t * d, kBase = kvh * s * d, vBase = kvh * s * dv, oBase = bh * t * dv;
          Arrays.fill(gq, qBase + r0 * d, qBase + r1 * d, 0f);
          int kEnd = causal ? Math.max(0, Math.min(s, r1 + off)) : s;
          for (int k0 = 0; k0 < kEnd; k0 += BK) {
            int n = Math.min(BK, kEnd - k0);
            LegacyScalarFlashAttention.transpose(k, kBase + k0 * d, n, d, kT);
            LegacyScalarFlashAttention.transpose(v, vBase + k0 * dv, n, dv, vT);
            for (int r = 0; r < rows; r++) {
              int i = r0 + r;
              int valid = causal ? Math.min(n, i + off + 1 - k0) : n;
              float li = lse[bh * t + i];
              if (valid <= 0 || li == Float.NEGATIVE_INFINITY) continue;
              scores(q, qBase + i * d, kT, d, valid, scale, sc);
              expShift(sc, valid, li);
              rowTimes(gOut, oBase + i * dv, vT, dv, valid, dp);
              float di = rowDot[bh * t + i];
              for (int c = 0; c < valid; c++) sc[c] = sc[c] * (dp[c] - di) * scale;
              accumulate(sc, 1, null, 0, valid, k, kBase + k0 * d, d, gq, qBase + i * d, d);
            }
          }
        }
      });
    }
    if (gk == null && gv == null) return;
    int nkt = (s + BK - 1) / BK;
    Parallel.forRange(b * hkv * nkt, 1, (i0, i1) -> {
      float[] kT = new float[d * BK], vT = new float[dv * BK], sc = new float[BK], dp = new float[BK];
      float[] pB = new float[BQ * BK], dsB = new float[BQ * BK];
      int[] seen = new int[BQ];
      for (int item = i0; item < i1; item++) {
        int kvh = item / nkt, k0 = (item % nkt) * BK, n = Math.min(BK, s - k0);
        int kBase = kvh * s * d, vBase = kvh * s * dv;
        if (gk != null) Arrays.fill(gk, kBase + k0 * d, kBase + (k0 + n) * d, 0f);
        if (gv != null) Arrays.fill(gv, vBase + k0 * dv, vBase + (k0 + n) * dv, 0f);
        LegacyScalarFlashAttention.transpose(k, kBase + k0 * d, n, d, kT);
        LegacyScalarFlashAttention.transpose(v, vBase + k0 * dv, n, dv, vT);
        int iStart = causal ? Math.max(0, k0 - off) : 0;  // first query row that sees key k0
        for (int hh = 0; hh < group; hh++) {
          int bh = (kvh / hkv) * h + (kvh % hkv) * group + hh;
          int qBase = bh * t * d, oBase = bh * t * dv;
          for (int q0 = iStart; q0 < t; q0 += BQ) {
            int rows = Math.min(BQ, t - q0);
            // P and dS of this block of query rows, then per key: rows ascending, as the twin adds them.
            for (int r = 0; r < rows; r++) {
              int i = q0 + r;
              int valid = causal ? Math.min(n, i + off + 1 - k0) : n;
              float li = lse[bh * t + i];
              seen[r] = 0;
              if (valid <= 0 || li == Float.NEGATIVE_INFINITY) continue;
              seen[r] = valid;
              scores(q, qBase + i * d, kT, d, valid, scale, sc);
              expShift(sc, valid, li);
              rowTimes(gOut, oBase + i * dv, vT, dv, valid, dp);
              float di = rowDot[bh * t + i];
              for (int c = 0; c < valid; c++) {
                pB[r * BK + c] = sc[c];
                dsB[r * BK + c] = sc[c] * (dp[c] - di) * scale;
              }
            }
            for (int c = 0; c < n; c++) {
              if (gv != null) accumulate(pB, BK, seen, c, rows, gOut, oBase + q0 * dv, dv, gv, vBase + (k0 + c) * dv, dv);
              if (gk != null) accumulate(dsB, BK, seen, c, rows, q, qBase + q0 * d, d, gk, kBase + (k0 + c) * d, d);
            }
          }
        }
      }
    });
  }

  /** sc[c] = scale·Σ_e q[qOff + e]·kT[e·BK + c] for c < n (e ascending, multiply then add). */
  private static void scores(float[] q, int qOff, float[] kT, int d, int n, float scale, float[] sc) {
    rowTimes(q, qOff, kT, d, n, sc);
    int c = 0;
    for (; c + L <= n; c += L) FloatVector.fromArray(F, sc, c).mul(scale).intoArray(sc, c);
    for (; c < n; c++) sc[c] *= scale;
  }

  /** y[c] = Σ_e x[xOff + e]·m[e·BK + c] for c < n; lanes over c, four vectors at a time. */
  private static void rowTimes(float[] x, int xOff, float[] m, int rows, int n, float[] y) {
    int c = 0;
    for (; c + 4 * L <= n; c += 4 * L) {
      FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
      for (int e = 0; e < rows; e++) {
        FloatVector xe = FloatVector.broadcast(F, x[xOff + e]);
        int o = e * BK + c;
        a0 = a0.add(xe.mul(FloatVector.fromArray(F, m, o)));
        a1 = a1.add(xe.mul(FloatVector.fromArray(F, m, o + L)));
        a2 = a2.add(xe.mul(FloatVector.fromArray(F, m, o + 2 * L)));
        a3 = a3.add(xe.mul(FloatVector.fromArray(F, m, o + 3 * L)));
      }
      a0.intoArray(y, c);
      a1.intoArray(y, c + L);
      a2.intoArray(y, c + 2 * L);
      a3.intoArray(y, c + 3 * L);
    }
    for (; c + L <= n; c += L) {
      FloatVector a = FloatVector.zero(F);
      for (int e = 0; e < rows; e++) {
        a = a.add(FloatVector.broadcast(F, x[xOff + e]).mul(FloatVector.fromArray(F, m, e * BK + c)));
      }
      a.intoArray(y, c);
    }
    for (; c < n; c++) {
      float acc = 0f;
      for (int e = 0; e < rows; e++) acc += x[xOff + e] * m[e * BK + c];
      y[c] = acc;
    }
  }

  /** x[c] = e^(x[c] − shift) for c < n (VecExp); returns their sum (c ascending, float). */
  private static float expShift(float[] x, int n, float shift) {
    int c = 0;
    for (; c + L <= n; c += L) VecExp.exp(FloatVector.fromArray(F, x, c).sub(shift)).intoArray(x, c);
    for (; c < n; c++) x[c] = VecExp.exp(x[c] - shift);
    float sum = 0f;
    for (c = 0; c < n; c++) sum += x[c];
    return sum;
  }

  /**
   * y[yOff + e] += a[j·aStride + c]·x[xOff + j·xStride + e] for j ascending over [0, n) with
   * {@code seen == null || seen[j] > c}, e < len: the axpys of the twin, with y kept in
   * registers across j (same additions in the same order).
   */
  private static void accumulate(float[] a, int aStride, int[] seen, int c, int n,
      float[] x, int xOff, int xStride, float[] y, int yOff, int len) {
    int aOff = seen == null ? 0 : c;
    int e = 0;
    for (; e + 4 * L <= len; e += 4 * L) {
      int o = yOff + e;
      FloatVector y0 = FloatVector.fromArray(F, y, o), y1 = FloatVector.fromArray(F, y, o + L);
      FloatVector y2 = FloatVector.fromArray(F, y, o + 2 * L), y3 = FloatVector.fromArray(F, y, o + 3 * L);
      for (int j = 0; j < n; j++) {
        if (seen != null && seen[j] <= c) continue;
        FloatVector aj = FloatVector.broadcast(F, a[aOff + j * aStride]);
        int xo = xOff + j * xStride + e;
        y0 = y0.add(aj.mul(FloatVector.fromArray(F, x, xo)));
        y1 = y1.add(aj.mul(FloatVector.fromArray(F, x, xo + L)));
        y2 = y2.add(aj.mul(FloatVector.fromArray(F, x, xo + 2 * L)));
        y3 = y3.add(aj.mul(FloatVector.fromArray(F, x, xo + 3 * L)));
      }
      y0.intoArray(y, o);
      y1.intoArray(y, o + L);
      y2.intoArray(y, o + 2 * L);
      y3.intoArray(y, o + 3 * L);
    }
    for (; e + L <= len; e += L) {
      FloatVector ye = FloatVector.fromArray(F, y, yOff + e);
      for (int j = 0; j < n; j++) {
        if (seen != null && seen[j] <= c) continue;
        ye = ye.add(FloatVector.broadcast(F, a[aOff + j * aStride]).mul(FloatVector.fromArray(F, x, xOff + j * xStride + e)));
      }
      ye.intoArray(y, yOff + e);
    }
    for (; e < len; e++) {
      float acc = y[yOff + e];
      for (int j = 0; j < n; j++) {
        if (seen != null && seen[j] <= c) continue;
        acc += a[aOff + j * aStride] * x[xOff + j * xStride + e];
      }
      y[yOff + e] = acc;
    }
  }

  /** y[off + e] *= a for e < n. */
  private static void scaleRow(float[] y, int off, int n, float a) {
    int e = 0;
    for (; e + L <= n; e += L) FloatVector.fromArray(F, y, off + e).mul(a).intoArray(y, off + e);
    for (; e < n; e++) y[off + e] *= a;
  }
}

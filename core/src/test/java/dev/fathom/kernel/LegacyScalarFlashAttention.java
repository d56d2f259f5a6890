package dev.fathom.kernel;

import java.util.Arrays;

/*
 * The attention kernel as it was before register blocking (one query row at a time against a
 * transposed key tile), kept in the test sources only as the "before" of
 * AttentionKernelCompare and docs/BENCHMARKS.md; not used by the library.
 */
/**
 * Scalar twin of {@link FlashAttention}: the same tiled attention with the same order of every
 * operation, in plain loops. It is the reference of the vector kernel in tests, and the path
 * taken when {@link Kernels#scalarOnly()} is set. Both kernels use {@link VecExp}'s algorithm
 * (its scalar form here), so the twins agree bit for bit.
 *
 * <p>See {@link FlashAttention} for the layout, the math and the parameters.
 */
public final class LegacyScalarFlashAttention {
  /** Query rows per forward / gq work item. */
  static final int BQ = 64;
  /** Keys per tile (kT and vT hold this many columns); a multiple of every vector length. */
  static final int BK = 64;

  private LegacyScalarFlashAttention() {}

  /** See {@link FlashAttention#forward}. */
  public static void forward(float[] q, float[] k, float[] v, float[] out, float[] lse,
      int b, int h, int hkv, int t, int s, int d, int dv, float scale, boolean causal) {
    check("forward", q, k, v, out, lse, null, b, h, hkv, t, s, d, dv);
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
          transpose(k, kBase + k0 * d, n, d, kT);
          for (int r = 0; r < rows; r++) {
            int i = r0 + r;
            int valid = causal ? Math.min(n, i + off + 1 - k0) : n;
            if (valid <= 0) continue;
            scores(q, qBase + i * d, kT, d, valid, scale, sc);
            float mOld = m[r], mNew = Math.max(mOld, max(sc, valid));
            if (mNew == Float.NEGATIVE_INFINITY) continue;  // only with −∞ inputs
            float sum = expShift(sc, valid, mNew);
            if (mOld != mNew) {
              float alpha = VecExp.exp(mOld - mNew);
              l[r] *= alpha;
              for (int e = 0; e < dv; e++) acc[r * dv + e] *= alpha;
            }
            l[r] += sum;
            m[r] = mNew;
            for (int c = 0; c < valid; c++) axpy(sc[c], v, vBase + (k0 + c) * dv, acc, r * dv, dv);
          }
        }
        finish(out, lse, bh * t + r0, rows, dv, m, l, acc);
      }
    });
  }

  /** See {@link FlashAttention#backward}. */
  public static void backward(float[] q, float[] k, float[] v, float[] out, float[] lse, float[] gOut,
      float[] gq, float[] gk, float[] gv,
      int b, int h, int hkv, int t, int s, int d, int dv, float scale, boolean causal) {
    check("backward", q, k, v, out, lse, gOut, b, h, hkv, t, s, d, dv);
    checkGrads(gq, gk, gv, b, h, hkv, t, s, d, dv);
    float[] rowDot = rowDots(out, gOut, b * h * t, dv);
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
            transpose(k, kBase + k0 * d, n, d, kT);
            transpose(v, vBase + k0 * dv, n, dv, vT);
            for (int r = 0; r < rows; r++) {
              int i = r0 + r;
              int valid = causal ? Math.min(n, i + off + 1 - k0) : n;
              float li = lse[bh * t + i];
              if (valid <= 0 || li == Float.NEGATIVE_INFINITY) continue;
              scores(q, qBase + i * d, kT, d, valid, scale, sc);
              expShift(sc, valid, li);
              rowTimes(gOut, oBase + i * dv, vT, dv, valid, dp);
              float di = rowDot[bh * t + i];
              for (int c = 0; c < valid; c++) {
                axpy(sc[c] * (dp[c] - di) * scale, k, kBase + (k0 + c) * d, gq, qBase + i * d, d);
              }
            }
          }
        }
      });
    }
    if (gk == null && gv == null) return;
    int nkt = (s + BK - 1) / BK;
    Parallel.forRange(b * hkv * nkt, 1, (i0, i1) -> {
      float[] kT = new float[d * BK], vT = new float[dv * BK], sc = new float[BK], dp = new float[BK];
      for (int item = i0; item < i1; item++) {
        int kvh = item / nkt, k0 = (item % nkt) * BK, n = Math.min(BK, s - k0);
        int kBase = kvh * s * d, vBase = kvh * s * dv;
        if (gk != null) Arrays.fill(gk, kBase + k0 * d, kBase + (k0 + n) * d, 0f);
        if (gv != null) Arrays.fill(gv, vBase + k0 * dv, vBase + (k0 + n) * dv, 0f);
        transpose(k, kBase + k0 * d, n, d, kT);
        transpose(v, vBase + k0 * dv, n, dv, vT);
        int iStart = causal ? Math.max(0, k0 - off) : 0;  // first query row that sees key k0
        for (int hh = 0; hh < group; hh++) {
          int bh = (kvh / hkv) * h + (kvh % hkv) * group + hh;
          int qBase = bh * t * d, oBase = bh * t * dv;
          for (int i = iStart; i < t; i++) {
            int valid = causal ? Math.min(n, i + off + 1 - k0) : n;
            float li = lse[bh * t + i];
            if (valid <= 0 || li == Float.NEGATIVE_INFINITY) continue;
            scores(q, qBase + i * d, kT, d, valid, scale, sc);
            expShift(sc, valid, li);
            rowTimes(gOut, oBase + i * dv, vT, dv, valid, dp);
            float di = rowDot[bh * t + i];
            for (int c = 0; c < valid; c++) {
              if (gv != null) axpy(sc[c], gOut, oBase + i * dv, gv, vBase + (k0 + c) * dv, dv);
              if (gk != null) axpy(sc[c] * (dp[c] - di) * scale, q, qBase + i * d, gk, kBase + (k0 + c) * d, d);
            }
          }
        }
      }
    });
  }

  // ---- shared between the twins (layout, bookkeeping; no arithmetic that the vector path changes)

  /** kT[e·BK + c] = x[base + c·cols + e] for c < n, e < cols: a tile of rows turned into columns. */
  static void transpose(float[] x, int base, int n, int cols, float[] kT) {
    for (int c = 0; c < n; c++) {
      int src = base + c * cols;
      for (int e = 0; e < cols; e++) kT[e * BK + c] = x[src + e];
    }
  }

  static float max(float[] x, int n) {
    float m = Float.NEGATIVE_INFINITY;
    for (int c = 0; c < n; c++) m = Math.max(m, x[c]);
    return m;
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

  /** sc[c] = scale·Σ_e q[qOff + e]·kT[e·BK + c] for c < n (e ascending, multiply then add). */
  private static void scores(float[] q, int qOff, float[] kT, int d, int n, float scale, float[] sc) {
    rowTimes(q, qOff, kT, d, n, sc);
    for (int c = 0; c < n; c++) sc[c] *= scale;
  }

  /** y[c] = Σ_e x[xOff + e]·m[e·BK + c] for c < n. */
  private static void rowTimes(float[] x, int xOff, float[] m, int rows, int n, float[] y) {
    for (int c = 0; c < n; c++) {
      float acc = 0f;
      for (int e = 0; e < rows; e++) acc += x[xOff + e] * m[e * BK + c];
      y[c] = acc;
    }
  }

  /** x[c] = e^(x[c] − shift) for c < n; returns their sum (c ascending, float). */
  private static float expShift(float[] x, int n, float shift) {
    float sum = 0f;
    for (int c = 0; c < n; c++) {
      x[c] = VecExp.exp(x[c] - shift);
      sum += x[c];
    }
    return sum;
  }

  /** y[yOff + e] += a·x[xOff + e] for e < n. */
  private static void axpy(float a, float[] x, int xOff, float[] y, int yOff, int n) {
    for (int e = 0; e < n; e++) y[yOff + e] += a * x[xOff + e];
  }
}

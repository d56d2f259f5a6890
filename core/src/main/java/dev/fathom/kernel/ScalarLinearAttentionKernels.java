package dev.fathom.kernel;

import java.util.Arrays;

/**
 * Causal linear attention (Katharopoulos et al. 2020, "Transformers are RNNs"), φ(x) = elu(x) + 1:
 * the state walks (shared by both twins) and the scalar twin of their arithmetic.
 *
 * <pre>
 * S_i = Σ_{j≤i} φ(k_j) v_jᵀ  (D×Dv),   z_i = Σ_{j≤i} φ(k_j)  (D)
 * out_i = φ(q_i)ᵀ S_i / n_i,   n_i = φ(q_i)·z_i
 * </pre>
 *
 * <p>Layout: q (B·H, T, D), k (B·Hkv, T, D), v (B·Hkv, T, Dv), out (B·H, T, Dv), den (B·H, T),
 * row-major; query head h of batch b reads kv head {@code b·Hkv + h/(H/Hkv)}.
 * {@link LinearAttentionKernels} is the Vector API twin and the entry point that picks one.
 */
public final class ScalarLinearAttentionKernels {

  /*
   * Every O(D·Dv) step of the forward and the backward is one of two shapes, the Ops below:
   * rank1, M += x yᵀ (M row-major m×n), and gemvT, out = Mᵀ w (out_c = Σ_a w_a·M[a,c]). Both are
   * lane-wise over M's columns c, so the vector twin has no horizontal sum, and every element sees
   * the same fused multiply-adds in the same order (a = 0, 1, ...) in both twins: they agree bit
   * for bit. Where the math sums over the other index (gq needs S·dnum, gk needs R·v) the walk
   * keeps the transposed matrix instead (Sᵀ in the backward's forward walk; R and Rᵀ in its
   * backward walk), so that too is a gemvT. The state is double: a float sum over thousands of
   * positions drifts. The O(D) parts (φ, z, the normalizer, the output scaling) are shared code.
   * Each (batch, kv head) is one work item walked by one thread in a fixed order, so the results
   * do not depend on the thread count.
   */

  /** The O(D·Dv) arithmetic of the walks: the scalar twin here, the Vector API one in {@link LinearAttentionKernels}. */
  interface Ops {
    /** M[mo + a·n + c] = fma(x[xo + a], y[yo + c], M[mo + a·n + c]) for a &lt; m, c &lt; n. */
    void rank1(double[] x, int xo, int m, double[] y, int yo, int n, double[] mat, int mo);

    /** out[oo + c] = Σ_{a&lt;m} w[wo + a]·M[mo + a·n + c] for c &lt; n: fused multiply-adds from 0, in order of a. */
    void gemvT(double[] w, int wo, int m, double[] mat, int mo, int n, double[] out, int oo);

    /** rank1 then gemvT on the updated M (the same bits); the vector twin does both in one pass over M. */
    default void rank1GemvT(double[] x, int xo, int m, double[] y, int yo, int n, double[] mat, int mo, double[] w, int wo, double[] out,
        int oo) {
      rank1(x, xo, m, y, yo, n, mat, mo);
      gemvT(w, wo, m, mat, mo, n, out, oo);
    }
  }

  static final Ops SCALAR = new Ops() {
    @Override
    public void rank1(double[] x, int xo, int m, double[] y, int yo, int n, double[] mat, int mo) {
      for (int a = 0; a < m; a++) {
        double xa = x[xo + a];
        int row = mo + a * n;
        for (int c = 0; c < n; c++) mat[row + c] = Math.fma(xa, y[yo + c], mat[row + c]);
      }
    }

    @Override
    public void gemvT(double[] w, int wo, int m, double[] mat, int mo, int n, double[] out, int oo) {
      for (int c = 0; c < n; c++) {
        double acc = 0;
        for (int a = 0; a < m; a++) acc = Math.fma(w[wo + a], mat[mo + a * n + c], acc);
        out[oo + c] = acc;
      }
    }
  };

  private ScalarLinearAttentionKernels() {}

  /**
   * φ(x) = elu(x) + 1 = x + 1 for x &gt; 0, e^x otherwise (positive, so the normalizer is). Its
   * derivative is 1 for x &gt; 0 and φ(x) itself otherwise, which is how the backward gets it.
   */
  public static double phi(double x) {
    return x > 0 ? x + 1 : Math.exp(x);
  }

  /** Doubles of scratch that {@link #accumulate} and {@link #read} need: D + Dv. */
  public static int scratchSize(int d, int dv) {
    return d + dv;
  }

  /** {@link LinearAttentionKernels#forward}, scalar. */
  public static void forward(float[] q, float[] k, float[] v, float[] out, float[] den, int b, int h, int hkv, int t, int d, int dv) {
    forward(SCALAR, q, k, v, out, den, b, h, hkv, t, d, dv);
  }

  /** {@link LinearAttentionKernels#backward}, scalar. */
  public static void backward(float[] q, float[] k, float[] v, float[] out, float[] den, float[] g, float[] gq, float[] gk, float[] gv,
      int b, int h, int hkv, int t, int d, int dv) {
    backward(SCALAR, q, k, v, out, den, g, gq, gk, gv, b, h, hkv, t, d, dv);
  }

  /** {@link LinearAttentionKernels#accumulate}, scalar. */
  public static void accumulate(float[] k, int kOff, float[] v, int vOff, int d, int dv, double[] s, int so, double[] z, int zo,
      double[] scratch) {
    accumulate(SCALAR, k, kOff, v, vOff, d, dv, s, so, z, zo, scratch);
  }

  /** {@link LinearAttentionKernels#read}, scalar. */
  public static double read(float[] q, int qOff, int d, int dv, double[] s, int so, double[] z, int zo, double[] scratch, float[] out,
      int oOff) {
    return read(SCALAR, q, qOff, d, dv, s, so, z, zo, scratch, out, oOff);
  }

  /** S[so..] += φ(k) vᵀ and z[zo..] += φ(k), using scratch[0, D + Dv) for φ(k) and v in double. */
  static void accumulate(Ops ops, float[] k, int kOff, float[] v, int vOff, int d, int dv, double[] s, int so, double[] z, int zo,
      double[] scratch) {
    for (int a = 0; a < d; a++) {
      double f = phi(k[kOff + a]);
      scratch[a] = f;
      z[zo + a] += f;
    }
    for (int c = 0; c < dv; c++) scratch[d + c] = v[vOff + c];
    ops.rank1(scratch, 0, d, scratch, d, dv, s, so);
  }

  /** out[oOff..] = φ(q)ᵀ S / n with n = φ(q)·z (summed in order of a), returned; scratch[0, D + Dv) holds φ(q) and φ(q)ᵀ S. */
  static double read(Ops ops, float[] q, int qOff, int d, int dv, double[] s, int so, double[] z, int zo, double[] scratch, float[] out,
      int oOff) {
    double n = 0;
    for (int a = 0; a < d; a++) {
      double f = phi(q[qOff + a]);
      scratch[a] = f;
      n += f * z[zo + a];
    }
    ops.gemvT(scratch, 0, d, s, so, dv, scratch, d);
    for (int c = 0; c < dv; c++) out[oOff + c] = (float) (scratch[d + c] / n);
    return n;
  }

  static void forward(Ops ops, float[] q, float[] k, float[] v, float[] out, float[] den, int b, int h, int hkv, int t, int d, int dv) {
    checkSizes(q, k, v, out, den, b, h, hkv, t, d, dv);
    int group = h / hkv;
    Parallel.forRange(b * hkv, 1, (s0, e0) -> {
      double[] st = new double[d * dv], z = new double[d], scratch = new double[scratchSize(d, dv)], kf = new double[d], vd = new double[dv];
      for (int item = s0; item < e0; item++) {
        int kBase = item * t * d, vBase = item * t * dv, bh0 = (item / hkv) * h + (item % hkv) * group;
        Arrays.fill(st, 0);
        Arrays.fill(z, 0);
        for (int i = 0; i < t; i++) {
          // accumulate, then read for the first head, fused: S is walked once (the same bits as accumulate + read)
          int ko = kBase + i * d, vo = vBase + i * dv, qo = (bh0 * t + i) * d, oo = (bh0 * t + i) * dv;
          double n = 0;
          for (int a = 0; a < d; a++) {
            double f = phi(k[ko + a]);
            kf[a] = f;
            z[a] += f;
          }
          for (int a = 0; a < d; a++) {
            double f = phi(q[qo + a]);
            scratch[a] = f;
            n += f * z[a];
          }
          for (int c = 0; c < dv; c++) vd[c] = v[vo + c];
          ops.rank1GemvT(kf, 0, d, vd, 0, dv, st, 0, scratch, 0, scratch, d);
          for (int c = 0; c < dv; c++) out[oo + c] = (float) (scratch[d + c] / n);
          den[bh0 * t + i] = (float) n;
          for (int bh = bh0 + 1; bh < bh0 + group; bh++) {
            den[bh * t + i] = (float) read(ops, q, (bh * t + i) * d, d, dv, st, 0, z, 0, scratch, out, (bh * t + i) * dv);
          }
        }
      }
    });
  }

  /**
   * For out = num / n: writes dL/dnum = g / n to {@code dnum} and returns dL/dn = −(g·out) / n,
   * from the output gradient and output at {@code off}.
   */
  private static double outputGrads(float[] g, float[] out, int off, double n, int dv, double[] dnum) {
    double dden = 0;
    for (int c = 0; c < dv; c++) {
      dnum[c] = g[off + c] / n;
      dden -= g[off + c] * (double) out[off + c] / n;
    }
    return dden;
  }

  static void backward(Ops ops, float[] q, float[] k, float[] v, float[] out, float[] den, float[] g, float[] gq, float[] gk,
      float[] gv, int b, int h, int hkv, int t, int d, int dv) {
    checkSizes(q, k, v, out, den, b, h, hkv, t, d, dv);
    long bt = (long) b * t;
    if (g.length < bt * h * dv || gq.length < bt * h * d || gk.length < bt * hkv * d || gv.length < bt * hkv * dv) {
      throw new IllegalArgumentException("linear attention backward: gradient arrays shorter than their tensors: g " + g.length
          + ", gq " + gq.length + ", gk " + gk.length + ", gv " + gv.length);
    }
    int group = h / hkv;
    Parallel.forRange(b * hkv, 1, (s0, e0) -> {
      double[] st = new double[d * dv], rr = new double[d * dv], z = new double[d];
      double[] kf = new double[d], qf = new double[d], vd = new double[dv], dnum = new double[dv], tmp = new double[Math.max(d, dv)];
      for (int item = s0; item < e0; item++) {
        int kBase = item * t * d, vBase = item * t * dv, bh0 = (item / hkv) * h + (item % hkv) * group;
        // Forward walk, keeping Sᵀ (Dv×D): gq_i = φ'(q_i) ⊙ (dden_i z_i + S_i dnum_i), dnum_i = g_i / n_i, dden_i = −(g_i·out_i) / n_i;
        // the factor φ'(q_i) is applied in the backward walk, which computes φ(q_i) anyway (φ' = φ = e^x where x ≤ 0).
        Arrays.fill(st, 0);
        Arrays.fill(z, 0);
        for (int i = 0; i < t; i++) {
          for (int a = 0; a < d; a++) {
            kf[a] = phi(k[kBase + i * d + a]);
            z[a] += kf[a];
          }
          for (int c = 0; c < dv; c++) vd[c] = v[vBase + i * dv + c];
          for (int bh = bh0; bh < bh0 + group; bh++) {
            int qo = (bh * t + i) * d;
            double dden = outputGrads(g, out, (bh * t + i) * dv, den[bh * t + i], dv, dnum);
            if (bh == bh0) {
              ops.rank1GemvT(vd, 0, dv, kf, 0, d, st, 0, dnum, 0, tmp, 0);  // Sᵀ update fused with the first head's product
            } else {
              ops.gemvT(dnum, 0, dv, st, 0, d, tmp, 0);
            }
            for (int a = 0; a < d; a++) gq[qo + a] = (float) (dden * z[a] + tmp[a]);
          }
        }
        // Backward walk: R = Σ_{i≥j} φ(q_i) dnum_iᵀ (D×Dv, kept with Rᵀ in st), r = Σ_{i≥j} dden_i φ(q_i) over the
        // group's heads; gk_j = φ'(k_j) ⊙ (r + R v_j), gv_j = Rᵀ φ(k_j).
        double[] rt = st, r = z;
        Arrays.fill(rr, 0);
        Arrays.fill(rt, 0);
        Arrays.fill(r, 0);
        for (int j = t - 1; j >= 0; j--) {
          int ko = kBase + j * d, vo = vBase + j * dv;
          for (int a = 0; a < d; a++) kf[a] = phi(k[ko + a]);
          for (int c = 0; c < dv; c++) vd[c] = v[vo + c];
          for (int bh = bh0; bh < bh0 + group; bh++) {
            int qo = (bh * t + j) * d;
            double dden = outputGrads(g, out, (bh * t + j) * dv, den[bh * t + j], dv, dnum);
            for (int a = 0; a < d; a++) {
              float x = q[qo + a];
              qf[a] = phi(x);
              r[a] += dden * qf[a];
              if (x <= 0) gq[qo + a] = (float) (gq[qo + a] * qf[a]);
            }
            if (bh < bh0 + group - 1) {
              ops.rank1(qf, 0, d, dnum, 0, dv, rr, 0);
              ops.rank1(dnum, 0, dv, qf, 0, d, rt, 0);
            } else {  // the last head's updates fused with the products for gk and gv
              ops.rank1GemvT(dnum, 0, dv, qf, 0, d, rt, 0, vd, 0, tmp, 0);
              for (int a = 0; a < d; a++) gk[ko + a] = (float) ((r[a] + tmp[a]) * (k[ko + a] > 0 ? 1 : kf[a]));
              ops.rank1GemvT(qf, 0, d, dnum, 0, dv, rr, 0, kf, 0, tmp, 0);
              for (int c = 0; c < dv; c++) gv[vo + c] = (float) tmp[c];
            }
          }
        }
      }
    });
  }

  private static void checkSizes(float[] q, float[] k, float[] v, float[] out, float[] den, int b, int h, int hkv, int t, int d,
      int dv) {
    if (b < 0 || t < 0 || h < 1 || hkv < 1 || h % hkv != 0 || d < 1 || dv < 1) {
      throw new IllegalArgumentException("linear attention: expected B, T >= 0, H a positive multiple of Hkv and D, Dv >= 1, got B="
          + b + ", H=" + h + ", Hkv=" + hkv + ", T=" + t + ", D=" + d + ", Dv=" + dv);
    }
    long bt = (long) b * t;
    if (q.length < bt * h * d || k.length < bt * hkv * d || v.length < bt * hkv * dv || out.length < bt * h * dv || den.length < bt * h) {
      throw new IllegalArgumentException("linear attention: arrays too short for B=" + b + ", H=" + h + ", Hkv=" + hkv + ", T=" + t
          + ", D=" + d + ", Dv=" + dv + ": q " + q.length + ", k " + k.length + ", v " + v.length + ", out " + out.length + ", den "
          + den.length);
    }
  }
}

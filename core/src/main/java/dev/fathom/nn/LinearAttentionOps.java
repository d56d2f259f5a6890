package dev.fathom.nn;

import dev.fathom.autograd.Autograd;
import dev.fathom.kernel.Parallel;
import dev.fathom.tensor.Shape;
import dev.fathom.tensor.ShapeException;
import dev.fathom.tensor.Tensor;

/**
 * Causal linear attention (Katharopoulos et al. 2020, "Transformers are RNNs") with the feature
 * map φ(x) = elu(x) + 1: {@code out_i = φ(q_i)ᵀ S_i / φ(q_i)ᵀ z_i} with
 * {@code S_i = Σ_{j≤i} φ(k_j) v_jᵀ} and {@code z_i = Σ_{j≤i} φ(k_j)}, as one autograd op. Time
 * O(T·D·Dv) and memory O(T) per head instead of O(T²): the state (S, z) is carried along the
 * sequence, which is also its recurrent form for decoding one token at a time in O(1).
 *
 * <p>The state is kept in double (a float sum over thousands of positions drifts), shared by
 * the query heads of a key/value head group. The backward walks the sequence twice: forward
 * (rebuilding S_i, z_i) for the query gradients, and backward (summing Σ_{i≥j} of the output
 * gradients' outer products) for the key and value gradients. Deterministic: one thread per
 * (batch, key/value head), fixed order.
 */
public final class LinearAttentionOps {
  private LinearAttentionOps() {}

  /** φ(x) = elu(x) + 1 = x + 1 for x &gt; 0, e^x otherwise (positive, so the normalizer is). */
  static double phi(double x) {
    return x > 0 ? x + 1 : Math.exp(x);
  }

  /** φ'(x) = 1 for x &gt; 0, e^x otherwise. */
  static double phiGrad(double x) {
    return x > 0 ? 1 : Math.exp(x);
  }

  /**
   * @param q queries (B, H, T, D)
   * @param k keys (B, Hkv, T, D), H a multiple of Hkv
   * @param v values (B, Hkv, T, Dv)
   * @return (B, H, T, Dv)
   * @throws ShapeException when the shapes do not fit together
   */
  public static Tensor causal(Tensor q, Tensor k, Tensor v) {
    if (q.dim() != 4 || k.dim() != 4 || v.dim() != 4) {
      throw new ShapeException("linear attention: q, k, v must be 4-d (B, H, T, D), (B, Hkv, T, D), (B, Hkv, T, Dv), got "
          + Shape.str(q.shape()) + ", " + Shape.str(k.shape()) + ", " + Shape.str(v.shape()));
    }
    int b = q.size(0), h = q.size(1), t = q.size(2), d = q.size(3), hkv = k.size(1), dv = v.size(3);
    if (k.size(0) != b || v.size(0) != b || v.size(1) != hkv || k.size(2) != t || v.size(2) != t || k.size(3) != d
        || hkv == 0 || h % hkv != 0 || d == 0 || dv == 0) {
      throw new ShapeException("linear attention: incompatible q " + Shape.str(q.shape()) + ", k " + Shape.str(k.shape()) + ", v "
          + Shape.str(v.shape()) + " (expected the same B and T, H divisible by Hkv, D and Dv positive)");
    }
    int group = h / hkv;
    float[] qd = q.data(), kd = k.data(), vd = v.data();
    float[] out = new float[b * h * t * dv], den = new float[b * h * t];
    Parallel.forRange(b * hkv, 1, (s, e) -> {
      double[] st = new double[d * dv], z = new double[d], kf = new double[d], qf = new double[d];
      for (int item = s; item < e; item++) forward(item, qd, kd, vd, out, den, h, hkv, group, t, d, dv, st, z, kf, qf);
    });
    Tensor result = Tensor.of(out, b, h, t, dv);
    return Autograd.record("linear_attention", result, g -> {
      float[] gd = g.data();
      float[] gq = new float[qd.length], gk = new float[kd.length], gv = new float[vd.length];
      Parallel.forRange(b * hkv, 1, (s, e) -> {
        for (int item = s; item < e; item++) backward(item, qd, kd, vd, out, den, gd, gq, gk, gv, h, hkv, group, t, d, dv);
      });
      return new Tensor[] {
          q.requiresGrad() ? Tensor.of(gq, q.shape()) : null,
          k.requiresGrad() ? Tensor.of(gk, k.shape()) : null,
          v.requiresGrad() ? Tensor.of(gv, v.shape()) : null};
    }, q, k, v);
  }

  /** One (batch, kv head): the state walk, writing out and the normalizers of its query heads. */
  private static void forward(int item, float[] q, float[] k, float[] v, float[] out, float[] den, int h, int hkv, int group, int t,
      int d, int dv, double[] st, double[] z, double[] kf, double[] qf) {
    int bb = item / hkv, kvh = item % hkv, kBase = item * t * d, vBase = item * t * dv;
    java.util.Arrays.fill(st, 0);
    java.util.Arrays.fill(z, 0);
    for (int i = 0; i < t; i++) {
      accumulate(k, kBase + i * d, v, vBase + i * dv, d, dv, st, 0, z, 0, kf);
      for (int hh = 0; hh < group; hh++) {
        int bh = bb * h + kvh * group + hh;
        den[bh * t + i] = (float) read(q, (bh * t + i) * d, d, dv, st, 0, z, 0, qf, out, (bh * t + i) * dv);
      }
    }
  }

  /**
   * One token into the state: S[so..] += φ(k) vᵀ and z[zo..] += φ(k), from k[kOff..] (D) and
   * v[vOff..] (Dv); leaves φ(k) in {@code kf}. Shared with {@link LinearAttentionState}, so the
   * recurrent form gives the same bits.
   */
  static void accumulate(float[] k, int kOff, float[] v, int vOff, int d, int dv, double[] st, int so, double[] z, int zo,
      double[] kf) {
    for (int a = 0; a < d; a++) {
      kf[a] = phi(k[kOff + a]);
      z[zo + a] += kf[a];
      for (int c = 0; c < dv; c++) st[so + a * dv + c] += kf[a] * v[vOff + c];
    }
  }

  /**
   * One query against the state: out[oOff..] = φ(q)ᵀ S / φ(q)ᵀ z (Dv values); returns the
   * normalizer φ(q)ᵀ z and leaves φ(q) in {@code qf}.
   */
  static double read(float[] q, int qOff, int d, int dv, double[] st, int so, double[] z, int zo, double[] qf, float[] out, int oOff) {
    double n = 0;
    for (int a = 0; a < d; a++) {
      qf[a] = phi(q[qOff + a]);
      n += qf[a] * z[zo + a];
    }
    for (int c = 0; c < dv; c++) {
      double num = 0;
      for (int a = 0; a < d; a++) num += qf[a] * st[so + a * dv + c];
      out[oOff + c] = (float) (num / n);
    }
    return n;
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

  private static void backward(int item, float[] q, float[] k, float[] v, float[] out, float[] den, float[] g, float[] gq, float[] gk,
      float[] gv, int h, int hkv, int group, int t, int d, int dv) {
    int bb = item / hkv, kvh = item % hkv, kBase = item * t * d, vBase = item * t * dv;
    double[] st = new double[d * dv], z = new double[d], dnum = new double[dv], qf = new double[d], kf = new double[d];
    // Forward walk: gq_i = φ'(q_i) ⊙ (S_i dnum_i + dden_i z_i), dnum_i = g_i / n_i, dden_i = −(g_i·out_i) / n_i.
    for (int i = 0; i < t; i++) {
      accumulate(k, kBase + i * d, v, vBase + i * dv, d, dv, st, 0, z, 0, kf);
      for (int hh = 0; hh < group; hh++) {
        int bh = bb * h + kvh * group + hh, qo = (bh * t + i) * d, oo = (bh * t + i) * dv;
        double dden = outputGrads(g, out, oo, den[bh * t + i], dv, dnum);
        for (int a = 0; a < d; a++) {
          double s = dden * z[a];
          for (int c = 0; c < dv; c++) s += st[a * dv + c] * dnum[c];
          gq[qo + a] = (float) (s * phiGrad(q[qo + a]));
        }
      }
    }
    // Backward walk: R = Σ_{i≥j} φ(q_i) dnum_iᵀ, r = Σ_{i≥j} dden_i φ(q_i) over the group's heads;
    // gk_j = φ'(k_j) ⊙ (R v_j + r), gv_j = Rᵀ φ(k_j).
    double[] rr = st, r = z;
    java.util.Arrays.fill(rr, 0);
    java.util.Arrays.fill(r, 0);
    for (int j = t - 1; j >= 0; j--) {
      for (int hh = 0; hh < group; hh++) {
        int bh = bb * h + kvh * group + hh, qo = (bh * t + j) * d, oo = (bh * t + j) * dv;
        double dden = outputGrads(g, out, oo, den[bh * t + j], dv, dnum);
        for (int a = 0; a < d; a++) {
          qf[a] = phi(q[qo + a]);
          r[a] += dden * qf[a];
          for (int c = 0; c < dv; c++) rr[a * dv + c] += qf[a] * dnum[c];
        }
      }
      for (int a = 0; a < d; a++) {
        double s = r[a], x = k[kBase + j * d + a];
        for (int c = 0; c < dv; c++) s += rr[a * dv + c] * v[vBase + j * dv + c];
        gk[kBase + j * d + a] = (float) (s * phiGrad(x));
        kf[a] = phi(x);
      }
      for (int c = 0; c < dv; c++) {
        double s = 0;
        for (int a = 0; a < d; a++) s += rr[a * dv + c] * kf[a];
        gv[vBase + j * dv + c] = (float) s;
      }
    }
  }
}

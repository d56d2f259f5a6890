package dev.fathom.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Causal linear attention (Katharopoulos et al. 2020, "Transformers are RNNs") with φ(x) = elu(x) + 1,
 * forward and backward, in time O(T·D·Dv) per (batch, kv head) and memory O(D·Dv) beyond the
 * inputs:
 *
 * <pre>
 * S_i = Σ_{j≤i} φ(k_j) v_jᵀ,   z_i = Σ_{j≤i} φ(k_j),   out_i = φ(q_i)ᵀ S_i / φ(q_i)·z_i
 * </pre>
 *
 * <p>Layout: q (B·H, T, D), k (B·Hkv, T, D), v (B·Hkv, T, Dv), out (B·H, T, Dv), den (B·H, T),
 * row-major {@code float[]}; query head h of batch b reads kv head {@code b·Hkv + h/(H/Hkv)}.
 * {@link ScalarLinearAttentionKernels} holds the state walks (shared) and the scalar twin of their
 * arithmetic; every call goes there when {@link Kernels#scalarOnly()} is set. The twins agree bit
 * for bit (see the design note there), and so do the whole-sequence walk and the one-token
 * {@link #accumulate}/{@link #read} a decoder calls.
 */
public final class LinearAttentionKernels {

  /*
   * The Vector API arithmetic: DoubleVector lanes over the columns of the state (8 on AVX-512).
   * rank1 streams each row of M once (load, fma, store); gemvT keeps four vectors of columns in
   * registers across the whole sum over rows. Tails run Math.fma on the same operands in the same
   * order, so every element's bits match the scalar twin.
   */
  private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
  private static final int L = S.length();

  static final ScalarLinearAttentionKernels.Ops VECTOR = new ScalarLinearAttentionKernels.Ops() {
    @Override
    public void rank1(double[] x, int xo, int m, double[] y, int yo, int n, double[] mat, int mo) {
      int vn = n - n % L;
      for (int a = 0; a < m; a++) {
        double xa = x[xo + a];
        DoubleVector xv = DoubleVector.broadcast(S, xa);
        int row = mo + a * n, c = 0;
        for (; c < vn; c += L) {
          xv.fma(DoubleVector.fromArray(S, y, yo + c), DoubleVector.fromArray(S, mat, row + c)).intoArray(mat, row + c);
        }
        for (; c < n; c++) mat[row + c] = Math.fma(xa, y[yo + c], mat[row + c]);
      }
    }

    @Override
    public void gemvT(double[] w, int wo, int m, double[] mat, int mo, int n, double[] out, int oo) {
      int c = 0;
      for (; c + 4 * L <= n; c += 4 * L) {
        DoubleVector a0 = DoubleVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
        for (int a = 0; a < m; a++) {
          DoubleVector wa = DoubleVector.broadcast(S, w[wo + a]);
          int p = mo + a * n + c;
          a0 = wa.fma(DoubleVector.fromArray(S, mat, p), a0);
          a1 = wa.fma(DoubleVector.fromArray(S, mat, p + L), a1);
          a2 = wa.fma(DoubleVector.fromArray(S, mat, p + 2 * L), a2);
          a3 = wa.fma(DoubleVector.fromArray(S, mat, p + 3 * L), a3);
        }
        a0.intoArray(out, oo + c);
        a1.intoArray(out, oo + c + L);
        a2.intoArray(out, oo + c + 2 * L);
        a3.intoArray(out, oo + c + 3 * L);
      }
      for (; c + L <= n; c += L) {
        DoubleVector acc = DoubleVector.zero(S);
        for (int a = 0; a < m; a++) acc = DoubleVector.broadcast(S, w[wo + a]).fma(DoubleVector.fromArray(S, mat, mo + a * n + c), acc);
        acc.intoArray(out, oo + c);
      }
      for (; c < n; c++) {
        double acc = 0;
        for (int a = 0; a < m; a++) acc = Math.fma(w[wo + a], mat[mo + a * n + c], acc);
        out[oo + c] = acc;
      }
    }

    @Override
    public void rank1GemvT(double[] x, int xo, int m, double[] y, int yo, int n, double[] mat, int mo, double[] w, int wo, double[] out,
        int oo) {
      int c = 0;
      for (; c + 2 * L <= n; c += 2 * L) {  // two vectors of columns: M updated, stored and summed in one pass
        DoubleVector y0 = DoubleVector.fromArray(S, y, yo + c), y1 = DoubleVector.fromArray(S, y, yo + c + L);
        DoubleVector a0 = DoubleVector.zero(S), a1 = a0;
        for (int a = 0; a < m; a++) {
          DoubleVector xa = DoubleVector.broadcast(S, x[xo + a]), wa = DoubleVector.broadcast(S, w[wo + a]);
          int p = mo + a * n + c;
          DoubleVector m0 = xa.fma(y0, DoubleVector.fromArray(S, mat, p)), m1 = xa.fma(y1, DoubleVector.fromArray(S, mat, p + L));
          m0.intoArray(mat, p);
          m1.intoArray(mat, p + L);
          a0 = wa.fma(m0, a0);
          a1 = wa.fma(m1, a1);
        }
        a0.intoArray(out, oo + c);
        a1.intoArray(out, oo + c + L);
      }
      for (; c < n; c++) {
        double acc = 0, yc = y[yo + c];
        for (int a = 0; a < m; a++) {
          int p = mo + a * n + c;
          mat[p] = Math.fma(x[xo + a], yc, mat[p]);
          acc = Math.fma(w[wo + a], mat[p], acc);
        }
        out[oo + c] = acc;
      }
    }
  };

  private LinearAttentionKernels() {}

  private static ScalarLinearAttentionKernels.Ops ops() {
    return Kernels.scalarOnly() ? ScalarLinearAttentionKernels.SCALAR : VECTOR;
  }

  /**
   * Forward pass, one thread per (batch, kv head).
   *
   * @param q queries (B·H, T, D)
   * @param k keys (B·Hkv, T, D)
   * @param v values (B·Hkv, T, Dv)
   * @param out written: (B·H, T, Dv), {@code φ(q_i)ᵀ S_i / n_i}
   * @param den written: (B·H, T), the normalizers {@code n_i = φ(q_i)·z_i}, which the backward needs
   * @throws IllegalArgumentException on a bad size, H not a multiple of Hkv, or a short array
   */
  public static void forward(float[] q, float[] k, float[] v, float[] out, float[] den, int b, int h, int hkv, int t, int d, int dv) {
    ScalarLinearAttentionKernels.forward(ops(), q, k, v, out, den, b, h, hkv, t, d, dv);
  }

  /**
   * Backward pass: from the output gradient g (B·H, T, Dv) and the forward's out and den, writes
   * (overwrites) gq, gk, gv. Two walks per (batch, kv head): forward, rebuilding Sᵀ and z, for
   * {@code gq_i = φ'(q_i) ⊙ (S_i dnum_i + dden_i z_i)} with {@code dnum_i = g_i / n_i} and
   * {@code dden_i = −g_i·out_i / n_i}; and backward, summing {@code R_j = Σ_{i≥j} φ(q_i) dnum_iᵀ} and
   * {@code r_j = Σ_{i≥j} dden_i φ(q_i)} over the group's query heads, for
   * {@code gk_j = φ'(k_j) ⊙ (R_j v_j + r_j)} and {@code gv_j = R_jᵀ φ(k_j)}.
   *
   * @throws IllegalArgumentException on a bad size or a short array
   */
  public static void backward(float[] q, float[] k, float[] v, float[] out, float[] den, float[] g, float[] gq, float[] gk, float[] gv,
      int b, int h, int hkv, int t, int d, int dv) {
    ScalarLinearAttentionKernels.backward(ops(), q, k, v, out, den, g, gq, gk, gv, b, h, hkv, t, d, dv);
  }

  /**
   * One token into one kv head's state, the recurrent form: {@code S += φ(k) vᵀ} on
   * {@code s[so, so + D·Dv)} (row-major D×Dv) and {@code z += φ(k)} on {@code z[zo, zo + D)}, from
   * k[kOff, kOff + D) and v[vOff, vOff + Dv). The whole-sequence {@link #forward} does exactly this
   * per position, so a decoder gets the same bits.
   *
   * @param scratch at least {@link ScalarLinearAttentionKernels#scratchSize} doubles, overwritten
   */
  public static void accumulate(float[] k, int kOff, float[] v, int vOff, int d, int dv, double[] s, int so, double[] z, int zo,
      double[] scratch) {
    ScalarLinearAttentionKernels.accumulate(ops(), k, kOff, v, vOff, d, dv, s, so, z, zo, scratch);
  }

  /**
   * One query against one kv head's state: writes {@code out[oOff, oOff + Dv) = φ(q)ᵀ S / n} and
   * returns the normalizer {@code n = φ(q)·z}, q read at q[qOff, qOff + D).
   *
   * @param scratch at least {@link ScalarLinearAttentionKernels#scratchSize} doubles, overwritten
   */
  public static double read(float[] q, int qOff, int d, int dv, double[] s, int so, double[] z, int zo, double[] scratch, float[] out,
      int oOff) {
    return ScalarLinearAttentionKernels.read(ops(), q, qOff, d, dv, s, so, z, zo, scratch, out, oOff);
  }
}

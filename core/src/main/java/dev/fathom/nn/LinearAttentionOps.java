package dev.fathom.nn;

import dev.fathom.autograd.Autograd;
import dev.fathom.kernel.LinearAttentionKernels;
import dev.fathom.tensor.Shape;
import dev.fathom.tensor.ShapeException;
import dev.fathom.tensor.Tensor;

/**
 * Causal linear attention (Katharopoulos et al. 2020, "Transformers are RNNs") with the feature
 * map φ(x) = elu(x) + 1: {@code out_i = φ(q_i)ᵀ S_i / φ(q_i)ᵀ z_i} with
 * {@code S_i = Σ_{j≤i} φ(k_j) v_jᵀ} and {@code z_i = Σ_{j≤i} φ(k_j)}, as one autograd op. Time
 * O(T·D·Dv) and memory O(T) per head instead of O(T²): the state (S, z) is carried along the
 * sequence, which is also its recurrent form for decoding one token at a time in O(1)
 * ({@link LinearAttentionState}, which gives the same bits).
 *
 * <p>This class checks shapes and records the derivative; the arithmetic (double state shared by
 * the query heads of a key/value head group, forward and backward walks, deterministic whatever
 * the thread count) is {@link LinearAttentionKernels}.
 */
public final class LinearAttentionOps {
  private LinearAttentionOps() {}

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
    float[] qd = q.data(), kd = k.data(), vd = v.data();
    float[] out = new float[b * h * t * dv], den = new float[b * h * t];
    LinearAttentionKernels.forward(qd, kd, vd, out, den, b, h, hkv, t, d, dv);
    Tensor result = Tensor.of(out, b, h, t, dv);
    return Autograd.record("linear_attention", result, g -> {
      float[] gq = new float[qd.length], gk = new float[kd.length], gv = new float[vd.length];
      LinearAttentionKernels.backward(qd, kd, vd, out, den, g.data(), gq, gk, gv, b, h, hkv, t, d, dv);
      return new Tensor[] {
          q.requiresGrad() ? Tensor.of(gq, q.shape()) : null,
          k.requiresGrad() ? Tensor.of(gk, k.shape()) : null,
          v.requiresGrad() ? Tensor.of(gv, v.shape()) : null};
    }, q, k, v);
  }
}

package dev.fathom.nn;

import dev.fathom.autograd.Autograd;
import dev.fathom.kernel.BlockSparseLayout;
import dev.fathom.kernel.FlashAttention;
import dev.fathom.tensor.Shape;
import dev.fathom.tensor.ShapeException;
import dev.fathom.tensor.Tensor;

/**
 * Scaled dot-product attention as one fused op per direction, on the tiled kernel
 * {@link FlashAttention}: memory linear in the sequence length, no (B, H, T, S) score tensor.
 */
public final class AttentionOps {
  private AttentionOps() {}

  /**
   * {@code softmax(q·kᵀ/√D + causal mask)·v} with grouped-query heads, recorded as one autograd
   * op whose backward recomputes the probabilities tile by tile from the saved log-sum-exp.
   *
   * @param q queries (B, H, T, D)
   * @param k keys (B, Hkv, S, D), H a multiple of Hkv; query head h uses kv head h / (H/Hkv)
   * @param v values (B, Hkv, S, Dv)
   * @param causal whether query i sees only keys {@code j ≤ i + S − T} (queries aligned to the
   *     end of the keys); a query that sees no key gives zeros
   * @return (B, H, T, Dv)
   * @throws ShapeException when the shapes do not fit together
   */
  public static Tensor attention(Tensor q, Tensor k, Tensor v, boolean causal) {
    return attention(q, k, v, causal, 0);
  }

  /**
   * As {@link #attention(Tensor, Tensor, Tensor, boolean)}, with a causal sliding window when
   * {@code window > 0}: query i sees only the keys j with {@code i + S − T − window < j ≤ i + S − T}
   * (Mistral's sliding_window); time and memory grow with T·window.
   *
   * @param window 0 for none, else at least 1 (requires causal)
   * @throws IllegalArgumentException for a negative window, or a window without causal masking
   */
  public static Tensor attention(Tensor q, Tensor k, Tensor v, boolean causal, int window) {
    if (window < 0 || (window > 0 && !causal)) {
      throw new IllegalArgumentException("attention: expected window 0 (none) or >= 1 with causal masking, got " + window
          + (causal ? "" : " (not causal)"));
    }
    return fused(q, k, v, causal, window, null);
  }

  /**
   * Causal block-sparse attention with global tokens (BigBird, Longformer; see
   * {@link BlockSparseLayout}): query i, at position p = i + S − T (queries aligned to the end of
   * the keys), sees key j iff {@code j ≤ p} and {@code layout.sees(p / blockSize, j / blockSize)};
   * one autograd op on {@link FlashAttention}'s block-sparse walk, whose time grows with
   * T·(local + global + random)·blockSize instead of T².
   *
   * @param q queries (B, H, T, D)
   * @param k keys (B, Hkv, S, D), H a multiple of Hkv
   * @param v values (B, Hkv, S, Dv)
   * @param layout the block pattern
   * @return (B, H, T, Dv)
   * @throws ShapeException when the shapes do not fit together
   * @throws NullPointerException for a null layout
   */
  public static Tensor attention(Tensor q, Tensor k, Tensor v, BlockSparseLayout layout) {
    if (layout == null) throw new NullPointerException("attention: block-sparse layout is null");
    return fused(q, k, v, true, 0, layout);
  }

  /** The fused op: dense (causal or not, window or not) when layout is null, else block-sparse. */
  private static Tensor fused(Tensor q, Tensor k, Tensor v, boolean causal, int window, BlockSparseLayout layout) {
    if (q.dim() != 4 || k.dim() != 4 || v.dim() != 4) {
      throw new ShapeException("attention: q, k, v must be 4-d (B, H, T, D), (B, Hkv, S, D), (B, Hkv, S, Dv), got "
          + Shape.str(q.shape()) + ", " + Shape.str(k.shape()) + ", " + Shape.str(v.shape()));
    }
    int b = q.size(0), h = q.size(1), t = q.size(2), d = q.size(3);
    int hkv = k.size(1), s = k.size(2), dv = v.size(3);
    if (k.size(0) != b || v.size(0) != b || v.size(1) != hkv || v.size(2) != s || k.size(3) != d
        || hkv == 0 || h % hkv != 0 || d == 0 || dv == 0) {
      throw new ShapeException("attention: incompatible q " + Shape.str(q.shape()) + ", k " + Shape.str(k.shape())
          + ", v " + Shape.str(v.shape()) + " (expected q (B, H, T, D), k (B, Hkv, S, D), v (B, Hkv, S, Dv), "
          + "H divisible by Hkv, D and Dv positive)");
    }
    float scale = (float) (1 / Math.sqrt(d));
    float[] qd = q.data(), kd = k.data(), vd = v.data();
    float[] out = new float[b * h * t * dv];
    float[] lse = new float[b * h * t];
    if (h > 0 && layout != null) {
      FlashAttention.forward(qd, kd, vd, out, lse, b, h, hkv, t, s, d, dv, scale, layout);
    } else if (h > 0 && window > 0) {
      FlashAttention.forward(qd, kd, vd, out, lse, b, h, hkv, t, s, d, dv, scale, window);
    } else if (h > 0) {
      FlashAttention.forward(qd, kd, vd, out, lse, b, h, hkv, t, s, d, dv, scale, causal);
    }
    Tensor result = Tensor.of(out, b, h, t, dv);
    return Autograd.record("attention", result, g -> {
      float[] gq = q.requiresGrad() ? new float[qd.length] : null;
      float[] gk = k.requiresGrad() ? new float[kd.length] : null;
      float[] gv = v.requiresGrad() ? new float[vd.length] : null;
      if (h > 0 && layout != null) {
        FlashAttention.backward(qd, kd, vd, out, lse, g.data(), gq, gk, gv, b, h, hkv, t, s, d, dv, scale, layout);
      } else if (h > 0 && window > 0) {
        FlashAttention.backward(qd, kd, vd, out, lse, g.data(), gq, gk, gv, b, h, hkv, t, s, d, dv, scale, window);
      } else if (h > 0) {
        FlashAttention.backward(qd, kd, vd, out, lse, g.data(), gq, gk, gv, b, h, hkv, t, s, d, dv, scale, causal);
      }
      return new Tensor[] {
          gq == null ? null : Tensor.of(gq, q.shape()),
          gk == null ? null : Tensor.of(gk, k.shape()),
          gv == null ? null : Tensor.of(gv, v.shape())};
    }, q, k, v);
  }
}

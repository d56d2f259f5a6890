package dev.fathom.nn;

import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Shape;
import dev.fathom.tensor.ShapeException;
import dev.fathom.tensor.Tensor;

/**
 * Multi-head attention with grouped-query heads (numKvHeads divides numHeads; equal is classic
 * MHA, 1 is multi-query). Projections are named as in Hugging Face Llama: {@code q_proj},
 * {@code k_proj}, {@code v_proj}, {@code o_proj}.
 */
public class MultiHeadAttention extends Module {
  public final int embedDim, numHeads, numKvHeads, headDim;
  public final boolean causal;
  public final Linear qProj, kProj, vProj, oProj;

  public MultiHeadAttention(int embedDim, int numHeads, int numKvHeads, boolean causal, boolean bias, Rng rng) {
    if (embedDim <= 0 || numHeads <= 0 || numKvHeads <= 0 || embedDim % numHeads != 0 || numHeads % numKvHeads != 0) {
      throw new IllegalArgumentException("MultiHeadAttention: need embedDim divisible by numHeads and numHeads by numKvHeads, got embedDim="
          + embedDim + ", numHeads=" + numHeads + ", numKvHeads=" + numKvHeads);
    }
    this.embedDim = embedDim;
    this.numHeads = numHeads;
    this.numKvHeads = numKvHeads;
    this.headDim = embedDim / numHeads;
    this.causal = causal;
    this.qProj = child("q_proj", new Linear(embedDim, numHeads * headDim, bias, rng));
    this.kProj = child("k_proj", new Linear(embedDim, numKvHeads * headDim, bias, rng));
    this.vProj = child("v_proj", new Linear(embedDim, numKvHeads * headDim, bias, rng));
    this.oProj = child("o_proj", new Linear(numHeads * headDim, embedDim, bias, rng));
  }

  /** Self-attention: x (B, T, D) → (B, T, D). */
  @Override
  public Tensor forward(Tensor x) {
    return attend(x, x, null);
  }

  /**
   * Attention of queries from {@code x} (B, T, D) over keys/values from {@code context} (B, S, D),
   * with an optional additive mask broadcastable to (B, H, T, S).
   */
  public Tensor attend(Tensor x, Tensor context, Tensor mask) {
    if (x.dim() != 3 || x.size(2) != embedDim || context.dim() != 3 || context.size(2) != embedDim || context.size(0) != x.size(0)) {
      throw new ShapeException("MultiHeadAttention(" + embedDim + "): expected (B, T, " + embedDim + ") inputs, got "
          + Shape.str(x.shape()) + " and " + Shape.str(context.shape()));
    }
    int b = x.size(0), t = x.size(1), s = context.size(1);
    Tensor q = qProj.call(x).reshape(b, t, numHeads, headDim).transpose(1, 2);         // (B, H, T, Dh)
    Tensor k = kProj.call(context).reshape(b, s, numKvHeads, headDim).transpose(1, 2);  // (B, Hkv, S, Dh)
    Tensor v = vProj.call(context).reshape(b, s, numKvHeads, headDim).transpose(1, 2);  // (B, Hkv, S, Dh)
    Tensor y = F.scaledDotProductAttention(q, k, v, causal, mask);                      // (B, H, T, Dh)
    return oProj.call(y.transpose(1, 2).reshape(b, t, embedDim));                       // (B, T, D)
  }

  @Override
  protected String extraRepr() {
    return "embedDim=" + embedDim + ", numHeads=" + numHeads + ", numKvHeads=" + numKvHeads + ", causal=" + causal;
  }
}

package dev.fathom.llm.lora;

import dev.fathom.autograd.Grad;
import dev.fathom.nn.F;
import dev.fathom.nn.ForwardHook;
import dev.fathom.nn.Init;
import dev.fathom.nn.Linear;
import dev.fathom.nn.Module;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Tensor;

/**
 * The low-rank adapter on one {@link Linear}: y = base(x) + scale · B(A(dropout(x))), with
 * A = {@code lora_A} (r, in) and B = {@code lora_B} (out, r) registered as children of the base
 * layer, so their state-dict keys are {@code <path>.lora_A.weight} and {@code <path>.lora_B.weight}.
 * A starts as PyTorch's Linear default (Kaiming-uniform, a = √5, as PEFT), B at zero, so a fresh
 * adapter leaves the output unchanged.
 *
 * <p>The low-rank path is added by a forward hook on the base layer, so the model's own forward
 * code is untouched. When merged, W holds W + scale·B·A and the hook adds nothing.
 */
public final class LoraLayer {
  /* Why a hook: the Llama blocks hold their projections in final fields and call them directly,
   * so a wrapper module could not be swapped in; a hook on the projection itself changes the
   * output of exactly that call and leaves the model class alone. */
  public static final String A = "lora_A";
  public static final String B = "lora_B";

  private final Linear base;
  private final Linear loraA;
  private final Linear loraB;
  private final double scale;
  private final double dropout;
  private final Rng dropoutRng;
  private Runnable removeHook;
  private boolean merged;

  LoraLayer(Linear base, int r, double scale, double dropout, Rng rng) {
    this.base = base;
    this.scale = scale;
    this.dropout = dropout;
    this.loraA = new Linear(base.inFeatures, r, false, rng);
    this.loraB = new Linear(r, base.outFeatures, false, rng);
    Init.zeros(loraB.weight);
    this.dropoutRng = rng.split();
  }

  /** Attaches lora_A, lora_B and the hook to the base layer. */
  void attach() {
    base.registerModule(A, loraA);
    base.registerModule(B, loraB);
    ForwardHook hook = this::addLowRank;
    removeHook = base.registerForwardHook(hook);
  }

  /** Removes lora_A, lora_B and the hook; a merged adapter is unmerged first, so W is the base weight again. */
  void detach() {
    if (merged) unmerge();
    detachKeepingMerge();
  }

  /** Removes lora_A, lora_B and the hook and leaves W as it is (merged or not). */
  void detachKeepingMerge() {
    merged = false;
    removeHook.run();
    base.removeModule(A);
    base.removeModule(B);
  }

  private Tensor addLowRank(Module m, Tensor x, Tensor out) {
    if (merged) return null;
    Tensor h = F.dropout(x, dropout, base.isTraining(), dropoutRng);
    return out.add(loraB.call(loraA.call(h)).mul((float) scale));  // (..., out)
  }

  /** The adapted layer. */
  public Linear base() {
    return base;
  }

  /** A: weight (r, in). */
  public Linear loraA() {
    return loraA;
  }

  /** B: weight (out, r). */
  public Linear loraB() {
    return loraB;
  }

  public int rank() {
    return loraA.outFeatures;
  }

  public double scale() {
    return scale;
  }

  public boolean isMerged() {
    return merged;
  }

  /** W += scale·B·A in place; the hook then adds nothing. No effect when already merged. */
  public void merge() {
    if (merged) return;
    addDelta(1);
    merged = true;
  }

  /** W −= scale·B·A in place; the hook adds the low-rank path again. No effect when not merged. */
  public void unmerge() {
    if (!merged) return;
    addDelta(-1);
    merged = false;
  }

  /** scale·B·A, (out, in). */
  public Tensor delta() {
    try (var g = Grad.disabled()) {
      return loraB.weight.matmul(loraA.weight).mul((float) scale);
    }
  }

  private void addDelta(int sign) {
    float[] d = delta().data(), w = base.weight.data();
    for (int i = 0; i < w.length; i++) w[i] += sign * d[i];
  }
}

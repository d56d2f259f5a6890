package dev.fathom.xai.attention;

import dev.fathom.autograd.Grad;
import dev.fathom.nn.Module;
import dev.fathom.nn.MultiHeadAttention;
import dev.fathom.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Records the attention probabilities softmax(Q·Kᵀ/√Dh) of every {@link MultiHeadAttention} in a
 * model, one (B, H, T, T) tensor per layer, during a forward pass.
 *
 * <pre>{@code
 * try (AttentionRecorder rec = AttentionRecorder.attach(model)) {
 *   model.eval();
 *   Tensor logits = model.call(ids);
 *   double[][] relevance = AttentionRollout.relevance(rec.attentions(), 0);  // from [CLS]
 * }
 * }</pre>
 *
 * <p>Core's attention runs on a fused, tiled kernel that never materializes the probabilities
 * (memory linear in T), so the recorder adds a forward hook to each attention module that
 * recomputes them from the module's input with the module's own {@code q_proj} and
 * {@code k_proj} (and its causal mask), without a graph. The recomputation is exact up to float
 * rounding, tested by rebuilding each layer's output from the recorded probabilities. It covers
 * self-attention called as a module ({@code attn.call(x)}); cross-attention and additive masks
 * passed to {@code attend(x, context, mask)} bypass the hook and are not recorded.
 */
public final class AttentionRecorder implements AutoCloseable {
  private final List<String> names = new ArrayList<>();
  private final List<Runnable> removers = new ArrayList<>();
  private final Tensor[] last;

  private AttentionRecorder(Module model) {
    List<MultiHeadAttention> layers = new ArrayList<>();
    for (Map.Entry<String, Module> e : model.namedModules().entrySet()) {
      if (e.getValue() instanceof MultiHeadAttention m) {
        names.add(e.getKey());
        layers.add(m);
      }
    }
    if (layers.isEmpty()) {
      throw new IllegalArgumentException("AttentionRecorder: " + model.getClass().getSimpleName()
          + " has no MultiHeadAttention module to record, expected at least 1");
    }
    last = new Tensor[layers.size()];
    for (int i = 0; i < layers.size(); i++) {
      final int layer = i;
      removers.add(layers.get(i).registerForwardHook((module, input, output) -> {
        last[layer] = probabilities((MultiHeadAttention) module, input);
        return null;
      }));
    }
  }

  /**
   * Adds recording hooks to every {@link MultiHeadAttention} of {@code model}, in
   * {@link Module#namedModules()} order (the order of a forward pass for sequential models).
   *
   * @param model the transformer
   * @return the recorder; close it to remove the hooks
   * @throws IllegalArgumentException if the model has no attention module
   */
  public static AttentionRecorder attach(Module model) {
    return new AttentionRecorder(model);
  }

  /**
   * The probabilities recorded by the latest forward pass, one per layer.
   *
   * @return per layer (B, H, T, T), rows summing to 1
   * @throws IllegalStateException if a layer has not run since the recorder was attached
   */
  public List<Tensor> attentions() {
    for (int i = 0; i < last.length; i++) {
      if (last[i] == null) {
        throw new IllegalStateException("AttentionRecorder: layer '" + names.get(i) + "' has not run yet; call the model first");
      }
    }
    return List.of(last);
  }

  /**
   * The dotted module names of the recorded layers, e.g. {@code blocks.0.attn}.
   *
   * @return names in recording order
   */
  public List<String> layerNames() {
    return List.copyOf(names);
  }

  /** Removes the hooks; recorded tensors stay readable. */
  @Override
  public void close() {
    removers.forEach(Runnable::run);
    removers.clear();
  }

  /** softmax(q kᵀ / √Dh) of a self-attention layer for its input x (B, T, D), as its forward computes it. */
  static Tensor probabilities(MultiHeadAttention m, Tensor x) {
    try (var g = Grad.disabled()) {
      int b = x.size(0), t = x.size(1), h = m.numHeads, hkv = m.numKvHeads, dh = m.headDim;
      Tensor q = m.qProj.call(x).reshape(b, t, h, dh).transpose(1, 2);     // (B, H, T, Dh)
      Tensor k = m.kProj.call(x).reshape(b, t, hkv, dh).transpose(1, 2);   // (B, Hkv, T, Dh)
      if (hkv != h) k = k.unsqueeze(2).expand(b, hkv, h / hkv, t, dh).reshape(b, h, t, dh);  // (B, H, T, Dh)
      Tensor scores = q.matmul(k.transpose(2, 3)).mul((float) (1 / Math.sqrt(dh)));  // (B, H, T, T)
      if (m.causal) {
        float[] above = new float[t * t];
        for (int i = 0; i < t; i++) for (int j = i + 1; j < t; j++) above[i * t + j] = 1;
        scores = scores.maskedFill(Tensor.of(above, t, t), Float.NEGATIVE_INFINITY);
      }
      return scores.softmax(-1);
    }
  }
}

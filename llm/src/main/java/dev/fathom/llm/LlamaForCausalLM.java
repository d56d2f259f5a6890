package dev.fathom.llm;

import dev.fathom.nn.F;
import dev.fathom.nn.Linear;
import dev.fathom.nn.Module;
import dev.fathom.quant.QuantizedMatrix;
import dev.fathom.quant.W8A8Matrix;
import dev.fathom.tensor.DType;
import dev.fathom.tensor.Rng;
import dev.fathom.tensor.Shape;
import dev.fathom.tensor.ShapeException;
import dev.fathom.tensor.Tensor;
import java.util.Map;
import java.util.Objects;

/**
 * A Llama-family causal language model with Hugging Face parameter names
 * ({@code model.embed_tokens.weight}, {@code model.layers.0.self_attn.q_proj.weight}, ...,
 * {@code model.norm.weight}, {@code lm_head.weight}). With tied embeddings the head reuses the
 * embedding matrix and has no parameter of its own.
 *
 * <p>{@link #forward} is the training path (autograd, whole sequences);
 * generation with a KV cache runs on the same weights in {@code dev.fathom.llm.generate}.
 */
public final class LlamaForCausalLM extends Module {
  private final LlamaConfig config;
  private final Rotary rope;
  final LlamaModel model;
  final Linear lmHead;  // null when tied
  private QuantizationConfig quantization;
  private Map<String, QuantizedMatrix> quantized = Map.of();
  private Map<String, W8A8Matrix> w8a8 = Map.of();

  /** A freshly initialised model (Hugging Face's init: N(0, initializer_range²), norms at one). */
  public LlamaForCausalLM(LlamaConfig config, Rng rng) {
    this.config = config;
    this.rope = new Rotary(config);
    this.model = child("model", new LlamaModel(config, rope, rng));
    this.lmHead = config.tieWordEmbeddings() ? null
        : child("lm_head", LlamaInit.linear(config.hiddenSize(), config.vocabSize(), false, config, rng));
  }

  public LlamaConfig config() {
    return config;
  }

  public LlamaModel model() {
    return model;
  }

  /**
   * The packed weights of a quantized model by parameter name (empty for a float model). The
   * KV-cache engine runs its matrix-vector products on these; the float parameters hold their
   * dequantized values for the autograd forward. Editing the float parameters (training, a LoRA
   * merge) does not change these: quantize again.
   */
  public Map<String, QuantizedMatrix> quantizedWeights() {
    return quantized;
  }

  /** How the weights were quantized, or null for a float model. */
  public QuantizationConfig quantization() {
    return quantization;
  }

  /**
   * Marks the model as quantized: {@code weights} replace the named float weights in generation.
   * The caller keeps the float parameters equal to their dequantized values.
   *
   * @throws IllegalArgumentException if a name is not a parameter or its shape differs
   */
  public void attachQuantized(QuantizationConfig config, Map<String, QuantizedMatrix> weights) {
    Map<String, Tensor> p = namedParameters();
    for (Map.Entry<String, QuantizedMatrix> e : weights.entrySet()) QuantizedCheckpoint.checkMatches(e.getKey(), e.getValue(), p.get(e.getKey()));
    this.quantization = Objects.requireNonNull(config, "config");
    this.quantized = Map.copyOf(weights);
  }

  /** The W8A8 matrices by parameter name (empty unless the model quantizes its activations). */
  public Map<String, W8A8Matrix> w8a8Weights() {
    return w8a8;
  }

  /**
   * Makes the named projections compute in W8A8 (int8 activations per token × int8 weights, float
   * outlier columns): generation runs on {@code weights}, and a forward hook replaces each
   * {@link Linear}'s output with the same arithmetic in the autograd forward. Call after
   * {@link #attachQuantized} with a config whose activation_bits is 8.
   *
   * @throws IllegalStateException if the model is not quantized with activation_bits 8, or W8A8 is already attached
   * @throws IllegalArgumentException if a name is not a projection or its shape differs
   */
  public void attachW8A8(Map<String, W8A8Matrix> weights) {
    if (quantization == null || !quantization.quantizesActivations()) {
      throw new IllegalStateException("attachW8A8: expected a model quantized with activation_bits 8, got "
          + (quantization == null ? "a float model" : "weight-only " + quantization.format()));
    }
    if (!w8a8.isEmpty()) throw new IllegalStateException("attachW8A8: W8A8 weights are already attached");
    Map<String, Module> mods = namedModules();
    for (Map.Entry<String, W8A8Matrix> e : weights.entrySet()) {
      String name = e.getKey();
      Module m = name.endsWith(".weight") ? mods.get(name.substring(0, name.length() - ".weight".length())) : null;
      if (!(m instanceof Linear l) || l.outFeatures != e.getValue().rows() || l.inFeatures != e.getValue().cols()) {
        throw new IllegalArgumentException("W8A8 weight '" + name + "' " + e.getValue() + ": expected the weight of a Linear of that shape");
      }
    }
    for (Map.Entry<String, W8A8Matrix> e : weights.entrySet()) {
      String name = e.getKey();
      mods.get(name.substring(0, name.length() - ".weight".length())).registerForwardHook(new W8A8Forward(e.getValue()));
    }
    this.w8a8 = Map.copyOf(weights);
  }

  /** The rotary tables shared by all layers. */
  public Rotary rotary() {
    return rope;
  }

  /** The output projection (vocab, hidden): lm_head.weight, or the embeddings when tied. */
  public Tensor headWeight() {
    return lmHead == null ? model.embedTokens.weight : lmHead.weight;
  }

  /** ids (B, T) integer token ids → logits (B, T, vocab). */
  @Override
  public Tensor forward(Tensor ids) {
    checkIds(ids);
    return F.linear(model.call(ids), headWeight(), null);
  }

  /** Mean next-token cross-entropy of {@code ids} (B, T) against {@code targets} (B, T); −100 is ignored. */
  public Tensor loss(Tensor ids, Tensor targets) {
    Tensor logits = forward(ids);
    int v = config.vocabSize();
    return F.crossEntropy(logits.reshape(-1, v), targets.reshape(-1), -100, 0.0);
  }

  private void checkIds(Tensor ids) {
    if (ids.dim() != 2 || ids.dtype() == DType.FLOAT32) {
      throw new ShapeException("LlamaForCausalLM: expected integer token ids of shape (B, T), got "
          + ids.dtype() + " " + Shape.str(ids.shape()));
    }
    if (ids.size(1) > config.maxPositionEmbeddings()) {
      throw new ShapeException("LlamaForCausalLM: sequence of " + ids.size(1) + " tokens exceeds max_position_embeddings="
          + config.maxPositionEmbeddings());
    }
  }

  @Override
  protected String extraRepr() {
    return config.modelType() + ", " + config.parameterCount() + " parameters";
  }
}

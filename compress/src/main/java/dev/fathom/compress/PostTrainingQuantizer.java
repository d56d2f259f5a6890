package dev.fathom.compress;

import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.llm.QuantizationConfig;
import dev.fathom.quant.QuantFormat;
import dev.fathom.quant.QuantizedMatrix;
import dev.fathom.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Post-training quantization of a Llama-family model: every linear projection of the decoder
 * blocks (q, k, v, o, gate, up, down) goes into a {@link QuantFormat}; the embeddings, the norms
 * and the output head stay float.
 *
 * <p>Why the head stays float: it is one matrix (vocab × hidden, 0.5% of {@code base}'s weights
 * with a byte vocabulary), its error lands on the logits with no later layer to average it out,
 * and llama.cpp keeps it at higher precision in its 4-bit mixes for the same reason.
 */
public final class PostTrainingQuantizer {
  /** The weights quantized: the seven projections of every decoder layer. */
  public static final Pattern PROJECTIONS = Pattern.compile("model\\.layers\\.\\d+\\.(self_attn|mlp)\\.\\w+_proj\\.weight");
  /** What stays float, recorded as modules_not_converted. */
  public static final List<String> NOT_CONVERTED = List.of("model.embed_tokens", "model.norm", "input_layernorm", "post_attention_layernorm",
      "lm_head");

  private PostTrainingQuantizer() {}

  /**
   * Quantizes {@code model} in place: its float projections become their dequantized values and
   * the packed matrices are attached ({@link LlamaForCausalLM#quantizedWeights()}), ready to save.
   *
   * @param calibration calibration token ids, for methods that need them (null: none)
   * @return the packed matrices by parameter name
   * @throws IllegalArgumentException if the model is already quantized, the method needs
   *     calibration data and none came, or a projection's in-features do not suit the format
   * @throws UnsupportedOperationException for a method not implemented yet
   */
  public static Map<String, QuantizedMatrix> quantize(LlamaForCausalLM model, QuantizationMethod method, QuantFormat format,
      int[] calibration) {
    if (model.quantization() != null) {
      throw new IllegalArgumentException("the model is already quantized (" + model.quantization().format() + "); start from a float model");
    }
    if (!method.implemented()) {
      throw new UnsupportedOperationException("quantization method '" + method + "' is not implemented yet; available: rtn");
    }
    if (method.needsCalibration() && (calibration == null || calibration.length == 0)) {
      throw new IllegalArgumentException("quantization method '" + method + "' needs calibration data (--calib FILE), none was given");
    }
    Map<String, QuantizedMatrix> out = new LinkedHashMap<>();
    forEachProjection(model, (name, t) -> {
      QuantizedMatrix q;
      try {
        q = QuantizedMatrix.quantize(format, t.data(), 0, t.size(0), t.size(1));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
      }
      q.dequantizeInto(t.data(), 0);
      out.put(name, q);
    });
    model.attachQuantized(QuantizationConfig.of(format, method.id(), NOT_CONVERTED), out);
    return out;
  }

  /** Calls {@code body} with each projection weight (out, in) of the decoder layers, in parameter order. */
  static void forEachProjection(LlamaForCausalLM model, java.util.function.BiConsumer<String, Tensor> body) {
    Predicate<String> selected = PROJECTIONS.asMatchPredicate();
    for (Map.Entry<String, Tensor> e : model.namedParameters().entrySet()) if (selected.test(e.getKey())) body.accept(e.getKey(), e.getValue());
  }
}

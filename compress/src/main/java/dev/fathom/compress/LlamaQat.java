package dev.fathom.compress;

import dev.fathom.llm.LlamaForCausalLM;
import dev.fathom.quant.GroupGrid;
import dev.fathom.quant.QuantizedMatrix;
import java.util.Map;

/**
 * Quantization-aware training of a Llama-family model: the weights PTQ quantizes (the seven
 * decoder projections, {@link PostTrainingQuantizer#PROJECTIONS}) are fake-quantized; embeddings,
 * norms and the head stay float. Export goes through {@link PostTrainingQuantizer} with round to
 * nearest, so a QAT model is saved and loaded exactly as a PTQ one.
 */
public final class LlamaQat {
  private LlamaQat() {}

  /**
   * Fake-quantizes the decoder projections of {@code model} onto {@code grid} until closed.
   *
   * @throws IllegalArgumentException if the model is already quantized, or a projection's
   *     in-features do not split into the grid's groups (the message names the projection)
   */
  public static QuantAwareTraining attach(LlamaForCausalLM model, GroupGrid grid) {
    if (model.quantization() != null) {
      throw new IllegalArgumentException("the model is already quantized (" + model.quantization().format() + "); start from a float model");
    }
    return QuantAwareTraining.attach(model, grid, PostTrainingQuantizer.PROJECTIONS.asMatchPredicate());
  }

  /**
   * Rounds the projections onto {@code grid} in place by round to nearest, PTQ's own path: for a
   * grid with a packed format the packed matrices are attached and returned (save them with
   * {@code QuantizedCheckpoint}); for a float-kept grid (int3g32, int2g16, ...) the model holds
   * the values on the grid and the map is empty (save it as a float checkpoint).
   */
  public static Map<String, QuantizedMatrix> export(LlamaForCausalLM model, GroupGrid grid) {
    if (grid.format() != null) return PostTrainingQuantizer.quantize(model, QuantizationMethod.RTN, grid.format(), null);
    PostTrainingQuantizer.round(model, QuantizationMethod.RTN, grid, null);
    return Map.of();
  }
}

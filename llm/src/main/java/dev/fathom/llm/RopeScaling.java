package dev.fathom.llm;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The {@code rope_scaling} object of a Hugging Face config: {@code "linear"} (positions divided
 * by {@code factor}) or {@code "llama3"} (low frequencies divided by {@code factor}, high ones
 * kept, a smooth blend between; Llama 3.1's long-context scheme).
 *
 * @param ropeType "linear" or "llama3" ("default" means no scaling)
 * @param factor the scale factor (≥ 1)
 * @param lowFreqFactor llama3 only: wavelengths above originalMax / lowFreqFactor are fully scaled
 * @param highFreqFactor llama3 only: wavelengths below originalMax / highFreqFactor are kept
 * @param originalMaxPositionEmbeddings llama3 only: the context length the model was trained at
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RopeScaling(
    @JsonProperty("rope_type") @JsonAlias("type") String ropeType,
    @JsonProperty("factor") Double factor,
    @JsonProperty("low_freq_factor") Double lowFreqFactor,
    @JsonProperty("high_freq_factor") Double highFreqFactor,
    @JsonProperty("original_max_position_embeddings") Integer originalMaxPositionEmbeddings) {

  public RopeScaling {
    if (ropeType == null) throw new IllegalArgumentException("rope_scaling: expected a \"rope_type\" (\"linear\" or \"llama3\"), got none");
    switch (ropeType) {
      case "default" -> {}
      case "linear" -> requireFactor(factor);
      case "llama3" -> {
        requireFactor(factor);
        if (lowFreqFactor == null || highFreqFactor == null || originalMaxPositionEmbeddings == null) {
          throw new IllegalArgumentException("rope_scaling llama3: expected low_freq_factor, high_freq_factor and "
              + "original_max_position_embeddings, got " + lowFreqFactor + ", " + highFreqFactor + ", " + originalMaxPositionEmbeddings);
        }
        if (!(highFreqFactor > lowFreqFactor) || !(lowFreqFactor > 0) || originalMaxPositionEmbeddings <= 0) {
          throw new IllegalArgumentException("rope_scaling llama3: expected 0 < low_freq_factor < high_freq_factor and a positive "
              + "original_max_position_embeddings, got " + lowFreqFactor + ", " + highFreqFactor + ", " + originalMaxPositionEmbeddings);
        }
      }
      default -> throw new IllegalArgumentException("rope_scaling: unsupported rope_type \"" + ropeType
          + "\"; supported: default, linear, llama3");
    }
  }

  private static void requireFactor(Double factor) {
    if (factor == null || !(factor >= 1.0) || factor.isInfinite()) {
      throw new IllegalArgumentException("rope_scaling: expected a finite factor >= 1, got " + factor);
    }
  }

  /** Llama 3.1's scaling (factor 8, low 1, high 4, original 8192 in the released models). */
  public static RopeScaling llama3(double factor, double lowFreqFactor, double highFreqFactor, int originalMax) {
    return new RopeScaling("llama3", factor, lowFreqFactor, highFreqFactor, originalMax);
  }

  public static RopeScaling linear(double factor) {
    return new RopeScaling("linear", factor, null, null, null);
  }
}

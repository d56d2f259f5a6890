package dev.fathom.llm;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.fathom.quant.QuantFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code quantization_config} entry of a quantized checkpoint's {@code config.json}, in the
 * spirit of Hugging Face's: {@code {"quant_method": "fathom", "format": "q4_0", "method": "rtn",
 * "group_size": 32, "modules_not_converted": ["model.embed_tokens", "lm_head", ...]}}.
 *
 * @param quantMethod always "fathom" (whose packed layouts {@link QuantFormat} describes)
 * @param format the format of the quantized linear weights (each tensor also records its own)
 * @param method how the values were found: rtn, gptq, awq, ...
 * @param groupSize weights per block or group along the input (1 for int8 per channel)
 * @param modulesNotConverted modules kept in float (embeddings, norms, the head)
 * @param activationBits null for weight-only quantization; 8 for W8A8 (int8 activations times
 *     int8 weights, format int8 only)
 * @param activationGranularity how activation scales are chosen: "per_token" (dynamic,
 *     max|x|/127 of each row at run time), the only one built
 * @param smoothingAlpha SmoothQuant's migration strength, recorded for reference: the smoothing is
 *     already folded into the stored weights and norms (null: no smoothing)
 * @param outlierThreshold LLM.int8's calibration threshold on max|X_j| that chose the float columns
 *     (null: no decomposition)
 * @param outlierColumns per quantized weight, its input columns kept in float (LLM.int8); their
 *     float weights are the tensor {@code <name>_outliers} (rows, k)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record QuantizationConfig(
    @JsonProperty("quant_method") String quantMethod,
    @JsonProperty("format") String format,
    @JsonProperty("method") String method,
    @JsonProperty("group_size") Integer groupSize,
    @JsonProperty("modules_not_converted") List<String> modulesNotConverted,
    @JsonProperty("activation_bits") Integer activationBits,
    @JsonProperty("activation_granularity") String activationGranularity,
    @JsonProperty("smoothing_alpha") Double smoothingAlpha,
    @JsonProperty("outlier_threshold") Double outlierThreshold,
    @JsonProperty("outlier_columns") Map<String, int[]> outlierColumns) {

  public static final String QUANT_METHOD = "fathom";
  /** The activation granularity of W8A8 checkpoints: one scale per token, found at run time. */
  public static final String PER_TOKEN = "per_token";

  public QuantizationConfig {
    if (!QUANT_METHOD.equals(quantMethod)) {
      throw new IllegalArgumentException("quantization_config.quant_method: expected \"" + QUANT_METHOD + "\", got "
          + (quantMethod == null ? "nothing" : "\"" + quantMethod + "\""));
    }
    if (format == null) throw new IllegalArgumentException("quantization_config.format: expected one of " + QuantFormat.knownNames() + ", got nothing");
    try {
      format = QuantFormat.parse(format).id();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("quantization_config.format: " + e.getMessage(), e);
    }
    if (method == null) method = "rtn";
    if (groupSize == null) groupSize = QuantFormat.parse(format).blockSize();
    modulesNotConverted = modulesNotConverted == null ? List.of() : List.copyOf(modulesNotConverted);
    if (activationBits == null) {
      if (activationGranularity != null || smoothingAlpha != null || outlierThreshold != null || outlierColumns != null) {
        throw new IllegalArgumentException("quantization_config: activation_granularity, smoothing_alpha, outlier_threshold and "
            + "outlier_columns need activation_bits 8, got no activation_bits");
      }
    } else {
      if (activationBits != 8) throw new IllegalArgumentException("quantization_config.activation_bits: expected 8 (or none), got " + activationBits);
      if (!format.equals(QuantFormat.INT8.id())) {
        throw new IllegalArgumentException("quantization_config: activation_bits 8 needs format \"int8\", got \"" + format + "\"");
      }
      if (activationGranularity == null) activationGranularity = PER_TOKEN;
      if (!PER_TOKEN.equals(activationGranularity)) {
        throw new IllegalArgumentException("quantization_config.activation_granularity: expected \"" + PER_TOKEN + "\", got \""
            + activationGranularity + "\"");
      }
      if (smoothingAlpha != null && !(smoothingAlpha >= 0 && smoothingAlpha <= 1)) {
        throw new IllegalArgumentException("quantization_config.smoothing_alpha: expected a number in [0, 1], got " + smoothingAlpha);
      }
      if (outlierThreshold != null && !(outlierThreshold > 0 && Double.isFinite(outlierThreshold))) {
        throw new IllegalArgumentException("quantization_config.outlier_threshold: expected a finite number > 0, got " + outlierThreshold);
      }
      Map<String, int[]> cols = new LinkedHashMap<>();
      if (outlierColumns != null) {
        for (Map.Entry<String, int[]> e : outlierColumns.entrySet()) {
          int[] c = e.getValue();
          if (c == null) throw new IllegalArgumentException("quantization_config.outlier_columns['" + e.getKey() + "']: expected a list, got null");
          for (int j = 0; j < c.length; j++) {
            if (c[j] < 0 || (j > 0 && c[j] <= c[j - 1])) {
              throw new IllegalArgumentException("quantization_config.outlier_columns['" + e.getKey()
                  + "']: expected strictly increasing column indices >= 0, got " + c[j] + " at position " + j);
            }
          }
          cols.put(e.getKey(), c.clone());
        }
      }
      outlierColumns = java.util.Collections.unmodifiableMap(cols);
    }
  }

  /** A weight-only config (no activation quantization). */
  public QuantizationConfig(String quantMethod, String format, String method, Integer groupSize, List<String> modulesNotConverted) {
    this(quantMethod, format, method, groupSize, modulesNotConverted, null, null, null, null, null);
  }

  /**
   * A W8A8 config: int8 weights per output channel, int8 activations per token.
   *
   * @param alpha SmoothQuant's α already folded in, or null
   * @param threshold LLM.int8's outlier threshold, or null
   * @param outlierColumns the float-kept input columns per weight name (empty map for none)
   */
  public static QuantizationConfig w8a8(String method, List<String> notConverted, Double alpha, Double threshold,
      Map<String, int[]> outlierColumns) {
    return new QuantizationConfig(QUANT_METHOD, QuantFormat.INT8.id(), method, QuantFormat.INT8.blockSize(), notConverted, 8, PER_TOKEN,
        alpha, threshold, outlierColumns);
  }

  /** True when activations are quantized too (W8A8). */
  public boolean quantizesActivations() {
    return activationBits != null;
  }

  /** The float-kept input columns of weight {@code name} (empty when none). */
  public int[] outlierColumnsOf(String name) {
    int[] c = outlierColumns == null ? null : outlierColumns.get(name);
    return c == null ? new int[0] : c.clone();
  }

  /** A config for weights in {@code format} found by {@code method}, with the listed modules kept in float. */
  public static QuantizationConfig of(QuantFormat format, String method, List<String> notConverted) {
    return new QuantizationConfig(QUANT_METHOD, format.id(), method, format.blockSize(), notConverted);
  }

  /** The format as an enum. */
  public QuantFormat quantFormat() {
    return QuantFormat.parse(format);
  }
}

package dev.fathom.llm;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.fathom.quant.QuantFormat;
import java.util.List;

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
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record QuantizationConfig(
    @JsonProperty("quant_method") String quantMethod,
    @JsonProperty("format") String format,
    @JsonProperty("method") String method,
    @JsonProperty("group_size") Integer groupSize,
    @JsonProperty("modules_not_converted") List<String> modulesNotConverted) {

  public static final String QUANT_METHOD = "fathom";

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

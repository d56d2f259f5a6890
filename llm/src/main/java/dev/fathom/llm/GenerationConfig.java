package dev.fathom.llm;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Hugging Face's {@code generation_config.json}: the sampling defaults a checkpoint ships with.
 * Absent fields stay null (the generator's own defaults apply).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GenerationConfig(
    @JsonProperty("bos_token_id") Integer bosTokenId,
    @JsonProperty("eos_token_id")
        @JsonFormat(with = {JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY, JsonFormat.Feature.WRITE_SINGLE_ELEM_ARRAYS_UNWRAPPED})
        List<Integer> eosTokenId,
    @JsonProperty("do_sample") Boolean doSample,
    @JsonProperty("temperature") Double temperature,
    @JsonProperty("top_k") Integer topK,
    @JsonProperty("top_p") Double topP,
    @JsonProperty("min_p") Double minP,
    @JsonProperty("repetition_penalty") Double repetitionPenalty,
    @JsonProperty("max_new_tokens") Integer maxNewTokens) {

  public GenerationConfig {
    if (eosTokenId != null) eosTokenId = List.copyOf(eosTokenId);
    if (temperature != null && !(temperature >= 0)) throw new IllegalArgumentException("temperature: expected >= 0, got " + temperature);
    if (topK != null && topK < 0) throw new IllegalArgumentException("top_k: expected >= 0, got " + topK);
    if (topP != null && !(topP > 0 && topP <= 1)) throw new IllegalArgumentException("top_p: expected a value in (0, 1], got " + topP);
    if (minP != null && !(minP >= 0 && minP <= 1)) throw new IllegalArgumentException("min_p: expected a value in [0, 1], got " + minP);
    if (repetitionPenalty != null && !(repetitionPenalty > 0)) {
      throw new IllegalArgumentException("repetition_penalty: expected > 0, got " + repetitionPenalty);
    }
    if (maxNewTokens != null && maxNewTokens < 0) throw new IllegalArgumentException("max_new_tokens: expected >= 0, got " + maxNewTokens);
  }

  /** Only the special token ids, as a trained model ships them. */
  public static GenerationConfig ofTokens(Integer bos, List<Integer> eos) {
    return new GenerationConfig(bos, eos, null, null, null, null, null, null, null);
  }
}

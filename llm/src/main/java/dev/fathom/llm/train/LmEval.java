package dev.fathom.llm.train;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The result of evaluating a language model on a text.
 *
 * @param loss mean cross-entropy in nats per token
 * @param perplexity exp(loss)
 * @param bitsPerByte loss · tokens / (bytes · ln 2): comparable across tokenizers
 * @param tokens the number of predicted tokens
 */
public record LmEval(
    @JsonProperty("loss") double loss,
    @JsonProperty("perplexity") double perplexity,
    @JsonProperty("bits_per_byte") double bitsPerByte,
    @JsonProperty("tokens") long tokens) {

  static LmEval of(double totalNats, long tokens, long bytes) {
    double loss = totalNats / tokens;
    return new LmEval(loss, Math.exp(loss), totalNats / (bytes * Math.log(2)), tokens);
  }
}

package dev.fathom.llm.generate;

import java.util.Arrays;
import java.util.function.Function;

/**
 * When a sequence stops, after each new token: a stop token id, a stop string in the decoded
 * output (generated tokens only), max_new_tokens, or the model's context. Shared by
 * {@link Generator} and {@link SpeculativeGenerator} so that both stop at the same token.
 */
final class StopCheck {
  private final SamplingParams params;
  private final boolean[] isStop;
  private final Function<int[], String> decoder;
  private final int maxPositions;

  /**
   * @param decoder ids → text, required when the params have stop strings
   * @throws IllegalArgumentException for stop strings without a decoder
   */
  StopCheck(SamplingParams params, int vocab, Function<int[], String> decoder, int maxPositions) {
    if (!params.stopStrings().isEmpty() && decoder == null) {
      throw new IllegalArgumentException("generate: stop strings " + params.stopStrings() + " need a decoder (pass tokenizer::decode)");
    }
    this.params = params;
    this.decoder = decoder;
    this.maxPositions = maxPositions;
    this.isStop = new boolean[vocab];
    for (int id : params.stopTokenIds()) if (id < vocab) isStop[id] = true;
  }

  /**
   * Why the sequence stops after {@code out[count - 1]}, the newest of its {@code count}
   * generated tokens, or null to go on.
   */
  StopReason after(int[] out, int count, int promptLength) {
    if (isStop[out[count - 1]]) return StopReason.STOP_TOKEN;
    if (!params.stopStrings().isEmpty()) {
      String text = decoder.apply(Arrays.copyOf(out, count));
      for (String stop : params.stopStrings()) if (text.contains(stop)) return StopReason.STOP_STRING;
    }
    if (count >= params.maxNewTokens()) return StopReason.MAX_NEW_TOKENS;
    if (promptLength + count >= maxPositions) return StopReason.CONTEXT_LIMIT;
    return null;
  }
}

package dev.fathom.llm.tokenizer;

import java.util.HashSet;
import java.util.List;

/**
 * Settings of {@link BpeTrainer}. Names follow Hugging Face's {@code BpeTrainer}.
 *
 * @param vocabSize target number of ids: 256 bytes + merges + special tokens; training stops
 *     earlier when no pair occurs {@code minFrequency} times
 * @param specialTokens added tokens, given the last ids in this order; never learned from text
 * @param preTokenizer how the corpus is cut into words before pairs are counted
 * @param minFrequency the least count a pair needs to be merged (at least 1)
 */
public record BpeTrainerConfig(
    int vocabSize, List<String> specialTokens, PreTokenizer preTokenizer, int minFrequency) {

  public BpeTrainerConfig {
    specialTokens = List.copyOf(specialTokens);
    if (preTokenizer == null) {
      throw new IllegalArgumentException("preTokenizer must not be null");
    }
    int least = 256 + specialTokens.size();
    if (vocabSize < least || vocabSize > TokenizerJsonReader.MAX_TOKENS) {
      throw new IllegalArgumentException(
          "vocabSize must be in " + least + ".." + TokenizerJsonReader.MAX_TOKENS
              + " (256 bytes + " + specialTokens.size() + " special tokens at least), got "
              + vocabSize);
    }
    if (minFrequency < 1) {
      throw new IllegalArgumentException("minFrequency must be >= 1, got " + minFrequency);
    }
    var seen = new HashSet<String>();
    for (String s : specialTokens) {
      if (s.isEmpty() || !seen.add(s)) {
        throw new IllegalArgumentException(
            "special tokens must be non-empty and distinct, got " + specialTokens);
      }
    }
  }

  /** GPT-2 pre-tokenization, pairs merged down to a count of 2. */
  public static BpeTrainerConfig of(int vocabSize, String... specialTokens) {
    return new BpeTrainerConfig(vocabSize, List.of(specialTokens), PreTokenizer.gpt2(), 2);
  }
}

package dev.fathom.llm.generate;

import java.util.Arrays;

/**
 * Prompt-lookup drafting (Saxena 2023; Hugging Face's {@code prompt_lookup_num_tokens}): no draft
 * model; the proposal is what followed the most recent earlier occurrence of the sequence's last
 * n tokens, trying n from {@code maxNgram} down to {@code minNgram}. It pays off where the output
 * copies from the context (code edits, summaries, quoting) and proposes nothing elsewhere, which
 * costs nothing: a round without proposals is a plain decode step. Proposals are deterministic
 * (one-hot q), so the target accepts each with probability p(x) (always its argmax under greedy).
 */
public final class PromptLookupDrafter implements Drafter {
  private final int maxNgram, minNgram;

  /**
   * @param maxNgram longest suffix matched, at least minNgram
   * @param minNgram shortest suffix matched, at least 1
   */
  public PromptLookupDrafter(int maxNgram, int minNgram) {
    if (minNgram < 1 || maxNgram < minNgram) {
      throw new IllegalArgumentException("prompt lookup: expected 1 <= min_ngram <= max_ngram, got min " + minNgram + ", max " + maxNgram);
    }
    this.maxNgram = maxNgram;
    this.minNgram = minNgram;
  }

  /** Suffixes of 3 down to 1 tokens. */
  public PromptLookupDrafter() {
    this(3, 1);
  }

  @Override
  public void start(int[] prompt, SamplingParams params, int maxSeq) {}

  @Override
  public int propose(int[] context, int length, int gamma, int[] tokens, double[][] q) {
    for (int n = Math.min(maxNgram, length - 1); n >= minNgram; n--) {
      int from = match(context, length, n);
      if (from < 0) continue;
      int g = Math.min(gamma, length - from);
      for (int i = 0; i < g; i++) {
        tokens[i] = context[from + i];
        Arrays.fill(q[i], 0.0);
        q[i][tokens[i]] = 1.0;
      }
      return g;
    }
    return 0;
  }

  @Override
  public void commit(int[] context, int length) {}

  /**
   * The position after the most recent earlier occurrence of context[length − n .. length), or
   * −1 when there is none.
   */
  static int match(int[] context, int length, int n) {
    int suffix = length - n;
    for (int s = suffix - 1; s >= 0; s--) {
      int j = 0;
      while (j < n && context[s + j] == context[suffix + j]) j++;
      if (j == n) return s + n;
    }
    return -1;
  }
}

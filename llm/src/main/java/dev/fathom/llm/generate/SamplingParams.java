package dev.fathom.llm.generate;

import dev.fathom.llm.GenerationConfig;
import java.util.List;

/**
 * How to pick each next token, with Hugging Face's semantics and order: the repetition penalty
 * (on every token id already in the prompt or the output: logit &gt; 0 ? logit / penalty :
 * logit · penalty), then greedy argmax, or else temperature (logits / T), top-k (keep the k
 * largest logits, ties at the k-th kept), top-p (keep the smallest set of most probable tokens
 * whose probability sums to at least p, at least one), min-p (keep tokens with probability at
 * least min_p times the largest) and a draw from the remaining softmax.
 *
 * <p>Draws are deterministic for a seed: each sequence has its own generator seeded with
 * {@code seed}, so a sequence's tokens do not depend on the other sequences of a batch.
 *
 * @param greedy argmax instead of sampling (temperature, top-k, top-p, min-p and seed unused)
 * @param temperature &gt; 0 (1 = unchanged)
 * @param topK number of tokens kept, 0 = off
 * @param topP in (0, 1], 1 = off
 * @param minP in [0, 1], 0 = off
 * @param repetitionPenalty &gt; 0, 1 = off
 * @param seed seed of each sequence's generator
 * @param maxNewTokens tokens to generate at most per sequence, &gt;= 0
 * @param stopTokenIds ids that end a sequence (the id is kept in the output, as Hugging Face does)
 * @param stopStrings texts that end a sequence once the decoded output contains one (the tokens
 *     that completed it are kept); needs a decoder
 */
public record SamplingParams(boolean greedy, double temperature, int topK, double topP, double minP, double repetitionPenalty,
    long seed, int maxNewTokens, List<Integer> stopTokenIds, List<String> stopStrings) {

  public SamplingParams {
    if (!(temperature > 0) || Double.isInfinite(temperature)) {
      throw new IllegalArgumentException("temperature: expected a finite value > 0 (use greedy for argmax), got " + temperature);
    }
    if (topK < 0) throw new IllegalArgumentException("top_k: expected >= 0 (0 = off), got " + topK);
    if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("top_p: expected a value in (0, 1], got " + topP);
    if (!(minP >= 0 && minP <= 1)) throw new IllegalArgumentException("min_p: expected a value in [0, 1], got " + minP);
    if (!(repetitionPenalty > 0) || Double.isInfinite(repetitionPenalty)) {
      throw new IllegalArgumentException("repetition_penalty: expected a finite value > 0, got " + repetitionPenalty);
    }
    if (maxNewTokens < 0) throw new IllegalArgumentException("max_new_tokens: expected >= 0, got " + maxNewTokens);
    stopTokenIds = stopTokenIds == null ? List.of() : List.copyOf(stopTokenIds);
    for (int id : stopTokenIds) {
      if (id < 0) throw new IllegalArgumentException("stop_token_ids: expected ids >= 0, got " + stopTokenIds);
    }
    stopStrings = stopStrings == null ? List.of() : List.copyOf(stopStrings);
    for (String s : stopStrings) {
      if (s.isEmpty()) throw new IllegalArgumentException("stop_strings: expected non-empty strings, got an empty one");
    }
  }

  /** Argmax decoding of up to {@code maxNewTokens} tokens, no penalty, no stops. */
  public static SamplingParams greedy(int maxNewTokens) {
    return new SamplingParams(true, 1.0, 0, 1.0, 0.0, 1.0, 0L, maxNewTokens, List.of(), List.of());
  }

  /**
   * The sampling a checkpoint's {@code generation_config.json} asks for, with Hugging Face's
   * defaults for absent fields: greedy unless do_sample (or when temperature is 0), temperature 1,
   * top_k 50, top_p 1, min_p off, repetition_penalty 1, its eos ids as stop tokens.
   *
   * @param maxNewTokens used when the config has no max_new_tokens
   */
  public static SamplingParams from(GenerationConfig g, long seed, int maxNewTokens) {
    boolean sample = Boolean.TRUE.equals(g.doSample()) && (g.temperature() == null || g.temperature() > 0);
    return new SamplingParams(!sample, g.temperature() == null || !sample ? 1.0 : g.temperature(),
        g.topK() == null ? 50 : g.topK(), g.topP() == null ? 1.0 : g.topP(), g.minP() == null ? 0.0 : g.minP(),
        g.repetitionPenalty() == null ? 1.0 : g.repetitionPenalty(), seed,
        g.maxNewTokens() == null ? maxNewTokens : g.maxNewTokens(), g.eosTokenId(), List.of());
  }

  /** Plain sampling at {@code temperature} (no top-k/top-p/min-p filter) from {@code seed}. */
  public static SamplingParams sample(double temperature, long seed, int maxNewTokens) {
    return new SamplingParams(false, temperature, 0, 1.0, 0.0, 1.0, seed, maxNewTokens, List.of(), List.of());
  }

  public SamplingParams withTopK(int k) {
    return new SamplingParams(greedy, temperature, k, topP, minP, repetitionPenalty, seed, maxNewTokens, stopTokenIds, stopStrings);
  }

  public SamplingParams withTopP(double p) {
    return new SamplingParams(greedy, temperature, topK, p, minP, repetitionPenalty, seed, maxNewTokens, stopTokenIds, stopStrings);
  }

  public SamplingParams withMinP(double p) {
    return new SamplingParams(greedy, temperature, topK, topP, p, repetitionPenalty, seed, maxNewTokens, stopTokenIds, stopStrings);
  }

  public SamplingParams withRepetitionPenalty(double penalty) {
    return new SamplingParams(greedy, temperature, topK, topP, minP, penalty, seed, maxNewTokens, stopTokenIds, stopStrings);
  }

  public SamplingParams withSeed(long s) {
    return new SamplingParams(greedy, temperature, topK, topP, minP, repetitionPenalty, s, maxNewTokens, stopTokenIds, stopStrings);
  }

  public SamplingParams withStopTokenIds(List<Integer> ids) {
    return new SamplingParams(greedy, temperature, topK, topP, minP, repetitionPenalty, seed, maxNewTokens, ids, stopStrings);
  }

  public SamplingParams withStopStrings(List<String> strings) {
    return new SamplingParams(greedy, temperature, topK, topP, minP, repetitionPenalty, seed, maxNewTokens, stopTokenIds, strings);
  }
}

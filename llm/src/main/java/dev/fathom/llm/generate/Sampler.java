package dev.fathom.llm.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token of one sequence from its logits with {@link SamplingParams}: penalty,
 * then argmax or temperature → top-k → top-p → min-p → a draw. Counts which ids the sequence
 * holds (prompt and output) for the repetition penalty; its random stream is its own, seeded with
 * the params' seed. Scratch arrays are allocated once.
 *
 * <p>{@link #distribution} exposes the distribution a draw is made from (one-hot at the argmax
 * when greedy), which speculative decoding needs for its acceptance test; {@link #add} and
 * {@link #remove} let it count draft tokens in and out of the sequence.
 */
final class Sampler {
  private final SamplingParams params;
  private final int vocab;
  private final int[] count;
  private final float[] work;
  private final long[] order;
  private final double[] probs;
  private final SplittableRandom rng;

  Sampler(SamplingParams params, int vocab, int[] prompt) {
    this(params, vocab, prompt, params.seed());
  }

  /** A sampler whose random stream is seeded with {@code seed} instead of the params' seed. */
  Sampler(SamplingParams params, int vocab, int[] prompt, long seed) {
    this.params = params;
    this.vocab = vocab;
    this.count = new int[vocab];
    this.work = new float[vocab];
    this.order = new long[vocab];
    this.probs = new double[vocab];
    this.rng = new SplittableRandom(seed);
    for (int t : prompt) count[t]++;
  }

  /** The next token for the logits at {@code logits[off .. off + V)} (not modified); counts it in. */
  int next(float[] logits, int off) {
    int token;
    if (params.greedy()) {
      penalized(logits, off);
      token = LogitsFilters.argmax(work, vocab);
    } else {
      distribution(logits, off, probs);
      token = pick(probs, vocab, rng.nextDouble());
    }
    count[token]++;
    return token;
  }

  /**
   * Writes to {@code out[0 .. V)} the distribution {@link #next} would draw from for these logits
   * and the tokens counted in now: one-hot at the argmax when greedy.
   */
  void distribution(float[] logits, int off, double[] out) {
    penalized(logits, off);
    if (params.greedy()) {
      Arrays.fill(out, 0, vocab, 0.0);
      out[LogitsFilters.argmax(work, vocab)] = 1.0;
      return;
    }
    if (params.temperature() != 1.0) LogitsFilters.temperature(work, vocab, (float) params.temperature());
    LogitsFilters.topK(work, vocab, params.topK(), order);
    LogitsFilters.topP(work, vocab, params.topP(), order, out);
    LogitsFilters.minP(work, vocab, params.minP(), out);
    LogitsFilters.softmax(work, vocab, out);
  }

  /** A uniform draw in [0, 1) from this sequence's stream. */
  double uniform() {
    return rng.nextDouble();
  }

  /** Counts {@code token} as held by the sequence (for the repetition penalty). */
  void add(int token) {
    count[token]++;
  }

  /** Undoes one {@link #add} of {@code token}. */
  void remove(int token) {
    count[token]--;
  }

  private void penalized(float[] logits, int off) {
    System.arraycopy(logits, off, work, 0, vocab);
    if (params.repetitionPenalty() != 1.0) LogitsFilters.repetitionPenalty(work, vocab, count, (float) params.repetitionPenalty());
  }

  /**
   * The first id whose cumulative weight exceeds u, u in [0, total weight) (in [0, 1) for
   * probabilities); the last possible one on rounding. Ids with weight ≤ 0 are never picked.
   */
  static int pick(double[] probs, int n, double u) {
    double cum = 0;
    int last = -1;
    for (int t = 0; t < n; t++) {
      if (probs[t] <= 0) continue;
      cum += probs[t];
      last = t;
      if (u < cum) return t;
    }
    return last;
  }
}

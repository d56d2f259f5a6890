package dev.fathom.llm.generate;

import java.util.SplittableRandom;

/**
 * Picks the next token of one sequence from its logits with {@link SamplingParams}: penalty,
 * then argmax or temperature → top-k → top-p → min-p → a draw. Remembers which ids the sequence
 * holds (prompt and output) for the repetition penalty; its random stream is its own, seeded with
 * the params' seed. Scratch arrays are allocated once.
 */
final class Sampler {
  private final SamplingParams params;
  private final int vocab;
  private final boolean[] present;
  private final float[] work;
  private final long[] order;
  private final double[] probs;
  private final SplittableRandom rng;

  Sampler(SamplingParams params, int vocab, int[] prompt) {
    this.params = params;
    this.vocab = vocab;
    this.present = new boolean[vocab];
    this.work = new float[vocab];
    this.order = new long[vocab];
    this.probs = new double[vocab];
    this.rng = new SplittableRandom(params.seed());
    for (int t : prompt) present[t] = true;
  }

  /** The next token for the logits at {@code logits[off .. off + V)} (not modified); records it as present. */
  int next(float[] logits, int off) {
    System.arraycopy(logits, off, work, 0, vocab);
    if (params.repetitionPenalty() != 1.0) LogitsFilters.repetitionPenalty(work, vocab, present, (float) params.repetitionPenalty());
    int token = params.greedy() ? LogitsFilters.argmax(work, vocab) : draw();
    present[token] = true;
    return token;
  }

  private int draw() {
    if (params.temperature() != 1.0) LogitsFilters.temperature(work, vocab, (float) params.temperature());
    LogitsFilters.topK(work, vocab, params.topK(), order);
    LogitsFilters.topP(work, vocab, params.topP(), order, probs);
    LogitsFilters.minP(work, vocab, params.minP(), probs);
    LogitsFilters.softmax(work, vocab, probs);
    return pick(probs, vocab, rng.nextDouble());
  }

  /** The first id whose cumulative probability exceeds u (u in [0, 1)); the last possible one on rounding. */
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

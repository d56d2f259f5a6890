package dev.fathom.llm.generate;

import java.util.Arrays;

/**
 * The logit processors of {@link SamplingParams}, each in place on one row of n logits; a removed
 * token gets −∞. Hugging Face's definitions (RepetitionPenaltyLogitsProcessor, the temperature,
 * top-k, top-p and min-p warpers), written for one row without allocation: {@code order} and
 * {@code probs} are caller scratch of at least n.
 */
final class LogitsFilters {
  private LogitsFilters() {}

  /** logit[t] = logit[t] &gt; 0 ? logit[t] / penalty : logit[t] · penalty for every t with {@code count[t] > 0}. */
  static void repetitionPenalty(float[] logits, int n, int[] count, float penalty) {
    for (int t = 0; t < n; t++) {
      if (count[t] > 0) logits[t] = logits[t] > 0 ? logits[t] / penalty : logits[t] * penalty;
    }
  }

  static void temperature(float[] logits, int n, float temperature) {
    for (int t = 0; t < n; t++) logits[t] /= temperature;
  }

  /** Keeps the logits at least as large as the k-th largest (ties kept); k ≥ n keeps all. */
  static void topK(float[] logits, int n, int k, long[] order) {
    if (k <= 0 || k >= n) return;
    sortDescending(logits, n, order);
    float kth = logits[(int) order[k - 1]];
    for (int t = 0; t < n; t++) if (logits[t] < kth) logits[t] = Float.NEGATIVE_INFINITY;
  }

  /**
   * Keeps the smallest set of most probable tokens whose probability sums to at least p (at least
   * one token): going down the probabilities, a token is kept while the mass before it is below p.
   */
  static void topP(float[] logits, int n, double p, long[] order, double[] probs) {
    if (p >= 1) return;
    softmax(logits, n, probs);
    sortDescending(logits, n, order);
    double before = 0;
    for (int i = 0; i < n; i++) {
      int t = (int) order[i];
      if (i > 0 && before >= p) logits[t] = Float.NEGATIVE_INFINITY;
      before += probs[t];
    }
  }

  /** Keeps tokens whose probability is at least minP times the largest probability. */
  static void minP(float[] logits, int n, double minP, double[] probs) {
    if (minP <= 0) return;
    softmax(logits, n, probs);
    double max = 0;
    for (int t = 0; t < n; t++) max = Math.max(max, probs[t]);
    double threshold = minP * max;
    for (int t = 0; t < n; t++) if (probs[t] < threshold) logits[t] = Float.NEGATIVE_INFINITY;
  }

  /** probs = softmax(logits) in double (−∞ → 0). */
  static void softmax(float[] logits, int n, double[] probs) {
    float max = Float.NEGATIVE_INFINITY;
    for (int t = 0; t < n; t++) max = Math.max(max, logits[t]);
    double sum = 0;
    for (int t = 0; t < n; t++) {
      double e = logits[t] == Float.NEGATIVE_INFINITY ? 0 : Math.exp((double) logits[t] - max);
      probs[t] = e;
      sum += e;
    }
    for (int t = 0; t < n; t++) probs[t] /= sum;
  }

  /** First index of the largest logit (as torch.argmax). */
  static int argmax(float[] logits, int n) {
    int best = 0;
    for (int t = 1; t < n; t++) if (logits[t] > logits[best]) best = t;
    return best;
  }

  /**
   * Fills order[0..n) with token ids by descending logit, ties by ascending id: each entry packs
   * an order-preserving key of the logit (high bits, inverted) and the id (low bits).
   */
  static void sortDescending(float[] logits, int n, long[] order) {
    for (int t = 0; t < n; t++) {
      int bits = Float.floatToIntBits(logits[t] + 0f);  // −0 → +0
      int key = bits ^ ((bits >> 31) & 0x7fffffff);      // ascending ints ↔ ascending floats
      order[t] = ((long) ~key << 32) | t;
    }
    Arrays.sort(order, 0, n);
    for (int i = 0; i < n; i++) order[i] &= 0xffffffffL;
  }
}

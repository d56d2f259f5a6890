package dev.fathom.insight.dynamics;

import dev.fathom.nn.Module;

/**
 * One held-out preference pair seen by the policy at one moment of DPO training: the two sequence
 * log-probabilities and, at the positions of the rejected response, where the next-token mass
 * sits. The rejected response is read teacher-forced (x, y⁻_&lt;t); a_t is the token that was the
 * argmax there <em>before</em> training (fixed at step 0), and only positions with y⁻_t ≠ a_t count
 * (pushing down the peak itself is not the squeezing regime). Over those positions:
 *
 * <pre>
 * argmaxProb   = mean_t π(a_t)
 * rejectedProb = mean_t π(y⁻_t)
 * otherMass    = mean_t Σ_{c ∉ {a_t, y⁻_t}} π(c)      (= 1 − argmaxProb − rejectedProb)
 * </pre>
 *
 * <p>Beside it, the sequence view of the paper's Fig. 4: log π(y*|x) of the greedy response y* of
 * the step-0 model (the response the policy was most sure of before training).
 *
 * @param logpChosen log π(y⁺|x)
 * @param logpRejected log π(y⁻|x)
 * @param logpGreedy log π(y*|x), y* the step-0 greedy response (NaN if not tracked)
 * @param positions number of positions counted (the three means are NaN when it is 0)
 * @param argmaxProb mean π(a_t)
 * @param rejectedProb mean π(y⁻_t)
 * @param otherMass mean mass of the other tokens
 */
public record PairState(double logpChosen, double logpRejected, double logpGreedy, int positions, double argmaxProb, double rejectedProb, double otherMass) {

  /**
   * From per-position log-probability tables.
   *
   * @param chosenRows log π per position of y⁺ (R⁺, V)
   * @param rejectedRows log π per position of y⁻ (R⁻, V)
   * @param argmax a_t, the step-0 argmax at each position of y⁻ (R⁻)
   */
  public static PairState of(double[][] chosenRows, int[] chosen, double[][] rejectedRows, int[] rejected, int[] argmax, double logpGreedy) {
    if (rejectedRows.length != rejected.length || argmax.length != rejected.length) {
      throw new IllegalArgumentException("pair state: " + rejected.length + " rejected tokens but " + rejectedRows.length + " rows and "
          + argmax.length + " argmax tokens");
    }
    int n = 0;
    double top = 0, rej = 0, other = 0;
    for (int t = 0; t < rejected.length; t++) {
      int a = argmax[t], y = rejected[t];
      if (a == y) continue;
      double[] row = rejectedRows[t];
      n++;
      top += Math.exp(row[a]);
      rej += Math.exp(row[y]);
      for (int c = 0; c < row.length; c++) if (c != a && c != y) other += Math.exp(row[c]);
    }
    double nan = Double.NaN;
    return new PairState(SequenceLogProb.sum(chosenRows, chosen), SequenceLogProb.sum(rejectedRows, rejected), logpGreedy, n, n == 0 ? nan : top / n,
        n == 0 ? nan : rej / n, n == 0 ? nan : other / n);
  }

  /**
   * The state of {@code pair} under {@code lm} now.
   *
   * @param argmax from {@link #argmaxTokens} at step 0
   * @param greedy the step-0 greedy response ({@link SequenceLogProb#greedy}), or null
   */
  public static PairState measure(Module lm, DpoPair pair, int[] argmax, int[] greedy) {
    double g = greedy == null ? Double.NaN : SequenceLogProb.value(lm, new LmProbe("greedy", pair.prompt(), greedy));
    return of(SequenceLogProb.positions(lm, pair.chosenProbe()), pair.chosen(), SequenceLogProb.positions(lm, pair.rejectedProbe()),
        pair.rejected(), argmax, g);
  }

  /** a_t = argmax_c π(c | x, y⁻_&lt;t) at every position of the rejected response, under {@code lm} now. */
  public static int[] argmaxTokens(Module lm, DpoPair pair) {
    double[][] rows = SequenceLogProb.positions(lm, pair.rejectedProbe());
    int[] a = new int[rows.length];
    for (int t = 0; t < a.length; t++) a[t] = LogSoftmax.argmax(rows[t]);
    return a;
  }
}

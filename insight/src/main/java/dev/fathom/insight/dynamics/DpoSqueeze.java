package dev.fathom.insight.dynamics;

import java.util.List;

/**
 * The squeezing effect over DPO training (Ren &amp; Sutherland, ICLR 2025, Sec. 4): a negative
 * gradient on a rejected response that is already unlikely drains probability from y⁻ and from
 * most other tokens into the most likely one. A held-out pair <em>shows squeezing</em> from the
 * start state s₀ to the end state s_T ({@link PairState}, same step-0 argmax tokens a_t) when all
 * three hold:
 *
 * <pre>
 * argmaxProb(s_T)   &gt; argmaxProb(s₀)       the step-0 argmax tokens gained (mean over y⁻'s non-argmax positions)
 * logpRejected(s_T) &lt; logpRejected(s₀)     y⁻ fell
 * otherMass(s_T)    &lt; otherMass(s₀)        the tokens that are neither a_t nor y⁻_t lost mass
 * </pre>
 *
 * A pair with no position where y⁻_t ≠ a_t does not show it.
 *
 * @param probes number of pairs
 * @param shown fraction of pairs where all three hold
 * @param argmaxRose fraction where the argmax tokens gained
 * @param rejectedFell fraction where log π(y⁻) fell
 * @param othersFell fraction where the other tokens' mass fell
 * @param greedyRose fraction where log π(y*|x) of the step-0 greedy response rose (the sequence view; NaN if not tracked)
 */
public record DpoSqueeze(int probes, double shown, double argmaxRose, double rejectedFell, double othersFell, double greedyRose) {

  /** True when the pair shows squeezing from {@code start} to {@code end}. */
  public static boolean shown(PairState start, PairState end) {
    return start.positions() > 0 && end.argmaxProb() > start.argmaxProb() && end.logpRejected() < start.logpRejected()
        && end.otherMass() < start.otherMass();
  }

  /**
   * @param start the pairs at step 0
   * @param end the same pairs later, in the same order
   */
  public static DpoSqueeze of(List<PairState> start, List<PairState> end) {
    if (start.isEmpty() || start.size() != end.size()) {
      throw new IllegalArgumentException("squeeze: expected the same non-zero number of pairs at start and end, got " + start.size() + " and "
          + end.size());
    }
    int n = start.size(), shown = 0, rose = 0, fell = 0, others = 0, greedy = 0, tracked = 0;
    for (int i = 0; i < n; i++) {
      PairState s = start.get(i), e = end.get(i);
      if (shown(s, e)) shown++;
      if (e.argmaxProb() > s.argmaxProb()) rose++;
      if (e.logpRejected() < s.logpRejected()) fell++;
      if (e.otherMass() < s.otherMass()) others++;
      if (!Double.isNaN(s.logpGreedy())) {
        tracked++;
        if (e.logpGreedy() > s.logpGreedy()) greedy++;
      }
    }
    return new DpoSqueeze(n, (double) shown / n, (double) rose / n, (double) fell / n, (double) others / n,
        tracked == 0 ? Double.NaN : (double) greedy / tracked);
  }
}

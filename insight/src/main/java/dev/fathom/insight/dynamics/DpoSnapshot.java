package dev.fathom.insight.dynamics;

import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The held-out pairs at one step of DPO training.
 *
 * @param step optimizer steps taken
 * @param trainLoss mean training loss of the steps since the previous snapshot (NaN at step 0)
 * @param pairs the held-out pairs' states, in a fixed order
 */
public record DpoSnapshot(int step, double trainLoss, List<PairState> pairs) {
  public DpoSnapshot {
    pairs = List.copyOf(pairs);
  }

  public double meanLogpChosen() {
    return mean(PairState::logpChosen);
  }

  public double meanLogpRejected() {
    return mean(PairState::logpRejected);
  }

  public double meanLogpGreedy() {
    return mean(PairState::logpGreedy);
  }

  /** Mean π(a_t) over pairs (pairs without counted positions left out). */
  public double meanArgmaxProb() {
    return mean(PairState::argmaxProb);
  }

  public double meanRejectedProb() {
    return mean(PairState::rejectedProb);
  }

  public double meanOtherMass() {
    return mean(PairState::otherMass);
  }

  /**
   * The DPO reward margin with {@code reference} (the step-0 snapshot, π_ref = the initial
   * policy) as π_ref, averaged over pairs: β·[(log π(y⁺) − log π_ref(y⁺)) − (log π(y⁻) − log π_ref(y⁻))].
   */
  public double meanRewardMargin(DpoSnapshot reference, double beta) {
    check(reference);
    double s = 0;
    for (int i = 0; i < pairs.size(); i++) {
      PairState p = pairs.get(i), r = reference.pairs.get(i);
      s += beta * ((p.logpChosen() - r.logpChosen()) - (p.logpRejected() - r.logpRejected()));
    }
    return s / pairs.size();
  }

  /** The DPO loss on the held-out pairs, with {@code reference} as π_ref. */
  public double meanLoss(DpoSnapshot reference, double beta) {
    check(reference);
    double s = 0;
    for (int i = 0; i < pairs.size(); i++) {
      PairState p = pairs.get(i), r = reference.pairs.get(i);
      s += DpoLoss.value(p.logpChosen(), p.logpRejected(), r.logpChosen(), r.logpRejected(), beta);
    }
    return s / pairs.size();
  }

  private void check(DpoSnapshot reference) {
    if (reference.pairs.size() != pairs.size()) {
      throw new IllegalArgumentException("snapshot: " + pairs.size() + " pairs but the reference has " + reference.pairs.size());
    }
  }

  private double mean(ToDoubleFunction<PairState> f) {
    double s = 0;
    int n = 0;
    for (PairState p : pairs) {
      double v = f.applyAsDouble(p);
      if (Double.isNaN(v)) continue;
      s += v;
      n++;
    }
    return n == 0 ? Double.NaN : s / n;
  }
}

package dev.fathom.insight.dynamics;

import java.util.List;

/**
 * The squeezing effect over many probes.
 *
 * @param probes number of probes
 * @param argmaxRose fraction of probes whose argmax class gained probability
 * @param pushedFell fraction whose pushed label lost probability
 * @param othersFell mean over probes of the fraction of the remaining classes that lost probability
 * @param meanArgmaxGain mean change of π(argmax)
 */
public record SqueezeSummary(int probes, double argmaxRose, double pushedFell, double othersFell, double meanArgmaxGain) {

  /** @throws IllegalArgumentException if there are no probes */
  public static SqueezeSummary of(List<SqueezeProbe> probes) {
    if (probes.isEmpty()) throw new IllegalArgumentException("squeeze: no probes");
    int n = probes.size(), rose = 0, fell = 0, othersCount = 0;
    double others = 0, gain = 0;
    for (SqueezeProbe p : probes) {
      if (p.argmaxRose()) rose++;
      if (p.pushedFell()) fell++;
      if (!Double.isNaN(p.othersFell())) {
        others += p.othersFell();
        othersCount++;
      }
      gain += p.argmaxAfter() - p.argmaxBefore();
    }
    return new SqueezeSummary(n, (double) rose / n, (double) fell / n, othersCount == 0 ? Double.NaN : others / othersCount, gain / n);
  }
}

package dev.fathom.xai.fairness;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Group rates and the summary fairness metrics of one classifier on one set of examples
 * (Fairlearn's and AIF360's definitions, over every group with examples):
 *
 * <pre>
 *   demographic parity difference  DPD = max_a SR_a − min_a SR_a                       (0 = parity)
 *   demographic parity ratio       DPR = min_a SR_a / max_a SR_a                       (1 = parity)
 *   equal opportunity difference   EOP = max_a TPR_a − min_a TPR_a                     (Hardt et al. 2016)
 *   equalized odds difference      EOD = max(EOP, max_a FPR_a − min_a FPR_a)           (Fairlearn)
 *   disparate impact               DI  = P(Ŷ=1 | A ≠ p) / P(Ŷ=1 | A = p)               (AIF360, p privileged)
 * </pre>
 *
 * DI pools every unprivileged group (AIF360's definition); the four-fifths rule of the US EEOC
 * guidelines (29 CFR 1607.4 D) holds when 0.8 ≤ DI ≤ 1.25, i.e. neither side is selected at less
 * than 80% of the other's rate.
 *
 * <p>Undefined values are NaN, never a silent 0: TPR (hence EOP and EOD) is NaN when some group
 * has no true positives (it is named in {@link #undefinedTpr()}), FPR (hence EOD) when some group
 * has no true negatives, DPR when no group is ever selected, DI when the privileged group is
 * never selected and neither is any other (x/0 with x &gt; 0 is +∞).
 *
 * @param groups the rates of each group with examples, in group order (at least 2)
 * @param privileged the privileged group's name
 * @param accuracy the overall (expected) accuracy
 * @param selectionRate the overall selection rate
 * @param demographicParityDifference DPD
 * @param demographicParityRatio DPR
 * @param equalOpportunityDifference EOP
 * @param equalizedOddsDifference EOD
 * @param disparateImpact DI
 */
public record FairnessReport(List<GroupRates> groups, String privileged, double accuracy, double selectionRate,
    double demographicParityDifference, double demographicParityRatio, double equalOpportunityDifference,
    double equalizedOddsDifference, double disparateImpact) {

  /** Copies the group list. */
  public FairnessReport {
    groups = List.copyOf(groups);
  }

  /**
   * Computes the summary metrics from group rates.
   *
   * @param groups the rates of at least two groups
   * @param privileged the privileged group's name, or null for the group with the highest
   *     selection rate (the reference group of the four-fifths rule)
   * @return the report
   * @throws IllegalArgumentException if fewer than two groups are given or the privileged group
   *     is not among them
   */
  public static FairnessReport of(List<GroupRates> groups, String privileged) {
    if (groups.size() < 2) {
      throw new IllegalArgumentException("fairness report: expected at least 2 groups, got " + groups.size());
    }
    GroupRates priv = null;
    for (GroupRates g : groups) {
      if (privileged == null ? priv == null || g.selectionRate() > priv.selectionRate() : g.name().equals(privileged)) {
        priv = g;
      }
    }
    if (priv == null) {
      throw new IllegalArgumentException("privileged group '" + privileged + "' is not among the groups with examples "
          + groups.stream().map(GroupRates::name).toList());
    }
    double n = 0, correct = 0, selected = 0, otherN = 0, otherSelected = 0;
    double srMin = Double.POSITIVE_INFINITY, srMax = Double.NEGATIVE_INFINITY;
    for (GroupRates g : groups) {
      n += g.count();
      correct += g.accuracy() * g.count();
      selected += g.selectionRate() * g.count();
      srMin = Math.min(srMin, g.selectionRate());
      srMax = Math.max(srMax, g.selectionRate());
      if (g != priv) {
        otherN += g.count();
        otherSelected += g.selectionRate() * g.count();
      }
    }
    double tprGap = spread(groups, GroupRates::tpr), fprGap = spread(groups, GroupRates::fpr);
    return new FairnessReport(groups, priv.name(), correct / n, selected / n, srMax - srMin, srMin / srMax, tprGap,
        Math.max(tprGap, fprGap) /* NaN if either is NaN */, (otherSelected / otherN) / priv.selectionRate());
  }

  /** max − min of a rate over the groups, NaN if any group's rate is NaN. */
  private static double spread(List<GroupRates> groups, java.util.function.ToDoubleFunction<GroupRates> rate) {
    double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
    for (GroupRates g : groups) {
      double v = rate.applyAsDouble(g);
      if (Double.isNaN(v)) {
        return Double.NaN;
      }
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    return hi - lo;
  }

  /**
   * Whether disparate impact passes the four-fifths rule, 0.8 ≤ DI ≤ 1.25.
   *
   * @return the verdict; false when DI is undefined
   */
  public boolean passesFourFifthsRule() {
    return disparateImpact >= 0.8 && disparateImpact <= 1.25;
  }

  /**
   * The groups whose TPR is undefined because they have no true positives.
   *
   * @return their names, empty when every TPR is defined
   */
  public List<String> undefinedTpr() {
    return groups.stream().filter(g -> g.positives() == 0).map(GroupRates::name).toList();
  }

  /**
   * The groups whose FPR is undefined because they have no true negatives.
   *
   * @return their names, empty when every FPR is defined
   */
  public List<String> undefinedFpr() {
    return groups.stream().filter(g -> g.negatives() == 0).map(GroupRates::name).toList();
  }

  /**
   * The report as plain JSON-ready values (NaN and ±∞ become null, as JSON has no such numbers).
   *
   * @return a new map: the summary metrics, then {@code groups}, a list of per-group maps
   */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("accuracy", json(accuracy));
    m.put("selection_rate", json(selectionRate));
    m.put("demographic_parity_difference", json(demographicParityDifference));
    m.put("demographic_parity_ratio", json(demographicParityRatio));
    m.put("equal_opportunity_difference", json(equalOpportunityDifference));
    m.put("equalized_odds_difference", json(equalizedOddsDifference));
    m.put("privileged", privileged);
    m.put("disparate_impact", json(disparateImpact));
    m.put("four_fifths_rule", passesFourFifthsRule());
    List<Map<String, Object>> rows = new ArrayList<>();
    for (GroupRates g : groups) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("group", g.name());
      r.put("count", g.count());
      r.put("positives", g.positives());
      r.put("base_rate", json(g.baseRate()));
      r.put("selection_rate", json(g.selectionRate()));
      r.put("tpr", json(g.tpr()));
      r.put("fpr", json(g.fpr()));
      r.put("accuracy", json(g.accuracy()));
      rows.add(r);
    }
    m.put("groups", rows);
    return m;
  }

  /** A double for JSON: null where JSON has no number (NaN, ±∞). */
  static Double json(double v) {
    return Double.isFinite(v) ? v : null;
  }
}

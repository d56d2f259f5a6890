package dev.fathom.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.fathom.xai.fairness.Calibration;
import dev.fathom.xai.fairness.ExpGradConfig;
import dev.fathom.xai.fairness.FairnessConstraint;
import dev.fathom.xai.fairness.FairnessReport;
import dev.fathom.xai.fairness.GroupRates;
import dev.fathom.xai.fairness.LearnerConfig;
import dev.fathom.xai.fairness.SensitiveAttribute;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fathom fairness}: group fairness of a tabular classifier on the test rows of its training
 * split, and optionally a mitigation (reweighing, per-group thresholds or the
 * exponentiated-gradient reduction) with the metrics before and after.
 */
@Command(name = "fairness", mixinStandardHelpOptions = true,
    description = "Group fairness of a tabular classifier on its test split (selection rate, TPR/FPR, demographic parity, equalized odds, "
        + "disparate impact, calibration by group), optionally mitigated: reweigh, threshold or expgrad.")
final class FairnessCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, description = "classifier checkpoint directory (fathom train --data FILE.arff --model mlp)")
  Path model;

  @Option(names = "--data", required = true, description = "the .arff/.csv file the model was trained on")
  String data;

  @Option(names = "--sensitive", required = true, description = "the sensitive column, e.g. personal_status, or age with --threshold")
  String sensitive;

  @Option(names = "--threshold", description = "split a numeric sensitive column into groups COL<T and COL>=T")
  Double threshold;

  @Option(names = "--privileged", description = "the privileged group for disparate impact (default: the group the model selects most)")
  String privileged;

  @Option(names = "--favorable", description = "the favorable class (default: the model's first class, 'good' for credit-g)")
  String favorable;

  @Option(names = "--mitigate", defaultValue = "none", description = "none, reweigh, threshold or expgrad (default: ${DEFAULT-VALUE})")
  String mitigate;

  @Option(names = "--constraint", defaultValue = "demographic_parity",
      description = "what --mitigate threshold equalizes: demographic_parity or equalized_odds (Fairlearn's names); reweigh and expgrad"
          + " target demographic parity (default: ${DEFAULT-VALUE})")
  String constraint;

  @Option(names = "--learner", defaultValue = "logistic",
      description = "what reweigh and expgrad train: logistic or mlp (one hidden layer of 32) (default: ${DEFAULT-VALUE})")
  String learner;

  @Option(names = "--group-feature",
      description = "reweigh/expgrad: the learner also sees the sensitive group (one-hot), as the threshold optimizer does")
  boolean groupFeature;

  @Option(names = "--eps", defaultValue = "0.01", description = "expgrad: allowed |SR_a - SR| on the training rows (default: ${DEFAULT-VALUE})")
  double eps;

  @Option(names = "--rounds", defaultValue = "50", description = "expgrad: most rounds (default: ${DEFAULT-VALUE})")
  int rounds;

  @Option(names = "--bins", defaultValue = "10", description = "calibration bins (default: ${DEFAULT-VALUE})")
  int bins;

  @Option(names = "--seed", defaultValue = "42",
      description = "the --seed given to fathom train, which fixes its test split; also seeds the mitigation (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--fold", description = "the --fold K/N given to fathom train: the report is on that held-out fold")
  String fold;

  @Option(names = "--json", description = "print one JSON object")
  boolean json;

  @Option(names = "--out", description = "directory for fairness.png (selection rate and TPR per group)")
  Path out;

  private FairnessConstraint target;

  @Override
  public Integer call() throws Exception {
    if (!List.of("none", "reweigh", "threshold", "expgrad").contains(mitigate)) {
      throw new CliException("--mitigate must be none, reweigh, threshold or expgrad, got '" + mitigate + "'");
    }
    if (!"logistic".equals(learner) && !"mlp".equals(learner)) throw new CliException("--learner must be logistic or mlp, got '" + learner + "'");
    if (bins < 1) throw new CliException("--bins must be >= 1, got " + bins);
    ExpGradConfig expgrad;
    SensitiveAttribute attribute;
    try {
      expgrad = new ExpGradConfig(eps, rounds, 2.0, 0.001);
      attribute = new SensitiveAttribute(sensitive, threshold);
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage());
    }
    try {
      target = FairnessConstraint.parse(constraint);
    } catch (IllegalArgumentException e) {
      throw new CliException("--constraint: " + e.getMessage());
    }
    if (target == FairnessConstraint.EQUALIZED_ODDS && !mitigate.equals("threshold")) {
      throw new CliException("--constraint equalized_odds needs --mitigate threshold; reweigh and expgrad target demographic parity");
    }
    Fold heldOut = Fold.parse(fold);
    FairnessData d = FairnessData.load(ModelLoader.load(model), data, attribute, favorable, seed, heldOut);
    if (privileged != null && !d.groups().names().contains(privileged)) {
      throw new CliException("--privileged: no group '" + privileged + "'; the groups are " + d.groups().names());
    }
    FairnessMitigation m = new FairnessMitigation(d, bins, seed, groupFeature);
    List<FairnessOutcome> outcomes = new ArrayList<>();
    outcomes.add(m.model(privileged));
    String priv = outcomes.getFirst().report().privileged();
    LearnerConfig lc = "mlp".equals(learner) ? LearnerConfig.mlp(32) : LearnerConfig.logisticRegression();
    try {
      outcomes.addAll(m.mitigate(mitigate, target, lc, expgrad, priv));
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage());
    }
    FairnessOutcome before = outcomes.getFirst(), after = mitigate.equals("none") ? null : outcomes.get(outcomes.size() - (mitigate.equals("expgrad") ? 2 : 1));
    if (out != null) {
      Files.createDirectories(out);
      FairnessChart.write(out.resolve("fairness.png"), sensitive, before, after);
    }
    if (json) {
      System.out.println(new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS).writeValueAsString(toJson(d, outcomes, before, after)));
    } else {
      print(System.out, d, outcomes, before, after);
    }
    return 0;
  }

  private void print(PrintStream o, FairnessData d, List<FairnessOutcome> outcomes, FairnessOutcome before, FairnessOutcome after) {
    int[] sizes = d.groups().sizes();
    List<String> groups = new ArrayList<>();
    for (int g = 0; g < sizes.length; g++) groups.add(d.groups().names().get(g) + " (" + sizes[g] + " rows)");
    o.printf("data: %s, %d rows; test split: %d rows (seed %d%s); favorable class: %s%n", Path.of(data).getFileName(), d.x().length,
        d.split().test().length, seed, fold == null ? "" : ", fold " + fold, d.favorableClass());
    o.printf("sensitive: %s%s: %s; privileged: %s%n", sensitive, threshold == null ? "" : " split at " + threshold, String.join(", ", groups),
        before.report().privileged());
    for (FairnessOutcome r : outcomes) {
      o.printf("%n%s: %s%n", r.name(), r.description());
      boolean cal = !r.calibration().isEmpty();
      o.println("| group | n | base rate | selection rate | TPR | FPR | accuracy |" + (cal ? " ECE |" : ""));
      o.println("|---|---|---|---|---|---|---|" + (cal ? "---|" : ""));
      for (GroupRates g : r.report().groups()) {
        String ece = cal ? " " + f3(r.calibration().stream().filter(c -> c.group().equals(g.name())).findFirst().orElseThrow().ece()) + " |" : "";
        o.printf("| %s | %d | %s | %s | %s | %s | %s |%s%n", g.name(), g.count(), f3(g.baseRate()), f3(g.selectionRate()), f3(g.tpr()),
            f3(g.fpr()), f3(g.accuracy()), ece);
      }
      FairnessReport p = r.report();
      o.printf("accuracy %s, selection rate %s%s%n", f3(p.accuracy()), f3(p.selectionRate()),
          cal ? ", ECE (all, " + bins + " bins) " + f3(r.calibration().getFirst().ece()) : "");
      o.printf("demographic parity difference %s, ratio %s; chance level %s (permutation p = %.3f)%n", f3(p.demographicParityDifference()),
          f3(p.demographicParityRatio()), f3(r.parity().floor()), r.parity().pValue());
      o.printf("equal opportunity difference %s, equalized odds difference %s%s%n", f3(p.equalOpportunityDifference()),
          f3(p.equalizedOddsDifference()), undefined(p));
      o.printf("disparate impact %s (others vs %s): %s the four-fifths rule (0.8 <= DI <= 1.25)%n", f3(p.disparateImpact()), p.privileged(),
          p.passesFourFifthsRule() ? "passes" : "fails");
    }
    if (after != null) {
      FairnessReport b = before.report(), a = after.report();
      boolean odds = target == FairnessConstraint.EQUALIZED_ODDS;
      double gb = odds ? b.equalizedOddsDifference() : b.demographicParityDifference(), ga = odds ? a.equalizedOddsDifference() : a.demographicParityDifference();
      o.printf("%nbefore -> after (%s): %s difference %s -> %s (%s smaller); accuracy %.1f%% -> %.1f%% (%+.1f points)%n",
          after.name(), odds ? "equalized odds" : "demographic parity", f3(gb), f3(ga),
          ga > 0 ? String.format("%.1fx", gb / ga) : "infinitely", 100 * b.accuracy(), 100 * a.accuracy(), 100 * (a.accuracy() - b.accuracy()));
    }
    if (out != null) o.println("plot: " + out.resolve("fairness.png"));
  }

  private static String undefined(FairnessReport p) {
    List<String> tpr = p.undefinedTpr(), fpr = p.undefinedFpr();
    if (tpr.isEmpty() && fpr.isEmpty()) return "";
    return " (undefined:" + (tpr.isEmpty() ? "" : " no true positives in " + tpr) + (fpr.isEmpty() ? "" : " no true negatives in " + fpr) + ")";
  }

  private static String f3(double v) {
    return Double.isNaN(v) ? "n/a" : String.format("%.3f", v);
  }

  private Map<String, Object> toJson(FairnessData d, List<FairnessOutcome> outcomes, FairnessOutcome before, FairnessOutcome after) {
    Map<String, Object> j = new LinkedHashMap<>();
    j.put("data", data);
    j.put("rows", d.x().length);
    j.put("test_rows", d.split().test().length);
    j.put("seed", seed);
    j.put("fold", fold);
    j.put("favorable", d.favorableClass());
    j.put("sensitive", sensitive);
    j.put("threshold", threshold);
    j.put("groups", d.groups().names());
    j.put("group_sizes", Arrays.stream(d.groups().sizes()).boxed().toList());
    j.put("mitigation", mitigate);
    j.put("constraint", target.id());
    j.put("group_feature", groupFeature);
    Map<String, Object> results = new LinkedHashMap<>();
    for (FairnessOutcome r : outcomes) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("description", r.description());
      m.putAll(r.report().toMap());
      m.put("dp_difference_chance_level", r.parity().floor());
      m.put("dp_difference_p_value", r.parity().pValue());
      List<Map<String, Object>> cal = new ArrayList<>();
      for (Calibration c : r.calibration()) {
        Map<String, Object> cm = new LinkedHashMap<>();
        cm.put("group", c.group());
        cm.put("ece", c.ece());
        cm.put("counts", Arrays.stream(c.counts()).boxed().toList());
        cm.put("mean_predicted", Arrays.stream(c.meanPredicted()).mapToObj(v -> Double.isNaN(v) ? null : v).toList());
        cm.put("observed_rate", Arrays.stream(c.observedRate()).mapToObj(v -> Double.isNaN(v) ? null : v).toList());
        cal.add(cm);
      }
      if (!cal.isEmpty()) m.put("calibration", cal);
      results.put(r.name(), m);
    }
    j.put("results", results);
    if (after != null) {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("after", after.name());
      c.put("dp_difference_before", before.report().demographicParityDifference());
      c.put("dp_difference_after", after.report().demographicParityDifference());
      c.put("eo_difference_before", before.report().equalizedOddsDifference());
      c.put("eo_difference_after", after.report().equalizedOddsDifference());
      c.put("accuracy_before", before.report().accuracy());
      c.put("accuracy_after", after.report().accuracy());
      j.put("comparison", c);
    }
    return j;
  }
}

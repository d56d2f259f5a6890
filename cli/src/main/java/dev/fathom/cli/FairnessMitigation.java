package dev.fathom.cli;

import dev.fathom.data.Split;
import dev.fathom.xai.fairness.Calibration;
import dev.fathom.xai.fairness.ExpGradConfig;
import dev.fathom.xai.fairness.ExponentiatedGradient;
import dev.fathom.xai.fairness.FairnessConstraint;
import dev.fathom.xai.fairness.FairnessReport;
import dev.fathom.xai.fairness.GroupMetrics;
import dev.fathom.xai.fairness.Groups;
import dev.fathom.xai.fairness.LearnerConfig;
import dev.fathom.xai.fairness.ParityPermutationTest;
import dev.fathom.xai.fairness.Reweighing;
import dev.fathom.xai.fairness.ThresholdOptimizer;
import dev.fathom.xai.fairness.WeightedLearner;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The classifiers {@code fathom fairness} compares on the test rows: the checkpoint, and for a
 * mitigation the mitigated classifier (with, for the methods that train a new model, the same
 * learner trained without mitigation, so the cost of mitigation is not confused with the change
 * of model). Everything is fitted on the training rows only.
 */
final class FairnessMitigation {
  /** Shuffles of the permutation test: its p-value resolves 1/2000. */
  static final int PERMUTATIONS = 2000;

  private final FairnessData d;
  private final int[] train, test, yTrain, yTest;
  private final Groups gTrain, gTest;
  private final int bins;
  private final long seed;

  private final boolean groupFeature;

  FairnessMitigation(FairnessData d, int bins, long seed, boolean groupFeature) {
    this.groupFeature = groupFeature;
    this.d = d;
    Split s = d.split();
    this.train = s.train();
    this.test = s.test();
    this.yTrain = FairnessData.pick(d.favorable(), train);
    this.yTest = FairnessData.pick(d.favorable(), test);
    this.gTrain = d.groups().select(train);
    this.gTest = d.groups().select(test);
    this.bins = bins;
    this.seed = seed;
  }

  /** The checkpoint: its argmax decisions, its P(favorable) for calibration. */
  FairnessOutcome model(String privileged) {
    return outcome("model", "the checkpoint", FairnessData.pick(d.decisions(), test), FairnessData.pick(d.scores(), test), privileged);
  }

  /** The outcomes after the mitigation (the baseline learner first where there is one). */
  List<FairnessOutcome> mitigate(String method, FairnessConstraint constraint, LearnerConfig learner, ExpGradConfig expgrad, String privileged) {
    double[][] xTrain = learnerInput(train, gTrain), xTest = learnerInput(test, gTest);
    List<FairnessOutcome> out = new ArrayList<>();
    String lname = (learner.isLinear() ? "logistic regression" : "MLP " + Arrays.toString(learner.hidden()))
        + (groupFeature ? " (+ group one-hot)" : "");
    switch (method) {
      case "none" -> { }
      case "reweigh" -> {
        double[] ones = new double[train.length];
        Arrays.fill(ones, 1);
        out.add(learned("baseline", lname + ", unweighted", xTrain, ones, learner, xTest, privileged));
        out.add(learned("reweigh", lname + ", reweighed (Kamiran & Calders 2012)", xTrain, Reweighing.weights(yTrain, gTrain), learner,
            xTest, privileged));
      }
      case "threshold" -> {
        ThresholdOptimizer t = ThresholdOptimizer.fit(FairnessData.pick(d.scores(), train), yTrain, gTrain, constraint);
        String target = constraint == FairnessConstraint.EQUALIZED_ODDS
            ? String.format("equalized odds (Hardt et al. 2016), common training FPR %.3f and TPR %.3f", t.targetFpr(), t.targetTpr())
            : String.format("demographic parity (Hardt et al. 2016), common training selection rate %.3f", t.targetRate());
        out.add(outcome("threshold", "the checkpoint with per-group thresholds for " + target + "; expected over the rules' coin flips",
            t.decide(FairnessData.pick(d.scores(), test), gTest), null, privileged));
      }
      case "expgrad" -> {
        double[] ones = new double[train.length];
        Arrays.fill(ones, 1);
        out.add(learned("baseline", lname + ", unweighted", xTrain, ones, learner, xTest, privileged));
        ExponentiatedGradient eg = ExponentiatedGradient.fit(xTrain, yTrain, gTrain, expgrad, learner, seed);
        double trainGap = GroupMetrics.report(yTrain, eg.decide(xTrain), gTrain, null).demographicParityDifference();
        out.add(outcome("expgrad", String.format("exponentiated gradient (Agarwal et al. 2018), eps %.3g: mixture of %d %s rounds"
            + " (demographic parity difference %.3f on the training rows); expected over the mixture's draws", expgrad.eps(), eg.rounds(),
            lname, trainGap),
            eg.decide(xTest), null, privileged));
        out.add(outcome("expgrad_best", "exponentiated gradient, best single round (" + (eg.bestRound() + 1) + " of " + eg.rounds()
            + "), deterministic", eg.decideBest(xTest), null, privileged));
      }
      default -> throw new CliException("--mitigate must be none, reweigh, threshold or expgrad, got '" + method + "'");
    }
    return out;
  }

  /**
   * The rows a new learner sees: the checkpoint's features, and with {@code --group-feature} one
   * 0/1 column per group, so a learner can move a whole group's decisions by an offset that holds
   * on new rows as it does on the training rows.
   */
  private double[][] learnerInput(int[] rows, Groups g) {
    double[][] x = FairnessData.pick(d.x(), rows);
    if (!groupFeature) return x;
    double[][] out = new double[x.length][];
    for (int i = 0; i < x.length; i++) {
      out[i] = Arrays.copyOf(x[i], x[i].length + g.count());
      out[i][x[i].length + g.of(i)] = 1;
    }
    return out;
  }

  private FairnessOutcome learned(String name, String description, double[][] xTrain, double[] w, LearnerConfig learner,
      double[][] xTest, String privileged) {
    var model = WeightedLearner.fit(xTrain, yTrain, w, learner, seed);
    double[][] p = WeightedLearner.predictor(model, xTrain[0].length).predict(xTest);
    double[] scores = new double[p.length];
    for (int i = 0; i < p.length; i++) scores[i] = p[i][1];
    return outcome(name, description, GroupMetrics.decisions(scores, 0.5), scores, privileged);
  }

  private FairnessOutcome outcome(String name, String description, double[] decisions, double[] scores, String privileged) {
    FairnessReport r = GroupMetrics.report(yTest, decisions, gTest, privileged);
    List<Calibration> cal = new ArrayList<>();
    if (scores != null) {
      cal.add(Calibration.of(yTest, scores, bins));
      cal.addAll(Calibration.byGroup(yTest, scores, gTest, bins));
    }
    return new FairnessOutcome(name, description, r, ParityPermutationTest.of(decisions, gTest, PERMUTATIONS, seed), cal);
  }
}

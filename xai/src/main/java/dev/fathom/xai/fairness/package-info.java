/**
 * Group fairness of binary classifiers: how a model's decisions differ between the groups of a
 * sensitive attribute, and three ways to narrow the difference.
 *
 * <p>Notation, used in every class here: y ∈ {0, 1} the true outcome (1 = favorable, e.g. good
 * credit), ŷ ∈ [0, 1] the probability of a favorable decision (0/1 for a deterministic
 * classifier), A the sensitive attribute with groups a, n_a examples each, N in all;
 * SR_a = P(Ŷ=1 | A=a) the selection rate.
 *
 * <p>Start with {@link dev.fathom.xai.fairness.GroupMetrics} (groups from a table column via
 * {@link dev.fathom.xai.fairness.SensitiveAttribute}) and its
 * {@link dev.fathom.xai.fairness.FairnessReport}; {@link dev.fathom.xai.fairness.Calibration} and
 * {@link dev.fathom.xai.fairness.ParityPermutationTest} complete the measurement. Mitigation, by
 * the stage of training it acts on:
 *
 * <ul>
 *   <li>before: {@link dev.fathom.xai.fairness.Reweighing} (Kamiran and Calders 2012) weights the
 *       training examples for the {@link dev.fathom.xai.fairness.WeightedLearner};
 *   <li>during: {@link dev.fathom.xai.fairness.ExponentiatedGradient} (Agarwal et al. 2018)
 *       trains a mixture of weighted learners under a demographic-parity constraint;
 *   <li>after: {@link dev.fathom.xai.fairness.ThresholdOptimizer} (Hardt et al. 2016) picks
 *       per-group randomized thresholds on a trained model's scores.
 * </ul>
 */
package dev.fathom.xai.fairness;

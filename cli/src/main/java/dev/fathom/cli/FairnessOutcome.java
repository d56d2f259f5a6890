package dev.fathom.cli;

import dev.fathom.xai.fairness.Calibration;
import dev.fathom.xai.fairness.FairnessReport;
import dev.fathom.xai.fairness.ParityPermutationTest;
import java.util.List;

/**
 * One classifier's fairness on the test rows, as {@code fathom fairness} prints it.
 *
 * @param name a short key ("model", "reweigh", ...)
 * @param description what the classifier is, for the heading
 * @param report group rates and summary metrics
 * @param parity the permutation test of its demographic parity difference (the chance level on
 *     groups of these sizes)
 * @param calibration the reliability tables of its scores ("all" first, then per group), empty
 *     when it has no scores of its own (post-processed or randomized decisions)
 */
record FairnessOutcome(String name, String description, FairnessReport report, ParityPermutationTest parity, List<Calibration> calibration) {
  FairnessOutcome {
    calibration = List.copyOf(calibration);
  }
}

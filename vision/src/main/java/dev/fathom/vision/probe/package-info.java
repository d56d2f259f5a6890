/**
 * Evaluation of frozen or fine-tuned encoders with few labels: {@link dev.fathom.vision.probe.LabelSubsets}
 * (k labels per class, seeded draws), {@link dev.fathom.vision.probe.LinearProbe},
 * {@link dev.fathom.vision.probe.KnnProbe}, {@link dev.fathom.vision.probe.FineTune}, and
 * {@link dev.fathom.vision.probe.ProbeSuite}, which runs them over label draws beside the baselines.
 */
package dev.fathom.vision.probe;

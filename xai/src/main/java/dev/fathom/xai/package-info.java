/**
 * Trustworthy models: why a model decided (attributions), whether the explanation is faithful
 * (deletion/insertion, infidelity, sensitivity, randomization checks), whether it treats groups
 * fairly ({@code fairness}), and how easily it is fooled ({@code robust}).
 *
 * <p>Two views of a model run through the package. Gradient methods need a differentiable
 * Fathom model; model-agnostic methods (KernelSHAP, LIME, occlusion, fairness) need only a
 * {@link dev.fathom.xai.Predictor}: flattened rows in, scores out. {@link dev.fathom.xai.Predictors}
 * adapts the first to the second.
 */
package dev.fathom.xai;

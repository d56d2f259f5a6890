/**
 * Model-agnostic local attributions on a {@link dev.fathom.xai.Predictor}: KernelSHAP
 * ({@link dev.fathom.xai.shap.KernelShap}, Lundberg and Lee 2017) and tabular LIME
 * ({@link dev.fathom.xai.shap.Lime}, Ribeiro et al. 2016). Both fit a weighted linear surrogate
 * to the model's outputs on perturbed copies of one example; they differ in the perturbations
 * and the weights. KernelSHAP's Shapley kernel makes the surrogate's coefficients the Shapley
 * values of the interventional game; LIME's exponential kernel on distance gives a local slope.
 *
 * <p>Start reading at {@link dev.fathom.xai.shap.KernelShap#explain}. Letters used throughout:
 * d features per row, M the features that vary between the explained row and the background
 * (the others get 0 without being sampled), N background rows, k output columns of the predictor.
 * {@code WeightedLeastSquares} is the one solver both methods share (Householder QR in double).
 */
package dev.fathom.xai.shap;

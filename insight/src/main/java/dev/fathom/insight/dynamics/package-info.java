/**
 * Learning dynamics (Ren &amp; Sutherland, ICLR 2025, "Learning Dynamics of LLM Finetuning"): how one
 * gradient step on an example x_u changes the model's log-probabilities on other examples x_o.
 *
 * <p>To first order in the learning rate η, one SGD step θ' = θ − η∇_θ L(x_u) changes the
 * log-probabilities of a probe by
 *
 * <pre>
 * Δ log π(x_o) ≈ −η · A(x_o) · K(x_o, x_u) · G(x_u)
 * A(x_o)      = I − 1·π_oᵀ            (V×V) Jacobian of log-softmax at the probe's logits
 * K(x_o, x_u) = J_o · J_uᵀ            (V×V) empirical neural tangent kernel, J = ∂z/∂θ (V×P)
 * G(x_u)      = ∂L/∂z_u               (V)   loss gradient w.r.t. the update's logits (π_u − e_y for CE)
 * </pre>
 *
 * Shape letters: V classes (or vocabulary), P parameters, N probes, T tokens.
 *
 * <p>Start with {@link dev.fathom.insight.dynamics.ClassifierDynamics} (the explicit A·K·G for a
 * classifier and the real SGD step beside it), {@link dev.fathom.insight.dynamics.Squeezing}
 * (negative gradients concentrate mass on the argmax), then
 * {@link dev.fathom.insight.dynamics.LmDynamics} for SFT and DPO updates of a causal language
 * model ({@link dev.fathom.insight.dynamics.DpoLoss}). {@link dev.fathom.insight.dynamics.Agreement}
 * scores a prediction against the actual change. {@link dev.fathom.insight.dynamics.DpoTraining} runs
 * multi-step DPO and follows held-out pairs ({@link dev.fathom.insight.dynamics.PairState}), where
 * {@link dev.fathom.insight.dynamics.DpoSqueeze} says whether the squeezing effect built up.
 */
package dev.fathom.insight.dynamics;

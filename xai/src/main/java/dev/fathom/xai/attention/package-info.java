/**
 * Attention-based explanations of transformers: which input tokens a prediction drew on.
 *
 * <p>{@link dev.fathom.xai.attention.AttentionRecorder} captures the attention probabilities of
 * every core {@link dev.fathom.nn.MultiHeadAttention} in a model during a forward pass (core runs
 * attention on a fused kernel that never forms them, so the recorder recomputes them from the
 * layer's own projections); {@link dev.fathom.xai.attention.AttentionRollout} (Abnar and Zuidema
 * 2020) composes them across layers into token relevance.
 * {@link dev.fathom.xai.attention.TransformerClassifier} is a small ViT-style encoder classifier
 * ([CLS] token, learned positions, pre-norm blocks) to try them on.
 *
 * <p>Shape letters: B batch, H heads, T sequence positions (the [CLS] token included where a model
 * has one), D embedding width, Dh = D / H.
 */
package dev.fathom.xai.attention;
